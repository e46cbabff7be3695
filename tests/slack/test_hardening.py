"""The Slack app under hostile or broken input, over real HTTP on 127.0.0.1 with Slack's real
request signatures: huge bodies (read no further than the limit), deep nesting, button values
that are not ours, clicks that name another card's mention, and a Web API URL that answers
nothing (or not like Slack) at start-up."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlencode

import pytest
from http_probe import MB, CountingApp, send_large
from slack_harness import APPROVER, QUESTION, REVIEW, ROOT, SECRET, Harness, text_of

from assistant.web import server as slack_server
from assistant.web.server import HttpServer, asgi_app
from devtools.fakes import FAKE_MODEL, PYTHONPATH


@pytest.fixture
def counted(h: Harness) -> Iterator[tuple[str, CountingApp]]:
    app = CountingApp(asgi_app(h.app, h.runtime.routes))
    server = HttpServer(app).start()
    yield server.url + "/slack/events", app
    server.stop()


def fresh_headers() -> dict[str, str]:
    """Signature headers that pass every check but the HMAC itself."""
    return {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=" + "0" * 64,
            "Content-Type": "application/json"}


# -- 1. size limits hold while reading --------------------------------------------------------


def test_an_unsigned_huge_body_is_refused_before_reading_it(counted) -> None:
    url, app = counted
    status, got, _, sent = send_large(url, {"Content-Type": "application/json"}, 100 * MB)
    assert status == 401 and app.read == 0 and sent < 50 * MB
    assert got.get("connection") == "close"  # the rest is not drained either


def test_a_huge_chunked_body_with_signature_headers_is_cut_off_at_the_limit(counted) -> None:
    url, app = counted
    total = 100 * MB
    status, got, body, sent = send_large(url, fresh_headers(), total)
    assert status == 413 and got.get("connection") == "close"
    assert "over" in json.loads(body)["error"]
    assert app.read <= slack_server.MAX_BODY + MB  # read up to the limit, not past it
    assert sent < total // 2  # the server hung up instead of draining the rest


def test_a_huge_content_length_is_refused_before_reading(counted) -> None:
    url, app = counted
    status, _, _, sent = send_large(url, fresh_headers(), 100 * MB, chunked=False, content_length=300 * MB)
    assert status == 413 and app.read == 0 and sent < 50 * MB


def test_an_old_or_badly_signed_request_is_401_without_being_parsed(h) -> None:
    deep = "[" * 5000 + "]" * 5000
    assert h.driver.post(deep, "application/json", timestamp=int(time.time()) - 600).status_code == 401
    assert h.driver.post(deep, "application/json", secret="not-the-secret").status_code == 401


# -- 2. deep nesting and bodies that are not Slack's --------------------------------------------


@pytest.mark.parametrize("body,ctype", [
    ("[" * 2000 + "]" * 2000, "application/json"),
    ('{"type": "event_callback", "event": ' + "[" * 3000 + "]" * 3000 + "}", "application/json"),
    (urlencode({"payload": "[" * 3000 + "]" * 3000}), "application/x-www-form-urlencoded"),
    ("[]", "application/json"),
    ("null", "application/json"),
    ('"text"', "application/json"),
    ("{not json", "application/json"),
    (urlencode({"payload": "{not json"}), "application/x-www-form-urlencoded"),
])
def test_a_signed_body_slack_would_never_send_is_400_not_500(h, caplog, body, ctype) -> None:
    with caplog.at_level(logging.WARNING):
        r = h.driver.post(body, ctype)
    assert r.status_code == 400, (r.status_code, r.text)
    error = r.json()["error"]
    assert error and "\n" not in error
    assert not [rec for rec in caplog.records if rec.exc_info]


# -- 3. a button value that is not ours --------------------------------------------------------


@pytest.mark.parametrize("value", ["not json", "[1, 2]", '{"d": 1}', '{"m": null, "d": 1}', '{"m": "x", "d": "7"}',
                                   '{"m": ' + "[" * 3000 + "]" * 3000 + "}"])
def test_a_button_value_that_is_not_ours_is_answered_without_a_traceback(h, caplog, value) -> None:
    mention_id, card = h.card(QUESTION, external_id="v1")
    with caplog.at_level(logging.INFO):
        r = h.click("approve", mention_id, value=value)
        assert r.status_code == 200
        note = h.slack.wait_for("chat.postEphemeral")[0]
        h.services.workers.drain()
    assert "could not be read" in note["text"] and note["user"] == APPROVER
    assert not [rec for rec in caplog.records if rec.exc_info], [rec.getMessage() for rec in caplog.records]
    lines = [rec.getMessage() for rec in caplog.records if "button value" in rec.getMessage()]
    assert len(lines) == 1 and "\n" not in lines[0]
    assert h.store.get_mention(mention_id)["status"] == "awaiting" and h.runtime.delivered == []


def test_a_modal_button_with_a_broken_value_opens_nothing(h) -> None:
    mention_id, _ = h.card(QUESTION, external_id="v2")
    assert h.click("edit", mention_id, value="{{").status_code == 200
    assert "could not be read" in h.slack.wait_for("chat.postEphemeral")[0]["text"]
    h.services.workers.drain()
    assert h.slack.calls_to("views.open") == []


# -- 7. a click acts only on the card it came from, on the draft it shows --------------------------


def test_a_click_on_one_card_cannot_act_on_another_mention(h) -> None:
    a, card_a = h.card(QUESTION, external_id="a")
    b, card_b = h.card(QUESTION, external_id="b")
    assert card_a["ts"] != card_b["ts"]
    for action in ("approve", "hide", "edit", "reject"):
        assert h.click(action, b, card=card_a).status_code == 200  # b's value, on a's card
    notes = h.slack.wait_for("chat.postEphemeral", 4)
    h.services.workers.drain()
    assert all("does not belong to this card" in n["text"] for n in notes)
    assert h.slack.calls_to("views.open") == []
    assert h.store.get_mention(a)["status"] == h.store.get_mention(b)["status"] == "awaiting"
    assert h.runtime.delivered == []
    # a message that is not a card at all
    assert h.click("approve", a, card={"channel": REVIEW, "ts": "1699999999.000100"}).status_code == 200
    h.slack.wait_for("chat.postEphemeral", 5)
    h.services.workers.drain()
    assert h.store.get_mention(a)["status"] == "awaiting"
    # the right card still works
    h.click("approve", b, card=card_b)
    h.slack.wait_for("chat.update", where=lambda p: p["ts"] == card_b["ts"] and "view the reply" in text_of(p.get("blocks")))
    h.services.workers.drain()
    assert h.store.get_mention(b)["status"] != "awaiting" and len(h.runtime.delivered) == 1


@pytest.mark.parametrize("value", [lambda m: {"m": m}, lambda m: {"m": m, "d": None}])
def test_approve_without_the_draft_id_is_refused(h, value) -> None:
    mention_id, _ = h.card(QUESTION, external_id="nod")
    h.click("approve", mention_id, value=json.dumps(value(mention_id)))
    note = h.slack.wait_for("chat.postEphemeral")[0]["text"]
    h.services.workers.drain()
    assert "draft" in note and "nothing was changed" in note
    assert h.store.get_mention(mention_id)["status"] == "awaiting" and h.runtime.delivered == []


# -- 4. an unreachable Web API at start-up ------------------------------------------------------


class NotSlack:
    """An HTTP server that is not Slack's Web API (a proxy's error page, a wrong URL)."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                page = b"<html>Not Found</html>"
                self.send_response(404)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("where", ["closed", "not-slack"])
def test_an_unreachable_slack_api_url_stops_serve_with_one_line(tmp_path, where) -> None:
    other = NotSlack() if where == "not-slack" else None
    url = other.url if other else f"http://127.0.0.1:{_closed_port()}/"
    env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET,
           "ASSISTANT_SLACK_API_URL": url, "ASSISTANT_BACKEND": FAKE_MODEL, "PYTHONPATH": PYTHONPATH, "ASSISTANT_DB_PATH": str(tmp_path / "a.db"),
           "ASSISTANT_POLICIES_DIR": str(ROOT / "policies"), "ASSISTANT_REVIEW_CHANNEL": "CREVIEW",
           "ASSISTANT_OUTBOX_FILE": str(tmp_path / "outbox.jsonl")}
    for name in ("SLACK_APP_TOKEN", "ASSISTANT_SOURCES_FILE"):
        env.pop(name, None)
    try:
        done = subprocess.run([sys.executable, "-c", "from assistant.cli import main; main()", "serve",
                               "--port", str(_closed_port())], env=env, cwd=tmp_path, capture_output=True,
                              text=True, timeout=120)
    finally:
        if other:
            other.close()
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), lines  # one line, nothing else
    assert "ASSISTANT_SLACK_API_URL" in lines[0] and url.rstrip("/") in lines[0]
    assert "loading the model" not in done.stderr  # found out before the slow part
