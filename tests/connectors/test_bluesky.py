"""Bluesky through atproto against a loopback XRPC fake, with faults injected by a proxy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from assistant.connectors.base import PostError
from assistant.connectors.bluesky import BlueskyConnector, graphemes
from assistant.runtime.outbox import OutboxWorker

from .servers import serve_asgi
from .xrpc_fake import HANDLE, PASSWORD, XrpcFake

TERMS = ["Acme Coffee", "Akme"]


@pytest.fixture
def bsky() -> Iterator[tuple[XrpcFake, str]]:
    fake = XrpcFake()
    with serve_asgi(fake.app()) as url:
        yield fake, url


def connector(url: str, **kw: Any) -> BlueskyConnector:
    kw.setdefault("terms", TERMS)
    return BlueskyConnector(source="sky", handle=HANDLE, app_password=PASSWORD, base_url=url, timeout=0.5, **kw)


def test_graphemes_count_like_bluesky() -> None:
    assert graphemes("hello") == 5
    assert graphemes("👍🏽") == 1 and len("👍🏽") == 2
    assert graphemes("👨‍👩‍👧‍👦") == 1
    assert graphemes("e\u0301") == 1


def test_fetch_mentions_replies_and_search(bsky) -> None:
    fake, url = bsky
    ours = fake.add_post(HANDLE, "New beans today", did=fake.did)
    m1 = fake.add_post("ann.test", f"@{HANDLE} where is my order?")
    r1 = fake.add_post("bob.test", "love these", reply_to=ours)
    s1 = fake.add_post("cy.test", "akme beans are great")
    fake.add_post("dee.test", "unrelated")
    c = connector(url)
    r = c.fetch(None)
    got = {m.external_id: m for m in r.mentions}
    assert set(got) == {m1, r1, s1}
    assert got[m1].author == "ann.test" and got[m1].text.endswith("order?") and got[m1].network == "bluesky"
    assert got[r1].in_reply_to == ours and got[m1].url.startswith("https://bsky.app/profile/ann.test/post/")
    assert {m.external_id for m in c.fetch(r.cursor).mentions} <= {s1}  # only same-instant repeats
    m2 = fake.add_post("eve.test", f"hi @{HANDLE}")
    assert m2 in {m.external_id for m in c.fetch(r.cursor).mentions}


def test_reply_uses_root_and_parent_and_is_found(bsky) -> None:
    fake, url = bsky
    ours = fake.add_post(HANDLE, "Our announcement", did=fake.did)
    reply = fake.add_post("ann.test", "when does it ship?", reply_to=ours)
    c = connector(url)
    m = next(m for m in c.fetch(None).mentions if m.external_id == reply)
    posted = c.reply(m, "Next week! 👍🏽", "key-1")
    [mine] = fake.replies_to(reply, by=fake.did)
    assert mine["uri"] == posted.id
    assert mine["record"]["reply"]["root"]["uri"] == ours  # the thread's root, not the parent
    assert mine["record"]["reply"]["parent"]["uri"] == reply
    assert c.find_reply(m, "key-1") == posted
    with pytest.raises(PostError, match="graphemes") as err:
        c.reply(m, "👍🏽" * 301, "key-2")
    assert err.value.permanent


def test_bad_password_is_permanent(bsky) -> None:
    _, url = bsky
    c = BlueskyConnector(source="sky", handle=HANDLE, app_password="nope", base_url=url)
    with pytest.raises(PostError) as err:
        c.fetch(None)
    assert err.value.permanent and "401" in str(err.value)


@pytest.mark.parametrize("fault", ["500", "429", "reset", "timeout", "lost"])
def test_outbox_exactly_once_through_faults(bsky, store, proxy_factory, fault: str) -> None:
    fake, url = bsky
    proxy = proxy_factory(url, hold=1.0)
    post = fake.add_post("ann.test", f"@{HANDLE} open today?")
    c = connector(proxy.url)
    m = c.fetch(None).mentions[0]
    store.add_mentions([m])
    a = store.approve(m.key, "U1", "Yes, from 8!", "sky")
    worker = OutboxWorker(store, lambda name, mention: c, base_delay=0.0, jitter=0.0)
    proxy.inject(fault, path="/xrpc/com.atproto.repo.createRecord", retry_after="0")
    assert worker.deliver(a.outbox_id)["status"] == "pending"
    row = worker.deliver(a.outbox_id)
    assert row["status"] == "posted", row
    replies = fake.replies_to(post, by=fake.did)
    assert len(replies) == 1 and replies[0]["uri"] == row["posted_id"]
