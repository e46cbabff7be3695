"""The outbox worker: posts approved replies, exactly once.

How "exactly once" holds:
  * an approval writes the outbox row in the same transaction (Store.approve);
  * ``claim_outbox`` moves a row pending -> sending atomically, so two workers (the
    background thread and a Slack click calling ``deliver``) never post it together;
  * every post carries the approval's idempotency key, passed to the network where
    it supports one (Mastodon's Idempotency-Key, the webhook's header, the file
    connector's key column);
  * a row that was tried before (a timeout, a reset, a crash between posting and
    recording, which leaves it 'sending' until ``requeue_stuck``) is checked with
    ``connector.find_reply`` before it is posted again.
Failures: timeouts, 5xx and 429 are retried with exponential backoff (honouring
Retry-After); 401, 403, 404, 422, a read-only source or a reply over the length
limit fail for good: the row stays in the outbox as 'failed', with the reason,
for the Slack card and ``assistant outbox --failed``. Nothing is dropped.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from assistant.connectors.base import Connector, Posted, PostError
from assistant.domain.errors import AssistantError
from assistant.domain.models import Mention
from assistant.store import Store
from assistant.store import connectors_sql as sql

log = logging.getLogger(__name__)

# A claim on a reply ("sending") older than this was left by a worker that died.
# Far longer than any connector timeout (10-30 s), so a live post is never re-sent.
LEASE_SECONDS = 300.0

Resolver = Callable[[str, Mention], Connector]
Outcome = Callable[[dict[str, Any]], None]


def text_length(connector: Connector, text: str) -> int:
    """Length as the network counts it (graphemes on Bluesky), else code points."""
    measure = getattr(connector, "text_length", None)
    return int(measure(text)) if callable(measure) else len(text)


def reply_problems(connector: Connector, mention: Mention, text: str) -> tuple[list[str], list[str]]:
    """(errors, warnings) for posting ``text`` as a reply to ``mention`` on this connector.

    Errors stop the post (read-only source, over the length limit); warnings do not
    (the network's reply window has passed)."""
    errors: list[str] = []
    warnings: list[str] = []
    caps = connector.capabilities()
    if not caps.reply:
        # Nothing more to say: no length applies to a post that cannot be made.
        return [f"{connector.name} is read-only: open the link and answer there"], warnings
    n = text_length(connector, text)
    if n > caps.max_length:
        errors.append(f"the reply is {n} characters and {connector.name} allows {caps.max_length}:"
                      " shorten it and approve again")
    window = getattr(connector, "reply_window", None)
    if window and mention.created_at:
        try:
            created = datetime.fromisoformat(mention.created_at.replace("Z", "+00:00"))
            if created.tzinfo is None:
                created = created.replace(tzinfo=UTC)
            if datetime.now(UTC) - created > window:
                warnings.append(f"the reply window of {connector.name} ({window}) has passed:"
                                " the reply may not be shown or allowed")
        except ValueError:
            pass
    return errors, warnings


class OutboxWorker:
    def __init__(self, store: Store, resolve: Resolver, on_outcome: list[Outcome] | None = None,
                 base_delay: float = 2.0, max_delay: float = 900.0, max_attempts: int = 10,
                 jitter: float = 0.1) -> None:
        self.store = store
        self.resolve = resolve
        self.on_outcome = on_outcome if on_outcome is not None else []
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.max_attempts = max_attempts
        self.jitter = jitter
        self.after_post: Callable[[dict[str, Any], Posted], None] | None = None  # test hook (crash window)
        # more queues delivered by the same rounds (the spike statements' outbox)
        self.rounds: list[Callable[[], object]] = []

    # -- one item -----------------------------------------------------------------------------

    def deliver(self, outbox_id: int) -> dict[str, Any]:
        """Try to post one approved reply now. Returns the outbox row afterwards.

        A row another worker holds, or one already posted or failed, is returned as it is."""
        if not self.store.claim_outbox(outbox_id):
            return self.store.outbox_item(outbox_id)
        row = self.store.outbox_item(outbox_id)
        started = time.perf_counter()
        try:
            mention = self.store.mention(row["mention_id"])
            connector = self.resolve(row["connector"], mention)
        except AssistantError as exc:
            return self._fail(row, str(exc), started)
        errors, warnings = reply_problems(connector, mention, row["text"])
        for warning in warnings:
            self.store.log_event(row["mention_id"], "post_warning", warning=warning)
        if errors:
            return self._fail(row, "; ".join(errors), started)
        key = row["idempotency_key"]
        try:
            if row["attempts"] > 1 or row["last_error"]:
                # Tried before: the earlier attempt may have landed. Look before posting again.
                found = connector.find_reply(mention, key)
                if found is not None:
                    log.info("outbox %s: reply %s already exists; recording it", outbox_id, found.id)
                    return self._posted(row, found, started, "found")
            posted = connector.reply(mention, row["text"], key)
        except PostError as exc:
            return self._failed_attempt(row, exc, started)
        except Exception as exc:  # a connector bug must not lose the reply: retry, loudly
            log.exception("outbox %s: unexpected error from %s", outbox_id, connector.name)
            return self._failed_attempt(row, PostError(f"{type(exc).__name__}: {exc}", ambiguous=True), started)
        if self.after_post is not None:
            self.after_post(row, posted)
        return self._posted(row, posted, started, "posted")

    def _posted(self, row: dict[str, Any], posted: Posted, started: float, outcome: str) -> dict[str, Any]:
        self.store.mark_posted(row["id"], posted.id, posted.url)
        sql.record_attempt(self.store, row["id"], outcome, None, time.perf_counter() - started)
        return self._outcome(row["id"])

    def _fail(self, row: dict[str, Any], error: str, started: float) -> dict[str, Any]:
        log.warning("outbox %s failed for good: %s", row["id"], error)
        self.store.mark_failed(row["id"], error)
        sql.record_attempt(self.store, row["id"], "failed", error, time.perf_counter() - started)
        return self._outcome(row["id"])

    def _failed_attempt(self, row: dict[str, Any], exc: PostError, started: float) -> dict[str, Any]:
        error = str(exc)
        if exc.permanent:
            return self._fail(row, error, started)
        if row["attempts"] >= self.max_attempts:
            return self._fail(row, f"gave up after {row['attempts']} attempts: {error}"
                              f" (run `assistant outbox --retry {row['id']}` to try again)", started)
        delay = self.backoff(row["attempts"], exc.retry_after)
        when = (datetime.now(UTC) + timedelta(seconds=delay)).isoformat(timespec="milliseconds")
        log.info("outbox %s: attempt %s failed (%s); retrying in %.1fs", row["id"], row["attempts"], error, delay)
        self.store.mark_retry(row["id"], error, when)
        sql.record_attempt(self.store, row["id"], "ambiguous" if exc.ambiguous else "retry", error,
                           time.perf_counter() - started)
        return self.store.outbox_item(row["id"])

    def backoff(self, attempts: int, retry_after: float | None = None) -> float:
        """Seconds before the next try: Retry-After when the server gave one, else exponential."""
        if retry_after is not None:
            return max(0.0, retry_after)
        delay = min(self.max_delay, self.base_delay * 2 ** max(0, attempts - 1))
        return delay * (1 + random.uniform(-self.jitter, self.jitter)) if self.jitter else delay

    def _outcome(self, outbox_id: int) -> dict[str, Any]:
        item = self.store.outbox_item(outbox_id)
        for callback in list(self.on_outcome):
            try:
                callback(item)
            except Exception:
                log.exception("outbox %s: on_outcome callback %r failed", outbox_id, callback)
        return item

    # -- the loop -----------------------------------------------------------------------------

    def run_once(self, limit: int = 50) -> list[dict[str, Any]]:
        """Post every reply that is due now; returns their rows afterwards."""
        return [self.deliver(row["id"]) for row in self.store.outbox_due(limit=limit)]

    def recover(self, lease: float = LEASE_SECONDS) -> int:
        """Rows left 'sending' by a worker that died go back to pending (and are
        checked before posting). Only claims older than the lease: a younger one may
        still be in flight in another process (`assistant outbox` beside `serve`)."""
        n = self.store.requeue_stuck(lease)
        if n:
            log.warning("outbox: %s replies were being sent when the last run stopped; checking them", n)
        return n

    def run_forever(self, stop: threading.Event, idle: float = 1.0, wake: threading.Event | None = None) -> None:
        while not stop.is_set():
            try:
                self.recover()  # each round: a claim whose lease ran out was left by a dead worker
                self.run_once()
            except Exception:
                log.exception("outbox worker round failed; trying again")
            for extra in list(self.rounds):
                try:
                    extra()
                except Exception:
                    log.exception("outbox worker round (%r) failed; trying again", extra)
            if wake is not None:
                wake.wait(idle)
                wake.clear()
            else:
                stop.wait(idle)
