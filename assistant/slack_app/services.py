"""What the Slack listeners share: the store, the engine, the runtime, a Web API
client, background workers, approver checks and the review cards.

Slack wants an answer within 3 seconds. Listeners ``ack()`` first and hand
slow work (the model, Slack API calls that may meet a 429) to the two pools
here: ``model`` (one worker: the local model does one draft at a time) and
``io`` (Slack calls and deliveries).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
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

from ..domain import Action, Mention, Triage
from ..errors import AssistantError
from ..store import OPEN_STATUSES, StaleDecision
from ..store import slack_sql as tables
from . import blocks
from .blocks import CardData, review_card, who

if TYPE_CHECKING:
    from ..connectors.runtime import Runtime
    from ..engine import Engine
    from ..policy import Policy
    from ..settings import Settings

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


class Services:
    def __init__(self, engine: Engine, runtime: Runtime, settings: Settings, client: WebClient) -> None:
        self.engine = engine
        self.store = engine.store
        self.runtime = runtime
        # mention id -> an edited text that was answered with overridable warnings: the
        # same text submitted again is accepted.
        self.warned_edits: dict[str, str] = {}
        self.settings = settings
        self.client = client
        tables.apply(self.store)
        self.model = ThreadPoolExecutor(max_workers=1, thread_name_prefix="assistant-model")
        self.io = ThreadPoolExecutor(max_workers=8, thread_name_prefix="assistant-slack")
        self._pending: set[Future[Any]] = set()
        self._pending_lock = threading.Lock()
        self._card_locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()
        self._cache: dict[str, tuple[float, set[str]]] = {}
        self._cache_lock = threading.Lock()
        self.cache_seconds = 60.0
        self._stop = threading.Event()
        self._loop: threading.Thread | None = None
        runtime.on_outcome.append(self._on_outcome)
        # The runtime triages and drafts what its pollers and webhooks bring in, then tells us.
        on_processed = getattr(runtime, "on_processed", None)
        if on_processed is not None:
            on_processed.append(lambda processed: self.in_background(self.card_ready, processed.mention_id))

    # -- background work --------------------------------------------------------------------

    def _submit(self, pool: ThreadPoolExecutor, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        def run() -> Any:
            try:
                return fn(*args)
            except Exception:
                log.exception("background work failed: %s", getattr(fn, "__name__", fn))
                raise
        fut = pool.submit(run)
        with self._pending_lock:
            self._pending.add(fut)
        fut.add_done_callback(self._forget)
        return fut

    def _forget(self, fut: Future[Any]) -> None:
        with self._pending_lock:
            self._pending.discard(fut)

    def in_background(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        return self._submit(self.io, fn, *args)

    def with_model(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        return self._submit(self.model, fn, *args)

    def drain(self, timeout: float = 30.0) -> None:
        """Wait until no background work is left (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._pending_lock:
                pending = list(self._pending)
            if not pending:
                return
            for fut in pending:
                try:
                    fut.result(timeout=max(0.01, deadline - time.monotonic()))
                except Exception:  # already logged
                    pass
        raise TimeoutError("Slack background work did not finish")

    def start(self, interval: float = 2.0) -> None:
        """Post cards for mentions that arrive by other routes (pollers, webhooks), every few seconds."""
        for mention_id in tables.unposted_claims(self.store):
            tables.release_card(self.store, mention_id)  # a crash between claim and post
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

    def close(self, wait: bool = True) -> None:
        self._stop.set()
        if self._loop is not None:
            self._loop.join(timeout=5)
        self.model.shutdown(wait=wait, cancel_futures=not wait)
        self.io.shutdown(wait=wait, cancel_futures=not wait)

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
        policy = self.policy(brand)
        return (policy.review.channel if policy else None) or self.settings.review_channel

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

    def approvers(self, brand: str | None = None) -> list[str]:
        policy = self.policy(brand)
        return [*self.settings.approvers, *(policy.review.approvers if policy else [])]

    def _cached(self, key: str, fetch: Callable[[], set[str]]) -> set[str]:
        now = time.monotonic()
        with self._cache_lock:
            hit = self._cache.get(key)
            if hit and now - hit[0] < self.cache_seconds:
                return hit[1]
        value = fetch()
        with self._cache_lock:
            self._cache[key] = (now, value)
        return value

    def _channel_members(self, channel: str) -> set[str]:
        members: set[str] = set()
        cursor = None
        while True:
            resp = self.client.conversations_members(channel=channel, cursor=cursor, limit=1000)
            members.update(resp.get("members") or [])
            cursor = (resp.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return members

    def channel_id(self, channel: str) -> str:
        """A channel id for a configured channel, which may be a name such as ``#aurora-replies``."""
        if re.fullmatch(r"[CGD][A-Z0-9]{2,}", channel):
            return channel
        name = channel.lstrip("#")

        def fetch() -> set[str]:
            found: set[str] = set()
            cursor = None
            while True:
                resp = self.client.conversations_list(types="public_channel,private_channel",
                                                      exclude_archived=True, limit=1000, cursor=cursor)
                found.update(f"{c['name']}={c['id']}" for c in resp.get("channels") or [])
                cursor = (resp.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    return found
        for pair in self._cached("channels", fetch):
            key, _, value = pair.partition("=")
            if key == name:
                return value
        raise AssistantError(f"no channel named {channel} that the app can see",
                             "invite the app to it, or set the channel id (C...) instead of its name")

    def _group_members(self, group: str) -> set[str]:
        return set(self.client.usergroups_users_list(usergroup=group).get("users") or [])

    def is_approver(self, user: str, brand: str | None = None) -> bool:
        """Approvers are the Slack user ids and user groups (S...) in settings or the policy;
        when none are named, the members of the review channel. Fails closed."""
        ids = self.approvers(brand)
        try:
            if ids:
                if user in ids:
                    return True
                return any(user in self._cached(f"group:{g}", partial(self._group_members, g))
                           for g in ids if g.startswith("S"))
            channel = self.review_channel(brand)
            if not channel:
                return False
            cid = self.channel_id(channel)
            return user in self._cached(f"channel:{cid}", partial(self._channel_members, cid))
        except SlackApiError as exc:
            log.error("cannot check approvers: %s", exc.response.get("error"))
            return False
        except AssistantError as exc:
            log.error("cannot check approvers: %s", exc)
            return False

    def refusal(self, brand: str | None = None) -> str:
        if self.approvers(brand):
            return ("Only approvers can do that, so nothing was changed. Ask an admin to add you to "
                    "ASSISTANT_APPROVERS or the policy's review.approvers.")
        channel = self.review_channel(brand)
        where = (f"<#{channel}>" if channel and re.fullmatch(r"[CG][A-Z0-9]+", channel)
                 else blocks.escape(channel) if channel else "the review channel")
        return f"Only members of {where} can do that, so nothing was changed. Join it first."

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
        )

    def can_reply(self, mention_id: str) -> bool:
        """False for a read-only source (a feed): nothing can be posted to it from here."""
        capabilities = getattr(self.runtime, "capabilities", None)
        if capabilities is None:
            return True
        try:
            return bool(capabilities(mention_id).reply)
        except AssistantError:  # its source was removed from the sources file: the outbox will say so
            return True

    def local_outbox(self, connector: str | None) -> str | None:
        """The local outbox file's name when replies through ``connector`` only go there
        (the runtime's LOCAL connector: no network is posted to), else None."""
        is_local = getattr(self.runtime, "is_local", None)
        if is_local is None or not is_local(connector):
            return None
        return Path(self.settings.outbox_file).name

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
            resp = self.client.chat_postMessage(channel=channel, text=text, blocks=blocks,
                                                unfurl_links=False, unfurl_media=False)
            tables.save_card(self.store, mention_id, resp["channel"], resp["ts"])
        except BaseException:
            tables.release_card(self.store, mention_id)
            raise
        if needs_draft:
            self.with_model(self._draft, mention_id, None)

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
            notice = f"⚠️ Drafting failed: {exc}"
        self.update_card(mention_id, ref, notice=notice)

    def regenerate(self, mention_id: str, instruction: str | None, ref: Ref, label: str) -> None:
        self.update_card(mention_id, ref, notice=f"✍️ Regenerating ({label}) for {who(ref.get('user'))} …",
                         working=True)
        self.with_model(self._draft, mention_id, ref, instruction, True)

    # -- decisions --------------------------------------------------------------------------

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

    def approve(self, mention_id: str, draft_id: int | None, ref: Ref) -> None:
        """Approve the draft shown on the card, exactly once, then post it off the request thread."""
        latest = self.store.latest_draft(mention_id)
        if latest is None or latest[1].text is None:
            self.ephemeral(ref, "There is no draft to approve yet; use Regenerate or Edit.")
            return
        did, draft = latest
        if draft_id is not None and did != draft_id:
            self.ephemeral(ref, "The draft changed since this card was drawn; read the new one and approve again.")
            self.in_background(self.update_card, mention_id, ref)
            return
        if not draft.passed:
            failed = ", ".join(c.name for c in draft.guard if not c.passed)
            self.ephemeral(ref, f"This draft failed its checks ({failed}); use Edit to fix it before posting.")
            return
        problems = self.reply_problems(mention_id, draft.text or "")
        if problems:
            self.ephemeral(ref, f"Not posted: {problems[0]}. Use Edit to fix it.")
            return
        self.record_approval(mention_id, draft.text or "", did, ref, edited=False)

    def record_approval(self, mention_id: str, text: str, draft_id: int | None, ref: Ref,
                        edited: bool) -> bool:
        try:
            approval = self.store.approve(mention_id, actor=ref["user"], text=text,
                                          connector=self.connector_name(mention_id), draft_id=draft_id,
                                          edited=edited)
        except StaleDecision as exc:
            self.stale(exc, ref)
            return False
        tables.resolve_follow_up(self.store, mention_id, ref["user"])
        self.in_background(self._after_approval, mention_id, approval.outbox_id, ref)
        return True

    def retry(self, mention_id: str, ref: Ref) -> None:
        """Put a reply that failed for good back in the outbox as it is, and try it now."""
        item = tables.outbox_for(self.store, mention_id)
        retry = getattr(self.runtime, "retry", None)
        if item is None or retry is None or not retry(item["id"], ref["user"]):
            self.ephemeral(ref, "There is no failed reply to retry here; nothing was changed.")
            self.in_background(self.update_card, mention_id, ref)
            return
        self.in_background(self._after_approval, mention_id, item["id"], ref)

    def connector_name(self, mention_id: str) -> str:
        """What the runtime posts this reply through (its configured source, or its local outbox)."""
        name = getattr(self.runtime, "connector_name", None)
        if name is not None:
            return str(name(mention_id))
        return (self.store.get_mention(mention_id) or {}).get("source") or "manual"

    def reply_problems(self, mention_id: str, text: str) -> list[str]:
        """What the connector says about a reply (length, read-only network, reply window)."""
        check = getattr(self.runtime, "check_reply", None)
        if check is None:
            return []
        try:
            errors, _warnings = check(mention_id, text)
        except AssistantError as exc:
            return [str(exc)]
        return list(errors)

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
            notice = f"⚠️ Posting did not finish ({exc}); the outbox keeps it and tries again."
        self.update_card(mention_id, ref, notice=notice)

    def _on_outcome(self, row: dict[str, Any]) -> None:
        """The outbox worker posted (or gave up on) a reply: redraw its card."""
        mention_id = row.get("mention_id")
        if mention_id and tables.card(self.store, mention_id):
            self.in_background(self.update_card, mention_id)

    def decide(self, mention_id: str, action: str, ref: Ref, reason: str | None = None) -> bool:
        try:
            self.store.decide(mention_id, action, ref["user"], reason)
        except StaleDecision as exc:
            self.stale(exc, ref)
            return False
        self.in_background(self.update_card, mention_id, ref)
        return True

    # -- new mentions from Slack ------------------------------------------------------------

    def add_mention(self, mention: Mention, brand: str | None = None) -> str:
        self.store.add_mentions([mention], brand or self.settings.brand)
        return mention.key

    def reply_card(self, mention_id: str, response_url: str) -> None:
        """For /reply: triage and draft now, then replace the ephemeral placeholder with the card."""
        ref = {"response_url": response_url}
        if tables.card(self.store, mention_id) is None:
            tables.claim_card(self.store, mention_id, kind="ephemeral")  # not re-posted in the channel
        try:
            self.complete(mention_id)
            self.update_card(mention_id, ref)
        except Exception as exc:
            log.exception("/reply failed")
            WebhookClient(response_url).send(text=f"Could not draft a reply: {exc}", replace_original=True)
