"""The consolidated statement's outbox: a top-level post on the brand's own accounts
(not a reply to anyone), posted exactly once on each account.

A statement is not a reply to a mention, so it has its own small table beside the reply
outbox (``statement_posts``; its SQL is in assistant/store/statements_sql.py), with the same guarantees: approval writes one row per account in one
transaction (a second approval of the same spike writes nothing); a row is claimed
pending -> sending atomically before it is posted, so a double click or a retry never
posts twice; every post carries the row's idempotency key, which the connector passes
on (Mastodon's Idempotency-Key, the local outbox file's key column).

Delivery follows the reply outbox's rules: the approval click posts at once; a timeout,
5xx or 429 is tried again by the outbox worker's round (``run_due``) with backoff; a
claim older than the lease (a worker killed mid-post) is recovered, and a row tried
before is looked for first where the account can (``find_status(text, key, since)``,
for networks with no idempotency key); a refusal or the last attempt leaves the row
'failed', shown on the alert card (with Retry) and by ``assistant outbox --failed``.

An account is a connector with ``post_status(text, idempotency_key) -> Posted``
(Mastodon, the local outbox file). Without one, the statement goes to the local outbox
file, as replies do.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from assistant.connectors.base import Capabilities, Posted, PostError
from assistant.domain.models import utcnow
from assistant.runtime.outbox import text_length
from assistant.store import Store
from assistant.store import statements_sql as sql

log = logging.getLogger(__name__)


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


def accounts(runtime: Any, brand: str | None = None, default_brand: str | None = None) -> dict[str, PostsStatus]:
    """The brand's own accounts the runtime can post a new status on; the local outbox
    file when no network connector can (nothing then leaves this machine). ``brand``:
    only the sources of that brand (a source that names none is ``default_brand``'s)."""
    sources = getattr(runtime, "sources", None) or {}

    def ours(name: str) -> bool:
        source = sources.get(name)
        return brand is None or source is None or (getattr(source, "brand", None) or default_brand) in (None, brand)

    every = every_account(runtime)
    found = {name: c for name, c in every.items() if name != "local" and ours(name)}
    return found or ({"local": every["local"]} if "local" in every else {})


def every_account(runtime: Any) -> dict[str, PostsStatus]:
    """Every account a queued statement row may name (each brand's, and the local outbox
    file): the worker's round delivers rows of every brand, each on the account it names."""
    found = {name: c for name, c in (getattr(runtime, "connectors", None) or {}).items() if isinstance(c, PostsStatus)}
    local = getattr(runtime, "local", None)
    if isinstance(local, PostsStatus):
        found.setdefault("local", local)
    return found


def approve(store: Store, spike_id: int, text: str, language: str, actor: str, on: list[str],
            at: datetime | None = None, also: dict[str, str] | None = None) -> bool:
    """Queue the statement on each account in ``on``: ``text`` in ``language``, and each
    version in ``also`` (language -> text), one post each. False (and nothing queued) when
    this spike's statement was approved before: it is posted once. ``at``: the approval
    time the statement's update time was computed from (now by default)."""
    now = (at or utcnow()).isoformat(timespec="seconds")
    versions = {language: text, **{k: v for k, v in (also or {}).items() if k != language}}
    rows = [{"account": account, "text": body, "language": lang,
             "idempotency_key": "statement-" + hashlib.sha256(
                 f"{spike_id}:{account}:{lang}:{now}".encode()).hexdigest()[:24],
             "status": "pending", "approved_by": actor, "approved_at": now, "attempts": 0}
            for lang, body in versions.items() for account in on]
    return sql.queue(store, spike_id, rows, actor=actor, accounts=on, languages=list(versions))


def posts(store: Store, spike_id: int) -> list[dict[str, Any]]:
    return sql.posts(store, spike_id)


# The same rules as the reply outbox (runtime/outbox.py): retries with exponential
# backoff up to this many attempts, and a claim ('sending') older than the lease was left
# by a worker that died, so the row is looked for on the network, then tried again.
MAX_ATTEMPTS = 8
LEASE_SECONDS = 300.0
Backoff = Callable[[int, "float | None"], float]
Outcome = Callable[[dict[str, Any]], None]


def default_backoff(attempts: int, retry_after: float | None = None) -> float:
    """Seconds before the next try: Retry-After when the server gave one, else 2 s doubling to 15 min."""
    return max(0.0, retry_after) if retry_after is not None else min(900.0, 2.0 * 2 ** max(0, attempts - 1))


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="milliseconds")


def is_posted(store: Store, spike_id: int) -> bool:
    """Whether the statement is out on at least one account (pointer replies wait for this)."""
    return any(r["status"] == "posted" for r in posts(store, spike_id))


def recover(store: Store, lease: float = LEASE_SECONDS, now: datetime | None = None) -> int:
    """Rows left 'sending' by a worker that died go back to pending, marked so the network
    is asked before they are posted again. A younger claim may still be in flight."""
    cutoff = _iso((now or utcnow()) - timedelta(seconds=lease))
    n = sql.release_stuck(store, cutoff, "interrupted while posting (the worker stopped)")
    if n:
        log.warning("statements: %s posts were being sent when the last run stopped; checking them", n)
    return n


def due_spikes(store: Store, now: datetime | None = None) -> list[int]:
    return sql.due_spikes(store, _iso(now or utcnow()))


def deliver(store: Store, spike_id: int, on: dict[str, PostsStatus], now: datetime | None = None,
            backoff: Backoff = default_backoff, on_outcome: list[Outcome] | None = None) -> list[dict[str, Any]]:
    """Post each due pending row of this spike's statement once; returns the rows afterwards.
    ``on_outcome`` is called with each row whose status changed (posted, failed, retrying)."""
    now = now or utcnow()
    for row in posts(store, spike_id):
        if not sql.claim(store, row["id"], _iso(utcnow()), _iso(now)):  # only one caller moves it to 'sending'
            continue
        attempts = row["attempts"] + 1
        connector = on.get(row["account"])
        try:
            if connector is None:
                raise PostError(f"no account named {row['account']} to post the statement on: add it to the"
                                " sources file, then Retry", permanent=True)
            found = None
            look = getattr(connector, "find_status", None)
            if row["last_error"] and callable(look):
                # Tried before: the earlier attempt may have landed. Look before posting again.
                found = look(row["text"], row["idempotency_key"], row["approved_at"])
            posted = found or connector.post_status(row["text"], row["idempotency_key"])
        except PostError as exc:
            # A timeout, a 5xx or a 429 is tried again later under the same idempotency key
            # (the network answers a repeat with the status it already made); a refusal, or
            # the last attempt, stays failed: the alert card and `outbox --failed` show it.
            if exc.permanent or attempts >= MAX_ATTEMPTS:
                why = str(exc) if exc.permanent else f"gave up after {attempts} attempts: {exc}"
                _finish(store, row["id"], "failed", on_outcome, last_error=why, next_attempt_at=None)
            else:
                when = now + timedelta(seconds=backoff(attempts, exc.retry_after))
                _finish(store, row["id"], "pending", on_outcome, last_error=str(exc), next_attempt_at=_iso(when))
            continue
        except Exception as exc:  # a connector bug: recorded, never posted twice by a retry
            log.exception("statement %s: unexpected error from %s", row["id"], row["account"])
            _finish(store, row["id"], "failed", on_outcome, last_error=f"{type(exc).__name__}: {exc}")
            continue
        _finish(store, row["id"], "posted", on_outcome, posted_id=posted.id, posted_url=posted.url,
                next_attempt_at=None)
    return posts(store, spike_id)


def run_due(store: Store, on: dict[str, PostsStatus], now: datetime | None = None,
            backoff: Backoff = default_backoff, on_outcome: list[Outcome] | None = None) -> int:
    """One worker round: recover dead claims, then deliver every statement row that is due.
    Returns how many spikes were looked at."""
    recover(store, now=now)
    due = due_spikes(store, now)
    for spike_id in due:
        deliver(store, spike_id, on, now=now, backoff=backoff, on_outcome=on_outcome)
    return len(due)


def retry(store: Store, spike_id: int, actor: str) -> int:
    """Put this spike's failed statement rows back in the queue (a person fixed the cause);
    they are looked for on the network before they are posted again. Returns how many."""
    return sql.retry_failed(store, spike_id, actor)


def failed(store: Store) -> list[dict[str, Any]]:
    return sql.failed(store)


def _finish(store: Store, row_id: int, status: str, on_outcome: list[Outcome] | None = None, **values: Any) -> None:
    row = sql.finish(store, row_id, status, **values)
    if on_outcome:
        for callback in list(on_outcome):
            try:
                callback(row)
            except Exception:
                log.exception("statement %s: on_outcome callback %r failed", row_id, callback)
