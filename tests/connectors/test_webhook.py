"""Webhook in (signed intake route) and out (signed POST with retries), over real HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from assistant.connectors.signing import SIGNATURE_HEADER, check_signature, signed_headers
from assistant.connectors.sources import parse_sources
from assistant.runtime.service import Runtime

from .conftest import approve
from .servers import serve_asgi

SECRET = "s3cret-for-tests"


class Receiver:
    """A webhook-out receiver: checks the signature, drops repeats by Idempotency-Key."""

    def __init__(self) -> None:
        self.replies: dict[str, dict] = {}
        self.bad_signatures = 0
        self.headers: list[dict[str, str]] = []
        self.lock = threading.Lock()

    async def endpoint(self, request: Request) -> JSONResponse:
        body = await request.body()
        self.headers.append(dict(request.headers))
        if check_signature(SECRET, body, request.headers) is not None:
            self.bad_signatures += 1
            return JSONResponse({"error": "bad signature"}, status_code=401)
        key = request.headers["Idempotency-Key"]
        with self.lock:
            self.replies.setdefault(key, json.loads(body))
        return JSONResponse({"id": "r-" + key[-6:], "url": f"https://tool.example/r/{key}"})


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    r = Receiver()
    with serve_asgi(Starlette(routes=[Route("/hook", r.endpoint, methods=["POST"])])) as url:
        yield r, url


def make_runtime(settings, engine, reply_url: str | None = None, **kw: Any) -> Runtime:
    opts = {"secret_env": "HOOK_SECRET"}
    if reply_url:
        opts["reply_url"] = reply_url
        opts["timeout"] = 0.5
    sources = parse_sources(json.dumps({"sources": [
        {"name": "zap", "connector": "webhook", "brand": "acme", "poll_every": 0, "options": opts}]}))
    return Runtime(settings, engine, sources=sources, env={"HOOK_SECRET": SECRET}, **kw)


@pytest.fixture
def intake(settings, engine) -> Iterator[tuple[Runtime, str]]:
    rt = make_runtime(settings, engine)
    rt.start()
    with serve_asgi(Starlette(routes=rt.routes)) as url:
        yield rt, url
    rt.stop()


def post(url: str, payload: Any, secret: str = SECRET, client: httpx.Client | None = None,
         raw: bytes | None = None) -> httpx.Response:
    body = raw if raw is not None else json.dumps(payload).encode()
    c = client or httpx.Client(trust_env=False)
    return c.post(url, content=body, headers={**signed_headers(secret, body), "Content-Type": "application/json"})


def test_signed_mention_is_stored_once_and_processed(intake, store, engine) -> None:
    rt, url = intake
    m = {"id": "z1", "author": "ann", "text": "Where is my order?", "url": "https://x/1"}
    r = post(f"{url}/webhooks/zap", m)
    assert r.status_code == 202 and r.json()["new"] == 1
    r = post(f"{url}/webhooks/zap", {"mentions": [m, {"id": "z2", "text": "love it"}]})
    assert r.status_code == 202 and r.json() == {"received": 2, "new": 1, "duplicates": 1, "unique": 2,
                                                 "ids": ["zap:z1", "zap:z2"]}
    row = store.get_mention("zap:z1")
    assert row["brand"] == "acme" and row["network"] == "webhook" and row["text"] == "Where is my order?"
    rt.stop()  # drains the processing queue
    assert sorted(engine.processed) == ["zap:z1", "zap:z2"]


@pytest.mark.parametrize("headers,why", [({}, "missing signature"),
                                         ({SIGNATURE_HEADER: "sha256=" + "0" * 64}, "bad signature")])
def test_bad_signature_is_401(intake, store, headers, why) -> None:
    _, url = intake
    r = httpx.post(f"{url}/webhooks/zap", content=b'{"text": "hi"}', headers=headers, trust_env=False)
    assert r.status_code == 401 and r.json()["error"].startswith(why)
    r = post(f"{url}/webhooks/zap", {"text": "hi"}, secret="wrong")
    assert r.status_code == 401
    assert store.count("mentions") == 0
    assert any(e["kind"] == "input_rejected" for e in store.db["events"].rows)


@pytest.mark.parametrize("raw,reason", [
    (b"{not json", "body is not JSON"),
    (b'{"id": "1"}', "mentions[0].text: Field required"),
    (b'{"id": "1", "text": ""}', "mentions[0].text: String should have at least 1 character"),
    (b'"text"', "body must be a JSON object"),
    (b'{"mentions": []}', "mentions: List should have at least 1 item"),
])
def test_malformed_body_is_400_with_reason(intake, store, raw, reason) -> None:
    _, url = intake
    r = post(f"{url}/webhooks/zap", None, raw=raw)
    assert r.status_code == 400 and r.json()["error"].startswith(reason), r.json()
    assert store.count("mentions") == 0
    events = [json.loads(e["detail"]) for e in store.db["events"].rows if e["kind"] == "input_rejected"]
    assert events and events[-1]["reason"].startswith(reason) and events[-1]["status"] == 400


def test_unknown_source_is_answered_like_a_bad_signature(intake) -> None:
    _, url = intake
    r = post(f"{url}/webhooks/nope", {"text": "x"})
    assert r.status_code == 401 and r.json()["error"].startswith("bad signature")


def test_burst_with_duplicates_every_mention_stored_once(intake, store) -> None:
    _, url = intake
    unique = [{"id": f"b{i}", "author": f"u{i % 7}", "text": f"mention {i}"} for i in range(300)]
    deliveries = unique + unique[::3] + unique[::5]  # at-least-once senders repeat themselves
    clients = [httpx.Client(trust_env=False) for _ in range(20)]

    retries: list[int] = []

    def send(i: int) -> httpx.Response:
        # Like any at-least-once sender, retry when the connection drops (a loaded CI box
        # sometimes resets one); a repeat of a delivery that landed is then a duplicate.
        for attempt in range(3):
            try:
                return post(f"{url}/webhooks/zap", deliveries[i], client=clients[i % 20])
            except httpx.TransportError:
                retries.append(i)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(send, range(len(deliveries))))
    for c in clients:
        c.close()
    assert all(a.status_code == 202 for a in answers)
    new = sum(a.json()["new"] for a in answers)
    assert new == 300 if not retries else 300 - len(retries) <= new <= 300
    assert sum(a.json()["duplicates"] for a in answers) == len(deliveries) - new
    ids = {r["external_id"] for r in store.db["mentions"].rows}
    assert ids == {f"b{i}" for i in range(300)} and store.count("mentions") == 300


def test_webhook_out_signed_and_retried_exactly_once(settings, engine, store, receiver, proxy_factory) -> None:
    r, url = receiver
    proxy = proxy_factory(url, hold=1.0)
    rt = make_runtime(settings, engine, reply_url=f"{proxy.url}/hook")
    rt.worker.base_delay = 0.0
    seen: list[dict] = []
    rt.on_outcome.append(seen.append)
    a = approve(store, "zap", "w1")
    proxy.inject("500")
    proxy.inject("429", retry_after="0")
    proxy.inject("reset")
    proxy.inject("timeout")
    proxy.inject("lost")  # lands at the receiver, the answer never comes back
    statuses = [rt.deliver(a.outbox_id)["status"] for _ in range(6)]
    assert statuses == ["pending"] * 5 + ["posted"]
    assert len(r.replies) == 1 and r.bad_signatures == 0
    body = r.replies[a.idempotency_key]
    assert body["text"] == "Thanks, we're on it!" and body["in_reply_to"] == "w1"
    row = store.outbox_item(a.outbox_id)
    assert row["posted_url"].endswith(a.idempotency_key) and seen[-1]["status"] == "posted"


@pytest.mark.parametrize("status", ["401", "403", "404", "422"])
def test_webhook_out_permanent_failure(settings, engine, store, receiver, proxy_factory, status) -> None:
    _, url = receiver
    proxy = proxy_factory(url)
    rt = make_runtime(settings, engine, reply_url=f"{proxy.url}/hook")
    a = approve(store, "zap", "w1")
    proxy.inject(status)
    row = rt.deliver(a.outbox_id)
    assert row["status"] == "failed" and f"answered {status}" in row["last_error"]
    assert store.get_mention("zap:w1")["status"] == "failed"


def test_webhook_without_reply_url_is_read_only(settings, engine, store) -> None:
    rt = make_runtime(settings, engine)
    a = approve(store, "zap", "w1")
    row = rt.deliver(a.outbox_id)
    assert row["status"] == "failed" and "read-only" in row["last_error"]
