"""The Bluesky connector against a real atproto network from npm, on 127.0.0.1 only
(``tests/pds/start.js``; ``make test`` installs it with ``tests/pds/install.sh``): ``@atproto/pds``
0.4.217 with a real PLC directory (``@did-plc/server``, in memory), and for the ``network`` tests
also the Bluesky AppView (``@atproto/bsky`` through ``@atproto/dev-env``'s TestBsky, on a throwaway
Postgres), which indexes the PDS's firehose. Without the install or Node every test here skips;
without Postgres (``initdb``/``pg_ctl``) only the AppView tests skip. Each says why.

A lone PDS (fixture ``pds``, no AppView): log in with an app password, replies in a thread with
root and parent references and their CIDs (read back with ``getRecord``), statements as top-level
posts, the post lexicon's limits, and exactly one reply through the outbox when a fault hits
``createRecord``. Everything under ``app.bsky.*`` (notifications, search, getPosts, getPostThread,
profiles) is the AppView's, so here ``fetch`` fails with a PostError that names the method.

With the AppView (fixture ``network``): mentions (a post with a mention facet), replies to the
brand's posts and search hits for the brand's terms come in through ``fetch`` and its cursor, and a
reply shows in the thread through ``getPostThread``.

Not here: reports and hiding. No moderation service (Ozone) runs, the PDS answers createReport with
"No service configured", and the connector does not report or hide on Bluesky anyway.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from atproto import Client, client_utils, models
from atproto_client.exceptions import BadRequestError

from assistant.connectors.base import PostError
from assistant.connectors.bluesky import POST, BlueskyConnector, graphemes
from assistant.domain.models import Mention
from assistant.runtime.outbox import OutboxWorker

pytestmark = pytest.mark.pds

PDS_DIR = Path(__file__).resolve().parents[1] / "pds"
STAMP = PDS_DIR / "node_modules" / ".installed"
APPVIEW_STAMP = PDS_DIR / "node_modules" / ".appview"
START_TIMEOUT = 90.0


def _skip_reason() -> str | None:
    if shutil.which("node") is None:
        return "node not found: the real-PDS tests need Node (see tests/pds/install.sh)"
    if not STAMP.exists():
        if (PDS_DIR / "install.log").exists():
            return "the PDS from npm did not install: see tests/pds/install.log"
        return "the PDS from npm is not installed: run tests/pds/install.sh (make test does)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(cmd: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)


@contextlib.contextmanager
def _postgres() -> Iterator[str]:
    """A throwaway Postgres on 127.0.0.1 (fsync off), for the AppView; skips when there is none."""
    found = shutil.which("pg_ctl") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))[-1:]), None)
    if not found:
        pytest.skip("no Postgres (pg_ctl, initdb): the AppView tests need one")
    bindir = Path(found).resolve().parent
    as_user: list[str] = []
    folder = tempfile.mkdtemp(prefix="assistant-appview-pg-")
    if os.geteuid() == 0:  # Postgres refuses to run as root
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root with no postgres user: the AppView tests need Postgres")
        runuser = shutil.which("runuser") or next(iter(glob.glob("/usr/sbin/runuser") + glob.glob("/sbin/runuser")), None)
        if runuser is None:
            pytest.skip("running as root without runuser: the AppView tests need Postgres")
        os.chown(folder, pw.pw_uid, pw.pw_gid)
        as_user = [runuser, "-u", "postgres", "--"]
    data = f"{folder}/data"
    port = _free_port()
    try:
        made = _run([*as_user, str(bindir / "initdb"), "-D", data, "-A", "trust", "-U", "pg", "--no-sync",
                     "-E", "UTF8"], 60)
        if made.returncode != 0:
            pytest.skip(f"initdb failed: {(made.stderr.strip().splitlines() or ['?'])[-1]}")
        opts = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off -c max_connections=100"
        up = _run([*as_user, str(bindir / "pg_ctl"), "-D", data, "-o", opts, "-l", f"{folder}/log", "-w",
                   "-t", "30", "start"], 40)
        if up.returncode != 0:
            pytest.skip(f"Postgres did not start: {(up.stderr.strip().splitlines() or ['?'])[-1]}")
        try:
            yield f"postgresql://pg@127.0.0.1:{port}/postgres"
        finally:
            _run([*as_user, str(bindir / "pg_ctl"), "-D", data, "-m", "immediate", "-w", "-t", "20", "stop"], 30)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def _start(env: dict[str, str] | None = None) -> Iterator[dict[str, Any]]:
    """tests/pds/start.js as a subprocess: its one JSON line, then SIGTERM (SIGKILL after 10 s)."""
    errlog = tempfile.TemporaryFile()
    proc = subprocess.Popen(["node", "start.js"], cwd=PDS_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=errlog, env={**os.environ, **(env or {})})
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
            pytest.fail(f"tests/pds/start.js did not start in {START_TIMEOUT:.0f} s (exit {proc.poll()}): {tail}")
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


@pytest.fixture(scope="module")
def pds() -> Iterator[dict[str, Any]]:
    """A lone PDS and PLC directory: no AppView."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    with _start() as info:
        yield info


@pytest.fixture(scope="module")
def network() -> Iterator[dict[str, Any]]:
    """The PDS with the AppView (and its Postgres)."""
    reason = _skip_reason() or (None if APPVIEW_STAMP.exists() else
                                "the AppView (@atproto/dev-env) did not load: see tests/pds/install.log")
    if reason:
        pytest.skip(reason)
    with _postgres() as db, _start({"APPVIEW_DB_URL": db}) as info:
        assert info["appview"]
        yield info


def wait_for(what: str, probe: Callable[[], Any], last: Callable[[], Any] = lambda: None,
             timeout: float = 20.0) -> Any:
    """Poll ``probe`` until it returns something truthy: the AppView indexes the firehose a moment later."""
    deadline = time.monotonic() + timeout
    while True:
        got = probe()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not seen in {timeout:.0f} s (last: {last()})")
        time.sleep(0.2)


def brand(pds: dict[str, Any], url: str | None = None, **kw: Any) -> BlueskyConnector:
    b = pds["brand"]
    return BlueskyConnector(source="sky", handle=b["handle"], app_password=b["app_password"],
                            base_url=url or pds["url"], timeout=5.0, **kw)


def login(info: dict[str, Any]) -> Client:
    c = Client(base_url=info["url"])
    # a plain login asks the AppView for a profile, which a lone PDS does not serve
    c.login(info["customer"]["handle"], info["customer"]["app_password"], fetch_bsky_profile=False)
    return c


@pytest.fixture(scope="module")
def customer(pds: dict[str, Any]) -> Client:
    return login(pds)


@pytest.fixture(scope="module")
def net_customer(network: dict[str, Any]) -> Client:
    return login(network)


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


@pytest.mark.parametrize("fault", ["lost", "lost-timeout"])
def test_a_statement_whose_answer_was_lost_is_posted_once(pds, customer, store, proxy_factory, fault: str) -> None:
    """Bluesky takes no idempotency key: after a lost answer the statement outbox looks for
    the post (find_status, through every page of the account's posts since the approval)."""
    from assistant.runtime import statements

    proxy = proxy_factory(pds["url"], hold=1.0)
    c = brand(pds, url=proxy.url)
    text = f"We have seen your posts about the outage ({fault}). Next update by 16:00 UTC, 7 Dec 2026."
    spike = 700 + len(fault)
    assert statements.approve(store, spike, text, "en", "U1", ["sky"])
    proxy.inject(fault, path="/xrpc/com.atproto.repo.createRecord")
    [row] = statements.deliver(store, spike, {"sky": c}, backoff=lambda attempts, after: 0.0)
    assert row["status"] == "pending", row  # the post landed; its answer did not
    [row] = statements.deliver(store, spike, {"sky": c}, backoff=lambda attempts, after: 0.0)
    assert row["status"] == "posted", row
    mine = [r for r in brand_posts(customer, pds) if r.value.text == text]
    assert [r.uri for r in mine] == [row["posted_id"]]  # found, not posted again


# -- with the AppView ---------------------------------------------------------------------------


def test_mentions_replies_and_search_come_in(network, net_customer) -> None:
    who = network["brand"]
    c = brand(network, terms=["Akme"])
    ours = c.post_status("New beans today.", "stmt-beans")
    text = client_utils.TextBuilder().mention(f"@{who['handle']}", who["did"]).text(" where is my order?")
    m1 = say(net_customer, network, text)  # type: ignore[arg-type]
    ref = models.ComAtprotoRepoStrongRef.Main(uri=ours.id, cid=record(net_customer, ours.id).cid)
    r1 = say(net_customer, network, "love these", reply_to=models.AppBskyFeedPost.ReplyRef(root=ref, parent=ref))
    # no mention: found by the search (the dev AppView's search is a case-sensitive LIKE, Bluesky's is not)
    s1 = say(net_customer, network, "Akme beans are great")
    say(net_customer, network, "unrelated")
    want = {m1.uri, r1.uri, s1.uri}

    seen: list[Any] = []

    def all_in() -> Any:
        r = c.fetch(None)
        seen[:] = [(m.external_id, m.text) for m in r.mentions]
        return r if want <= {m.external_id for m in r.mentions} else None

    result = wait_for("the mention, the reply and the search hit", all_in, lambda: seen)
    got = {m.external_id: m for m in result.mentions}
    assert set(got) == want  # not the brand's own post, not the unrelated one
    assert got[m1.uri].author == network["customer"]["handle"] and got[m1.uri].text.endswith("where is my order?")
    assert got[m1.uri].network == "bluesky" and got[m1.uri].in_reply_to is None
    assert got[r1.uri].in_reply_to == ours.id
    assert got[s1.uri].url == f"https://bsky.app/profile/{network['customer']['handle']}/post/{s1.uri.rsplit('/', 1)[1]}"
    assert result.cursor
    again = {m.external_id for m in c.fetch(result.cursor).mentions}
    assert again <= want  # at most the same-instant repeats, never older ones
    m2 = say(net_customer, network, client_utils.TextBuilder().mention(f"@{who['handle']}", who["did"])
             .text(" open on Sunday?"))  # type: ignore[arg-type]
    wait_for("a newer mention after the cursor",
             lambda: m2.uri in {m.external_id for m in c.fetch(result.cursor).mentions})


def test_reply_shows_in_the_thread(network, net_customer) -> None:
    root = say(net_customer, network, "Is the new roast decaf?")
    ref = models.create_strong_ref(root)
    child = say(net_customer, network, "asking for a friend",
                reply_to=models.AppBskyFeedPost.ReplyRef(root=ref, parent=ref))
    posted = brand(network).reply(mention_of(network, child.uri), "It isn't, but we have a decaf too.", "k-thr")

    def ours_under_child() -> Any:
        thread = net_customer.get_post_thread(root.uri).thread
        for kid in thread.replies or []:
            if kid.post.uri == child.uri:
                return next((r.post for r in kid.replies or [] if r.post.uri == posted.id), None)
        return None

    view = wait_for("the brand's reply in getPostThread", ours_under_child)
    assert view.author.handle == network["brand"]["handle"]
    assert view.record.reply.root.uri == root.uri and view.record.reply.parent.uri == child.uri
