"""Terminal review cards (rich), used by `assistant demo` and `assistant draft`."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from assistant.domain.models import CARE_GUIDANCE, Action, CrisisKind, Draft, Mention, Triage

_ACTION_STYLE = {Action.REPLY: "green", Action.ESCALATE: "bold red", Action.HIDE: "magenta", Action.IGNORE: "dim"}


def card(mention: Mention, triage: Triage, draft: Draft | None, title: str = "") -> Panel:
    head = Table.grid(padding=(0, 1))
    head.add_row(Text(mention.network_name, style="bold cyan"), Text(mention.author or "unknown", style="bold"),
                 Text(mention.created_at or "", style="dim"))
    # Public text is shown as plain Text, never parsed as markup.
    body: list[Any] = [head, Text(mention.text or "(empty)", style="italic"), Text("")]
    facts = Text()
    facts.append(f"{triage.language} · {triage.intent.value} · severity {triage.severity.value} · ")
    facts.append(f"action {triage.action.value}", style=_ACTION_STYLE[triage.action])
    if triage.team:
        facts.append(f" → {triage.team}", style="bold red")
    body.append(facts)
    for line in triage.reading_lines():
        body.append(Text(line, style="bold red" if line.startswith("Crisis") else ""))
    if triage.crisis is CrisisKind.SELF_HARM:
        body.append(Text(CARE_GUIDANCE, style="bold"))
    body.append(Text("why: " + "; ".join(triage.reasons), style="dim"))
    if draft is not None:
        body.append(Text(""))
        body.append(Text("Draft:", style="bold"))
        body.append(Text(draft.text or "", style="green" if draft.passed else "red"))
        marks = Text()
        for check in draft.guard:
            marks.append("✓ " if check.passed else "✗ ", style="green" if check.passed else "red")
            marks.append(check.name + ("" if check.passed else f" ({check.detail})") + "  ")
        body.append(marks)
        for part in draft.parts:
            # Which words came from where: the policy, the catalog, the model, an approved reply.
            short = part.text if len(part.text) <= 50 else part.text[:49] + "…"
            body.append(Text(f"  {short!r} ← {part.source}", style="dim"))
        for note in draft.notes[:3]:
            body.append(Text(f"  note: {note}", style="yellow"))
        origin = (f"template fallback: {draft.fallback_reason}" if draft.fallback
                  else f"{draft.origin} · {draft.model}" if draft.backend == draft.origin
                  else f"{draft.origin} · {draft.backend} / {draft.model}")
        body.append(Text(f"{origin} · {draft.seconds:.1f}s", style="yellow" if draft.fallback else "dim"))
    elif triage.action is Action.ESCALATE:
        body.append(Text(f"No draft: goes to {triage.team or 'a person'} with the reasons above.", style="red"))
    elif triage.action is Action.HIDE:
        body.append(Text("No draft: hide it (abuse is removed, not answered).", style="magenta"))
    elif triage.action is Action.IGNORE:
        body.append(Text("No draft: spam is ignored.", style="dim"))
    return Panel(Group(*body), title=escape(title or mention.key), title_align="left", border_style="blue")
