"""The review card's forms (modals): edit the reply, regenerate it, a reason for reject / no reply,
hide, move to a private message, escalate / assign, and the read-only Details.

Each form's ``private_metadata`` carries the mention (``m``), for edit the draft (``d``), and
what the listener adds (where the card lives); the submit listeners in ``listeners.views``
read it back. The post being answered is quoted at the top as written (``rich_text``).
"""

from __future__ import annotations

import json
from typing import Any

from assistant.slack.views.card import CardData, details_blocks
from assistant.slack.views.elements import INPUT_LIMIT, SECTION_LIMIT, Block, clip, md, network_label, plain
from assistant.slack.views.mrkdwn import escape

# The Regenerate form's presets (the listener turns the choice into the instruction).
INSTRUCTIONS = {"shorter": "Make it shorter.", "warmer": "Make it warmer.",
                "formal": "Make it more formal."}


def _post_context(post: str | None) -> list[Block]:
    """The post being answered, at the top of a form (as written: rich_text text is never markup)."""
    if not post:
        return []
    text, _ = clip(post, SECTION_LIMIT - 10, "post")
    return [{"type": "rich_text", "block_id": "post", "elements": [
        {"type": "rich_text_quote", "elements": [{"type": "text", "text": text}]}]}]


# What the edit form says about the guard (README, "The guard checks claims, not just words").
EDIT_RULES = ("Always blocked: links, codes, prices, discounts or refunds the policy lacks, a colleague named in "
              "a reply to a complaint, anything the policy's facts contradict, another language. Other unbacked "
              "sentences are warnings: submit again to post anyway.")


def edit_modal(mention_id: str, draft_id: int | None, text: str, network: str | None, limit: int | None,
               metadata: dict[str, Any], title: str = "Edit the reply", submit: str = "Approve and post",
               post: str | None = None) -> dict[str, Any]:
    """``submit`` says what the card's Approve button says ("Approve and post" / "Approve and save")."""
    hint = (f"{network_label(network)} allows {limit} characters. " if limit else "") + EDIT_RULES
    return {
        "type": "modal", "callback_id": "edit_submit",
        "private_metadata": json.dumps({"m": mention_id, "d": draft_id, **metadata}),
        "title": plain(title[:24]), "submit": plain(submit[:24]), "close": plain("Cancel"),
        "blocks": [
            *_post_context(post),
            {"type": "input", "block_id": "reply", "label": plain("Reply"), "hint": plain(hint),
             "element": {"type": "plain_text_input", "action_id": "text", "multiline": True,
                         "initial_value": text[:INPUT_LIMIT], "max_length": INPUT_LIMIT}},
        ],
    }


def private_modal(mention_id: str, text: str, means: str, can_send: bool, metadata: dict[str, Any],
                  post: str | None = None) -> dict[str, Any]:
    """Move to private message: the message to send (where the network can), and what happens."""
    how = (f"The message is sent {escape(means)}." if can_send else
           f"Not sent from here: {escape(means)}. Send it yourself; the card records the move.")
    return {
        "type": "modal", "callback_id": "private_submit",
        "private_metadata": json.dumps({"m": mention_id, **metadata}),
        "title": plain("Move to private"), "submit": plain("Send" if can_send else "Record"),
        "close": plain("Cancel"),
        "blocks": [
            *_post_context(post),
            {"type": "section", "block_id": "how", "text": md(how + " The card then reminds everyone "
                                                               "that the public thread needs an update.")},
            {"type": "input", "block_id": "reason", "optional": not can_send, "label": plain("Private message"),
             "element": {"type": "plain_text_input", "action_id": "text", "multiline": True,
                         "initial_value": text[:1000], "max_length": 1000}},
        ],
    }


def hide_modal(mention_id: str, means: str, can_hide: bool, metadata: dict[str, Any],
               post: str | None = None) -> dict[str, Any]:
    what = (f"On this network it will be {escape(means)}." if can_hide
            else f"It will be recorded as hidden here, not hidden on the network: {escape(means)}.")
    return {
        "type": "modal", "callback_id": "hide_submit",
        "private_metadata": json.dumps({"m": mention_id, **metadata}),
        "title": plain("Hide this comment?"), "submit": plain("Hide"), "close": plain("Cancel"),
        "blocks": [
            *_post_context(post),
            {"type": "section", "block_id": "what", "text": md(what + " It gets no reply. Hide only abuse and spam.")},
            {"type": "input", "block_id": "reason", "optional": True, "label": plain("Reason (sent with a report)"),
             "element": {"type": "plain_text_input", "action_id": "text", "multiline": True, "max_length": 500}},
        ],
    }


def details_modal(data: CardData) -> dict[str, Any]:
    return {"type": "modal", "title": plain("Details"), "close": plain("Close"),
            "blocks": (_post_context(data.mention.get("text")) + details_blocks(data))[:100]}


def regenerate_modal(mention_id: str, metadata: dict[str, Any]) -> dict[str, Any]:
    options = [{"text": plain(label.rstrip(".")), "value": key} for key, label in INSTRUCTIONS.items()]
    return {
        "type": "modal", "callback_id": "regenerate_submit",
        "private_metadata": json.dumps({"m": mention_id, **metadata}),
        "title": plain("Regenerate"), "submit": plain("Regenerate"), "close": plain("Cancel"),
        "blocks": [
            {"type": "input", "block_id": "preset", "optional": True, "label": plain("How should it change?"),
             "element": {"type": "static_select", "action_id": "value", "options": options,
                         "placeholder": plain("Pick one (optional)")}},
            {"type": "input", "block_id": "instruction", "optional": True, "label": plain("Or say it in your words"),
             "element": {"type": "plain_text_input", "action_id": "text", "max_length": 300,
                         "placeholder": plain("e.g. mention our Saturday opening hours")}},
        ],
    }


def reason_modal(callback_id: str, title: str, submit: str, mention_id: str, metadata: dict[str, Any],
                 label: str = "Reason", optional: bool = True) -> dict[str, Any]:
    return {
        "type": "modal", "callback_id": callback_id,
        "private_metadata": json.dumps({"m": mention_id, **metadata}),
        "title": plain(title), "submit": plain(submit), "close": plain("Cancel"),
        "blocks": [
            {"type": "input", "block_id": "reason", "optional": optional, "label": plain(label),
             "element": {"type": "plain_text_input", "action_id": "text", "multiline": True, "max_length": 500}},
        ],
    }


def escalate_modal(mention_id: str, teams: list[str], metadata: dict[str, Any]) -> dict[str, Any]:
    blocks: list[Block] = [
        {"type": "input", "block_id": "person", "optional": True, "label": plain("Assign to a person"),
         "element": {"type": "users_select", "action_id": "value", "placeholder": plain("Choose a person")}},
    ]
    if teams:
        blocks.append({"type": "input", "block_id": "team", "optional": True, "label": plain("or a team"),
                       "element": {"type": "static_select", "action_id": "value",
                                   "options": [{"text": plain(t[:75]), "value": t[:150]} for t in teams[:100]]}})
    blocks.append({"type": "input", "block_id": "reason", "optional": True, "label": plain("Note"),
                   "element": {"type": "plain_text_input", "action_id": "text", "multiline": True,
                               "max_length": 500}})
    return {
        "type": "modal", "callback_id": "escalate_submit",
        "private_metadata": json.dumps({"m": mention_id, **metadata}),
        "title": plain("Escalate / assign"), "submit": plain("Escalate"), "close": plain("Cancel"),
        "blocks": blocks,
    }
