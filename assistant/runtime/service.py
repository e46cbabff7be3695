"""What `assistant serve` runs beside the Slack app: source pollers, webhook
intake routes and the outbox worker.

``Runtime`` fills two ports of ``assistant.domain.ports`` (typed Protocols):
``NetworkPort``, what the review core needs to act on networks, and ``RuntimePort``,
that plus what the Slack app and the CLI demo call. In short:

NetworkPort (the review core's):
  Runtime.connector_name(mention_id) -> str   what to pass as Store.approve(connector=...)
  Runtime.check_reply(mention_id, text) -> (errors, warnings)   length limit / read-only / reply window
  Runtime.retry(outbox_id, actor) -> bool   put a failed reply back in the queue
  Runtime.capabilities(mention_id) -> Capabilities   what the connector replying to it can do (read-only?)
  Runtime.is_local(connector_name) -> bool   True for the local outbox file (LOCAL): nothing is posted anywhere
  Runtime.hide(mention_id, reason) / send_private(mention_id, text) -> NetworkAction   where the network can

RuntimePort (adds):
  Runtime.routes       extra Starlette routes mounted in the same server (webhook intake)
  Runtime.start()      start pollers and the outbox worker (background threads)
  Runtime.stop()
  Runtime.deliver(outbox_id) -> dict   try to post one approved reply now; returns the outbox row
  Runtime.on_outcome   callbacks called with the outbox row after it is posted or fails for good
  Runtime.on_processed   callbacks called with each new mention's Processed (triage + draft), e.g. to post a card

and, outside the ports (the Slack spike alerts look for on_statement; `assistant fetch` calls fetch):
  Runtime.on_statement callbacks called with a spike statement's row when the worker posts it,
                       fails it for good or schedules a retry
  Runtime.fetch(source=None) -> list[PollResult]   one polling round (`assistant fetch`)
"""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from assistant.connectors.base import Capabilities, Connector, MessagesPrivately, Moderates
from assistant.connectors.file import FileConnector
from assistant.connectors.sources import SourceConfig, ensure_registered, load_sources
from assistant.connectors.webhook import intake_route
from assistant.domain.errors import AssistantError, PolicyError, SettingsError
from assistant.domain.models import Mention
from assistant.domain.ports import NetworkAction
from assistant.runtime import statements
from assistant.runtime.outbox import OutboxWorker, reply_problems
from assistant.runtime.polling import Poller, PollResult
from assistant.store import connectors_sql as sql

if TYPE_CHECKING:
    from assistant.engine import Engine
    from assistant.settings import Settings

log = logging.getLogger(__name__)

LOCAL = "file"  # replies to mentions from no configured source (demo, manual, Slack intake) go here
SEARCHES = {"mastodon", "bluesky", "feed"}  # connectors that take the brand's search terms


class Runtime:
    def __init__(self, settings: Settings, engine: Engine, sources: list[SourceConfig] | None = None,
                 env: Mapping[str, str] | None = None, process: bool = True) -> None:
        self.settings = settings
        self.engine = engine
        self.store = engine.store
        ensure_registered()
        self.routes: list[Any] = []
        self.on_outcome: list[Callable[[dict[str, Any]], None]] = []
        self.on_processed: list[Callable[[Any], None]] = []
        self.process_new = process
        self.sources = {s.name: s for s in (load_sources(settings.sources_file) if sources is None else sources)
                        if s.enabled}
        self.connectors: dict[str, Connector] = {}
        for s in self.sources.values():
            extra: dict[str, Any] = {}
            if s.connector in SEARCHES and "terms" not in s.options:
                extra["terms"] = self._terms(s.brand)
            self.connectors[s.name] = s.create(env, **extra)
        self.local = FileConnector(source=LOCAL, outbox=settings.outbox_file)
        self.worker = OutboxWorker(self.store, self.connector_for, self.on_outcome)
        # spike statements are delivered by the same worker, with the same backoff
        self.on_statement: list[Callable[[dict[str, Any]], None]] = []
        self.worker.rounds.append(self.deliver_statements)
        self.pollers = {name: Poller(name, self.connectors[name], self.store, self._ingest_for(name),
                                     brand=s.brand, interval=s.poll_every, on_new=self._queue_new)
                        for name, s in self.sources.items()}
        self.routes.append(intake_route(self._webhook_secret, self._webhook_ingest, self._webhook_rejected))
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self._new: queue.Queue[str | None] = queue.Queue()

    # -- configuration ------------------------------------------------------------------------

    def _terms(self, brand: str | None) -> list[str]:
        try:
            b = self.engine.policy(brand).brand
        except AssistantError as exc:
            log.warning("no brand policy for search terms (%s); searching nothing", exc)
            return []
        terms = [b.name, *b.aliases, *b.misspellings, *b.handles.values()]
        return list(dict.fromkeys(t for t in terms if t))

    def connector_for(self, name: str, mention: Mention) -> Connector:
        for candidate in (name, mention.source):
            if candidate in self.connectors:
                return self.connectors[candidate]
        if name == LOCAL:
            return self.local
        raise SettingsError(f"no enabled source named {name!r} to reply through",
                            "add or enable it in the sources file (ASSISTANT_SOURCES_FILE), then run"
                            " `assistant outbox --retry ID`")

    def connector_name(self, mention_id: str) -> str:
        source = self.store.mention(mention_id).source
        return source if source in self.connectors else LOCAL

    def is_local(self, name: str | None) -> bool:
        """Whether replies through ``name`` (an outbox row's connector) only go to the local
        outbox file: nothing is posted to any network."""
        return name == LOCAL and LOCAL not in self.connectors

    def capabilities(self, mention_id: str) -> Capabilities:
        """What the connector that answers this mention can do (``reply=False``: a read-only source)."""
        mention = self.store.mention(mention_id)
        return self.connector_for(self.connector_name(mention_id), mention).capabilities()

    def hide(self, mention_id: str, reason: str | None) -> NetworkAction:
        mention = self.store.mention(mention_id)
        connector = self.connector_for(self.connector_name(mention_id), mention)
        caps = connector.capabilities()
        network = mention.network_name.capitalize()
        if not caps.hide or not isinstance(connector, Moderates):
            return NetworkAction(False, f"recorded, not hidden on {network}: {caps.hide_means}")
        try:
            return NetworkAction(True, connector.hide(mention, reason))
        except AssistantError as exc:
            return NetworkAction(False, f"recorded, not hidden on {network}: {exc}")

    def send_private(self, mention_id: str, text: str) -> NetworkAction:
        mention = self.store.mention(mention_id)
        connector = self.connector_for(self.connector_name(mention_id), mention)
        caps = connector.capabilities()
        network = mention.network_name.capitalize()
        if not caps.private or not isinstance(connector, MessagesPrivately):
            return NetworkAction(False, f"not sent on {network}: {caps.private_means}")
        # the same text to the same mention is one message, however often it is asked for
        key = f"assistant-private-{mention_id}-{hashlib.sha256(text.encode()).hexdigest()[:16]}"
        try:
            posted = connector.send_private(mention, text, key)
        except AssistantError as exc:
            return NetworkAction(False, f"not sent on {network}: {exc}")
        return NetworkAction(True, f"sent as a private message on {network}", posted.url)

    def check_reply(self, mention_id: str, text: str) -> tuple[list[str], list[str]]:
        mention = self.store.mention(mention_id)
        connector = self.connector_for(self.connector_name(mention_id), mention)
        return reply_problems(connector, mention, text)

    # -- intake -------------------------------------------------------------------------------

    def _ingest_for(self, source: str) -> Callable[[list[Mention], str | None], list[str]]:
        def ingest(mentions: list[Mention], brand: str | None) -> list[str]:
            return self.engine.ingest(mentions, brand)
        return ingest

    def _webhook_secret(self, source: str) -> str | None:
        s = self.sources.get(source)
        if s is None or s.connector != "webhook":
            return None
        return getattr(self.connectors[source], "secret", None)

    def _webhook_ingest(self, source: str, mentions: list[Mention]) -> list[str]:
        new = self.engine.ingest(mentions, self.sources[source].brand)
        self._queue_new(new)
        return new

    def _webhook_rejected(self, source: str, reason: str, status: int) -> None:
        try:
            self.store.log_event(None, "input_rejected", source=source, reason=reason, status=status)
        except Exception:
            log.exception("could not record a rejected webhook delivery")

    def _queue_new(self, ids: list[str]) -> None:
        if self.process_new:
            for mid in ids:
                self._new.put(mid)

    def process(self, mention_id: str) -> Any:
        """Triage and draft one new mention, then tell the listeners (the Slack card)."""
        processed = self.engine.process(mention_id)
        for callback in list(self.on_processed):
            try:
                callback(processed)
            except Exception:
                log.exception("on_processed callback failed for %s", mention_id)
        return processed

    def _process_loop(self) -> None:
        while True:
            batch = [self._new.get()]
            # Whatever else is waiting is embedded in one batch first (cheaper per post
            # than one at a time); each mention is still processed, and fails, alone.
            while batch[-1] is not None and len(batch) < 32 and not self._new.empty():
                batch.append(self._new.get())
            stop = batch[-1] is None
            ids = [m for m in batch if m is not None]
            if len(ids) > 1:
                self._prepare(ids)
            for mid in ids:
                self._process_one(mid)
            if stop:
                return

    def _prepare(self, ids: list[str]) -> None:
        try:
            by_brand: dict[str | None, list[str]] = {}
            for mid in ids:
                row = self.store.get_mention(mid) or {}
                by_brand.setdefault(row.get("brand"), []).append(row.get("text") or "")
            for brand, texts in by_brand.items():
                self.engine.triager.prepare(texts, self.engine.policy(brand))
        except Exception:
            log.warning("could not embed new mentions ahead of triage", exc_info=True)

    def _process_one(self, mid: str) -> None:
        try:
            self.process(mid)
        except PolicyError as exc:
            # No policy for its brand (unknown, or its file never loaded): set it aside
            # once, with one event, instead of failing again at every start.
            log.warning("holding %s: no policy for its brand: %s", mid, exc)
            try:
                self.store.hold(mid, str(exc))
            except Exception:
                log.exception("could not hold %s", mid)
        except Exception as exc:
            # The mention stays 'new' in the store; the next start picks it up again.
            log.exception("processing %s failed", mid)
            try:
                self.store.log_event(mid, "process_failed", error=f"{type(exc).__name__}: {exc}")
            except Exception:
                log.exception("could not record the failure")

    # -- one round by hand ----------------------------------------------------------------------

    def fetch(self, source: str | None = None) -> list[PollResult]:
        if source is not None and source not in self.pollers:
            known = ", ".join(sorted(self.pollers)) or "none configured"
            raise SettingsError(f"no source named {source!r}", f"use one of: {known}")
        names = [source] if source else sorted(self.pollers)
        return [self.pollers[n].poll_once() for n in names]

    def retry(self, outbox_id: int, actor: str = "system") -> bool:
        ok = sql.retry_failed(self.store, outbox_id, actor)
        self._wake.set()
        return ok

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        if self._threads:
            return
        self._stop.clear()
        if self.process_new:
            self._release_held()
            for row in self.store.mentions_with_status("new"):
                self._new.put(row["id"])
            t = threading.Thread(target=self._process_loop, name="process-mentions", daemon=True)
            t.start()
            self._threads.append(t)
        t = threading.Thread(target=self.worker.run_forever, args=(self._stop,),
                             kwargs={"wake": self._wake, "idle": 1.0}, name="outbox", daemon=True)
        t.start()
        self._threads.append(t)
        for name, poller in self.pollers.items():
            if self.sources[name].poll_every > 0:
                self._threads.append(poller.start(self._stop))

    def _release_held(self) -> None:
        """Held mentions whose brand has a policy now go back to 'new'; the others stay
        held, named in one log line."""
        still: dict[str, int] = {}
        for row in self.store.mentions_with_status("held"):
            try:
                self.engine.policy(row["brand"])
            except AssistantError:
                brand = str(row["brand"] or "(default)")
                still[brand] = still.get(brand, 0) + 1
                continue
            self.store.release(row["id"])
        if still:
            log.warning("%d mentions held, no policy for their brand (%s): add the policy and restart",
                        sum(still.values()), ", ".join(f"{b}: {n}" for b, n in sorted(still.items())))

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self.process_new:
            self._new.put(None)
        for t in self._threads:
            t.join(timeout)
        self._threads = []

    def deliver(self, outbox_id: int) -> dict[str, Any]:
        return self.worker.deliver(outbox_id)

    def deliver_statements(self) -> int:
        """One round of the statements' outbox (approved spike statements that are due)."""
        return statements.run_due(self.store, statements.every_account(self), backoff=self.worker.backoff,
                                  on_outcome=self.on_statement)

    def wake(self) -> None:
        """Tell the outbox worker to look now (e.g. right after an approval)."""
        self._wake.set()

