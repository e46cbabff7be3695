"""The consolidated statement's outbox: a top-level post on the brand's own accounts
(not a reply to anyone), posted exactly once on each account.

A statement is not a reply to a mention, so it has its own small table beside the reply
outbox, with the same guarantees: approval writes one row per account in one
transaction (a second approval of the same spike writes nothing); a row is claimed
pending -> sending atomically before it is posted, so a double click or a retry never
posts twice; every post carries the row's idempotency key, which the connector passes
on (Mastodon's Idempotency-Key, the local outbox file's key column).

An account is a connector with ``post_status(text, idempotency_key) -> Posted``
(Mastodon, the local outbox file). Without one, the statement goes to the local outbox
file, as replies do.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from ..connectors.base import Capabilities, Posted, PostError
from ..domain import utcnow
from ..store import Store
from .outbox import text_length

log = logging.getLogger(__name__)

migrations = Migrations("assistant-statements")


@migrations(name="001_statement_posts")
def _m001(db: Database) -> None:
    db["statement_posts"].create(
        {"id": int, "spike_id": int, "account": str, "text": str, "language": str, "idempotency_key": str,
         "status": str, "approved_by": str, "approved_at": str, "posted_id": str, "posted_url": str,
         "last_error": str, "attempts": int},
        pk="id", if_not_exists=True,
    )
    db["statement_posts"].create_index(["spike_id", "account"], unique=True, if_not_exists=True)


def ensure(store: Store) -> None:
    store.ensure(migrations)


@runtime_checkable
class PostsStatus(Protocol):
    name: str

    def capabilities(self) -> Capabilities: ...

    def post_status(self, text: str, idempotency_key: str) -> Posted: ...


def problems(text: str, on: dict[str, PostsStatus]) -> list[str]:
    """Why ``text`` cannot be posted on these accounts (too long for one), or nothing."""
    out = []
    for name, connector in sorted(on.items()):
        n, limit = text_length(connector, text), connector.capabilities().max_length  # type: ignore[arg-type]
        if n > limit:
            out.append(f"the statement is {n} characters and {name} allows {limit}: shorten it with Edit")
    return out


def accounts(runtime: Any) -> dict[str, PostsStatus]:
    """The brand's own accounts the runtime can post a new status on; the local outbox
    file when no network connector can (nothing then leaves this machine)."""
    found = {name: c for name, c in (getattr(runtime, "connectors", None) or {}).items()
             if isinstance(c, PostsStatus)}
    local = getattr(runtime, "local", None)
    if not found and isinstance(local, PostsStatus):
        found["local"] = local
    return found


def approve(store: Store, spike_id: int, text: str, language: str, actor: str, on: list[str],
            at: datetime | None = None) -> bool:
    """Queue the statement on each account in ``on``. False (and nothing queued) when this
    spike's statement was approved before: it is posted once. ``at``: the approval time
    the statement's update time was computed from (now by default)."""
    ensure(store)
    now = (at or utcnow()).isoformat(timespec="seconds")
    with store.transaction() as db:
        if db.execute("SELECT 1 FROM statement_posts WHERE spike_id = ?", [spike_id]).fetchone():
            return False
        db["statement_posts"].insert_all([
            {"spike_id": spike_id, "account": account, "text": text, "language": language,
             "idempotency_key": "statement-" + hashlib.sha256(f"{spike_id}:{account}:{now}".encode()).hexdigest()[:24],
             "status": "pending", "approved_by": actor, "approved_at": now, "attempts": 0}
            for account in on])
        store._event(None, "statement_approved", spike_id=spike_id, actor=actor, accounts=on)
    return True


def posts(store: Store, spike_id: int) -> list[dict[str, Any]]:
    ensure(store)
    return list(store.db.query("SELECT * FROM statement_posts WHERE spike_id = ? ORDER BY id", [spike_id]))


MAX_ATTEMPTS = 3


def deliver(store: Store, spike_id: int, on: dict[str, PostsStatus]) -> list[dict[str, Any]]:
    """Post each pending row of this spike's statement once; returns the rows afterwards."""
    for row in posts(store, spike_id):
        with store.transaction() as db:  # the claim: only one caller moves a row to 'sending'
            claimed = db.execute("UPDATE statement_posts SET status = 'sending', attempts = attempts + 1"
                                 " WHERE id = ? AND status = 'pending'", [row["id"]]).rowcount
        if not claimed:
            continue
        connector = on.get(row["account"])
        try:
            if connector is None:
                raise PostError(f"no account named {row['account']} to post the statement on", permanent=True)
            posted = connector.post_status(row["text"], row["idempotency_key"])
        except PostError as exc:
            # A timeout or a 5xx is tried again at the next delivery, under the same idempotency
            # key (the network answers a repeat with the status it already made); a refusal,
            # or a third failure, stays failed: a person sees it on the alert card.
            again = not exc.permanent and row["attempts"] + 1 < MAX_ATTEMPTS
            _finish(store, row["id"], "pending" if again else "failed", last_error=str(exc))
            continue
        except Exception as exc:  # a connector bug: recorded, never posted twice by a retry
            log.exception("statement %s: unexpected error from %s", row["id"], row["account"])
            _finish(store, row["id"], "failed", last_error=f"{type(exc).__name__}: {exc}")
            continue
        _finish(store, row["id"], "posted", posted_id=posted.id, posted_url=posted.url)
    return posts(store, spike_id)


def _finish(store: Store, row_id: int, status: str, **values: Any) -> None:
    with store.transaction() as db:
        db["statement_posts"].update(row_id, {"status": status, **values})
