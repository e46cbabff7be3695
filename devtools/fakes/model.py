"""A hand-written fake model for tests and benchmarks: replies are queued with ``enqueue``.

Plugged in as ``ASSISTANT_BACKEND=devtools.fakes.model:create`` (FAKE_MODEL in this package),
or handed to an Engine directly. Not shipped: it lives beside the package, in devtools/.
"""

from __future__ import annotations

import threading
import time

from assistant.ml.generation.base import Generation
from assistant.settings import Settings

DEFAULT_REPLY = "Thank you for writing to us! We're glad you're part of our community."


class FakeBackend:
    name = "fake"

    def __init__(self, replies: list[str] | None = None, delay: float = 0.0,
                 default: str = DEFAULT_REPLY) -> None:
        self.model_name = "fake"
        self._queue = list(replies or [])
        self.delay = delay
        self.default = default
        self.prompts: list[list[dict[str, str]]] = []  # every prompt it was given
        self.calls: list[dict[str, object]] = []  # the prefix and avoid list of each call
        self.loaded = False
        self._lock = threading.Lock()

    def enqueue(self, *replies: str) -> None:
        with self._lock:
            self._queue.extend(replies)

    def load(self) -> None:
        self.loaded = True

    def generate(self, messages: list[dict[str, str]], max_new_tokens: int, temperature: float,
                 seed: int | None = None, prefix: str | None = None,
                 avoid: list[str] | None = None) -> Generation:
        start = time.perf_counter()
        with self._lock:
            self.prompts.append(messages)
            self.calls.append({"prefix": prefix, "avoid": avoid})
            text = self._queue.pop(0) if self._queue else self.default
        if self.delay:
            time.sleep(self.delay)
        return Generation(text=text, tokens=len(text.split()), seconds=time.perf_counter() - start)


def create(settings: Settings) -> FakeBackend:
    """The plugin factory ASSISTANT_BACKEND names: a fake with no queued replies."""
    return FakeBackend()
