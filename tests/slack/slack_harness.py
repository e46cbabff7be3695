"""Helpers for the Slack tests: the real Bolt app behind a real HTTP server on 127.0.0.1, a loopback fake of Slack's
Web API, and signed requests in Slack's wire formats. No network, no Slack tokens."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from assistant.backends.fake import FakeBackend
from assistant.domain import Mention
from assistant.engine import Engine
from assistant.policy import PolicyRegistry
from assistant.settings import Settings
from assistant.slack_app import blocks, create_app
from assistant.slack_app.server import HttpServer, asgi_app
from assistant.slack_app.testing import FakeSlack, SlackDriver, block_actions, view_submission
from assistant.store import Store
from assistant.store import slack_sql as tables

ROOT = Path(__file__).resolve().parents[2]
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
REVIEW = "CREVIEW"
QUESTION = "Love your new espresso blend! Where can I buy it?"
APPROVER, APPROVER2, OUTSIDER = "UAPPROVER1", "UAPPROVER2", "UOUTSIDER"


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

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def deliver(self, outbox_id: int) -> dict[str, Any]:
        with self.lock:
            self.delivered.append(outbox_id)
        self.gate.wait(10)
        if self.error:
            raise self.error
        if self.store.claim_outbox(outbox_id):
            self.store.mark_posted(outbox_id, f"post-{outbox_id}", f"https://mastodon.example/@aurora/{outbox_id}")
        return self.store.outbox_item(outbox_id)


class Harness:
    def __init__(self, tmp: Path, slack: FakeSlack, delay: float = 0.0, **settings: Any) -> None:
        self.slack = slack
        options: dict[str, Any] = dict(
            backend="fake", db_path=tmp / "assistant.db", policies_dir=ROOT / "policies",
            slack_bot_token="xoxb-test-token", slack_signing_secret=SECRET, slack_app_token=None,
            slack_api_url=slack.api_url, review_channel=REVIEW, intake_channel="CINTAKE",
            approvers=[], outbox_file=tmp / "outbox.jsonl")
        self.settings = Settings(**{**options, **settings})
        self.store = Store(self.settings.db_path, extra_migrations=[tables.migrations])
        self.backend = FakeBackend(delay=delay)
        self.policies = PolicyRegistry(self.settings.policies_dir)
        self.engine = Engine(self.settings, self.store, self.policies, backend=self.backend)
        self.runtime = RecordingRuntime(self.store)
        self.app = create_app(self.engine, self.runtime, self.settings)  # type: ignore[arg-type]
        self.services = self.app.services
        self.server = HttpServer(asgi_app(self.app, self.runtime.routes)).start()
        self.driver = SlackDriver(self.server.url, SECRET)

    def close(self) -> None:
        self.driver.close()
        self.server.stop()
        self.services.close(wait=False)
        self.store.close()

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
        self.services.publish(mention_id).result(10)
        self.services.drain()
        card = tables.card(self.store, mention_id)
        assert card is not None
        return mention_id, card

    def value(self, mention_id: str) -> str:
        latest = self.store.latest_draft(mention_id)
        return blocks.action_value(mention_id, latest[0] if latest else None)

    def click(self, action_id: str, mention_id: str, user: str = APPROVER, card: dict[str, Any] | None = None,
              value: str | None = None, **kw: Any) -> Any:
        card = card or tables.card(self.store, mention_id) or {"channel": REVIEW, "ts": None}
        payload = block_actions(action_id, value or self.value(mention_id), user, card["channel"], card["ts"],
                                self.slack.response_url("card"), **kw)
        return self.driver.interact(payload)

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
    return [e["action_id"] for b in blocks_ if b["type"] == "actions" for e in b["elements"]]
