"""Issue 21, items 6, 7 and 9: exports that a hostile post or a leftover file cannot
turn against the team. Through the real `assistant` console script on a real SQLite file."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from datetime import timedelta

from assistant.domain.models import Intent, utcnow

from .conftest import add, draft, triage

FORMULA = "=cmd|' /C calc'!A0"


def _count(db_path) -> int:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT COUNT(*) FROM mentions").fetchone()[0]


def test_a_bare_carriage_return_does_not_split_a_row_or_smuggle_a_formula(store, run_cli, tmp_path):
    add(store, "cr", f"nice beans\r{FORMULA}", utcnow() - timedelta(minutes=5), author="@A1-A2",
        t=triage(Intent.PRAISE), d=draft("Thank you!"))
    add(store, "crlf", f"line one\r\n{FORMULA}\rthird", utcnow() - timedelta(minutes=4), author="@ann",
        t=triage(Intent.PRAISE), d=draft("Thank you!"))
    done = run_cli("log", "--format", "csv", "-o", "log.csv")
    assert done.returncode == 0, done.stderr
    data = (tmp_path / "log.csv").read_bytes()
    assert b"\r" not in data  # nothing a spreadsheet or splitlines() would read as a row break
    text = data.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2
    by_id = {r["id"].split(":")[-1]: r for r in rows}
    assert by_id["cr"]["post"] == f"nice beans\n{FORMULA}"
    assert by_id["crlf"]["post"] == f"line one\n{FORMULA}\nthird"
    assert by_id["cr"]["author"] == "'@A1-A2"  # a formula, however much it looks like a handle
    assert by_id["crlf"]["author"] == "@ann"  # a real handle stays readable
    assert sorted(by_id) == ["cr", "crlf"]  # column A holds ids only: the formula stayed in its cell


def _symlink_trap(tmp_path, db_path, name):
    trap = tmp_path / f"{name}.tmp"
    trap.symlink_to(db_path)
    return trap


def test_a_leftover_tmp_symlink_does_not_make_log_overwrite_the_database(history, store, run_cli, tmp_path,
                                                                          db_path):
    store.close()
    before = _count(db_path)
    trap = _symlink_trap(tmp_path, db_path, "log.csv")
    done = run_cli("log", "--format", "csv", "-o", "log.csv")
    assert done.returncode == 0, done.stderr
    assert db_path.read_bytes().startswith(b"SQLite format 3\x00")
    assert _count(db_path) == before
    assert (tmp_path / "log.csv").read_text().startswith("id,network")
    assert trap.is_symlink()  # left alone: neither followed nor removed
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("log.csv")) == ["log.csv", "log.csv.tmp"]


def test_a_leftover_tmp_symlink_does_not_make_report_overwrite_the_database(history, store, run_cli, tmp_path,
                                                                             db_path):
    store.close()
    before = _count(db_path)
    _symlink_trap(tmp_path, db_path, "report.html")
    done = run_cli("report", "-o", "report.html")
    assert done.returncode == 0, done.stderr
    assert db_path.read_bytes().startswith(b"SQLite format 3\x00")
    assert _count(db_path) == before
    assert (tmp_path / "report.html").read_text().lstrip().lower().startswith("<!doctype html")


def test_log_and_report_count_the_same_mentions_for_the_same_since(history, store, run_cli, db_path):
    # A row stored before dates were checked at ingest: stamped a day in the future.
    add(store, "future", "Loved it", utcnow() + timedelta(days=1), t=triage(Intent.PRAISE), d=draft("Thanks!"))
    store.db.execute("UPDATE mentions SET created_at = ? WHERE external_id = 'future'",
                     [(utcnow() + timedelta(days=1)).isoformat()])
    store.db.conn.commit()
    store.close()
    log = run_cli("log", "--since", "7d", "-o", "log.csv")
    report = run_cli("report", "--since", "7d", "-o", "report.html")
    assert log.returncode == 0 and report.returncode == 0, log.stderr + report.stderr
    logged = int(re.search(r"(\d+) mentions written", log.stderr).group(1))
    reported = int(re.search(r": (\d+) mentions since", report.stdout).group(1))
    assert logged == reported == 8
