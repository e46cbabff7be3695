"""Webhook signatures: HMAC-SHA256 over a timestamp and the body, both ways.

A delivery in, and a reply out, carry ``X-Assistant-Timestamp: <unix time>`` and
``X-Assistant-Signature: v1=<hex HMAC-SHA256 of "v1:<timestamp>:<raw body>">`` under the
source's secret (webhook.py shows a sender). A signature is valid for ``REPLAY_WINDOW``
seconds either side of its timestamp. The old body-only form (``sha256=<hex HMAC of the
body>``, no timestamp, in ``X-Assistant-Signature`` or ``X-Hub-Signature-256``) never
expires: it is still accepted in this release, and ``DEPRECATED`` says so to the sender.

``read_claim`` reads what a request's headers claim before its body is read (so a request
with no valid-looking signature is refused unread); ``Claim.matches`` checks it against
the body. A receiver of our replies checks them with ``check_signature``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass

SIGNATURE_HEADER = "X-Assistant-Signature"
TIMESTAMP_HEADER = "X-Assistant-Timestamp"
LEGACY_HEADER = "X-Hub-Signature-256"  # body-only, deprecated
REPLAY_WINDOW = 300  # seconds either side of the signed timestamp (Slack's figure)

SIGNING_HINT = (f"send {TIMESTAMP_HEADER}: <unix time> and {SIGNATURE_HEADER}: v1=<hex HMAC-SHA256 of "
                "'v1:<timestamp>:<raw body>' under the source's secret>")
DEPRECATED = ("body-only signatures (sha256=, no timestamp) are deprecated and will be refused in the next "
              f"release: {SIGNING_HINT}")


def sign(secret: str, body: bytes) -> str:
    """The deprecated body-only signature, ``sha256=<hex>``: it never expires, so a captured
    delivery could be replayed. Use ``signed_headers``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def sign_v1(secret: str, body: bytes, timestamp: int | str) -> str:
    """``v1=<hex HMAC-SHA256 of "v1:<timestamp>:<body>">``."""
    signed = b"v1:" + str(timestamp).encode() + b":" + body
    return "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The headers that sign ``body`` now (or at ``timestamp``)."""
    ts = str(int(time.time()) if timestamp is None else int(timestamp))
    return {TIMESTAMP_HEADER: ts, SIGNATURE_HEADER: sign_v1(secret, body, ts)}


@dataclass(frozen=True)
class Claim:
    """What a request's headers claim, before the body is read."""

    signature: str
    timestamp: str | None  # None: the deprecated body-only form

    @property
    def legacy(self) -> bool:
        return self.timestamp is None

    def matches(self, secret: str, body: bytes) -> bool:
        expected = sign(secret, body) if self.timestamp is None else sign_v1(secret, body, self.timestamp)
        return hmac.compare_digest(expected.encode(), self.signature.encode())


def read_claim(headers: Mapping[str, str], now: float) -> Claim | str:
    """The signature the headers claim, or why they cannot be right (one line). ``headers``:
    a case-insensitive mapping (Starlette's, httpx's) or one with lower-case keys."""
    signature = (headers.get(SIGNATURE_HEADER.lower()) or headers.get(LEGACY_HEADER.lower()) or "").strip()
    if not signature:
        return f"missing signature: {SIGNING_HINT}"
    if signature.startswith("sha256="):
        return Claim(signature, None)
    if not signature.startswith("v1="):
        return f"bad signature: {SIGNING_HINT}"
    ts = (headers.get(TIMESTAMP_HEADER.lower()) or "").strip()
    if not ts:
        return f"missing {TIMESTAMP_HEADER}: {SIGNING_HINT}"
    if not re.fullmatch(r"[0-9]{1,12}", ts):
        return f"bad {TIMESTAMP_HEADER} {ts[:20]!r}: {SIGNING_HINT}"
    age = now - int(ts)
    if abs(age) > REPLAY_WINDOW:
        when = f"{age:.0f} s old" if age > 0 else f"{-age:.0f} s in the future"
        return (f"expired signature: its timestamp is {when}, and a signature is valid for 5 minutes "
                "(sign each delivery when it is sent, and check the sender's clock)")
    return Claim(signature, ts)


def check_signature(secret: str, body: bytes, headers: Mapping[str, str], now: float | None = None) -> str | None:
    """None when ``headers`` (any mapping of header names, in any case) sign ``body`` under
    ``secret``: a v1 signature within five minutes of its timestamp, or the deprecated
    body-only one. Otherwise the reason, one line."""
    if isinstance(headers, dict):
        headers = {k.lower(): v for k, v in headers.items()}
    claim = read_claim(headers, time.time() if now is None else now)
    if isinstance(claim, str):
        return claim
    return None if claim.matches(secret, body) else f"bad signature: {SIGNING_HINT}"
