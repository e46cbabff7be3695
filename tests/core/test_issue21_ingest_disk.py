"""Issue 21, item 8: `assistant ingest` on a full disk says so in one line, keeps the
batches already stored, and a second run after freeing space stores the rest once.
Through the real CLI on a real SQLite file on a small tmpfs (mounting needs root, as
in the container; skipped elsewhere)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tmpfs import mounted_tmpfs

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    with mounted_tmpfs(tmp_path / "disk", "2m") as disk:
        yield disk


def _ingest(path: Path, db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSISTANT_DB_PATH": str(db), "ASSISTANT_POLICIES_DIR": str(ROOT / "policies")}
    return subprocess.run([sys.executable, "-c", "from assistant.cli import main; main()", "ingest", str(path)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


def _count(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM mentions").fetchone()[0])
    finally:
        conn.close()


def test_ingest_on_a_full_disk_is_one_line_and_keeps_what_was_stored(small_disk: Path, tmp_path: Path) -> None:
    posts = tmp_path / "posts.jsonl"
    # 3,000 mentions of ~1 KB: three batches of 1,000 do not fit in 2 MB.
    posts.write_text("".join(json.dumps({"id": f"m{i}", "source": "file", "author": "@a",
                                         "text": f"post {i} " + "coffee " * 150}) + "\n" for i in range(3000)))
    db = small_disk / "assistant.db"
    done = _ingest(posts, db)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "database refused more" in lines[0], done.stderr
    stored = _count(db)
    assert 0 < stored < 3000
    assert f"stored {stored} new mentions" in lines[0]
