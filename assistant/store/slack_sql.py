"""Every SQL statement on the Slack app's own tables (defined in assistant/store/schema/parts.py).

``slack_cards``: one review card per mention (where it was posted, so it can be
updated in place with ``chat.update``). A row with no ts is a card being posted: claimed,
then its channel recorded just before chat.postMessage; a crash before the ts is saved
leaves it so, and the next start looks for the card in that channel before posting again.
``slack_events`` is no longer written: Slack's retries of an event are deduplicated by the
mention's own key (channel and ts), stored idempotently. ``slack_follow_ups``: conversations moved to a private message;
the public thread must be updated once they are resolved (domain.md section 5).
The read-only figures for App Home and ``/assistant stats`` are here too.
"""

from __future__ import annotations

import statistics
from datetime import UTC, datetime
from typing import Any

from assistant.domain.models import utcnow
from assistant.store import OPEN_STATUSES, Store
from assistant.store.base import _now

# -- cards -----------------------------------------------------------------------------------


def claim_card(store: Store, mention_id: str, kind: str = "channel") -> bool:
    """Reserve the card slot for a mention. False when a card exists or is being posted."""
    with store.transaction() as db:
        cur = db.conn.execute(
            "INSERT OR IGNORE INTO slack_cards (mention_id, kind, channel, ts, created_at, updated_at)"
            " VALUES (?, ?, NULL, NULL, ?, ?)", [mention_id, kind, _now(), _now()])
        return cur.rowcount == 1


def mark_posting(store: Store, mention_id: str, channel: str) -> None:
    """Record, before chat.postMessage, where a claimed card is being posted: after a crash
    between the post and ``save_card`` the card is looked for there (``posting_claims``)."""
    with store.transaction() as db:
        db.conn.execute("UPDATE slack_cards SET channel = ?, updated_at = ? WHERE mention_id = ? AND ts IS NULL"
                        " AND kind = 'channel'", [channel, _now(), mention_id])


def posting_claims(store: Store) -> list[dict[str, Any]]:
    """Claims left by a crash: mention_id, channel (None when the post was never tried) and
    when the post began (updated_at)."""
    return list(store.db.query("SELECT mention_id, channel, updated_at FROM slack_cards"
                               " WHERE ts IS NULL AND kind = 'channel' ORDER BY updated_at"))


def release_card(store: Store, mention_id: str) -> None:
    """Give up a claim whose message was not posted (it will be tried again)."""
    with store.transaction() as db:
        db.conn.execute("DELETE FROM slack_cards WHERE mention_id = ? AND ts IS NULL AND kind = 'channel'", [mention_id])


def save_card(store: Store, mention_id: str, channel: str, ts: str) -> None:
    with store.transaction() as db:
        db["slack_cards"].upsert(
            {"mention_id": mention_id, "kind": "channel", "channel": channel, "ts": ts, "updated_at": _now()}, pk="mention_id")


def card(store: Store, mention_id: str) -> dict[str, Any] | None:
    row = store.db.conn.execute(
        "SELECT channel, ts FROM slack_cards WHERE mention_id = ? AND ts IS NOT NULL", [mention_id]).fetchone()
    return {"channel": row[0], "ts": row[1]} if row else None


def has_card(store: Store, mention_id: str) -> bool:
    """Whether the app drew a card for the mention: in a channel, or ephemeral (/reply)."""
    row = store.db.conn.execute("SELECT 1 FROM slack_cards WHERE mention_id = ?", [mention_id]).fetchone()
    return row is not None


def card_for_message(store: Store, channel: str, ts: str) -> str | None:
    row = store.db.conn.execute(
        "SELECT mention_id FROM slack_cards WHERE channel = ? AND ts = ?", [channel, ts]).fetchone()
    return row[0] if row else None


def mentions_without_card(store: Store, limit: int = 20) -> list[str]:
    """Complete mentions nobody has been shown yet, oldest first: status 'awaiting' only, which
    the store sets when triage and first draft are saved together. ('new' ones are still being
    triaged and drafted by whoever ingested them; they arrive through ``on_processed``.)"""
    rows = store.db.conn.execute(
        "SELECT m.id FROM mentions m LEFT JOIN slack_cards c ON c.mention_id = m.id"
        " WHERE m.status = 'awaiting' AND c.mention_id IS NULL"
        " ORDER BY m.ingested_at, m.id LIMIT ?", [limit]).fetchall()
    return [r[0] for r in rows]


# -- follow-ups (moved to a private message) -------------------------------------------------


def add_follow_up(store: Store, mention_id: str, actor: str, note: str | None = None) -> bool:
    with store.transaction() as db:
        cur = db.conn.execute(
            "INSERT OR IGNORE INTO slack_follow_ups (mention_id, actor, note, created_at) VALUES (?, ?, ?, ?)",
            [mention_id, actor, note, _now()])
        if cur.rowcount:
            store.event(mention_id, "moved_private", actor, note=note)
        return cur.rowcount == 1


def follow_up(store: Store, mention_id: str) -> dict[str, Any] | None:
    rows = list(store.db.query("SELECT * FROM slack_follow_ups WHERE mention_id = ?", [mention_id]))
    return rows[0] if rows else None


def resolve_follow_up(store: Store, mention_id: str, actor: str) -> None:
    with store.transaction() as db:
        db.conn.execute(
            "UPDATE slack_follow_ups SET resolved_at = ?, resolved_by = ? WHERE mention_id = ?"
            " AND resolved_at IS NULL", [_now(), actor, mention_id])


def open_follow_ups(store: Store) -> list[dict[str, Any]]:
    return list(store.db.query(
        "SELECT f.*, m.author, m.network FROM slack_follow_ups f JOIN mentions m ON m.id = f.mention_id"
        " WHERE f.resolved_at IS NULL ORDER BY f.created_at"))


# -- read-only views for the card, App Home and /assistant ------------------------------------


def last_decision(store: Store, mention_id: str) -> dict[str, Any] | None:
    rows = list(store.db.query(
        "SELECT * FROM decisions WHERE mention_id = ? ORDER BY id DESC LIMIT 1", [mention_id]))
    return rows[0] if rows else None


def outbox_for(store: Store, mention_id: str) -> dict[str, Any] | None:
    rows = list(store.db.query("SELECT * FROM outbox WHERE mention_id = ?", [mention_id]))
    return rows[0] if rows else None


def find_mention_by_url(store: Store, url: str) -> str | None:
    row = store.db.conn.execute("SELECT id FROM mentions WHERE url = ? LIMIT 1", [url]).fetchone()
    return row[0] if row else None


def _parse(ts: str | None) -> datetime | None:
    if not ts:
        return None
    try:
        dt = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def stats(store: Store, now: datetime | None = None) -> dict[str, Any]:
    """Today's figures (UTC): the queue, answered, median time to answer, drafted/edited/rejected."""
    now = now or utcnow()
    day = now.replace(hour=0, minute=0, second=0, microsecond=0).isoformat(timespec="milliseconds")
    conn = store.db.conn
    marks = ",".join("?" * len(OPEN_STATUSES))
    waiting, oldest = conn.execute(
        f"SELECT COUNT(*), MIN(COALESCE(created_at, ingested_at)) FROM mentions WHERE status IN ({marks})",
        list(OPEN_STATUSES)).fetchone()
    counts = dict(conn.execute(
        "SELECT action, COUNT(*) FROM decisions WHERE created_at >= ? GROUP BY action", [day]).fetchall())
    waits = []
    for posted_at, created, ingested in conn.execute(
            "SELECT e.at, m.created_at, m.ingested_at FROM events e JOIN mentions m ON m.id = e.mention_id"
            " WHERE e.kind = 'posted' AND e.at >= ?", [day]).fetchall():
        start, end = _parse(created) or _parse(ingested), _parse(posted_at)
        if start and end:
            waits.append((end - start).total_seconds())
    oldest_dt = _parse(oldest)
    return {
        "waiting": waiting,
        "oldest": oldest,
        "oldest_wait_s": (now - oldest_dt).total_seconds() if oldest_dt else None,
        "answered": len(waits),
        "median_answer_s": statistics.median(waits) if waits else None,
        "approved_as_drafted": counts.get("approve", 0),
        "edited": counts.get("edit", 0),
        "rejected": counts.get("reject", 0),
        "hidden": counts.get("hide", 0),
        "escalated": counts.get("escalate", 0),
        "open_follow_ups": conn.execute(
            "SELECT COUNT(*) FROM slack_follow_ups WHERE resolved_at IS NULL").fetchone()[0],
    }
