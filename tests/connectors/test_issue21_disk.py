"""Issue 21, item 8: a full disk under the database. Webhook deliveries are answered 503
with one line (the sender sends them again), nothing already accepted is lost, and
/healthz says what is broken instead of "ok". Over real HTTP, on a real SQLite file on a
small tmpfs (the test needs to mount one: root, as in the container; skipped elsewhere)."""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tmpfs import mounted_tmpfs

from assistant.connectors.health import HEALTH
from assistant.settings import Settings
from assistant.store import Store
from assistant.web.server import database_problem, side_app
from devtools.fakes import FAKE_MODEL

from .conftest import StubEngine
from .servers import serve_asgi
from .test_webhook import make_runtime, post


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    with mounted_tmpfs(tmp_path / "disk", "3m") as disk:
        yield disk


def _fill(disk: Path) -> Path:
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (65536, 512, 1):  # to the last byte
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)
    return filler


def _stored(db: Path) -> set[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {r[0] for r in conn.execute("SELECT external_id FROM mentions")}
    finally:
        conn.close()


def test_a_full_disk_gives_503_and_healthz_says_so_and_nothing_accepted_is_lost(small_disk: Path) -> None:
    settings = Settings(db_path=small_disk / "assistant.db", outbox_file=small_disk / "outbox.jsonl",
                        sources_file=None, backend=FAKE_MODEL, policies_dir=small_disk / "policies")
    store = Store(settings.db_path)
    rt = make_runtime(settings, StubEngine(settings, store))
    HEALTH.check("database", lambda: database_problem(settings.db_path))  # as `assistant serve` does
    rt.start()
    try:
        with serve_asgi(side_app(rt.routes)) as url, httpx.Client(trust_env=False) as client:
            first = [{"id": f"ok{i}", "author": "ann", "text": f"Where is my order {i}?"} for i in range(20)]
            r = post(f"{url}/webhooks/zap", {"mentions": first}, client=client)
            assert r.status_code == 202 and r.json()["new"] == 20
            health = client.get(f"{url}/healthz")
            assert (health.status_code, health.text) == (200, "ok")

            filler = _fill(small_disk)
            batch = [{"id": f"full{i}", "author": "bo", "text": f"My parcel {i} is late " + "x" * 2000}
                     for i in range(300)]
            r = post(f"{url}/webhooks/zap", {"mentions": batch}, client=client)
            assert r.status_code == 503, r.text
            assert r.headers["Retry-After"] == "60"
            error = r.json()["error"]
            assert "\n" not in error and "full" in error and "send it again later" in error
            health = client.get(f"{url}/healthz")
            assert health.status_code == 503
            lines = health.text.splitlines()
            assert any(x.startswith("database: the disk holding") and "full" in x for x in lines), lines
            assert any(x.startswith("webhooks: cannot store deliveries since") for x in lines), lines
            assert {f"ok{i}" for i in range(20)} <= _stored(settings.db_path)  # nothing accepted is lost

            filler.unlink()
            r = post(f"{url}/webhooks/zap", {"mentions": batch}, client=client)
            assert r.status_code == 202, r.text
            assert _stored(settings.db_path) >= {f"full{i}" for i in range(300)} | {f"ok{i}" for i in range(20)}
            health = client.get(f"{url}/healthz")
            assert (health.status_code, health.text) == (200, "ok")
    finally:
        rt.stop()
        HEALTH.check("database", None)
        HEALTH.clear("webhooks")
        store.close()
        os.sync()
