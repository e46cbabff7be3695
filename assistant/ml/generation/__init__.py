"""Model backends behind one protocol, registered by name (not imported by name)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from assistant.domain.errors import BackendError
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
_REGISTRY: dict[str, BackendFactory] = {}


def register(name: str) -> Callable[[BackendFactory], BackendFactory]:
    def inner(factory: BackendFactory) -> BackendFactory:
        _REGISTRY[name] = factory
        return factory
    return inner


def create_backend(settings: Settings) -> ModelBackend:
    # Importing the modules registers them; torch is imported only when a model loads.
    from assistant.ml.generation import fake, llamacpp_backend, openai_compat, transformers_backend  # noqa: F401

    if settings.backend not in _REGISTRY:
        raise BackendError(f"unknown backend {settings.backend!r}",
                           f"set ASSISTANT_BACKEND to one of {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[settings.backend](settings)
