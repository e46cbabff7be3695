"""Issue 21, item 8: a database in a read-only folder. `assistant log` and `assistant report`
say what is wrong (the folder, not the file) in one line and how to fix it. A real SQLite
file on a tmpfs remounted read-only (the test needs root to mount; skipped elsewhere)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from tmpfs import mounted_tmpfs

from assistant.store import Store

from .conftest import build_history


@pytest.fixture
def db_path(tmp_path: Path) -> Iterator[Path]:
    """The history's database, on a disk remounted read-only (what run_cli points at)."""
    with mounted_tmpfs(tmp_path / "ro", "4m") as disk:
        store = Store(disk / "assistant.db")
        build_history(store)
        store.close()
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        yield disk / "assistant.db"


@pytest.mark.parametrize("command", [["log", "--format", "csv"], ["report", "-o", "report.html"]])
def test_a_read_only_database_folder_is_named_as_such(db_path: Path, run_cli, command):
    done = run_cli(*command)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = [x for x in done.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, done.stderr
    assert f"its folder {db_path.parent} is read-only" in lines[0], lines[0]
    assert "make the folder writable" in lines[0]
