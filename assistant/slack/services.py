"""What the Slack listeners share, each concern in its own place: background work
(``workers.py``), who and where in Slack (``directory.py``), the decisions and their rules
(``assistant.review``); here: who may act, the review cards and their threads, and telling
people what happened. Listeners ``ack()`` first and hand slow work to the workers.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient

from assistant import review
from assistant.domain.errors import AssistantError
from assistant.domain.models import Action, Mention, Triage
from assistant.review import core as review_core
from assistant.slack.directory import Directory
from assistant.slack.links import MessageLinks
from assistant.slack.spikes import SpikeDesk
from assistant.slack.views.alert import card_extra
from assistant.slack.views.card import OUTCOME, CardData, review_card
from assistant.slack.views.elements import clip, md, network_label
from assistant.slack.views.mrkdwn import escape, readable_error, safe_url, who
from assistant.slack.workers import Workers
from assistant.store import OPEN_STATUSES, StaleDecision
from assistant.store import slack_sql as tables

if TYPE_CHECKING:
    from assistant.domain.ports import Runtime
    from assistant.engine import Engine
    from assistant.policy.models import Policy
    from assistant.settings import Settings

log = logging.getLogger("assistant.slack")

Ref = dict[str, Any]  # where a card lives: {"channel", "ts"} or {"response_url"}, plus "user"


def api_base_url(url: str | None) -> str:
    """The Web API base URL; ASSISTANT_SLACK_API_URL may name it with or without /api/."""
    if not url:
        return WebClient.BASE_URL
    url = url.rstrip("/")
    if not url.endswith("/api"):
        url += "/api"
    return url + "/"


def make_client(settings: Settings, token: str | None = None) -> WebClient:
    """A Web API client that waits out 429s (Retry-After) and retries 5xx and dropped connections."""
    return WebClient(
        token=token or settings.slack_bot_token,
        base_url=api_base_url(settings.slack_api_url),
        timeout=15,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=2),
                        RateLimitErrorRetryHandler(max_retry_count=8),
                        ServerErrorRetryHandler(max_retry_count=2)],
    )


# The metadata each review card is posted with (Slack's message metadata): after a crash or a
# lost answer between chat.postMessage and saving the card's ts, the card is found again in its
# channel by conversations.history (include_all_metadata) instead of being posted twice.
CARD_EVENT = "assistant_review_card"
CARD_LOOKBACK_S = 600  # how far before the claim the channel is searched (clocks differ)


def card_metadata(mention_id: str) -> dict[str, Any]:
    return {"event_type": CARD_EVENT, "event_payload": {"mention_id": mention_id}}


def card_client(client: WebClient) -> WebClient:
    """The client for chat.postMessage of review cards: waits out 429s (nothing was posted)
    but never re-sends after a dropped connection or a 5xx (something may have been)."""
    return WebClient(token=client.token, base_url=client.base_url, timeout=client.timeout,
                     retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=8)])


def _epoch(iso: str | None) -> float:
    from datetime import datetime

    try:
        return datetime.fromisoformat(str(iso).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


class Services:
    """What the listeners share. The decisions themselves are the review core's
    (``assistant.review``); this class asks who may make them (Slack people), runs the
    slow parts off the request thread and keeps each card and its thread up to date."""

    def __init__(self, engine: Engine, runtime: Runtime, settings: Settings, client: WebClient) -> None:
        self.engine = engine
        self.store = engine.store
        self.runtime = runtime
        self.review = review.Review(engine, runtime)
        # "mention id|user" -> an edited text that was answered with overridable warnings: the
        # same text submitted again by that person is accepted.
        self.warned_edits: dict[str, str] = {}
        self.settings = settings
        self.client = client
        # Review cards are posted with a client that does not re-send chat.postMessage after a
        # dropped connection or a 5xx (the first may have landed): post_card looks for the card
        # in its channel instead (by its metadata), so each card is posted once.
        self.card_client = card_client(client)
        self.directory = Directory(client)
        self.links = MessageLinks(client)
        self.workers = Workers()
        self._card_locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()
        self._bad_channels: set[str] = set()  # said once in the log, not at every round
        self._unreadable: set[str] = set()  # escalation channels whose members the app cannot read
        self._stop = threading.Event()
        self._loop: threading.Thread | None = None
        runtime.on_outcome.append(self._on_outcome)
        # The runtime triages and drafts what its pollers and webhooks bring in, then tells us.
        runtime.on_processed.append(self._processed)
        self.spikes = SpikeDesk(self)  # spikes, statements and the group's cards (shitstorms)

    def _processed(self, processed: Any) -> None:
        self.in_background(self.card_ready, processed.mention_id)

    @property
    def cache_seconds(self) -> float:
        return self.directory.cache_seconds

    @cache_seconds.setter
    def cache_seconds(self, value: float) -> None:
        self.directory.cache_seconds = value

    # -- background work (workers.py) -------------------------------------------------------

    @property
    def io(self) -> ThreadPoolExecutor:  # the benchmark reaches the pools directly
        return self.workers.io

    @property
    def model(self) -> ThreadPoolExecutor:
        return self.workers.model

    @property
    def _pending(self) -> set[Future[Any]]:  # the benchmark asks whether work is still queued
        return self.workers._pending

    def in_background(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        return self.workers.io_work(fn, *args)

    def with_model(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        return self.workers.model_work(fn, *args)

    def drain(self, timeout: float = 30.0) -> None:
        """Wait until no background work is left (tests, shutdown)."""
        self.workers.drain(timeout)

    def start(self, interval: float = 2.0) -> None:
        """Post cards for mentions that arrive by other routes (pollers, webhooks), every few seconds."""
        self.recover_cards()  # a crash between claiming a card and saving its ts
        self._stop.clear()

        def loop() -> None:
            while not self._stop.is_set():
                try:
                    self.publish_pending()
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

    # -- policy, channels, approvers ----------------------------------------------------------

    def brand_of(self, mention_id: str) -> str | None:
        row = self.store.get_mention(mention_id)
        return row.get("brand") if row else None

    def policy(self, brand: str | None = None) -> Policy | None:
        try:
            return self.engine.policy(brand)
        except AssistantError:
            return None

    def review_channel(self, brand: str | None = None) -> str | None:
        """ASSISTANT_REVIEW_CHANNEL when it is set, else the policy's review.channel: the
        environment of one deployment beats the policy file it shares with others."""
        policy = self.policy(brand)
        return self.settings.review_channel or (policy.review.channel if policy else None)

    def channel_for(self, brand: str | None, triage: Triage | None) -> str | None:
        """Escalations go to their rule's channel when it names one; the rest to the review channel."""
        if triage is not None and triage.action is Action.ESCALATE and triage.team:
            return self.team_channel(brand, triage.team) or self.review_channel(brand)
        return self.review_channel(brand)

    def team_channel(self, brand: str | None, team: str) -> str | None:
        policy = self.policy(brand)
        for rule in policy.escalation if policy else []:
            if rule.channel and rule.team == team:
                return rule.channel
        return None

    def escalation_channels(self, brand: str | None) -> list[str]:
        policy = self.policy(brand)
        return list(dict.fromkeys(r.channel for r in (policy.escalation if policy else []) if r.channel))

    def approvers(self, brand: str | None = None) -> list[str]:
        policy = self.policy(brand)
        return [*self.settings.approvers, *(policy.review.approvers if policy else [])]

    def channel_id(self, channel: str) -> str:
        """A channel id for a configured channel, which may be a name such as ``#aurora-replies``."""
        return self.directory.channel_id(channel)

    def is_approver(self, user: str, brand: str | None = None, mention_id: str | None = None) -> bool:
        """Approvers are the Slack user ids and user groups (S...) in settings or the policy;
        when none are named, the members of the review channel. The person an escalated
        mention is assigned to may act on it, and (ASSISTANT_ESCALATION_CHANNEL_APPROVERS, on by
        default) so may the members of the policy's escalation channels. Fails closed."""
        try:
            if mention_id is not None:
                owner = review.owner(self.store, mention_id)
                if owner and owner.get("assignee") == user:
                    return True
            if self.settings.escalation_channel_approvers and self._in_escalation_channel(user, brand):
                return True
            ids = self.approvers(brand)
            if ids:
                return user in ids or any(self.directory.in_group(user, g) for g in ids if g.startswith("S"))
            channel = self.review_channel(brand)
            return bool(channel) and self.directory.is_member(user, str(channel))
        except SlackApiError as exc:
            log.error("cannot check approvers: %s", exc.response.get("error"))
            return False
        except AssistantError as exc:
            log.error("cannot check approvers: %s", exc)
            return False

    def _in_escalation_channel(self, user: str, brand: str | None) -> bool:
        for channel in self.escalation_channels(brand):
            try:
                if self.directory.is_member(user, channel):
                    return True
            except (SlackApiError, AssistantError) as exc:  # not invited there: the other rules still apply
                if channel not in self._unreadable:  # said once, not at every click
                    self._unreadable.add(channel)
                    log.warning("cannot read the members of %s: %s", channel, exc)
        return False

    def refusal(self, brand: str | None = None) -> str:
        if self.approvers(brand):
            return ("Only approvers can do that, so nothing was changed. Ask an admin to add you to "
                    "ASSISTANT_APPROVERS or the policy's review.approvers.")
        channel = self.review_channel(brand)
        where = (f"<#{channel}>" if channel and re.fullmatch(r"[CG][A-Z0-9]+", channel)
                 else escape(channel) if channel else "the review channel")
        return f"Only members of {where} can do that, so nothing was changed. Join it first."

    def check_channels(self) -> list[str]:
        """At start: one line per configured channel the app cannot find or post to."""
        problems = []
        brands: list[str | None] = [*self.engine.policies.brands()] or [None]
        for channel in dict.fromkeys(c for b in brands for c in [self.review_channel(b)] if c):
            try:
                self.directory.check(channel)
            except AssistantError as exc:
                problems.append(f"review channel {channel}: {exc}")
            except SlackApiError as exc:
                problems.append(f"review channel {channel}: Slack answered {exc.response.get('error')}")
        return problems

    # -- talking to people ------------------------------------------------------------------

    def ephemeral(self, ref: Ref, text: str) -> None:
        """A message only ``ref['user']`` sees, next to the card."""
        try:
            if ref.get("channel") and not ref.get("ephemeral"):
                self.client.chat_postEphemeral(channel=ref["channel"], user=ref["user"], text=text)
            elif ref.get("response_url"):
                WebhookClient(ref["response_url"]).send(text=text, response_type="ephemeral",
                                                        replace_original=False)
        except SlackApiError as exc:
            log.error("could not tell %s: %s (%s)", ref.get("user"), text, exc.response.get("error"))

    # -- review cards -----------------------------------------------------------------------

    def _card_lock(self, mention_id: str) -> threading.Lock:
        with self._locks_lock:
            return self._card_locks.setdefault(mention_id, threading.Lock())

    def card_data(self, mention_id: str, notice: str | None = None, working: bool = False) -> CardData:
        row = self.store.get_mention(mention_id)
        if row is None:
            raise AssistantError(f"no mention {mention_id}", "it may have been removed from the database")
        latest = self.store.latest_draft(mention_id)
        policy = self.policy(row.get("brand"))
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
            extra=card_extra(self.spikes.card_lines(mention_id)),
        )

    def can_reply(self, mention_id: str) -> bool:
        """False for a read-only source (a feed): nothing can be posted to it from here."""
        try:
            return bool(self.runtime.capabilities(mention_id).reply)
        except AssistantError:  # its source was removed from the sources file: the outbox will say so
            return True

    def local_outbox(self, connector: str | None) -> str | None:
        """The local outbox file's name when replies through ``connector`` only go there
        (the runtime's LOCAL connector: no network is posted to), else None."""
        if not self.runtime.is_local(connector):
            return None
        return Path(self.settings.outbox_file).name

    def approve_label(self, mention_id: str) -> str:
        """What the card's Approve button says; the Edit form's submit button says the same."""
        return "Approve and save" if self.local_outbox(self.connector_name(mention_id)) else "Approve and post"

    def update_card(self, mention_id: str, ref: Ref | None = None, notice: str | None = None,
                    working: bool = False) -> None:
        """Redraw a card in place from what the store says now."""
        with self._card_lock(mention_id):
            text, blocks = review_card(self.card_data(mention_id, notice, working))
            where = tables.card(self.store, mention_id)
            if where:
                self.client.chat_update(channel=where["channel"], ts=where["ts"], text=text, blocks=blocks)
            elif ref and ref.get("response_url"):
                WebhookClient(ref["response_url"]).send(text=text, blocks=blocks, replace_original=True)

    def publish_pending(self) -> int:
        """Cards for mentions that are complete (status 'awaiting': triaged and drafted together)
        and have none yet. A 'new' mention is still being processed by whoever took it in."""
        ids = tables.mentions_without_card(self.store)
        for mention_id in ids:
            self.publish(mention_id)
        return len(ids)

    def publish(self, mention_id: str) -> Future[Any]:
        return self.in_background(self.post_card, mention_id)

    def ensure_triage(self, mention_id: str) -> Triage:
        """The stored triage, or one worked out now but NOT stored: the store records triage
        and first draft together (``complete``), so a mention is 'awaiting' only when both exist."""
        triage = self.store.triage(mention_id)
        if triage is None:
            triage = self.engine.triage(self.store.mention(mention_id), self.brand_of(mention_id))
        return triage

    def needs_draft(self, mention_id: str) -> bool:
        """Whether ``complete`` has work to do: not triaged yet, or a reply with no draft."""
        triage = self.store.triage(mention_id)
        if triage is None:
            return True
        return (triage.action is Action.REPLY and self.store.latest_draft(mention_id) is None
                and self.can_reply(mention_id))

    def complete(self, mention_id: str) -> None:
        """Triage and draft a mention that is not complete yet; never drafts it a second time
        (a new draft of a drafted mention is Regenerate's job)."""
        with self._draft_lock(mention_id):
            if self.needs_draft(mention_id):
                self.engine.process(mention_id)

    def _draft_lock(self, mention_id: str) -> threading.Lock:
        with self._locks_lock:
            return self._card_locks.setdefault("draft:" + mention_id, threading.Lock())

    def card_ready(self, mention_id: str) -> None:
        """A mention was triaged and drafted elsewhere (the runtime): post its card, or redraw
        the one already there (a placeholder posted before a restart)."""
        if tables.card(self.store, mention_id):
            self.update_card(mention_id)
        else:
            self.post_card(mention_id)

    def post_card(self, mention_id: str) -> None:
        """Post the review card for a mention once: a placeholder at once, the draft when it is ready."""
        if not tables.claim_card(self.store, mention_id):
            return
        try:
            brand = self.brand_of(mention_id)
            triage = self.ensure_triage(mention_id)
            channel = self.channel_for(brand, triage)
            if not channel:
                raise AssistantError("no review channel",
                                     "set ASSISTANT_REVIEW_CHANNEL or review.channel in the policy")
            needs_draft = self.needs_draft(mention_id)
            notice = "✍️ Drafting a reply …" if needs_draft else None
            text, blocks = review_card(self.card_data(mention_id, notice, working=needs_draft))
            tables.mark_posting(self.store, mention_id, channel)  # where to look after a crash
            resp: Any
            try:
                resp = self.card_client.chat_postMessage(channel=channel, text=text, blocks=blocks,
                                                         unfurl_links=False, unfurl_media=False,
                                                         metadata=card_metadata(mention_id))
            except SlackApiError as exc:
                error = str(exc.response.get("error"))
                if exc.response.status_code >= 500 and (found := self._landed(mention_id, channel)):
                    resp = found  # Slack failed after posting it
                elif error not in ("channel_not_found", "not_in_channel", "is_archived"):
                    raise
                else:
                    # One clear line per channel, not a traceback every round: the card waits
                    # (unclaimed) until the channel is fixed and the app restarted or invited.
                    if channel not in self._bad_channels:
                        self._bad_channels.add(channel)
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
            self.with_model(self._draft, mention_id, None)

    def find_cards(self, channel: str, wanted: set[str], since: float) -> tuple[str, dict[str, str]]:
        """The channel's id, and the ts of each wanted mention's review card posted there since
        ``since`` (epoch seconds), found by the metadata it was posted with. Raises when the
        channel cannot be read."""
        channel = self.channel_id(channel)
        found: dict[str, str] = {}
        cursor = None
        for _ in range(50):  # at most 10,000 messages back
            resp = self.client.conversations_history(channel=channel, oldest=f"{since:.6f}", limit=200,
                                                     include_all_metadata=True, cursor=cursor)
            for message in resp.get("messages") or []:
                meta = message.get("metadata") or {}
                mention_id = (meta.get("event_payload") or {}).get("mention_id")
                if meta.get("event_type") == CARD_EVENT and mention_id in wanted:
                    found.setdefault(mention_id, message["ts"])  # newest first
            cursor = (resp.get("response_metadata") or {}).get("next_cursor")
            if found.keys() >= wanted or not cursor:
                break
        return channel, found

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
                    self.in_background(self._resume_card, mention_id)
                    kept += 1
                else:
                    tables.release_card(self.store, mention_id)
        if kept:
            log.info("%s review cards posted before the app stopped were found in Slack and kept", kept)
        return kept

    def _resume_card(self, mention_id: str) -> None:
        """A card found again after a crash: draft it if it waits for a draft, else redraw it."""
        if self.needs_draft(mention_id):
            self.with_model(self._draft, mention_id, None)
        else:
            self.update_card(mention_id)

    def _draft(self, mention_id: str, ref: Ref | None, instruction: str | None = None,
               regenerate: bool = False) -> None:
        notice = None
        try:
            if regenerate:
                self.engine.regenerate(mention_id, instruction, brand=self.brand_of(mention_id))
            else:
                self.complete(mention_id)
        except Exception as exc:
            log.exception("drafting %s failed", mention_id)
            notice = f"⚠️ Drafting failed: {escape(readable_error(str(exc)))}"
        self.update_card(mention_id, ref, notice=notice)
        latest = self.store.latest_draft(mention_id)
        if regenerate and notice is None and latest is not None and latest[1].text:
            asked = f" ({escape(instruction)})" if instruction else ""
            self.thread_note(mention_id, f"✍️ New draft{asked} for {who((ref or {}).get('user'))}:",
                             quote=latest[1].text)

    def regenerate(self, mention_id: str, instruction: str | None, ref: Ref, label: str) -> None:
        self.update_card(mention_id, ref, notice=f"✍️ Regenerating ({label}) for {who(ref.get('user'))} …",
                         working=True)
        self.with_model(self._draft, mention_id, ref, instruction, True)

    # -- decisions: the review core decides, these tell people and redraw ---------------------

    def still_open(self, mention_id: str, ref: Ref, allowed: tuple[str, ...] = OPEN_STATUSES) -> bool:
        """False (and the person is told, and the card redrawn) when the mention was handled already.
        ``allowed``: the statuses the action applies to (APPROVABLE_STATUSES for a corrected reply)."""
        row = self.store.get_mention(mention_id)
        if row is None:
            self.ephemeral(ref, "This card's mention is no longer in the database; nothing was changed.")
            return False
        if row["status"] in allowed:
            return True
        last = tables.last_decision(self.store, mention_id)
        by = f" by {who(last['actor'])}" if last else ""
        self.ephemeral(ref, f"This mention was already {row['status']}{by}; nothing was changed.")
        self.in_background(self.update_card, mention_id, ref)
        return False

    def stale(self, exc: StaleDecision, ref: Ref) -> None:
        by = f" by {who(exc.by)}" if exc.by else ""
        self.ephemeral(ref, f"This mention was already {exc.status}{by}; nothing was changed.")
        self.in_background(self.update_card, exc.mention_id, ref)

    def refused(self, exc: review.Refused, mention_id: str, ref: Ref) -> None:
        self.ephemeral(ref, exc.message + (f" ({exc.fix})" if exc.fix else ""))
        if exc.stale:
            self.in_background(self.update_card, mention_id, ref)

    def act(self, mention_id: str, ref: Ref, decide: Callable[[], Any]) -> Any:
        """Run a review-core decision; a refused or stale one is told to the person (privately)
        and returns None."""
        try:
            return decide()
        except StaleDecision as exc:
            self.stale(exc, ref)
        except review.Refused as exc:
            self.refused(exc, mention_id, ref)
        return None

    def approve(self, mention_id: str, draft_id: int | None, ref: Ref) -> None:
        """Approve the draft shown on the card, exactly once, then post it off the request thread."""
        approval = self.act(mention_id, ref, lambda: review.approve(self.review, mention_id, ref["user"], draft_id))
        if approval is not None:
            self.thread_note(mention_id, f"✅ Approved by {who(ref['user'])}.")
            self.in_background(self._after_approval, mention_id, approval.outbox_id, ref)

    def approve_text(self, mention_id: str, text: str, ref: Ref, accept_warnings: bool) -> bool:
        approval = self.act(mention_id, ref, lambda: review.approve_text(
            self.review, mention_id, ref["user"], text, accept_warnings))
        if approval is None:
            return False
        edited = (tables.last_decision(self.store, mention_id) or {}).get("action") == "edit"
        self.thread_note(mention_id, f"✏️ Approved with edits by {who(ref['user'])}:" if edited
                         else f"✅ Approved by {who(ref['user'])}.", quote=text if edited else None)
        self.in_background(self._after_approval, mention_id, approval.outbox_id, ref)
        return True

    def retry(self, mention_id: str, ref: Ref) -> None:
        """Put a reply that failed for good back in the outbox as it is, and try it now."""
        outbox_id = self.act(mention_id, ref, lambda: review.retry(self.review, mention_id, ref["user"]))
        if outbox_id is not None:
            self.thread_note(mention_id, f"🔁 {who(ref['user'])} asked to try posting again.")
            self.in_background(self._after_approval, mention_id, outbox_id, ref)

    def connector_name(self, mention_id: str) -> str:
        """What the runtime posts this reply through (its configured source, or its local outbox)."""
        return self.runtime.connector_name(mention_id)

    def reply_problems(self, mention_id: str, text: str) -> list[str]:
        return review_core.reply_problems(self.review, mention_id, text)

    def _after_approval(self, mention_id: str, outbox_id: int, ref: Ref) -> None:
        try:
            self.update_card(mention_id, ref)
        except Exception:
            log.exception("could not update the card of %s", mention_id)
        notice = None
        try:
            self.runtime.deliver(outbox_id)
        except Exception as exc:
            log.exception("delivering outbox item %s failed", outbox_id)
            notice = (f"⚠️ Posting did not finish ({escape(readable_error(str(exc)))}); "
                      "the outbox keeps it and tries again.")
        self.update_card(mention_id, ref, notice=notice)

    def _on_outcome(self, row: dict[str, Any]) -> None:
        """The outbox worker posted (or gave up on) a reply: redraw its card, note it in the thread."""
        mention_id = row.get("mention_id")
        if mention_id and tables.card(self.store, mention_id):
            self.in_background(self.update_card, mention_id)
            if row.get("status") == "posted":
                url = safe_url(row.get("posted_url"))
                local = self.local_outbox(row.get("connector"))
                self.thread_note(mention_id, f"💾 Saved to {escape(local)}." if local else
                                 "📬 Posted" + (f": <{url}|view the reply>" if url else "."))
            elif row.get("status") == "failed":
                self.thread_note(mention_id, "⚠️ Not posted: "
                                 + escape(readable_error(row.get("last_error"))))

    def decide(self, mention_id: str, action: str, ref: Ref, reason: str | None = None) -> bool:
        """Ignore (and any other plain closing decision)."""
        try:
            self.store.decide(mention_id, action, ref["user"], reason)
        except StaleDecision as exc:
            self.stale(exc, ref)
            return False
        self.thread_note(mention_id, f"{OUTCOME.get(action, action)} by {who(ref['user'])}"
                         + (f": {escape(reason)}" if reason else "."))
        self.in_background(self.update_card, mention_id, ref)
        return True

    def reject_draft(self, mention_id: str, draft_id: int | None, reason: str | None, ref: Ref) -> bool:
        done = self.act(mention_id, ref, lambda: review.reject_draft(self.review, mention_id, ref["user"],
                                                                     draft_id, reason))
        if done is None:
            return False
        self.thread_note(mention_id, f"🚫 Draft rejected by {who(ref['user'])}"
                         + (f": {escape(reason)}" if reason else "."))
        self.in_background(self.update_card, mention_id, ref)
        return True

    def no_reply(self, mention_id: str, reason: str | None, ref: Ref) -> bool:
        done = self.act(mention_id, ref, lambda: review.no_reply(self.review, mention_id, ref["user"], reason))
        if done is None:
            return False
        self.thread_note(mention_id, f"🚫 No reply needed, said {who(ref['user'])}"
                         + (f": {escape(reason)}" if reason else "."))
        self.in_background(self.update_card, mention_id, ref)
        return True

    def hide(self, mention_id: str, reason: str | None, ref: Ref) -> None:
        outcome = self.act(mention_id, ref, lambda: review.hide(self.review, mention_id, ref["user"], reason))
        if outcome is None:
            return
        self.thread_note(mention_id, f"🙈 Hidden by {who(ref['user'])}: {escape(outcome.detail)}.")
        self.in_background(self.update_card, mention_id, ref)

    def move_to_private(self, mention_id: str, text: str | None, ref: Ref) -> None:
        # wrapped in a tuple: None from act() means refused (told already); the outcome itself
        # is None when no text was given, which is not a refusal
        done = self.act(mention_id, ref, lambda: (review.move_to_private(self.review, mention_id, ref["user"],
                                                                            text),))
        if done is None:
            return
        outcome = done[0]
        sent = f" ({escape(outcome.detail)})" if outcome is not None else ""
        self.ephemeral(ref, f"Recorded: the conversation moves to a private message{sent}. The card stays open "
                            "until someone approves a public update for the thread.")
        self.thread_note(mention_id, f"🔁 Moved to a private message by {who(ref['user'])}{sent}.")
        self.in_background(self.update_card, mention_id, ref)

    def escalate(self, mention_id: str, person: str | None, team: str | None, note: str | None,
                 ref: Ref) -> bool:
        done = self.act(mention_id, ref, lambda: review.escalate(self.review, mention_id, ref["user"],
                                                                 person, team, note))
        if done is None:
            return False
        self.in_background(self.update_card, mention_id, ref)
        self.in_background(self._notify_escalation, mention_id, person, team, note, ref)
        return True

    def permalink(self, mention_id: str) -> str | None:
        """A link to the mention's card: Slack's permalink, else the archives URL on the
        workspace's own host (``assistant.slack.links``)."""
        card = tables.card(self.store, mention_id)
        return self.links.link(card["channel"], card["ts"]) if card else None

    def _notify_escalation(self, mention_id: str, person: str | None, team: str | None, note: str | None,
                           ref: Ref) -> None:
        """Ping the assignee (a direct message) and the team's channel, with a link to the card,
        where the buttons are. No copy goes to the channel the card already lives in."""
        row = self.store.get_mention(mention_id) or {}
        link = self.permalink(mention_id)
        target = " and ".join(filter(None, [person and who(person), team and escape(team)]))
        network = escape(network_label(row.get("network")))
        author = escape(row.get("author") or "someone")
        intro = (f"📣 {who(ref['user'])} assigned you a {network} mention from {author}"
                 + (f": {escape(note)}" if note else "."))
        open_card = f"<{link}|Open the review card>" if link else "Open the review card in the review channel"
        text, _ = clip(row.get("text") or "", 500, "post")
        quote = [{"type": "rich_text", "block_id": "post", "elements": [
            {"type": "rich_text_quote", "elements": [{"type": "text", "text": text or " "}]}]}]
        card = tables.card(self.store, mention_id)
        self.thread_note(mention_id, f"📣 Escalated by {who(ref['user'])} to {target}"
                         + (f": {escape(note)}" if note else "."))
        targets: list[tuple[str, str]] = []
        if person:
            targets.append((person, intro))
        if team:
            channel = self.team_channel(self.brand_of(mention_id), team)
            if channel and not self.directory.same_channel(channel, card["channel"] if card else ref.get("channel")):
                targets.append((channel, f"📣 {who(ref['user'])} escalated a {network} mention from {author} "
                                         f"to {escape(team)}" + (f": {escape(note)}" if note else ".")))
        for channel, line in targets:
            try:
                self.client.chat_postMessage(channel=channel, text=line, unfurl_links=False, blocks=[
                    {"type": "section", "text": md(f"{line}\n{open_card}: reply, approve or close it there.")},
                    *quote])
            except SlackApiError as exc:
                log.error("could not notify %s: %s", channel, exc.response.get("error"))
                self.ephemeral(ref, f"Escalated, but {channel} could not be told ({exc.response.get('error')}).")

    # -- the card's thread: its history ----------------------------------------------------

    def thread_note(self, mention_id: str, text: str, quote: str | None = None) -> None:
        """One line of the mention's history in its card's thread (drafts, edits, decisions,
        the posting result), where people can also discuss it. Off the request thread."""
        card = tables.card(self.store, mention_id)
        if not card:
            return

        def post() -> None:
            extra = []
            if quote:
                body, _ = clip(quote, 2900, "text")
                extra = [{"type": "rich_text", "elements": [
                    {"type": "rich_text_quote", "elements": [{"type": "text", "text": body}]}]}]
            try:
                self.client.chat_postMessage(channel=card["channel"], thread_ts=card["ts"], text=text,
                                             blocks=[{"type": "section", "text": md(text)}, *extra],
                                             unfurl_links=False, unfurl_media=False)
            except SlackApiError as exc:
                log.warning("could not add to the thread of %s: %s", mention_id, exc.response.get("error"))
        self.in_background(post)

    # -- new mentions from Slack ------------------------------------------------------------

    def add_mention(self, mention: Mention, brand: str | None = None) -> str:
        self.store.add_mentions([mention], brand or self.settings.brand)
        return mention.key

    def reply_card(self, mention_id: str, response_url: str) -> None:
        """For /reply: triage and draft now, then replace the ephemeral placeholder with the card."""
        ref = {"response_url": response_url}
        if tables.card(self.store, mention_id) is not None:
            # A stored mention with its card in a channel: point there (that card has the buttons).
            link = self.permalink(mention_id)
            where = f"<{link}|its review card>" if link else "its review card in the review channel"
            WebhookClient(response_url).send(text=f"This mention already has a review card: open {where}.",
                                             replace_original=True)
            return
        tables.claim_card(self.store, mention_id, kind="ephemeral")  # not re-posted in the channel
        try:
            self.complete(mention_id)
            self.update_card(mention_id, ref)
        except Exception as exc:
            log.exception("/reply failed")
            WebhookClient(response_url).send(
                text=f"Could not draft a reply: {escape(readable_error(str(exc)))}",
                replace_original=True)
