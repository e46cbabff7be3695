"""Sending huge request bodies on a raw socket, and counting what a server really read:
the size-limit tests of the webhook intake and of the Slack endpoint share these."""

from __future__ import annotations

import socket
import threading
from typing import Any
from urllib.parse import urlsplit

MB = 1 << 20


class CountingApp:
    """ASGI middleware: how many body bytes the application asked the server for."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.read = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def counted() -> Any:
            message = await receive()
            if message["type"] == "http.request":
                self.read += len(message.get("body", b""))
            return message

        await self.app(scope, counted, send)


def send_large(url: str, headers: dict[str, str], total: int, chunked: bool = True,
               content_length: int | None = None) -> tuple[int, dict[str, str], bytes, int]:
    """POST a ``total``-byte body in 1 MB pieces on a raw socket (chunked, or under a
    Content-Length), reading the answer on the same socket while sending. Sending stops
    as soon as an answer arrives or the server drops the connection.
    Returns (status, headers, body, bytes sent)."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    sock = socket.create_connection((host, port), timeout=60)
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {content_length or total}"
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    sock.sendall(f"POST {parts.path} HTTP/1.1\r\nHost: {host}:{port}\r\n{head}{framing}\r\n\r\n".encode())
    answered = threading.Event()
    sent = [0]
    piece = b"x" * MB
    frame = b"%x\r\n" % MB + piece + b"\r\n" if chunked else piece

    def pump() -> None:
        try:
            while sent[0] < total and not answered.is_set():
                sock.sendall(frame)
                sent[0] += MB
            if chunked and not answered.is_set():
                sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server closed the connection: what we want

    sender = threading.Thread(target=pump, daemon=True)
    sender.start()
    data = b""
    try:
        while True:
            if b"\r\n\r\n" in data:
                head_part, _, rest = data.partition(b"\r\n\r\n")
                lines = head_part.decode("latin-1").split("\r\n")
                got = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
                if len(rest) >= int(got.get("content-length", "0")):
                    break
            part = sock.recv(65536)
            if not part:
                break
            data += part
    except OSError:
        pass
    answered.set()
    sock.close()
    sender.join(30)
    assert b"\r\n\r\n" in data, f"no answer (sent {sent[0] // MB} MB)"
    head_part, _, body = data.partition(b"\r\n\r\n")
    lines = head_part.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    got = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
    return status, got, body, sent[0]
