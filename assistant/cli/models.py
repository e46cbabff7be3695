"""`assistant model check`: measure, per language, what the configured model is trusted to
do (write whole replies, add one sentence, or nothing) and record it (ml/qualify.py)."""

from __future__ import annotations

import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import click

from assistant.cli.group import cli
from assistant.domain.errors import AssistantError
from assistant.settings import load_settings

DEFAULT_SET = Path("eval/drafts.jsonl")
# Drafts per mode, in the order they are measured.
CHECK_MODES = ("writer", "sentence", "compose")
# Origin of a draft whose model text was kept, per mode.
KEPT_ORIGIN = {"writer": "writer", "sentence": "model"}


@cli.group("model")
def model_group() -> None:
    """The configured model: what it is trusted to write, per language."""


def _scored(row: dict[str, Any], draft: Any, policy: Any, triage: Any) -> list[str]:
    """What keeps a draft from passing, judged as `make eval` (the drafts evaluation) judges it
    (its notes, the guard, the language); empty when it passes."""
    from assistant.drafting.scoring import DraftReport, score_row

    rep = DraftReport()
    score_row(row, draft, policy, rep, triage)
    return [] if rep.passed else (rep.misses[-1]["problems"] if rep.misses else ["did not pass"])


@model_group.command("check")
@click.option("--set", "set_path", type=click.Path(dir_okay=False, path_type=Path), default=str(DEFAULT_SET),
              show_default=True, help="draft eval rows (JSONL with id, language, intent, text, must, forbid)")
@click.option("--languages", help="comma-separated languages to check (default: every language in the set)")
@click.option("--limit", type=int, default=0, help="at most N rows per language (0: all)")
@click.option("--brand", help="brand id (file name in policies/)")
@click.option("--misses", is_flag=True, help="print every draft that did not pass, per mode")
def model_check(set_path: Path, languages: str | None, limit: int, brand: str | None, misses: bool) -> None:
    """Draft the eval rows as writer, sentence and compose; record the mode the model earns per language."""
    from assistant.domain.models import Action
    from assistant.drafting.scoring import load_draft_set, mention_of
    from assistant.ml.qualify import Measurement, check_file, device_label, record
    from assistant.runtime.wiring import build_engine

    if not set_path.is_file():
        raise AssistantError(f"no draft set at {set_path}",
                             "run it from the project folder, or give --set FILE (JSONL with id, language, "
                             "intent, text, must and forbid)")
    try:
        rows = load_draft_set(set_path)
    except ValueError as exc:
        raise AssistantError(str(exc), "each line: a JSON object with id, language, intent, text") from None
    wanted = [x.strip() for x in languages.split(",") if x.strip()] if languages else None
    by_language: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if wanted is None or row["language"] in wanted:
            if not limit or len(by_language[row["language"]]) < limit:
                by_language[row["language"]].append(row)
    if not by_language:
        raise AssistantError(f"no rows in {set_path} for {', '.join(wanted or [])}",
                             "pick languages the set has with --languages")

    with tempfile.TemporaryDirectory() as tmp:
        # A scratch database: measuring must not approve or store anything in the real one.
        settings = load_settings(db_path=str(Path(tmp) / "check.db"), **({"brand": brand} if brand else {}))
        engine = build_engine(settings)
        backend = engine.backend
        device = device_label(settings, backend.name)
        target = check_file(settings)
        _writable(target)  # before minutes of measuring, not after
        click.secho(f"model {backend.name}:{backend.model_name} on {device}", bold=True)
        for language in (wanted or sorted(by_language)):
            chosen_rows = by_language.get(language, [])
            if not chosen_rows:
                click.echo(f"{language}: no rows in {set_path}; not checked")
                continue
            if language not in settings.model_languages:
                click.echo(f"\n{language}: not checked: the drafter never asks the model for {language} "
                           f"(ASSISTANT_MODEL_LANGUAGES is {settings.model_languages}); add it there to check it")
                continue
            m = Measurement(n=len(chosen_rows), passed=dict.fromkeys(CHECK_MODES, 0), kept=dict.fromkeys(CHECK_MODES, 0))
            seconds: dict[str, float] = dict.fromkeys(CHECK_MODES, 0.0)
            missed: dict[str, list[str]] = defaultdict(list)
            for row in chosen_rows:
                row_brand = row.get("brand") or brand  # a row's own brand wins, as in the draft eval
                policy, drafter = engine.policy(row_brand), engine.drafter(row_brand)
                mention = mention_of(row)
                # A person asks for a draft even where triage escalates: the draft is what is measured.
                triage = engine.triage(mention, row_brand).model_copy(update={"action": Action.REPLY})
                for mode in CHECK_MODES:
                    start = time.perf_counter()
                    draft = drafter.draft(mention, triage, mode=mode)
                    seconds[mode] += time.perf_counter() - start
                    problems = _scored(row, draft, policy, triage)
                    kept = draft.origin == KEPT_ORIGIN.get(mode)
                    m.kept[mode] += kept
                    # Writer: only its own whole replies count, not the composed fallback.
                    ok = not problems and (kept or mode != "writer")
                    m.passed[mode] += ok
                    if not ok:
                        why = problems or [f"not the model's reply ({draft.origin}): "
                                           + "; ".join(draft.notes[-1:])]
                        missed[mode].append(f"{row['id']} -> {(draft.text or '')[:160]!r}\n      !! "
                                            + "; ".join(why[:3]))
            entry = record(settings, backend.name, backend.model_name, language, m, device,
                           set_name=str(set_path), brand=engine.policy(brand).id or brand or "")
            click.secho(f"\n{language}: {m.n} drafts from {set_path}", bold=True)
            click.echo(f"  {'mode':<9} {'pass':<14} {'model text kept':<16} {'s/draft':>7}")
            for mode in CHECK_MODES:
                passed = f"{m.passed[mode]}/{m.n} ({m.rate(mode):.0%})"
                kept_cell = f"{m.kept[mode]}/{m.n}" if mode in KEPT_ORIGIN else "-"
                click.echo(f"  {mode:<9} {passed:<14} {kept_cell:<16} {seconds[mode] / m.n:>7.2f}")
            click.echo(f"  chosen: {entry['mode']} ({entry['why']})")
            click.echo(f"  recorded in {target} for {backend.name}:{backend.model_name} / {language}")
            if misses:
                for mode in CHECK_MODES:
                    for line in missed[mode]:
                        click.echo(f"  [{mode}] {line}")


def _writable(target: Path) -> None:
    """Fail now, in one line, if the results cannot be recorded."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        probe = target.parent / f".{target.name}.probe"
        probe.write_text("", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        raise AssistantError(f"cannot record the check in {target.parent}: {exc.strerror or exc}",
                             "point ASSISTANT_MODEL_CACHE_DIR at a folder you can write") from None
