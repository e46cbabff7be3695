"""Every SQL statement on ``statement_posts``, the consolidated statement's outbox (one row
per account and language; the table is defined in assistant/store/schema/parts.py).

What a row's states mean and when they change is runtime/statements.py's business: this
module only reads and writes them, each write in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from assistant.store import Store

# A claim ('sending') this old or older, or with no time, was left by a worker that died.
_STUCK = "status = 'sending' AND (claimed_at IS NULL OR claimed_at <= ?)"


def queue(store: Store, spike_id: int, rows: Iterable[dict[str, Any]], **event: Any) -> bool:
    """Write the approved statement's rows (status 'pending') and a ``statement_approved``
    event, in one transaction. False, and nothing written, when the spike has rows already."""
    with store.transaction() as db:
        if db.execute("SELECT 1 FROM statement_posts WHERE spike_id = ?", [spike_id]).fetchone():
            return False
        db["statement_posts"].insert_all([{"spike_id": spike_id, **row} for row in rows])
        store.event(None, "statement_approved", spike_id=spike_id, **event)
    return True


def posts(store: Store, spike_id: int) -> list[dict[str, Any]]:
    return list(store.db.query("SELECT * FROM statement_posts WHERE spike_id = ? ORDER BY id", [spike_id]))


def release_stuck(store: Store, cutoff: str, error: str) -> int:
    """Rows claimed at ``cutoff`` or before go back to pending, with ``error`` unless they
    have one. Returns how many."""
    # read first: this runs every worker round, and a write would take the store's lock each time
    if not store.db.execute(f"SELECT 1 FROM statement_posts WHERE {_STUCK} LIMIT 1", [cutoff]).fetchone():
        return 0
    with store.transaction() as db:
        return int(db.execute("UPDATE statement_posts SET status = 'pending', last_error = COALESCE(last_error, ?)"
                              f" WHERE {_STUCK}", [error, cutoff]).rowcount)


def due_spikes(store: Store, now: str) -> list[int]:
    """The spikes with a pending row whose next try is due at ``now``."""
    return [r[0] for r in store.db.execute(
        "SELECT DISTINCT spike_id FROM statement_posts WHERE status = 'pending'"
        " AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY spike_id", [now])]


def claim(store: Store, row_id: int, claimed_at: str, now: str) -> bool:
    """Move a due pending row to 'sending' (one more attempt). False when another caller
    holds it, it is done, or it is not due: only one caller ever posts a row."""
    with store.transaction() as db:
        return bool(db.execute("UPDATE statement_posts SET status = 'sending', attempts = attempts + 1,"
                               " claimed_at = ? WHERE id = ? AND status = 'pending'"
                               " AND (next_attempt_at IS NULL OR next_attempt_at <= ?)",
                               [claimed_at, row_id, now]).rowcount)


def finish(store: Store, row_id: int, status: str, **values: Any) -> dict[str, Any]:
    """Set a row's status (and other columns); returns the row afterwards."""
    with store.transaction() as db:
        db["statement_posts"].update(row_id, {"status": status, **values})
    return dict(store.db["statement_posts"].get(row_id))


def retry_failed(store: Store, spike_id: int, actor: str) -> int:
    """This spike's failed rows back to pending, attempts from zero, with a ``statement_retry``
    event. Returns how many."""
    with store.transaction() as db:
        n = int(db.execute("UPDATE statement_posts SET status = 'pending', attempts = 0, next_attempt_at = NULL"
                           " WHERE spike_id = ? AND status = 'failed'", [spike_id]).rowcount)
        if n:
            store.event(None, "statement_retry", spike_id=spike_id, actor=actor, rows=n)
    return n


def failed(store: Store) -> list[dict[str, Any]]:
    return list(store.db.query("SELECT * FROM statement_posts WHERE status = 'failed' ORDER BY id"))
