"""Buttons on the review card: approve, edit, regenerate, details, and the overflow menu
(reject this draft, no reply needed, escalate, move to private message, hide); ignore, retry.

A click acts only on the mention of the card it was made on: the button's value names the
mention and the draft shown (``{"m": ..., "d": ...}``, see ``views.card.action_value``), and the
message it came from must be that mention's stored card (an ephemeral /reply card, which has
no stored message, must belong to a mention the app drew a card for). Approve needs the draft
id and acts only if it is still the latest draft. A value that is not one of ours is answered
with a private note and one log line, never a traceback.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from assistant.domain.errors import AssistantError
from assistant.slack.requests import metadata_for, parse_value, ref_from_action
from assistant.slack.views.modals import (
    details_modal,
    edit_modal,
    escalate_modal,
    hide_modal,
    private_modal,
    reason_modal,
    regenerate_modal,
)
from assistant.store import APPROVABLE_STATUSES, OPEN_STATUSES
from assistant.store import slack_sql as tables

if TYPE_CHECKING:
    from slack_bolt import Ack, App

    from assistant.slack.services import Services

log = logging.getLogger("assistant.slack")

MODAL_ACTIONS = ("edit", "edit_failed", "regenerate", "reject", "no_reply", "escalate", "hide", "private",
                 "details")
DIRECT_ACTIONS = ("approve", "ignore", "retry")
REPLY_ACTIONS = ("approve", "edit", "edit_failed", "regenerate", "retry", "reject")  # not for a read-only source
READ_ONLY_ACTIONS = ("details",)  # anyone may look

NOT_THIS_CARD = ("This button does not belong to this card's mention, so nothing was changed. "
                 "Use the buttons on the mention's own review card.")


def _on_its_card(svc: Services, mention_id: str, ref: dict[str, Any]) -> bool:
    """Whether the message clicked is the review card of ``mention_id``."""
    if ref.get("ephemeral"):  # a /reply card: only its requester sees it, and it has no stored ts
        return tables.has_card(svc.store, mention_id)
    channel, ts = ref.get("channel"), ref.get("ts")
    if not (isinstance(channel, str) and isinstance(ts, str)):
        return False
    return tables.card_for_message(svc.store, channel, ts) == mention_id


def read_click(svc: Services, body: dict[str, Any], action: dict[str, Any]) -> tuple[str, int | None] | None:
    """(mention id, draft id) of a click that may act; otherwise the person is told why
    (privately), one line is logged, and None."""
    ref = ref_from_action(body)
    name = action.get("action_id")
    try:
        mention_id, draft_id = parse_value(action.get("value"))
    except ValueError as exc:
        log.warning("ignored a %s click by %s: its button value could not be read (%s)", name, ref.get("user"), exc)
        svc.gateway.ephemeral(ref, f"This button's data could not be read ({exc}), so nothing was changed. "
                           "Use the buttons on the mention's current review card.")
        return None
    if not _on_its_card(svc, mention_id, ref):
        log.warning("ignored a %s click by %s on message %s in %s: its button names mention %r, whose card "
                    "that is not", name, ref.get("user"), ref.get("ts"), ref.get("channel"), mention_id[:200])
        svc.gateway.ephemeral(ref, NOT_THIS_CARD)
        return None
    return mention_id, draft_id


def read_overflow(svc: Services, body: dict[str, Any], action: dict[str, Any]) -> tuple[str, str, int | None] | None:
    """(action name, mention id, draft id) of a choice in the card's overflow menu. An option's
    value holds only the action and the draft (Slack allows 150 characters); the mention is the
    card's own: the stored card of the clicked message, or (an ephemeral /reply card) the one its
    actions block names."""
    ref = ref_from_action(body)
    try:
        data = json.loads((action.get("selected_option") or {}).get("value") or "")
        name, draft_id = data["a"], data.get("d")
        if name not in MODAL_ACTIONS or (draft_id is not None and not isinstance(draft_id, int)):
            raise ValueError(name)
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("ignored a menu choice by %s: its value could not be read (%s)", ref.get("user"), exc)
        svc.gateway.ephemeral(ref, "This menu's data could not be read, so nothing was changed. Use the mention's "
                           "current review card.")
        return None
    mention_id = None
    if ref.get("channel") and ref.get("ts") and not ref.get("ephemeral"):
        mention_id = tables.card_for_message(svc.store, ref["channel"], ref["ts"])
    elif str(action.get("block_id") or "").startswith("card|"):
        mention_id = str(action["block_id"]).removeprefix("card|")
        if not tables.has_card(svc.store, mention_id):
            mention_id = None
    if mention_id is None:
        svc.gateway.ephemeral(ref, NOT_THIS_CARD)
        return None
    return name, mention_id, draft_id


def _allowed(svc: Services, mention_id: str, ref: dict[str, Any], action: str) -> bool:
    if action in READ_ONLY_ACTIONS:
        return True
    if not svc.access.is_approver(ref["user"], svc.access.brand_of(mention_id), mention_id):
        svc.gateway.ephemeral(ref, svc.access.refusal(svc.access.brand_of(mention_id)))
        return False
    if action in REPLY_ACTIONS and not svc.cards.can_reply(mention_id):
        svc.gateway.ephemeral(ref, "This source is read-only: nothing can be posted to it from here, so nothing was "
                           "changed. Open the original to answer there.")
        svc.cards.redraw_later(mention_id, ref)
        return False
    if action == "edit_failed":  # a corrected reply replaces one that failed for good
        return svc.decisions.still_open(mention_id, ref, APPROVABLE_STATUSES)
    if action == "retry":
        return svc.decisions.still_open(mention_id, ref, ("failed",))
    if action == "details":
        return True
    return svc.decisions.still_open(mention_id, ref, OPEN_STATUSES)


def on_direct(svc: Services, body: dict[str, Any], action: dict[str, Any]) -> None:
    """Approve / Ignore / Retry: runs after ack(), on Bolt's listener thread."""
    read = read_click(svc, body, action)
    if read is None:
        return
    mention_id, draft_id = read
    ref = ref_from_action(body)
    name = action["action_id"]
    if not _allowed(svc, mention_id, ref, name):
        return
    if name == "approve":
        if draft_id is None:
            log.warning("ignored an approve click by %s on %s: its button names no draft", ref.get("user"), mention_id)
        svc.decisions.approve(mention_id, draft_id, ref)
    elif name == "retry":
        svc.decisions.retry(mention_id, ref)
    elif name == "ignore":
        svc.decisions.ignore(mention_id, ref)


def open_modal(svc: Services, body: dict[str, Any], action: dict[str, Any], client: Any = None) -> None:
    """Edit / Regenerate / Reject / No reply / Escalate / Hide / Private / Details open a modal
    (the trigger_id is valid for 3 s)."""
    read = read_click(svc, body, action)
    if read is None:
        return
    _open(svc, body, action["action_id"], read[0], read[1])


def on_overflow(svc: Services, body: dict[str, Any], action: dict[str, Any]) -> None:
    read = read_overflow(svc, body, action)
    if read is not None:
        name, mention_id, draft_id = read
        _open(svc, body, name, mention_id, draft_id)


def _open(svc: Services, body: dict[str, Any], name: str, mention_id: str, draft_id: int | None) -> None:
    ref = ref_from_action(body)
    if not _allowed(svc, mention_id, ref, name):
        return
    meta = {**metadata_for(ref), "d": draft_id}
    row = svc.store.get_mention(mention_id) or {}
    post = row.get("text")
    latest = svc.store.latest_draft(mention_id)
    if name in ("edit", "edit_failed"):
        policy = svc.access.policy(row.get("brand"))
        text = (latest[1].text if latest else None) or ""
        title = "Edit the reply"
        if row.get("status") == "failed":  # start from the text that failed, not the model's draft
            failed = tables.outbox_for(svc.store, mention_id)
            text = (failed or {}).get("text") or text
            title = "Edit and approve again"
        view = edit_modal(mention_id, latest[0] if latest else None, text, row.get("network"),
                                 policy.voice.limit_for(row.get("network")) if policy else None, meta, title,
                                 submit=svc.cards.approve_label(mention_id), post=post)
    elif name == "regenerate":
        view = regenerate_modal(mention_id, meta)
    elif name == "reject":
        view = reason_modal("reject_submit", "Reject this draft", "Reject draft", mention_id, meta,
                                   label="What is wrong with it? (the next draft avoids it)")
    elif name == "no_reply":
        view = reason_modal("no_reply_submit", "No reply needed", "Close it", mention_id, meta,
                                   label="Why does it need no reply?", optional=False)
    elif name == "hide":
        caps = _capabilities(svc, mention_id)
        view = hide_modal(mention_id, caps.hide_means if caps else "unknown source",
                                 bool(caps and caps.hide), meta, post)
    elif name == "private":
        caps = _capabilities(svc, mention_id)
        view = private_modal(mention_id, (latest[1].text if latest else None) or "",
                                    caps.private_means if caps else "unknown source", bool(caps and caps.private),
                                    meta, post)
    elif name == "details":
        view = details_modal(svc.cards.card_data(mention_id))
    else:
        policy = svc.access.policy(svc.access.brand_of(mention_id))
        teams = sorted({r.team for r in policy.escalation}) if policy else []
        view = escalate_modal(mention_id, teams, meta)
    try:
        svc.gateway.open_view(body["trigger_id"], view)
    except SlackApiError as exc:
        svc.gateway.ephemeral(ref, f"Could not open the form ({exc.response.get('error')}); click the button again.")


def _capabilities(svc: Services, mention_id: str) -> Any:
    try:
        return svc.runtime.capabilities(mention_id)
    except AssistantError:
        return None


def register(app: App, svc: Services) -> None:
    def direct(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        on_direct(svc, body, action)

    def modal(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        open_modal(svc, body, action)

    def link(ack: Ack) -> None:
        ack()  # a link button: Slack opens the URL; the click is still sent here and must be answered

    def more(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        on_overflow(svc, body, action)

    for name in DIRECT_ACTIONS:
        app.action(name)(direct)
    app.action("more")(more)
    for name in MODAL_ACTIONS:
        app.action(name)(modal)
    app.action("open_original")(link)
