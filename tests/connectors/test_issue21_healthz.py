"""Issue 21, item 8: /healthz says what is broken. A full disk is covered by
test_issue21_disk.py; here:

* `assistant serve` started with a broken policy and its last good copy: serve runs (the
  real console script, Slack's Web API on loopback) and /healthz answers 200 "degraded"
  with the broken file and what is used instead;
* a database whose disk turns read-only while serving: 503 naming the folder, and "ok"
  again once it is writable (real HTTP, a real SQLite file on a tmpfs; mounting needs
  root, as in the container; skipped elsewhere)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tmpfs import mounted_tmpfs

from assistant.connectors.health import HEALTH
from assistant.store import Store
from assistant.web.server import database_problem, side_app
from devtools.fakes import FAKE_MODEL, PYTHONPATH
from devtools.loopback import FakeSlack

from .servers import serve_asgi

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "policies" / "aurora-roasters.yaml"
ASSISTANT = Path(sys.executable).parent / "assistant"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    fake.members["CREVIEW"] = ["UAPPROVER1", "UBOT"]
    yield fake
    fake.stop()


def test_serve_with_the_last_good_policy_says_degraded_and_names_the_file(tmp_path: Path, slack: FakeSlack) -> None:
    policies = tmp_path / "policies"
    policies.mkdir()
    policy = policies / POLICY.name
    text = POLICY.read_text(encoding="utf-8")
    keep = tmp_path / "assistant.db.last-good-policies"  # what an earlier good start kept
    keep.mkdir()
    (keep / POLICY.name).write_text(text, encoding="utf-8")
    policy.write_text(text.replace("crisis:\n  window_minutes: 60", "crisis:\n  window_minutes: [60", 1),
                      encoding="utf-8")
    sources = tmp_path / "sources.yaml"
    sources.write_text(json.dumps({"sources": [{"name": "zap", "connector": "webhook", "brand": "aurora-roasters",
                                                "poll_every": 0, "options": {"secret_env": "HOOK_SECRET"}}]}))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "SLACK_"))}
    env.update({"ASSISTANT_DB_PATH": str(tmp_path / "assistant.db"), "ASSISTANT_POLICIES_DIR": str(policies),
                "ASSISTANT_SOURCES_FILE": str(sources), "ASSISTANT_BACKEND": FAKE_MODEL, "PYTHONPATH": PYTHONPATH, "HOOK_SECRET": "s3cret",
                "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "signing",
                "ASSISTANT_REVIEW_CHANNEL": "CREVIEW", "ASSISTANT_SLACK_API_URL": slack.api_url,
                "ASSISTANT_OUTBOX_FILE": str(tmp_path / "outbox.jsonl"), "HF_HUB_OFFLINE": "1"})
    port = _free_port()
    proc = subprocess.Popen([str(ASSISTANT), "serve", "--port", str(port)], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        health = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2, trust_env=False)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert proc.poll() is None, proc.communicate()[1][-3000:]
        assert health is not None and health.status_code == 200, health and health.text
        lines = health.text.splitlines()
        assert lines[0] == "degraded", health.text
        assert lines[1].startswith(f"policy: {policy}:") and "using the last good copy of aurora-roasters" in lines[1]
        assert len(lines) == 2, health.text  # nothing else is broken
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    assert "Traceback" not in err, err


def test_a_database_disk_turned_read_only_is_named_by_healthz(tmp_path: Path) -> None:
    with mounted_tmpfs(tmp_path / "disk", "4m") as disk:
        db = disk / "assistant.db"
        Store(db).close()
        HEALTH.check("database", lambda: database_problem(db))  # as `assistant serve` does
        try:
            with serve_asgi(side_app()) as url, httpx.Client(trust_env=False) as client:
                assert (client.get(f"{url}/healthz").text, client.get(f"{url}/healthz").status_code) == ("ok", 200)
                subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
                health = client.get(f"{url}/healthz")
                assert health.status_code == 503, health.text
                lines = health.text.splitlines()
                assert len(lines) == 1 and lines[0].startswith("database: "), lines
                assert f"its folder {disk} is read-only" in lines[0] and "ASSISTANT_DB_PATH" in lines[0], lines[0]
                subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
                assert (client.get(f"{url}/healthz").text, client.get(f"{url}/healthz").status_code) == ("ok", 200)
        finally:
            HEALTH.check("database", None)
