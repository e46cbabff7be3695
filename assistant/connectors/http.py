"""HTTP helpers shared by the connectors: map transport failures and status codes
onto ``PostError`` so the outbox worker can decide: retry, check first, or stop; and,
for the servers (webhook intake, Slack's /slack/events), read a request body without
ever holding more than a limit."""

from __future__ import annotations

import email.utils
import time

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse

from assistant.connectors.base import PostError

# A permanent failure: asking again gives the same answer, so a person must act.
PERMANENT = {400: "bad request", 401: "unauthorised", 403: "forbidden", 404: "not found",
             410: "gone", 413: "too large", 422: "rejected as invalid"}


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Parse a Retry-After header: seconds, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


def status_error(where: str, status: int, body: str = "", retry_after: str | None = None) -> PostError:
    """The PostError for an HTTP answer that was not a success."""
    detail = body.strip().replace("\n", " ")[:200]
    detail = f": {detail}" if detail else ""
    if status == 429:
        return PostError(f"{where} answered 429 rate limited{detail}",
                         retry_after=retry_after_seconds(retry_after) or None)
    if status in PERMANENT or (400 <= status < 500 and status != 408):
        fix = {401: "check the source's credentials (its *_env variable)",
               403: "check the account's permissions or whether it was suspended",
               404: "the post replied to was probably deleted"}.get(status, "edit the reply or the source settings")
        return PostError(f"{where} answered {status} {PERMANENT.get(status, 'client error')}{detail} ({fix})",
                         permanent=True)
    # 5xx and 408: the server may or may not have acted on it.
    return PostError(f"{where} answered {status}{detail}", ambiguous=status >= 500 or status == 408,
                     retry_after=retry_after_seconds(retry_after))


def transport_error(where: str, exc: Exception) -> PostError:
    """A request that got no answer. Connect failures never reached the server;
    anything later (reset, read timeout) may have landed: ambiguous."""
    sent = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
    kind = type(exc).__name__
    return PostError(f"{where}: {kind} {exc}".strip(), ambiguous=sent)


# -- reading request bodies (the servers: webhook intake, Slack's /slack/events) ---------------


class BodyTooLarge(Exception):
    """A request body over the limit. Nothing past the limit was read."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"body over {limit} bytes")


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, never reading more than ``limit`` bytes: a Content-Length over the
    limit is refused before anything is read, and a chunked body is read piece by piece and
    cut off as soon as it passes the limit. Raises BodyTooLarge."""
    length = request.headers.get("content-length", "").strip()
    if length.isdigit() and int(length) > limit:
        raise BodyTooLarge(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge(limit)
    return bytes(body)


def too_large(message: str) -> JSONResponse:
    """413, and the connection is closed after it, so the server stops reading the rest of
    the body instead of draining it."""
    return JSONResponse({"error": message}, status_code=413, headers={"Connection": "close"})
