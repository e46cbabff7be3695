"""Bluesky, through atproto: mentions and replies from notifications, a search for
the brand's names and misspellings, replies with proper root/parent references,
length counted in graphemes (300), as Bluesky counts it, and in UTF-8 bytes (3,000), the post
record's other limit.

Options: ``handle``, ``app_password_env`` (an app password, never the main one),
optional ``base_url`` (default https://bsky.social; another PDS works too),
``search`` (default true), ``timeout``.

Bluesky has no idempotency key, so the check before any retry (``find_reply``)
lists the account's recent posts for a reply to the same post.

Posting needs only the PDS (``com.atproto.*``): the login does not ask the AppView for a profile,
and the post replied to is read from its own repository (``com.atproto.repo.getRecord``), so replies
and statements work on a PDS with no AppView. Reading mentions (notifications, search) needs one.
Tested against a real PDS from npm in ``tests/connectors/test_bluesky_pds.py``.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import httpx
import regex
from atproto import Client, models
from atproto_client.exceptions import AtProtocolError, RequestErrorBase
from atproto_client.request import Request

from assistant.connectors.base import Capabilities, FetchResult, Posted, PostError, register
from assistant.connectors.http import retry_after_seconds, status_error, transport_error
from assistant.domain.errors import SettingsError
from assistant.domain.models import Mention

log = logging.getLogger(__name__)

_GRAPHEME = regex.compile(r"\X")
POST = "app.bsky.feed.post"
MAX_BYTES = 3000  # the post lexicon's maxLength for text, in UTF-8 bytes
# atproto 0.0.7x can log in without fetching the profile from the AppView; older ones cannot.
_LOGIN_WITHOUT_PROFILE = "fetch_bsky_profile" in inspect.signature(Client.login).parameters


def graphemes(text: str) -> int:
    return len(_GRAPHEME.findall(text))


def post_url(uri: str, handle: str | None) -> str:
    # at://did:plc:xyz/app.bsky.feed.post/rkey -> https://bsky.app/profile/<handle or did>/post/rkey
    parts = uri.removeprefix("at://").split("/")
    return f"https://bsky.app/profile/{handle or parts[0]}/post/{parts[-1]}"


class BlueskyConnector:
    network = "bluesky"
    reply_window: timedelta | None = None

    def __init__(self, source: str = "bluesky", handle: str | None = None, app_password: str | None = None,
                 base_url: str = "https://bsky.social", terms: Iterable[str] = (), search: bool = True,
                 timeout: float = 10.0, max_length: int = 300, fetch_limit: int = 50) -> None:
        if not handle or not app_password:
            raise SettingsError(f"source {source}: a Bluesky source needs handle and app_password_env",
                                "see the README, 'Add a Bluesky account'")
        self.name = source
        self.handle = handle
        self._password = app_password
        self.terms = [t for t in terms if t] if search else []
        self.max_length = max_length
        self.fetch_limit = fetch_limit
        self.client = Client(base_url=base_url.rstrip("/") + "/xrpc" if not base_url.rstrip("/").endswith("/xrpc")
                             else base_url, request=Request(timeout=timeout))
        self.did: str | None = None
        self.client.on_session_change(self._session_changed)

    def capabilities(self) -> Capabilities:
        # Not wired here: a report (com.atproto.moderation.createReport) goes to a moderation
        # service, and a threadgate's hiddenReplies hides replies only under our own posts;
        # Bluesky's direct messages are another service (chat.bsky) with its own access.
        return Capabilities(reply=True, hide=False, search=bool(self.terms), max_length=self.max_length,
                            hide_means="this connector does not report to Bluesky's moderation service yet; "
                                       "hide it in the Bluesky app if it is a reply to our post",
                            private_means="Bluesky's direct messages are a separate chat service this "
                                          "connector does not use")

    def text_length(self, text: str) -> int:
        return graphemes(text)

    def _check_length(self, text: str, what: str) -> None:
        if graphemes(text) > self.max_length:
            raise PostError(f"the {what} is {graphemes(text)} graphemes and Bluesky allows {self.max_length}:"
                            " shorten it", permanent=True)
        size = len(text.encode("utf-8"))
        if size > MAX_BYTES:
            raise PostError(f"the {what} is {size} bytes in UTF-8 and Bluesky allows {MAX_BYTES}"
                            " (emoji sequences count many): shorten it", permanent=True)

    # -- plumbing ---------------------------------------------------------------------------------

    def _error(self, exc: AtProtocolError) -> PostError:
        where = f"Bluesky ({self.name})"
        if isinstance(exc, RequestErrorBase) and exc.response is not None:
            resp = exc.response
            headers = {k.lower(): v for k, v in (resp.headers or {}).items()}
            retry = headers.get("retry-after")
            if resp.status_code == 429 and retry is None and headers.get("ratelimit-reset", "").isdigit():
                import time
                retry = str(max(0, int(headers["ratelimit-reset"]) - int(time.time())))
            content = resp.content
            detail = getattr(content, "message", None) or getattr(content, "error", None) or ""
            err = status_error(where, resp.status_code, str(detail), retry)
            if resp.status_code == 429 and err.retry_after is None:
                err.retry_after = retry_after_seconds(retry)
            return err
        cause = exc.__cause__
        if isinstance(cause, httpx.HTTPError):
            return transport_error(where, cause)
        return PostError(f"{where}: {type(exc).__name__} {exc}", ambiguous=True)

    def _session_changed(self, event: Any, session: Any) -> None:
        self.did = getattr(session, "did", None) or self.did

    def _login(self) -> None:
        # Only com.atproto.server.createSession: the profile lookup a plain login adds is the
        # AppView's, which a PDS need not serve, and the DID comes with the session.
        if self.did is None:
            if _LOGIN_WITHOUT_PROFILE:
                self.client.login(self.handle, self._password, fetch_bsky_profile=False)
            else:  # pragma: no cover - atproto before fetch_bsky_profile
                profile = self.client.login(self.handle, self._password)
                self.did = self.did or getattr(profile, "did", None)

    def _parent(self, uri: str) -> tuple[Any, Any]:
        """The post replied to, as a strong reference and its record: read from its own repository
        (getRecord: every PDS serves it, and asks the AppView for repositories it does not hold),
        or from the AppView's getPosts where getRecord is not served."""
        parts = uri.removeprefix("at://").split("/")
        if not uri.startswith("at://") or len(parts) != 3 or parts[1] != POST:
            raise PostError(f"Bluesky ({self.name}): {uri!r} is not a Bluesky post", permanent=True)
        gone = PostError(f"Bluesky ({self.name}): post {uri} not found (it was probably deleted)", permanent=True)
        try:
            got = self.client.com.atproto.repo.get_record({"repo": parts[0], "collection": POST, "rkey": parts[2]})
        except RequestErrorBase as exc:
            if _record_not_found(exc):
                raise gone from None
            if not _not_served(exc):
                raise
            posts = self.client.get_posts([uri]).posts
            if not posts:
                raise gone from None
            return models.create_strong_ref(posts[0]), posts[0].record
        if not got.cid:
            raise gone
        return models.ComAtprotoRepoStrongRef.Main(uri=got.uri, cid=got.cid), got.value

    def _mention(self, uri: str, author: Any, record: Any, indexed_at: str | None) -> Mention:
        reply = getattr(record, "reply", None)
        return Mention(
            source=self.name, network=self.network, external_id=uri, author=author.handle,
            text=getattr(record, "text", "") or "", url=post_url(uri, author.handle),
            created_at=getattr(record, "created_at", None) or indexed_at,
            in_reply_to=reply.parent.uri if reply is not None else None,
        )

    # -- fetch ------------------------------------------------------------------------------------

    def fetch(self, cursor: str | None) -> FetchResult:
        """New mentions and replies since ``cursor`` (the newest indexedAt seen), then search hits."""
        mentions: dict[str, Mention] = {}
        newest = cursor
        try:
            self._login()
            page_cursor = None
            while True:
                page = self.client.app.bsky.notification.list_notifications(
                    {"limit": self.fetch_limit, "cursor": page_cursor})
                older = False
                for note in page.notifications:
                    if cursor and note.indexed_at < cursor:
                        older = True
                        continue
                    newest = max(newest or note.indexed_at, note.indexed_at)
                    if note.reason in ("mention", "reply") and note.author.did != self.did:
                        mentions[note.uri] = self._mention(note.uri, note.author, note.record, note.indexed_at)
                page_cursor = page.cursor
                if older or not page_cursor or not page.notifications or cursor is None:
                    break
            for term in self.terms:
                params: dict[str, Any] = {"q": term, "limit": self.fetch_limit, "sort": "latest"}
                if cursor:
                    params["since"] = cursor
                found = self.client.app.bsky.feed.search_posts(params)
                for post in found.posts:
                    if (cursor and post.indexed_at < cursor) or post.author.did == self.did:
                        continue
                    newest = max(newest or post.indexed_at, post.indexed_at)
                    mentions.setdefault(post.uri, self._mention(post.uri, post.author, post.record, post.indexed_at))
        except AtProtocolError as exc:
            raise self._error(exc) from None
        return FetchResult(sorted(mentions.values(), key=lambda m: m.created_at or ""), newest)

    # -- replies ----------------------------------------------------------------------------------

    def reply(self, mention: Mention, text: str, idempotency_key: str) -> Posted:
        self._check_length(text, "reply")
        try:
            self._login()
            parent, record = self._parent(mention.external_id)
            existing = getattr(record, "reply", None)
            root = (models.ComAtprotoRepoStrongRef.Main(uri=existing.root.uri, cid=existing.root.cid)
                    if existing is not None else parent)
            ref = models.AppBskyFeedPost.ReplyRef(parent=parent, root=root)
            created = self.client.send_post(text, reply_to=ref, profile_identify=self.did)
        except AtProtocolError as exc:
            raise self._error(exc) from None
        return Posted(created.uri, post_url(created.uri, self.handle))

    def post_status(self, text: str, idempotency_key: str) -> Posted:
        """A new post on the brand's account (a spike's statement), not a reply. Bluesky takes
        no idempotency key: the statement outbox's claim keeps it to one post, and after a
        lost answer it looks for the post (``find_status``) before posting again."""
        self._check_length(text, "statement")
        try:
            self._login()
            created = self.client.send_post(text, profile_identify=self.did)
        except AtProtocolError as exc:
            raise self._error(exc) from None
        return Posted(created.uri, post_url(created.uri, self.handle))

    def find_status(self, text: str, idempotency_key: str, since: str | None = None) -> Posted | None:
        """A top-level post of ours with exactly this text, made at or after ``since`` (the
        statement's approval): the statement outbox looks before posting again after a lost
        answer, since Bluesky takes no idempotency key."""
        cursor = None
        for _ in range(FIND_PAGES):  # newest first; stop at the records older than ``since``
            try:
                self._login()
                page = self.client.com.atproto.repo.list_records(
                    {"repo": self.did, "collection": POST, "limit": 100, "cursor": cursor})
            except AtProtocolError as exc:
                raise self._error(exc) from None
            older = False
            for rec in page.records:
                value = rec.value
                created = _utc(str(getattr(value, "created_at", "") or ""))
                if since and created and created < _utc(since):
                    older = True
                    continue
                if getattr(value, "reply", None) is None and getattr(value, "text", None) == text:
                    return Posted(rec.uri, post_url(rec.uri, self.handle))
            cursor = page.cursor
            if older or not cursor or not page.records:
                return None
        return None

    def find_reply(self, mention: Mention, idempotency_key: str) -> Posted | None:
        try:
            self._login()
            page = self.client.com.atproto.repo.list_records(
                {"repo": self.did, "collection": POST, "limit": 100})
        except AtProtocolError as exc:
            raise self._error(exc) from None
        for rec in page.records:
            reply = getattr(rec.value, "reply", None)
            if reply is not None and reply.parent.uri == mention.external_id:
                return Posted(rec.uri, post_url(rec.uri, self.handle))
        return None


FIND_PAGES = 50  # pages of 100 records looked through for a statement whose answer was lost


def _utc(at: str) -> str:
    """An ISO time as UTC to the second, comparable as text ('' when unreadable)."""
    from datetime import UTC, datetime

    try:
        when = datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        return ""
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _xrpc_error(exc: RequestErrorBase) -> tuple[int, str, str]:
    resp = exc.response
    if resp is None:
        return 0, "", ""
    content = resp.content
    return (resp.status_code, str(getattr(content, "error", None) or ""),
            str(getattr(content, "message", None) or ""))


def _record_not_found(exc: RequestErrorBase) -> bool:
    status, error, message = _xrpc_error(exc)
    return status == 400 and (error == "RecordNotFound" or message.startswith("Could not locate record"))


def _not_served(exc: RequestErrorBase) -> bool:
    status, error, _ = _xrpc_error(exc)
    return status in (404, 501) or error in ("MethodNotImplemented", "XRPCNotSupported")


@register("bluesky")
def _create(**options: Any) -> BlueskyConnector:
    return BlueskyConnector(**options)
