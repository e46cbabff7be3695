"""How fast the Slack app acknowledges requests while the model is busy.

``slack_ack_bench()`` runs the real Bolt app behind uvicorn on 127.0.0.1,
against the loopback fake of Slack's Web API, with the model given (the real one,
as `python -m devtools bench` does: its drafts then compete for the CPU and the interpreter
with the web server) or a fake one that takes ``model_delay`` seconds per draft. It
sends ``interactions`` signed requests, ``concurrency`` at a time (Approve clicks on
distinct cards, Edit clicks that open a modal, Regenerate submissions that queue
model work), and measures the time to each HTTP response, which is Slack's
acknowledgement. Slack's side (its Web API and the clicks) runs in other processes,
as the real Slack is elsewhere: in this process it would compete with the app.
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

from assistant.domain.models import Mention
from assistant.engine import Engine
from assistant.policy.registry import PolicyRegistry
from assistant.runtime.wiring import build_runtime
from assistant.settings import Settings
from assistant.slack import create_app
from assistant.slack.views.card import action_value
from assistant.store import slack_sql as tables
from assistant.web.server import HttpServer, asgi_app
from devtools.fakes import FAKE_MODEL
from devtools.fakes.model import FakeBackend
from devtools.loopback import SlackDriver, block_actions, view_submission

SECRET = "bench-signing-secret"
QUESTIONS = ["Love your new espresso blend! Where can I buy it?", "Do you ship to Finland?",
             "Is the café open on Sunday?", "Great coffee, thanks!"]


def _clicks(url: str, secret: str, payloads: list[dict[str, Any]], concurrency: int) -> list[float]:
    """Send the signed requests from another process; the seconds each took to be answered."""
    job = json.dumps({"url": url, "secret": secret, "payloads": payloads, "concurrency": concurrency})
    done = subprocess.run([sys.executable, "-m", "devtools.slack_bench", "--clicks"], input=job,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError("the click sender failed: " + (done.stderr.strip().splitlines() or ["?"])[-1])
    return list(json.loads(done.stdout))


def _send_clicks() -> None:
    """python -m devtools.slack_bench --clicks: the job on stdin, latencies on stdout."""
    job = json.loads(sys.stdin.read())
    driver = SlackDriver(job["url"], job["secret"])

    def one(payload: dict[str, Any]) -> float:
        start = time.perf_counter()
        response = driver.interact(payload)
        elapsed = time.perf_counter() - start
        if response.status_code != 200:
            raise RuntimeError(f"a request answered {response.status_code}")
        return elapsed

    try:
        with ThreadPoolExecutor(max_workers=job["concurrency"]) as pool:
            print(json.dumps(list(pool.map(one, job["payloads"]))))
    finally:
        driver.close()


def slack_ack_bench(interactions: int = 200, concurrency: int = 20, model_delay: float = 1.0,
                    policies_dir: str | Path = "policies", backend: Any = None) -> dict[str, Any]:
    """p50 / p99 acknowledgement latency in milliseconds (and how many replies were posted).

    ``backend``: the model the app drafts with (default: a fake one taking ``model_delay``
    seconds per draft, which keeps the model busy but not the CPU)."""
    slack = subprocess.Popen([sys.executable, "-m", "devtools.loopback", "--member", "CREVIEW=UBENCH"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert slack.stdout is not None and slack.stdin is not None
    api_url = slack.stdout.readline().strip()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(backend=FAKE_MODEL, db_path=Path(tmp) / "bench.db", policies_dir=Path(policies_dir),
                            slack_bot_token="xoxb-bench", slack_signing_secret=SECRET, slack_app_token=None,
                            slack_api_url=api_url, review_channel="CREVIEW", approvers=["UBENCH"],
                            outbox_file=Path(tmp) / "outbox.jsonl", sources_file=None)
        from assistant.store import Store

        store = Store(settings.db_path)
        fake = backend is None
        model = FakeBackend() if fake else backend
        # The cards are set up with the fake model (a hundred real drafts would take minutes
        # before the first click); the timed clicks then queue drafts on ``model``.
        engine = Engine(settings, store, PolicyRegistry(settings.policies_dir), backend=FakeBackend())
        runtime = build_runtime(settings, engine)
        app = create_app(engine, runtime, settings)
        services = app.services
        server = HttpServer(asgi_app(app, runtime.routes)).start()
        try:
            count = interactions // 2 + 1
            ids = engine.ingest(Mention(source="bench", external_id=str(i), author=f"person{i}",
                                        text=QUESTIONS[i % len(QUESTIONS)]) for i in range(count))
            for mention_id in ids:
                engine.process(mention_id)
                services.poster.post_card(mention_id)
            services.workers.drain(timeout=600)
            if fake:
                model.delay = model_delay  # from here on every draft keeps the model busy
            else:
                model.load()
            engine._backend = model  # noqa: SLF001 (the bench swaps the model under a running app)

            def payload(i: int) -> dict[str, Any]:
                mention_id = ids[i // 2]
                card = tables.card(store, mention_id) or {"channel": "CREVIEW", "ts": None}
                latest = store.latest_draft(mention_id)
                value = action_value(mention_id, latest[0] if latest else None)
                if i % 4 == 1:
                    return block_actions("edit", value, "UBENCH", card["channel"], card["ts"])
                if i % 4 == 2:  # queues a new draft: the model works while the rest arrive
                    meta = json.dumps({"m": mention_id, "r": {"channel": card["channel"], "ts": card["ts"]}})
                    return view_submission("regenerate_submit", {}, meta, "UBENCH")
                # Approve, and (i % 4 == 3) Approve on a card whose draft is being regenerated:
                # refused, or approved once
                return block_actions("approve", value, "UBENCH", card["channel"], card["ts"])

            drafts_before = store.count("drafts")
            times = sorted(_clicks(server.url, SECRET, [payload(i) for i in range(interactions)], concurrency))
            busy = services.workers.busy()
            drafts_during = store.count("drafts") - drafts_before
            # Bolt runs listeners after the ack: let the last ones finish before counting.
            app.listener_pool.shutdown(wait=True)
            cuts = statistics.quantiles(times, n=100, method="inclusive")
            result = {
                "interactions": interactions, "concurrency": concurrency, "model_delay_s": model_delay,
                "p50_ms": round(cuts[49] * 1000, 1), "p99_ms": round(cuts[98] * 1000, 1),
                "max_ms": round(times[-1] * 1000, 1),
                "model": "fake (sleeps)" if fake else f"{model.name} {model.model_name}",
                "model_busy": busy, "drafts_during": drafts_during,
            }
            services.workers.io.submit(lambda: None).result()
            deadline = time.monotonic() + 30
            while store.outbox_items("pending", "sending") and time.monotonic() < deadline:
                time.sleep(0.05)
            result["posted"] = len(store.outbox_items("posted"))
            return result
        finally:
            server.stop()
            services.close(wait=False)  # drop queued drafts, let the running ones finish
            services.workers.model.shutdown(wait=True)
            services.workers.io.shutdown(wait=True)
            runtime.stop()
            store.close()
            slack.stdin.close()
            slack.wait(10)


if __name__ == "__main__":  # python -m devtools.slack_bench [--clicks]
    if "--clicks" in sys.argv:
        _send_clicks()
    else:
        print(slack_ack_bench())
