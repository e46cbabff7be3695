"""Prepare a transformers model for fast CPU drafts, once per model and CPU.

Which number format is fast depends on the CPU, by a factor of six: bfloat16 reads a
prompt 6x faster than float32 on a Xeon with AMX and 6x slower on an EPYC without
AVX-512 (issue 9). So we do not guess: the first load times each format on this CPU
(reading a prompt, then writing tokens, as a draft does), keeps the fastest, and
records the choice and the timings in ``prepared.json``. Later loads read the choice
and the kept model, in about a second. A different CPU, torch or transformers version
measures again.

Formats: ``bfloat16`` and ``float32`` (plain weights), ``int8`` (torch's dynamic
quantization of the linear layers: weights in 8 bits, which is what a CPU token is
mostly spent reading; the embedding is kept in bfloat16). ``ASSISTANT_DTYPE`` forces one.
"""

from __future__ import annotations

import hashlib
import json
import time
import warnings
from pathlib import Path
from typing import Any

import torch

FORMATS = ("bfloat16", "float32", "int8")
PROMPT_TOKENS = 96  # a post and its framing, after the cached system turn
DECODE_TOKENS = 16  # a short sentence
STOP_CHARACTERS = (".", "!", "?", "\n")  # where the model's one added sentence ends


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or platform.machine()


def _versions() -> dict[str, str]:
    import transformers

    return {"torch": torch.__version__, "transformers": transformers.__version__}


def prepared_dir(cache_root: Path, source: str) -> Path:
    """Where a model's measured choice and kept conversions live."""
    slug = Path(source).name[:60] or "model"
    digest = hashlib.sha256(str(Path(source).resolve() if Path(source).exists() else source).encode()).hexdigest()[:10]
    return cache_root / "prepared" / f"{slug}-{digest}"


class _Bf16Embedding(torch.nn.Module):
    """The token embedding kept in bfloat16 (half the memory), handed on as float32."""

    def __init__(self, weight: torch.Tensor) -> None:
        super().__init__()
        self.weight = torch.nn.Parameter(weight.detach().to(torch.bfloat16), requires_grad=False)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.embedding(ids, self.weight).float()


def quantize_int8(model: Any) -> Any:
    """Dynamic int8 quantization of the linear layers of a float32 model, in place."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization announces its move to torchao
        quantized = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8,
                                                           inplace=True)
    embeddings = quantized.get_input_embeddings()
    quantized.set_input_embeddings(_Bf16Embedding(embeddings.weight))
    return quantized


def _time_format(model: Any, vocab: int) -> dict[str, float]:
    """Seconds to read PROMPT_TOKENS and to write each of DECODE_TOKENS, as a draft does."""
    from assistant.ml.generation.decoding import _forward, _new_cache

    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(100, min(vocab, 30000), (PROMPT_TOKENS + 8,), generator=generator).tolist()
    with torch.inference_mode():
        _forward(model, ids[:8], _new_cache(model), 0)  # warm the kernels up
        cache = _new_cache(model)
        start = time.perf_counter()
        _forward(model, ids[:PROMPT_TOKENS], cache, 0)
        prefill = time.perf_counter() - start
        start = time.perf_counter()
        for i in range(DECODE_TOKENS):
            _forward(model, [ids[PROMPT_TOKENS + (i % 8)]], cache, PROMPT_TOKENS + i)
        decode = (time.perf_counter() - start) / DECODE_TOKENS
    # A draft reads about a hundred tokens and writes about twenty.
    return {"prefill_s": round(prefill, 4), "per_token_s": round(decode, 4),
            "draft_estimate_s": round(prefill + 20 * decode, 4)}


def _load_plain(source: str, dtype: str) -> Any:
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(source, dtype=getattr(torch, dtype))
    return model.eval()


def stop_ids(tokenizer: Any) -> list[int]:
    """Tokens whose text ends a sentence. (transformers' stop_strings does this too, but its
    precomputation over the vocabulary cost ~280 MB of peak memory here.)"""
    texts = tokenizer.batch_decode([[i] for i in range(len(tokenizer))])
    return [i for i, text in enumerate(texts) if any(ch in text for ch in STOP_CHARACTERS)]


def forget(source: str, cache_root: Path) -> None:
    """Drop the record, so the next prepare() measures again (a kept file that no longer loads)."""
    (prepared_dir(cache_root, source) / "prepared.json").unlink(missing_ok=True)


def prepare(source: str, cache_root: Path, forced: str | None = None,
            echo: Any = None) -> dict[str, Any]:
    """Measure the formats on this CPU (once), keep the fastest; return the record."""
    folder = prepared_dir(cache_root, source)
    record_path = folder / "prepared.json"
    wanted = {"cpu": cpu_name(), **_versions()}
    if record_path.is_file():
        try:
            record = json.loads(record_path.read_text())
        except ValueError:
            record = {}
        fits = all(record.get(k) == v for k, v in wanted.items())
        if fits and (forced is None or forced in record.get("kept", [])):
            return record
    from transformers import AutoTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    say = echo or (lambda text: print(text, flush=True))
    say(f"Timing the model's number formats on this CPU once ({wanted['cpu']})...")
    tokenizer = AutoTokenizer.from_pretrained(source)
    timings: dict[str, dict[str, float]] = {}
    # One model in memory at a time; int8 is made from the float32 one, in place.
    model: Any = None
    last = ""
    for name in [forced] if forced else list(FORMATS):  # float32 comes right before int8
        try:
            if name == "int8":
                model = quantize_int8(model if model is not None and last == "float32"
                                      else _load_plain(source, "float32"))
            else:
                model = None
                model = _load_plain(source, name)
            timings[name] = _time_format(model, len(tokenizer))
        except (RuntimeError, AttributeError, NotImplementedError) as exc:  # a format this CPU or build lacks
            say(f"  {name}: not usable here ({str(exc).splitlines()[0][:120]})")
            continue
        say(f"  {name:9s} prompt {PROMPT_TOKENS / timings[name]['prefill_s']:7.0f} tokens/s,"
            f" writing {1 / timings[name]['per_token_s']:5.1f} tokens/s")
        if name == "int8":
            partial = folder / "model-int8.pt.partial"
            torch.save(model, partial)
            partial.replace(folder / "model-int8.pt")  # atomic: a crash never leaves half a file
        last = name
    del model
    if not timings:
        raise RuntimeError("no number format ran on this CPU")
    choice = min(timings, key=lambda k: timings[k]["draft_estimate_s"])
    record = {**wanted, "choice": choice, "timings": timings, "kept": sorted(timings),
              "stop_ids": stop_ids(tokenizer), "measured_at": time.strftime("%Y-%m-%d %H:%M:%S")}
    partial_record = folder / "prepared.json.partial"
    partial_record.write_text(json.dumps(record, indent=1))
    partial_record.replace(record_path)
    say(f"  chose {choice}; recorded in {record_path}")
    return record


def load_prepared(source: str, cache_root: Path, dtype: str) -> Any:
    """The model in the chosen format, from what ``prepare`` kept."""
    if dtype == "int8":
        path = prepared_dir(cache_root, source) / "model-int8.pt"
        # Our own file, written by prepare() under the user's cache folder; it holds the
        # packed int8 weights, which only a full unpickling restores.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's notes on its quantized tensor types
            model = torch.load(path, weights_only=False)
        return model.eval()
    return _load_plain(source, dtype)
