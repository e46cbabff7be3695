"""A mention's review card: what it shows (``card_data``, from the store), redrawing it
in place, and its thread, where the mention's history is written one line at a time.

The card is drawn by ``views.card``; posting it the first time (once, even after a crash)
is ``posting.py``'s job.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from assistant import review
from assistant.domain.errors import AssistantError
from assistant.review import core as review_core
from assistant.slack.access import Access
from assistant.slack.gateway import Ref, SlackGateway
from assistant.slack.views.alert import card_extra
from assistant.slack.views.card import CardData, review_card
from assistant.slack.workers import Workers
from assistant.store import slack_sql as tables

if TYPE_CHECKING:
    from assistant.domain.ports import RuntimePort
    from assistant.settings import Settings
    from assistant.store import Store


class ReviewCards:
    """Draws and redraws review cards, and writes in their threads. ``extra_lines``: the
    lines a card carries besides the mention (the author's super-fan line, the spike it is
    part of); set by whoever knows them (the spike desk), so this module needs no spikes."""

    def __init__(self, store: Store, runtime: RuntimePort, settings: Settings, gateway: SlackGateway,
                 access: Access, workers: Workers) -> None:
        self.store = store
        self.runtime = runtime
        self.settings = settings
        self.gateway = gateway
        self.access = access
        self.workers = workers
        self.extra_lines: Callable[[str], list[str]] = lambda mention_id: []
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()

    def lock(self, key: str) -> threading.Lock:
        """One lock per card (and per mention's drafting: ``"draft:" + id``)."""
        with self._locks_lock:
            return self._locks.setdefault(key, threading.Lock())

    # -- what a card shows --------------------------------------------------------------------

    def card_data(self, mention_id: str, notice: str | None = None, working: bool = False) -> CardData:
        row = self.store.get_mention(mention_id)
        if row is None:
            raise AssistantError(f"no mention {mention_id}", "it may have been removed from the database")
        latest = self.store.latest_draft(mention_id)
        policy = self.access.policy(row.get("brand"))
        outbox = tables.outbox_for(self.store, mention_id)
        return CardData(
            mention_id=mention_id, mention=row, triage=self.store.triage(mention_id),
            draft=latest[1] if latest else None, draft_id=latest[0] if latest else None,
            limit=policy.voice.limit_for(row.get("network")) if policy else None,
            decision=tables.last_decision(self.store, mention_id),
            outbox=outbox,
            follow_up=tables.follow_up(self.store, mention_id), notice=notice, working=working,
            read_only=not self.can_reply(mention_id),
            local_outbox=self.local_outbox(outbox["connector"] if outbox else self.connector_name(mention_id)),
            owner=review.owner(self.store, mention_id),
            network_action=review_core.hide_result(self.store, mention_id),
            extra=card_extra(self.extra_lines(mention_id)),
        )

    def can_reply(self, mention_id: str) -> bool:
        """False for a read-only source (a feed): nothing can be posted to it from here."""
        try:
            return bool(self.runtime.capabilities(mention_id).reply)
        except AssistantError:  # its source was removed from the sources file: the outbox will say so
            return True

    def connector_name(self, mention_id: str) -> str:
        """What the runtime posts this reply through (its configured source, or its local outbox)."""
        return self.runtime.connector_name(mention_id)

    def local_outbox(self, connector: str | None) -> str | None:
        """The local outbox file's name when replies through ``connector`` only go there
        (the runtime's LOCAL connector: no network is posted to), else None."""
        if not self.runtime.is_local(connector):
            return None
        return Path(self.settings.outbox_file).name

    def approve_label(self, mention_id: str) -> str:
        """What the card's Approve button says; the Edit form's submit button says the same."""
        return "Approve and save" if self.local_outbox(self.connector_name(mention_id)) else "Approve and post"

    # -- drawing it -----------------------------------------------------------------------------

    def update_card(self, mention_id: str, ref: Ref | None = None, notice: str | None = None,
                    working: bool = False) -> None:
        """Redraw a card in place from what the store says now."""
        with self.lock(mention_id):
            text, blocks = review_card(self.card_data(mention_id, notice, working))
            self.gateway.update_card(tables.card(self.store, mention_id), ref, text, blocks)

    def redraw_later(self, mention_id: str, ref: Ref | None = None) -> None:
        """Redraw a card off the request thread, if it has been posted."""
        self.workers.io_work(self.update_card, mention_id, ref)

    def redraw_if_posted(self, mention_id: str) -> None:
        """Redraw a mention's card (off the request thread) when it has one in a channel."""
        if tables.card(self.store, mention_id):
            self.workers.io_work(self.update_card, mention_id)

    # -- its thread: the mention's history ------------------------------------------------------

    def thread_note(self, mention_id: str, text: str, quote: str | None = None) -> None:
        """One line of the mention's history in its card's thread (drafts, edits, decisions,
        the posting result), where people can also discuss it. Off the request thread."""
        card = tables.card(self.store, mention_id)
        if not card:
            return
        self.workers.io_work(self.gateway.thread_note, card["channel"], card["ts"], text, quote)

    def permalink(self, mention_id: str) -> str | None:
        card = tables.card(self.store, mention_id)
        return self.gateway.permalink(card["channel"], card["ts"]) if card else None
