"""SIGKILL between posting and recording, then a restart: the reply exists once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.connectors.file import FileConnector
from assistant.runtime.outbox import OutboxWorker
from assistant.store import Store

from .conftest import approve
from .crash_worker import NoKeyFile

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("kind", ["keyed", "nokey"])
def test_sigkill_between_post_and_record(tmp_path: Path, kind: str) -> None:
    db, out, marker = tmp_path / "a.db", tmp_path / "out.jsonl", tmp_path / "posted"
    store = Store(db)
    a = approve(store, "file", "m1")
    store.close()

    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}"}
    proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name("crash_worker.py")), str(db), str(out),
                             str(marker), str(a.outbox_id), kind], env=env, cwd=tmp_path)
    try:
        deadline = time.time() + 30
        while not marker.exists():
            assert proc.poll() is None, "the worker exited before posting"
            assert time.time() < deadline, "the worker never posted"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()

    # The reply landed; the store still says it is being sent.
    assert len(out.read_text().splitlines()) == 1
    store = Store(db)
    assert store.outbox_item(a.outbox_id)["status"] == "sending"

    # Restart: recover, then run the worker as `assistant serve` would.
    conn = NoKeyFile(outbox=out) if kind == "nokey" else FileConnector(outbox=out)
    worker = OutboxWorker(store, lambda name, m: conn)
    # The killed worker's claim is fresh, so an ordinary recovery leaves it alone (it
    # could be a live worker in another process); once its lease has run out it is
    # taken back. lease=0 stands for "the lease has run out".
    assert worker.recover() == 0
    assert worker.recover(lease=0) == 1
    rows = worker.run_once()
    assert [r["status"] for r in rows] == ["posted"]
    replies = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(replies) == 1, "the reply was posted twice"
    if kind == "keyed":
        assert rows[0]["posted_id"] == replies[0]["id"] == marker.read_text()
    assert store.get_mention("file:m1")["status"] == "posted"
    store.close()
