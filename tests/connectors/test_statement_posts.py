"""A spike's statement as a top-level post (no reply) on the brand's own accounts, once:
Mastodon against mastodon-mock, Bluesky against the loopback XRPC fake, through the
statement outbox (assistant/runtime/statements.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from assistant.connectors.bluesky import BlueskyConnector
from assistant.connectors.file import FileConnector
from assistant.domain.models import utcnow
from assistant.runtime import statements
from assistant.store import Store

from .servers import serve_asgi
from .xrpc_fake import HANDLE, PASSWORD, XrpcFake

TEXT = "We have seen your posts about the Midnight Sun blend. Next update by 12:00 UTC."


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "s.db")
    yield s
    s.close()


def test_bluesky_statement_is_a_new_post_posted_once(store: Store) -> None:
    fake = XrpcFake()
    with serve_asgi(fake.app()) as url:
        sky = BlueskyConnector(source="sky", handle=HANDLE, app_password=PASSWORD, base_url=url, timeout=10, terms=[])
        on: dict[str, Any] = {"sky": sky}
        assert statements.approve(store, 7, TEXT, "en", "UAPPROVER1", ["sky"])
        assert not statements.approve(store, 7, TEXT + " again", "en", "UAPPROVER2", ["sky"])  # once per spike
        statements.deliver(store, 7, on)
        statements.deliver(store, 7, on)  # a retry posts nothing more
        ours = [p for p in fake.posts.values() if p["author"]["did"] == fake.did]
        assert [p["record"]["text"] for p in ours] == [TEXT]
        assert "reply" not in ours[0]["record"] or not ours[0]["record"]["reply"]
        [row] = statements.posts(store, 7)
        assert row["status"] == "posted" and row["posted_id"] == ours[0]["uri"] and row["approved_by"] == "UAPPROVER1"


def test_too_long_for_an_account_is_said_before_posting(tmp_path: Path) -> None:
    local = FileConnector(source="local", outbox=tmp_path / "outbox.jsonl")
    assert statements.problems(TEXT, {"local": local}) == []
    [problem] = statements.problems("x" * 5000, {"local": local})
    assert "5000 characters" in problem and "shorten it" in problem


def test_mastodon_statement_is_a_public_status_not_a_reply(store: Store) -> None:
    mock_server = pytest.importorskip("mastodon_mock.testing.server")
    from assistant.connectors.mastodon import MastodonConnector

    with mock_server.MockServer() as server:
        masto = MastodonConnector(source="masto", api_base_url=server.base_url, access_token="bob_token",
                                  timeout=10, terms=[])
        assert statements.approve(store, 3, TEXT, "en", "UAPPROVER1", ["masto"])
        statements.deliver(store, 3, {"masto": masto})
        statements.deliver(store, 3, {"masto": masto})
        [row] = statements.posts(store, 3)
        assert row["status"] == "posted"
        status = server.client("alice").status(row["posted_id"])
        assert status["in_reply_to_id"] is None and TEXT in status["content"]
        assert status["account"]["username"] == "bob"
        bob = server.client("bob")
        mine = bob.account_statuses(bob.account_verify_credentials()["id"])
        assert [s["id"] for s in mine if TEXT in s["content"]] == [status["id"]]  # posted once


class _Flaky:
    """A network that times out on the first try (the post may or may not have been made),
    then answers; or refuses for good."""

    def __init__(self, permanent: bool = False) -> None:
        self.permanent = permanent
        self.keys: list[str] = []

    def post_status(self, text: str, idempotency_key: str) -> Any:
        from assistant.connectors.base import Posted, PostError

        self.keys.append(idempotency_key)
        if self.permanent or len(self.keys) == 1:
            raise PostError("timed out" if not self.permanent else "HTTP 422", permanent=self.permanent)
        return Posted("s1", "https://example.social/s1")


def test_a_timeout_is_tried_again_under_the_same_key_and_a_refusal_is_not(store: Store) -> None:
    flaky = _Flaky()
    assert statements.approve(store, 11, TEXT, "en", "UAPPROVER1", ["masto"])
    [row] = statements.deliver(store, 11, {"masto": flaky})
    assert row["status"] == "pending" and "timed out" in row["last_error"]
    [row] = statements.deliver(store, 11, {"masto": flaky})  # not due yet: it waits out the backoff
    assert row["status"] == "pending" and len(flaky.keys) == 1
    [row] = statements.deliver(store, 11, {"masto": flaky}, now=utcnow() + timedelta(seconds=5))
    assert row["status"] == "posted" and row["posted_id"] == "s1"
    assert len(flaky.keys) == 2 and flaky.keys[0] == flaky.keys[1]  # the network can tell it is a repeat
    statements.deliver(store, 11, {"masto": flaky})
    assert len(flaky.keys) == 2  # posted: never again

    refused = _Flaky(permanent=True)
    assert statements.approve(store, 12, TEXT, "en", "UAPPROVER1", ["masto"])
    statements.deliver(store, 12, {"masto": refused})
    [row] = statements.deliver(store, 12, {"masto": refused})
    assert row["status"] == "failed" and len(refused.keys) == 1
