"""Issue 21, item 2: a statement that fails to post is delivered by the outbox worker
with the reply outbox's rules (backoff, a lease, a visible failed state and a retry),
through the real runtime, the real CLI and a worker process killed mid-post.

Seen failing first: before the change a timed-out row stayed pending with nothing to
post it again, a SIGKILL left it 'sending' for good, and `assistant outbox --failed`
said "no failed replies" while a statement had failed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from assistant.cli import _register, cli
from assistant.connectors.base import Posted, PostError
from assistant.domain.models import utcnow
from assistant.runtime import statements
from assistant.store import Store
from devtools.fakes import FAKE_MODEL

ROOT = Path(__file__).resolve().parents[2]
TEXT = "We have seen your posts about the Midnight Sun blend. Next update by 12:00 UTC on 2 March."


class Network:
    """An account that fails ``fail`` times (a 5xx, or a refusal), then posts."""

    def __init__(self, fail: int = 0, permanent: bool = False) -> None:
        self.fail, self.permanent = fail, permanent
        self.keys: list[str] = []
        self.made: list[str] = []

    def post_status(self, text: str, idempotency_key: str) -> Posted:
        self.keys.append(idempotency_key)
        if self.fail > 0:
            self.fail -= 1
            raise PostError("HTTP 422: refused" if self.permanent else "HTTP 503", permanent=self.permanent)
        self.made.append(text)
        return Posted(f"s{len(self.made)}", f"https://social.example/s{len(self.made)}")


@pytest.fixture
def store(tmp_path: Path) -> Any:
    s = Store(tmp_path / "s.db")
    yield s
    s.close()


def test_the_worker_round_posts_it_after_the_backoff_and_says_so(store: Store) -> None:
    net = Network(fail=2)
    seen: list[dict[str, Any]] = []
    assert statements.approve(store, 5, TEXT, "en", "UAPPROVER1", ["masto"])
    now = utcnow()
    [row] = statements.deliver(store, 5, {"masto": net}, now=now, on_outcome=[seen.append])
    assert row["status"] == "pending" and row["next_attempt_at"] > now.isoformat()
    assert statements.run_due(store, {"masto": net}, now=now) == 0  # not due: nothing tried
    assert statements.run_due(store, {"masto": net}, now=now + timedelta(minutes=1), on_outcome=[seen.append]) == 1
    assert statements.run_due(store, {"masto": net}, now=now + timedelta(minutes=5), on_outcome=[seen.append]) == 1
    [row] = statements.posts(store, 5)
    assert row["status"] == "posted" and row["attempts"] == 3 and net.made == [TEXT]
    assert len(set(net.keys)) == 1  # one idempotency key across every try
    assert [r["status"] for r in seen] == ["pending", "pending", "posted"]
    assert statements.run_due(store, {"masto": net}, now=now + timedelta(hours=1)) == 0 and net.made == [TEXT]


def test_it_fails_for_good_after_the_last_attempt_and_retry_posts_it_once(store: Store) -> None:
    net = Network(fail=statements.MAX_ATTEMPTS)
    assert statements.approve(store, 6, TEXT, "en", "UAPPROVER1", ["masto"])
    at = utcnow()
    for i in range(statements.MAX_ATTEMPTS):
        statements.run_due(store, {"masto": net}, now=at + timedelta(hours=i))
    [row] = statements.posts(store, 6)
    assert row["status"] == "failed" and f"gave up after {statements.MAX_ATTEMPTS} attempts" in row["last_error"]
    assert statements.failed(store) == [row]
    assert statements.retry(store, 6, "UAPPROVER1") == 1
    assert statements.retry(store, 6, "UAPPROVER1") == 0  # nothing failed any more
    statements.run_due(store, {"masto": net}, now=at + timedelta(days=1))
    statements.run_due(store, {"masto": net}, now=at + timedelta(days=2))
    [row] = statements.posts(store, 6)
    assert row["status"] == "posted" and net.made == [TEXT]


def test_a_worker_killed_mid_post_leaves_a_claim_that_the_lease_recovers_and_it_is_posted_once(
        tmp_path: Path, store: Store) -> None:
    from assistant.connectors.file import FileConnector

    out, marker = tmp_path / "outbox.jsonl", tmp_path / "posted"
    assert statements.approve(store, 9, TEXT, "en", "UAPPROVER1", ["local"])
    proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name("statement_crash_worker.py")),
                             str(tmp_path / "s.db"), str(out), str(marker), "9"], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert marker.exists(), "the worker never posted"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    [row] = statements.posts(store, 9)
    assert row["status"] == "sending"  # posted, not recorded: what a crash leaves
    local = FileConnector(source="local", outbox=out)
    assert statements.run_due(store, {"local": local}) == 0  # a young claim may still be in flight
    assert statements.run_due(store, {"local": local}, now=utcnow() + timedelta(minutes=10)) == 1
    [row] = statements.posts(store, 9)
    assert row["status"] == "posted"
    assert [json.loads(line)["text"] for line in out.read_text().splitlines()] == [TEXT]  # once


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key, value in {"ASSISTANT_DB_PATH": str(tmp_path / "a.db"), "ASSISTANT_BACKEND": FAKE_MODEL,
                       "ASSISTANT_POLICIES_DIR": str(ROOT / "policies"),
                       "ASSISTANT_OUTBOX_FILE": str(tmp_path / "outbox.jsonl")}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("ASSISTANT_SOURCES_FILE", raising=False)
    monkeypatch.chdir(tmp_path)
    _register()
    return tmp_path


def test_outbox_failed_lists_a_failed_statement_and_retry_statement_posts_it(cli_env: Path) -> None:
    store = Store(cli_env / "a.db")
    assert statements.approve(store, 4, TEXT, "en", "UAPPROVER1", ["local"])
    statements.deliver(store, 4, {"local": Network(fail=1, permanent=True)})  # type: ignore[dict-item]
    store.close()
    runner = CliRunner()
    r = runner.invoke(cli, ["outbox", "--failed"], catch_exceptions=False)
    assert r.exit_code == 0
    assert "statement of spike 4 on local after 1 attempts: HTTP 422: refused" in r.output
    assert "assistant outbox --retry-statement 4" in r.output
    r = runner.invoke(cli, ["outbox", "--retry-statement", "4"], catch_exceptions=False)
    assert r.exit_code == 0 and "statement of spike 4 on local: posted" in r.output
    assert [json.loads(line)["text"] for line in (cli_env / "outbox.jsonl").read_text().splitlines()] == [TEXT]
    r = runner.invoke(cli, ["outbox", "--retry-statement", "4"])
    assert r.exit_code != 0 and "has not failed" in str(r.exception)  # main() prints it as one line
    r = runner.invoke(cli, ["outbox", "--failed"], catch_exceptions=False)
    assert "no failed replies or statements" in r.output
