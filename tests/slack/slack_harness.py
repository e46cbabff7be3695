"""Helpers for the Slack tests: the real Bolt app behind a real HTTP server on 127.0.0.1, a loopback fake of Slack's
Web API, and signed requests in Slack's wire formats. No network, no Slack tokens."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from assistant.connectors.base import Capabilities
from assistant.connectors.sources import SourceConfig
from assistant.domain.models import Mention
from assistant.domain.ports import NetworkAction
from assistant.engine import Engine
from assistant.policy.registry import PolicyRegistry
from assistant.runtime.service import Runtime
from assistant.settings import Settings
from assistant.slack import create_app
from assistant.slack.views.card import action_value, card_block_id, option_value
from assistant.store import Store, connectors_sql
from assistant.store import slack_sql as tables
from assistant.web.server import HttpServer, asgi_app
from devtools.fakes import FAKE_MODEL
from devtools.fakes.model import FakeBackend
from devtools.loopback import FakeSlack, SlackDriver, block_actions, view_submission

ROOT = Path(__file__).resolve().parents[2]
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
REVIEW = "CREVIEW"
QUESTION = "Love your new espresso blend! Do you ship it to Germany?"
APPROVER, APPROVER2, OUTSIDER = "UAPPROVER1", "UAPPROVER2", "UOUTSIDER"
# The model's one sentence; the policy's parts carry the answer around it.
MODEL_REPLY = "We're glad you like the new espresso blend."


class RecordingRuntime:
    """Our own seam (not a remote service): records deliver() calls and posts nothing anywhere.
    ``gate`` holds deliveries until set; ``error`` makes them fail."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.routes: list[Any] = []
        self.on_outcome: list[Any] = []
        self.on_processed: list[Any] = []
        self.delivered: list[int] = []
        self.gate = threading.Event()
        self.gate.set()
        self.error: Exception | None = None
        self.lock = threading.Lock()
        self.hidden: list[tuple[str, str | None]] = []
        self.private: list[tuple[str, str]] = []

    def start(self) -> None:
        pass

    def stop(self, timeout: float = 10.0) -> None:
        pass

    # The rest of RuntimePort / NetworkPort (assistant/domain/ports.py), as the real runtime
    # answers for a source with no connector configured: replies through the mention's source.
    capabilities_: Capabilities = Capabilities(reply=True, hide=False)

    def retry(self, outbox_id: int, actor: str = "system") -> bool:
        return connectors_sql.retry_failed(self.store, outbox_id, actor)

    def connector_name(self, mention_id: str) -> str:
        return self.store.mention(mention_id).source

    def capabilities(self, mention_id: str) -> Capabilities:
        self.store.mention(mention_id)
        return self.capabilities_

    def check_reply(self, mention_id: str, text: str) -> tuple[list[str], list[str]]:
        self.store.mention(mention_id)
        return [], []

    def is_local(self, name: str | None) -> bool:
        return False

    def hide(self, mention_id: str, reason: str | None) -> NetworkAction:
        self.hidden.append((mention_id, reason))
        network = self.store.mention(mention_id).network_name.capitalize()
        if self.capabilities_.hide:
            return NetworkAction(True, f"reported on {network}")
        return NetworkAction(False, f"recorded, not hidden on {network}: {self.capabilities_.hide_means}")

    def send_private(self, mention_id: str, text: str) -> NetworkAction:
        self.private.append((mention_id, text))
        network = self.store.mention(mention_id).network_name.capitalize()
        if self.capabilities_.private:
            return NetworkAction(True, f"sent as a private message on {network}")
        return NetworkAction(False, f"not sent on {network}: {self.capabilities_.private_means}")

    def deliver(self, outbox_id: int) -> dict[str, Any]:
        with self.lock:
            self.delivered.append(outbox_id)
        self.gate.wait(10)
        if self.error:
            raise self.error
        if self.store.claim_outbox(outbox_id):
            self.store.mark_posted(outbox_id, f"post-{outbox_id}", f"https://mastodon.example/@aurora/{outbox_id}")
        return self.store.outbox_item(outbox_id)


class ReplyReceiver:
    """A loopback HTTP endpoint a webhook source posts its replies to (a real network, on 127.0.0.1).
    Answers 422 to a text longer than ``max_length`` and to the first ``fail`` posts; else 200."""

    def __init__(self, max_length: int = 10_000, fail: int = 0) -> None:
        self.max_length = max_length
        self.fail = fail
        self.received: list[tuple[int, dict[str, Any]]] = []  # (status answered, body)
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                with receiver.lock:
                    rejected = receiver.fail > 0 or len(body["text"]) > receiver.max_length
                    receiver.fail -= 1 if receiver.fail > 0 else 0
                    status = 422 if rejected else 200
                    receiver.received.append((status, body))
                key = body["idempotency_key"]
                answer = ({"error": "text is too long for this thread"} if rejected
                          else {"id": "r-" + key[-8:], "url": f"https://tool.example/r/{key}"})
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/replies"

    def posted(self) -> list[dict[str, Any]]:
        with self.lock:
            return [body for status, body in self.received if status == 200]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


HOOK_SECRET = "hook-secret"


def webhook_source(name: str, reply_url: str | None) -> SourceConfig:
    options: dict[str, Any] = {"secret_env": "HOOK_SECRET"}
    if reply_url:
        options["reply_url"] = reply_url
    return SourceConfig(name=name, connector="webhook", poll_every=0, options=options)


def feed_source(name: str) -> SourceConfig:
    # a read-only source; poll_every 0: never polled here (its mentions are added by the test)
    return SourceConfig(name=name, connector="feed", poll_every=0,
                        options={"url": "http://127.0.0.1:9/feed.xml", "match_all": True})


class Harness:
    """The real Bolt app over real HTTP against the fake Slack. ``sources`` (a list, possibly
    empty) runs the REAL connectors Runtime (outbox worker, local outbox file, webhook intake);
    without it a RecordingRuntime stands in. ``start`` starts the runtime's and the card
    loop's background threads, as ``assistant serve`` does."""

    def __init__(self, tmp: Path, slack: FakeSlack, delay: float = 0.0, sources: list[SourceConfig] | None = None,
                 start: bool = False, card_interval: float = 0.05, env: dict[str, str] | None = None,
                 **settings: Any) -> None:
        self.slack = slack
        options: dict[str, Any] = dict(
            backend=FAKE_MODEL, db_path=tmp / "assistant.db", policies_dir=ROOT / "policies",
            slack_bot_token="xoxb-test-token", slack_signing_secret=SECRET, slack_app_token=None,
            slack_api_url=slack.api_url, review_channel=REVIEW, intake_channel="CINTAKE",
            approvers=[], outbox_file=tmp / "outbox.jsonl")
        self.settings = Settings(**{**options, **settings})
        self.store = Store(self.settings.db_path)
        # a reply that speaks to QUESTION, so the guard takes the model's draft (no template)
        self.backend = FakeBackend(delay=delay, default=MODEL_REPLY)
        self.policies = PolicyRegistry(self.settings.policies_dir)
        self.engine = Engine(self.settings, self.store, self.policies, backend=self.backend)
        self.real = sources is not None
        self.runtime: Any = (Runtime(self.settings, self.engine, sources=sources, env={"HOOK_SECRET": HOOK_SECRET, **(env or {})})
                             if sources is not None else RecordingRuntime(self.store))
        self.app = create_app(self.engine, self.runtime, self.settings)  # type: ignore[arg-type]
        self.services = self.app.services
        self.server = HttpServer(asgi_app(self.app, self.runtime.routes)).start()
        self.driver = SlackDriver(self.server.url, SECRET)
        self.started = False
        if start:
            self.start(card_interval)

    def start(self, card_interval: float = 0.05) -> None:
        self.runtime.start()
        self.services.start(interval=card_interval)
        self.started = True

    def close(self) -> None:
        self.driver.close()
        self.server.stop()
        self.services.close(wait=False)
        # work already running (a /reply draft, a held delivery) still uses the store: closing
        # the SQLite connection under it crashed the interpreter (a segfault ended the test run)
        if not self.real:
            self.runtime.gate.set()
        try:
            self.services.workers.drain(10)
        except TimeoutError:
            pass
        if self.started:
            self.runtime.stop()
        self.store.close()

    def outbox_lines(self) -> list[dict[str, Any]]:
        path = Path(self.settings.outbox_file)
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    def updates_of(self, mention_id: str) -> list[dict[str, Any]]:
        card = tables.card(self.store, mention_id)
        assert card
        return [p for p in self.slack.calls_to("chat.update") if p.get("ts") == card["ts"]]

    # -- helpers ----------------------------------------------------------------------------

    def add(self, text: str, source: str = "mastodon", external_id: str | None = None,
            author: str = "Ann", **kw: Any) -> str:
        m = Mention(source=source, external_id=external_id or str(abs(hash(text)) % 10**9), author=author,
                    text=text, url=kw.pop("url", "https://mastodon.example/@ann/1"), **kw)
        self.engine.ingest([m])
        return m.key

    def card(self, text: str, **kw: Any) -> tuple[str, dict[str, Any]]:
        """A processed mention with its review card posted; returns (mention_id, card)."""
        mention_id = self.add(text, **kw)
        self.engine.process(mention_id)
        self.services.poster.publish(mention_id).result(10)
        self.services.workers.drain()
        card = tables.card(self.store, mention_id)
        assert card is not None
        return mention_id, card

    def value(self, mention_id: str) -> str:
        latest = self.store.latest_draft(mention_id)
        return action_value(mention_id, latest[0] if latest else None)

    def click(self, action_id: str, mention_id: str, user: str = APPROVER, card: dict[str, Any] | None = None,
              value: str | None = None, **kw: Any) -> Any:
        card = card or tables.card(self.store, mention_id) or {"channel": REVIEW, "ts": None}
        payload = block_actions(action_id, value or self.value(mention_id), user, card["channel"], card["ts"],
                                self.slack.response_url("card"), **kw)
        return self.driver.interact(payload)

    def choose(self, option: str, mention_id: str, user: str = APPROVER, card: dict[str, Any] | None = None,
               **kw: Any) -> Any:
        """Pick ``option`` (reject, no_reply, escalate, private, hide) in the card's overflow menu."""
        card = card or tables.card(self.store, mention_id) or {"channel": REVIEW, "ts": None}
        latest = self.store.latest_draft(mention_id)
        payload = block_actions("more", "", user, card["channel"], card["ts"], self.slack.response_url("card"), **kw)
        payload["actions"] = [{"action_id": "more", "block_id": card_block_id(mention_id), "type": "overflow",
                               "selected_option": {"text": {"type": "plain_text", "text": option},
                                                   "value": option_value(option, latest[0] if latest else None)},
                               "action_ts": payload["actions"][0]["action_ts"]}]
        return self.driver.interact(payload)

    def opened(self, callback_id: str | None = None, count: int = 1) -> dict[str, Any]:
        """The last modal the app opened (with this callback id)."""
        views = self.slack.wait_for("views.open", count, where=lambda p: callback_id is None
                                    or p["view"].get("callback_id") == callback_id)
        return views[-1]["view"]

    def submit(self, callback_id: str, values: dict[str, Any], metadata: str, user: str = APPROVER) -> Any:
        return self.driver.interact(view_submission(callback_id, values, metadata, user))

    def last_card_update(self, mention_id: str) -> dict[str, Any]:
        card = tables.card(self.store, mention_id)
        assert card
        updates = [p for p in self.slack.calls_to("chat.update") if p.get("ts") == card["ts"]]
        assert updates, "the card was never updated"
        return updates[-1]


def text_of(blocks_: list[dict[str, Any]]) -> str:
    """Every text in a list of blocks, joined (for assertions)."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                out.append(node["text"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(blocks_)
    return "\n".join(out)


def action_ids(blocks_: list[dict[str, Any]]) -> list[str]:
    """The card's actions: its buttons' action ids, then each overflow option's action."""
    ids = []
    for b in blocks_:
        for e in b.get("elements", []) if b["type"] == "actions" else []:
            if e["type"] == "overflow":
                ids += [json.loads(o["value"])["a"] for o in e["options"]]
            else:
                ids.append(e["action_id"])
    return ids
