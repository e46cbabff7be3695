"""What `assistant serve` runs beside the Slack app: source pollers, webhook
intake routes and the outbox worker.

CONTRACT (used by the Slack app; the connectors work fills it in):
  build_runtime(settings, engine) -> Runtime
  Runtime.routes       extra Starlette routes mounted in the same server (webhook intake)
  Runtime.start()      start pollers and the outbox worker (background threads)
  Runtime.stop()
  Runtime.deliver(outbox_id) -> dict   try to post one approved reply now; returns the outbox row
  Runtime.on_outcome   callbacks called with the outbox row after it is posted or fails for good
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..engine import Engine
from ..settings import Settings


class Runtime:
    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.routes: list[Any] = []
        self.on_outcome: list[Callable[[dict[str, Any]], None]] = []

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def deliver(self, outbox_id: int) -> dict[str, Any]:
        raise NotImplementedError("the outbox worker is not built yet")


def build_runtime(settings: Settings, engine: Engine) -> Runtime:
    return Runtime(settings, engine)
