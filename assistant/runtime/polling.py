"""Polling: one thread per source fetches new mentions since its cursor, stores
them (idempotently), then advances the cursor, backing off on errors.

Order matters for "nothing lost, nothing twice": mentions are stored before the
cursor moves, so a crash in between refetches them and the store's
(source, external_id) key drops the repeats.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.connectors.base import Connector
from assistant.domain.errors import AssistantError
from assistant.domain.models import Mention
from assistant.store import Store

log = logging.getLogger(__name__)

Ingest = Callable[[list[Mention], str | None], list[str]]


@dataclass
class PollResult:
    source: str
    fetched: int = 0
    new: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    error: str | None = None


class Poller:
    def __init__(self, source: str, connector: Connector, store: Store, ingest: Ingest,
                 brand: str | None = None, interval: float = 60.0, max_backoff: float = 900.0,
                 on_new: Callable[[list[str]], None] | None = None) -> None:
        self.source = source
        self.connector = connector
        self.store = store
        self.ingest = ingest
        self.brand = brand
        self.interval = interval
        self.max_backoff = max_backoff
        self.on_new = on_new
        self.failures = 0
        self.thread: threading.Thread | None = None

    def poll_once(self) -> PollResult:
        """One round: fetch since the cursor, store, move the cursor. Errors are returned, not raised."""
        result = PollResult(self.source)
        cursor = self.store.get_cursor(self.source)
        try:
            fetched = self.connector.fetch(cursor)
        except Exception as exc:
            self.failures += 1
            result.error = str(exc) if isinstance(exc, AssistantError) else f"{type(exc).__name__}: {exc}"
            log.warning("source %s: fetch failed (%s); attempt %s", self.source, result.error, self.failures)
            self.store.log_event(None, "fetch_failed", source=self.source, error=result.error)
            return result
        self.failures = 0
        result.fetched = len(fetched.mentions)
        result.rejected = list(fetched.extra.get("rejected", []))
        for reason in result.rejected:
            self.store.log_event(None, "input_rejected", source=self.source, reason=reason)
        if fetched.mentions:
            result.new = self.ingest(fetched.mentions, self.brand)
        if fetched.cursor != cursor:
            self.store.set_cursor(self.source, fetched.cursor)
        if result.new and self.on_new is not None:
            self.on_new(result.new)
        return result

    def next_delay(self) -> float:
        """The interval, or after failures an exponential backoff capped at max_backoff."""
        if not self.failures:
            return self.interval
        delay = min(self.max_backoff, max(self.interval, 5.0) * 2 ** (self.failures - 1))
        return delay * random.uniform(0.9, 1.1)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.poll_once()
            except Exception:  # the store itself failed: keep the thread alive, back off
                self.failures += 1
                log.exception("source %s: polling round failed", self.source)
            stop.wait(self.next_delay())

    def start(self, stop: threading.Event) -> threading.Thread:
        self.thread = threading.Thread(target=self.run, args=(stop,), name=f"poll-{self.source}", daemon=True)
        self.thread.start()
        return self.thread
