"""Core commands: ingest, triage, draft, queue, demo, policy, eval, bench."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from assistant.cli.group import cli
from assistant.connectors.file_import import decode_input, iter_mentions
from assistant.domain.errors import AssistantError
from assistant.domain.models import Mention
from assistant.settings import load_settings

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "sample_mentions.jsonl"
# The held-out set lives beside the package in a source checkout.
EVAL = Path(__file__).resolve().parents[2] / "eval"
HOLDOUT = EVAL / "holdout.jsonl"
BLIND = EVAL / "blind.jsonl"
# The blind set of issue "Read a post the way a person does": 320 posts, both brands,
# labelled with kinds, crisis kinds, parts and names; written before that work began.
BLIND_PARTS = EVAL / "blind-parts.jsonl"
# A second such set (250 posts), written later by another hand, read only for the final figures.
BLIND_PARTS_2 = EVAL / "blind-parts-2.jsonl"
EXAMPLE_POLICIES = Path(__file__).resolve().parents[2] / "examples" / "policies"
FACT_QUESTIONS = EVAL / "fact_questions.jsonl"
DRAFTS = EVAL / "drafts.jsonl"
STORM_REPLAYS = EVAL / "storms"  # storm replays as data (issue 19), each on top of background.jsonl


def _read(path: str) -> str:
    """The text of FILE or stdin; bytes that are not UTF-8 reach the parser marked, so
    only the lines holding them are rejected (a binary file is one error)."""
    if path == "-":
        return decode_input(sys.stdin.buffer.read(), "stdin")
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise AssistantError(f"cannot read {path}: {exc.strerror}", "give a JSONL or CSV file, or - for stdin") from None
    return decode_input(data, path)


def _engine(brand: str | None = None, **overrides: Any):  # type: ignore[no-untyped-def]
    from assistant.runtime.wiring import build_engine

    settings = load_settings(**({"brand": brand} if brand else {}), **overrides)
    return build_engine(settings)


def _policy(brand: str | None):  # type: ignore[no-untyped-def]
    """The policy in force for BRAND (or the only / default brand)."""
    from assistant.policy.registry import PolicyRegistry

    settings = load_settings(**({"brand": brand} if brand else {}))
    return PolicyRegistry(settings.policies_dir).get(settings.brand)


def _report_error(err: str, source: str) -> None:
    click.secho(f"{source}: {err} (skipped; fix the line and ingest again)", fg="yellow", err=True)


def _check_brand(engine: Any, brand: str | None) -> None:
    """Refuse mentions no policy can triage: they would wait for ever."""
    from assistant.domain.errors import PolicyError

    try:
        engine.policy()
    except PolicyError as exc:
        if brand is not None and brand in engine.policies.errors:
            raise  # its file is broken: the error says to run `assistant policy check`
        known = ", ".join(engine.policies.brands()) or "none"
        add = f", or add {engine.settings.policies_dir}/{brand}.yaml" if brand else ""
        raise AssistantError(f"no policy for brand {brand!r} in {engine.settings.policies_dir}" if brand
                             else exc.message,
                             f"nothing was stored; use --brand with one of: {known}{add}") from None


@cli.command()
@click.argument("file", default="-")
@click.option("--brand", help="brand id (file name in policies/) for these mentions")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), help="default: guessed from the content")
def ingest(file: str, brand: str | None, fmt: str | None) -> None:
    """Store mentions from a JSONL or CSV FILE (or - for stdin). Duplicates are skipped.

    A bad line is reported by number and skipped; the rest are stored, in batches."""
    text = _read(file)
    engine = _engine(brand)
    _check_brand(engine, brand)
    good = new = rejected = 0
    batch: list[Mention] = []

    def store(batch: list[Mention]) -> int:
        # A full or read-only disk stops the ingest with one line; the batches stored
        # before it are committed and kept (each batch is one transaction).
        try:
            return len(engine.ingest(batch, brand=brand))
        except sqlite3.OperationalError as exc:
            from assistant.store import read_only_error

            problem = read_only_error(engine.store.path)  # a folder made read-only meanwhile
            if problem is not None:
                raise AssistantError(f"stored {new} new mentions, then {problem.message}", problem.fix) from None
            raise AssistantError(f"stored {new} new mentions, then the database refused more ({exc})",
                                 "free disk space or make the database folder writable, then run the same "
                                 "ingest again: what was stored is skipped as a duplicate") from None

    for n, item in iter_mentions(text, fmt):
        if isinstance(item, str):
            rejected += 1
            _report_error(f"line {n}: {item}", file)
            continue
        batch.append(item)
        if len(batch) >= 1000:
            new += store(batch)
            good += len(batch)
            batch = []
    if batch:
        new += store(batch)
        good += len(batch)
    click.echo(f"{new} new, {good - new} already stored, {rejected} rejected")
    if rejected and not good:
        sys.exit(1)


@cli.command()
@click.argument("file", default="-")
@click.option("--brand")
@click.option("--json", "as_json", is_flag=True, help="one JSON object per line")
def triage(file: str, brand: str | None, as_json: bool) -> None:
    """Triage mentions from FILE (JSONL or CSV, - for stdin) without storing them."""
    from assistant.triage import Triager

    policy = _policy(brand)
    text = _read(file)
    mentions: list[Mention] = []
    for n, item in iter_mentions(text):
        if isinstance(item, str):
            _report_error(f"line {n}: {item}", file)
        else:
            mentions.append(item)
    triager = Triager()
    batch = 32  # embedded together, printed as each batch is done
    for start in range(0, len(mentions), batch):
        chunk = mentions[start:start + batch]
        for m, t in zip(chunk, triager.triage_many([m.text for m in chunk], policy), strict=True):
            _print_triage(m, t, as_json)


def _print_triage(m: Mention, t: Any, as_json: bool) -> None:
    row = {"id": m.external_id, "language": t.language, "intent": t.intent.value,
           "severity": t.severity.value, "action": t.action.value, "reasons": t.reasons, **t.reading()}
    if as_json:
        click.echo(json.dumps(row, ensure_ascii=False))
    else:
        click.echo(f"{m.external_id}\t{t.language}\t{t.intent.value}\t{t.severity.value}\t{t.action.value}")


@cli.command()
@click.argument("text")
@click.option("--network", default="mastodon", show_default=True, help="sets the length limit")
@click.option("--brand")
@click.option("--instruction", help="shorter, warmer, more formal, or free text")
@click.option("--json", "as_json", is_flag=True)
def draft(text: str, network: str, brand: str | None, instruction: str | None, as_json: bool) -> None:
    """Triage and draft a reply to one mention TEXT (nothing is stored or posted)."""
    engine = _engine(brand)
    mention = Mention(source="manual", external_id="cli", text=text, network=network)
    t = engine.triage(mention)
    d = engine.draft(mention, t, instruction=instruction)
    if as_json:
        click.echo(json.dumps({
            "language": t.language, "intent": t.intent.value, "severity": t.severity.value,
            "action": t.action.value, "reasons": t.reasons, "team": t.team,
            "draft": d.text if d else None,
            "guard": {c.name: c.passed for c in d.guard} if d else {},
            "guard_details": {c.name: c.detail for c in d.guard if not c.passed} if d else {},
            "fallback": {"used": d.fallback, "reason": d.fallback_reason} if d else None,
            "backend": d.backend if d else None, "model": d.model if d else None,
            "seconds": round(d.seconds, 3) if d else 0.0,
        }, ensure_ascii=False))
        return
    from assistant.cli.cards import card

    Console().print(card(mention, t, d, title="draft"))


@cli.command()
@click.option("--failed", is_flag=True, help="show replies that could not be posted (as `assistant outbox --failed`)")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def queue(ctx: click.Context, failed: bool, as_json: bool) -> None:
    """What waits for a decision, oldest first (or, with --failed, posts that failed)."""
    if failed:
        from assistant.cli.connectors import outbox

        ctx.invoke(outbox, show_failed=True, retry_id=None, as_json=as_json)
        return
    engine = _engine()
    rows = engine.store.queue()
    for row in rows:
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False, default=str))
        else:
            text = (row["text"] or "").replace("\n", " ")[:60]
            what = (f"{row['intent']}\t{row['severity']}\t{row['action']}" if row["intent"]
                    else "not triaged yet (assistant serve or demo processes it)")
            click.echo(f"{row['id']}\t{what}\t{text}")
    if not rows and not as_json:
        click.echo("nothing waits for a decision")


@cli.command()
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False), help="mentions to use (default: bundled samples)")
@click.option("--interactive", is_flag=True, help="approve, edit or reject each draft")
@click.option("--limit", type=int, default=0, help="only the first N mentions")
@click.option("--storm", is_flag=True, help="replay a normal day and a storm: the spike alert and the statement")
def demo(path: str | None, interactive: bool, limit: int, storm: bool = False) -> None:
    """Ingest sample mentions, triage and draft each, and show them as review cards."""
    from assistant.cli.demo import DEMO_DB, run_demo
    from assistant.runtime.wiring import build_engine

    settings = load_settings()
    if "db_path" not in settings.model_fields_set:
        # Sample mentions stay out of the real database, where `assistant serve`
        # would otherwise post cards for them.
        settings = settings.model_copy(update={"db_path": Path(DEMO_DB)})
    if storm:
        from assistant.cli.demo import run_storm

        run_storm(build_engine(settings))
        return
    run_demo(build_engine(settings), Path(path) if path else SAMPLES, interactive=interactive, limit=limit)


@cli.group()
def policy() -> None:
    """Check or show tone policies."""


@policy.command("check")
@click.argument("paths", nargs=-1)
def policy_check(paths: tuple[str, ...]) -> None:
    """List every error in the policy files at PATHS (files or folders), as file:line: field: message."""
    from assistant.policy.loading import check_policy_text, policy_files, policy_warnings, read_policy_file

    targets = [Path(p) for p in paths] or [Path(load_settings().policies_dir)]
    problems = 0
    for target in targets:
        files = policy_files(target)
        if not files or not all(f.exists() for f in files):
            raise AssistantError(f"no policy files at {target}", "give a .yaml file or a folder of them")
        for f in files:
            # the same checks as a running process: size cap and UTF-8 first, then the YAML and the fields
            text, errors = read_policy_file(f)
            policy, more = check_policy_text(text, str(f)) if text is not None else (None, [])
            errors += more
            for line in errors:
                click.echo(line)
            problems += len(errors)
            if policy is not None and text is not None:
                # Gaps that do not stop it loading (a fact missing a language): worth knowing.
                for line in policy_warnings(policy, text):
                    click.secho(line, fg="yellow")
                click.echo(f"{f}: ok")
    if problems:
        sys.exit(1)


@policy.command("show")
@click.argument("brand", required=False)
def policy_show(brand: str | None) -> None:
    """Print the policy in force for BRAND (as loaded, defaults filled in)."""
    import yaml

    from assistant.policy.registry import PolicyRegistry

    settings = load_settings()
    registry = PolicyRegistry(settings.policies_dir)
    errors = registry.reload()
    p = registry.get(brand or settings.brand)
    click.echo(f"# {p.path}")
    click.echo(yaml.safe_dump(p.model_dump(mode="json", exclude_none=True), allow_unicode=True, sort_keys=False))
    for line in errors.get(p.id, []):
        click.secho(f"# not reloaded: {line}", fg="yellow", err=True)


@policy.command("init")
@click.argument("name")
@click.option("--languages", default="en", show_default=True,
              help="ISO 639-1 codes the brand answers in, comma-separated; the first is the default")
@click.option("--out", type=click.Path(dir_okay=False), help="where to write it (default: <policies dir>/NAME.yaml)")
def policy_init(name: str, languages: str, out: str | None) -> None:
    """Write a new tone policy for brand NAME that passes `policy check`: placeholders marked
    TODO, example facts, an empty catalog, and every playbook with parts in each language."""
    from assistant.policy.scaffold import brand_id, parse_languages, write_scaffold

    codes = parse_languages(languages)
    path = Path(out) if out else Path(load_settings().policies_dir) / f"{brand_id(name)}.yaml"
    scaffold = write_scaffold(name, codes, path)
    if scaffold.untranslated:
        click.secho(f"warning: no phrasings written in {', '.join(scaffold.untranslated)} yet: they have the "
                    "English ones, marked '# TODO: translate'", fg="yellow", err=True)
    click.echo(f"wrote {path} ({', '.join(codes)}): fill in the lines marked TODO, "
               f"then run `assistant policy check {path}`")


@policy.command("suggest")
@click.option("--brand", help="brand id (file name in policies/); default: the only or default brand")
@click.option("--since", default="90d", show_default=True, help="edits approved since: 90d, 2w or a date")
@click.option("--min-count", type=click.IntRange(min=1), default=3, show_default=True,
              help="different approvals that must add (or remove) a sentence")
def policy_suggest(brand: str | None, since: str, min_count: int) -> None:
    """Sentences the team keeps adding to drafts or taking out, as a diff of the policy
    file to review and apply by hand. The policy file is never written."""
    from assistant.insights.learning.suggest import suggest, suggestion_lines
    from assistant.insights.log import parse_since
    from assistant.policy.registry import PolicyRegistry
    from assistant.store import Store

    settings = load_settings()
    start = parse_since(since)
    registry = PolicyRegistry(settings.policies_dir)
    registry.reload()
    p = registry.get(brand or settings.brand)
    try:  # mentions stored without a brand belong to the default brand's policy
        default = registry.get(settings.brand).id
    except AssistantError:
        default = None
    if not Path(settings.db_path).exists():
        raise AssistantError(f"no database at {settings.db_path}",
                             "set ASSISTANT_DB_PATH to the assistant's database; nothing was read")
    store = Store(settings.db_path)
    try:
        result = suggest(store, p, since=start, min_count=min_count, brand=p.id, unbranded=default == p.id)
    finally:
        store.close()
    for line in suggestion_lines(result):
        click.echo(line)


@cli.command("eval")
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

    With no PATHS: the blind set (eval/blind.jsonl, written before the current triage
    was built and never trained on), the held-out set (eval/holdout.jsonl) and the
    fact-lookup questions (eval/fact_questions.jsonl). A file whose lines have an
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
    targets = [Path(p) for p in paths] or [p for p in (BLIND_PARTS_2, BLIND_PARTS, BLIND, HOLDOUT,
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
             BLIND_PARTS_2.resolve(): "written apart from the code and the other sets, never trained on or tuned on",
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


@cli.command()
@click.option("--cv", is_flag=True, help="also print 5-fold cross-validation figures on the labelled posts")
def train(cv: bool) -> None:
    """Retrain triage on the labelled posts in assistant/data/labelled/ and save the model.

    Triage retrains by itself at first use when those files change; this does it now,
    and rewrites the copy shipped with the code (assistant/data/triage-model-*.npz)
    for the default encoder, or the cached copy for another.
    """
    from assistant.ml.embeddings import get_encoder
    from assistant.triage.classifier import (
        MeaningModel,
        build,
        cache_path,
        cross_validate,
        labelled_rows,
        shipped_path,
    )

    encoder = get_encoder()
    path = shipped_path(encoder.name)
    try:
        known = MeaningModel.load(path) if path.exists() else None
    except (OSError, ValueError, KeyError):
        known = None  # unreadable: every post is embedded again
    rows = labelled_rows()
    click.echo(f"training on {len(rows)} labelled posts with {encoder.name} ...")
    model = build(encoder, rows, known=known)
    if not path.exists():  # only the default encoder's model ships with the code
        path = cache_path(encoder.name, model.key)
    try:
        model.save(path)
    except OSError as exc:  # an installed, read-only package: the cache serves as well
        path = cache_path(encoder.name, model.key)
        model.save(path)
        click.echo(f"(could not write the shipped copy: {exc.strerror})")
    click.echo(f"saved {path}")
    if cv:
        f = cross_validate(model)
        click.echo(f"5-fold cross-validation: intent {f['intent_accuracy']:.1%}, high severity caught "
                   f"{f['high_recall']:.1%}, false alarms {f['high_false_alarm_rate']:.1%}")


@cli.command()
@click.option("--drafts", default=24, show_default=True, help="number of drafts to time, per backend")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object (the figures go to stderr as they come)")
def bench(drafts: int, as_json: bool) -> None:
    """Speed and memory: ingest, triage, both model backends side by side, Slack, webhooks."""
    import json

    from devtools.bench import run

    out = run(load_settings(), (lambda line: click.echo(line, err=True)) if as_json else click.echo, drafts=drafts)
    if as_json:
        click.echo(json.dumps(out, default=str))
