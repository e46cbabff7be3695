"""How fast the Slack app acknowledges requests while the model is busy.

``slack_ack_bench()`` runs the real Bolt app behind uvicorn on 127.0.0.1,
against the loopback fake of Slack's Web API, with a fake model that takes
``model_delay`` seconds per draft. It sends ``interactions`` signed requests,
``concurrency`` at a time (Approve clicks on distinct cards, Edit clicks that
open a modal, Regenerate submissions that queue model work), and measures the
time to each HTTP response, which is Slack's acknowledgement.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..backends.fake import FakeBackend
from ..connectors.runtime import build_runtime
from ..domain import Mention
from ..engine import Engine
from ..policy import PolicyRegistry
from ..settings import Settings
from ..store import slack_sql as tables
from . import blocks, create_app
from .server import HttpServer, asgi_app
from .testing import SlackDriver, block_actions, view_submission

SECRET = "bench-signing-secret"
QUESTIONS = ["Love your new espresso blend! Where can I buy it?", "Do you ship to Finland?",
             "Is the café open on Sunday?", "Great coffee, thanks!"]


def slack_ack_bench(interactions: int = 200, concurrency: int = 20, model_delay: float = 1.0,
                    policies_dir: str | Path = "policies") -> dict[str, Any]:
    """p50 / p99 acknowledgement latency in milliseconds (and how many replies were posted).

    Slack's side (the fake Web API) runs in its own process, as the real Slack is
    elsewhere: in this process it would compete with the app for the interpreter lock."""
    slack = subprocess.Popen([sys.executable, "-m", "assistant.slack_app.testing", "--member", "CREVIEW=UBENCH"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert slack.stdout is not None and slack.stdin is not None
    api_url = slack.stdout.readline().strip()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(backend="fake", db_path=Path(tmp) / "bench.db", policies_dir=Path(policies_dir),
                            slack_bot_token="xoxb-bench", slack_signing_secret=SECRET, slack_app_token=None,
                            slack_api_url=api_url, review_channel="CREVIEW", approvers=["UBENCH"],
                            outbox_file=Path(tmp) / "outbox.jsonl", sources_file=None)
        from ..store import Store

        store = Store(settings.db_path, extra_migrations=[tables.migrations])
        backend = FakeBackend()
        engine = Engine(settings, store, PolicyRegistry(settings.policies_dir), backend=backend)
        runtime = build_runtime(settings, engine)
        app = create_app(engine, runtime, settings)
        services = app.services
        server = HttpServer(asgi_app(app, runtime.routes)).start()
        driver = SlackDriver(server.url, SECRET)
        try:
            count = interactions // 2 + 1
            ids = engine.ingest(Mention(source="bench", external_id=str(i), author=f"person{i}",
                                        text=QUESTIONS[i % len(QUESTIONS)]) for i in range(count))
            for mention_id in ids:
                engine.process(mention_id)
                services.post_card(mention_id)
            services.drain()
            backend.delay = model_delay  # from here on every draft keeps the model busy

            def one(i: int) -> float:
                mention_id = ids[i // 2]
                card = tables.card(store, mention_id) or {"channel": "CREVIEW", "ts": None}
                latest = store.latest_draft(mention_id)
                value = blocks.action_value(mention_id, latest[0] if latest else None)
                if i % 4 == 0:
                    payload = block_actions("approve", value, "UBENCH", card["channel"], card["ts"])
                elif i % 4 == 1:
                    payload = block_actions("edit", value, "UBENCH", card["channel"], card["ts"])
                elif i % 4 == 2:
                    meta = json.dumps({"m": mention_id, "r": {"channel": card["channel"], "ts": card["ts"]}})
                    payload = view_submission("regenerate_submit", {}, meta, "UBENCH")
                else:  # Approve on a card whose draft is being regenerated: refused, or approved once
                    payload = block_actions("approve", value, "UBENCH", card["channel"], card["ts"])
                start = time.perf_counter()
                response = driver.interact(payload)
                elapsed = time.perf_counter() - start
                if response.status_code != 200:
                    raise RuntimeError(f"request {i} answered {response.status_code}")
                return elapsed

            with ThreadPoolExecutor(max_workers=concurrency) as pool:
                times = sorted(pool.map(one, range(interactions)))
            # Bolt runs listeners after the ack: let the last ones finish before counting.
            app.listener_pool.shutdown(wait=True)
            cuts = statistics.quantiles(times, n=100, method="inclusive")
            result = {
                "interactions": interactions, "concurrency": concurrency, "model_delay_s": model_delay,
                "p50_ms": round(cuts[49] * 1000, 1), "p99_ms": round(cuts[98] * 1000, 1),
                "max_ms": round(times[-1] * 1000, 1),
                "model_busy": bool(services._pending),
            }
            services.io.submit(lambda: None).result()
            deadline = time.monotonic() + 30
            while store.outbox_items("pending", "sending") and time.monotonic() < deadline:
                time.sleep(0.05)
            result["posted"] = len(store.outbox_items("posted"))
            return result
        finally:
            driver.close()
            server.stop()
            services.close(wait=False)  # drop queued drafts, let the running ones finish
            services.model.shutdown(wait=True)
            services.io.shutdown(wait=True)
            runtime.stop()
            store.close()
            slack.stdin.close()
            slack.wait(10)


if __name__ == "__main__":  # python -m assistant.slack_app.bench
    print(slack_ack_bench())
