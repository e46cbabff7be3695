"""`assistant log` and `assistant report` against careless and hostile use: an output
path that is the database itself (or any SQLite file), a folder or nothing; a file that
is not a database, or a database cut short; a --since far in the past; a report with no
policy over an empty period. Each is one line that says how to fix it, and loses nothing."""

from __future__ import annotations

import csv
import io
import os
import shutil
import stat
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from assistant.domain.models import utcnow
from assistant.insights.log import parse_since
from assistant.insights.report import render_html, render_png
from assistant.store import Store

from .conftest import History


def _one_line_error(done, *words: str) -> str:  # type: ignore[no-untyped-def]
    assert done.returncode == 1, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "Traceback" not in done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def _mentions(db_path: Path) -> int:
    s = Store(db_path)
    try:
        return int(s.db.execute("SELECT COUNT(*) FROM mentions").fetchone()[0])
    finally:
        s.close()


@pytest.mark.parametrize("command", [["log", "--format", "csv"], ["report"]])
def test_output_onto_the_database_itself_is_refused(history: History, store: Store, db_path: Path, run_cli,
                                                    command: list[str]) -> None:
    store.close()  # as a user's shell would have it: no other connection open
    before = db_path.read_bytes()
    done = run_cli(*command, "--output", str(db_path))
    _one_line_error(done, "is a database", "nothing was written", "another file name")
    assert db_path.read_bytes() == before
    assert _mentions(db_path) == 8


@pytest.mark.parametrize("command", [["log"], ["report"]])
def test_output_onto_another_sqlite_file_is_refused(history: History, run_cli, tmp_path: Path,
                                                   command: list[str]) -> None:
    other = tmp_path / "crm.sqlite"
    Store(other).close()
    before = other.read_bytes()
    _one_line_error(run_cli(*command, "-o", str(other)), "is a database")
    assert other.read_bytes() == before


@pytest.mark.parametrize("command", [["log"], ["report"]])
def test_empty_output_or_a_folder_is_one_line(history: History, run_cli, tmp_path: Path,
                                              command: list[str]) -> None:
    _one_line_error(run_cli(*command, "--output", ""), "--output is empty")
    folder = tmp_path / "exports"
    folder.mkdir()
    _one_line_error(run_cli(*command, "--output", str(folder)), "is a folder", str(folder / "report.html"))
    assert list(folder.iterdir()) == []
    assert not list(tmp_path.glob("*.tmp"))


def test_an_existing_export_is_replaced_whole(history: History, run_cli, tmp_path: Path) -> None:
    out = tmp_path / "log.csv"
    out.write_text("x" * 100_000, encoding="utf-8")  # longer than the new export
    done = run_cli("log", "--output", str(out))
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 7 and "xxxx" not in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("content", [b"hello, this is a CSV\n", bytes(range(256)) * 20])
@pytest.mark.parametrize("command", [["log"], ["report"]])
def test_a_file_that_is_not_a_database_is_one_line_and_left_alone(tmp_path: Path, db_path: Path, run_cli,
                                                                  content: bytes, command: list[str]) -> None:
    db_path.write_bytes(content)
    out = tmp_path / "out.html"
    _one_line_error(run_cli(*command, "-o", str(out)), "cannot open database", "not a database", "ASSISTANT_DB_PATH")
    assert db_path.read_bytes() == content
    assert not out.exists()


def test_a_database_cut_short_is_one_line_and_the_old_export_stays(history: History, store: Store, db_path: Path,
                                                                   run_cli, tmp_path: Path) -> None:
    store.close()
    cut = tmp_path / "cut.db"
    shutil.copy(db_path, cut)
    with cut.open("r+b") as f:
        f.truncate(cut.stat().st_size // 3)
    cut.replace(db_path)
    out = tmp_path / "log.csv"
    out.write_text("yesterday's export\n", encoding="utf-8")
    _one_line_error(run_cli("log", "-o", str(out)), "malformed", "ASSISTANT_DB_PATH")
    assert out.read_text(encoding="utf-8") == "yesterday's export\n"


def test_since_far_back_lists_everything(history: History, run_cli) -> None:
    # 80000 weeks back is the year 493: it must still sort before 2026.
    done = run_cli("log", "--since", "80000w", "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 8
    assert len(run_cli("log", "--since", "0500-01-01", "--format", "jsonl").stdout.splitlines()) == 8


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "-5d", "", "2026-13-45", "100000d", "xml"])
def test_bad_since_is_one_line(history: History, run_cli, value: str) -> None:
    _one_line_error(run_cli("log", "--since", value), "--since")


def test_future_since_is_one_line(history: History, run_cli) -> None:
    _one_line_error(run_cli("report", "--since", (utcnow() + timedelta(days=2)).strftime("%Y-%m-%d")),
                    "in the future")


def test_report_with_no_policy_over_an_empty_period(store: Store, history: History) -> None:
    # No policy (the CLI says so and goes on), no mention in the last second.
    html, headline = render_html(store, utcnow() - timedelta(seconds=1), policy=None)
    assert headline["mentions"] == 0 and "No spikes in this period." in html
    png, headline = render_png(store, utcnow() - timedelta(seconds=1), policy=None)
    assert png.startswith(b"\x89PNG") and headline["mentions"] == 0
    # and over an empty database
    empty = Store(store.path + ".empty.db")
    try:
        html, headline = render_html(empty, parse_since("30d"), policy=None)
        assert headline["mentions"] == 0
    finally:
        empty.close()


def test_bench_output_onto_the_database_is_refused(history: History, store: Store, db_path: Path,
                                                  run_devtools) -> None:
    store.close()
    before = db_path.read_bytes()
    _one_line_error(run_devtools("report-bench", "-o", str(db_path)), "is a database")
    assert db_path.read_bytes() == before


def test_a_brand_asked_for_by_name_that_has_no_policy_is_one_line(history: History, run_cli, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    _one_line_error(run_cli("report", "--brand", "aurora-roaster", "-o", str(out)),
                    "no policy for --brand 'aurora-roaster'", "aurora-roasters")
    assert not out.exists()
    done = run_cli("report", "--brand", "aurora-roasters", "-o", str(out))
    assert done.returncode == 0 and out.exists(), done.stderr


@pytest.mark.parametrize("command", [["log", "--format", "jsonl"], ["report"]])
def test_output_to_a_pipe_writes_into_it_and_leaves_it_a_pipe(history: History, run_cli, tmp_path: Path,
                                                             command: list[str]) -> None:
    # `-o /dev/stdout` or a FIFO: renaming a finished temporary file over it replaced the
    # device with a plain file (as root, /dev/null itself).
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    done = run_cli(*command, "-o", str(fifo))
    reader.join(timeout=60)
    assert done.returncode == 0, done.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    text = b"".join(received).decode("utf-8")
    assert (len(text.splitlines()) == 7) if command[0] == "log" else text.startswith("<!DOCTYPE html>")
