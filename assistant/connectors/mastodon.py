"""Mastodon, through Mastodon.py: mentions from notifications, proactive search for
the brand's names and misspellings, replies threaded with ``in_reply_to_id`` and
sent with Mastodon's ``Idempotency-Key`` (the approval's key, so a repeat posts nothing).

Options (sources file): ``api_base_url``, ``access_token_env`` (a token with
read:notifications, read:search, read:statuses, write:statuses), optional ``search``
(default true: search the brand's terms), ``timeout``, ``max_length`` (500).
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import requests
from mastodon import Mastodon, MastodonAPIError, MastodonError, MastodonNetworkError, MastodonRatelimitError

from assistant.connectors.base import Capabilities, FetchResult, Posted, PostError, register
from assistant.connectors.http import retry_after_seconds, status_error
from assistant.domain.errors import SettingsError
from assistant.domain.models import Mention

log = logging.getLogger(__name__)

_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<br\s*/?>|</p>\s*<p>", re.I)


def html_to_text(content: str) -> str:
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", content or ""))).strip()


def _id_key(value: str) -> tuple[int, str]:
    """Mastodon ids are numeric strings: compare by length, then text (no int overflow worries)."""
    return (len(value), value)


def newer(a: str | None, b: str | None) -> str | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b, key=_id_key)


class MastodonConnector:
    network = "mastodon"

    def __init__(self, source: str = "mastodon", api_base_url: str | None = None, access_token: str | None = None,
                 terms: Iterable[str] = (), search: bool = True, timeout: float = 10.0, max_length: int = 500,
                 fetch_limit: int = 40) -> None:
        if not api_base_url or not access_token:
            raise SettingsError(f"source {source}: a Mastodon source needs api_base_url and access_token_env",
                                "see the README, 'Add a Mastodon account'")
        self.name = source
        self.terms = [t for t in terms if t] if search else []
        self.max_length = max_length
        self.fetch_limit = fetch_limit
        self._last_headers: dict[str, str] = {}
        session = requests.Session()
        session.hooks["response"].append(self._remember)
        self.client = Mastodon(access_token=access_token, api_base_url=api_base_url, request_timeout=timeout,
                               ratelimit_method="throw", version_check_mode="none", session=session)
        self._me: str | None = None

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._last_headers = dict(response.headers)

    def capabilities(self) -> Capabilities:
        # Mastodon has no way to hide someone else's reply: "hide" files a report with the
        # instance's moderators (POST /api/v1/reports). A private message is a status with
        # visibility "direct", seen only by the people it mentions.
        return Capabilities(reply=True, hide=True, search=bool(self.terms), max_length=self.max_length,
                            private=True,
                            hide_means="reported to the instance's moderators (Mastodon cannot hide a reply "
                                       "on someone else's post)",
                            private_means="as a Mastodon direct message (visibility \"direct\")")

    # -- errors ---------------------------------------------------------------------------------

    def _error(self, exc: MastodonError) -> PostError:
        where = f"Mastodon ({self.name})"
        if isinstance(exc, MastodonRatelimitError):
            wait = retry_after_seconds(self._last_headers.get("Retry-After"))
            if wait is None and self._last_headers.get("X-RateLimit-Reset"):
                try:
                    reset = datetime.fromisoformat(self._last_headers["X-RateLimit-Reset"].replace("Z", "+00:00"))
                    wait = max(0.0, reset.timestamp() - datetime.now(reset.tzinfo).timestamp())
                except ValueError:
                    wait = None
            return PostError(f"{where} answered 429 rate limited", retry_after=wait)
        if isinstance(exc, MastodonAPIError) and len(exc.args) >= 2 and isinstance(exc.args[1], int):
            detail = exc.args[3] if len(exc.args) > 3 and exc.args[3] else (exc.args[2] if len(exc.args) > 2 else "")
            return status_error(where, exc.args[1], str(detail or ""), self._last_headers.get("Retry-After"))
        if isinstance(exc, MastodonNetworkError):
            cause = exc.__context__
            never_sent = isinstance(cause, requests.ConnectTimeout) or (
                isinstance(cause, requests.ConnectionError) and "NewConnectionError" in str(cause))
            return PostError(f"{where}: {exc}", ambiguous=not never_sent)
        return PostError(f"{where}: {exc}", ambiguous=True)

    # -- fetch ------------------------------------------------------------------------------------

    def _mention(self, status: dict[str, Any]) -> Mention:
        created = status.get("created_at")
        return Mention(
            source=self.name, network=self.network, external_id=str(status["id"]),
            author=str(status["account"]["acct"]), text=html_to_text(status.get("content", "")),
            url=status.get("url") or status.get("uri"),
            created_at=created.isoformat() if isinstance(created, datetime) else created,
            in_reply_to=str(status["in_reply_to_id"]) if status.get("in_reply_to_id") else None,
        )

    def me(self) -> str:
        if self._me is None:
            self._me = str(self.client.me()["id"])
        return self._me

    def fetch(self, cursor: str | None) -> FetchResult:
        state: dict[str, Any] = json.loads(cursor) if cursor else {}
        mentions: dict[str, Mention] = {}
        try:
            # min_id pages forward from the cursor, oldest first, so nothing between rounds is skipped.
            since = state.get("n")
            while True:
                page = self.client.notifications(types=["mention"], min_id=since, limit=self.fetch_limit)
                if not page:
                    break
                for note in page:
                    since = newer(since, str(note["id"]))
                    if note.get("status"):
                        m = self._mention(note["status"])
                        mentions[m.external_id] = m
                if len(page) < self.fetch_limit or state.get("n") is None:
                    break  # the first run takes one page of recent mentions, not the whole history
            state["n"] = since
            if self.terms:
                me = self.me()
                top = state.get("s")
                for term in self.terms:
                    found = self.client.search_v2(term, result_type="statuses", min_id=state.get("s"),
                                                  limit=self.fetch_limit)
                    for status in found.get("statuses", []):
                        sid = str(status["id"])
                        if state.get("s") and _id_key(sid) <= _id_key(state["s"]):
                            continue  # servers may ignore min_id on search
                        top = newer(top, sid)
                        if str(status["account"]["id"]) != me and sid not in mentions:
                            mentions[sid] = self._mention(status)
                state["s"] = top
        except MastodonError as exc:
            raise self._error(exc) from None
        ordered = sorted(mentions.values(), key=lambda m: _id_key(m.external_id))
        return FetchResult(ordered, json.dumps(state, sort_keys=True))

    # -- replies ----------------------------------------------------------------------------------

    def reply(self, mention: Mention, text: str, idempotency_key: str) -> Posted:
        try:
            # status_reply keeps the thread's visibility (a direct message stays direct) and
            # mentions the author, which Mastodon needs to notify them.
            status = self.client.status(mention.external_id)
            posted = self.client.status_reply(status, text, idempotency_key=idempotency_key)
        except MastodonError as exc:
            raise self._error(exc) from None
        return Posted(str(posted["id"]), posted.get("url") or posted.get("uri"))

    def post_status(self, text: str, idempotency_key: str) -> Posted:
        """A new public status on the brand's account (a spike's statement), not a reply."""
        try:
            posted = self.client.status_post(text, idempotency_key=idempotency_key)
        except MastodonError as exc:
            raise self._error(exc) from None
        return Posted(str(posted["id"]), posted.get("url") or posted.get("uri"))

    def hide(self, mention: Mention, reason: str | None) -> str:
        """Report the post to the instance's moderators (the most Mastodon allows)."""
        try:
            status = self.client.status(mention.external_id)
            self.client.report(status["account"]["id"], status_ids=[status["id"]],
                               comment=(reason or "Reported from the brand's review queue")[:1000], forward=False)
        except MastodonError as exc:
            raise self._error(exc) from None
        return "reported to the Mastodon instance's moderators (Mastodon cannot hide a reply on someone else's post)"

    def send_private(self, mention: Mention, text: str, idempotency_key: str) -> Posted:
        """A direct message: a status with visibility "direct" that mentions the author."""
        try:
            status = self.client.status(mention.external_id)
            handle = f"@{status['account']['acct']}"
            body = text if text.startswith(handle) else f"{handle} {text}"
            posted = self.client.status_post(body, visibility="direct", idempotency_key=idempotency_key)
        except MastodonError as exc:
            raise self._error(exc) from None
        return Posted(str(posted["id"]), posted.get("url") or posted.get("uri"))

    def find_reply(self, mention: Mention, idempotency_key: str) -> Posted | None:
        """Our account's reply to the mention, if one exists (checked before any retry)."""
        try:
            me = self.me()
            context = self.client.status_context(mention.external_id)
        except MastodonError as exc:
            raise self._error(exc) from None
        for status in context.get("descendants", []):
            if str(status["account"]["id"]) == me and str(status.get("in_reply_to_id")) == mention.external_id:
                return Posted(str(status["id"]), status.get("url") or status.get("uri"))
        return None


@register("mastodon")
def _create(**options: Any) -> MastodonConnector:
    return MastodonConnector(**options)
