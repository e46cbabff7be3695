"""Posting review cards, each exactly once, and drafting what they show.

A card is claimed in the store before it is posted and its ts saved after; a card whose
chat.postMessage got no answer (or a crash in between) is looked for in its channel by its
metadata (``SlackGateway.find_cards``) instead of being posted twice. A card goes up at
once with a placeholder when the mention still needs its draft; the model's work runs on
the one model worker and the card is redrawn when it is done.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future
from datetime import datetime
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from assistant.domain.errors import AssistantError
from assistant.domain.models import Action, Mention, Triage
from assistant.slack.access import Access
from assistant.slack.cards import ReviewCards
from assistant.slack.gateway import CARD_LOOKBACK_S, Ref, SlackGateway
from assistant.slack.views.card import review_card
from assistant.slack.views.mrkdwn import escape, readable_error, who
from assistant.slack.workers import Workers
from assistant.store import slack_sql as tables

if TYPE_CHECKING:
    from assistant.engine import Engine
    from assistant.settings import Settings

log = logging.getLogger("assistant.slack")

# Slack's answers that mean the channel itself is wrong: the card waits until it is fixed.
BAD_CHANNEL = ("channel_not_found", "not_in_channel", "is_archived")


def _epoch(iso: str | None) -> float:
    try:
        return datetime.fromisoformat(str(iso).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


class CardPoster:
    def __init__(self, engine: Engine, settings: Settings, gateway: SlackGateway, access: Access,
                 cards: ReviewCards, workers: Workers) -> None:
        self.engine = engine
        self.store = engine.store
        self.settings = settings
        self.gateway = gateway
        self.access = access
        self.cards = cards
        self.workers = workers
        self.bad_channels: set[str] = set()  # said once in the log, not at every round

    # -- new mentions -----------------------------------------------------------------------

    def add_mention(self, mention: Mention, brand: str | None = None) -> str:
        self.store.add_mentions([mention], brand or self.settings.brand)
        return mention.key

    def publish_pending(self) -> int:
        """Cards for mentions that are complete (status 'awaiting': triaged and drafted together)
        and have none yet. A 'new' mention is still being processed by whoever took it in."""
        ids = tables.mentions_without_card(self.store)
        for mention_id in ids:
            self.publish(mention_id)
        return len(ids)

    def publish(self, mention_id: str) -> Future[Any]:
        return self.workers.io_work(self.post_card, mention_id)

    def card_ready(self, mention_id: str) -> None:
        """A mention was triaged and drafted elsewhere (the runtime): post its card, or redraw
        the one already there (a placeholder posted before a restart)."""
        if tables.card(self.store, mention_id):
            self.cards.update_card(mention_id)
        else:
            self.post_card(mention_id)

    # -- triage and draft -------------------------------------------------------------------

    def ensure_triage(self, mention_id: str) -> Triage:
        """The stored triage, or one worked out now but NOT stored: the store records triage
        and first draft together (``complete``), so a mention is 'awaiting' only when both exist."""
        triage = self.store.triage(mention_id)
        if triage is None:
            triage = self.engine.triage(self.store.mention(mention_id), self.access.brand_of(mention_id))
        return triage

    def needs_draft(self, mention_id: str) -> bool:
        """Whether ``complete`` has work to do: not triaged yet, or a reply with no draft."""
        triage = self.store.triage(mention_id)
        if triage is None:
            return True
        return (triage.action is Action.REPLY and self.store.latest_draft(mention_id) is None
                and self.cards.can_reply(mention_id))

    def complete(self, mention_id: str) -> None:
        """Triage and draft a mention that is not complete yet; never drafts it a second time
        (a new draft of a drafted mention is Regenerate's job)."""
        with self.cards.lock("draft:" + mention_id):
            if self.needs_draft(mention_id):
                self.engine.process(mention_id)

    def draft(self, mention_id: str, ref: Ref | None, instruction: str | None = None,
              regenerate: bool = False) -> None:
        """Draft (or draft again) on the model worker, then redraw the card; a new draft of a
        regenerate is quoted in the card's thread."""
        notice = None
        try:
            if regenerate:
                self.engine.regenerate(mention_id, instruction, brand=self.access.brand_of(mention_id))
            else:
                self.complete(mention_id)
        except Exception as exc:
            log.exception("drafting %s failed", mention_id)
            notice = f"⚠️ Drafting failed: {escape(readable_error(str(exc)))}"
        self.cards.update_card(mention_id, ref, notice=notice)
        latest = self.store.latest_draft(mention_id)
        if regenerate and notice is None and latest is not None and latest[1].text:
            asked = f" ({escape(instruction)})" if instruction else ""
            self.cards.thread_note(mention_id, f"✍️ New draft{asked} for {who((ref or {}).get('user'))}:",
                                   quote=latest[1].text)

    def regenerate(self, mention_id: str, instruction: str | None, ref: Ref, label: str) -> None:
        self.cards.update_card(mention_id, ref, notice=f"✍️ Regenerating ({label}) for {who(ref.get('user'))} …",
                               working=True)
        self.workers.model_work(self.draft, mention_id, ref, instruction, True)

    # -- posting once -----------------------------------------------------------------------

    def post_card(self, mention_id: str) -> None:
        """Post the review card for a mention once: a placeholder at once, the draft when it is ready."""
        if not tables.claim_card(self.store, mention_id):
            return
        try:
            brand = self.access.brand_of(mention_id)
            triage = self.ensure_triage(mention_id)
            channel = self.access.channel_for(brand, triage)
            if not channel:
                raise AssistantError("no review channel",
                                     "set ASSISTANT_REVIEW_CHANNEL or review.channel in the policy")
            needs_draft = self.needs_draft(mention_id)
            notice = "✍️ Drafting a reply …" if needs_draft else None
            text, blocks = review_card(self.cards.card_data(mention_id, notice, working=needs_draft))
            tables.mark_posting(self.store, mention_id, channel)  # where to look after a crash
            resp: Any
            try:
                resp = self.gateway.post_card(channel, text, blocks, mention_id)
            except SlackApiError as exc:
                error = str(exc.response.get("error"))
                if exc.response.status_code >= 500 and (found := self._landed(mention_id, channel)):
                    resp = found  # Slack failed after posting it
                elif error not in BAD_CHANNEL:
                    raise
                else:
                    # One clear line per channel, not a traceback every round: the card waits
                    # (unclaimed) until the channel is fixed and the app restarted or invited.
                    if channel not in self.bad_channels:
                        self.bad_channels.add(channel)
                        log.error("cannot post review cards to %s: Slack answers %s. Set ASSISTANT_REVIEW_CHANNEL "
                                  "(or review.channel in the policy) to a channel id (C...) the app is in, and "
                                  "invite the app with /invite", channel, error)
                    tables.release_card(self.store, mention_id)
                    return
            except Exception:  # no answer (a timeout, a dropped connection): it may have landed
                found = self._landed(mention_id, channel)
                if found is None:
                    raise
                resp = found
            tables.save_card(self.store, mention_id, resp["channel"], resp["ts"])
        except BaseException:
            tables.release_card(self.store, mention_id)
            raise
        if needs_draft:
            self.workers.model_work(self.draft, mention_id, None)

    def find_cards(self, channel: str, wanted: set[str], since: float) -> tuple[str, dict[str, str]]:
        """The channel's id, and the ts of each wanted mention's card posted there since ``since``."""
        channel = self.access.channel_id(channel)
        return channel, self.gateway.find_cards(channel, wanted, since)

    def _landed(self, mention_id: str, channel: str) -> dict[str, str] | None:
        """After chat.postMessage gave no answer: the card if it was posted after all."""
        try:
            channel, found = self.find_cards(channel, {mention_id}, time.time() - CARD_LOOKBACK_S)
        except Exception as exc:
            log.warning("cannot look in %s for the card of %s (%s); it will be posted again", channel,
                        mention_id, exc)
            return None
        if mention_id not in found:
            return None
        log.info("the card of %s was posted although Slack did not answer; keeping it", mention_id)
        return {"channel": channel, "ts": found[mention_id]}

    def recover_cards(self) -> int:
        """Cards left half-posted by a crash (claimed, no ts saved). One whose channel was
        recorded may be in Slack already: it is looked for there by its metadata and kept if
        found (then redrawn or drafted); the others are released and posted again. Returns
        how many were found."""
        by_channel: dict[str, list[dict[str, Any]]] = {}
        for claim in tables.posting_claims(self.store):
            if claim["channel"]:
                by_channel.setdefault(claim["channel"], []).append(claim)
            else:
                tables.release_card(self.store, claim["mention_id"])  # killed before posting
        kept = 0
        for channel, claims in by_channel.items():
            wanted = {c["mention_id"] for c in claims}
            since = min(_epoch(c["updated_at"]) for c in claims) - CARD_LOOKBACK_S
            try:
                channel, found = self.find_cards(channel, wanted, since)
            except Exception as exc:  # cannot read the channel: a card twice beats a card lost
                log.warning("cannot look in %s for %s review cards being posted when the app stopped (%s); "
                            "posting them again, so some may show twice", channel, len(wanted), exc)
                found = {}
            for mention_id in sorted(wanted):
                if mention_id in found:
                    tables.save_card(self.store, mention_id, channel, found[mention_id])
                    self.workers.io_work(self._resume_card, mention_id)
                    kept += 1
                else:
                    tables.release_card(self.store, mention_id)
        if kept:
            log.info("%s review cards posted before the app stopped were found in Slack and kept", kept)
        return kept

    def _resume_card(self, mention_id: str) -> None:
        """A card found again after a crash: draft it if it waits for a draft, else redraw it."""
        if self.needs_draft(mention_id):
            self.workers.model_work(self.draft, mention_id, None)
        else:
            self.cards.update_card(mention_id)

    # -- /reply -----------------------------------------------------------------------------

    def reply_card(self, mention_id: str, response_url: str) -> None:
        """For /reply: triage and draft now, then replace the ephemeral placeholder with the card."""
        ref = {"response_url": response_url}
        if tables.card(self.store, mention_id) is not None:
            # A stored mention with its card in a channel: point there (that card has the buttons).
            link = self.cards.permalink(mention_id)
            where = f"<{link}|its review card>" if link else "its review card in the review channel"
            self.gateway.replace_original(response_url, f"This mention already has a review card: open {where}.")
            return
        tables.claim_card(self.store, mention_id, kind="ephemeral")  # not re-posted in the channel
        try:
            self.complete(mention_id)
            self.cards.update_card(mention_id, ref)
        except Exception as exc:
            log.exception("/reply failed")
            self.gateway.replace_original(response_url,
                                          f"Could not draft a reply: {escape(readable_error(str(exc)))}")
