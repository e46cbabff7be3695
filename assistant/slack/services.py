"""What the Slack listeners share, built once per app: ``Services`` holds the parts, each
in its own module, and wires the runtime's hooks to them.

- ``gateway``: every call to Slack's Web API (``SlackGateway``);
- ``access``: each brand's policy and channels, and who may act;
- ``cards``: what a review card shows, redrawing it, its thread;
- ``poster``: posting each card once, and drafting what it shows;
- ``decisions``: the review core's decisions, told to people and written in the thread;
- ``spikes``: the spikes' alert cards, over the storm desk (``storms``);
- ``workers``: the background pools (listeners ``ack()`` first and hand slow work there).

The decisions themselves are the review core's (``assistant.review``) and the storm desk's
(``assistant.storms.desk``); nothing here decides.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient

from assistant import review
from assistant.slack.access import Access
from assistant.slack.cards import ReviewCards
from assistant.slack.decisions import CardDecisions
from assistant.slack.desk_ports import ReviewCore, RuntimeStatementOutbox
from assistant.slack.directory import Directory
from assistant.slack.gateway import SlackGateway
from assistant.slack.posting import CardPoster
from assistant.slack.spikes import SpikeDesk
from assistant.slack.workers import Workers
from assistant.storms.desk import StormDesk

if TYPE_CHECKING:
    from assistant.domain.ports import RuntimePort
    from assistant.engine import Engine
    from assistant.settings import Settings

log = logging.getLogger("assistant.slack")


class Services:
    """The Slack app's parts, and its start and stop."""

    def __init__(self, engine: Engine, runtime: RuntimePort, settings: Settings, client: WebClient) -> None:
        self.engine = engine
        self.store = engine.store
        self.runtime = runtime
        self.settings = settings
        self.client = client
        self.review = review.Review(engine, runtime)
        self.workers = Workers()
        self.gateway = SlackGateway(client)
        self.directory = Directory(client)
        self.access = Access(engine, settings, self.directory)
        self.cards = ReviewCards(self.store, runtime, settings, self.gateway, self.access, self.workers)
        self.poster = CardPoster(engine, settings, self.gateway, self.access, self.cards, self.workers)
        self.decisions = CardDecisions(self.review, runtime, self.gateway, self.access, self.cards, self.workers)
        self.storms = StormDesk(self.store, ReviewCore(self.review), RuntimeStatementOutbox(self.store, runtime, settings.brand),
                                policy=self.access.policy, brands=lambda: list(engine.policies.brands()),
                                default_brand=settings.brand)
        # spikes, statements and the group's cards (shitstorms)
        self.spikes = SpikeDesk(self.storms, settings, runtime, self.gateway, self.access, self.cards,
                                self.decisions, self.workers)
        self._stop = threading.Event()
        self._loop: threading.Thread | None = None
        runtime.on_outcome.append(self.decisions.on_outcome)
        # The runtime triages and drafts what its pollers and webhooks bring in, then tells us.
        runtime.on_processed.append(self._processed)

    def _processed(self, processed: Any) -> None:
        self.workers.io_work(self.poster.card_ready, processed.mention_id)

    # -- start and stop -----------------------------------------------------------------------

    def start(self, interval: float = 2.0) -> None:
        """Post cards for mentions that arrive by other routes (pollers, webhooks), every few seconds."""
        self.poster.recover_cards()  # a crash between claiming a card and saving its ts
        self._stop.clear()

        def loop() -> None:
            while not self._stop.is_set():
                try:
                    self.poster.publish_pending()
                except Exception:
                    log.exception("publishing review cards failed")
                self._stop.wait(interval)
        self._loop = threading.Thread(target=loop, name="assistant-cards", daemon=True)
        self._loop.start()
        self.spikes.start()

    def close(self, wait: bool = True) -> None:
        self._stop.set()
        if self._loop is not None:
            self._loop.join(timeout=5)
        self.spikes.close()
        self.workers.close(wait)

    def check_channels(self) -> list[str]:
        """At start (``assistant serve``): one line per configured channel the app cannot use."""
        return self.access.check_channels()
