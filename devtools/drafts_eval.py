"""`python -m devtools eval --drafts [--learn]`: the draft pass rate per language, brand and intent."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import click

from assistant.domain.errors import AssistantError
from assistant.settings import load_settings
from devtools.paths import EXAMPLE_POLICIES


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
    from assistant.drafting.scoring import DRAFT_TARGET, evaluate_drafts, learning_effect, load_draft_set
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
            click.echo(f"draft time: p50 {rep.percentile(0.5):.2f} s, p95 {rep.percentile(0.95):.2f} s "
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
    from assistant.insights.learning import outcome_lines
    from assistant.store import Store

    path = Path(load_settings().db_path)
    if not path.is_file():
        click.echo(f"approvals: no database at {path} yet")
        return
    for line in outcome_lines(Store(path), since="90d"):
        click.echo(line)
