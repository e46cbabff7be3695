"""Build the engine and the runtime from settings: the one place that wires them.

The CLI commands (`serve`, `fetch`, `outbox`, `demo`, ...) and the Slack app get their
engine and runtime here, never by constructing Store, Engine and Runtime themselves.
"""

from __future__ import annotations

from assistant.engine import Engine
from assistant.ml.generation import ModelBackend
from assistant.policy.registry import PolicyRegistry
from assistant.runtime.service import Runtime
from assistant.settings import Settings, load_settings
from assistant.store import Store


def build_engine(settings: Settings | None = None, backend: ModelBackend | None = None,
                 policies: PolicyRegistry | None = None) -> Engine:
    """The engine over the settings' database and policies. ``policies``: a registry the
    caller already holds (serve's, which keeps the last good copy); by default the
    folder's policies, read now."""
    settings = settings or load_settings()
    if policies is None:
        policies = PolicyRegistry(settings.policies_dir)
        policies.reload()
    return Engine(settings, Store(settings.db_path), policies, backend=backend)


def build_runtime(settings: Settings, engine: Engine, *, process: bool = True) -> Runtime:
    """What runs beside the UIs; ``process=False`` stores what comes in without triage
    (serve with no usable policy, `fetch --no-process`)."""
    return Runtime(settings, engine, process=process)
