"""RSS/Atom over real HTTP on 127.0.0.1: conditional requests and fuzzy brand matching."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from assistant.connectors.base import PostError
from assistant.connectors.feeds import BrandMatcher, FeedConnector
from assistant.domain.models import Mention

from .conftest import BRAND
from .servers import serve_asgi

TERMS = [BRAND.name, *BRAND.aliases, *BRAND.misspellings]

RSS = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Alerts</title>
<item><guid isPermaLink="false">a1</guid><title>Akme Coffee opens a new shop</title><link>https://news.example/1</link>
<pubDate>Mon, 02 Jun 2025 10:00:00 GMT</pubDate><description>&lt;b&gt;Big&lt;/b&gt; news</description></item>
<item><guid isPermaLink="false">a2</guid><title>Weather today</title><link>https://news.example/2</link></item>
<item><guid isPermaLink="false">a3</guid><title>Review: acme cofee is too bitter</title><link>https://news.example/3</link></item>
{extra}
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Reviews</title><id>urn:f</id><updated>2025-06-01T00:00:00Z</updated>
<entry><id>urn:e1</id><title>Five stars for AcmeCoffee</title><link href="https://reviews.example/e1"/>
<updated>2025-06-01T00:00:00Z</updated><author><name>Rita</name></author><summary>Lovely staff</summary></entry>
</feed>"""


class FeedServer:
    def __init__(self) -> None:
        self.body = {"/rss": RSS.format(extra=""), "/atom": ATOM, "/broken": "<html>not a feed"}
        self.hits: list[tuple[str, int]] = []
        self.fail_next: int | None = None

    async def serve(self, request: Request) -> Response:
        if self.fail_next:
            status, self.fail_next = self.fail_next, None
            self.hits.append((request.url.path, status))
            return Response("down", status_code=status)
        body = self.body[request.url.path]
        etag = '"' + hashlib.sha1(body.encode()).hexdigest()[:12] + '"'
        modified = "Mon, 02 Jun 2025 10:00:00 GMT"
        if request.headers.get("if-none-match") == etag:
            self.hits.append((request.url.path, 304))
            return Response(status_code=304, headers={"ETag": etag})
        self.hits.append((request.url.path, 200))
        kind = "application/atom+xml" if "atom" in request.url.path else "application/rss+xml"
        return Response(body, media_type=kind, headers={"ETag": etag, "Last-Modified": modified})


@pytest.fixture
def feeds() -> Iterator[tuple[FeedServer, str]]:
    fs = FeedServer()
    app = Starlette(routes=[Route(p, fs.serve) for p in ("/rss", "/atom", "/broken")])
    with serve_asgi(app) as url:
        yield fs, url


def test_matcher_finds_misspellings_not_lookalikes() -> None:
    m = BrandMatcher(TERMS)
    assert m.match("I love akme coffee")
    assert m.match("acme cofee is bitter")  # one letter off a two-word name
    assert m.match("Acmee!!")
    assert m.match("the acne treatment") is None  # short names match exactly
    assert m.match("Weather today") is None


def test_rss_conditional_requests_and_matching(feeds: tuple[FeedServer, Any]) -> None:
    fs, url = feeds
    c = FeedConnector(source="alerts", url=f"{url}/rss", terms=TERMS)
    r = c.fetch(None)
    assert [m.external_id for m in r.mentions] == ["a1", "a3"]
    m = r.mentions[0]
    assert m.url == "https://news.example/1" and m.text == "Akme Coffee opens a new shop\nBig news"
    assert m.created_at == "2025-06-02T10:00:00+00:00" and m.network == "feed"
    r2 = c.fetch(r.cursor)
    assert r2.mentions == [] and r2.extra.get("not_modified") and fs.hits[-1] == ("/rss", 304)
    fs.body["/rss"] = RSS.format(extra='<item><guid isPermaLink="false">a4</guid><title>Acme Coffee recall</title></item>')
    r3 = c.fetch(r2.cursor)
    assert [m.external_id for m in r3.mentions] == ["a1", "a3", "a4"]  # the store drops the repeats


def test_atom_and_match_all(feeds: tuple[FeedServer, Any]) -> None:
    _, url = feeds
    r = FeedConnector(source="reviews", url=f"{url}/atom", terms=TERMS).fetch(None)
    assert [(m.external_id, m.author) for m in r.mentions] == [("urn:e1", "Rita")]
    r = FeedConnector(source="all", url=f"{url}/rss", match_all=True).fetch(None)
    assert len(r.mentions) == 3


def test_errors_and_read_only(feeds: tuple[FeedServer, Any]) -> None:
    fs, url = feeds
    c = FeedConnector(source="alerts", url=f"{url}/rss", terms=TERMS)
    fs.fail_next = 503
    with pytest.raises(PostError, match="503"):
        c.fetch(None)
    with pytest.raises(Exception, match="not a valid RSS or Atom feed"):
        FeedConnector(source="x", url=f"{url}/broken", terms=TERMS).fetch(None)
    with pytest.raises(PostError) as err:
        c.reply(Mention(source="alerts", external_id="a1", text="x", url="https://n/1"), "hi", "k")
    assert err.value.permanent and "open https://n/1" in str(err.value)
    assert c.capabilities().reply is False
