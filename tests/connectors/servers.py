"""Loopback servers for the connector tests: everything binds 127.0.0.1 on port 0.

* ``serve_asgi(app)``: a real uvicorn server in a thread (Starlette fakes, the webhook intake).
* ``FaultProxy(upstream)``: an HTTP proxy in front of any of them that injects faults
  on demand: a status (500, 429 with Retry-After, 401...), ``timeout`` (holds the
  request past the client's timeout, never forwarding it), ``reset`` (TCP RST, not
  forwarded), ``lost`` (forwarded, so it lands, then the connection is reset: the
  "posted but the answer was lost" case) and ``lost-timeout``.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import uvicorn

HOST = "127.0.0.1"


@contextlib.contextmanager
def serve_asgi(app: Any) -> Iterator[str]:
    server = uvicorn.Server(uvicorn.Config(app, host=HOST, port=0, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 10
    while not server.started:
        if time.time() > deadline or not thread.is_alive():
            raise RuntimeError("loopback server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{HOST}:{port}"
    finally:
        server.should_exit = True
        thread.join(5)


@dataclass
class Fault:
    action: str  # "500", "429", "401", "timeout", "reset", "lost", "lost-timeout"
    method: str | None = "POST"
    path: str = ""
    retry_after: str | None = None


def _reset(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()


class FaultProxy:
    def __init__(self, upstream: str, hold: float = 1.5) -> None:
        self.upstream = upstream.rstrip("/")
        self.hold = hold  # how long "timeout" faults keep the client waiting
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, str, str]] = []  # (method, path, outcome)
        self._lock = threading.Lock()
        self._client = httpx.Client(timeout=30, trust_env=False)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fault = proxy._take(self.command, self.path)
                action = fault.action if fault else "forward"
                proxy.requests.append((self.command, self.path, action))
                if action == "reset":
                    _reset(self.connection)
                    return
                if action == "timeout":
                    time.sleep(proxy.hold)
                    _reset(self.connection)
                    return
                if action.isdigit():
                    self.send_response(int(action))
                    if fault and fault.retry_after is not None:
                        self.send_header("Retry-After", fault.retry_after)
                    payload = b'{"error": "injected fault"}'
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "content-length", "connection", "accept-encoding")}
                resp = proxy._client.request(self.command, proxy.upstream + self.path, content=body,
                                             headers=headers)
                if action == "lost":
                    _reset(self.connection)
                    return
                if action == "lost-timeout":
                    time.sleep(proxy.hold)
                    _reset(self.connection)
                    return
                self.send_response(resp.status_code)
                for k, v in resp.headers.items():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding",
                                         "date", "server"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(resp.content)))
                self.end_headers()
                self.wfile.write(resp.content)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

            def finish(self) -> None:
                with contextlib.suppress(OSError):
                    super().finish()

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass

        self.server = Server((HOST, 0), Handler)
        self.url = f"http://{HOST}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def inject(self, action: str, method: str | None = "POST", path: str = "", times: int = 1,
               retry_after: str | None = None) -> None:
        with self._lock:
            self.faults.extend(Fault(action, method, path, retry_after) for _ in range(times))

    def _take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for i, f in enumerate(self.faults):
                if (f.method is None or f.method == method) and path.startswith(f.path):
                    return self.faults.pop(i)
        return None

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._client.close()
