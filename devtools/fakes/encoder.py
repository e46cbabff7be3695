"""A deterministic stand-in encoder for fast tests: hashed character n-grams.

Texts that share words and word pieces get similar vectors, so code that ranks
by similarity (fact lookup, nearest examples, the classifier) behaves sensibly,
but it knows nothing of meaning across languages: tests of understanding use
the real encoder (marked slow).

Plugged in as ``ASSISTANT_ENCODER=devtools.fakes.encoder:create`` (FAKE_ENCODER in this
package), or built directly. Not shipped: it lives beside the package, in devtools/.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from assistant.text.normalize import fold


class FakeEncoder:
    name = "fake"
    dim = 384
    cache_models = False  # a triage model trained on it is quick to rebuild: no file in the cache

    def _vector(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        words = fold(text).split()
        grams = [f"w:{w}" for w in words]
        for w in words:
            padded = f" {w} "
            grams += [padded[i:i + 4] for i in range(max(1, len(padded) - 3))]
        for g in grams:
            h = int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "little")
            v[h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        norm = float(np.linalg.norm(v))
        if norm == 0:
            v[0] = 1.0
            return v
        return v / norm

    def encode(self, texts: Sequence[str], *, query: bool = True) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts])


def create() -> FakeEncoder:
    """The plugin factory ASSISTANT_ENCODER names."""
    return FakeEncoder()
