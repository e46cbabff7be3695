"""The Bluesky connector against a real PDS: ``@atproto/pds`` from npm, with a real PLC directory
(``@did-plc/server``, in memory), both on 127.0.0.1 (``tests/pds/start.js``; ``make test`` installs
them with ``tests/pds/install.sh``). Without that install, or without Node, these tests are skipped.

What a lone PDS serves, and so what is tested here: logging in with an app password
(``com.atproto.server.createSession``), replies and statements (``com.atproto.repo.createRecord``,
checked by the PDS against the post lexicon), reading records back (``getRecord``, ``listRecords``,
which ``find_reply`` uses), and exactly one reply through the outbox when the PDS's answer is lost.

What it does not serve: everything under ``app.bsky.*`` (notifications, search, getPosts,
getPostThread, profiles) is the AppView's, and reports go to a moderation service; neither runs
here (the AppView needs Postgres). So mentions are not read from this network: the test checks that
``fetch`` says so as a PostError, and the thread is checked from the repositories' records (root and
parent references with their CIDs) instead of getPostThread. The connector does not hide or report.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from atproto import Client, models
from atproto_client.exceptions import BadRequestError

from assistant.connectors.base import PostError
from assistant.connectors.bluesky import POST, BlueskyConnector, graphemes
from assistant.domain import Mention
from assistant.orchestration.outbox import OutboxWorker

pytestmark = pytest.mark.pds

PDS_DIR = Path(__file__).resolve().parents[1] / "pds"
STAMP = PDS_DIR / "node_modules" / ".installed"
START_TIMEOUT = 60.0


def _skip_reason() -> str | None:
    if shutil.which("node") is None:
        return "node not found: the real-PDS tests need Node (see tests/pds/install.sh)"
    if not STAMP.exists():
        if (PDS_DIR / "install.log").exists():
            return "the PDS from npm did not install: see tests/pds/install.log"
        return "the PDS from npm is not installed: run tests/pds/install.sh (make test does)"
    return None


@pytest.fixture(scope="module")
def pds() -> Iterator[dict[str, Any]]:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    errlog = tempfile.TemporaryFile()
    proc = subprocess.Popen(["node", "start.js"], cwd=PDS_DIR, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=errlog)
    line: list[bytes] = []
    reader = threading.Thread(target=lambda: line.append(proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(START_TIMEOUT)
    try:
        if not line or not line[0].strip():
            proc.kill()
            proc.wait(10)
            errlog.seek(0)
            tail = errlog.read().decode(errors="replace")[-2000:]
            pytest.fail(f"the PDS did not start in {START_TIMEOUT:.0f} s (exit {proc.poll()}): {tail}")
        yield json.loads(line[0])
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        errlog.close()


def brand(pds: dict[str, Any], url: str | None = None, **kw: Any) -> BlueskyConnector:
    b = pds["brand"]
    return BlueskyConnector(source="sky", handle=b["handle"], app_password=b["app_password"],
                            base_url=url or pds["url"], timeout=5.0, **kw)


@pytest.fixture(scope="module")
def customer(pds: dict[str, Any]) -> Client:
    c = Client(base_url=pds["url"])
    # a plain login asks the AppView for a profile, which a lone PDS does not serve
    c.login(pds["customer"]["handle"], pds["customer"]["app_password"], fetch_bsky_profile=False)
    return c


def say(client: Client, pds: dict[str, Any], text: str, **kw: Any) -> Any:
    # send_post names the author from the profile it fetched at login, unless told
    return client.send_post(text, profile_identify=pds["customer"]["did"], **kw)


def mention_of(pds: dict[str, Any], uri: str, text: str = "") -> Mention:
    return Mention(source="sky", network="bluesky", external_id=uri, author=pds["customer"]["handle"], text=text)


def record(client: Client, uri: str) -> Any:
    did, collection, rkey = uri.removeprefix("at://").split("/")
    return client.com.atproto.repo.get_record({"repo": did, "collection": collection, "rkey": rkey})


def brand_posts(client: Client, pds: dict[str, Any]) -> list[Any]:
    return client.com.atproto.repo.list_records(
        {"repo": pds["brand"]["did"], "collection": POST, "limit": 100}).records


def test_login_with_an_app_password_and_a_wrong_one(pds) -> None:
    c = brand(pds)
    c._login()
    assert c.did == pds["brand"]["did"]
    bad = BlueskyConnector(source="sky", handle=pds["brand"]["handle"], app_password="nope-nope-nope-nope",
                           base_url=pds["url"], timeout=5.0)
    with pytest.raises(PostError) as err:
        bad.post_status("never posted", "k")
    assert err.value.permanent and "401" in str(err.value)


def test_reply_in_a_thread_has_root_and_parent(pds, customer) -> None:
    root = say(customer, pds, "Acme's new roast is out?")
    child = say(customer, pds, f"@{pds['brand']['handle']} and is it decaf?",
              reply_to=models.AppBskyFeedPost.ReplyRef(root=models.create_strong_ref(root),
                                                       parent=models.create_strong_ref(root)))
    c = brand(pds)
    posted = c.reply(mention_of(pds, child.uri), "Not decaf, but we have one! ☕", "key-thread")
    assert posted.id.startswith(f"at://{pds['brand']['did']}/{POST}/")
    got = record(customer, posted.id).value
    assert got.text == "Not decaf, but we have one! ☕"
    assert (got.reply.root.uri, got.reply.root.cid) == (root.uri, root.cid)  # the thread's root
    assert (got.reply.parent.uri, got.reply.parent.cid) == (child.uri, child.cid)
    assert c.find_reply(mention_of(pds, child.uri), "key-thread") == posted


def test_reply_to_a_top_level_post(pds, customer) -> None:
    top = say(customer, pds, f"@{pds['brand']['handle']} where is my order?")
    posted = brand(pds).reply(mention_of(pds, top.uri), "We're checking it now.", "key-top")
    got = record(customer, posted.id).value
    assert got.reply.root.uri == got.reply.parent.uri == top.uri and got.reply.root.cid == top.cid


def test_reply_to_a_deleted_post_is_permanent(pds, customer) -> None:
    gone = say(customer, pds, "this one will be deleted")
    customer.delete_post(gone.uri)
    with pytest.raises(PostError, match="not found") as err:
        brand(pds).reply(mention_of(pds, gone.uri), "Thanks!", "key-gone")
    assert err.value.permanent


def test_statement_is_a_top_level_post(pds, customer) -> None:
    c = brand(pds)
    posted = c.post_status("Update: our site is back. Next update by 16:00 UTC.", "stmt-1")
    got = record(customer, posted.id).value
    assert got.text.startswith("Update: our site is back") and got.reply is None
    assert posted.id in [r.uri for r in brand_posts(customer, pds)]
    assert posted.url and posted.url.endswith("/post/" + posted.id.rsplit("/", 1)[1])


def test_length_limits_match_the_real_pds(pds, customer) -> None:
    c = brand(pds)
    longest = "👍🏽" * 300  # 300 graphemes, 2,400 bytes: the PDS takes it
    assert graphemes(longest) == 300
    assert record(customer, c.post_status(longest, "len-1").id).value.text == longest
    with pytest.raises(PostError, match="graphemes") as err:
        c.post_status("👍🏽" * 301, "len-2")
    assert err.value.permanent
    # 121 family emoji are 121 graphemes but 3,025 bytes: over the post lexicon's byte limit
    family = "👨‍👩‍👧‍👦" * 121
    assert graphemes(family) == 121
    with pytest.raises(BadRequestError, match="3000"):  # the PDS refuses it...
        say(customer, pds, family)
    with pytest.raises(PostError, match="bytes") as err:  # ...and the connector says why before sending
        c.post_status(family, "len-3")
    assert err.value.permanent


def test_length_is_checked_before_anything_is_sent() -> None:
    # no PDS needed: nothing listens on port 9 and nothing is sent
    c = BlueskyConnector(source="sky", handle="acme.test", app_password="x", base_url="http://127.0.0.1:9")
    for text, unit in [("a" * 301, "graphemes"), ("👨‍👩‍👧‍👦" * 121, "bytes")]:
        with pytest.raises(PostError, match=unit) as err:
            c.post_status(text, "k")
        assert err.value.permanent
        with pytest.raises(PostError, match=unit):
            c.reply(Mention(source="sky", external_id="at://did:plc:x/app.bsky.feed.post/1", author="a", text=""),
                    text, "k")


def test_mentions_are_not_served_without_an_appview(pds, customer) -> None:
    say(customer, pds, f"@{pds['brand']['handle']} hello?")
    with pytest.raises(PostError, match="listNotifications") as err:
        brand(pds, terms=[]).fetch(None)
    assert err.value.permanent


@pytest.mark.parametrize("fault", ["lost", "500", "reset"])
def test_outbox_posts_exactly_one_reply_through_faults(pds, customer, store, proxy_factory, fault: str) -> None:
    proxy = proxy_factory(pds["url"], hold=1.0)
    post = say(customer, pds, f"@{pds['brand']['handle']} open today? ({fault})")
    c = brand(pds, url=proxy.url)
    m = mention_of(pds, post.uri, "open today?")
    store.add_mentions([m])
    a = store.approve(m.key, "U1", f"Yes, from 8! ({fault})", "sky")
    worker = OutboxWorker(store, lambda name, mention: c, base_delay=0.0, jitter=0.0)
    proxy.inject(fault, path="/xrpc/com.atproto.repo.createRecord")
    first = worker.deliver(a.outbox_id)
    assert first["status"] == "pending", first
    row = worker.deliver(a.outbox_id)
    assert row["status"] == "posted", row
    mine = [r for r in brand_posts(customer, pds) if r.value.reply and r.value.reply.parent.uri == post.uri]
    assert [r.uri for r in mine] == [row["posted_id"]]
    assert worker.deliver(a.outbox_id)["status"] == "posted"  # a third call posts nothing more
    assert len([r for r in brand_posts(customer, pds)
                if r.value.reply and r.value.reply.parent.uri == post.uri]) == 1
