"""`assistant demo`: the whole flow on sample mentions, in the terminal."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape as markup_escape
from rich.progress import track

from assistant import review
from assistant.cli.cards import card
from assistant.cli.errors import error_text
from assistant.connectors.file_import import parse_mentions
from assistant.domain.errors import AssistantError
from assistant.engine import Engine, Processed
from assistant.runtime.service import Runtime
from assistant.runtime.wiring import build_runtime
from assistant.store import StaleDecision

DEMO_DB = "assistant-demo.db"  # unless ASSISTANT_DB_PATH names one


def _decide(engine: Engine, runtime: Runtime, p: Processed, console: Console) -> None:
    """One decision, through the review core: the same rules as the Slack buttons (the current
    draft only, guard passed, the network's length; an edit's warnings need a yes, its errors block)."""
    r = review.Review(engine, runtime)
    choice = click.prompt("[a]pprove, [e]dit, [r]eject this draft, [n]o reply needed, [s]kip", default="s",
                          type=click.Choice(["a", "e", "r", "n", "s"]), show_choices=False)
    if choice == "s":
        return
    try:
        if choice == "r":
            review.reject_draft(r, p.mention_id, "demo", p.draft_id, click.prompt("what is wrong", default="") or None)
            return
        if choice == "n":
            review.no_reply(r, p.mention_id, "demo", click.prompt("why", default="") or None)
            return
        if choice == "a":
            approval = review.approve(r, p.mention_id, "demo", p.draft_id)
        else:
            text = p.draft.text if p.draft and p.draft.text else ""
            text = (click.edit(text) or text).strip()
            check = review.check_text(r, p.mention_id, text)
            for line in [*check.errors, *check.warnings]:
                console.print(f"[yellow]guard: {line}[/yellow]")
            if check.errors or (check.warnings and not click.confirm("approve anyway?", default=False)):
                return
            approval = review.approve_text(r, p.mention_id, "demo", text, accept_warnings=True)
        # The same outbox worker as `assistant serve`; with no sources configured the
        # reply goes to the local file outbox, so the user sees what would be posted.
        row = runtime.deliver(approval.outbox_id)
        if row["status"] == "posted":
            console.print(f"[green]posted: {row['posted_url'] or row['posted_id']}[/green]")
        else:
            console.print(f"[red]not posted ({row['status']}): {row['last_error']}[/red]")
    except (StaleDecision, review.Refused) as exc:
        console.print(f"[yellow]{markup_escape(error_text(exc))}[/yellow]")  # its brackets are not rich markup


def run_storm(engine: Engine) -> None:
    """`assistant demo --storm`: a normal day and a storm; the spike and its statement."""
    from assistant.cli.storm_demo import run_storm_demo

    run_storm_demo(engine, Console())


def run_demo(engine: Engine, path: Path, interactive: bool = False, limit: int = 0) -> list[Processed]:
    console = Console()
    parsed = parse_mentions(path.read_text(encoding="utf-8"))
    for err in parsed.errors:
        console.print(f"[yellow]{path}: {err}[/yellow]")
    mentions = parsed.mentions[:limit] if limit else parsed.mentions
    if not mentions:
        raise AssistantError(f"no mentions in {path}", "give a JSONL file with one mention per line")
    engine.ingest(mentions)
    console.print(f"[bold]{engine.policy().brand.name}[/bold]: {len(mentions)} mentions, "
                  f"model {engine.backend.model_name} (loading...)")
    engine.backend.load()
    runtime = build_runtime(engine.settings, engine) if interactive else None
    results: list[Processed] = []
    for m in track(mentions, description="Triage and draft", console=console):
        existing = engine.store.latest_draft(m.key)
        triage = engine.store.triage(m.key)
        if triage is not None:  # already processed in an earlier run: show it, don't redo it
            d = existing[1] if existing else None
            results.append(Processed(m.key, m, triage, d, existing[0] if existing else None))
        else:
            results.append(engine.process(m.key))
    for p in results:
        console.print(card(p.mention, p.triage, p.draft))
        if runtime is not None and p.draft is not None:
            _decide(engine, runtime, p, console)
    counts: dict[str, int] = {}
    for p in results:
        counts[p.triage.action.value] = counts.get(p.triage.action.value, 0) + 1
    fallback = sum(1 for p in results if p.draft and p.draft.fallback)
    drafted = sum(1 for p in results if p.draft)
    console.print(f"[bold]{len(results)} mentions[/bold]: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
                  + f"; {drafted} drafts, {fallback} from the policy's templates. "
                  f"Stored in {engine.settings.db_path}; `assistant queue` lists what awaits a decision.")
    return results
