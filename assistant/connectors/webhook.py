"""Webhooks: mentions in, replies out, both signed with HMAC-SHA256.

In: ``POST /webhooks/{source}`` (mounted in ``assistant serve``) with a JSON body:
one mention ``{"id": "...", "author": "...", "text": "...", "url": "...", "created_at": "..."}``,
a list of them, or ``{"mentions": [...]}``. The header ``X-Assistant-Signature:
sha256=<hex>`` is the HMAC-SHA256 of the raw body under the source's secret
(``X-Hub-Signature-256`` is accepted too). Answers: 202 with counts; 401 for a
missing or bad signature; 400 with the reason for a malformed body; 404 for an
unknown source; 413 for a body over 1 MB. The same id sent twice is stored once.

Out: an approved reply for a webhook source is POSTed as JSON to the source's
``reply_url``, signed the same way, with an ``Idempotency-Key`` header the receiver
should use to drop repeats (the outbox retries timeouts, 5xx and 429).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..domain import Mention, stable_id, utcnow
from ..errors import SettingsError
from ._http import status_error, transport_error
from .base import Capabilities, FetchResult, Posted, PostError, register

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Assistant-Signature"
MAX_BODY = 1_000_000
MAX_BATCH = 1000


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str | None) -> bool:
    if not signature:
        return False
    return hmac.compare_digest(sign(secret, body), signature.strip())


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


def intake_route(secret_for: SecretLookup, ingest: Ingest, on_reject: Rejected | None = None,
                 path: str = "/webhooks/{source}") -> Route:
    async def receive(request: Request) -> JSONResponse:
        source = request.path_params["source"]

        def reject(status: int, reason: str) -> JSONResponse:
            log.warning("webhook %s: %s %s", source, status, reason)
            if on_reject is not None:
                on_reject(source, reason, status)
            return JSONResponse({"error": reason}, status_code=status)

        secret = secret_for(source)
        if secret is None:
            return JSONResponse({"error": f"no webhook source named {source!r}"}, status_code=404)
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_BODY:
            return reject(413, f"body over {MAX_BODY} bytes: send fewer mentions per request")
        body = await request.body()
        if len(body) > MAX_BODY:
            return reject(413, f"body over {MAX_BODY} bytes: send fewer mentions per request")
        signature = request.headers.get(SIGNATURE_HEADER) or request.headers.get("X-Hub-Signature-256")
        if not verify(secret, body, signature):
            what = "missing" if not signature else "bad"
            return reject(401, f"{what} signature: send {SIGNATURE_HEADER}: sha256=<HMAC-SHA256 of the raw"
                               " body under the source's secret, hex>")
        try:
            mentions = parse_body(source, body)
        except ValueError as exc:
            return reject(400, str(exc))
        new = await run_in_threadpool(ingest, source, mentions)
        unique = len({m.external_id for m in mentions})
        return JSONResponse({"received": len(mentions), "new": len(new), "duplicates": len(mentions) - len(new),
                             "unique": unique, "ids": [m.key for m in mentions]}, status_code=202)

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
                   SIGNATURE_HEADER: sign(self.reply_secret, body)}
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
