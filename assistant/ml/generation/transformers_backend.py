"""The default backend: a local transformer model through Hugging Face transformers.

Loaded once per process, lazily, and shared by every Engine in the process. On a CPU
it runs in the number format this CPU does fastest (measured once, see torch_prepare),
on a thread count that leaves a core for the web server (see threads), and keeps the
key/value cache of each system turn so a draft reads only its own post (see decoding).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.domain.errors import BackendError
from assistant.ml.generation import embedded
from assistant.ml.generation.base import Generation, register
from assistant.ml.generation.decoding import PrefixCache, decode
from assistant.ml.generation.threads import default_threads
from assistant.settings import Settings


@dataclass
class _Loaded:
    tokenizer: Any
    model: Any
    dtype: str  # the number format it runs in
    stop_ids: frozenset[int]
    eos_ids: frozenset[int]
    prefixes: PrefixCache
    lock: threading.Lock  # one generation at a time per model (the prefix caches are shared state)


_LOADED: dict[tuple[str, str, str], _Loaded] = {}
_LOAD_LOCK = threading.Lock()


class TransformersBackend:
    name = "transformers"

    def __init__(self, model: str | None, device: str = "cpu", cache_dir: Path | None = None,
                 dtype: str = "auto", threads: int = 0) -> None:
        self.model_id = model
        self.device = device
        self.cache_dir = cache_dir or Path.home() / ".cache" / "community-assistant"
        self.model_name = model or embedded.NAME
        self.dtype = dtype
        self.threads = threads
        # Generation switches, public: both on for drafting.
        # Stop at the first sentence end: the model adds one sentence to a draft. Off, a
        # generation runs to max_new_tokens (how `make bench` times raw decoding speed).
        self.stop_at_sentence_end = True
        # Keep each system turn's key/value cache between drafts, so a draft reads only its own
        # post; it costs memory per brand (decoding.PrefixCache). Off, every prompt is read in
        # full: the reference that cached drafts must match token for token.
        self.reuse_prefix = True

    def _resolve(self) -> str:
        if self.model_id:
            return self.model_id
        return str(embedded.cached_model_dir(self.cache_dir))

    def load(self) -> None:
        self._loaded()

    @property
    def running_dtype(self) -> str | None:
        """The number format the loaded model runs in (None before loading): with dtype "auto"
        on a CPU it is the one measured fastest there (torch_prepare), known only once loaded.
        `make bench` prints it next to the speeds it explains."""
        loaded = _LOADED.get(self._key())
        return loaded.dtype if loaded else None

    @property
    def prefix_cache(self) -> PrefixCache | None:
        loaded = _LOADED.get(self._key())
        return loaded.prefixes if loaded else None

    def _key(self) -> tuple[str, str, str]:
        return (self.model_id or "<embedded>", self.device, self.dtype)

    def _loaded(self) -> _Loaded:
        with _LOAD_LOCK:
            key = self._key()
            if key not in _LOADED:
                _LOADED[key] = self._load_now()
            return _LOADED[key]

    def _load_now(self) -> _Loaded:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from assistant.ml.generation import torch_prepare

        source = self._resolve()
        try:
            tokenizer = AutoTokenizer.from_pretrained(source)
            if self.device == "cpu":
                torch.set_num_threads(self.threads or default_threads())
                forced = None if self.dtype == "auto" else self.dtype
                record = torch_prepare.prepare(source, self.cache_dir, forced=forced)
                dtype = record["choice"] if self.dtype == "auto" else self.dtype
                try:
                    model = torch_prepare.load_prepared(source, self.cache_dir, dtype)
                except (OSError, RuntimeError, EOFError, AttributeError, ImportError):
                    # A kept file that no longer loads (cut short, another torch): measure again.
                    torch_prepare.forget(source, self.cache_dir)
                    record = torch_prepare.prepare(source, self.cache_dir, forced=forced)
                    dtype = record["choice"] if self.dtype == "auto" else self.dtype
                    model = torch_prepare.load_prepared(source, self.cache_dir, dtype)
                stop_ids = frozenset(record["stop_ids"])
            else:  # a GPU: its own format, no measuring
                dtype = "auto"
                model = AutoModelForCausalLM.from_pretrained(source, dtype="auto")
                model = model.to(self.device).eval()  # type: ignore[arg-type]
                stop_ids = frozenset(torch_prepare.stop_ids(tokenizer))
        except OSError as exc:
            raise BackendError(
                f"cannot load model {source!r}: {str(exc).splitlines()[0]}",
                "set ASSISTANT_MODEL to a local folder, or a Hugging Face id on a machine with network",
            ) from None
        eos = {tokenizer.eos_token_id} | {t for t in (getattr(model.generation_config, "eos_token_id", None),)
                                          if isinstance(t, int)}
        return _Loaded(tokenizer, model, dtype, stop_ids, frozenset(i for i in eos if i is not None),
                       PrefixCache(), threading.Lock())

    def _prompt(self, tokenizer: Any, messages: list[dict[str, str]], prefix: str | None) -> tuple[list[int], int]:
        """The prompt's token ids, and how many of them are the fixed system turn."""
        if prefix:
            # Start the answer ourselves: a small model that begins "We're really sorry"
            # keeps to our voice far more often than one left to begin as it likes.
            chat = [*messages, {"role": "assistant", "content": prefix}]
            ids = tokenizer.apply_chat_template(chat, continue_final_message=True, tokenize=True, return_dict=True)
        else:
            ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True, return_dict=True)
        ids = list(ids["input_ids"])
        fixed = 0
        if len(messages) > 1 and messages[0].get("role") == "system":
            system = list(_system_ids(tokenizer, messages[0]["content"]))
            if ids[:len(system)] == system:  # the chat template puts the system turn first, unchanged
                fixed = len(system)
        return ids, fixed

    def generate(self, messages: list[dict[str, str]], max_new_tokens: int, temperature: float,
                 seed: int | None = None, prefix: str | None = None,
                 avoid: list[str] | None = None) -> Generation:
        import torch

        loaded = self._loaded()
        tokenizer = loaded.tokenizer
        start = time.perf_counter()
        ids, fixed = self._prompt(tokenizer, messages, prefix)
        # The model adds one sentence to what we started: stop at its first sentence end or
        # line break. A small model drifts further from the post with every sentence, and
        # generating is most of a draft's time.
        banned = _token_ids(tokenizer, tuple(avoid)) if avoid else []
        with loaded.lock, torch.inference_mode():
            # Set in the generating thread: OpenMP keeps a count per thread, and the model may
            # have been loaded in another.
            torch.set_num_threads(self.threads or default_threads())
            out = decode(loaded.model, ids, max_new_tokens=max_new_tokens, temperature=temperature, seed=seed,
                         banned=banned, stop_ids=loaded.stop_ids if self.stop_at_sentence_end else frozenset(),
                         eos_ids=loaded.eos_ids, prefix_cache=loaded.prefixes if self.reuse_prefix else None,
                         prefix_length=fixed)
        text = (prefix or "") + tokenizer.decode(out.new_ids, skip_special_tokens=True)
        return Generation(text=text, tokens=len(out.new_ids), seconds=time.perf_counter() - start,
                          prompt_tokens=out.prompt_tokens, prefill_seconds=out.prefill_seconds)


@lru_cache(maxsize=64)
def _system_ids(tokenizer: Any, content: str) -> tuple[int, ...]:
    ids = tokenizer.apply_chat_template([{"role": "system", "content": content}], tokenize=True, return_dict=True)
    return tuple(ids["input_ids"])


@lru_cache(maxsize=32)
def _token_ids(tokenizer: Any, words: tuple[str, ...]) -> list[list[int]]:
    # Each word alone and after a space: the tokenizer spells them differently.
    # Forbid the words outright: a small model told to say "we" still says "I".
    spellings = {v for w in words for v in (w, " " + w, w.capitalize(), " " + w.capitalize())}
    return [tokenizer(v, add_special_tokens=False).input_ids for v in sorted(spellings)]


@register("transformers")
def _create(settings: Settings) -> TransformersBackend:
    return TransformersBackend(settings.model, settings.device, settings.model_cache_dir, settings.dtype,
                               settings.threads)
