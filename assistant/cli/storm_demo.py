"""`assistant demo --storm`: a normal day and then a storm, replayed minute by minute,
in the terminal: the spike's explanation when it fires, and the drafted statement.

The posts are data (assistant/data/storm_demo.jsonl, written once by the storm
generator of the developer tools), dated relative to the hour the demo runs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.progress import track

from assistant.domain.models import Mention
from assistant.engine import Engine
from assistant.ml.embeddings import get_encoder
from assistant.policy.models import Policy
from assistant.store import Store
from assistant.storms.detect import detect
from assistant.storms.queries import get_spike, members, spikes
from assistant.storms.spike import Spike
from assistant.storms.statement import draft_statement, reply_pointing_to_statement
from assistant.storms.vectors import stamp

DEMO_FILE = Path(__file__).resolve().parents[1] / "data" / "storm_demo.jsonl"
# The storm begins this long after the demo's day starts (four hours before it ends).
STORM_AT = timedelta(hours=20)


def storm_demo_mentions(now: datetime | None = None) -> Iterator[Mention]:
    """A normal day and then a storm (about 200 complaints within an hour, in English,
    Finnish and German), as the mentions `assistant demo --storm` replays, in time order.

    Dated relative to ``now``: the day ends at the start of the current hour and the storm
    began four hours before, so `assistant log` and `report` show them. The ids carry that
    hour: a demo run again later adds a fresh day rather than colliding with the old one.
    Each line of the data file is a post: ``seconds`` from the storm's start, ``n`` (its
    number), ``network``, ``author`` and ``text``."""
    end = (now or datetime.now(UTC)).astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(days=1)
    storm = start + STORM_AT
    prefix = f"storm-demo-{start:%Y%m%d%H}"
    for line in DEMO_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        n, network, author = int(row["n"]), str(row["network"]), str(row["author"])
        at = storm + timedelta(seconds=int(row["seconds"]))
        yield Mention(source=network, external_id=f"{prefix}-{n:06d}", author=author, text=str(row["text"]),
                      created_at=at.isoformat(timespec="seconds"), network=network,
                      url=f"https://{network}.example/@{author}/{n}")


def run_storm_demo(engine: Engine, console: Console | None = None) -> list[Spike]:
    console = console or Console()
    policy = engine.policy()
    store = engine.store
    mentions = list(storm_demo_mentions())
    # A replay: each post arrived when it was written. Stored as arriving now, the
    # detector would count the storm (hours old) from now and never see it in its day.
    store.add_mentions(mentions, replayed=True)
    todo = [m for m in mentions if store.triage(m.key) is None]
    console.print(f"[bold]{policy.brand.name}[/bold]: a normal day and a storm, {len(mentions)} posts "
                  f"in three languages; triage of {len(todo)} (about 10 a second)...")
    for start in track(range(0, len(todo), 64), description="Triage", console=console):
        batch = todo[start:start + 64]
        for m, t in zip(batch, engine.triager.triage_many([m.text for m in batch], policy), strict=True):
            store.save_triage(m.key, t)
    encoder = get_encoder()
    first = min(datetime.fromisoformat(m.created_at or "") for m in mentions)
    last = max(datetime.fromisoformat(m.created_at or "") for m in mentions)
    now = first.replace(second=0) + timedelta(minutes=1)
    raised: list[Spike] = []
    while now <= last + timedelta(minutes=1):
        for spike in detect(store, policy, encoder, now):
            if spike.change == "new":
                raised.append(spike)
                console.print(f"\n[bold red]Spike at {spike.opened_at}[/bold red]")
                for line in spike.explanation():
                    console.print("  " + escape(line))
                for rep in spike.representative:
                    console.print(f"  [dim]e.g.[/dim] {escape(rep.text)}")
        now += timedelta(minutes=1)
    if not raised:
        # Run before on this database: the spike was raised then, and a replay of time
        # already seen raises nothing twice. Show that one.
        earlier = [s for s in spikes(store) if stamp(first) <= s.opened_at <= stamp(last + timedelta(minutes=1))]
        if not earlier:
            console.print("no spike: the storm was not detected")
            return raised
        raised = [earlier[-1]]
        console.print(f"\nThis database has replayed the storm before: spike {raised[0].id}, "
                      f"raised at {raised[0].opened_at}, is not raised twice.")
    # The spike as it stands at the end of the replay (grown since it was raised); the
    # statement is drafted as of its latest update.
    spike = get_spike(store, raised[0].id) or raised[0]
    console.print(f"\n[bold]The spike now[/bold] ({spike.status})")
    for line in spike.explanation():
        console.print("  " + escape(line))
    _show_alert_card(console, spike, store, policy)
    for language in ("en", "fi", "de"):
        statement = draft_statement(spike, policy, language)
        passed = "[green]passes the guard[/green]" if statement.passed else "[red]fails the guard[/red]"
        console.print(f"\n[bold]Statement ({statement.language})[/bold] {passed}\n{escape(statement.text)}")
    group = members(store, spike.id)
    console.print(f"\n[bold]{len(group)} posts in the group[/bold], "
                  f"{sum(m.abusive for m in group)} below the belt (hide); replies pointing to the statement:")
    for member in [m for m in group if not m.abusive][:3]:
        reply = reply_pointing_to_statement(store.mention(member.mention_id), spike, policy, member.language)
        console.print(f"  [dim]{escape(member.text)}[/dim]\n  -> {escape(reply.text)}")
    return raised


def _show_alert_card(console: Console, spike: Spike, store: Store, policy: Policy) -> None:
    """The alert card `assistant serve` posts in the escalation channel, as text."""
    from assistant.slack.views.alert import AlertData, alert_card, as_text

    statement = draft_statement(spike, policy, policy.languages[0])
    group = members(store, spike.id)
    _, card = alert_card(AlertData(spike, statement.text, statement.language, statement.passed, statement.topic,
                                   to_answer=sum(not m.abusive for m in group), to_hide=sum(m.abusive for m in group)))
    console.print(Panel(escape(as_text(card)), title="Slack alert card (escalation channel)", expand=False))
