"""Issue 21, item 8: a policy broken at restart does not take `assistant serve` down. With a
last good copy it starts with that copy and says which file is broken; with none it says
which file is broken and still accepts webhooks (and /healthz says what is wrong).
The real console script, real HTTP, a real SQLite file."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from assistant.connectors.signing import signed_headers
from devtools.fakes import FAKE_MODEL, PYTHONPATH

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "policies" / "aurora-roasters.yaml"
ASSISTANT = Path(sys.executable).parent / "assistant"
SECRET = "s3cret-for-tests"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def setup(tmp_path: Path) -> dict:
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / POLICY.name).write_text(POLICY.read_text(encoding="utf-8"), encoding="utf-8")
    sources = tmp_path / "sources.yaml"
    sources.write_text(json.dumps({"sources": [{"name": "zap", "connector": "webhook", "brand": "aurora-roasters",
                                                "poll_every": 0, "options": {"secret_env": "HOOK_SECRET"}}]}))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "SLACK_"))}
    env.update({"ASSISTANT_DB_PATH": str(tmp_path / "assistant.db"), "ASSISTANT_POLICIES_DIR": str(policies),
                "ASSISTANT_SOURCES_FILE": str(sources), "ASSISTANT_BACKEND": FAKE_MODEL, "PYTHONPATH": PYTHONPATH, "HOOK_SECRET": SECRET,
                "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "signing",
                "ASSISTANT_SLACK_API_URL": f"http://127.0.0.1:{_free_port()}/api/",  # nobody there
                "ASSISTANT_OUTBOX_FILE": str(tmp_path / "outbox.jsonl"), "HF_HUB_OFFLINE": "1"})
    return {"env": env, "policy": policies / POLICY.name, "db": tmp_path / "assistant.db", "cwd": tmp_path}


def _break(policy: Path) -> None:
    text = policy.read_text(encoding="utf-8")
    policy.write_text(text.replace("crisis:\n  window_minutes: 60", "crisis:\n  window_minutes: [60", 1),
                      encoding="utf-8")


def test_no_good_copy_names_the_broken_file_and_still_accepts_webhooks(setup) -> None:
    _break(setup["policy"])
    port = _free_port()
    proc = subprocess.Popen([str(ASSISTANT), "serve", "--port", str(port)], env=setup["env"], cwd=setup["cwd"],
                            stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        health = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                health = httpx.get(f"{url}/healthz", timeout=2, trust_env=False)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert proc.poll() is None, proc.communicate()[1]
        assert health is not None and health.status_code == 503
        assert health.text.startswith(f"policy: {setup['policy']}:"), health.text
        body = json.dumps({"id": "w1", "author": "ann", "text": "Where is my order?"}).encode()
        r = httpx.post(f"{url}/webhooks/zap", content=body, trust_env=False,
                       headers={**signed_headers(SECRET, body), "Content-Type": "application/json"})
        assert r.status_code == 202 and r.json()["new"] == 1
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    assert "Traceback" not in err, err
    first = err.splitlines()[0]
    assert first.startswith(f"error: {setup['policy']}:") and "no good copy of aurora-roasters" in first, err
    assert "serving webhooks and /healthz only" in err
    with sqlite3.connect(setup["db"]) as conn:
        assert conn.execute("SELECT status FROM mentions WHERE id = 'zap:w1'").fetchone() == ("new",)


def test_a_policy_broken_at_restart_is_served_from_its_last_good_copy(setup) -> None:
    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(ASSISTANT), "serve", "--port", str(_free_port())], env=setup["env"],
                              cwd=setup["cwd"], capture_output=True, text=True, timeout=120)

    first = run()  # a good policy: kept; then Slack cannot be reached (nobody at the API URL)
    assert "cannot reach Slack" in first.stderr, first.stderr
    _break(setup["policy"])
    second = run()
    lines = second.stderr.splitlines()
    assert lines[0].startswith(f"warning: {setup['policy']}:"), second.stderr
    assert "using the last good copy of aurora-roasters" in lines[0]
    # It went on past the policy, to Slack: the next line is about Slack, not the policy.
    assert "cannot reach Slack" in second.stderr and "Traceback" not in second.stderr
