"""Running the Bolt app: HTTP mode (Starlette under uvicorn, answering at /slack/events
beside the runtime's own routes) or Socket Mode (a websocket Slack opens to us)."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

import uvicorn
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

EVENTS_PATH = "/slack/events"


def asgi_app(app: App, routes: Sequence[Any] = ()) -> Starlette:
    """Slack's requests go to Bolt (signature checked first, by Bolt's RequestVerification);
    Bolt's dispatch blocks until the listener acks, so it runs on a worker thread."""

    async def events(request: Request) -> Response:
        body = await request.body()
        bolt_response = await run_in_threadpool(app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(bolt_response)

    async def health(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(routes=[Route(EVENTS_PATH, events, methods=["POST"]),
                             Route("/healthz", health, methods=["GET"]), *routes])


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


def socket_mode_handler(app: App, app_token: str) -> Any:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    return SocketModeHandler(app, app_token=app_token, web_client=app.client)
