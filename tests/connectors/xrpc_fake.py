"""A loopback Bluesky PDS + AppView fake speaking the XRPC endpoints the connector uses.

Stateful: posts made by the test's "people" and by the logged-in account (through
createRecord) are kept, notifications are derived from them (mentions of our
handle, replies to our posts), and every answer has the shape atproto's models expect.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

HANDLE, PASSWORD = "acme.test", "app-pass-1234"


def did_for(handle: str) -> str:
    return "did:plc:" + base64.b32encode(hashlib.sha256(handle.encode()).digest()).decode().lower()[:24]


def cid_for(data: Any) -> str:
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).digest()
    return "bafyrei" + base64.b32encode(digest).decode().lower().rstrip("=")[:52]


def jwt(sub: str, scope: str) -> str:
    def enc(d: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")
    now = int(time.time())
    return f"{enc({'alg': 'HS256', 'typ': 'at+jwt'})}.{enc({'scope': scope, 'sub': sub, 'iat': now, 'exp': now + 7200})}.c2ln"


class XrpcFake:
    def __init__(self) -> None:
        self.did = did_for(HANDLE)
        self.posts: dict[str, dict[str, Any]] = {}  # uri -> post view
        self.order: list[str] = []
        self.lock = threading.Lock()
        self._clock = itertools.count(1)
        self._start = datetime(2025, 6, 1, tzinfo=UTC)
        self.logins = 0

    def _now(self) -> str:
        t = self._start + timedelta(seconds=next(self._clock))
        return t.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def add_post(self, handle: str, text: str, reply_to: str | None = None, did: str | None = None) -> str:
        """A post by someone (or, with did=self.did, by us); returns its at-uri."""
        with self.lock:
            did = did or did_for(handle)
            rkey = f"3l{len(self.order):011d}"
            uri = f"at://{did}/app.bsky.feed.post/{rkey}"
            now = self._now()
            record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": text, "createdAt": now}
            if reply_to:
                parent = self.posts[reply_to]
                root = parent["record"].get("reply", {}).get("root") or {"uri": parent["uri"], "cid": parent["cid"]}
                record["reply"] = {"root": root, "parent": {"uri": parent["uri"], "cid": parent["cid"]}}
            self.posts[uri] = {"uri": uri, "cid": cid_for(record), "author": {"did": did, "handle": handle},
                               "record": record, "indexedAt": now}
            self.order.append(uri)
            return uri

    def replies_to(self, uri: str, by: str | None = None) -> list[dict[str, Any]]:
        return [p for p in self.posts.values()
                if p["record"].get("reply", {}).get("parent", {}).get("uri") == uri
                and (by is None or p["author"]["did"] == by)]

    # -- endpoints --------------------------------------------------------------------------------

    def _authed(self, request: Request) -> bool:
        return request.headers.get("authorization", "").startswith("Bearer ")

    async def create_session(self, request: Request) -> JSONResponse:
        body = await request.json()
        if body.get("identifier") != HANDLE or body.get("password") != PASSWORD:
            return JSONResponse({"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
                                status_code=401)
        self.logins += 1
        return JSONResponse({"did": self.did, "handle": HANDLE, "accessJwt": jwt(self.did, "com.atproto.access"),
                             "refreshJwt": jwt(self.did, "com.atproto.refresh"), "active": True})

    async def get_profile(self, request: Request) -> JSONResponse:
        return JSONResponse({"did": self.did, "handle": HANDLE})

    async def list_notifications(self, request: Request) -> JSONResponse:
        if not self._authed(request):
            return JSONResponse({"error": "AuthenticationRequired"}, status_code=401)
        limit = int(request.query_params.get("limit", 50))
        start = int(request.query_params.get("cursor") or 0)
        notes = []
        for uri in reversed(self.order):  # newest first
            p = self.posts[uri]
            if p["author"]["did"] == self.did:
                continue
            parent = p["record"].get("reply", {}).get("parent", {}).get("uri", "")
            if parent.startswith(f"at://{self.did}/"):
                reason = "reply"
            elif f"@{HANDLE}" in p["record"]["text"]:
                reason = "mention"
            else:
                continue
            notes.append({"uri": p["uri"], "cid": p["cid"], "author": p["author"], "reason": reason,
                          "record": p["record"], "isRead": False, "indexedAt": p["indexedAt"]})
        page = notes[start:start + limit]
        out: dict[str, Any] = {"notifications": page}
        if start + limit < len(notes):
            out["cursor"] = str(start + limit)
        return JSONResponse(out)

    async def get_posts(self, request: Request) -> JSONResponse:
        uris = request.query_params.getlist("uris")
        return JSONResponse({"posts": [self.posts[u] for u in uris if u in self.posts]})

    async def search_posts(self, request: Request) -> JSONResponse:
        q = request.query_params.get("q", "").lower()
        since = request.query_params.get("since")
        hits = [self.posts[u] for u in reversed(self.order)
                if q in self.posts[u]["record"]["text"].lower() and (not since or self.posts[u]["indexedAt"] >= since)]
        return JSONResponse({"posts": hits[: int(request.query_params.get("limit", 25))]})

    async def create_record(self, request: Request) -> JSONResponse:
        if not self._authed(request):
            return JSONResponse({"error": "AuthenticationRequired"}, status_code=401)
        body = await request.json()
        if body.get("repo") != self.did or body.get("collection") != "app.bsky.feed.post":
            return JSONResponse({"error": "InvalidRequest", "message": "bad repo"}, status_code=400)
        record = body["record"]
        text = record.get("text", "")
        reply = record.get("reply")
        if reply and reply["parent"]["uri"] not in self.posts:
            return JSONResponse({"error": "InvalidRequest", "message": "parent not found"}, status_code=400)
        uri = self.add_post(HANDLE, text, reply_to=reply["parent"]["uri"] if reply else None, did=self.did)
        stored = self.posts[uri]
        stored["record"] = record  # exactly what the client sent: the tests check its references
        return JSONResponse({"uri": uri, "cid": stored["cid"]})

    async def list_records(self, request: Request) -> JSONResponse:
        repo = request.query_params.get("repo")
        recs = [{"uri": p["uri"], "cid": p["cid"], "value": p["record"]}
                for u in reversed(self.order) if (p := self.posts[u])["author"]["did"] == repo]
        # newest first, in pages: the cursor is the offset of the next page
        start = int(request.query_params.get("cursor") or 0)
        limit = int(request.query_params.get("limit", 50))
        page = recs[start:start + limit]
        body: dict[str, Any] = {"records": page}
        if start + limit < len(recs):
            body["cursor"] = str(start + limit)
        return JSONResponse(body)

    def app(self) -> Starlette:
        x = "/xrpc/"
        return Starlette(routes=[
            Route(x + "com.atproto.server.createSession", self.create_session, methods=["POST"]),
            Route(x + "app.bsky.actor.getProfile", self.get_profile),
            Route(x + "app.bsky.notification.listNotifications", self.list_notifications),
            Route(x + "app.bsky.feed.getPosts", self.get_posts),
            Route(x + "app.bsky.feed.searchPosts", self.search_posts),
            Route(x + "com.atproto.repo.createRecord", self.create_record, methods=["POST"]),
            Route(x + "com.atproto.repo.listRecords", self.list_records),
        ])
