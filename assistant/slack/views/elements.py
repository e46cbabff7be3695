"""Block Kit's building blocks, shared by every view: text objects, buttons, Block Kit's
limits, cutting a long text with a visible note, network names and times.

Block Kit limits kept here: 3,000 characters per section text, 50 blocks per
message, 25 elements per actions block, 2,000 characters per button value.
Long texts are never cut silently: ``clip`` says how much is left out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

SECTION_LIMIT = 3000
MAX_BLOCKS = 50
INPUT_LIMIT = 3000  # plain_text_input max_length

NETWORK_NAMES = {"bluesky": "Bluesky", "mastodon": "Mastodon", "x": "X", "slack": "Slack",
                 "rss": "RSS", "webhook": "Webhook", "manual": "Manual"}

Block = dict[str, Any]


def plain(text: str, emoji: bool = True) -> dict[str, Any]:
    return {"type": "plain_text", "text": text or " ", "emoji": emoji}


def md(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text or " "}


def button(text: str, action_id: str, value: str, style: str | None = None,
           confirm: dict[str, Any] | None = None) -> dict[str, Any]:
    b: dict[str, Any] = {"type": "button", "text": plain(text), "action_id": action_id, "value": value}
    if style:
        b["style"] = style
    if confirm:
        b["confirm"] = confirm
    return b


def notice_blocks(text: str) -> list[Block]:
    return [{"type": "section", "text": md(text)}]


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


def short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
