"""The Encoder port, and the per-text embedding cache every adapter sits behind."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from assistant.text.normalize import strip_invisible

# e5 reads at most 512 tokens (roughly 1,500-2,500 characters). Cutting the text
# before it reaches the tokenizer keeps time bounded in the length of the post: a
# 10 MB post costs what a 2,000-character one does.
MAX_CHARS = 2000


# The tokenizer turns these literal strings into control tokens; in a post they are
# only text (strings of them dragged a crisis below the safety net's threshold).
_SPECIAL = re.compile(r"</?s>|<pad>|<mask>|<unk>", re.I)


# Each emoji is a token or more: 2,000 of them took 7 s to embed (2,000 letters: 2 s).
# A post says what it means with the first few dozen.
MAX_SYMBOLS = 64


def _fewer_symbols(text: str) -> str:
    out, seen = [], 0
    for ch in text:
        if unicodedata.category(ch) in ("So", "Sk", "Cs", "Co"):
            seen += 1
            if seen > MAX_SYMBOLS:
                continue
        out.append(ch)
    return "".join(out)


def clip(text: str) -> str:
    """The text as the encoder reads it: at most MAX_CHARS, valid UTF-8 (a lone
    surrogate would crash the engine), no invisible characters or control tokens,
    at most MAX_SYMBOLS emoji."""
    text = strip_invisible(text[:MAX_CHARS * 2])  # they split words without showing
    text = _fewer_symbols(_SPECIAL.sub(" ", text))[:MAX_CHARS]
    return text.encode("utf-8", "replace").decode("utf-8")


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into L2-normalised vectors; similar meanings, high dot products.

    ``query=True`` embeds a text as something asked or said (e5's "query: "
    prefix); ``query=False`` as a document ("passage: "). Comparing posts with
    posts, and questions with example questions, uses ``query=True`` on both sides.

    Optional: ``cache_models = False`` says the triage model trained on this encoder
    is quick to rebuild and need not be kept in the model cache (the default: kept).
    """

    name: str
    dim: int

    def encode(self, texts: Sequence[str], *, query: bool = True) -> np.ndarray:
        """An (n, dim) float32 array, one L2-normalised row per text."""
        ...


def cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine of normalised rows: (n, d) x (m, d) -> (n, m)."""
    return np.asarray(a, dtype=np.float32) @ np.asarray(b, dtype=np.float32).T


class CachedEncoder:
    """Wraps an encoder: embeddings cached per (text, kind), misses encoded in one batch.

    The same post is embedded once for triage, fact lookup and the nearest examples;
    a policy's example questions once per process. One lock serialises calls into the
    engine (ctypes releases the GIL while it runs, so web threads stay responsive).
    """

    def __init__(self, inner: Encoder, size: int = 50_000, batch: int = 32) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.cache_models: bool = getattr(inner, "cache_models", True)
        self.size = size
        self.batch = batch
        self._cache: OrderedDict[tuple[bool, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], *, query: bool = True) -> np.ndarray:
        keys = [(query, clip(t)) for t in texts]
        out = np.empty((len(keys), self.dim), dtype=np.float32)
        with self._lock:
            missing = list(dict.fromkeys(k for k in keys if k not in self._cache))
            for start in range(0, len(missing), self.batch):
                chunk = missing[start:start + self.batch]
                vectors = self.inner.encode([text for _, text in chunk], query=query)
                for key, vector in zip(chunk, vectors, strict=True):
                    self._cache[key] = np.asarray(vector, dtype=np.float32)
            for i, key in enumerate(keys):
                out[i] = self._cache[key]
                self._cache.move_to_end(key)
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return out
