"""SQL used by the connectors, the outbox worker and the pollers (kept in the store package;
the ``outbox_attempts`` table is defined in assistant/store/schema/parts.py)."""

from __future__ import annotations

from typing import Any

from assistant.store import Store
from assistant.store.base import _now


def record_attempt(store: Store, outbox_id: int, outcome: str, error: str | None, seconds: float) -> None:
    with store.transaction() as db:
        db["outbox_attempts"].insert({"outbox_id": outbox_id, "at": _now(), "outcome": outcome,
                                      "error": error, "seconds": round(seconds, 3)})


def attempts(store: Store, outbox_id: int) -> list[dict[str, Any]]:
    return list(store.db["outbox_attempts"].rows_where("outbox_id = ?", [outbox_id], order_by="id"))


def retry_failed(store: Store, outbox_id: int, actor: str = "system") -> bool:
    """Put a reply that failed for good back in the queue (after a person fixed the cause)."""
    now = _now()
    with store.transaction() as db:
        row = db.conn.execute("SELECT mention_id FROM outbox WHERE id = ? AND status = 'failed'",
                              [outbox_id]).fetchone()
        if row is None:
            return False
        db.conn.execute("UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ?"
                        " WHERE id = ?", [now, now, outbox_id])
        db.conn.execute("UPDATE mentions SET status = 'approved', updated_at = ? WHERE id = ?", [now, row[0]])
        store.event(row[0], "post_retry", actor, outbox_id=outbox_id)
    return True


def failed_with_mentions(store: Store) -> list[dict[str, Any]]:
    return list(store.db.query(
        "SELECT o.id, o.mention_id, o.connector, o.text, o.attempts, o.last_error, o.updated_at,"
        " m.author, m.url FROM outbox o JOIN mentions m ON m.id = o.mention_id"
        " WHERE o.status = 'failed' ORDER BY o.id"))
