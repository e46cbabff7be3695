"""A lean decoding loop for the transformers backend, with the prompt's fixed part cached.

Why not ``model.generate``: for a 135M model on a CPU, generate()'s per-token
bookkeeping costs about as much as the model itself (measured: 10 tokens/s through
generate(), 14.5 with this loop, same model and thread). And generate() cannot keep
the key/value cache of the system turn, which is the same for every draft of a brand,
intent and language: reading it again is most of a draft's prompt.

Sampling follows generate()'s rules, so a draft reads the same either way: repetition
penalty over the prompt and the reply, temperature, nucleus (top-p) sampling, words
forbidden as token sequences, a stop at the first sentence end.
"""

from __future__ import annotations

import inspect
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import torch


@dataclass
class Decoded:
    new_ids: list[int]
    prompt_tokens: int  # read in this call (after the cached prefix)
    cached_tokens: int  # taken from the prefix cache
    prefill_seconds: float
    seconds: float


class PrefixCache:
    """Key/value caches of prompt prefixes (the system turn), least recently used out.

    A cache entry is cropped back to its prefix after each use, so drafts never see
    each other's posts; callers hold the backend's generation lock while using one."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[int, ...], Any] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[int, ...]) -> Any | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            self.hits += 1
        else:
            self.misses += 1
        return entry

    def put(self, key: tuple[int, ...], cache: Any) -> None:
        self._entries[key] = cache
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


def _new_cache(model: Any) -> Any:
    from transformers.cache_utils import DynamicCache

    return DynamicCache(config=model.config)


@lru_cache(maxsize=8)
def _cache_argument(model_class: Any) -> str:
    # transformers 5.2x renamed forward()'s `past_key_values` to `cache`.
    return "cache" if "cache" in inspect.signature(model_class.forward).parameters else "past_key_values"


def _forward(model: Any, ids: Sequence[int], cache: Any, start: int) -> torch.Tensor:
    """Logits of the last position after feeding ``ids`` at positions ``start``... (the cache
    holds exactly the ``start`` tokens before them, so the model numbers them itself)."""
    assert cache.get_seq_length() == start
    input_ids = torch.tensor([list(ids)], dtype=torch.long, device=model.device)
    out = model(input_ids=input_ids, use_cache=True, logits_to_keep=1, **{_cache_argument(model.__class__): cache})
    return out.logits[0, -1].float().cpu()  # one row of scores: the sampling rules run on the CPU


def _penalise(logits: torch.Tensor, seen: torch.Tensor, penalty: float) -> torch.Tensor:
    # generate()'s RepetitionPenaltyLogitsProcessor: divide positive scores, multiply negative ones.
    scores = logits[seen]
    logits[seen] = torch.where(scores < 0, scores * penalty, scores / penalty)
    return logits


def _forbid(logits: torch.Tensor, sequence: list[int], banned: Sequence[Sequence[int]]) -> None:
    # generate()'s NoBadWordsLogitsProcessor: ban a word's last token where its other tokens were just written.
    for words in banned:
        if not words:
            continue
        head = list(words[:-1])
        if not head or sequence[len(sequence) - len(head):] == head:
            logits[words[-1]] = float("-inf")


def _sample(logits: torch.Tensor, temperature: float, top_p: float, generator: torch.Generator | None) -> int:
    if temperature <= 0:
        return int(torch.argmax(logits))
    probs = torch.softmax(logits / temperature, dim=-1)
    ordered, index = torch.sort(probs, descending=True)
    keep = torch.cumsum(ordered, dim=-1) - ordered < top_p  # the smallest set reaching top_p (always one)
    ordered = ordered * keep
    choice = torch.multinomial(ordered / ordered.sum(), 1, generator=generator)
    return int(index[choice])


def decode(model: Any, ids: list[int], *, max_new_tokens: int, temperature: float = 0.0, top_p: float = 0.9,
           seed: int | None = None, repetition_penalty: float = 1.15, banned: Sequence[Sequence[int]] = (),
           stop_ids: frozenset[int] = frozenset(), eos_ids: frozenset[int] = frozenset(),
           prefix_cache: PrefixCache | None = None, prefix_length: int = 0) -> Decoded:
    """Generate after ``ids``. ``prefix_length``: how many leading tokens are the fixed part
    (kept in and reused from ``prefix_cache`` when one is given). Call under
    ``torch.inference_mode``."""
    start = time.perf_counter()
    prefix_length = prefix_length if 0 < prefix_length < len(ids) else 0
    key = tuple(ids[:prefix_length]) if prefix_cache is not None and prefix_length else None
    cache = prefix_cache.get(key) if key is not None and prefix_cache is not None else None
    cached = prefix_length if cache is not None else 0
    if cache is None:
        cache = _new_cache(model)
        if prefix_length:
            # The fixed part is always read on its own, cached or not: an int8 model scales
            # its activations per call, so reading it in one piece or two differs slightly,
            # and a cached draft must read exactly as an uncached one.
            _forward(model, ids[:prefix_length], cache, 0)
            if key is not None and prefix_cache is not None:
                prefix_cache.put(key, cache)
            else:
                key = None
    try:
        logits = _forward(model, ids[prefix_length:], cache, prefix_length)
        prefill = time.perf_counter() - start
        generator = torch.Generator().manual_seed(seed) if seed is not None and temperature > 0 else None
        seen = torch.zeros(logits.shape[-1], dtype=torch.bool)
        seen[torch.tensor(ids, dtype=torch.long)] = True
        sequence = list(ids)
        new: list[int] = []
        while True:
            if repetition_penalty != 1.0:
                logits = _penalise(logits, seen, repetition_penalty)
            _forbid(logits, sequence, banned)
            token = _sample(logits, temperature, top_p, generator)
            if token in eos_ids:
                break
            new.append(token)
            sequence.append(token)
            seen[token] = True
            if token in stop_ids or len(new) >= max_new_tokens:
                break
            logits = _forward(model, [token], cache, len(sequence) - 1)
    finally:
        if key is not None:  # back to the fixed part, ready for the next draft
            extra = cache.get_seq_length() - prefix_length
            if extra > 0:
                cache.crop(-extra)
    return Decoded(new_ids=new, prompt_tokens=len(ids) - cached, cached_tokens=cached, prefill_seconds=prefill,
                   seconds=time.perf_counter() - start)
