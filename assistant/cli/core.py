"""Core commands: ingest, triage, draft, queue, demo, policy, train. (The evaluations and
benchmarks are developer tools outside the package.)"""

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
    from assistant.insights.learning.suggest import suggest
    from assistant.insights.learning.suggestion import suggestion_lines
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

