"""The generation port: what a model backend is, what it returns, and the registry of backends.

The adapters (llamacpp_backend.py, openai_compat.py, transformers_backend.py)
import these names from here and register themselves by name; the package's
``create_backend`` imports them on demand, so nothing here imports an adapter (and
torch loads only when a model does).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from assistant.settings import Settings


@dataclass
class Generation:
    text: str
    tokens: int  # new tokens generated (approximate for remote backends)
    seconds: float
    # Where the time went, for the benchmark (0 where a backend cannot tell):
    prompt_tokens: int = 0  # tokens the model read (after any reused cached prefix)
    prefill_seconds: float = 0.0  # reading the prompt, up to the first new token


@runtime_checkable
class ModelBackend(Protocol):
    name: str
    model_name: str

    def load(self) -> None:
        """Load the model now (idempotent). Backends load lazily otherwise."""

    def generate(self, messages: list[dict[str, str]], max_new_tokens: int, temperature: float,
                 seed: int | None = None, prefix: str | None = None,
                 avoid: list[str] | None = None) -> Generation:
        """Complete the chat. ``prefix``: the reply should start with this text (backends
        that can prefill the answer do; the returned text then includes it). ``avoid``:
        words the reply must not contain (backends that can forbid tokens do; the
        guard checks the result either way)."""
        ...


BackendFactory = Callable[[Settings], ModelBackend]
REGISTRY: dict[str, BackendFactory] = {}


def register(name: str) -> Callable[[BackendFactory], BackendFactory]:
    def inner(factory: BackendFactory) -> BackendFactory:
        REGISTRY[name] = factory
        return factory
    return inner
