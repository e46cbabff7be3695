"""Mastodon.py against mastodon-mock's real server on 127.0.0.1, with faults injected by a proxy."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

mock_server = pytest.importorskip("mastodon_mock.testing.server")

from assistant.connectors.mastodon import MastodonConnector, html_to_text  # noqa: E402
from assistant.runtime.outbox import OutboxWorker  # noqa: E402

TERMS = ["Acme Coffee", "Acmee", "Akme"]


@pytest.fixture(scope="module")
def masto() -> Iterator[Any]:
    with mock_server.MockServer() as server:
        yield server


@pytest.fixture
def fresh(masto: Any) -> Any:
    masto.reset()
    return masto


def connector(url: str, **kw: Any) -> MastodonConnector:
    kw.setdefault("terms", TERMS)
    # 0.5 s makes the proxy's "timeout" faults quick; a plain request on a busy CI machine
    # once took longer, so tests of plain requests may pass a longer one.
    kw.setdefault("timeout", 0.5)
    return MastodonConnector(source="masto", api_base_url=url, access_token="bob_token", **kw)


def test_fetch_mentions_then_search_with_cursor(fresh: Any) -> None:
    alice = fresh.client("alice")
    s1 = alice.status_post("@bob where is my order? <3")
    s2 = alice.status_post("I think akme coffee is great")
    alice.status_post("nothing about the brand")
    c = connector(fresh.base_url)
    r = c.fetch(None)
    got = {m.external_id: m for m in r.mentions}
    assert set(got) == {str(s1["id"]), str(s2["id"])}
    m1 = got[str(s1["id"])]
    assert m1.author == "alice" and m1.text == "@bob where is my order? <3" and m1.network == "mastodon"
    assert m1.url and m1.created_at
    assert c.fetch(r.cursor).mentions == []  # the cursor holds
    s3 = alice.status_post("@bob another one")
    r2 = c.fetch(r.cursor)
    assert [m.external_id for m in r2.mentions] == [str(s3["id"])]
    state = json.loads(r2.cursor)
    assert state["n"] and state["s"]


def test_own_posts_are_not_search_hits(fresh: Any) -> None:
    fresh.client("bob").status_post("Acme Coffee news from us")
    assert connector(fresh.base_url).fetch(None).mentions == []


def test_reply_threads_with_idempotency_key(fresh: Any) -> None:
    alice = fresh.client("alice")
    s1 = alice.status_post("@bob help please")
    c = connector(fresh.base_url)
    m = c.fetch(None).mentions[0]
    p1 = c.reply(m, "We're on it!", "assistant-key-1")
    p2 = c.reply(m, "We're on it!", "assistant-key-1")  # the same key: Mastodon returns the same status
    assert p1 == p2
    ctx = alice.status_context(s1["id"])
    assert [str(d["id"]) for d in ctx["descendants"]] == [p1.id]
    reply = ctx["descendants"][0]
    assert str(reply["in_reply_to_id"]) == m.external_id and "@alice" in html_to_text(reply["content"])
    assert c.find_reply(m, "any") == p1


def test_permanent_errors(fresh: Any) -> None:
    from assistant.domain.models import Mention
    c = connector(fresh.base_url)
    with pytest.raises(Exception) as err:
        c.reply(Mention(source="masto", external_id="999999", text="x"), "hi", "k")
    assert err.value.permanent and "404" in str(err.value)
    bad = MastodonConnector(source="masto", api_base_url=fresh.base_url, access_token="wrong")
    with pytest.raises(Exception) as err:
        bad.fetch(None)
    assert err.value.permanent and "401" in str(err.value) and "credentials" in str(err.value)


@pytest.mark.parametrize("fault", ["500", "429", "reset", "timeout", "lost", "lost-timeout"])
def test_outbox_exactly_once_through_faults(fresh: Any, store, proxy_factory, fault: str) -> None:
    alice = fresh.client("alice")
    s1 = alice.status_post("@bob is the shop open?")
    proxy = proxy_factory(fresh.base_url, hold=1.0)
    c = connector(proxy.url)
    m = c.fetch(None).mentions[0]
    store.add_mentions([m])
    a = store.approve(m.key, "U1", "Yes, until 6pm!", "masto")
    worker = OutboxWorker(store, lambda name, mention: c, base_delay=0.0, jitter=0.0)
    proxy.inject(fault, method="POST", path="/api/v1/statuses", retry_after="0")
    first = worker.deliver(a.outbox_id)
    assert first["status"] == "pending", first
    second = worker.deliver(a.outbox_id)
    assert second["status"] == "posted", second
    replies = alice.status_context(s1["id"])["descendants"]
    assert len(replies) == 1 and str(replies[0]["id"]) == second["posted_id"]
    if fault.startswith("lost"):
        # it landed the first time: the retry found it instead of posting again
        assert ("POST", "/api/v1/statuses", "forward") not in proxy.requests


def test_hide_reports_the_post_and_a_private_message_is_a_direct_status(fresh: Any) -> None:
    """Mastodon cannot hide someone else's reply: "hide" files a report with the moderators, and
    says so; a private message is a status with visibility "direct" that only the author sees."""
    alice = fresh.client("alice")
    alice.status_post("@bob you are all idiots")
    c = connector(fresh.base_url, timeout=10)
    caps = c.capabilities()
    assert caps.hide and caps.private and "report" in caps.hide_means
    m = c.fetch(None).mentions[0]
    said = c.hide(m, "insults")
    assert "reported" in said and "cannot hide" in said
    sent = c.send_private(m, "Sorry about that, what is your order number?", "assistant-private-1")
    again = c.send_private(m, "Sorry about that, what is your order number?", "assistant-private-1")
    assert sent == again  # the same key: one message
    status = alice.status(sent.id)
    assert status["visibility"] == "direct" and "@alice" in html_to_text(status["content"])
