"""Build the engine and its collaborators from settings: the one place that wires them."""

from __future__ import annotations

from assistant.engine import Engine
from assistant.ml.generation import ModelBackend
from assistant.policy.registry import PolicyRegistry
from assistant.settings import Settings, load_settings
from assistant.store import Store


def build_engine(settings: Settings | None = None, backend: ModelBackend | None = None) -> Engine:
    settings = settings or load_settings()
    policies = PolicyRegistry(settings.policies_dir)
    policies.reload()
    return Engine(settings, Store(settings.db_path), policies, backend=backend)
