"""The review card of one mention: the post, how it was read, the proposed reply and the
buttons while it is open; the decision and the delivery once it is closed. Pure: data in,
JSON-ready dicts out, no Slack calls.

Untrusted text (the post, the author, the model's draft) goes into ``plain_text`` or
``rich_text`` objects, or through ``mrkdwn.escape`` (see ``views.mrkdwn``). A long text is
cut with a visible note that points to the Edit modal, which holds the whole text.

A button's value names the mention and the draft shown (``action_value``; the listeners read
it back with ``assistant.slack.requests.parse_value``, which also refuses values that are not ours);
an overflow option's value names the action and the draft (``option_value``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from assistant.domain.models import CARE_GUIDANCE, CRISIS_LABEL, Action, CrisisKind, Draft, Triage
from assistant.slack.views.elements import (
    MAX_BLOCKS,
    SECTION_LIMIT,
    Block,
    ago,
    button,
    clip,
    md,
    network_label,
    notice_blocks,
    plain,
    short,
)
from assistant.slack.views.mrkdwn import escape, readable_error, safe_url, who
from assistant.store import OPEN_STATUSES


def action_value(mention_id: str, draft_id: int | None = None) -> str:
    value = json.dumps({"m": mention_id, "d": draft_id}, separators=(",", ":"))
    if len(value) > 2000:
        raise ValueError("mention id too long for a button value")
    return value


@dataclass
class CardData:
    """What a review card shows. Built from the store by the Slack services."""

    mention_id: str
    mention: dict[str, Any]  # the stored row: source, network, author, text, url, created_at, status ...
    triage: Triage | None = None
    draft: Draft | None = None
    draft_id: int | None = None
    limit: int | None = None  # the network's reply length
    decision: dict[str, Any] | None = None
    outbox: dict[str, Any] | None = None
    follow_up: dict[str, Any] | None = None
    notice: str | None = None  # a line about work in progress ("Regenerating …")
    working: bool = False  # True while the model works: no buttons yet
    read_only: bool = False  # the source takes no replies (a feed): no Approve/Edit, open the original instead
    local_outbox: str | None = None  # the reply goes to this local file (no connector posts to the source)
    owner: dict[str, Any] | None = None  # the current assignment of an escalated mention
    network_action: dict[str, Any] | None = None  # what the network did with a hide: {"done", "detail"}
    thread_link: str | None = None  # a permalink to the card (escalation notices)
    extra: list[Block] = field(default_factory=list)


OUTCOME = {
    "approve": "✅ Approved", "edit": "✅ Approved with edits", "reject": "🚫 Rejected",
    "no_reply": "🚫 No reply needed", "hide": "🙈 Hidden", "ignore": "🔕 Ignored", "escalate": "📣 Escalated",
}


def _mention_blocks(data: CardData) -> list[Block]:
    m = data.mention
    url = safe_url(m.get("url"))
    link = f" · <{url}|open the post>" if url else ""
    created = m.get("created_at") or m.get("ingested_at")
    when = f"⏳ waiting since {ago(created)}" if m.get("status") in OPEN_STATUSES else f"posted {ago(created)}"
    header = (f"*{escape(network_label(m.get('network')))}* · *{escape(m.get('author') or 'unknown author')}*"
              f" · {when}{link}")
    text, _ = clip(m.get("text") or "", SECTION_LIMIT - 10, "post")
    blocks: list[Block] = [
        {"type": "context", "block_id": "mention_head", "elements": [md(header)]},
        # A quote of rich_text "text" elements: shown as written, never parsed as markup or links,
        # and set apart from the reply below.
        {"type": "rich_text", "block_id": "mention_text", "elements": [
            {"type": "rich_text_quote", "elements": [{"type": "text", "text": text or " "}]}]},
    ]
    return blocks + _reading_blocks(data.triage)


def _reading_blocks(t: Triage | None) -> list[Block]:
    """How the post was read: the crisis kind (with care guidance for self-harm), its
    parts and what it names. Quoted from the post, so shown as plain text."""
    if t is None:
        return []
    lines = t.reading_lines()
    blocks: list[Block] = []
    if t.crisis is CrisisKind.SELF_HARM:
        blocks.append({"type": "section", "block_id": "care", "text": md(
            f"🆘 *{escape(CRISIS_LABEL[t.crisis].capitalize())}.* {escape(CARE_GUIDANCE)}")})
    if lines:
        # plain_text: words from the post stay words (no *bold*, no links, no @here).
        text, _ = clip("\n".join(lines), SECTION_LIMIT - 10, "list")
        blocks.append({"type": "context", "block_id": "reading",
                       "elements": [{"type": "plain_text", "text": text, "emoji": True}]})
    return blocks


def draft_label(d: Draft, read_only: bool = False) -> str:
    if read_only:
        return "Suggested reply (this source is read-only: copy it and answer on the original post)"
    # Which way the reply was made (writer, the model's sentence, composed): the team
    # sees what the model did, per `assistant model check`.
    return {"template": "Proposed reply (the policy's template)",
            "composed": "Proposed reply (composed from the policy)",
            "approved": "Proposed reply (from an approved reply)",
            "model": "Proposed reply (composed, with a sentence by the model)",
            "writer": "Proposed reply (written by the model, every sentence checked)"}.get(d.origin, "Proposed reply")


def _draft_blocks(data: CardData) -> list[Block]:
    """The proposed reply in its own section; what went wrong with it inline, the rest in Details."""
    d = data.draft
    if d is None or d.text is None:
        return []
    count = f" · {len(d.text)}/{data.limit}" if data.limit else ""
    text, _ = clip(d.text, SECTION_LIMIT - 10, "reply")
    blocks: list[Block] = [
        {"type": "section", "block_id": "draft_head", "text": md(f"*{draft_label(d, data.read_only)}*{count}")},
        {"type": "section", "block_id": "draft", "text": plain(text)},
    ]
    problems = []
    if data.limit and len(d.text) > data.limit:
        problems.append(f"too long by {len(d.text) - data.limit} characters: use Edit")
    problems += [f"{c.name}: {c.detail}" if c.detail else c.name for c in d.guard if not c.passed]
    if d.fallback and d.fallback_reason:
        problems.append(f"the model's text was not used ({d.fallback_reason})")
    if problems:
        line, _ = clip("⚠️ " + " · ".join(problems), SECTION_LIMIT, "list")
        blocks.append({"type": "context", "block_id": "problems", "elements": [md(escape(line))]})
    return blocks


def details_blocks(data: CardData) -> list[Block]:
    """Triage reasons, guard checks, where each part came from and the model: the Details modal."""
    blocks: list[Block] = []
    t = data.triage
    if t is not None:
        line = (f"*Language* {escape(t.language)} · *Intent* {escape(t.intent.value)} · "
                f"*Severity* {escape(t.severity.value)} · *Recommended* {escape(t.action.value)}")
        if t.crisis is not None:
            line += f" · *Crisis* {escape(CRISIS_LABEL[t.crisis])}"
        if t.team:
            line += f" → {escape(t.team)}"
        blocks.append({"type": "section", "block_id": "triage", "text": md(line)})
        if t.reasons:
            reasons, _ = clip("\n".join(f"• {r}" for r in t.reasons), SECTION_LIMIT, "list")
            blocks.append({"type": "section", "block_id": "reasons", "text": md("*Why*\n" + escape(reasons))})
    d = data.draft
    if d is not None and d.text is not None:
        if d.guard:
            marks = "\n".join(("✅ " if c.passed else "❌ ") + escape(c.name + (f": {c.detail}" if c.detail else ""))
                              for c in d.guard)
            marks, _ = clip(marks, SECTION_LIMIT - 20, "list")
            blocks.append({"type": "section", "block_id": "guard", "text": md("*Checks*\n" + marks)})
        if d.parts or d.notes:
            lines = [f"• _{escape(short(p.text))}_ ← {escape(p.source)}" for p in d.parts]
            lines += [f"• {escape(n)}" for n in d.notes[:3]]
            sources, _ = clip("\n".join(lines), SECTION_LIMIT - 40, "list")
            blocks.append({"type": "section", "block_id": "parts", "text": md("*Where each part came from*\n" + sources)})
        model = f"{escape(d.backend or '?')} · {escape(d.model or '?')} · {d.seconds:.1f} s"
        if d.attempts:
            model += f" · {d.attempts} attempt{'s' if d.attempts != 1 else ''}"
        if d.fallback and d.fallback_reason:
            model += f" · template because {escape(d.fallback_reason)}"
        blocks.append({"type": "context", "block_id": "model", "elements": [md(model)]})
    return blocks or notice_blocks("Nothing more to show yet.")


def _overflow(v_for: Any, items: list[tuple[str, str]]) -> dict[str, Any]:
    """The overflow menu ("⋯"): each option's value names the action and the draft shown;
    the mention is the card's own (found from the message, see listeners.actions)."""
    return {"type": "overflow", "action_id": "more",
            "options": [{"text": plain(label), "value": v_for(action)} for action, label in items[:5]]}


def option_value(action: str, draft_id: int | None) -> str:
    return json.dumps({"a": action, "d": draft_id}, separators=(",", ":"))


def card_block_id(mention_id: str) -> str:
    """The actions block's id carries the mention id (an ephemeral /reply card has no stored message)."""
    bid = "card|" + mention_id
    return bid if len(bid) <= 255 else "card"


def _buttons(data: CardData) -> list[Block]:
    mid, did = data.mention_id, data.draft_id
    v = action_value(mid, did)
    t = data.triage
    has_draft = data.draft is not None and data.draft.text is not None
    details = button("Details", "details", v)

    def opt(action: str) -> str:
        return option_value(action, did)

    elements: list[dict[str, Any]]
    if data.read_only:
        # Nothing can be posted to this source: answer on the original post, or decide here.
        url = safe_url(data.mention.get("url"))
        elements = []
        if url:
            elements.append({"type": "button", "text": plain("Open the original"), "action_id": "open_original",
                             "url": url, "value": v})
        elements += [button("Hide", "hide", v), button("Ignore", "ignore", v),
                     button("Escalate / assign", "escalate", v), details]
    elif has_draft:
        approve = "Approve and save" if data.local_outbox else "Approve and post"
        elements = [button(approve, "approve", v, "primary"), button("Edit", "edit", v),
                    button("Regenerate", "regenerate", v), details,
                    _overflow(opt, [("reject", "Reject this draft"), ("no_reply", "No reply needed"),
                                    ("escalate", "Escalate / assign"), ("private", "Move to private message"),
                                    ("hide", "Hide")])]
    elif t is not None and t.action in (Action.HIDE, Action.IGNORE):
        elements = [button("Hide", "hide", v), button("Ignore", "ignore", v),
                    button("Draft a reply anyway", "regenerate", v), details]
    else:  # escalation (high severity) or no draft yet
        elements = [button("Escalate / assign", "escalate", v, "primary"),
                    button("Draft a reply anyway", "regenerate", v), details,
                    _overflow(opt, [("no_reply", "No reply needed"), ("hide", "Hide")])]
    return [{"type": "actions", "block_id": card_block_id(mid), "elements": elements}]


def _outcome_blocks(data: CardData) -> list[Block]:
    d, o, status = data.decision, data.outbox, data.mention.get("status")
    failed = o is not None and o["status"] == "failed"
    if d is None:
        return [{"type": "section", "block_id": "outcome", "text": md(f"*Status:* {escape(status)}")}]
    head = OUTCOME.get(d["action"], escape(d["action"]))
    if failed:
        head = "⚠️ Not posted" if not data.local_outbox else "⚠️ Not saved"
    line = f"*{head}* · approved by {who(d['actor'])} {ago(d['created_at'])}" if failed else \
        f"*{head}* by {who(d['actor'])} {ago(d['created_at'])}"
    if d.get("reason"):
        line += f"\n*Reason:* {reason_text(d['action'], d['reason'])}"
    blocks: list[Block] = [{"type": "section", "block_id": "outcome", "text": md(line)}]
    if d["action"] == "hide" and data.network_action:
        mark = "🙈" if data.network_action.get("done") else "ℹ️"
        blocks.append({"type": "context", "block_id": "network_action",
                       "elements": [md(f"{mark} {escape(str(data.network_action.get('detail')))}")]})
    local = data.local_outbox
    if d["action"] in ("approve", "edit") and d.get("text"):
        text, _ = clip(d["text"], SECTION_LIMIT - 10, "reply")
        head_text = ("*Reply text* (copy it to answer by hand):" if local
                     else "*Reply that was not posted:*" if failed else "*Reply sent:*")
        blocks.append({"type": "section", "block_id": "sent_head", "text": md(head_text)})
        blocks.append({"type": "section", "block_id": "sent", "text": plain(text)})
    if o is not None:
        if o["status"] == "posted" and local:
            # The local outbox file is not a network: say so plainly, never "Posted".
            state = (f"💾 Saved to {escape(local)}: no connector posts to this source, so nothing was posted "
                     "anywhere; copy the text above to reply by hand")
        elif o["status"] == "posted":
            url = safe_url(o.get("posted_url"))
            where = f"<{url}|view the reply>" if url else f"id {escape(o.get('posted_id'))}"
            state = f"📬 Posted · {where}"
        elif failed:
            state = (f"*Why:* {escape(readable_error(o.get('last_error')))}\nNothing was posted: retry it as it "
                     "is, edit it and approve again, or post it by hand.")
            blocks.append({"type": "section", "block_id": "delivery", "text": md(state)})
            return blocks
        elif o.get("last_error"):
            verb = f"Saving to {escape(local)}" if local else "Posting"
            state = f"⏳ {verb}, will retry: {escape(readable_error(o.get('last_error')))}"
        else:
            state = f"⏳ Saving to {escape(local)} …" if local else "⏳ Posting …"
        blocks.append({"type": "context", "block_id": "delivery", "elements": [md(state)]})
    return blocks


# An escalation's reason starts with the person it went to: "to U123" as the review core stores
# it, or "to <@U123>" in the rows stored before (Slack markup in the domain). A plain id counts
# only where the format puts one: before " and " (the team), ":" (the note) or the end.
_ESCALATED_TO = re.compile(r"^to (?:<@([UW][A-Z0-9]{2,})>|([UW][A-Z0-9]{2,})(?= and |:|$))")


def reason_text(action: str, reason: str) -> str:
    """A decision's reason for mrkdwn: escaped, except the person an escalation names
    ("to U123: ...", or "to <@U123>: ..." as stored before), shown as a real mention."""
    if action == "escalate":
        match = _ESCALATED_TO.match(reason)
        if match:
            return f"to {who(match.group(1) or match.group(2))}" + escape(reason[match.end():])
    return escape(reason)


def _failed_buttons(data: CardData) -> list[Block]:
    """A reply that failed for good can be tried again as it is, or corrected (a new approval)."""
    v = action_value(data.mention_id, data.draft_id)
    return [{"type": "actions", "block_id": "failed_actions", "elements": [
        button("Retry", "retry", v, "primary"),
        button("Edit and approve again", "edit_failed", v),
        button("Details", "details", v),
    ]}]


def _open_state_blocks(data: CardData) -> list[Block]:
    """What happened to an open mention so far: its owner, a rejected draft."""
    blocks: list[Block] = []
    o = data.owner
    if o:
        target = " and ".join(filter(None, [o.get("assignee") and who(o["assignee"]),
                                            o.get("team") and f"*{escape(o['team'])}*"]))
        note = f": {escape(o['note'])}" if o.get("note") else ""
        blocks.append({"type": "section", "block_id": "owner", "text": md(
            f"📣 *Owner:* {target} · escalated by {who(o.get('actor'))} {ago(o.get('created_at'))}{note}")})
    d = data.decision
    if d and d.get("action") == "reject":
        reason = f": {reason_text('reject', d['reason'])}" if d.get("reason") else ""
        blocks.append({"type": "context", "block_id": "rejected", "elements": [md(
            f"🚫 A draft was rejected by {who(d['actor'])} {ago(d['created_at'])}{reason}. "
            "Regenerate or Edit to write another.")]})
    return blocks


def review_card(data: CardData, now: datetime | None = None) -> tuple[str, list[Block]]:
    """The review card for a mention: (notification text, blocks). The post and the proposed
    reply come first and look different (a quote, then the reply); the triage reasons, the
    guard checks and the model are behind Details unless something failed."""
    m = data.mention
    author = escape(m.get("author") or "someone")
    fallback = f"{network_label(m.get('network'))} mention from {author}"
    blocks = _mention_blocks(data)
    open_ = m.get("status") in OPEN_STATUSES
    if open_:
        blocks += _open_state_blocks(data)
    if open_ or data.decision is None or data.decision.get("action") not in ("approve", "edit"):
        blocks += _draft_blocks(data)
    if data.triage is not None and data.triage.action is Action.ESCALATE and open_ and data.draft is None:
        team = f" to *{escape(data.triage.team)}*" if data.triage.team else ""
        why = f" ({escape(short(data.triage.reasons[0], 120))})" if data.triage.reasons else ""
        blocks.append({"type": "section", "block_id": "no_draft",
                       "text": md(f"No draft: this needs a person{team} first (high severity){why}.")})
    elif (data.triage is not None and data.triage.action in (Action.HIDE, Action.IGNORE) and open_
          and data.draft is None):
        blocks.append({"type": "section", "block_id": "no_draft",
                       "text": md(f"No draft: recommended *{data.triage.action.value}* "
                                  f"({escape(data.triage.intent.value)}).")})
    f = data.follow_up
    if f and not f.get("resolved_at"):
        blocks.append({"type": "section", "block_id": "follow_up", "text": md(
            f"🔁 *Moved to a private message* by {who(f['actor'])} {ago(f['created_at'])}. "
            "When it is resolved, update the public thread: approve a short public reply here.")})
    if data.notice:
        blocks.append({"type": "context", "block_id": "notice", "elements": [md(data.notice)]})
    if open_ and not data.working:
        blocks += _buttons(data)
    elif not open_:
        blocks += _outcome_blocks(data)
        if (m.get("status") == "failed" and data.outbox is not None and data.outbox.get("status") == "failed"
                and not data.working):
            blocks += _failed_buttons(data)
    blocks += data.extra
    blocks = blocks[:MAX_BLOCKS]
    return fallback, blocks
