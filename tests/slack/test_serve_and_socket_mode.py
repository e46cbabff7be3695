"""`assistant serve` as a real process, and the app over Socket Mode."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest
from click.testing import CliRunner
from slack_harness import APPROVER, QUESTION, ROOT, SECRET, Harness, text_of

from assistant.domain.errors import SettingsError
from assistant.domain.models import Mention
from assistant.engine import Engine
from assistant.policy.registry import PolicyRegistry
from assistant.settings import Settings
from assistant.slack import create_app
from assistant.slack.views.card import action_value
from assistant.store import Store
from assistant.store import slack_sql as tables
from assistant.web.server import socket_mode_handler
from devtools.fakes import FAKE_MODEL, PYTHONPATH
from devtools.fakes.model import FakeBackend
from devtools.loopback import FakeSocketMode, SlackDriver, block_actions, slash_command


def _cli(args, env, cwd):
    from assistant.cli import _register, cli

    _register()
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=True)


@pytest.mark.parametrize("env, missing", [
    ({"SLACK_BOT_TOKEN": ""}, "SLACK_BOT_TOKEN is not set"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET is not set"),
    ({"SLACK_BOT_TOKEN": "xoxp-user", "SLACK_SIGNING_SECRET": "s"}, "not a bot token"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "wrong"}, "SLACK_APP_TOKEN is not an app-level token"),
])
def test_missing_tokens_are_one_line_saying_where_to_get_them(tmp_path, monkeypatch, env, missing):
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    result = _cli(["serve"], env, tmp_path)
    assert isinstance(result.exception, SettingsError)
    message = str(result.exception)
    assert missing in message and "\n" not in message and "api.slack.com/apps" in message


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_assistant_serve_runs_the_app_end_to_end(tmp_path, slack):
    port = _free_port()
    db = tmp_path / "assistant.db"
    env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET,
           "ASSISTANT_SLACK_API_URL": slack.base, "ASSISTANT_BACKEND": FAKE_MODEL, "PYTHONPATH": PYTHONPATH,
           "ASSISTANT_DB_PATH": str(db),
           "ASSISTANT_POLICIES_DIR": str(ROOT / "policies"), "ASSISTANT_REVIEW_CHANNEL": "CREVIEW",
           "ASSISTANT_OUTBOX_FILE": str(tmp_path / "outbox.jsonl")}
    env.pop("SLACK_APP_TOKEN", None)
    env.pop("ASSISTANT_SOURCES_FILE", None)
    proc = subprocess.Popen([sys.executable, "-c", "from assistant.cli import main; main()", "serve",
                             "--port", str(port)], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)
        driver = SlackDriver(url, SECRET)
        r = driver.command(slash_command("/assistant", "help", APPROVER, slack.response_url()))
        assert r.status_code == 200 and "/reply" in r.text
        assert driver.command(slash_command("/assistant", "help", APPROVER, ""), sign=False).status_code == 401
        # a mention arriving by another route (here: written to the database) gets a card
        store = Store(db)
        engine = Engine(Settings(backend=FAKE_MODEL, db_path=db, policies_dir=ROOT / "policies"), store,
                        PolicyRegistry(ROOT / "policies"), backend=FakeBackend())
        [mention_id] = engine.ingest([Mention(source="demo", external_id="1", author="Ann", text=QUESTION)])
        engine.process(mention_id)
        slack.wait_for("chat.postMessage", timeout=15)
        card = None
        while card is None and time.monotonic() < deadline + 30:
            card = tables.card(store, mention_id)
            time.sleep(0.05)
        value = action_value(mention_id, store.latest_draft(mention_id)[0])
        r = driver.interact(block_actions("approve", value, APPROVER, card["channel"], card["ts"]))
        assert r.status_code == 200
        # no source is configured: the reply goes to the local outbox file, and the card says so
        final = slack.wait_for("chat.update", timeout=15,
                               where=lambda p: "Saved to outbox.jsonl" in text_of(p.get("blocks")))[-1]
        assert "Posted" not in text_of(final["blocks"])
        lines = (tmp_path / "outbox.jsonl").read_text().splitlines()
        assert len(lines) == 1 and json.loads(lines[0])["text"] == store.latest_draft(mention_id)[1].text
        driver.close()
        store.close()
    finally:
        proc.terminate()
        proc.wait(10)


def test_socket_mode_envelopes_are_acknowledged_and_acted_on(tmp_path, slack):
    ws = FakeSocketMode().start()
    slack.ws_url = ws.url
    h = Harness.__new__(Harness)  # reuse the helpers with a Socket Mode app instead of an HTTP server
    h.slack = slack
    h.settings = Settings(backend=FAKE_MODEL, db_path=tmp_path / "a.db", policies_dir=ROOT / "policies",
                          slack_bot_token="xoxb-test", slack_signing_secret=None, slack_app_token="xapp-test",
                          slack_api_url=slack.api_url, review_channel="CREVIEW", approvers=[])
    from slack_harness import RecordingRuntime

    h.store = Store(h.settings.db_path)
    h.engine = Engine(h.settings, h.store, PolicyRegistry(ROOT / "policies"), backend=FakeBackend())
    h.runtime = RecordingRuntime(h.store)
    h.app = create_app(h.engine, h.runtime, h.settings)
    h.services = h.app.services
    handler = socket_mode_handler(h.app, "xapp-test")
    try:
        handler.connect()
        ws.wait_connected()
        mention_id, card = h.card(QUESTION)
        payload = block_actions("approve", h.value(mention_id), APPROVER, card["channel"], card["ts"])
        envelope = ws.send("interactive", payload)
        assert ws.wait_ack(envelope)["envelope_id"] == envelope
        slack.wait_for("chat.update", where=lambda p: "view the reply" in text_of(p.get("blocks")))
        # Slack asks the app to reconnect; it does, and keeps working
        ws.disconnect()
        ws.wait_connected(2, timeout=20)
        envelope = ws.send("slash_commands", slash_command("/assistant", "queue", APPROVER, slack.response_url()))
        ack = ws.wait_ack(envelope)
        assert "empty" in json.dumps(ack.get("payload"))
        h.services.workers.drain()
        assert len(h.runtime.delivered) == 1
        assert [c for c in slack.calls_to("apps.connections.open") if c["_token"] == "xapp-test"]
    finally:
        handler.close()
        ws.stop()
        h.services.close(wait=False)
        h.store.close()


def test_a_review_channel_that_does_not_exist_stops_serve_with_one_line(tmp_path, monkeypatch, slack):
    monkeypatch.chdir(tmp_path)
    env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_APP_TOKEN": "",
           "ASSISTANT_SLACK_API_URL": slack.base, "ASSISTANT_BACKEND": FAKE_MODEL,
           "ASSISTANT_DB_PATH": str(tmp_path / "a.db"), "ASSISTANT_POLICIES_DIR": str(ROOT / "policies"),
           "ASSISTANT_REVIEW_CHANNEL": "CNOSUCH"}
    monkeypatch.delenv("ASSISTANT_SOURCES_FILE", raising=False)
    result = _cli(["serve", "--port", str(_free_port())], env, tmp_path)
    assert isinstance(result.exception, SettingsError)
    message = str(result.exception)
    assert "CNOSUCH" in message and "channel_not_found" in message and "\n" not in message
    env["ASSISTANT_REVIEW_CHANNEL"] = "#no-such-channel"
    message = str(_cli(["serve", "--port", str(_free_port())], env, tmp_path).exception)
    assert "no channel named #no-such-channel" in message and "\n" not in message


def test_socket_mode_still_serves_webhooks_and_healthz_but_not_slack_events():
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from assistant.web.server import HttpServer, side_app

    async def hook(request):
        return PlainTextResponse("taken")

    server = HttpServer(side_app([Route("/webhooks/zap", hook, methods=["POST"])])).start()
    try:
        assert httpx.get(server.url + "/healthz").text == "ok"
        assert httpx.post(server.url + "/webhooks/zap").text == "taken"
        # no unsigned door into the app: Slack's requests come over the websocket only
        assert httpx.post(server.url + "/slack/events", content="payload=x").status_code == 404
    finally:
        server.stop()


def test_a_card_channel_that_disappears_is_one_log_line_not_a_traceback_every_round(make_harness, caplog):
    h = make_harness(start=True, card_interval=0.05)
    h.slack.fail("chat.postMessage", status=200, error="channel_not_found", times=1000)
    mention_id = h.add(QUESTION, external_id="lost")
    h.engine.process(mention_id)
    h.slack.wait_for("chat.postMessage:failed", 5)  # the card loop tried several rounds
    lines = [r for r in caplog.records if r.name == "assistant.slack" and r.levelname in ("ERROR", "WARNING")]
    assert len(lines) == 1 and "channel_not_found" in lines[0].getMessage() and lines[0].exc_info is None
    assert "ASSISTANT_REVIEW_CHANNEL" in lines[0].getMessage()
    assert tables.card(h.store, mention_id) is None  # not lost: posted once the channel is fixed
    h.slack.failures.clear()
    h.services.poster.bad_channels.clear()
    h.slack.wait_for("chat.postMessage", where=lambda p: p.get("blocks"), timeout=10)
