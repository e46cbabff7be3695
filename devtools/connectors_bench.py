"""Webhook ingest throughput: signed deliveries from concurrent clients on loopback.

``webhook_ingest_bench()`` starts the real intake route under uvicorn on 127.0.0.1
(port 0) over a fresh store, sends every mention (plus a share of repeats, as
at-least-once senders do) from ``clients`` threads, then checks that every mention
is stored exactly once. ``python -m devtools bench`` reports its result.
"""

from __future__ import annotations

import json
import multiprocessing
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette

from assistant.connectors.signing import signed_headers
from assistant.connectors.sources import SourceConfig
from assistant.domain.models import Mention
from assistant.settings import Settings
from assistant.store import Store


class _IngestOnly:
    """Just enough of Engine for the intake: triage and drafting are measured elsewhere."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store

    def ingest(self, mentions: list[Mention], brand: str | None = None) -> list[str]:
        return self.store.add_mentions(mentions, brand)

    def policy(self, brand: str | None = None) -> Any:  # pragma: no cover - not used by webhooks
        raise LookupError(brand)


def _serve(db_path: str, outbox: str, secret: str, ports: Any, stop: Any) -> None:
    """The intake server, in its own process as under `assistant serve`."""
    from assistant.runtime.service import Runtime

    settings = Settings(db_path=Path(db_path), outbox_file=Path(outbox), sources_file=None)
    store = Store(settings.db_path)
    source = SourceConfig(name="bench", connector="webhook", poll_every=0, options={"secret_env": "BENCH_SECRET"})
    runtime = Runtime(settings, _IngestOnly(settings, store), sources=[source],  # type: ignore[arg-type]
                      env={"BENCH_SECRET": secret}, process=False)
    server = uvicorn.Server(uvicorn.Config(Starlette(routes=runtime.routes), host="127.0.0.1", port=0,
                                           log_level="warning", lifespan="off", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            ports.put(None)
            return
        time.sleep(0.01)
    ports.put(server.servers[0].sockets[0].getsockname()[1])
    stop.wait()
    server.should_exit = True
    thread.join(10)
    store.close()


def webhook_ingest_bench(mentions: int = 2000, clients: int = 20, duplicate_share: float = 0.1) -> dict[str, Any]:
    """Returns throughput (deliveries/s) and the accounting: every mention stored exactly once."""
    secret = "bench-secret"
    ctx = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="assistant-bench-") as tmp:
        db_path = Path(tmp) / "bench.db"
        ports, stop = ctx.Queue(), ctx.Event()
        proc = ctx.Process(target=_serve, args=(str(db_path), str(Path(tmp) / "outbox.jsonl"), secret, ports, stop),
                           daemon=True)
        proc.start()
        try:
            port = ports.get(timeout=60)
            if port is None:
                raise RuntimeError("the bench server did not start")
            url = f"http://127.0.0.1:{port}/webhooks/bench"
            bodies = [json.dumps({"id": f"m{i}", "author": f"user{i % 97}",
                                  "text": f"Mention number {i} of the brand"}).encode() for i in range(mentions)]
            if duplicate_share > 0:
                bodies += bodies[:: max(1, round(1 / duplicate_share))]
            local = threading.local()
            pool_clients: list[httpx.Client] = []
            lock = threading.Lock()
            retried: list[int] = []

            def send(body: bytes) -> tuple[int, int]:
                client = getattr(local, "client", None)
                if client is None:
                    client = local.client = httpx.Client(trust_env=False, timeout=30)
                    with lock:
                        pool_clients.append(client)
                headers = {**signed_headers(secret, body), "Content-Type": "application/json"}
                for attempt in range(3):  # an at-least-once sender retries a dropped connection
                    try:
                        r = client.post(url, content=body, headers=headers)
                        break
                    except httpx.TransportError:
                        with lock:
                            retried.append(1)
                        if attempt == 2:
                            raise
                return r.status_code, (r.json().get("new", 0) if r.status_code == 202 else 0)

            try:
                start = time.perf_counter()
                with ThreadPoolExecutor(clients) as pool:
                    results = list(pool.map(send, bodies))
                seconds = time.perf_counter() - start
            finally:
                for c in pool_clients:
                    c.close()
        finally:
            stop.set()
            proc.join(15)
            if proc.is_alive():
                proc.kill()
        store = Store(db_path)
        stored = store.count("mentions")
        store.close()
    accepted = sum(1 for status, _ in results if status == 202)
    new = sum(n for _, n in results)
    return {
        "clients": clients, "deliveries": len(bodies), "unique": mentions, "accepted": accepted,
        "new": new, "stored": stored, "retried": len(retried), "seconds": round(seconds, 3),
        "per_second": round(len(bodies) / seconds, 1),
        "all_accounted": accepted == len(bodies) and stored == mentions and mentions - len(retried) <= new <= mentions,
    }


if __name__ == "__main__":  # python -m devtools.connectors_bench
    print(json.dumps(webhook_ingest_bench(), indent=2))
