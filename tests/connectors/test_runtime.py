"""Sources file, polling with cursors and backoff, and the runtime around them."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from assistant.connectors.base import FetchResult, PostError
from assistant.connectors.sources import check_sources, load_sources, parse_sources
from assistant.domain.errors import SettingsError
from assistant.domain.models import Mention
from assistant.runtime.polling import Poller
from assistant.runtime.service import LOCAL, Runtime
from assistant.runtime.wiring import build_runtime
from devtools.connectors_bench import webhook_ingest_bench

from .conftest import StubEngine, approve


def write_sources(path: Path, sources: list[dict]) -> Path:
    path.write_text(json.dumps({"sources": sources}))
    return path


def test_sources_env_credentials_and_one_line_errors(tmp_path: Path) -> None:
    s = parse_sources("sources:\n  - {name: hook, connector: webhook, poll_every: 0, options: {secret_env: HS}}\n")[0]
    assert s.resolved_options({"HS": "x"}) == {"secret": "x"}
    with pytest.raises(SettingsError) as err:
        s.resolved_options({})
    assert str(err.value) == "source hook: environment variable HS is not set (export HS=... (it holds options.secret))"
    cases = {
        "sources:\n  - {name: a, connector: twitter}\n": "sources[0].connector: unknown connector 'twitter': use one of",
        "sources:\n  - {name: a, connector: file, poll_every: -1}\n": "sources[0].poll_every: Input should be greater",
        "sources:\n  - {name: Bad Name, connector: file}\n": "sources[0].name: String should match pattern",
        "sources:\n  - {name: a, connector: file}\n  - {name: a, connector: file}\n": "two sources are named 'a'",
        "sources: [\n": "not valid YAML",
        "sources:\n  - {name: a, connector: file, colour: red}\n": "sources[0].colour: Extra inputs are not permitted",
    }
    for text, expected in cases.items():
        with pytest.raises(SettingsError) as err:
            parse_sources(text, "s.yaml")
        assert expected in str(err.value) and "\n" not in str(err.value), str(err.value)
    bad = tmp_path / "s.yaml"
    bad.write_text("sources:\n  - {name: a, connector: nope}\n  - {name: b, connector: file, poll_every: x}\n")
    assert len(check_sources(bad)) == 2
    with pytest.raises(SettingsError, match="not found"):
        load_sources(tmp_path / "missing.yaml")
    with pytest.raises(SettingsError, match="unexpected keyword argument 'colour'"):
        parse_sources("- {name: a, connector: file, options: {colour: red}}").pop().create({})


def test_example_sources_file_is_valid() -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "sources.yaml"
    assert check_sources(example) == []


def test_poller_resumes_from_cursor_after_restart(settings, store, tmp_path: Path) -> None:
    inbox = tmp_path / "in.jsonl"
    inbox.write_text("".join(json.dumps({"id": str(i), "text": f"m{i}"}) + "\n" for i in range(3)) + "garbage\n")
    settings.sources_file = write_sources(tmp_path / "s.yaml", [
        {"name": "demo", "connector": "file", "brand": "acme", "poll_every": 5, "options": {"inbox": str(inbox)}}])
    engine = StubEngine(settings, store)
    rt = build_runtime(settings, engine)
    [r] = rt.fetch("demo")
    assert (r.fetched, len(r.new), len(r.rejected)) == (3, 3, 1)
    assert store.get_mention("demo:0")["brand"] == "acme"
    assert any(e["kind"] == "input_rejected" for e in store.db["events"].rows)
    with inbox.open("a") as fh:
        fh.write(json.dumps({"id": "3", "text": "m3"}) + "\n")
    rt2 = build_runtime(settings, engine)  # a restart: the cursor is in the store
    [r2] = rt2.fetch()
    assert r2.new == ["demo:3"] and store.count("mentions") == 4
    with pytest.raises(SettingsError, match="use one of: demo"):
        rt2.fetch("nope")


class Flaky:
    name = "flaky"

    def __init__(self) -> None:
        self.calls = 0

    def fetch(self, cursor):
        self.calls += 1
        if self.calls <= 2:
            raise PostError("Mastodon answered 503")
        return FetchResult([Mention(source="flaky", external_id="1", text="x")], "c1")


def test_poller_backs_off_and_recovers(store) -> None:
    got: list[list[str]] = []
    p = Poller("flaky", Flaky(), store, lambda ms, b: store.add_mentions(ms, b), interval=10, max_backoff=60,
               on_new=got.append)
    assert p.poll_once().error == "Mastodon answered 503"
    assert 9 <= p.next_delay() <= 11
    assert p.poll_once().error
    assert 18 <= p.next_delay() <= 22
    r = p.poll_once()
    assert r.error is None and r.new == ["flaky:1"] and p.next_delay() == 10
    assert store.get_cursor("flaky") == "c1" and got == [["flaky:1"]]
    assert [e["kind"] for e in store.db["events"].rows if e["kind"] == "fetch_failed"] == ["fetch_failed"] * 2


def test_runtime_threads_poll_process_and_post(settings, store, tmp_path: Path) -> None:
    inbox = tmp_path / "in.jsonl"
    inbox.write_text(json.dumps({"id": "1", "author": "ann", "text": "hi"}) + "\n")
    out = tmp_path / "replies.jsonl"
    settings.sources_file = write_sources(tmp_path / "s.yaml", [
        {"name": "demo", "connector": "file", "poll_every": 0.05,
         "options": {"inbox": str(inbox), "outbox": str(out)}}])
    engine = StubEngine(settings, store)
    rt = build_runtime(settings, engine)
    outcomes: list[dict] = []
    processed: list[object] = []
    rt.on_outcome.append(outcomes.append)
    rt.on_processed.append(processed.append)
    rt.start()
    try:
        deadline = time.time() + 10
        while not processed and time.time() < deadline:
            time.sleep(0.02)
        assert engine.processed == ["demo:1"]
        assert rt.connector_name("demo:1") == "demo"
        assert rt.check_reply("demo:1", "x" * 501)[0]
        a = store.approve("demo:1", "U1", "Thanks!", rt.connector_name("demo:1"))
        rt.wake()
        while not outcomes and time.time() < deadline:
            time.sleep(0.02)
    finally:
        rt.stop()
    assert outcomes and outcomes[0]["status"] == "posted" and outcomes[0]["id"] == a.outbox_id
    assert [json.loads(x)["text"] for x in out.read_text().splitlines()] == ["Thanks!"]


def test_mentions_from_no_source_reply_to_the_local_outbox(settings, store, engine) -> None:
    rt = Runtime(settings, engine, sources=[])
    store.add_mentions([Mention(source="manual", external_id="1", author="ann", text="hello @acme")])
    assert rt.connector_name("manual:1") == LOCAL and rt.is_local(LOCAL)  # nothing posted to a network
    assert rt.capabilities("manual:1").reply
    a = approve(store, "manual", "1", connector=rt.connector_name("manual:1"))
    assert rt.deliver(a.outbox_id)["status"] == "posted"
    assert json.loads(settings.outbox_file.read_text())["text"] == "Thanks, we're on it!"
    b = approve(store, "mastodon-gone", "2")
    row = rt.deliver(b.outbox_id)
    assert row["status"] == "failed" and "no enabled source named 'mastodon-gone'" in row["last_error"]
    assert not rt.is_local("mastodon-gone")
    assert rt.retry(b.outbox_id, actor="U9") and store.outbox_item(b.outbox_id)["status"] == "pending"
    assert [e["actor"] for e in store.events("mastodon-gone:2") if e["kind"] == "post_retry"] == ["U9"]
    assert not rt.retry(b.outbox_id)  # only a failed reply can be retried


def test_read_only_sources_and_a_source_named_like_the_local_outbox(settings, store, engine, tmp_path) -> None:
    sources = parse_sources(json.dumps({"sources": [
        {"name": "blog", "connector": "feed", "poll_every": 0, "options": {"url": "http://127.0.0.1:9/f.xml"}},
        {"name": "file", "connector": "file", "poll_every": 0, "options": {"outbox": str(tmp_path / "o.jsonl")}},
    ]}))
    rt = Runtime(settings, engine, sources=sources)
    store.add_mentions([Mention(source="blog", external_id="1", text="Acme is great"),
                        Mention(source="file", external_id="2", text="hi")])
    assert not rt.capabilities("blog:1").reply
    assert rt.check_reply("blog:1", "Thanks!")[0][0] == "blog is read-only: open the link and answer there"
    # a configured source called "file" posts to its own file: not the local outbox, so not "local"
    assert rt.connector_name("file:2") == "file" and not rt.is_local("file")


def test_bench_accounts_for_every_mention() -> None:
    result = webhook_ingest_bench(mentions=200, clients=20)
    assert result["all_accounted"] and result["stored"] == 200 and result["deliveries"] == 220
