"""HTTP helpers shared by the connectors: map transport failures and status codes
onto ``PostError`` so the outbox worker can decide: retry, check first, or stop."""

from __future__ import annotations

import email.utils
import time

import httpx

from .base import PostError

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
