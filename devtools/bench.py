"""`python -m devtools bench`: speed and memory figures against the targets (printed, not asserted)."""

from __future__ import annotations

import json
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.connectors.file_import import parse_mentions
from assistant.domain.models import Action, Mention
from assistant.policy.registry import PolicyRegistry
from assistant.settings import Settings
from assistant.store import Store
from assistant.triage import Triager

SAMPLES = Path(__file__).resolve().parents[1] / "assistant" / "data" / "sample_mentions.jsonl"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_ingest(n: int = 5000) -> float:
    mentions = [Mention(source="bench", external_id=str(i), author="@a", text=f"mention number {i} ☕")
                for i in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        start = time.perf_counter()
        for i in range(0, n, 500):
            store.add_mentions(mentions[i:i + 500])
        elapsed = time.perf_counter() - start
        assert store.count("mentions") == n
        store.close()
    return n / elapsed


def _fresh_texts(n: int) -> list[str]:
    """Distinct labelled posts, none embedded yet in this process (a cached embedding
    would flatter the figure)."""
    from assistant.triage.classifier import labelled_rows

    seen: set[str] = set()
    out = []
    for row in reversed(labelled_rows()):
        if row["text"] not in seen:
            seen.add(row["text"])
            out.append(row["text"])
        if len(out) == n:
            break
    return out


def bench_triage(policy: Any, n: int = 256, batch: int = 32) -> dict[str, float]:
    """Triage throughput with the encoder: posts/s in batches (as ingest and pollers
    call it) and one at a time (a slash command), on posts never embedded before."""
    triager = Triager()
    start = time.perf_counter()
    triager.triage("warm up: load the encoder and the triage model", policy)
    load = time.perf_counter() - start
    texts = _fresh_texts(n + 32)
    batched, single = texts[:n], texts[n:]
    start = time.perf_counter()
    for i in range(0, len(batched), batch):
        triager.triage_many(batched[i:i + batch], policy)
    per_s = len(batched) / (time.perf_counter() - start)
    start = time.perf_counter()
    for text in single:
        triager.triage(text, policy)
    single_s = (time.perf_counter() - start) / max(len(single), 1)
    return {"triage_per_s": per_s, "triage_single_ms": single_s * 1000, "encoder_load_s": load}


def cpu_description() -> dict[str, Any]:
    import os
    import platform

    name = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": name, "cpu_threads": os.cpu_count() or 1,
            "omp_num_threads": os.environ.get("OMP_NUM_THREADS", "all")}


def _reply_mentions(policy: Any, triager: Triager, languages: list[str], n: int) -> list[Mention]:
    """Distinct mentions, in languages the model writes, that triage says to answer:
    the bundled samples first, then the labelled posts, in file order."""
    from assistant.triage.classifier import LABELLED

    rows = [{"id": m.external_id, "text": m.text} for m in parse_mentions(SAMPLES.read_text(encoding="utf-8")).mentions]
    for path in sorted(LABELLED.glob("*.jsonl")):
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = []
    for row in rows:
        t = triager.triage(row["text"], policy)
        if t.action is Action.REPLY and t.language in languages:
            out.append(Mention(source="bench", external_id=str(row["id"]), text=row["text"], network="mastodon"))
        if len(out) == n:
            break
    return out


# A fixed prompt of about 480 tokens (the size of a draft's first prompt, before its
# system turn is cached), read fresh every time, for raw prompt and generation speed.
RAW_PROMPT = ("You help Aurora Roasters answer a message from a member of our community. " * 3
              + "Here is what our community wrote to us this week, for context. "
              + " ".join(f"Post {i}: the espresso blend number {i} tasted of cherries and chocolate, the barista "
                         "was kind, and the café in Kallio was full on Saturday morning." for i in range(12))
              + " Write two friendly sentences about coffee.")
RAW_TOKENS = 64


def _prepare_in_subprocess(settings: Settings, echo: Callable[[str], None]) -> float:
    """The one-time preparation (conversion, timing the number formats) in its own process,
    so this process's load time and peak memory are those of an ordinary start."""
    import subprocess
    import sys

    start = time.perf_counter()
    code = ("from assistant.settings import load_settings; from assistant.ml.generation import create_backend; "
            "create_backend(load_settings()).load()")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError("preparing the model failed: " + (done.stderr.strip().splitlines() or ["?"])[-1])
    for line in done.stdout.splitlines():
        echo("  " + line)
    return time.perf_counter() - start


def raw_speed(backend: Any, repeats: int = 3) -> dict[str, float]:
    """Prompt tokens/s and generation tokens/s on RAW_PROMPT, best of ``repeats``
    (without the stop at a sentence end)."""
    stop = getattr(backend, "stop_at_sentence_end", None)
    if stop is not None:
        backend.stop_at_sentence_end = False
    reuse = getattr(backend, "reuse_prefix", None)
    if reuse is not None:
        backend.reuse_prefix = False  # every prompt read in full
    prefill, decode = [], []
    try:
        for seed in range(repeats):
            gen = backend.generate([{"role": "user", "content": RAW_PROMPT}], max_new_tokens=RAW_TOKENS,
                                   temperature=0.7, seed=seed)
            if gen.prefill_seconds > 0:
                prefill.append(gen.prompt_tokens / gen.prefill_seconds)
            if gen.tokens > 1 and gen.seconds > gen.prefill_seconds:
                decode.append((gen.tokens - 1) / (gen.seconds - gen.prefill_seconds))
    finally:
        if stop is not None:
            backend.stop_at_sentence_end = stop
        if reuse is not None:
            backend.reuse_prefix = reuse
    return {"prefill_tokens_per_s": max(prefill, default=0.0), "decode_tokens_per_s": max(decode, default=0.0)}


def time_drafts(backend: Any, policy: Any, settings: Settings, pool: list[tuple[Mention, Any]],
                mode: str | None = None) -> dict[str, Any]:
    """Draft each mention as the app does (the plan, composition, the model as its check
    qualified it, the guard); ``mode`` forces what the model does (Drafter.draft)."""
    from assistant.drafting.drafter import Drafter

    drafter = Drafter(backend, policy, settings)
    latencies: list[float] = []
    origins: dict[str, int] = {}
    modes: dict[str, int] = {}  # what the model was asked for (ml/qualify.py), per draft
    asked = 0
    for mention, triage in pool:
        start = time.perf_counter()
        draft = drafter.draft(mention, triage, mode=mode)
        latencies.append(time.perf_counter() - start)
        asked += draft.attempts > 0
        origins[draft.origin] = origins.get(draft.origin, 0) + 1
        used = drafter.mode(draft.language, mode)[0]
        modes[used] = modes.get(used, 0) + 1
    return {"draft_p50_s": statistics.median(latencies), "draft_p95_s": _pct(latencies, 0.95),
            "drafts": len(latencies), "model_asked": asked, "draft_origins": origins, "draft_modes": modes}


def _backend(settings: Settings, name: str) -> Any:
    from assistant.ml.generation import create_backend

    return create_backend(settings.model_copy(update={"backend": name}))


def import_model_code(backend: Any) -> None:
    """Import torch, transformers and the transformers backend's model architecture code: a few
    seconds once per process, which the bench reports apart from loading the model. The model's
    folder is the one the backend reads (ASSISTANT_MODEL, or the embedded model's)."""
    import transformers

    from assistant.ml.generation import embedded

    source = Path(backend.model_id) if backend.model_id else embedded.cached_model_dir(backend.cache_dir)
    config = Path(source) / "config.json"
    if config.is_file():
        for architecture in json.loads(config.read_text()).get("architectures") or []:
            getattr(transformers, architecture, None)  # transformers imports its module lazily


def _llamacpp_missing() -> str | None:
    import importlib.util

    if importlib.util.find_spec("xllamacpp") is None:
        return "xllamacpp is not installed (pip install -e '.[llamacpp]')"
    return None


def _warm_policy(policy: Any, languages: list[str]) -> None:
    """What a server does once at start: the guard's policy sentences embedded per language."""
    from assistant.drafting.claims import support_index
    from assistant.ml.embeddings import get_encoder

    index = support_index(policy)
    for language in languages:
        index.vectors(get_encoder(), language)


def run(settings: Settings, echo: Callable[[str], None], drafts: int = 24) -> dict[str, Any]:
    """Every figure of issue 9, both backends side by side on the same model, prompts and mentions."""
    policies = PolicyRegistry(settings.policies_dir)
    policy = policies.get(settings.brand)
    out: dict[str, Any] = {}

    out.update(cpu_description())
    from assistant.ml.generation.threads import default_threads

    out["model_threads"] = settings.threads or default_threads()
    echo(f"cpu               {out['cpu']} ({out['cpu_threads']} usable, model on {out['model_threads']} thread(s),"
         f" OMP_NUM_THREADS {out['omp_num_threads']})")
    out["ingest_per_s"] = bench_ingest()
    echo(f"ingest            {out['ingest_per_s']:10.0f} mentions/s   (target >= 2000)")
    out.update(bench_triage(policy))
    echo(f"encoder load      {out['encoder_load_s']:10.2f} s            (multilingual-e5-small and the triage model)")
    echo(f"triage, batched   {out['triage_per_s']:10.1f} posts/s      (target >= 30; encoder included, new posts)")
    echo(f"triage, one post  {out['triage_single_ms']:10.0f} ms")

    triager = Triager()
    pool = [(m, triager.triage(m.text, policy)) for m in _reply_mentions(policy, triager, settings.model_languages,
                                                                         drafts)]
    start = time.perf_counter()
    _warm_policy(policy, sorted({t.language for _, t in pool}))
    echo(f"policy warm-up    {time.perf_counter() - start:10.2f} s            (the guard's policy sentences, once)")

    rows: dict[str, dict[str, Any]] = {}
    # transformers first: peak memory is read with the generator and the encoder loaded,
    # before llama.cpp joins them in this process.
    if settings.backend == "transformers":
        prepared = _prepare_in_subprocess(settings, echo)
        echo(f"preparation       {prepared:10.2f} s            (a process that converts and times the model's number"
             " formats once per CPU, or finds them done)")
        start = time.perf_counter()
        import_model_code(_backend(settings, settings.backend))
        out["import_s"] = time.perf_counter() - start
        echo(f"import torch      {out['import_s']:10.2f} s            (torch, transformers and the model's code: once"
             " per process, apart from the model load)")
    names = [settings.backend] + (["llamacpp"] if settings.backend != "llamacpp" else [])
    for name in names:
        if name == "llamacpp" and (why := _llamacpp_missing()):
            echo(f"llamacpp          skipped: {why}")
            continue
        backend = _backend(settings, name)
        start = time.perf_counter()
        backend.load()
        row: dict[str, Any] = {"model_load_s": time.perf_counter() - start,
                               "dtype": getattr(backend, "running_dtype", None)}
        row.update(raw_speed(backend))
        row.update(time_drafts(backend, policy, settings, pool))
        # The model asked for its sentence in every draft: its speed, whatever the check chose.
        asked_row = time_drafts(backend, policy, settings, pool, mode="sentence")
        row["sentence_p50_s"], row["sentence_p95_s"] = asked_row["draft_p50_s"], asked_row["draft_p95_s"]
        rows[name] = row
        if name == settings.backend:
            out["peak_rss_mb"] = peak_rss_mb()
            out["backend"] = name
            out["dtype"] = row["dtype"]
            for key in ("model_load_s", "prefill_tokens_per_s", "decode_tokens_per_s", "draft_p50_s",
                        "draft_p95_s", "draft_origins", "draft_modes", "model_asked", "sentence_p50_s",
                        "sentence_p95_s"):
                out[key] = row[key]
    if "llamacpp" in rows and settings.backend != "llamacpp":
        out["llamacpp_decode_tokens_per_s"] = rows["llamacpp"]["decode_tokens_per_s"]
        out["llamacpp_prefill_tokens_per_s"] = rows["llamacpp"]["prefill_tokens_per_s"]
        out["llamacpp_draft_p50_s"] = rows["llamacpp"]["draft_p50_s"]
        out["llamacpp_draft_p95_s"] = rows["llamacpp"]["draft_p95_s"]
        out["llamacpp_model_load_s"] = rows["llamacpp"]["model_load_s"]
        llama = rows["llamacpp"]["decode_tokens_per_s"]
        out["transformers_to_llamacpp_ratio"] = out["decode_tokens_per_s"] / llama if llama else None
    else:
        out["llamacpp_decode_tokens_per_s"] = None
        out["transformers_to_llamacpp_ratio"] = None
    _side_by_side(rows, echo, drafts=len(pool))
    if out.get("transformers_to_llamacpp_ratio") is not None:
        echo(f"transformers / llama.cpp generation speed: {out['transformers_to_llamacpp_ratio']:.2f}x   (target >= 0.5)")
    echo(f"peak memory       {out.get('peak_rss_mb', 0):10.0f} MB           (target <= 1000 MB; encoder and "
         f"{settings.backend} model loaded, before llama.cpp)")

    from devtools.slack_bench import slack_ack_bench

    busy = _backend(settings, settings.backend) if settings.backend in ("transformers", "llamacpp") else None
    slack = slack_ack_bench(policies_dir=settings.policies_dir, backend=busy)
    out["slack_ack_p99_ms"] = slack["p99_ms"]
    out["slack_ack"] = slack
    echo(f"slack ack p99     {slack['p99_ms']:10.0f} ms           (target <= 300; p50 {slack['p50_ms']:.0f} ms,"
         f" {slack['interactions']} signed requests, {slack['concurrency']} at a time, model busy:"
         f" {slack['model_busy']} ({slack['drafts_during']} drafts ran meanwhile))")
    from devtools.connectors_bench import webhook_ingest_bench

    hook = webhook_ingest_bench()
    out["webhook_per_s"] = hook["per_second"]
    out["webhook"] = hook
    echo(f"webhook intake    {out['webhook_per_s'] or 0:10.0f} deliveries/s (signed, 20 clients, 10% duplicates)")
    return out


def _side_by_side(rows: dict[str, dict[str, Any]], echo: Callable[[str], None], drafts: int) -> None:
    if not rows:
        return
    names = list(rows)
    echo("")
    echo(f"{'same model, prompts and mentions':34s}" + "".join(f"{n:>16s}" for n in names))
    lines = [("number format", "dtype", "{}"), ("model load (s)", "model_load_s", "{:.2f}"),
             ("prompt tokens/s", "prefill_tokens_per_s", "{:.0f}"),
             ("generation tokens/s", "decode_tokens_per_s", "{:.1f}"),
             (f"draft p50 (s, {drafts} drafts)", "draft_p50_s", "{:.2f}"),
             ("draft p95 (s)", "draft_p95_s", "{:.2f}"), ("model used as", "draft_modes", "{}"),
             ("draft p50 asking the model (s)", "sentence_p50_s", "{:.2f}"),
             ("draft p95 asking the model (s)", "sentence_p95_s", "{:.2f}"),
             ("model's sentence kept", "draft_origins", "{}"), ("model's reply kept", "draft_origins", "{}")]
    for label, key, fmt in lines:
        cells = []
        for n in names:
            value = rows[n].get(key)
            if key == "draft_origins":
                kept = "writer" if label.startswith("model's reply") else "model"
                value = f"{value.get(kept, 0)}/{rows[n]['drafts']}"
            elif key == "draft_modes" and value is not None:
                value = " ".join(f"{k} {v}" for k, v in sorted(value.items()))
            cells.append(fmt.format(value) if value is not None else "-")
        echo(f"{label:34s}" + "".join(f"{c:>16s}" for c in cells))
    echo("targets: draft p50 <= 1 s, p95 <= 2 s; model load <= 1.5 s; transformers generation >= 0.5x llama.cpp")
    echo("")
