"""llama.cpp through the xllamacpp wheel (optional extra `llamacpp`): the fastest CPU drafts.

The model is the embedded GGUF, in a Q8_0 copy made once (gguf_convert: its Q4_1
reads half as fast here), or the .gguf file named by ASSISTANT_MODEL, run as it is. It follows the transformers backend's rules so a draft does not
depend on the backend: the same prompt token for token (chat_prompt), the same stop
at the first sentence end, the same sampling (repetition penalty 1.15 over prompt and
reply, then temperature, then top-p 0.9; greedy at temperature 0) and the same
forbidden words.

xllamacpp runs llama.cpp's own server in-process; we send it token ids and stream the
reply back token by token, stopping it ourselves. Its C++ threads release the GIL
while they work, so the web server keeps answering during a draft. The server also
listens on a loopback port; a random API key keeps anything else off it.
"""

from __future__ import annotations

import importlib
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.domain.errors import BackendError
from assistant.ml.generation import embedded
from assistant.ml.generation.base import Generation, register
from assistant.ml.generation.chat_prompt import ChatPrompt, tokenizer_dir
from assistant.ml.generation.gguf_convert import q8_0_copy
from assistant.ml.generation.threads import default_threads
from assistant.settings import Settings

# The same as torch_prepare.STOP_CHARACTERS (a test keeps them in step): the model's one
# added sentence ends at the first token holding one of these.
STOP_CHARACTERS = (".", "!", "?", "\n")
REPETITION_PENALTY = 1.15  # as the transformers backend
TOP_P = 0.9
CONTEXT = 2048  # tokens; a draft's prompt is about 500, a reply at most a few hundred
INSTALL = "run `pip install -e '.[llamacpp]'` (or `pip install xllamacpp`), or use ASSISTANT_BACKEND=transformers"


@dataclass
class _Loaded:
    server: Any
    prompt: ChatPrompt
    lock: threading.Lock  # one generation at a time per model: honest timings, one KV cache
    load_seconds: float


_LOADED: dict[tuple[str, int], _Loaded] = {}
_LOAD_LOCK = threading.Lock()


def _xllamacpp() -> Any:
    try:
        return importlib.import_module("xllamacpp")
    except ImportError:
        raise BackendError("the llamacpp backend needs the xllamacpp package", INSTALL) from None


class LlamaCppBackend:
    name = "llamacpp"

    def __init__(self, model: str | None = None, threads: int = 0, cache_dir: Path | None = None,
                 context: int = CONTEXT) -> None:
        self.model_path = model
        self.threads = threads or default_threads()
        self.cache_dir = cache_dir or Path.home() / ".cache" / "community-assistant"
        self.context = context
        self.model_name = Path(model).name if model else embedded.NAME
        # Generation switches, public, as the transformers backend's: both on for drafting.
        # Stop at the first sentence end: the model adds one sentence to a draft. Off, a
        # generation runs to max_new_tokens (how `make bench` times raw decoding speed).
        self.stop_at_sentence_end = True
        # Let llama.cpp keep the previous prompt's key/value cache and read only what differs
        # (the post, after a brand's fixed system turn). Off, every prompt is read in full:
        # the reference that cached generations must match.
        self.reuse_prefix = True

    # -- loading -----------------------------------------------------------------------

    def gguf(self) -> Path:
        if not self.model_path:
            folder, name = embedded.gguf_location()
            return folder / name
        path = Path(self.model_path).expanduser()
        if path.suffix.lower() != ".gguf":
            raise BackendError(f"ASSISTANT_MODEL={self.model_path!r} is not a .gguf file",
                               "the llamacpp backend runs GGUF files: point ASSISTANT_MODEL at one, or unset it "
                               "for the embedded model")
        if not path.is_file():
            raise BackendError(f"GGUF file {path} not found", "point ASSISTANT_MODEL at an existing .gguf file, "
                               "or unset it for the embedded model")
        return path

    def load(self) -> None:
        self._loaded()

    @property
    def load_seconds(self) -> float | None:
        """Seconds the model took to load in this process (None before loading)."""
        loaded = _LOADED.get(self._key())
        return loaded.load_seconds if loaded else None

    def _key(self) -> tuple[str, int]:
        return (str(self.gguf()), self.threads)

    def _loaded(self) -> _Loaded:
        xlc = _xllamacpp()  # the missing package is the first thing to say
        with _LOAD_LOCK:
            key = self._key()
            if key not in _LOADED:
                _LOADED[key] = self._load_now(xlc, Path(key[0]))
            return _LOADED[key]

    def _load_now(self, xlc: Any, gguf: Path) -> _Loaded:
        start = time.perf_counter()
        prompt = ChatPrompt(tokenizer_dir(gguf, self.cache_dir))
        weights = gguf if self.model_path else q8_0_copy(gguf, self.cache_dir)
        params = xlc.CommonParams()
        params.model.path = str(weights)
        params.n_ctx = self.context
        params.n_parallel = 1  # one slot: one generation at a time, its cache kept for the next
        params.cpuparams.n_threads = self.threads
        params.cpuparams_batch.n_threads = self.threads
        params.n_threads_http = 1
        params.api_keys = [secrets.token_hex(16)]  # nobody else may use its loopback port
        params.verbosity = 0  # errors only; llama.cpp logs every request otherwise
        try:
            server = xlc.Server(params)
        except Exception as exc:  # xllamacpp raises plain RuntimeErrors
            raise BackendError(f"llama.cpp cannot load {gguf}: {str(exc).splitlines()[0] if str(exc) else exc!r}",
                               "check that the file is a complete GGUF model (re-download or reinstall it)") from None
        return _Loaded(server, prompt, threading.Lock(), time.perf_counter() - start)

    # -- generating --------------------------------------------------------------------

    def generate(self, messages: list[dict[str, str]], max_new_tokens: int, temperature: float,
                 seed: int | None = None, prefix: str | None = None,
                 avoid: list[str] | None = None) -> Generation:
        loaded = self._loaded()
        start = time.perf_counter()
        ids = loaded.prompt.ids(messages, prefix)
        if len(ids) + max_new_tokens > self.context:
            raise BackendError(f"the prompt is {len(ids)} tokens; with {max_new_tokens} new ones it exceeds the "
                               f"llamacpp backend's context of {self.context}",
                               "shorten the policy's examples or lower ASSISTANT_MAX_NEW_TOKENS")
        request: dict[str, Any] = {
            "prompt": ids, "max_tokens": max_new_tokens, "stream": True, "timings_per_token": True,
            "cache_prompt": self.reuse_prefix,
            # The transformers backend's order: penalty, (forbidden words,) temperature, top-p.
            "samplers": ["penalties", "temperature", "top_p"],
            "repeat_penalty": REPETITION_PENALTY, "repeat_last_n": self.context,  # the whole prompt and reply
            "presence_penalty": 0.0, "frequency_penalty": 0.0,
            "temperature": max(temperature, 0.0), "top_p": TOP_P, "top_k": 0, "min_p": 0.0,
        }
        if seed is not None:
            request["seed"] = seed
        banned = self._banned(loaded.prompt, tuple(avoid)) if avoid else []
        if banned:
            request["logit_bias"] = [[token, False] for token in banned]  # false: never this token

        stream = _Stream(self.stop_at_sentence_end)
        with loaded.lock:
            stream.start = time.perf_counter()
            try:
                loaded.server.handle_completions(request, stream.on_chunk)
            except Exception as exc:  # the binding's errors are plain exceptions
                raise BackendError(f"llama.cpp failed: {exc}", "see the message; try again or "
                                   "ASSISTANT_BACKEND=transformers") from None
        if stream.error:
            raise BackendError(f"llama.cpp refused the request: {stream.error}",
                               "see the message; try ASSISTANT_BACKEND=transformers")
        end = time.perf_counter()
        text = (prefix or "") + "".join(stream.pieces)
        return Generation(text=text, tokens=stream.tokens, seconds=end - start,
                          prompt_tokens=stream.prompt_read if stream.prompt_read is not None else len(ids),
                          prefill_seconds=(stream.first or end) - stream.start)

    def _banned(self, prompt: ChatPrompt, words: tuple[str, ...]) -> list[int]:
        """Tokens to forbid for these words, spelled as the transformers backend spells them
        (alone, after a space, capitalized). A spelling of one token is forbidden outright,
        as there; a spelling of several tokens ("I'm" = "I" + "'m") cannot be forbidden only
        after its first tokens here, so it is left out: its first token is usually forbidden
        already (it is for every singular word), and the guard checks every draft anyway."""
        spellings = {v for w in words for v in (w, " " + w, w.capitalize(), " " + w.capitalize())}
        singles = (prompt.encode(v) for v in sorted(spellings))
        return sorted({ids[0] for ids in singles if len(ids) == 1})


class _Stream:
    """Collects streamed chunks; stops llama.cpp at the first sentence end."""

    def __init__(self, stop_at_sentence_end: bool) -> None:
        self.stop_at_sentence_end = stop_at_sentence_end
        self.pieces: list[str] = []
        self.tokens = 0
        self.prompt_read: int | None = None
        self.start = time.perf_counter()
        self.first: float | None = None
        self.error: str | None = None

    def on_chunk(self, chunk: Any) -> bool:
        """True stops the generation."""
        if not isinstance(chunk, dict):
            self.error = f"unexpected reply {chunk!r:.200}"
            return True
        if "error" in chunk:
            error = chunk["error"]
            self.error = str(error.get("message", error) if isinstance(error, dict) else error)
            return True
        if self.first is None:
            self.first = time.perf_counter()
        timings = chunk.get("timings") or {}
        # predicted_n counts tokens even when a character's bytes span several (one chunk).
        self.tokens = int(timings.get("predicted_n", self.tokens + 1))
        if "prompt_n" in timings:
            self.prompt_read = int(timings["prompt_n"])  # after the cached prefix
        choices = chunk.get("choices") or [{}]
        piece = choices[0].get("text") or ""
        self.pieces.append(piece)
        return self.stop_at_sentence_end and any(ch in piece for ch in STOP_CHARACTERS)


@register("llamacpp")
def _create(settings: Settings) -> LlamaCppBackend:
    return LlamaCppBackend(settings.model, settings.threads, settings.model_cache_dir)
