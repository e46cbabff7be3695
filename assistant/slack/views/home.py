"""App Home and ``/assistant queue``: what waits (for you, for your teams, oldest first),
today's figures, the policy in force (and why its last reload failed), the conversations
moved to private that still owe the thread an update, and the super-fans.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from assistant.insights.superfans import FanStatus
from assistant.slack.views.elements import (
    SECTION_LIMIT,
    Block,
    ago,
    clip,
    duration,
    md,
    network_label,
    notice_blocks,
    plain,
    short,
)
from assistant.slack.views.mrkdwn import escape, safe_url, who


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


def _waiting_lines(rows: list[dict[str, Any]], links: dict[str, str], key: str = "id") -> str:
    lines = []
    for r in rows[:15]:
        text = short(" ".join((r.get("text") or "").split()), 70)
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


def superfan_blocks(fans: list[FanStatus], limit: int = 15) -> list[Block]:
    """App Home: who praises us again and again."""
    if not fans:
        text = "*⭐ Super-fans*\nNobody yet: an author with several kind posts in the period is listed here."
    else:
        lines = []
        for f in fans[:limit]:
            url = safe_url(f.last_url)
            name = escape(f.author)
            lines.append(f"• {f'<{url}|{name}>' if url else name} ({escape(network_label(f.network))}): "
                         f"{f.count} kind posts in {f.period_days} days")
        more = f"\n… and {len(fans) - limit} more" if len(fans) > limit else ""
        text = "*⭐ Super-fans*\n" + "\n".join(lines) + more
    return [{"type": "section", "block_id": "superfans", "text": md(clip(text, SECTION_LIMIT, "list")[0])}]
