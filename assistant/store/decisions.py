"""Decisions on mentions and the reply outbox: an approval and its queued post are one
transaction, and the outbox worker claims, posts and marks each reply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlite_utils import Database

from assistant.domain.errors import StoreError
from assistant.domain.models import utcnow
from assistant.domain.status import check_move
from assistant.store.base import StoreBase, _now
from assistant.store.log_sql import record_edit
from assistant.store.statuses import APPROVABLE_STATUSES, OPEN_STATUSES, StaleDecision


@dataclass
class Approval:
    decision_id: int
    outbox_id: int
    idempotency_key: str
    text: str



class Decisions(StoreBase):
    """A person's decisions, and the outbox of approved replies."""

    def _check_open(self, db: Database, mention_id: str,
                    allowed: tuple[str, ...] = OPEN_STATUSES) -> dict[str, Any]:
        row = db.conn.execute("SELECT status FROM mentions WHERE id = ?", [mention_id]).fetchone()
        if row is None:
            raise StoreError(f"no mention {mention_id}", "run `assistant queue` to see the stored ids")
        if row[0] not in allowed:
            last = db.conn.execute(
                "SELECT actor FROM decisions WHERE mention_id = ? ORDER BY id DESC LIMIT 1", [mention_id]
            ).fetchone()
            raise StaleDecision(mention_id, row[0], last[0] if last else None)
        return {"status": row[0]}

    def approve(self, mention_id: str, actor: str, text: str, connector: str,
                draft_id: int | None = None, edited: bool = False) -> Approval:
        """Record an approval and queue the reply in the outbox, in one transaction.

        A second approval of the same mention raises StaleDecision and queues nothing.
        A mention whose reply failed for good may be approved again (a corrected
        text): the failed outbox row is replaced, so there is still one per mention.
        """
        if not text.strip():
            raise StoreError("cannot approve an empty reply", "edit the draft and write a reply first")
        now = _now()
        with self.transaction() as db:
            status = self._check_open(db, mention_id, APPROVABLE_STATUSES)["status"]
            failed = None
            if status == "failed":
                failed = db.conn.execute("SELECT id FROM outbox WHERE mention_id = ? AND status = 'failed'",
                                         [mention_id]).fetchone()
                if failed is None:  # failed, but not in the outbox: nothing to replace
                    raise StaleDecision(mention_id, status, None)
            decisions = db["decisions"]
            decisions.insert({"mention_id": mention_id, "action": "edit" if edited else "approve",
                              "actor": actor, "text": text, "edited": edited, "draft_id": draft_id,
                              "created_at": now})
            decision_id = int(decisions.last_pk)  # type: ignore[arg-type]
            record_edit(db, decision_id, draft_id, text, now)  # for the interaction log
            # A new key per approval: a corrected text is a new post, never deduplicated
            # against the one that failed.
            key = f"assistant-{mention_id}-{decision_id}"
            row = {"mention_id": mention_id, "decision_id": decision_id, "idempotency_key": key,
                   "connector": connector, "text": text, "status": "pending", "attempts": 0, "last_error": None,
                   "next_attempt_at": now, "updated_at": now}
            outbox = db["outbox"]
            if failed is not None:
                # Reuse the failed row (one row per mention); its attempts history stays with it.
                outbox.update(failed[0], row)
                outbox_id = int(failed[0])
                self.event(mention_id, "failed_reply_replaced", actor, outbox_id=outbox_id)
            else:
                outbox.insert({**row, "created_at": now})
                outbox_id = int(outbox.last_pk)  # type: ignore[arg-type]
            db.conn.execute("UPDATE mentions SET status = 'approved', updated_at = ? WHERE id = ?",
                            [now, mention_id])
            self.event(mention_id, "approved", actor, edited=edited, outbox_id=outbox_id)
        return Approval(decision_id, outbox_id, key, text)

    def decide(self, mention_id: str, action: str, actor: str, reason: str | None = None,
               status: str | None = None) -> int:
        """Record a decision that posts nothing: reject, hide, ignore, escalate."""
        final = status or {"reject": "rejected", "hide": "hidden", "ignore": "ignored",
                           "escalate": "escalated", "no_reply": "closed"}[action]
        now = _now()
        with self.transaction() as db:
            check_move(self._check_open(db, mention_id)["status"], final)
            decisions = db["decisions"]
            decisions.insert({"mention_id": mention_id, "action": action, "actor": actor, "reason": reason,
                              "edited": False, "created_at": now})
            db.conn.execute("UPDATE mentions SET status = ?, updated_at = ? WHERE id = ?",
                            [final, now, mention_id])
            self.event(mention_id, action, actor, reason=reason)
            return int(decisions.last_pk)  # type: ignore[arg-type]

    def outbox_due(self, now: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        return list(self.db.query(
            "SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?",
            [now or _now(), limit],
        ))

    def outbox_item(self, outbox_id: int) -> dict[str, Any]:
        return dict(self.db["outbox"].get(outbox_id))

    def outbox_items(self, *statuses: str) -> list[dict[str, Any]]:
        marks = ",".join("?" * len(statuses))
        return list(self.db.query(f"SELECT * FROM outbox WHERE status IN ({marks}) ORDER BY id", list(statuses)))

    def claim_outbox(self, outbox_id: int) -> bool:
        """Mark an item as being sent. False if another worker holds it or it is done."""
        with self.transaction() as db:
            cur = db.conn.execute(
                "UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at = ?"
                " WHERE id = ? AND status = 'pending'", [_now(), outbox_id])
            return cur.rowcount == 1

    def mark_posted(self, outbox_id: int, posted_id: str, posted_url: str | None) -> None:
        now = _now()
        with self.transaction() as db:
            item = db["outbox"].get(outbox_id)
            db.conn.execute("UPDATE outbox SET status = 'posted', posted_id = ?, posted_url = ?, last_error = NULL,"
                            " updated_at = ? WHERE id = ?", [posted_id, posted_url, now, outbox_id])
            db.conn.execute("UPDATE mentions SET status = 'posted', updated_at = ? WHERE id = ?",
                            [now, item["mention_id"]])
            self.event(item["mention_id"], "posted", posted_id=posted_id, posted_url=posted_url)

    def mark_retry(self, outbox_id: int, error: str, next_attempt_at: str) -> None:
        with self.transaction() as db:
            db.conn.execute("UPDATE outbox SET status = 'pending', last_error = ?, next_attempt_at = ?,"
                            " updated_at = ? WHERE id = ?", [error, next_attempt_at, _now(), outbox_id])

    def mark_failed(self, outbox_id: int, error: str) -> None:
        now = _now()
        with self.transaction() as db:
            item = db["outbox"].get(outbox_id)
            db.conn.execute("UPDATE outbox SET status = 'failed', last_error = ?, updated_at = ? WHERE id = ?",
                            [error, now, outbox_id])
            db.conn.execute("UPDATE mentions SET status = 'failed', updated_at = ? WHERE id = ?",
                            [now, item["mention_id"]])
            self.event(item["mention_id"], "post_failed", error=error)

    def requeue_stuck(self, lease_seconds: float = 300.0) -> int:
        """Items left 'sending' for longer than the lease go back to pending: the
        worker that claimed them died (the connector's idempotency key or existence
        check keeps that from posting twice). A younger claim may still be in flight
        in another process, so it is left alone."""
        cutoff = (utcnow() - timedelta(seconds=lease_seconds)).isoformat(timespec="milliseconds")
        with self.transaction() as db:
            return db.conn.execute(
                "UPDATE outbox SET status = 'pending', updated_at = ? WHERE status = 'sending' AND updated_at <= ?",
                [_now(), cutoff],
            ).rowcount

