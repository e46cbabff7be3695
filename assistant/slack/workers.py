"""Background work for the Slack app. Slack wants an answer within 3 seconds: listeners
``ack()`` first and hand slow work to one of two pools: ``model`` (one worker: the local
model does one draft at a time) and ``io`` (Slack calls and deliveries, which may meet a 429)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

log = logging.getLogger("assistant.slack")


class Workers:
    def __init__(self, io_workers: int = 8) -> None:
        self.model = ThreadPoolExecutor(max_workers=1, thread_name_prefix="assistant-model")
        self.io = ThreadPoolExecutor(max_workers=io_workers, thread_name_prefix="assistant-slack")
        self._pending: set[Future[Any]] = set()
        self._lock = threading.Lock()

    def _submit(self, pool: ThreadPoolExecutor, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        def run() -> Any:
            try:
                return fn(*args)
            except Exception:
                log.exception("background work failed: %s", getattr(fn, "__name__", fn))
                raise
        try:
            fut = pool.submit(run)
        except RuntimeError:  # shutting down: a draft that finished late has nowhere to report
            log.info("dropped at shutdown: %s", getattr(fn, "__name__", fn))
            fut = Future()
            fut.cancel()
            return fut
        with self._lock:
            self._pending.add(fut)
        fut.add_done_callback(self._forget)
        return fut

    def _forget(self, fut: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(fut)

    def io_work(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        return self._submit(self.io, fn, *args)

    def model_work(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        return self._submit(self.model, fn, *args)

    def busy(self) -> bool:
        """Whether any background work is queued or running."""
        with self._lock:
            return bool(self._pending)

    def drain(self, timeout: float = 30.0) -> None:
        """Wait until no background work is left, including work that the finished work queued
        (a draft, then its card); ``TimeoutError`` after ``timeout`` seconds. ``close()`` does not
        wait for that chain: at shutdown work queued late is dropped, on purpose."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                pending = list(self._pending)
            if not pending:
                return
            for fut in pending:
                try:
                    fut.result(timeout=max(0.01, deadline - time.monotonic()))
                except Exception:  # already logged
                    pass
        raise TimeoutError("Slack background work did not finish")

    def close(self, wait: bool = True) -> None:
        self.model.shutdown(wait=wait, cancel_futures=not wait)
        self.io.shutdown(wait=wait, cancel_futures=not wait)
