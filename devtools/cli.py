"""`python -m devtools`: the evaluations and benchmarks, outside the shipped package.

`eval` measures triage, fact lookup, drafts and storm detection on the labelled sets in
eval/; `bench` times ingest, triage, the model backends, Slack and webhooks; `report-bench`
times the HTML report on a generated month. They print figures; nothing is asserted.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from assistant.domain.errors import AssistantError
from assistant.settings import load_settings
from devtools.paths import (
    BLIND,
    BLIND_PARTS,
    BLIND_PARTS_2,
    BLIND_PARTS_3,
    DRAFTS,
    EXAMPLE_POLICIES,
    FACT_QUESTIONS,
    HOLDOUT,
    STORM_REPLAYS,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def devtools() -> None:
    """Evaluations and benchmarks of the reply assistant (developer tools, not shipped)."""


def main() -> None:
    """Run the group as `assistant` runs its own: a domain error is one line, not a traceback."""
    try:
        devtools(standalone_mode=False)
    except click.exceptions.Abort:
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except AssistantError as exc:
        click.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(1)


def _policy(brand: str | None):  # type: ignore[no-untyped-def]
    """The policy in force for BRAND (or the only / default brand)."""
    from assistant.policy.registry import PolicyRegistry

    settings = load_settings(**({"brand": brand} if brand else {}))
    return PolicyRegistry(settings.policies_dir).get(settings.brand)


@devtools.command("eval")
@click.argument("paths", nargs=-1)
@click.option("--brand")
@click.option("--misses", is_flag=True, help="list every post triage or fact lookup got wrong")
@click.option("--training", is_flag=True, help="also score the training sets (assistant/data/labelled/)")
@click.option("--drafts", is_flag=True, help="score drafts against their must/forbid notes (eval/drafts.jsonl)")
@click.option("--learn", is_flag=True, help="with --drafts: approve half the reference replies, measure the rest")
@click.option("--storms", is_flag=True, help="spike detection on a generated week with one storm (replay figures)")
@click.option("--days", type=float, default=7.0, show_default=True, help="with --storms: days to replay")
@click.option("--mode", type=click.Choice(["writer", "sentence", "compose"]),
              help="with --drafts: what the model does (default: what `assistant model check` chose)")
def eval_cmd(paths: tuple[str, ...], brand: str | None, misses: bool, training: bool, drafts: bool,
             learn: bool, storms: bool = False, days: float = 7.0, mode: str | None = None) -> None:
    """Triage and fact lookup measured on labelled sets, per language, against the targets.

    With no PATHS: the labelled sets, newest first (eval/blind-parts-3.jsonl,
    blind-parts-2, blind-parts, blind; each written apart from the code and never
    trained on), the held-out set (eval/holdout.jsonl) and the fact-lookup questions
    (eval/fact_questions.jsonl). A file whose lines have an
    `intent` is scored for triage; one whose lines have only a `fact` for fact lookup.
    """
    from assistant.triage.classifier import LABELLED
    from devtools.triage_eval import load_labelled

    if storms:
        from assistant.ml.embeddings import get_encoder
        from devtools.storms.evaluate import eval_storm_files, eval_storms
        from devtools.storms.replay_files import storm_brands, storm_files

        encoder = get_encoder()
        files = [Path(p) for p in paths] or storm_files(STORM_REPLAYS)
        if files:  # the replays written as data, with the project's real triage
            from assistant.triage import Triager

            default = _policy(brand)
            found = _brand_policies([{"brand": b} for b in storm_brands(files)])
            for line in eval_storm_files(files, lambda b: found.get(b or "") or default, encoder, Triager()):
                click.echo(line)
        if not paths:  # and the team's own generated week
            click.echo("== the generated week (storms/replay.py)")
            for line in eval_storms(_policy(brand), encoder, days=days):
                click.echo("  " + line)
        return
    if drafts or learn:
        from devtools.drafts_eval import eval_drafts

        eval_drafts([Path(p) for p in paths] or [DRAFTS], brand, misses, learn, mode)
        return
    policy = _policy(brand)
    targets = [Path(p) for p in paths] or [p for p in (BLIND_PARTS_3, BLIND_PARTS_2, BLIND_PARTS, BLIND, HOLDOUT,
                                                                  FACT_QUESTIONS)
                                                    if p.exists()]
    if training and not paths:
        targets = [*sorted(LABELLED.glob("*.jsonl")), *targets]
    for path in targets:
        if not path.is_file():
            raise AssistantError(f"no labelled set at {path}", "give a JSONL file with text, language, intent, "
                                 "severity, action (triage) or text, language, fact (fact lookup)")
        try:
            rows = load_labelled(path, required=("text", "language"))
            if not rows:
                raise AssistantError(f"{path}: no labelled posts in it", "give one JSON object per line")
            if all("intent" not in r for r in rows):
                _eval_facts(path, rows, policy, misses)
            else:
                _eval_triage(path, load_labelled(path), policy, misses)
        except ValueError as exc:
            raise AssistantError(str(exc), "each line must be a JSON object with text, language, intent, "
                                           "severity and action (or text, language and fact)") from None


def _role(path: Path) -> str:
    from assistant.triage.classifier import LABELLED

    roles = {BLIND_PARTS.resolve(): "written before reading in parts was built, never trained on; its "
                                    "misses were read while tuning (eval/README.md)",
             BLIND_PARTS_2.resolve(): "written apart from the code and the other sets, never trained on; its misses "
                                      "were read while tuning (eval/README.md)",
             BLIND_PARTS_3.resolve(): "written apart from the code, never trained on; blind at its first run only, "
                                      "its misses read since (eval/README.md)",
             BLIND.resolve(): "written before this triage was built, never trained on; one threshold was chosen on it (eval/README.md)",
             HOLDOUT.resolve(): "held out: never trained on",
             FACT_QUESTIONS.resolve(): "written apart from the policy's example questions; the scoring was chosen on it (eval/README.md)"}
    if path.resolve().parent == LABELLED.resolve():
        return "training data: the classifier learned from these posts"
    return roles.get(path.resolve(), "")


def _mark(ok: bool) -> str:
    return "ok " if ok else "LOW"


def _brand_policies(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The policy of each brand the rows name: from the policies folder, else the
    examples shipped beside it (the bike shop)."""
    from assistant.policy.loading import load_policy
    from assistant.policy.registry import PolicyRegistry

    registry = PolicyRegistry(load_settings().policies_dir)
    out: dict[str, Any] = {}
    for brand in sorted({r["brand"] for r in rows if isinstance(r.get("brand"), str)}):
        if brand in registry.brands():
            out[brand] = registry.get(brand)
        elif (EXAMPLE_POLICIES / f"{brand}.yaml").is_file():
            out[brand] = load_policy(EXAMPLE_POLICIES / f"{brand}.yaml")
    return out


def _eval_triage(path: Path, rows: list[dict[str, Any]], policy: Any, misses: bool) -> None:
    from devtools.triage_eval import AT_MOST, TARGETS, EvalReport, evaluate

    report = evaluate(rows, policy, policies=_brand_policies(rows))
    role = _role(path)
    click.echo(f"\n{path}: {report.total} posts" + (f" ({role})" if role else ""))

    def table(title: str, tallies: dict[str, Any], total: bool) -> None:
        click.echo(f"  {title:22s} {'posts':>5s} {'intent':>7s} {'action':>7s} {'high esc.':>10s} "
                   f"{'false esc.':>11s} {'ignored':>8s} {'hidden non-abuse':>17s} {'parts found':>12s}")
        rows_out = sorted(tallies.items()) + ([("all", report.overall)] if total else [])
        for name, t in rows_out:
            f = EvalReport.figures_of(t)
            click.echo(f"  {name:22s} {t.n:5d} {f['intent']:7.1%} {f['action']:7.1%} "
                       f"{f'{t.high_escalated}/{t.high}':>10s} {f'{t.false_escalations}/{t.not_escalate}':>11s} "
                       f"{f'{t.customers_ignored}/{t.customers}':>8s} {t.hidden_not_abuse:17d} "
                       f"{f'{t.parts_found}/{t.mixed}' if t.mixed else '-':>12s}")

    table("language", report.per_language, True)
    if len(report.per_brand) > 1:
        table("brand", report.per_brand, False)
    if report.per_kind:
        table("kind", report.per_kind, False)
    if report.crises:
        click.echo("  crises by kind (escalated, kind named): " + ", ".join(
            f"{k} {e}/{n} {named}/{n}" for k, (e, named, n) in sorted(report.crises.items())))
    click.echo("  recall: " + ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(report.recall.items())))
    figures = report.figures()
    labels = {"intent_overall": "intent accuracy overall", "intent_per_language": "intent, worst language",
              "action": "action accuracy", "high_escalated": "high severity escalated",
              "false_escalations": "false escalations", "customers_ignored": "customers ignored",
              "hidden_not_abuse": "non-abuse posts hidden", "abuse_hidden": "clear abuse hidden",
              "parts_found": "mixed posts, every part"}
    for key, target in TARGETS.items():
        value = figures[key]
        ok = value <= target if key in AT_MOST else value >= target
        shown = f"{value:6.0f}" if key in ("hidden_not_abuse", "customers_ignored") else f"{value:6.1%}"
        want = f"at most {target:.0%}" if key in AT_MOST else f"{target:.0%}"
        click.echo(f"  {_mark(ok)} {labels[key]:26s} {shown}  (target {want})")
    if misses:
        for m in report.misses:
            click.echo(f"  {m['id']}: want {m['want']} got {m['got']}: {m['text']!r}")


def _eval_facts(path: Path, rows: list[dict[str, Any]], policy: Any, misses: bool) -> None:
    from devtools.triage_eval import FACT_TARGETS, evaluate_facts

    report = evaluate_facts(rows, policy)
    role = _role(path)
    click.echo(f"\n{path}: {len(rows)} questions, fact lookup" + (f" ({role})" if role else ""))
    click.echo(f"  {'lang':5s} {'precision':>10s} {'recall':>8s}")
    for lang, (c, g, a) in sorted(report.per_language.items()):
        click.echo(f"  {lang:5s} {f'{c}/{g}':>10s} {f'{c}/{a}':>8s}")
    figures = report.figures()
    for key, target in FACT_TARGETS.items():
        click.echo(f"  {_mark(figures[key] >= target)} fact lookup {key:14s} {figures[key]:6.1%}  (target {target:.0%})")
    if misses:
        for m in report.misses:
            click.echo(f"  {m['id']}: want {m['want']} got {m['got']} ({m['why']}): {m['text']!r}")



@devtools.command()
@click.option("--drafts", default=24, show_default=True, help="number of drafts to time, per backend")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object (the figures go to stderr as they come)")
def bench(drafts: int, as_json: bool) -> None:
    """Speed and memory: ingest, triage, both model backends side by side, Slack, webhooks."""
    from devtools.bench import run

    out = run(load_settings(), (lambda line: click.echo(line, err=True)) if as_json else click.echo, drafts=drafts)
    if as_json:
        click.echo(json.dumps(out, default=str))


@devtools.command("report-bench")
@click.option("--output", "-o", help="also keep the timed HTML report in this file")
def report_bench(output: str | None) -> None:
    """Build 30 days of 50 posts an hour in a temporary database and time the report."""
    from assistant.cli.reports import output_path
    from devtools.synthetic_report import bench_report

    for line in bench_report(str(output_path(output)) if output is not None else None):
        click.echo(line)
