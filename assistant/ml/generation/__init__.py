"""Model backends behind one protocol (base.py), registered by name (not imported by name)."""

from __future__ import annotations

from assistant.domain.errors import BackendError
from assistant.ml.generation.base import REGISTRY, BackendFactory, Generation, ModelBackend, register
from assistant.settings import Settings

__all__ = ["BackendFactory", "Generation", "ModelBackend", "create_backend", "register"]


def create_backend(settings: Settings) -> ModelBackend:
    # Importing the adapters registers them. Here rather than at the top so that torch is
    # imported only when a model loads (the transformers adapter needs it); the adapters
    # import only base.py, never this package's namespace, so this makes no cycle.
    from assistant.ml.generation import fake, llamacpp_backend, openai_compat, transformers_backend  # noqa: F401

    if settings.backend not in REGISTRY:
        raise BackendError(f"unknown backend {settings.backend!r}",
                           f"set ASSISTANT_BACKEND to one of {', '.join(sorted(REGISTRY))}")
    return REGISTRY[settings.backend](settings)
