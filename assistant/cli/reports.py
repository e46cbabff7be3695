"""The team's memory: `assistant log` (the interaction log) and `assistant report` (charts)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from ..errors import AssistantError
from ..settings import load_settings
from . import cli


def _store() -> Any:
    from ..store import Store

    settings = load_settings()
    if not Path(settings.db_path).exists():
        raise AssistantError(f"no database at {settings.db_path}",
                             "set ASSISTANT_DB_PATH to the assistant's database, or ingest mentions first")
    return Store(settings.db_path)


def _policy_or_none(brand: str | None) -> Any:
    """The policy in force, for the response target and catalog; the report still works
    without one (defaults), saying so."""
    from ..policy import PolicyRegistry

    try:
        settings = load_settings(**({"brand": brand} if brand else {}))
        return PolicyRegistry(settings.policies_dir).get(settings.brand)
    except AssistantError as exc:
        click.secho(f"note: no policy ({exc.message}); using the default response target and no catalog",
                    fg="yellow", err=True)
        return None


@cli.command("log")
@click.option("--since", default="30d", show_default=True, help="7d, 24h, 2w or a date such as 2026-11-01")
@click.option("--format", "fmt", default="csv", show_default=True, help="csv or jsonl")
@click.option("--output", "-o", help="file to write (default: standard output)")
def log_cmd(since: str, fmt: str, output: str | None) -> None:
    """Export the interaction log: every mention, its triage, draft, decision, reply and times."""
    from ..interaction_log import FORMATS, parse_since, write

    if fmt not in FORMATS:
        raise AssistantError(f"--format {fmt!r} is not known", f"use one of: {', '.join(FORMATS)}")
    start = parse_since(since)
    store = _store()
    try:
        if output is None:
            count = write(store, start, fmt, sys.stdout)
        else:
            try:
                with open(output, "w", encoding="utf-8", newline="") as out:
                    count = write(store, start, fmt, out)
            except OSError as exc:
                raise AssistantError(f"cannot write {output}: {exc.strerror}",
                                     "give a path in a folder you can write to") from None
            click.echo(f"{count} mentions written to {output}", err=True)
    finally:
        store.close()


@cli.command("report")
@click.option("--since", default="30d", show_default=True, help="7d, 24h, 2w or a date such as 2026-11-01")
@click.option("--output", "-o", default="report.html", show_default=True, help="the HTML file to write")
@click.option("--brand", help="brand id whose policy gives the response target and catalog")
@click.option("--bench", is_flag=True,
              help="build 30 days of 50 posts an hour in a temporary database and time the report")
def report_cmd(since: str, output: str, brand: str | None, bench: bool) -> None:
    """Write a self-contained HTML report with charts: volume, response times, drafts, topics, spikes."""
    from ..interaction_log import parse_since
    from ..report import write_report

    if bench:
        from ..report.synthetic import bench_report

        for line in bench_report(output if output != "report.html" else None):
            click.echo(line)
        return
    start = parse_since(since)
    policy = _policy_or_none(brand)
    store = _store()
    began = time.perf_counter()
    try:
        try:
            headline = write_report(store, start, Path(output), policy=policy)
        except OSError as exc:
            raise AssistantError(f"cannot write {output}: {exc.strerror}",
                                 "give a path in a folder you can write to") from None
    finally:
        store.close()
    click.echo(f"{output}: {headline['mentions']} mentions since {start:%Y-%m-%d %H:%M} UTC, "
               f"written in {time.perf_counter() - began:.1f} s")
