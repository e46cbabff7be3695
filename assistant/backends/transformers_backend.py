"""The default backend: a local transformer model through Hugging Face transformers.

Loaded once per process, lazily, and shared by every Engine in the process.
"""

from __future__ import annotations

import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import BackendError
from ..settings import Settings
from . import Generation, embedded, register

_LOADED: dict[tuple[str, str], tuple[Any, Any]] = {}
STOP = (".", "!", "?", "\n")  # where the model's one added sentence ends
_LOAD_LOCK = threading.Lock()


class TransformersBackend:
    name = "transformers"

    def __init__(self, model: str | None, device: str = "cpu", cache_dir: Path | None = None) -> None:
        self.model_id = model
        self.device = device
        self.cache_dir = cache_dir or Path.home() / ".cache" / "community-assistant"
        self.model_name = model or embedded.NAME
        self._generate_lock = threading.Lock()  # one generation at a time per model
        # Stop at the first sentence end (drafts); `assistant bench` turns it off to time raw speed.
        self.stop_at_sentence_end = True

    def _resolve(self) -> str:
        if self.model_id:
            return self.model_id
        return str(embedded.cached_model_dir(self.cache_dir))

    def load(self) -> None:
        self._loaded()

    def _loaded(self) -> tuple[Any, Any]:
        """(tokenizer, model), loading them the first time in this process."""
        key = (self.model_id or "<embedded>", self.device)
        with _LOAD_LOCK:
            if key not in _LOADED:
                from transformers import AutoModelForCausalLM, AutoTokenizer

                source = self._resolve()
                try:
                    tokenizer = AutoTokenizer.from_pretrained(source)
                    # dtype "auto": the checkpoint's own dtype (bfloat16 for the embedded model).
                    model = AutoModelForCausalLM.from_pretrained(source, dtype="auto").to(self.device)  # type: ignore[arg-type]
                except OSError as exc:
                    raise BackendError(
                        f"cannot load model {source!r}: {str(exc).splitlines()[0]}",
                        "set ASSISTANT_MODEL to a local folder, or a Hugging Face id on a machine with network",
                    ) from None
                model.eval()
                _LOADED[key] = (tokenizer, model)
            return _LOADED[key]

    def generate(self, messages: list[dict[str, str]], max_new_tokens: int, temperature: float,
                 seed: int | None = None, prefix: str | None = None,
                 avoid: list[str] | None = None) -> Generation:
        import torch

        tokenizer, model = self._loaded()
        start = time.perf_counter()
        if prefix:
            # Start the answer ourselves: a small model that begins "We're really sorry"
            # keeps to our voice far more often than one left to begin as it likes.
            chat = [*messages, {"role": "assistant", "content": prefix}]
            inputs = tokenizer.apply_chat_template(chat, continue_final_message=True, return_tensors="pt",
                                                   return_dict=True).to(self.device)
        else:
            inputs = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                                   return_dict=True).to(self.device)
        # The model adds one sentence to what we started: stop at its first sentence end or
        # line break. A small model drifts further from the post with every sentence, and
        # generating is most of a draft's time.
        kwargs: dict[str, Any] = {"max_new_tokens": max_new_tokens, "pad_token_id": tokenizer.eos_token_id,
                                  "repetition_penalty": 1.15}
        if self.stop_at_sentence_end:
            kwargs["stopping_criteria"] = [_StopAfter(self._stop_ids(tokenizer), inputs["input_ids"].shape[1])]
        if temperature > 0:
            kwargs.update(do_sample=True, temperature=temperature, top_p=0.9)
        else:
            kwargs.update(do_sample=False)
        if avoid:
            # Forbid the words outright: a small model told to say "we" still says "I".
            kwargs["bad_words_ids"] = self._token_ids(tokenizer, tuple(avoid))
        with self._generate_lock, torch.inference_mode():
            if seed is not None:
                torch.manual_seed(seed)
            out = model.generate(**inputs, **kwargs)
        new = out[0][inputs["input_ids"].shape[1]:]
        text = (prefix or "") + tokenizer.decode(new, skip_special_tokens=True)
        return Generation(text=text, tokens=int(new.shape[0]), seconds=time.perf_counter() - start)

    @staticmethod
    @lru_cache(maxsize=8)
    def _stop_ids(tokenizer: Any) -> frozenset[int]:
        """Tokens whose text ends a sentence. (transformers' stop_strings does this too,
        but its precomputation over the vocabulary cost ~280 MB of peak memory here.)"""
        return frozenset(i for i in range(len(tokenizer))
                         if any(ch in tokenizer.decode([i]) for ch in STOP))

    @staticmethod
    @lru_cache(maxsize=32)
    def _token_ids(tokenizer: Any, words: tuple[str, ...]) -> list[list[int]]:
        # Each word alone and after a space: the tokenizer spells them differently.
        spellings = {v for w in words for v in (w, " " + w, w.capitalize(), " " + w.capitalize())}
        return [tokenizer(v, add_special_tokens=False).input_ids for v in sorted(spellings)]


class _StopAfter:
    """A stopping criterion: the newest token (after the prompt) ends a sentence."""

    def __init__(self, stop_ids: frozenset[int], prompt_length: int) -> None:
        self.stop_ids = stop_ids
        self.prompt_length = prompt_length

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        import torch

        done = input_ids.shape[1] > self.prompt_length and int(input_ids[0, -1]) in self.stop_ids
        return torch.full((input_ids.shape[0],), done, dtype=torch.bool, device=input_ids.device)


@register("transformers")
def _create(settings: Settings) -> TransformersBackend:
    return TransformersBackend(settings.model, settings.device, settings.model_cache_dir)
