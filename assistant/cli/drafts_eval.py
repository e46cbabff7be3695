"""`assistant eval --drafts [--learn]`: the draft pass rate per language and intent."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from ..errors import AssistantError
from ..settings import load_settings


def eval_drafts(paths: list[Path], brand: str | None, misses: bool, learn: bool) -> None:
    from ..draft_eval import DRAFT_TARGET, evaluate_drafts, learning_effect, load_draft_set
    from ..services import build_engine

    with tempfile.TemporaryDirectory() as tmp:
        # A scratch database: measuring must not approve anything in the real one.
        settings = load_settings(db_path=str(Path(tmp) / "eval.db"), **({"brand": brand} if brand else {}))
        engine = build_engine(settings)
        for path in paths:
            if not path.is_file():
                raise AssistantError(f"no draft set at {path}", "give a JSONL file with id, language, intent, "
                                     "text, must and forbid")
            try:
                rows = load_draft_set(path)
            except ValueError as exc:
                raise AssistantError(str(exc), "each line: a JSON object with id, language, intent, text") from None
            rep = evaluate_drafts(rows, engine, brand)
            click.secho(f"{path}: {rep.passed}/{rep.total} drafts pass their notes "
                        f"({rep.passed / max(rep.total, 1):.1%}; target {DRAFT_TARGET:.0%} per language)", bold=True)
            click.echo("language  pass")
            for lang, (ok, n) in sorted(rep.per_language.items()):
                flag = "" if ok / n >= DRAFT_TARGET else "  below target"
                click.echo(f"{lang:<9} {ok}/{n} ({ok / n:.0%}){flag}")
            click.echo("intent      pass")
            for intent, (ok, n) in sorted(rep.per_intent.items()):
                click.echo(f"{intent:<11} {ok}/{n} ({ok / n:.0%})")
            click.echo("made by: " + ", ".join(f"{k} {v}" for k, v in rep.origins.most_common()))
            if misses:
                for m in rep.misses:
                    click.echo(f"  {m['id']} [{m['intent']}] {m['text']!r}\n    -> {m['draft']!r}\n"
                               f"    !! {'; '.join(m['problems'][:4])}")
            if learn:
                effect = learning_effect(rows, engine, brand)
                click.echo(f"learning: approved {effect['taught']} reference replies; the drafts for the other "
                           f"{effect['measured']} came {effect['before']:.0%} -> {effect['after']:.0%} close to "
                           "their references (text similarity)")
