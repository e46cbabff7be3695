"""The file connector and the outbox worker: exactly once, retries, permanent failures."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from assistant.connectors.base import Capabilities, Posted, PostError
from assistant.connectors.file import FileConnector
from assistant.domain.models import Mention
from assistant.runtime.outbox import OutboxWorker
from assistant.store import connectors_sql

from .conftest import approve


def lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def test_file_fetch_resumes_from_cursor_and_rejects_malformed(tmp_path: Path) -> None:
    inbox = tmp_path / "in.jsonl"
    inbox.write_text('{"id": "1", "author": "ann", "text": "love it"}\n'
                     'not json\n'
                     '{"id": "2", "author": "bob"}\n'
                     '{"author": "cy", "text": "no id given"}\n'
                     '{"id": "3", "text": "half a li')
    c = FileConnector(source="demo", inbox=inbox)
    r = c.fetch(None)
    assert [m.external_id for m in r.mentions][:1] == ["1"] and len(r.mentions) == 2
    assert r.mentions[1].external_id.startswith("h-")  # a stable id for a mention without one
    assert len(r.extra["rejected"]) == 2 and "text: Field required" in r.extra["rejected"][1]
    # the incomplete last line is not consumed; once finished it is read next time
    with inbox.open("a") as fh:
        fh.write('ne"}\n')
    r2 = c.fetch(r.cursor)
    assert [m.external_id for m in r2.mentions] == ["3"] and r2.mentions[0].text == "half a line"
    assert c.fetch(r2.cursor).mentions == []


def test_file_reply_is_idempotent_across_threads(tmp_path: Path) -> None:
    c = FileConnector(outbox=tmp_path / "out.jsonl")
    m = Mention(source="file", external_id="1", text="hi")
    results: list[Posted] = []
    threads = [threading.Thread(target=lambda: results.append(c.reply(m, "thanks", "k1"))) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(lines(tmp_path / "out.jsonl")) == 1 and len({p.id for p in results}) == 1
    assert c.find_reply(m, "k1") == results[0] and c.find_reply(m, "other") is None


def test_worker_posts_once_and_reports_outcome(store, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    conn = FileConnector(source="file", outbox=out)
    seen: list[dict] = []
    worker = OutboxWorker(store, lambda name, m: conn, on_outcome=[seen.append])
    a = approve(store, "file", "m1")
    row = worker.deliver(a.outbox_id)
    assert row["status"] == "posted" and row["posted_id"] == lines(out)[0]["id"]
    assert store.get_mention("file:m1")["status"] == "posted"
    assert worker.deliver(a.outbox_id)["status"] == "posted"  # a second click posts nothing
    assert worker.run_once() == []
    assert len(lines(out)) == 1 and [r["status"] for r in seen] == ["posted"]
    assert lines(out)[0]["idempotency_key"] == a.idempotency_key


class Scripted:
    """A connector whose replies fail as scripted; it remembers what really landed."""

    name = "scripted"

    def __init__(self, script: list[PostError | str], max_length: int = 500) -> None:
        self.script = list(script)
        self.landed: dict[str, Posted] = {}
        self.calls: list[str] = []
        self.max_length = max_length

    def capabilities(self) -> Capabilities:
        return Capabilities(max_length=self.max_length)

    def fetch(self, cursor):  # pragma: no cover - not used
        raise NotImplementedError

    def reply(self, mention: Mention, text: str, idempotency_key: str) -> Posted:
        self.calls.append("reply")
        step = self.script.pop(0) if self.script else "ok"
        if step in ("ok", "lost"):
            self.landed[idempotency_key] = Posted(f"p{len(self.landed) + 1}", "https://x/p")
            if step == "lost":
                raise PostError("read timeout", ambiguous=True)
            return self.landed[idempotency_key]
        assert isinstance(step, PostError)
        raise step

    def find_reply(self, mention: Mention, idempotency_key: str) -> Posted | None:
        self.calls.append("find")
        return self.landed.get(idempotency_key)


def make_worker(store, conn, **kw) -> OutboxWorker:
    kw.setdefault("base_delay", 0.0)
    kw.setdefault("jitter", 0.0)
    return OutboxWorker(store, lambda name, m: conn, **kw)


def test_retries_5xx_then_posts(store) -> None:
    conn = Scripted([PostError("500", ambiguous=True), PostError("503", ambiguous=True)])
    worker = make_worker(store, conn)
    a = approve(store, "s", "1")
    assert worker.deliver(a.outbox_id)["status"] == "pending"
    assert worker.deliver(a.outbox_id)["status"] == "pending"
    row = worker.deliver(a.outbox_id)
    assert row["status"] == "posted" and row["attempts"] == 3
    assert conn.calls == ["reply", "find", "reply", "find", "reply"]  # looked before every retry
    assert [x["outcome"] for x in connectors_sql.attempts(store, a.outbox_id)] == ["ambiguous", "ambiguous", "posted"]


def test_posted_but_answer_lost_is_found_not_reposted(store) -> None:
    conn = Scripted(["lost"])
    worker = make_worker(store, conn)
    a = approve(store, "s", "1")
    assert worker.deliver(a.outbox_id)["status"] == "pending"
    row = worker.deliver(a.outbox_id)
    assert row["status"] == "posted" and row["posted_id"] == "p1"
    assert conn.calls == ["reply", "find"] and len(conn.landed) == 1


def test_backoff_is_exponential_and_honours_retry_after(store) -> None:
    worker = make_worker(store, Scripted([]), base_delay=2.0, max_delay=60)
    assert [worker.backoff(n) for n in (1, 2, 3, 4, 10)] == [2.0, 4.0, 8.0, 16.0, 60.0]
    assert worker.backoff(1, retry_after=30) == 30
    conn = Scripted([PostError("429", retry_after=120)])
    worker = make_worker(store, conn, base_delay=2.0)
    a = approve(store, "s", "1")
    row = worker.deliver(a.outbox_id)
    assert row["status"] == "pending" and "429" in row["last_error"]
    assert row["next_attempt_at"] > row["updated_at"]
    assert worker.run_once() == []  # not due for two minutes
    assert store.outbox_due(now="9999") and store.outbox_due(now="9999")[0]["id"] == a.outbox_id


def test_permanent_failure_is_recorded_visible_and_retryable(store) -> None:
    seen: list[dict] = []
    conn = Scripted([PostError("403 forbidden (check the account)", permanent=True)])
    worker = make_worker(store, conn, on_outcome=[seen.append])
    a = approve(store, "s", "1")
    row = worker.deliver(a.outbox_id)
    assert row["status"] == "failed" and "403" in row["last_error"]
    assert store.get_mention("s:1")["status"] == "failed"
    assert [r["id"] for r in connectors_sql.failed_with_mentions(store)] == [a.outbox_id]
    assert seen and seen[0]["status"] == "failed"
    assert conn.calls == ["reply"]
    assert worker.run_once() == []  # never retried on its own
    assert connectors_sql.retry_failed(store, a.outbox_id)
    assert worker.deliver(a.outbox_id)["status"] == "posted"
    assert conn.calls == ["reply", "find", "reply"]


def test_gives_up_after_max_attempts_but_keeps_the_row(store) -> None:
    conn = Scripted([PostError("500", ambiguous=True)] * 5)
    worker = make_worker(store, conn, max_attempts=3)
    a = approve(store, "s", "1")
    for _ in range(3):
        row = worker.deliver(a.outbox_id)
    assert row["status"] == "failed" and "gave up after 3 attempts" in row["last_error"]
    assert f"--retry {a.outbox_id}" in row["last_error"]


def test_length_limit_and_read_only_fail_before_posting(store) -> None:
    conn = Scripted([], max_length=10)
    worker = make_worker(store, conn)
    a = approve(store, "s", "1", text="x" * 11)
    row = worker.deliver(a.outbox_id)
    assert row["status"] == "failed" and "11 characters" in row["last_error"] and "allows 10" in row["last_error"]
    assert conn.calls == []


def test_connector_bug_is_retried_not_lost(store) -> None:
    class Broken(Scripted):
        def reply(self, mention, text, key):
            raise KeyError("oops")
    worker = make_worker(store, Broken([]))
    a = approve(store, "s", "1")
    row = worker.deliver(a.outbox_id)
    assert row["status"] == "pending" and "KeyError" in row["last_error"]


def test_concurrent_delivers_post_once(store, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"

    class Slow(FileConnector):
        def reply(self, mention, text, key):
            import time
            time.sleep(0.05)
            return super().reply(mention, text, key)

    conn = Slow(outbox=out)
    worker = make_worker(store, conn)
    a = approve(store, "file", "1")
    rows: list[dict] = []
    ts = [threading.Thread(target=lambda: rows.append(worker.deliver(a.outbox_id))) for _ in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert len(lines(out)) == 1
    assert store.outbox_item(a.outbox_id)["status"] == "posted" and store.outbox_item(a.outbox_id)["attempts"] == 1
