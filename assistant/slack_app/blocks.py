"""Pure Block Kit builders: data in, JSON-ready dicts out. No Slack calls here.

Everything a member of the public wrote (the mention, the author's name) and
everything a model wrote (the draft) is untrusted: it goes into ``plain_text``
objects, which Slack never renders as markup or links, or through
``escape()`` where it must sit inside ``mrkdwn``. So no mention can ping
``@channel`` or smuggle in a link.

Block Kit limits kept here: 3,000 characters per section text, 50 blocks per
message, 25 elements per actions block, 2,000 characters per button value.
Long texts are never cut silently: the card says how much is left out and
points to the Edit modal, which holds the whole text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..domain import Action, Draft, Triage
from ..store import OPEN_STATUSES

SECTION_LIMIT = 3000
MAX_BLOCKS = 50
INPUT_LIMIT = 3000  # plain_text_input max_length

NETWORK_NAMES = {"bluesky": "Bluesky", "mastodon": "Mastodon", "x": "X", "slack": "Slack",
                 "rss": "RSS", "webhook": "Webhook", "manual": "Manual"}

INSTRUCTIONS = {"shorter": "Make it shorter.", "warmer": "Make it warmer.",
                "formal": "Make it more formal."}

Block = dict[str, Any]


def escape(text: str | None) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unslack(text: str) -> str:
    """Slack's message markup as a person reads it: ``<url|label>`` -> ``label (url)``,
    ``<url>`` -> ``url``, and ``&lt; &gt; &amp;`` unescaped (``&amp;`` last, so "&amp;lt;" stays "&lt;")."""
    text = re.sub(r"<(https?://[^|>]+)\|([^>]*)>", r"\2 (\1)", text)
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def plain(text: str, emoji: bool = True) -> dict[str, Any]:
    return {"type": "plain_text", "text": text or " ", "emoji": emoji}


def md(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text or " "}


def who(actor: str | None) -> str:
    """A Slack user id as a mention; anything else (a CLI user name) escaped."""
    if actor and re.fullmatch(r"[UW][A-Z0-9]{2,}", actor):
        return f"<@{actor}>"
    return escape(actor or "someone")


def network_label(network: str | None) -> str:
    return NETWORK_NAMES.get((network or "").lower(), (network or "unknown").capitalize())


def clip(text: str, limit: int, what: str = "text") -> tuple[str, int]:
    """Cut at ``limit`` characters with a visible note; returns (text, characters left out)."""
    if len(text) <= limit:
        return text, 0
    note = f" … [{{}} more characters of this {what}: open Edit to see all of it]"
    keep = limit - len(note) - 6
    left = len(text) - keep
    return text[:keep] + note.format(left), left


def _date(iso: str | None) -> str:
    """Slack's date formatting (shown in each reader's time zone), with a plain fallback."""
    if not iso:
        return "unknown time"
    try:
        dt = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return escape(iso)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    fallback = dt.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(dt.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} days"


def safe_url(url: str | None) -> str | None:
    """Only http(s) links without characters that would break out of ``<url|label>``."""
    if url and re.fullmatch(r"https?://[^\s<>|]+", url):
        return url
    return None


def button(text: str, action_id: str, value: str, style: str | None = None,
           confirm: dict[str, Any] | None = None) -> dict[str, Any]:
    b: dict[str, Any] = {"type": "button", "text": plain(text), "action_id": action_id, "value": value}
    if style:
        b["style"] = style
    if confirm:
        b["confirm"] = confirm
    return b


def action_value(mention_id: str, draft_id: int | None = None) -> str:
    value = json.dumps({"m": mention_id, "d": draft_id}, separators=(",", ":"))
    if len(value) > 2000:
        raise ValueError("mention id too long for a button value")
    return value


def parse_value(value: str | None) -> tuple[str, int | None]:
    data = json.loads(value or "{}")
    return str(data["m"]), data.get("d")


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
    extra: list[Block] = field(default_factory=list)


OUTCOME = {
    "approve": "✅ Approved", "edit": "✅ Approved with edits", "reject": "🚫 Rejected",
    "hide": "🙈 Hidden", "ignore": "🔕 Ignored", "escalate": "📣 Escalated",
}


def _mention_blocks(data: CardData, now: datetime) -> list[Block]:
    m = data.mention
    url = safe_url(m.get("url"))
    link = f" · <{url}|open>" if url else ""
    created = m.get("created_at") or m.get("ingested_at")
    waited = ""
    if created and m.get("status") in OPEN_STATUSES:
        try:
            start = datetime.fromisoformat(str(created).replace("Z", "+00:00"))
            start = start if start.tzinfo else start.replace(tzinfo=UTC)
            waited = f" · waiting {duration((now - start).total_seconds())}"
        except ValueError:
            pass
    header = (f"*{escape(network_label(m.get('network')))}* · *{escape(m.get('author') or 'unknown author')}*"
              f" · {_date(created)}{waited}{link}")
    text, _ = clip(m.get("text") or "", SECTION_LIMIT - 10, "mention")
    return [
        {"type": "section", "block_id": "mention_head", "text": md(header)},
        # plain_text: whatever the mention says is shown as written and never rendered.
        {"type": "section", "block_id": "mention_text", "text": plain(text, emoji=False)},
    ]


def _triage_blocks(t: Triage) -> list[Block]:
    line = (f"*Language* {escape(t.language)} · *Intent* {escape(t.intent.value)} · "
            f"*Severity* {escape(t.severity.value)} · *Recommended* {escape(t.action.value)}")
    if t.team:
        line += f" → {escape(t.team)}"
    blocks: list[Block] = [{"type": "context", "block_id": "triage", "elements": [md(line)]}]
    if t.reasons:
        reasons, _ = clip("\n".join(f"• {r}" for r in t.reasons), SECTION_LIMIT, "list")
        blocks.append({"type": "context", "block_id": "reasons", "elements": [md(escape(reasons))]})
    return blocks


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _draft_blocks(data: CardData) -> list[Block]:
    d = data.draft
    if d is None or d.text is None:
        return []
    label = {"template": "Template reply", "composed": "Draft from the policy", "approved": "Draft from an approved reply",
             "model": "Draft"}.get(d.origin, "Draft")
    if data.read_only:
        label = "Suggested reply (this source is read-only: copy it and answer on the original post)"
    if d.fallback and d.fallback_reason:
        label += f" ({escape(d.fallback_reason)})"
    count = f" · {len(d.text)}/{data.limit} characters" if data.limit else f" · {len(d.text)} characters"
    over = f" · *too long by {len(d.text) - data.limit}: use Edit*" if data.limit and len(d.text) > data.limit else ""
    text, _ = clip(d.text, SECTION_LIMIT - 10, "draft")
    blocks: list[Block] = [
        {"type": "section", "block_id": "draft_head", "text": md(f"*{label}*{count}{over}")},
        {"type": "section", "block_id": "draft", "text": plain(text)},
    ]
    if d.guard:
        marks = "  ".join(("✅ " if c.passed else "❌ ") + escape(c.name + (f": {c.detail}" if c.detail and not c.passed else ""))
                          for c in d.guard)
        marks, _ = clip(marks, SECTION_LIMIT, "list")
        blocks.append({"type": "context", "block_id": "guard", "elements": [md(marks)]})
    if d.parts:
        # Where each part came from: the policy's words, the catalog, the model, an approved reply.
        lines = [f"• _{escape(_short(p.text))}_ ← {escape(p.source)}" for p in d.parts]
        lines += [f"• {escape(n)}" for n in d.notes[:3]]
        sources, _ = clip("\n".join(lines), SECTION_LIMIT, "list")
        blocks.append({"type": "context", "block_id": "parts", "elements": [md(sources)]})
    model = f"{escape(d.backend or '?')} · {escape(d.model or '?')} · {d.seconds:.1f} s"
    if d.attempts:
        model += f" · {d.attempts} attempt{'s' if d.attempts != 1 else ''}"
    blocks.append({"type": "context", "block_id": "model", "elements": [md(model)]})
    return blocks


def _buttons(data: CardData) -> list[Block]:
    mid, did = data.mention_id, data.draft_id
    v = action_value(mid, did)
    t = data.triage
    has_draft = data.draft is not None and data.draft.text is not None
    hide_confirm = {
        "title": plain("Hide this comment?"),
        "text": md("It will be recorded as hidden and get no reply. Hide only abuse and spam."),
        "confirm": plain("Hide"), "deny": plain("Cancel"), "style": "danger",
    }
    first: list[dict[str, Any]] = []
    second: list[dict[str, Any]] = []
    if data.read_only:
        # Nothing can be posted to this source: answer on the original post, or decide here.
        url = safe_url(data.mention.get("url"))
        if url:
            first.append({"type": "button", "text": plain("Open the original"), "action_id": "open_original",
                          "url": url, "value": v})
        first += [button("Hide", "hide", v, "danger", hide_confirm), button("Ignore", "ignore", v),
                  button("Escalate / assign", "escalate", v)]
    elif has_draft:
        approve = "Approve and save" if data.local_outbox else "Approve and post"
        first = [button(approve, "approve", v, "primary"), button("Edit", "edit", v),
                 button("Regenerate", "regenerate", v), button("Reject", "reject", v)]
        second = [button("Escalate / assign", "escalate", v), button("Move to private message", "private", v),
                  button("Hide", "hide", v, "danger", hide_confirm)]
    elif t is not None and t.action in (Action.HIDE, Action.IGNORE):
        first = [button("Hide", "hide", v, "danger", hide_confirm), button("Ignore", "ignore", v),
                 button("Draft a reply anyway", "regenerate", v)]
    else:  # escalation (high severity) or no draft yet
        first = [button("Escalate / assign", "escalate", v, "primary"),
                 button("Draft a reply anyway", "regenerate", v), button("Reject", "reject", v),
                 button("Hide", "hide", v, "danger", hide_confirm)]
    blocks: list[Block] = [{"type": "actions", "block_id": "actions", "elements": first}]
    if second:
        blocks.append({"type": "actions", "block_id": "actions2", "elements": second})
    return blocks


def _outcome_blocks(data: CardData) -> list[Block]:
    d, o, status = data.decision, data.outbox, data.mention.get("status")
    if d is None:
        return [{"type": "section", "block_id": "outcome", "text": md(f"*Status:* {escape(status)}")}]
    line = f"*{OUTCOME.get(d['action'], escape(d['action']))}* by {who(d['actor'])} · {_date(d['created_at'])}"
    if d.get("reason"):
        line += f"\n*Reason:* {reason_text(d['action'], d['reason'])}"
    blocks: list[Block] = [{"type": "section", "block_id": "outcome", "text": md(line)}]
    local = data.local_outbox
    if d["action"] in ("approve", "edit") and d.get("text"):
        text, _ = clip(d["text"], SECTION_LIMIT - 10, "reply")
        head = ("*Reply text* (copy it to answer by hand):" if local
                else "*Text that failed:*" if o is not None and o["status"] == "failed" else "*Text sent:*")
        blocks.append({"type": "context", "block_id": "sent_head", "elements": [md(head)]})
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
        elif o["status"] == "failed":
            verb = f"Saving to {escape(local)}" if local else "Posting"
            state = (f"⚠️ {verb} failed: {escape(o.get('last_error'))}. Nothing was posted: edit the reply and "
                     "approve it again, retry it as it is, or post it by hand.")
        elif o.get("last_error"):
            verb = f"Saving to {escape(local)}" if local else "Posting"
            state = f"⏳ {verb}, will retry: {escape(o.get('last_error'))}"
        else:
            state = f"⏳ Saving to {escape(local)} …" if local else "⏳ Posting …"
        blocks.append({"type": "context", "block_id": "delivery", "elements": [md(state)]})
    return blocks


def reason_text(action: str, reason: str) -> str:
    """A decision's reason for mrkdwn: escaped, except the person an escalation names, which
    we wrote ("to <@U123>: ..."), so it shows as a real mention rather than literal text."""
    text = escape(reason)
    if action == "escalate":
        text = re.sub(r"^to &lt;@([UW][A-Z0-9]{2,})&gt;", r"to <@\1>", text)
    return text


def _failed_buttons(data: CardData) -> list[Block]:
    """A reply that failed for good can be corrected (a new approval) or tried again as it is."""
    v = action_value(data.mention_id, data.draft_id)
    return [{"type": "actions", "block_id": "failed_actions", "elements": [
        button("Edit and approve again", "edit_failed", v, "primary"),
        button("Retry as is", "retry", v),
    ]}]


def review_card(data: CardData, now: datetime | None = None) -> tuple[str, list[Block]]:
    """The review card for a mention: (notification text, blocks)."""
    now = now or datetime.now(UTC)
    m = data.mention
    author = escape(m.get("author") or "someone")
    fallback = f"{network_label(m.get('network'))} mention from {author}"
    blocks = _mention_blocks(data, now)
    if data.triage is not None:
        blocks += _triage_blocks(data.triage)
    open_ = m.get("status") in OPEN_STATUSES
    if open_ or data.decision is None or data.decision.get("action") not in ("approve", "edit"):
        blocks += _draft_blocks(data)
    if data.triage is not None and data.triage.action is Action.ESCALATE and open_ and data.draft is None:
        team = f" to *{escape(data.triage.team)}*" if data.triage.team else ""
        blocks.append({"type": "section", "block_id": "no_draft",
                       "text": md(f"No draft: this needs a person{team} first (high severity).")})
    elif (data.triage is not None and data.triage.action in (Action.HIDE, Action.IGNORE) and open_
          and data.draft is None):
        blocks.append({"type": "section", "block_id": "no_draft",
                       "text": md(f"No draft: recommended *{data.triage.action.value}* "
                                  f"({escape(data.triage.intent.value)}).")})
    f = data.follow_up
    if f and not f.get("resolved_at"):
        blocks.append({"type": "section", "block_id": "follow_up", "text": md(
            f"🔁 *Moved to a private message* by {who(f['actor'])} · {_date(f['created_at'])}. "
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


# -- modals ----------------------------------------------------------------------------------


def edit_modal(mention_id: str, draft_id: int | None, text: str, network: str | None, limit: int | None,
               metadata: dict[str, Any], title: str = "Edit and post") -> dict[str, Any]:
    hint = f"{network_label(network)} allows {limit} characters." if limit else "Edit the reply."
    return {
        "type": "modal", "callback_id": "edit_submit",
        "private_metadata": json.dumps({"m": mention_id, "d": draft_id, **metadata}),
        "title": plain(title[:24]), "submit": plain("Approve and post"), "close": plain("Cancel"),
        "blocks": [
            {"type": "input", "block_id": "reply", "label": plain("Reply"), "hint": plain(hint),
             "element": {"type": "plain_text_input", "action_id": "text", "multiline": True,
                         "initial_value": text[:INPUT_LIMIT], "max_length": INPUT_LIMIT}},
        ],
    }


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


def notice_blocks(text: str) -> list[Block]:
    return [{"type": "section", "text": md(text)}]


# -- App Home and /assistant -----------------------------------------------------------------


def home_view(stats: dict[str, Any], policy_lines: list[str], policy_errors: dict[str, list[str]],
              follow_ups: list[dict[str, Any]]) -> dict[str, Any]:
    s = stats
    oldest = f" · oldest waiting {duration(s['oldest_wait_s'])}" if s.get("oldest_wait_s") is not None else ""
    blocks: list[Block] = [
        {"type": "header", "text": plain("Reply assistant")},
        {"type": "section", "block_id": "queue", "text": md(f"*Queue:* {s['waiting']} waiting{oldest}")},
        {"type": "section", "block_id": "today", "fields": [
            md(f"*Answered today*\n{s['answered']}"),
            md(f"*Median time to answer*\n{duration(s['median_answer_s'])}"),
            md(f"*Approved as drafted*\n{s['approved_as_drafted']}"),
            md(f"*Edited*\n{s['edited']}"),
            md(f"*Rejected*\n{s['rejected']}"),
            md(f"*Hidden / escalated*\n{s['hidden']} / {s['escalated']}"),
        ]},
        {"type": "divider"},
        {"type": "section", "block_id": "policy", "text": md(
            "*Policy in force*\n" + ("\n".join(escape(line) for line in policy_lines) or "none loaded"))},
    ]
    if policy_errors:
        lines = [f"• {escape(brand)}: {escape(problems[0] if problems else 'error')}"
                 + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
                 for brand, problems in policy_errors.items()]
        text, _ = clip("⚠️ *Last reload failed* (the previous version, if any, stays in force):\n" + "\n".join(lines)
                       + "\nFix the file and save it: it is picked up within seconds. "
                         "`assistant policy check` lists every error.", SECTION_LIMIT, "list")
        blocks.append({"type": "section", "block_id": "policy_errors", "text": md(text)})
    else:
        blocks.append({"type": "context", "block_id": "policy_ok", "elements": [md("Last reload: OK")]})
    if follow_ups:
        lines = [f"• {escape(f.get('author') or '?')} on {escape(network_label(f.get('network')))}, moved by "
                 f"{who(f['actor'])} {_date(f['created_at'])}" for f in follow_ups[:20]]
        blocks.append({"type": "section", "block_id": "follow_ups", "text": md(
            "*Waiting for a public update after a private conversation*\n" + "\n".join(lines))})
    return {"type": "home", "blocks": blocks[:100]}


def queue_blocks(rows: list[dict[str, Any]], links: dict[str, str], total: int) -> list[Block]:
    if not rows:
        return notice_blocks("The queue is empty. 🎉")
    lines = []
    for r in rows:
        text = (r.get("text") or "").replace("\n", " ")
        text = text[:80] + ("…" if len(text) > 80 else "")
        link = links.get(r["id"])
        card = f" · <{link}|card>" if link else ""
        lines.append(f"• *{escape(network_label(r.get('network')))}* {escape(r.get('author') or '?')}: "
                     f"{escape(text)} ({escape(r.get('intent') or 'not triaged')}){card}")
    more = f"\n…and {total - len(rows)} more" if total > len(rows) else ""
    text, _ = clip(f"*{total} waiting*, oldest first:\n" + "\n".join(lines) + more, SECTION_LIMIT, "list")
    return notice_blocks(text)


HELP = (
    "*Reply assistant*\n"
    "• `/reply <text or link>`: triage and draft a reply on the spot\n"
    "• `/assistant queue`: what waits for a reply, oldest first\n"
    "• `/assistant stats`: today's figures\n"
    "• `/assistant policy`: the tone policy in force\n"
    "• Message shortcut *Draft a reply*: on any message (RSS, Zapier, a colleague's paste)\n"
    "Review cards appear in the review channel; only approvers can approve, edit, hide or post."
)
