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

from assistant.domain.models import CARE_GUIDANCE, CRISIS_LABEL, Action, CrisisKind, Draft, Triage
from assistant.store import OPEN_STATUSES

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
    where = {"post": "open the original to read all of it", "reply": "open Edit to see all of it"}.get(
        what, "the rest is left out")
    note = f" … [{{}} more characters of this {what}: {where}]"
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
    owner: dict[str, Any] | None = None  # the current assignment of an escalated mention
    network_action: dict[str, Any] | None = None  # what the network did with a hide: {"done", "detail"}
    thread_link: str | None = None  # a permalink to the card (escalation notices)
    extra: list[Block] = field(default_factory=list)


OUTCOME = {
    "approve": "✅ Approved", "edit": "✅ Approved with edits", "reject": "🚫 Rejected",
    "no_reply": "🚫 No reply needed", "hide": "🙈 Hidden", "ignore": "🔕 Ignored", "escalate": "📣 Escalated",
}


def _epoch(iso: str | None) -> int | None:
    if not iso:
        return None
    try:
        dt = datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
    except ValueError:
        return None
    return int((dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp())


def ago(iso: str | None) -> str:
    """A time Slack shows relative to now in each reader's client ("5 minutes ago"), so a card's
    waiting time keeps itself up to date without being redrawn."""
    ts = _epoch(iso)
    if ts is None:
        return "at an unknown time"
    fallback = datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{ts}^{{ago}}|{fallback}>"


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


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
            lines = [f"• _{escape(_short(p.text))}_ ← {escape(p.source)}" for p in d.parts]
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


# A credential inside an error (a header, a query parameter, a token by its shape): everyone in
# the channel reads the card, so the value is hidden; the log keeps the full error for the admin.
_SECRET = re.compile(
    r"(?i)\b(\w*token|api[_-]?key|\w*secret|password|authorization)\s*[:=]\s*(?:bearer\s+)?[^\s,;&]+"
    r"|\b(bearer)\s+[^\s,;&]+|\b(?:xox[abposr]|xapp|sk|ghp|glpat)-[\w-]{6,}")


def readable_error(error: str | None) -> str:
    """An outbox error as a person reads it: no URLs, a JSON body reduced to its message."""
    text = error or "unknown error"
    match = re.search(r"\{.*\}", text, re.S)
    if match:
        try:
            body = json.loads(match.group(0))
        except ValueError:
            body = None
        message = next((str(body[k]) for k in ("error_description", "error", "message", "detail")
                        if isinstance(body, dict) and body.get(k)), None) if isinstance(body, dict) else None
        text = text.replace(match.group(0), message or "").strip()
    text = re.sub(r"\s*https?://\S+", "", text)
    text = _SECRET.sub(lambda m: f"{m.group(1) or m.group(2)}: [hidden]" if m.group(1) or m.group(2) else "[hidden]",
                       text)
    text = re.sub(r"\s*\((fix|check|run)[^)]*\)\s*$", "", text)  # the admin's fix goes to the log, not the card
    text = " ".join(text.replace(" :", ":").split()).strip(" :")
    text = text[:1].upper() + text[1:]
    return _short(text, 300) or "Unknown error"


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


def reason_text(action: str, reason: str) -> str:
    """A decision's reason for mrkdwn: escaped, except the person an escalation names, which
    we wrote ("to <@U123>: ..."), so it shows as a real mention rather than literal text."""
    text = escape(reason)
    if action == "escalate":
        text = re.sub(r"^to &lt;@([UW][A-Z0-9]{2,})&gt;", r"to <@\1>", text)
    return text


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
        why = f" ({escape(_short(data.triage.reasons[0], 120))})" if data.triage.reasons else ""
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


# -- modals ----------------------------------------------------------------------------------


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


def notice_blocks(text: str) -> list[Block]:
    return [{"type": "section", "text": md(text)}]


# -- App Home and /assistant -----------------------------------------------------------------


def _waiting_lines(rows: list[dict[str, Any]], links: dict[str, str], key: str = "id") -> str:
    lines = []
    for r in rows[:15]:
        text = _short(" ".join((r.get("text") or "").split()), 70)
        link = links.get(r.get(key) or "")
        card = f" · <{link}|open the card>" if link else ""
        since = ago(r.get("since") or r.get("created_at") or r.get("ingested_at"))
        lines.append(f"• *{escape(network_label(r.get('network')))}* {escape(r.get('author') or '?')}: "
                     f"{escape(text)} · waiting since {since}{card}")
    more = f"\n…and {len(rows) - 15} more" if len(rows) > 15 else ""
    return "\n".join(lines) + more


def home_view(stats: dict[str, Any], policy_lines: list[str], policy_errors: dict[str, list[str]],
              follow_ups: list[dict[str, Any]], mine: list[dict[str, Any]] | None = None,
              team: list[dict[str, Any]] | None = None, queue: list[dict[str, Any]] | None = None,
              links: dict[str, str] | None = None) -> dict[str, Any]:
    s = stats
    links = links or {}
    oldest = f" · oldest waiting {duration(s['oldest_wait_s'])}" if s.get("oldest_wait_s") is not None else ""
    blocks: list[Block] = [{"type": "header", "text": plain("Reply assistant")}]
    if mine is not None:
        text, _ = clip("*Waiting for you*\n" + (_waiting_lines(mine, links, "mention_id") or "Nothing. 🎉"),
                       SECTION_LIMIT, "list")
        blocks.append({"type": "section", "block_id": "mine", "text": md(text)})
    if team:
        text, _ = clip("*Waiting for your teams*\n" + _waiting_lines(team, links, "mention_id"), SECTION_LIMIT, "list")
        blocks.append({"type": "section", "block_id": "teams", "text": md(text)})
    blocks += [
        {"type": "section", "block_id": "queue", "text": md(f"*Queue:* {s['waiting']} waiting{oldest}")},
        {"type": "section", "block_id": "today", "fields": [
            md(f"*Answered today*\n{s['answered']}"),
            md(f"*Median time to answer*\n{duration(s['median_answer_s'])}"),
            md(f"*Approved as drafted*\n{s['approved_as_drafted']}"),
            md(f"*Edited*\n{s['edited']}"),
            md(f"*Rejected*\n{s['rejected']}"),
            md(f"*Hidden / escalated*\n{s['hidden']} / {s['escalated']}"),
        ]},
    ]
    if queue:
        text, _ = clip("*Oldest first*\n" + _waiting_lines(queue, links), SECTION_LIMIT, "list")
        blocks.append({"type": "section", "block_id": "queue_list", "text": md(text)})
    blocks += [
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
        since = ago(r.get("created_at") or r.get("ingested_at"))
        lines.append(f"• *{escape(network_label(r.get('network')))}* {escape(r.get('author') or '?')}: "
                     f"{escape(text)} ({escape(r.get('intent') or 'not triaged')}) · waiting since {since}{card}")
    more = f"\n…and {total - len(rows)} more" if total > len(rows) else ""
    text, _ = clip(f"*{total} waiting*, oldest first:\n" + "\n".join(lines) + more, SECTION_LIMIT, "list")
    return notice_blocks(text)


HELP = (
    "*Reply assistant*\n"
    "• `/reply &lt;text or link&gt;`: triage and draft a reply on the spot\n"
    "• `/assistant queue`: what waits for a reply, oldest first, with how long\n"
    "• `/assistant stats`: today's figures\n"
    "• `/assistant policy`: the tone policy in force\n"
    "• `/assistant report [30d]`: the summary chart and headline numbers, posted here\n"
    "• Message shortcut *Draft a reply*: on any message (RSS, Zapier, a colleague's paste)\n"
    "Review cards appear in the review channel; only approvers can approve, edit, hide or post."
)
