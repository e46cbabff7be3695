"""The contract every registered connector keeps, run over each one against its loopback server."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from assistant.connectors import base
from assistant.connectors.base import Capabilities, Connector, FetchResult, Posted, PostError
from assistant.connectors.sources import ensure_registered
from assistant.domain.errors import AssistantError
from assistant.domain.models import Mention

from .servers import serve_asgi
from .xrpc_fake import HANDLE, PASSWORD, XrpcFake

Seed = Callable[[], None]


@contextlib.contextmanager
def file_harness(tmp: Path) -> Iterator[tuple[Connector, Seed]]:
    inbox = tmp / "in.jsonl"
    inbox.touch()

    def seed() -> None:
        with inbox.open("a") as fh:
            fh.write(json.dumps({"id": "c1", "author": "ann", "text": "Acme Coffee rocks"}) + "\n")
    yield base.create("file", source="contract", inbox=inbox, outbox=tmp / "out.jsonl"), seed


@contextlib.contextmanager
def webhook_harness(tmp: Path) -> Iterator[tuple[Connector, Seed]]:
    seen: dict[str, str] = {}

    async def hook(request: Request) -> JSONResponse:
        key = request.headers["Idempotency-Key"]
        seen.setdefault(key, f"r{len(seen) + 1}")
        return JSONResponse({"id": seen[key]})

    with serve_asgi(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as url:
        yield base.create("webhook", source="contract", secret="s", reply_url=f"{url}/hook"), lambda: None


@contextlib.contextmanager
def mastodon_harness(tmp: Path) -> Iterator[tuple[Connector, Seed]]:
    from mastodon_mock.testing.server import MockServer
    with MockServer() as server:
        yield (base.create("mastodon", source="contract", api_base_url=server.base_url, access_token="bob_token",
                           terms=["Acme Coffee"]),
               lambda: server.client("alice").status_post("@bob Acme Coffee rocks"))


@contextlib.contextmanager
def bluesky_harness(tmp: Path) -> Iterator[tuple[Connector, Seed]]:
    fake = XrpcFake()
    with serve_asgi(fake.app()) as url:
        yield (base.create("bluesky", source="contract", handle=HANDLE, app_password=PASSWORD, base_url=url,
                           terms=["Acme Coffee"]),
               lambda: fake.add_post("ann.test", f"@{HANDLE} Acme Coffee rocks") and None)


@contextlib.contextmanager
def feed_harness(tmp: Path) -> Iterator[tuple[Connector, Seed]]:
    items: list[str] = []

    async def feed(request: Request) -> Response:
        body = ("<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>" + "".join(items)
                + "</channel></rss>")
        etag = f'"{len(items)}"'
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304)
        return Response(body, media_type="application/rss+xml", headers={"ETag": etag})

    def seed() -> None:
        items.append("<item><guid isPermaLink='false'>c1</guid><title>Acme Coffee rocks</title>"
                     "<link>https://n.example/1</link></item>")

    with serve_asgi(Starlette(routes=[Route("/feed", feed)])) as url:
        yield base.create("feed", source="contract", url=f"{url}/feed", terms=["Acme Coffee"]), seed


HARNESSES = {"file": file_harness, "webhook": webhook_harness, "mastodon": mastodon_harness,
             "bluesky": bluesky_harness, "feed": feed_harness}


def test_every_registered_connector_has_a_contract_harness() -> None:
    assert set(ensure_registered()) == set(HARNESSES)


def test_unknown_connector_lists_the_known_ones() -> None:
    ensure_registered()
    with pytest.raises(AssistantError, match="use one of: bluesky, feed, file, mastodon, webhook"):
        base.create("myspace")


@pytest.mark.parametrize("name", sorted(HARNESSES))
def test_connector_contract(name: str, tmp_path: Path) -> None:
    ensure_registered()
    with HARNESSES[name](tmp_path) as (conn, seed):
        assert isinstance(conn, Connector) and conn.name == "contract"
        caps = conn.capabilities()
        assert isinstance(caps, Capabilities) and caps.max_length >= 0
        first = conn.fetch(None)
        assert isinstance(first, FetchResult)
        seed()
        got = conn.fetch(first.cursor)
        for m in got.mentions:
            assert isinstance(m, Mention) and m.source == "contract" and m.external_id and m.text
        again = conn.fetch(got.cursor)  # the cursor moves on: nothing new twice (the store drops any repeat)
        assert {m.external_id for m in again.mentions} <= {m.external_id for m in got.mentions}
        if name != "webhook":  # a push source has nothing to poll
            assert any("Acme Coffee rocks" in m.text for m in got.mentions)
        target = got.mentions[0] if got.mentions else Mention(source="contract", external_id="x1", text="hi")
        if not caps.reply:
            with pytest.raises(PostError) as err:
                conn.reply(target, "Thanks!", "contract-key")
            assert err.value.permanent
            assert conn.find_reply(target, "contract-key") is None
            return
        posted = conn.reply(target, "Thanks for writing!", "contract-key")
        assert isinstance(posted, Posted) and posted.id
        found = conn.find_reply(target, "contract-key")
        assert found is None or found.id == posted.id
        if found is None:  # no way to look: the network must drop a repeat by the idempotency key
            assert conn.reply(target, "Thanks for writing!", "contract-key").id == posted.id
