"""`python -m devtools eval --drafts [--learn]`: the draft pass rate per language, brand and intent.

Each post of a draft set is triaged and drafted as the product would, then scored against its
notes by the product's own scorer (assistant/drafting/scoring.py, which `assistant model check`
uses too). ``--learn``: approve the reference replies (``reference``) of half the set, then
measure how close the drafts for the other half come to theirs, before and after. Without
``--learn`` it also prints how the team approved drafts in the configured database
(unchanged, edited or rewritten; assistant/insights/learning/outcomes.py).
"""

from __future__ import annotations

import shutil
import tempfile
import unicodedata
from datetime import datetime
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import click

from assistant.domain.errors import AssistantError
from assistant.domain.models import Action, Intent, Severity, Triage
from assistant.drafting.scoring import DraftReport, mention_of, score_row
from assistant.insights.learning import EDITED_AT, OUTCOMES, outcome_rows
from assistant.insights.log import iso, parse_since
from assistant.settings import load_settings
from assistant.store import Store
from assistant.text.normalize import fold
from devtools.paths import EXAMPLE_POLICIES

DRAFT_TARGET = 0.85  # the share of drafts that pass their notes, per language and brand


def percentile(seconds: list[float], q: float) -> float:
    """The draft time at ``q`` (0-1) of a report's ``seconds``; 0 when there are none."""
    if not seconds:
        return 0.0
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def evaluate_drafts(rows: list[dict[str, Any]], engine: Any, brand: str | None = None,
                    use_labels: bool = False, mode: str | None = None, rep: DraftReport | None = None) -> DraftReport:
    """Triage each post as the product would (or take its labelled intent with
    ``use_labels``), draft it, and check the draft against its notes. A row's own
    ``brand`` wins over ``brand``. ``mode``: what the model does (Drafter.draft)."""
    rep = rep if rep is not None else DraftReport()
    for row in rows:
        row_brand = row.get("brand") or brand
        policy = engine.policy(row_brand)
        drafter = engine.drafter(row_brand)
        mention = mention_of(row)
        triage = engine.triage(mention, row_brand)
        if use_labels:
            triage = Triage(language=row["language"], intent=Intent(row["intent"]), severity=Severity.LOW,
                            action=Action.REPLY)
        # A person asks for a draft even where triage escalates: the draft is what is measured.
        triage = triage.model_copy(update={"action": Action.REPLY})
        draft = drafter.draft(mention, triage, mode=mode)
        score_row(row, draft, policy, rep, triage)
    return rep


def learning_effect(rows: list[dict[str, Any]], engine: Any, brand: str | None = None) -> dict[str, float]:
    """Approve the reference replies of every other post, then measure how close the
    drafts for the rest come to their references (0-1, text similarity), before and after."""
    with_ref = [r for r in rows if r.get("reference")]
    taught, held = with_ref[0::2], with_ref[1::2]

    def closeness() -> float:
        scores = []
        drafter = engine.drafter(brand)
        for row in held:
            mention = mention_of(row)
            triage = Triage(language=row["language"], intent=Intent(row["intent"]), severity=Severity.LOW,
                            action=Action.REPLY)
            text = drafter.draft(mention, triage).text or ""
            scores.append(SequenceMatcher(None, fold(text), fold(row["reference"])).ratio())
        return sum(scores) / len(scores) if scores else 0.0

    before = closeness()
    for row in taught:
        mention = mention_of(row).model_copy(update={"external_id": f"taught-{row['id']}"})
        ids = engine.ingest([mention], brand)
        mention_id = ids[0] if ids else mention.key
        triage = Triage(language=row["language"], intent=Intent(row["intent"]), severity=Severity.LOW,
                        action=Action.REPLY)
        engine.store.save_triage(mention_id, triage, None)
        engine.store.approve(mention_id, "eval", row["reference"], "eval", edited=True)
    after = closeness()
    return {"taught": len(taught), "measured": len(held), "before": before, "after": after}


def _label(value: str, width: int = 24) -> str:
    """A stored value fit for a terminal: control and format characters shown as '?',
    clipped (a hostile language code cannot move the cursor or run over the table)."""
    text = "".join("?" if unicodedata.category(ch)[0] == "C" else ch for ch in str(value))
    return text if len(text) <= width else text[: width - 1] + "…"


def outcome_lines(store: Store, since: datetime | str | None = None, *, until: datetime | None = None,
                  brand: str | None = None) -> list[str]:
    """The outcome table as lines of text (for the drafts evaluation, `make eval`): per intent and
    language, how many approved replies were approved unchanged, edited, rewritten.
    ``since``: a datetime, a span such as "90d", or None for every approval."""
    start = parse_since(since) if isinstance(since, str) else since
    rows = outcome_rows(store, start, until, brand)
    when = f" since {iso(start)[:10]}" if start is not None else ""
    if not rows:
        return [f"How drafts were approved{when}: no approved replies."]
    head = ("intent", "language", "approved", *OUTCOMES)
    total = {o: sum(r[o] for r in rows) for o in ("approved", *OUTCOMES)}
    body = [(_label(r["intent"]), _label(r["language"]), *(str(r[o]) for o in ("approved", *OUTCOMES)))
            for r in rows]
    body.append(("all", "", *(str(total[o]) for o in ("approved", *OUTCOMES))))
    widths = [max(len(row[i]) for row in (head, *body)) for i in range(len(head))]

    def line(row: tuple[str, ...]) -> str:
        cells = [c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        return "  " + "  ".join(cells).rstrip()

    return [f"How drafts were approved{when} (edited: similarity ≥ {EDITED_AT} to the draft; "
            f"rewritten: below, or no draft):", line(head), *(line(r) for r in body)]


def _policies_for(rows: list[dict[str, Any]], into: Path) -> Path:
    """A scratch policies folder: the configured policies, plus the shipped example of
    any brand a row names that is not configured (the bike shop)."""
    here = load_settings().policies_dir
    into.mkdir()
    for f in sorted(Path(here).glob("*.y*ml")):
        shutil.copy(f, into / f.name)
    for brand in sorted({r["brand"] for r in rows if isinstance(r.get("brand"), str)}):
        example = EXAMPLE_POLICIES / f"{brand}.yaml"
        if not (into / f"{brand}.yaml").exists() and example.is_file():
            shutil.copy(example, into / example.name)
    return into


def _table(title: str, tallies: dict[str, list[int]], target: float | None) -> None:
    click.echo(title)
    for key, (ok, n) in sorted(tallies.items()):
        flag = "  below target" if target is not None and ok / n < target else ""
        click.echo(f"  {key:<22} {ok}/{n} ({ok / n:.0%}){flag}")


def eval_drafts(paths: list[Path], brand: str | None, misses: bool, learn: bool, mode: str | None = None) -> None:
    from assistant.drafting.scoring import load_draft_set
    from assistant.runtime.wiring import build_engine

    for path in paths:
        if not path.is_file():
            raise AssistantError(f"no draft set at {path}", "give a JSONL file with id, language, intent, "
                                 "text, must and forbid")
    with tempfile.TemporaryDirectory() as tmp:
        for path in paths:
            try:
                rows = load_draft_set(path)
            except ValueError as exc:
                raise AssistantError(str(exc), "each line: a JSON object with id, language, intent, text") from None
            # A scratch database: measuring must not approve anything in the real one.
            scratch = Path(tmp) / path.stem
            scratch.mkdir()
            settings = load_settings(db_path=str(scratch / "eval.db"),
                                     policies_dir=str(_policies_for(rows, scratch / "policies")),
                                     **({"brand": brand} if brand else {}))
            engine = build_engine(settings)
            rep = evaluate_drafts(rows, engine, brand, mode=mode)
            click.secho(f"{path}: {rep.passed}/{rep.total} drafts pass their notes "
                        f"({rep.passed / max(rep.total, 1):.1%}; target {DRAFT_TARGET:.0%} per language and brand)",
                        bold=True)
            if len(rep.per_brand) > 1:
                _table("brand", rep.per_brand, DRAFT_TARGET)
            _table("language" + (" / brand" if len(rep.per_brand) > 1 else ""),
                   rep.per_brand_language if len(rep.per_brand) > 1 else rep.per_language, DRAFT_TARGET)
            _table("intent", rep.per_intent, None)
            _table("checks", rep.checks, None)
            click.echo("made by: " + ", ".join(f"{k} {v}" for k, v in rep.origins.most_common()))
            click.echo(f"draft time: p50 {percentile(rep.seconds, 0.5):.2f} s, p95 {percentile(rep.seconds, 0.95):.2f} s "
                       f"(backend {settings.backend})")
            if misses:
                for m in rep.misses:
                    click.echo(f"  {m['id']} [{m['intent']}] {m['text']!r}\n    -> {m['draft']!r}\n"
                               f"    !! {'; '.join(m['problems'][:4])}")
            if not learn:
                _outcomes()
            if learn:
                effect = learning_effect(rows, engine, brand)
                click.echo(f"learning: approved {effect['taught']} reference replies; the drafts for the other "
                           f"{effect['measured']} came {effect['before']:.0%} -> {effect['after']:.0%} close to "
                           "their references (text similarity)")


def _outcomes() -> None:
    """How the team approved drafts in the configured database: unchanged, edited or
    rewritten, per intent and language (learning/outcomes.py)."""
    path = Path(load_settings().db_path)
    if not path.is_file():
        click.echo(f"approvals: no database at {path} yet")
        return
    for line in outcome_lines(Store(path), since="90d"):
        click.echo(line)
