"""Webhooks: mentions in, replies out, both signed with HMAC-SHA256 over a timestamp and the body.

In: ``POST /webhooks/{source}`` (mounted in ``assistant serve``) with a JSON body:
one mention ``{"id": "...", "author": "...", "text": "...", "url": "...", "created_at": "..."}``,
a list of them, or ``{"mentions": [...]}``, and two headers::

    X-Assistant-Timestamp: <unix time, seconds>
    X-Assistant-Signature: v1=<hex HMAC-SHA256 of "v1:<timestamp>:<raw body>" under the source's secret>

A sender in Python::

    ts = str(int(time.time()))
    mac = hmac.new(secret.encode(), f"v1:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    httpx.post(url, content=body, headers={"Content-Type": "application/json",
                                           "X-Assistant-Timestamp": ts, "X-Assistant-Signature": f"v1={mac}"})

or in a shell::

    ts=$(date +%s)
    sig=$(printf 'v1:%s:%s' "$ts" "$body" | openssl dgst -sha256 -hmac "$SECRET" -hex | sed 's/^.* //')
    curl -X POST "$URL" -H "Content-Type: application/json" -H "X-Assistant-Timestamp: $ts" \
         -H "X-Assistant-Signature: v1=$sig" --data "$body"

A signature is valid for five minutes either side of the timestamp, so a captured delivery
cannot be replayed later (and a repeat within the window is a duplicate: stored once). The
old body-only form (``X-Assistant-Signature`` or ``X-Hub-Signature-256``: ``sha256=<hex HMAC
of the body>``, no timestamp) is still accepted in this release, logged and answered as
deprecated; it will be refused in the next one.

Answers: 202 with counts; 401 for a missing, bad or expired signature, and for a source name
that does not exist (the same answer as a bad signature, so names cannot be probed); 413 for
a body over 1 MB, cut off as soon as it passes the limit (nothing more is read); 400 with the
reason for a malformed body (only once the signature is good). The same id sent twice is stored
once. Refusals before the sender is authenticated (401, 413) are logged and recorded in
``events`` at most once a minute per source, the next record counting those left out.

Out: an approved reply for a webhook source is POSTed as JSON to the source's ``reply_url``,
signed the same way (``X-Assistant-Timestamp`` and ``X-Assistant-Signature: v1=...``; the
deprecated body-only ``X-Hub-Signature-256: sha256=...`` too, for one release), with an
``Idempotency-Key`` header the receiver should use to drop repeats (the outbox retries
timeouts, 5xx and 429). A receiver checks it with ``check_signature(secret, body, headers)``.

Signing and checking signatures is signing.py; the process's health, which the intake
reports a store it cannot write to, is health.py.
"""

from __future__ import annotations

import json
import logging
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from assistant.connectors.base import Capabilities, FetchResult, Posted, PostError, register
from assistant.connectors.health import HEALTH, storage_problem
from assistant.connectors.http import BodyTooLarge, read_body, status_error, too_large, transport_error
from assistant.connectors.signing import (
    DEPRECATED,
    LEGACY_HEADER,
    SIGNING_HINT,
    read_claim,
    sign,
    signed_headers,
)
from assistant.domain.errors import SettingsError
from assistant.domain.models import Mention, stable_id, utcnow

log = logging.getLogger(__name__)

MAX_BODY = 1_000_000
MAX_BATCH = 1000
REFUSALS_EVERY = 60.0  # at most one events row per source and status in this many seconds
DEPRECATION_EVERY = 3600.0  # log a source's body-only signatures at most this often
UNKNOWN_SOURCE = "(unknown)"  # the events row's source for names that are not configured
_monotonic = time.monotonic  # the clock for REFUSALS_EVERY (tests move it)


class WebhookMention(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    id: str | None = Field(None, min_length=1, max_length=200)
    author: str = Field("", max_length=200)
    text: str = Field(min_length=1, max_length=20_000)
    url: str | None = Field(None, max_length=2000)
    created_at: str | None = None
    in_reply_to: str | None = None
    network: str | None = Field(None, max_length=40)


class WebhookBatch(BaseModel):
    mentions: list[WebhookMention] = Field(min_length=1, max_length=MAX_BATCH)


def parse_body(source: str, body: bytes) -> list[Mention]:
    """The mentions in a webhook body. Raises ValueError with a one-line reason."""
    try:
        data = json.loads(body)
    except RecursionError:
        raise ValueError("body is nested too deeply: send mentions as flat JSON objects") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"body is not JSON: {exc}") from None
    if isinstance(data, list):
        data = {"mentions": data}
    elif isinstance(data, dict) and "mentions" not in data:
        data = {"mentions": [data]}
    if not isinstance(data, dict):
        raise ValueError("body must be a JSON object, a list of them, or {\"mentions\": [...]}")
    try:
        batch = WebhookBatch.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"]).lstrip(".")
        raise ValueError(f"{where or 'body'}: {err['msg']}") from None
    return [
        Mention(source=source, network=m.network or "webhook",
                external_id=m.id or stable_id(source, m.author, m.text, m.created_at),
                author=m.author, text=m.text, url=m.url, created_at=m.created_at, in_reply_to=m.in_reply_to)
        for m in batch.mentions
    ]


# Given a source name: its secret, or None when there is no webhook source by that name.
SecretLookup = Callable[[str], str | None]
# Store mentions, returning the ids that were new (Engine.ingest / Store.add_mentions).
Ingest = Callable[[str, list[Mention]], list[str]]
Rejected = Callable[[str, str, int], None]


class _Refusals:
    """Refusals of senders not yet authenticated (401, 413): logged and passed on to
    ``on_reject`` (a row in ``events``) at most once per source and status every
    REFUSALS_EVERY seconds; the next one passed on says how many were left out. Names that
    are not configured share one key, so a flood of made-up names writes no more."""

    def __init__(self, on_reject: Rejected | None) -> None:
        self.on_reject = on_reject
        self.lock = threading.Lock()
        self.last: dict[tuple[str, int], list[float]] = {}  # key -> [passed on at, left out since]

    def __call__(self, source: str, reason: str, status: int) -> None:
        now = _monotonic()
        with self.lock:
            seen = self.last.get((source, status))
            if seen is not None and now - seen[0] < REFUSALS_EVERY:
                seen[1] += 1
                return
            left_out = int(seen[1]) if seen else 0
            self.last[(source, status)] = [now, 0]
        if left_out:
            reason += f" ({left_out} more refused since the previous entry)"
        log.warning("webhook %s: %s %s", source, status, reason)
        if self.on_reject is not None:
            self.on_reject(source, reason, status)


def intake_route(secret_for: SecretLookup, ingest: Ingest, on_reject: Rejected | None = None,
                 path: str = "/webhooks/{source}") -> Route:
    refusals = _Refusals(on_reject)
    # Names that are not configured are checked against a secret nobody has: the same work
    # and the same answers as a bad signature, so an unknown name cannot be told apart.
    decoy = secrets.token_hex(32)
    warned: dict[str, float] = {}

    async def receive(request: Request) -> JSONResponse:
        source = request.path_params["source"]
        secret = secret_for(source)

        def refuse(status: int, reason: str, unread: bool = False) -> JSONResponse:
            """Before the sender is authenticated: the answer never depends on the source.
            ``unread``: the body was not read, so the connection is closed after the answer."""
            if secret is None:
                refusals(UNKNOWN_SOURCE, f"no webhook source named {source[:80]!r} (answered {status}): {reason}",
                         status)
            else:
                refusals(source, reason, status)
            if status == 413:
                return too_large(reason)
            return JSONResponse({"error": reason}, status_code=status, headers={"Connection": "close"} if unread else None)

        claim = read_claim(request.headers, time.time())
        if isinstance(claim, str):
            return refuse(401, claim, unread=True)  # nothing of the body is read
        try:
            body = await read_body(request, MAX_BODY)
        except BodyTooLarge:
            return refuse(413, f"body over {MAX_BODY} bytes: send fewer mentions per request")
        if not claim.matches(secret if secret is not None else decoy, body):
            return refuse(401, f"bad signature: {SIGNING_HINT}")

        def reject(status: int, reason: str) -> JSONResponse:
            log.warning("webhook %s: %s %s", source, status, reason)
            if on_reject is not None:
                on_reject(source, reason, status)
            return JSONResponse({"error": reason}, status_code=status)

        try:
            mentions = parse_body(source, body)
        except ValueError as exc:
            return reject(400, str(exc))
        try:
            new = await run_in_threadpool(ingest, source, mentions)
        except (sqlite3.OperationalError, sqlite3.DatabaseError, OSError) as exc:
            # A full disk or a read-only database: the sender keeps the delivery and sends it
            # again (a 503 asks for that); what was stored before stays, and a mention stored
            # from a part of this delivery is not stored twice.
            why = storage_problem(exc)
            HEALTH.report("webhooks", f"cannot store deliveries since {utcnow():%Y-%m-%d %H:%M} UTC: {why}")
            log.error("webhook %s: 503 %s", source, why)
            return JSONResponse({"error": f"the assistant cannot store mentions now: {why}; nothing new was "
                                          "stored from this delivery, send it again later"},
                                status_code=503, headers={"Retry-After": "60"})
        HEALTH.clear("webhooks")
        unique = len({m.external_id for m in mentions})
        answer: dict[str, Any] = {"received": len(mentions), "new": len(new), "duplicates": len(mentions) - len(new),
                                  "unique": unique, "ids": [m.key for m in mentions]}
        if claim.legacy:
            answer["warning"] = DEPRECATED
            now = _monotonic()
            if source not in warned or now - warned[source] >= DEPRECATION_EVERY:
                warned[source] = now
                log.warning("webhook %s: accepted a body-only signature; %s", source, DEPRECATED)
        return JSONResponse(answer, status_code=202)

    return Route(path, receive, methods=["POST"])


class WebhookConnector:
    """A push source: ``fetch`` has nothing to poll; replies go to ``reply_url`` if set."""

    def __init__(self, source: str = "webhook", secret: str | None = None, reply_url: str | None = None,
                 reply_secret: str | None = None, timeout: float = 10.0, max_length: int = 5000,
                 transport: httpx.BaseTransport | None = None) -> None:
        if not secret:
            raise SettingsError(f"source {source}: a webhook source needs a secret",
                                "set options.secret_env to the name of a variable holding it")
        self.name = source
        self.secret = secret
        self.reply_url = reply_url
        self.reply_secret = reply_secret or secret
        self.max_length = max_length
        self._client = httpx.Client(timeout=timeout, transport=transport)

    def capabilities(self) -> Capabilities:
        return Capabilities(reply=bool(self.reply_url), hide=False, search=False, max_length=self.max_length)

    def fetch(self, cursor: str | None) -> FetchResult:
        return FetchResult([], cursor)

    def reply(self, mention: Mention, text: str, idempotency_key: str) -> Posted:
        if not self.reply_url:
            raise PostError(f"source {self.name} has no reply_url: answer in the tool that sent the mention",
                            permanent=True)
        body = json.dumps({
            "idempotency_key": idempotency_key, "source": self.name, "in_reply_to": mention.external_id,
            "mention": {"id": mention.external_id, "author": mention.author, "url": mention.url},
            "text": text, "approved_at": utcnow().isoformat(timespec="seconds"),
        }, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": idempotency_key,
                   **signed_headers(self.reply_secret, body),
                   LEGACY_HEADER: sign(self.reply_secret, body)}  # for receivers not updated yet; goes next release
        where = f"webhook {self.reply_url}"
        try:
            resp = self._client.post(self.reply_url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise transport_error(where, exc) from None
        if resp.status_code >= 300:
            raise status_error(where, resp.status_code, resp.text, resp.headers.get("Retry-After"))
        try:
            data: Any = resp.json()
        except ValueError:
            data = {}
        data = data if isinstance(data, dict) else {}
        return Posted(str(data.get("id") or idempotency_key), data.get("url"))

    def find_reply(self, mention: Mention, idempotency_key: str) -> Posted | None:
        # A webhook receiver cannot be asked; the repeat carries the same Idempotency-Key.
        return None


@register("webhook")
def _create(**options: Any) -> WebhookConnector:
    return WebhookConnector(**options)
