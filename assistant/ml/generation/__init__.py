"""Model backends behind one protocol (base.py), registered by name (not imported by name),
or a plugin's factory named by ASSISTANT_BACKEND as module:attribute."""

from __future__ import annotations

from assistant.domain.errors import BackendError
from assistant.ml.generation.base import REGISTRY, BackendFactory, Generation, ModelBackend, register
from assistant.settings import Settings, is_plugin, load_plugin

__all__ = ["BackendFactory", "Generation", "ModelBackend", "create_backend", "register"]


def create_backend(settings: Settings) -> ModelBackend:
    if is_plugin(settings.backend):
        # A team's own backend: its factory takes the Settings, like the built-in ones.
        backend = load_plugin("ASSISTANT_BACKEND", settings.backend)(settings)
        if not isinstance(backend, ModelBackend):
            raise BackendError(f"ASSISTANT_BACKEND: {settings.backend} returned a {type(backend).__name__}, "
                               "not a model backend",
                               "return an object with name, model_name, load() and generate() (ModelBackend in "
                               "assistant/ml/generation/base.py)")
        return backend
    # Importing the adapters registers them. Here rather than at the top so that torch is
    # imported only when a model loads (the transformers adapter needs it); the adapters
    # import only base.py, never this package's namespace, so this makes no cycle.
    from assistant.ml.generation import llamacpp_backend, openai_compat, transformers_backend  # noqa: F401

    if settings.backend not in REGISTRY:
        raise BackendError(f"unknown backend {settings.backend!r}",
                           f"set ASSISTANT_BACKEND to one of {', '.join(sorted(REGISTRY))}, or a plugin's "
                           "factory as module:attribute")
    return REGISTRY[settings.backend](settings)
