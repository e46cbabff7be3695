"""Issue 21, item 8: the file outbox on a full disk. A reply that meets ENOSPC leaves no
half line behind, is kept as a retry with a one-line reason, and the retry after space
returns writes exactly one line (no second copy). Through the real `assistant outbox`
command, with the outbox file on a small real tmpfs (mounting needs root, as in the
container; skipped elsewhere)."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tmpfs import mounted_tmpfs

from assistant.connectors.base import PostError
from assistant.connectors.file import FileConnector
from assistant.domain.models import Mention
from assistant.store import Store
from devtools.fakes import FAKE_MODEL, PYTHONPATH

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    with mounted_tmpfs(tmp_path / "disk", "256k") as disk:
        yield disk


def _fill(disk: Path) -> Path:
    """Take every free page of the disk (the outbox file keeps the slack of its last page)."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (65536, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)
    return filler


def _outbox(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from assistant.cli import main; main()", "outbox"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


def _lines(path: Path) -> list[dict]:
    data = path.read_bytes()
    assert data.endswith(b"\n"), f"a half line is left at the end: {data[-80:]!r}"
    return [json.loads(x) for x in data.decode().splitlines()]


def test_a_full_disk_leaves_no_half_line_and_the_retry_writes_one(small_disk: Path, tmp_path: Path) -> None:
    out = small_disk / "replies.jsonl"
    sources = tmp_path / "sources.yaml"
    sources.write_text(json.dumps({"sources": [{"name": "demo", "connector": "file", "poll_every": 5,
                                                "options": {"outbox": str(out), "max_length": 20000}}]}))
    db = tmp_path / "a.db"
    env = {**os.environ, "ASSISTANT_DB_PATH": str(db), "ASSISTANT_SOURCES_FILE": str(sources),
           "ASSISTANT_BACKEND": FAKE_MODEL, "PYTHONPATH": PYTHONPATH, "ASSISTANT_POLICIES_DIR": str(ROOT / "policies")}
    store = Store(db)
    store.add_mentions([Mention(source="demo", external_id=f"m{i}", author="ann", text="Where is my order?")
                        for i in (1, 2)])
    first = store.approve("demo:m1", "U1", "It ships today!", "demo")
    done = _outbox(env)
    assert done.returncode == 0 and f"#{first.outbox_id} demo:m1: posted" in done.stdout, done.stderr
    assert len(_lines(out)) == 1
    before = out.read_bytes()

    filler = _fill(small_disk)
    # Longer than the slack of the file's last page: the write starts, then the disk is full.
    second = store.approve("demo:m2", "U1", "We are on it: " + "your parcel is on its way. " * 400, "demo")
    done = _outbox(env)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert out.read_bytes() == before  # no half line
    row = store.outbox_item(second.outbox_id)
    assert row["status"] == "pending", row  # a retry, not failed for good
    assert "\n" not in row["last_error"] and "full" in row["last_error"], row["last_error"]
    said = [x for x in done.stdout.splitlines() if f"#{second.outbox_id} " in x]
    assert len(said) == 1 and "pending" in said[0] and "full" in said[0], done.stdout

    filler.unlink()
    with store.transaction() as tx:  # due now instead of after the backoff
        tx.conn.execute("UPDATE outbox SET next_attempt_at = '2000-01-01' WHERE id = ?", [second.outbox_id])
    done = _outbox(env)
    assert done.returncode == 0 and f"#{second.outbox_id} demo:m2: posted" in done.stdout, done.stdout + done.stderr
    rows = _lines(out)
    assert [r["idempotency_key"] for r in rows] == [first.idempotency_key, second.idempotency_key]
    assert rows[1]["text"].startswith("We are on it:")
    assert _outbox(env).returncode == 0 and len(_lines(out)) == 2  # nothing posted twice
    store.close()


def test_a_statement_on_a_full_disk_is_a_retry_and_then_one_line(small_disk: Path) -> None:
    out = small_disk / "out.jsonl"
    conn = FileConnector(outbox=out, max_length=20000)
    conn.post_status("A first statement.", "k0")
    before = out.read_bytes()
    filler = _fill(small_disk)
    with pytest.raises(PostError) as caught:
        conn.post_status("We are sorry. " * 600, "k1")
    assert not caught.value.permanent and "\n" not in str(caught.value) and "full" in str(caught.value)
    assert out.read_bytes() == before
    assert conn.find_reply(Mention(source="file", external_id="x", text="x"), "k1") is None
    filler.unlink()
    posted = conn.post_status("We are sorry. " * 600, "k1")
    assert conn.post_status("We are sorry. " * 600, "k1") == posted
    assert [r["idempotency_key"] for r in _lines(out)] == ["k0", "k1"]


def test_a_half_line_left_by_a_crash_is_not_joined_to_the_next(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    conn = FileConnector(outbox=out)
    conn.post_status("One.", "k0")
    with out.open("ab") as fh:  # what a process killed mid-write (or an older version) left
        fh.write(b'{"id": "file-x", "idempotency_key": "k1", "text": "Tw')
    m = Mention(source="file", external_id="1", text="hi")
    assert conn.find_reply(m, "k1") is None
    conn.reply(m, "Two.", "k1")
    assert [r["idempotency_key"] for r in _lines(out)] == ["k0", "k1"]
