"""Issue 21, item 8: a database in a read-only folder. `assistant ingest`, `assistant demo`
and `assistant serve` say in one line that the folder is read-only and how to fix it, exit
non-zero, and print no traceback (SQLite's own words, "unable to open database file",
point at the wrong thing). Through the real CLI, on a real SQLite file on a tmpfs remounted
read-only (mounting needs root, as in the container; skipped elsewhere)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tmpfs import mounted_tmpfs

from assistant.store import Store
from devtools.fakes import FAKE_MODEL, PYTHONPATH

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    """A read-only disk holding an assistant database (``assistant.db``)."""
    with mounted_tmpfs(tmp_path / "ro", "4m") as disk:
        Store(disk / "assistant.db").close()
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        yield disk


def _run(db: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    posts = tmp_path / "posts.jsonl"
    posts.write_text(json.dumps({"id": "1", "source": "file", "author": "@a", "text": "Where is my order?"}) + "\n")
    env = {**os.environ, "ASSISTANT_DB_PATH": str(db), "ASSISTANT_POLICIES_DIR": str(ROOT / "policies"),
           "ASSISTANT_BACKEND": FAKE_MODEL, "PYTHONPATH": PYTHONPATH, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret",
           "ASSISTANT_REVIEW_CHANNEL": "C0123ABCD", "ASSISTANT_SLACK_API_URL": "http://127.0.0.1:9/api/"}
    env.pop("SLACK_APP_TOKEN", None)
    argv = [a.replace("POSTS", str(posts)) for a in args]
    return subprocess.run([sys.executable, "-c", "from assistant.cli import main; main()", *argv],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)


COMMANDS = [["ingest", "POSTS"], ["demo", "--limit", "1"], ["serve", "--port", "0"], ["queue"]]


def _one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode != 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    lines = [x for x in done.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_read_only_database_folder_is_named_in_one_line(read_only: Path, tmp_path: Path, command) -> None:
    line = _one_line(_run(read_only / "assistant.db", tmp_path, *command))
    assert f"its folder {read_only} is read-only" in line, line
    assert "make the folder writable" in line and "ASSISTANT_DB_PATH" in line, line
    assert "unable to open database file" not in line


@pytest.mark.parametrize("command", COMMANDS[:2], ids=lambda c: c[0])
def test_a_new_database_in_a_read_only_folder_is_named_too(read_only: Path, tmp_path: Path, command) -> None:
    for db in (read_only / "new.db", read_only / "sub" / "new.db"):
        line = _one_line(_run(db, tmp_path, *command))
        assert f"the folder {read_only} is read-only" in line, line
        assert "make the folder writable" in line, line
