"""`assistant bench`: speed and memory figures against the targets (printed, not asserted)."""

from __future__ import annotations

import json
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .domain import Action, Mention
from .ingest import parse_mentions
from .policy import PolicyRegistry
from .settings import Settings
from .store import Store
from .triage import Triager

SAMPLES = Path(__file__).parent / "data" / "sample_mentions.jsonl"


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
    from .triage.classifier import labelled_rows

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
    from .triage.classifier import LABELLED

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


def run(settings: Settings, echo: Callable[[str], None], drafts: int = 24) -> dict[str, Any]:
    from .backends import create_backend
    from .drafting.drafter import Drafter

    policies = PolicyRegistry(settings.policies_dir)
    policy = policies.get(settings.brand)
    out: dict[str, Any] = {}

    out["ingest_per_s"] = bench_ingest()
    echo(f"ingest            {out['ingest_per_s']:10.0f} mentions/s   (target >= 2000)")
    out.update(cpu_description())
    echo(f"cpu               {out['cpu']} ({out['cpu_threads']} threads, OMP_NUM_THREADS {out['omp_num_threads']})")
    out.update(bench_triage(policy))
    echo(f"encoder load      {out['encoder_load_s']:10.2f} s            (multilingual-e5-small and the triage model)")
    echo(f"triage, batched   {out['triage_per_s']:10.1f} posts/s      (target >= 30; encoder included, new posts)")
    echo(f"triage, one post  {out['triage_single_ms']:10.0f} ms")

    backend = create_backend(settings)
    start = time.perf_counter()
    backend.load()  # converts the embedded model first if this machine has no cache yet
    out["model_load_s"] = time.perf_counter() - start
    echo(f"model load        {out['model_load_s']:10.2f} s            (target <= 3 s warm; first run converts)")

    drafter = Drafter(backend, policy, settings)
    triager = Triager()
    latencies, tokens, gen_seconds, fallbacks, asked = [], 0, 0.0, 0, 0
    origins: dict[str, int] = {}
    pool = _reply_mentions(policy, triager, settings.model_languages, drafts)
    for mention in pool:
        triage = triager.triage(mention.text, policy)
        start = time.perf_counter()
        draft = drafter.draft(mention, triage)
        latencies.append(time.perf_counter() - start)
        fallbacks += draft.fallback
        asked += draft.attempts > 0
        origins[draft.origin] = origins.get(draft.origin, 0) + 1
    # Raw generation speed, outside the guard loop (without the stop at a sentence end).
    if hasattr(backend, "stop_at_sentence_end"):
        backend.stop_at_sentence_end = False
    messages = [{"role": "user", "content": "Write two friendly sentences about coffee."}]
    for seed in range(3):
        gen = backend.generate(messages, max_new_tokens=64, temperature=0.7, seed=seed)
        tokens += gen.tokens
        gen_seconds += gen.seconds
    out["draft_p50_s"] = statistics.median(latencies)
    out["draft_p95_s"] = _pct(latencies, 0.95)
    out["tokens_per_s"] = tokens / gen_seconds if gen_seconds else 0.0
    out["fallback_rate"] = fallbacks / len(latencies)
    out["model_asked"] = asked
    out["draft_origins"] = origins
    echo(f"draft latency p50 {out['draft_p50_s']:10.2f} s            (target <= 3 s, {len(latencies)} mentions to answer,"
         f" the model asked for {asked})")
    echo(f"draft latency p95 {out['draft_p95_s']:10.2f} s            (target <= 6 s)")
    echo(f"generation        {out['tokens_per_s']:10.1f} tokens/s")
    echo(f"template fallback {out['fallback_rate']:10.0%}              (the composed reply failed the guard)")
    echo("made by           " + ", ".join(f"{k} {v}" for k, v in sorted(origins.items()))
         + "  (model: the model's sentence kept)")
    out["peak_rss_mb"] = peak_rss_mb()
    echo(f"peak memory       {out['peak_rss_mb']:10.0f} MB           (target <= 1000 MB with encoder and model loaded)")

    for label, module, func in (("slack ack", "assistant.slack_app.bench", "slack_ack_bench"),
                                ("webhook ingest", "assistant.connectors.bench", "webhook_ingest_bench")):
        try:
            mod = __import__(module, fromlist=[func])
        except ImportError:
            continue
        result = getattr(mod, func)()
        out[label] = result
        echo(f"{label:17s} {json.dumps(result)}")
    return out
