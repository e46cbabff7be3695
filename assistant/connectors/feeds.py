"""RSS and Atom feeds (web alerts such as Google Alerts, review-site feeds), read-only.

Fetched with conditional requests (ETag / If-Modified-Since, kept in the cursor) and
parsed by feedparser. An entry is a mention when its title or summary fuzzily
matches one of the brand's names, aliases or misspellings (rapidfuzz, whole words,
score >= ``threshold``). There is nothing to reply to: the card offers the link.

Options: ``url``, optional ``threshold`` (0-100, default 85), ``match_all`` (true: every
entry is a mention, for feeds that are already about the brand), ``timeout``.
"""

from __future__ import annotations

import calendar
import html
import json
import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import feedparser
import httpx
from rapidfuzz import fuzz, process

from assistant.connectors.base import Capabilities, FetchResult, Posted, PostError, register
from assistant.connectors.http import status_error, transport_error
from assistant.domain.errors import AssistantError, SettingsError
from assistant.domain.models import Mention, stable_id

log = logging.getLogger(__name__)

_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"\w+", re.UNICODE)


def plain(text: str | None) -> str:
    return re.sub(r"\s+", " ", html.unescape(_TAG.sub(" ", text or ""))).strip()


class BrandMatcher:
    """Whole-word fuzzy matching of the brand's terms (misspellings included) against text."""

    def __init__(self, terms: Iterable[str], threshold: float = 85.0) -> None:
        self.terms = [" ".join(_WORD.findall(t.lower())) for t in terms if t and _WORD.search(t)]
        self.threshold = threshold

    def match(self, text: str) -> tuple[str, float] | None:
        words = _WORD.findall(text.lower())
        best: tuple[str, float] | None = None
        for term in self.terms:
            k = len(term.split())
            windows = [" ".join(words[i:i + k]) for i in range(max(0, len(words) - k + 1))]
            if not windows:
                continue
            # Short names must match exactly: one letter off in four is another word.
            cutoff = 100.0 if len(term) <= 4 else self.threshold
            hit = process.extractOne(term, windows, scorer=fuzz.ratio, score_cutoff=cutoff)
            if hit and (best is None or hit[1] > best[1]):
                best = (term, hit[1])
        return best


class FeedConnector:
    network = "feed"

    def __init__(self, source: str = "feed", url: str | None = None, terms: Iterable[str] = (),
                 threshold: float = 85.0, match_all: bool = False, timeout: float = 15.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        if not url:
            raise SettingsError(f"source {source}: a feed source needs a url", "add options.url: https://...")
        self.name = source
        self.url = url
        self.match_all = match_all
        self.matcher = BrandMatcher(terms, threshold)
        if not match_all and not self.matcher.terms:
            log.warning("source %s: no brand terms to match; no entry will count as a mention", source)
        self._client = httpx.Client(timeout=timeout, transport=transport, follow_redirects=True,
                                    headers={"User-Agent": "community-assistant (feed reader)"})

    def capabilities(self) -> Capabilities:
        return Capabilities(reply=False, hide=False, search=True, max_length=0)

    def fetch(self, cursor: str | None) -> FetchResult:
        state: dict[str, Any] = json.loads(cursor) if cursor else {}
        headers = {}
        if state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state.get("modified"):
            headers["If-Modified-Since"] = state["modified"]
        where = f"feed {self.url}"
        try:
            resp = self._client.get(self.url, headers=headers)
        except httpx.HTTPError as exc:
            raise transport_error(where, exc) from None
        if resp.status_code == 304:
            return FetchResult([], cursor, {"not_modified": True})
        if resp.status_code >= 400:
            raise status_error(where, resp.status_code, "", resp.headers.get("Retry-After"))
        parsed = feedparser.parse(resp.content, response_headers={"content-location": str(resp.url),
                                                                   "content-type": resp.headers.get("content-type", "")})
        if parsed.bozo and not parsed.entries:
            raise AssistantError(f"{where} is not a valid RSS or Atom feed ({parsed.get('bozo_exception')})",
                                 "check the source's url")
        mentions: list[Mention] = []
        for entry in parsed.entries:
            text = plain(entry.get("title"))
            summary = plain(entry.get("summary"))
            if summary and summary != text:
                text = f"{text}\n{summary}" if text else summary
            if not text:
                continue
            if not self.match_all and self.matcher.match(text) is None:
                continue
            when = entry.get("published_parsed") or entry.get("updated_parsed")
            created = (datetime.fromtimestamp(calendar.timegm(when), UTC).isoformat() if when else None)
            author = entry.get("author") or parsed.feed.get("title") or ""
            link = entry.get("link")
            mentions.append(Mention(
                source=self.name, network=self.network, author=author, text=text, url=link,
                external_id=entry.get("id") or link or stable_id(self.name, author, text, created),
                created_at=created,
            ))
        new_state = {"etag": resp.headers.get("ETag"), "modified": resp.headers.get("Last-Modified")}
        return FetchResult(mentions, json.dumps(new_state, sort_keys=True), {"entries": len(parsed.entries)})

    def reply(self, mention: Mention, text: str, idempotency_key: str) -> Posted:
        raise PostError(f"{self.name} is a feed and cannot be replied to: open {mention.url} and answer there",
                        permanent=True)

    def find_reply(self, mention: Mention, idempotency_key: str) -> Posted | None:
        return None


@register("feed")
def _create(**options: Any) -> FeedConnector:
    return FeedConnector(**options)
