"""Hide and Move to private message do what they say, through the real runtime and a real
Mastodon connector against mastodon-mock's server on 127.0.0.1, driven through the Bolt app."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slack_harness import text_of

from assistant.connectors.sources import SourceConfig
from assistant.store import slack_sql as tables

mock_server = pytest.importorskip("mastodon_mock.testing.server")


@pytest.fixture(scope="module")
def masto() -> Iterator[Any]:
    with mock_server.MockServer() as server:
        yield server


@pytest.fixture
def mh(masto, make_harness):
    masto.reset()
    source = SourceConfig(name="masto", connector="mastodon", poll_every=0,
                          options={"api_base_url": masto.base_url, "access_token_env": "MASTO_TOKEN",
                                   "search": False})
    return make_harness(sources=[source], env={"MASTO_TOKEN": "bob_token"})


def _card_for(h, text: str) -> str:
    [result] = h.runtime.fetch("masto")
    [mention_id] = result.new
    h.engine.process(mention_id)
    h.services.poster.publish(mention_id).result(10)
    h.services.workers.drain()
    assert tables.card(h.store, mention_id)
    return mention_id


def test_hide_reports_the_post_on_mastodon_and_the_card_says_what_happened(masto, mh):
    masto.client("alice").status_post("@bob you are all idiots and your coffee is trash")
    mention_id = _card_for(mh, "idiots")
    mh.click("hide", mention_id)
    view = mh.opened("hide_submit")
    assert "reported to the instance's moderators" in text_of(view["blocks"])
    mh.submit("hide_submit", {"reason": {"text": {"type": "plain_text_input", "value": "insults"}}},
              view["private_metadata"])
    final = mh.slack.wait_for("chat.update", where=lambda p: "Hidden" in text_of(p.get("blocks")))[-1]
    mh.services.workers.drain()
    assert "reported to the Mastodon instance's moderators" in text_of(mh.last_card_update(mention_id)["blocks"])
    assert "not hidden" not in text_of(final["blocks"])
    assert mh.store.get_mention(mention_id)["status"] == "hidden"
    event = [e for e in mh.store.events(mention_id) if e["kind"] == "hide_on_network"]
    assert len(event) == 1 and '"done": true' in event[0]["detail"]


def test_move_to_private_sends_a_direct_message_on_mastodon(masto, mh):
    alice = masto.client("alice")
    alice.status_post("@bob my order never arrived")
    mention_id = _card_for(mh, "order")
    mh.choose("private", mention_id)
    view = mh.opened("private_submit")
    mh.submit("private_submit", {"reason": {"text": {"type": "plain_text_input",
                                                     "value": "So sorry! What is your order number?"}}},
              view["private_metadata"])
    mh.slack.wait_for("chat.update", where=lambda p: "Moved to a private message" in text_of(p.get("blocks")))
    mh.services.workers.drain()
    dms = [s for s in alice.timeline_home() if s["visibility"] == "direct"] or \
        [c["last_status"] for c in alice.conversations()]
    assert any("What is your order number?" in (s["content"] or "") for s in dms)
    assert mh.store.get_mention(mention_id)["status"] == "awaiting"  # the public reply is still due
    assert tables.follow_up(mh.store, mention_id)["resolved_at"] is None
