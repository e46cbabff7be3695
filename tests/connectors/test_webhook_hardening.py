"""The webhook intake under hostile input, over real HTTP on 127.0.0.1: bodies far over the
limit (read no further than the limit), deep nesting, replayed deliveries, probing for source
names, and floods of unauthenticated requests (aggregated in ``events``)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from http_probe import MB, CountingApp, send_large
from starlette.applications import Starlette

from assistant.connectors import webhook
from assistant.connectors.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signed_headers
from assistant.runtime.service import Runtime

from .conftest import approve
from .servers import serve_asgi
from .test_webhook import SECRET, Receiver, make_runtime


@pytest.fixture
def counted(settings, engine) -> Iterator[tuple[Runtime, str, CountingApp]]:
    rt = make_runtime(settings, engine)
    rt.start()
    app = CountingApp(Starlette(routes=rt.routes))
    with serve_asgi(app) as url:
        yield rt, url, app
    rt.stop()


def signed(body: bytes, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    return {**signed_headers(secret, body, timestamp), "Content-Type": "application/json"}


def rejected_rows(store) -> list[dict[str, Any]]:
    return [{**json.loads(e["detail"]), "at": e["at"]} for e in store.db["events"].rows
            if e["kind"] == "input_rejected"]


# -- 1. size limits hold while reading --------------------------------------------------------


@pytest.mark.parametrize("source", ["zap", "no-such-source"])
def test_a_huge_chunked_body_is_cut_off_at_the_limit(counted, source) -> None:
    _, url, app = counted
    total = 100 * MB
    # signature headers that look right (fresh timestamp): only the body's size can stop it
    headers = {TIMESTAMP_HEADER: str(int(time.time())), SIGNATURE_HEADER: "v1=" + "0" * 64,
               "Content-Type": "application/json"}
    status, _, body, sent = send_large(f"{url}/webhooks/{source}", headers, total)
    assert status == 413 and "over 1000000 bytes" in json.loads(body)["error"]
    assert app.read <= webhook.MAX_BODY + MB  # read up to the limit, not past it
    assert sent < total // 2  # the server hung up instead of draining the rest


def test_an_unsigned_huge_body_is_refused_before_reading_it(counted) -> None:
    _, url, app = counted
    status, got, body, sent = send_large(f"{url}/webhooks/zap", {"Content-Type": "application/json"}, 100 * MB)
    assert status == 401 and json.loads(body)["error"].startswith("missing signature")
    assert got.get("connection") == "close"  # the rest is not drained either
    assert app.read == 0 and sent < 50 * MB


def test_a_huge_content_length_is_refused_before_reading(counted) -> None:
    _, url, app = counted
    headers = {TIMESTAMP_HEADER: str(int(time.time())), SIGNATURE_HEADER: "v1=" + "0" * 64}
    status, got, _, sent = send_large(f"{url}/webhooks/zap", headers, 100 * MB, chunked=False,
                                      content_length=400 * MB)
    assert status == 413 and got.get("connection") == "close"
    assert app.read == 0 and sent < 50 * MB


# -- 2. deep nesting --------------------------------------------------------------------------


@pytest.mark.parametrize("legacy", [False, True], ids=["v1", "body-only"])
@pytest.mark.parametrize("raw", [b"[" * 2000 + b"]" * 2000,
                                 b'{"a":' * 2000 + b"1" + b"}" * 2000,
                                 b'{"text": "hi", "author": ' + b"[" * 5000 + b"]" * 5000 + b"}"])
def test_a_deeply_nested_body_is_400_with_one_line(intake_counted, raw, legacy) -> None:
    url = intake_counted
    headers = ({SIGNATURE_HEADER: "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()}
               if legacy else signed(raw))
    r = httpx.post(f"{url}/webhooks/zap", content=raw, headers=headers, trust_env=False)
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert "nested" in error and "\n" not in error


@pytest.fixture
def intake_counted(counted) -> str:
    return counted[1]


# -- 5. signed timestamps and a replay window -------------------------------------------------


def test_a_delivery_signed_with_a_timestamp_is_accepted(counted, store) -> None:
    _, url, _ = counted
    body = json.dumps({"id": "t1", "author": "ann", "text": "Where is my order?"}).encode()
    r = httpx.post(f"{url}/webhooks/zap", content=body, headers=signed(body), trust_env=False)
    assert r.status_code == 202 and r.json()["new"] == 1 and "warning" not in r.json()
    # the scheme, spelled out: v1=HMAC-SHA256(secret, "v1:{timestamp}:{body}")
    ts = str(int(time.time()))
    mac = hmac.new(SECRET.encode(), f"v1:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    r = httpx.post(f"{url}/webhooks/zap", content=body, trust_env=False,
                   headers={TIMESTAMP_HEADER: ts, SIGNATURE_HEADER: f"v1={mac}"})
    assert r.status_code == 202 and r.json()["duplicates"] == 1


@pytest.mark.parametrize("age", [310, 3600, -310])
def test_a_captured_delivery_replayed_later_is_refused(counted, store, age) -> None:
    _, url, _ = counted
    body = json.dumps({"id": "old", "text": "hi"}).encode()
    r = httpx.post(f"{url}/webhooks/zap", content=body, headers=signed(body, timestamp=int(time.time()) - age),
                   trust_env=False)
    assert r.status_code == 401, r.text
    error = r.json()["error"]
    assert "timestamp" in error and "5 minutes" in error and "\n" not in error
    assert store.count("mentions") == 0


def test_a_signature_moved_to_another_timestamp_is_refused(counted, store) -> None:
    _, url, _ = counted
    body = json.dumps({"id": "x", "text": "hi"}).encode()
    headers = signed(body, timestamp=int(time.time()) - 60)
    headers[TIMESTAMP_HEADER] = str(int(time.time()))  # a fresh timestamp on an old signature
    r = httpx.post(f"{url}/webhooks/zap", content=body, headers=headers, trust_env=False)
    assert r.status_code == 401 and r.json()["error"].startswith("bad signature")
    assert store.count("mentions") == 0


def test_the_old_body_only_signature_still_works_but_is_deprecated(counted, store, caplog) -> None:
    _, url, _ = counted
    body = json.dumps({"id": "legacy", "text": "hi"}).encode()
    legacy = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    with caplog.at_level(logging.WARNING, logger="assistant.connectors.webhook"):
        for header in (SIGNATURE_HEADER, "X-Hub-Signature-256"):
            r = httpx.post(f"{url}/webhooks/zap", content=body, headers={header: legacy}, trust_env=False)
            assert r.status_code == 202 and "deprecated" in r.json()["warning"]
    assert store.count("mentions") == 1
    notes = [rec.getMessage() for rec in caplog.records if "deprecated" in rec.getMessage()]
    assert len(notes) == 1 and "zap" in notes[0]  # logged once per source, not per delivery


def test_replies_out_carry_a_timestamped_signature(settings, engine, store) -> None:
    receiver = Receiver()
    from starlette.routing import Route

    with serve_asgi(Starlette(routes=[Route("/hook", receiver.endpoint, methods=["POST"])])) as url:
        rt = make_runtime(settings, engine, reply_url=f"{url}/hook")
        a = approve(store, "zap", "w9")
        assert rt.deliver(a.outbox_id)["status"] == "posted"
    assert receiver.bad_signatures == 0 and len(receiver.replies) == 1
    headers = receiver.headers[-1]
    assert headers[SIGNATURE_HEADER.lower()].startswith("v1=")
    assert abs(int(headers[TIMESTAMP_HEADER.lower()]) - time.time()) < 60


# -- 6. unknown source == bad signature; rejections aggregated ---------------------------------


def _probe(url: str, source: str, kind: str) -> tuple[int, Any]:
    body = json.dumps({"text": "hi"}).encode()
    if kind == "unsigned":
        headers: dict[str, str] = {}
    elif kind == "bad":
        headers = signed(body, secret="guess")
    elif kind == "stale":
        headers = signed(body, timestamp=int(time.time()) - 900)
    elif kind == "legacy-bad":
        headers = {SIGNATURE_HEADER: "sha256=" + "0" * 64}
    else:  # too big
        body = b"x" * (webhook.MAX_BODY + 10)
        headers = signed(body, secret="guess")
    r = httpx.post(f"{url}/webhooks/{source}", content=body, headers=headers, trust_env=False)
    # an expired signature's age depends on the clock, not on the source
    return r.status_code, re.sub(r"\d+ s old", "N s old", r.json()["error"])


@pytest.mark.parametrize("kind", ["unsigned", "bad", "stale", "legacy-bad", "big"])
def test_an_unknown_source_is_answered_like_a_bad_signature(counted, kind) -> None:
    _, url, _ = counted
    known = _probe(url, "zap", kind)
    unknown = _probe(url, "zapp", kind)
    assert known == unknown and known[0] in (401, 413)


def test_unauthenticated_rejections_write_one_row_per_source_a_minute(counted, store, monkeypatch) -> None:
    _, url, _ = counted
    clock = [1000.0]
    monkeypatch.setattr(webhook, "_monotonic", lambda: clock[0])
    with httpx.Client(trust_env=False) as client:
        for i in range(30):
            body = json.dumps({"text": f"hi {i}"}).encode()
            assert client.post(f"{url}/webhooks/zap", content=body, headers=signed(body, "guess")).status_code == 401
            name = f"probe-{uuid.uuid4().hex[:8]}"
            assert client.post(f"{url}/webhooks/{name}", content=body).status_code == 401
        rows = rejected_rows(store)
        assert len(rows) == 2, rows
        assert {r["source"] for r in rows} == {"zap", "(unknown)"}
        assert "no webhook source named 'probe-" in next(r["reason"] for r in rows if r["source"] == "(unknown)")
        clock[0] += 61  # a minute later: one more row, counting what the first one left out
        body = b'{"text": "again"}'
        assert client.post(f"{url}/webhooks/zap", content=body, headers=signed(body, "guess")).status_code == 401
    rows = rejected_rows(store)
    assert len(rows) == 3 and rows[-1]["source"] == "zap"
    assert "29 more refused" in rows[-1]["reason"] and rows[-1]["status"] == 401
