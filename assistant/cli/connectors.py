"""Connector commands: `assistant fetch [SOURCE]`, `assistant outbox`, `assistant sources`."""

from __future__ import annotations

import json
from typing import Any

import click

from assistant.cli.group import cli
from assistant.domain.errors import SettingsError


def _runtime(process: bool = False) -> Any:
    from assistant.policy.registry import PolicyRegistry
    from assistant.runtime.wiring import build_engine, build_runtime
    from assistant.settings import load_settings

    settings = load_settings()
    # The policies are read when a mention needs one (not now: `outbox` needs none).
    engine = build_engine(settings, policies=PolicyRegistry(settings.policies_dir))
    return build_runtime(settings, engine, process=process)


@cli.command()
@click.argument("source", required=False)
@click.option("--no-process", is_flag=True, help="only store new mentions; skip triage and drafting")
def fetch(source: str | None, no_process: bool) -> None:
    """Run one polling round by hand: fetch new mentions from SOURCE (default: every source)."""
    rt = _runtime()
    if not rt.pollers:
        raise SettingsError("no sources configured", "set ASSISTANT_SOURCES_FILE to a sources YAML file"
                            " (see examples/sources.yaml)")
    failed = False
    for result in rt.fetch(source):
        line = f"{result.source}: {result.fetched} fetched, {len(result.new)} new"
        if result.rejected:
            line += f", {len(result.rejected)} rejected (first: {result.rejected[0]})"
        if result.error:
            failed = True
            click.secho(f"{result.source}: fetch failed: {result.error}", fg="red", err=True)
            continue
        click.echo(line)
        if not no_process:
            for mid in result.new:
                processed = rt.process(mid)
                click.echo(f"  {mid}: {processed.triage.intent.value}, {processed.triage.action.value}")
    if failed:
        raise SystemExit(1)


@cli.command()
@click.option("--failed", "show_failed", is_flag=True, help="list replies that failed for good, with the reason")
@click.option("--retry", "retry_id", type=int, help="put a failed reply back in the queue, then run the worker")
@click.option("--retry-statement", "retry_spike", type=int, metavar="SPIKE",
              help="put a spike's failed statement back in the queue, then run the worker")
@click.option("--json", "as_json", is_flag=True, help="print rows as JSON lines")
def outbox(show_failed: bool, retry_id: int | None, retry_spike: int | None, as_json: bool) -> None:
    """Post every approved reply and statement that is due (one worker round), or show the failed ones."""
    from assistant.runtime import statements
    from assistant.store import connectors_sql

    rt = _runtime()
    if show_failed:
        rows = connectors_sql.failed_with_mentions(rt.store)
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False) if as_json else
                       f"#{row['id']} {row['mention_id']} via {row['connector']} after {row['attempts']}"
                       f" attempts: {row['last_error']}")
        said = statements.failed(rt.store)
        for row in said:
            click.echo(json.dumps({"statement": True, **row}, ensure_ascii=False) if as_json else
                       f"statement of spike {row['spike_id']} on {row['account']} after {row['attempts']} attempts:"
                       f" {row['last_error']} (retry: assistant outbox --retry-statement {row['spike_id']})")
        if not rows and not said and not as_json:
            click.echo("no failed replies or statements")
        return
    if retry_id is not None and not rt.retry(retry_id):
        raise SettingsError(f"outbox item {retry_id} has not failed", "run `assistant outbox --failed` to list them")
    if retry_spike is not None and not statements.retry(rt.store, retry_spike, "cli"):
        raise SettingsError(f"the statement of spike {retry_spike} has not failed",
                            "run `assistant outbox --failed` to list them")
    rt.worker.recover()
    rows = rt.worker.run_once()
    statements.recover(rt.store)
    for spike_id in statements.due_spikes(rt.store):
        for row in statements.deliver(rt.store, spike_id, statements.every_account(rt), backoff=rt.worker.backoff):
            click.echo(json.dumps({"statement": True, **row}, ensure_ascii=False) if as_json else
                       f"statement of spike {spike_id} on {row['account']}: {row['status']}"
                       + (f" ({row['last_error']})" if row["status"] != "posted" and row["last_error"] else ""))
    for row in rows:
        click.echo(json.dumps(row, ensure_ascii=False) if as_json else
                   f"#{row['id']} {row['mention_id']}: {row['status']}"
                   + (f" {row['posted_url'] or row['posted_id']}" if row["status"] == "posted" else "")
                   + (f" ({row['last_error']})" if row["status"] != "posted" and row["last_error"] else ""))
    if not rows and not as_json:
        waiting = len(rt.store.outbox_items("pending"))
        click.echo(f"nothing due ({waiting} waiting for a retry)" if waiting else "nothing to post")


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False), required=False)
def sources(path: str | None) -> None:
    """Check a sources file (default: ASSISTANT_SOURCES_FILE) and list its sources."""
    from assistant.connectors.sources import check_sources, load_sources
    from assistant.settings import load_settings

    target = path or load_settings().sources_file
    if target is None:
        raise SettingsError("no sources file given", "pass a path or set ASSISTANT_SOURCES_FILE")
    import os

    problems = check_sources(target, env=os.environ)  # also: unknown options, unset _env variables
    if problems:
        for line in problems:
            click.secho(line, fg="red", err=True)
        raise SystemExit(1)
    for s in load_sources(target):
        every = f"every {s.poll_every:g}s" if s.poll_every else "push"
        click.echo(f"{s.name}: {s.connector} ({every}){'' if s.enabled else ' disabled'}")
