"""Running the Bolt app: HTTP mode (Starlette under uvicorn, answering at /slack/events
beside the runtime's own routes) or Socket Mode (a websocket Slack opens to us)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import uvicorn
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from assistant.connectors.health import HEALTH
from assistant.connectors.http import BodyTooLarge, read_body, too_large

log = logging.getLogger("assistant.slack")

EVENTS_PATH = "/slack/events"
# Slack's largest requests are interactions carrying a whole card (50 blocks of 3,000
# characters, URL-encoded): well under this. Nothing past it is ever read.
MAX_BODY = 4_000_000
SIGNATURE_WINDOW = 300  # seconds; Slack's own rule, as Bolt applies it
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


def _unauthorised(unread: bool = False) -> JSONResponse:
    """What Bolt answers a bad signature. ``unread``: the body was not read, so the connection
    is closed after the answer (instead of the server draining it)."""
    return JSONResponse({"error": "invalid request"}, status_code=401,
                        headers={"Connection": "close"} if unread else None)


def asgi_app(app: App, routes: Sequence[Any] = ()) -> Starlette:
    """Slack's requests go to Bolt; Bolt's dispatch blocks until the listener acks, so it runs
    on a worker thread. Before that, with the app's signing secret (HTTP mode): a request
    without fresh signature headers is refused before its body is read; a body is read no
    further than MAX_BODY; a bad signature is refused before the body is parsed; and a body
    that is not one Slack sends (not JSON, nested too deeply, not an object) is a 400.
    Bolt checks the signature again (its RequestVerification)."""
    secret: str | None = getattr(app, "http_signing_secret", None)

    async def events(request: Request) -> Response:
        timestamp = (request.headers.get("x-slack-request-timestamp") or "").strip()
        signature = (request.headers.get("x-slack-signature") or "").strip()
        if secret and not (_TIMESTAMP.fullmatch(timestamp) and _SIGNATURE.fullmatch(signature)
                           and abs(time.time() - int(timestamp)) <= SIGNATURE_WINDOW):
            return _unauthorised(unread=True)
        try:
            body = await read_body(request, MAX_BODY)
        except BodyTooLarge:
            log.warning("refused a request to %s over %s bytes", EVENTS_PATH, MAX_BODY)
            return too_large(f"body over {MAX_BODY} bytes")
        if secret:
            expected = "v0=" + hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body,
                                        hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected, signature):
                return _unauthorised()
        try:
            bolt_request = to_bolt_request(request, body)
            if not isinstance(bolt_request.body, dict):
                raise ValueError(f"a JSON {type(bolt_request.body).__name__} where an object belongs")
        except RecursionError:
            return _not_slack("nested too deeply")
        except Exception as exc:  # a body Slack never sends: not UTF-8, not JSON, not an object
            return _not_slack(f"{type(exc).__name__}: {exc}")
        bolt_response = await run_in_threadpool(app.dispatch, bolt_request)
        return to_starlette_response(bolt_response)

    return Starlette(routes=[Route(EVENTS_PATH, events, methods=["POST"]),
                             Route("/healthz", health, methods=["GET"]), *routes])


async def health(request: Request) -> Response:
    """``ok`` (200) when nothing is known to be broken. Otherwise one line per broken part, what
    is wrong and how to fix it: 503 when the service cannot do its work (a full or read-only
    disk, no usable policy), 200 after ``degraded`` when it works around it (a broken policy
    file, served with its last good copy)."""
    problems, failing = await run_in_threadpool(HEALTH.status)
    if not problems:
        return PlainTextResponse("ok")
    if failing:
        return PlainTextResponse("\n".join(problems) + "\n", status_code=503)
    return PlainTextResponse("degraded\n" + "\n".join(problems) + "\n")


def database_problem(db_path: str | os.PathLike[str], min_free: int = 1 << 20) -> str | None:
    """What stops the database at ``db_path`` from taking writes, or None: a read-only file
    system or file, or less than ``min_free`` bytes free on its disk."""
    from assistant.store import read_only_error

    path = Path(db_path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        stat = os.statvfs(folder)
    except OSError as exc:
        return f"its folder {folder} cannot be read ({exc.strerror}); check ASSISTANT_DB_PATH"
    read_only = read_only_error(path)  # the same line as the commands give
    if read_only is not None:
        return f"{read_only.message}; {read_only.fix}"
    if path.exists() and not os.access(path, os.W_OK):
        return f"{path} is read-only; make it writable for the user running the assistant"
    free = stat.f_bavail * stat.f_frsize
    if free < min_free:
        return f"the disk holding {path} is full ({free // 1024} KiB free); free some space"
    return None


def _not_slack(why: str) -> JSONResponse:
    why = " ".join(why.split())[:200]
    log.warning("refused a request to %s that is not one Slack sends: %s", EVENTS_PATH, why)
    return JSONResponse({"error": f"not a Slack request: {why}"}, status_code=400)


class HttpServer:
    """uvicorn on a background thread; port 0 picks a free port (tests, bench)."""

    def __init__(self, asgi: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        config = uvicorn.Config(asgi, host=host, port=port, log_level="warning", lifespan="off",
                                access_log=False, timeout_keep_alive=30)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="assistant-http", daemon=True)

    def start(self, timeout: float = 10.0) -> HttpServer:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the HTTP server did not start")
            time.sleep(0.01)
        return self

    @property
    def port(self) -> int:
        return int(self.server.servers[0].sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def serve_http(app: App, routes: Sequence[Any], host: str, port: int) -> None:
    """Run until interrupted (uvicorn handles Ctrl-C)."""
    uvicorn.run(asgi_app(app, routes), host=host, port=port, log_level="info", lifespan="off")


def side_app(routes: Sequence[Any] = ()) -> Starlette:
    """Socket Mode's HTTP server: ``/healthz`` and the runtime's webhook intake routes, and no
    ``/slack/events`` (Slack's requests come over the websocket; there is no signing secret to
    check an HTTP one with)."""
    return Starlette(routes=[Route("/healthz", health, methods=["GET"]), *routes])


def socket_mode_handler(app: App, app_token: str) -> Any:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    return SocketModeHandler(app, app_token=app_token, web_client=app.client)
