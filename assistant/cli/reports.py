"""The team's memory: `assistant log` (the interaction log) and `assistant report` (charts)."""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

import click

from assistant.cli.group import cli
from assistant.domain.errors import AssistantError
from assistant.settings import load_settings


def _store() -> Any:
    from assistant.store import Store

    settings = load_settings()
    if not Path(settings.db_path).exists():
        raise AssistantError(f"no database at {settings.db_path}",
                             "set ASSISTANT_DB_PATH to the assistant's database, or ingest mentions first")
    return Store(settings.db_path)  # a read-only folder is one line (store.read_only_error)


_SQLITE = b"SQLite format 3\x00"


def output_path(output: str) -> Path:
    """Where an export may go: a file name, not a folder, and never over a database (the
    assistant's own, or any SQLite file: `-o assistant.db` would replace every mention
    with the export). Checked before anything is written; the report benchmark
    checks its --output here too."""
    if not output.strip():
        raise AssistantError("--output is empty", "give a file name such as report.html, or leave --output out")
    path = Path(output)
    if path.is_dir():
        raise AssistantError(f"cannot write {output}: it is a folder",
                             f"give a file name inside it, such as {path / 'report.html'}")
    db = Path(load_settings().db_path)
    own = [db.with_name(db.name + tail) for tail in ("", "-wal", "-shm", "-journal")]
    head = b""
    if path.is_file():
        try:
            with path.open("rb") as f:
                head = f.read(len(_SQLITE))
        except OSError:
            pass
    if any(_same(path, p) for p in own) or head == _SQLITE:
        raise AssistantError(f"{output} is a database; nothing was written",
                             "give the export another file name, such as log.csv or report.html")
    return path


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b) if a.exists() and b.exists() else a.resolve() == b.resolve()
    except OSError:
        return False


def _database_error(exc: sqlite3.DatabaseError) -> AssistantError:
    return AssistantError(f"cannot read the database {load_settings().db_path}: {exc}",
                          "point ASSISTANT_DB_PATH to the assistant's SQLite file; nothing was written")


def _policy_or_none(brand: str | None) -> Any:
    """The policy in force, for the response target and catalog; the report still works
    without one (defaults), saying so."""
    from assistant.policy.registry import PolicyRegistry

    try:
        settings = load_settings(**({"brand": brand} if brand else {}))
        return PolicyRegistry(settings.policies_dir).get(settings.brand)
    except AssistantError as exc:
        if brand:  # asked for by name: a typo must not give a report with the wrong target
            raise AssistantError(f"no policy for --brand {brand!r}: {exc.message}",
                                 "use a brand id from `assistant policy show`, or leave --brand out") from None
        click.secho(f"note: no policy ({exc.message}); using the default response target and no catalog",
                    fg="yellow", err=True)
        return None


@cli.command("log")
@click.option("--since", default="30d", show_default=True, help="7d, 24h, 2w or a date such as 2026-11-01")
@click.option("--format", "fmt", default="csv", show_default=True, help="csv or jsonl")
@click.option("--output", "-o", help="file to write (default: standard output)")
def log_cmd(since: str, fmt: str, output: str | None) -> None:
    """Export the interaction log: every mention, its triage, draft, decision, reply and times."""
    from assistant.insights.log import FORMATS, parse_since, write

    if fmt not in FORMATS:
        raise AssistantError(f"--format {fmt!r} is not known", f"use one of: {', '.join(FORMATS)}")
    start = parse_since(since)
    path = None if output is None else output_path(output)
    store = _store()
    try:
        if path is None:
            count = write(store, start, fmt, sys.stdout)
        elif path.exists() and not path.is_file():
            # A device or a pipe (/dev/stdout, a FIFO): written to, never renamed over.
            try:
                with open(path, "w", encoding="utf-8", newline="") as out:
                    count = write(store, start, fmt, out)
            except OSError as exc:
                raise AssistantError(f"cannot write {output}: {exc.strerror}",
                                     "give a path in a folder you can write to") from None
        else:
            # Through a new temporary file beside it (O_EXCL, no symlink followed): a failed
            # export never replaces a good one, and a leftover <output>.tmp is never written through.
            from assistant.insights.report.output import replacing

            try:
                with replacing(path, newline="") as out:
                    count = write(store, start, fmt, out)
            except OSError as exc:
                raise AssistantError(f"cannot write {output}: {exc.strerror}",
                                     "give a path in a folder you can write to") from None
            click.echo(f"{count} mentions written to {output}", err=True)
    except sqlite3.DatabaseError as exc:
        raise _database_error(exc) from None
    finally:
        store.close()


@cli.command("report")
@click.option("--since", default="30d", show_default=True, help="7d, 24h, 2w or a date such as 2026-11-01")
@click.option("--output", "-o", default="report.html", show_default=True, help="the HTML file to write")
@click.option("--brand", help="brand id whose policy gives the response target and catalog")
def report_cmd(since: str, output: str, brand: str | None) -> None:
    """Write a self-contained HTML report with charts: volume, response times, drafts, topics, spikes."""
    from assistant.insights.log import parse_since
    from assistant.insights.report import write_report

    start = parse_since(since)
    path = output_path(output)
    policy = _policy_or_none(brand)
    store = _store()
    began = time.perf_counter()
    try:
        try:
            headline = write_report(store, start, path, policy=policy)
        except OSError as exc:
            raise AssistantError(f"cannot write {output}: {exc.strerror}",
                                 "give a path in a folder you can write to") from None
    except sqlite3.DatabaseError as exc:
        raise _database_error(exc) from None
    finally:
        store.close()
    click.echo(f"{output}: {headline['mentions']} mentions since {start:%Y-%m-%d %H:%M} UTC, "
               f"written in {time.perf_counter() - began:.1f} s")
