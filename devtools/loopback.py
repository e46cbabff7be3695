"""Loopback stand-ins for Slack, for the tests and ``python -m devtools bench`` only (never used by ``serve``).

One module over 400 lines on purpose: the three stand-ins share one Slack-shaped
answer format and one signing rule, and tests read them side by side.

- ``FakeSlack``: Slack's Web API on 127.0.0.1 (any port): records every call,
  answers like Slack, and can answer 429s (with Retry-After) or errors.
  It also takes the POSTs Bolt sends to ``response_url``.
- ``SlackDriver``: sends requests to the app the way Slack does, in Slack's
  wire formats (slash commands form-encoded; interactivity as ``payload=``
  JSON; events as JSON), signed like Slack (``v0=`` HMAC-SHA256).
- ``FakeSocketMode``: a websocket server speaking Socket Mode's envelopes
  (``hello``, envelopes acknowledged by ``envelope_id``, ``disconnect``).

Nothing here reaches the network.
"""

from __future__ import annotations

import itertools
import json
import queue
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

TEAM = {"id": "T0001", "domain": "fake"}


class FakeSlack:
    """Slack's Web API on loopback. ``calls`` holds (method, params) in arrival order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.lock = threading.Condition()
        self.failures: dict[str, list[tuple[int, str | None, float | None]]] = {}
        self.lost: dict[str, int] = {}  # method -> calls carried out whose answer is lost (see lose)
        self.members: dict[str, list[str]] = {}
        self.channels: dict[str, str] = {}  # name -> id, for conversations.list and posting by name
        self.usergroups: dict[str, list[str]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.violations: list[str] = []  # Block Kit limits broken by a payload (see block_kit_problems)
        self.ws_url: str | None = None
        # The workspace's own address, as auth.test answers it; permalinks are on this host
        # (Enterprise Grid: https://<org>.enterprise.slack.com/, GovSlack: https://<x>.slack-gov.com/).
        self.workspace_url = "https://fake.slack.com/"
        self.uploads: dict[str, bytes] = {}  # file id -> the bytes posted to its upload URL
        self.delay = 0.0
        # channel -> its messages, oldest first (top-level only, as conversations.history shows
        # them), each with the metadata it was posted with
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self._ts = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None

    # -- control ----------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                if self.path.startswith("/upload/"):  # files_upload_v2's step 2: the file's bytes
                    fake.uploaded(self.path.removeprefix("/upload/"), self.rfile.read(length))
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain; charset=utf-8")
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"OK")
                    return
                raw = self.rfile.read(length).decode("utf-8")
                answer = fake._handle(self.path, self.headers, raw)
                if fake._lose(self.path.split("?")[0].removeprefix("/api/")):
                    self.close_connection = True  # done, but the answer never reaches the app
                    return
                self._reply(*answer)

            def do_GET(self) -> None:  # noqa: N802
                # slack_sdk sends some reads as GET with the arguments in the query (conversations.history)
                path, _, query = self.path.partition("?")
                self._reply(*fake._handle(path, {}, query))

            def _reply(self, status: int, body: Any, headers: dict[str, str]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="fake-slack", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return self.base + "/api/"

    def response_url(self, name: str = "r") -> str:
        return f"{self.base}/response/{name}"

    def fail(self, method: str, status: int = 429, error: str | None = None, retry_after: float | None = 1,
             times: int = 1) -> None:
        """The next ``times`` calls of ``method`` answer ``status`` (429: with Retry-After) or ``error``."""
        with self.lock:
            self.failures.setdefault(method, []).extend([(status, error, retry_after)] * times)

    def lose(self, method: str, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` are carried out (a message is posted) but the
        connection is closed with no answer: what a timeout after sending looks like to the app."""
        with self.lock:
            self.lost[method] = self.lost.get(method, 0) + times

    def _lose(self, method: str) -> bool:
        with self.lock:
            if self.lost.get(method, 0) <= 0:
                return False
            self.lost[method] -= 1
            return True

    def uploaded(self, file_id: str, data: bytes) -> None:
        with self.lock:
            self.uploads[file_id] = data
            self.calls.append(("upload", {"file_id": file_id, "length": len(data)}))
            self.lock.notify_all()

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        with self.lock:
            return [params for m, params in self.calls if m == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0,
                 where: Any = None) -> list[dict[str, Any]]:
        """Wait until ``count`` calls of ``method`` (matching ``where(params)``) arrived."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                found = [p for m, p in self.calls if m == method and (where is None or where(p))]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} {method} call(s), got {len(found)}: "
                                         f"{[m for m, _ in self.calls]}")
                self.lock.wait(left)

    # -- answers ----------------------------------------------------------------------------

    def _handle(self, path: str, headers: Any, raw: str) -> tuple[int, Any, dict[str, str]]:
        if self.delay:
            time.sleep(self.delay)
        ctype = headers.get("Content-Type") or ""
        if "json" in ctype:
            params = json.loads(raw or "{}")
        else:
            params = dict(parse_qsl(raw, keep_blank_values=True))
        for key in ("blocks", "view", "attachments"):
            if isinstance(params.get(key), str):
                try:
                    params[key] = json.loads(params[key])
                except ValueError:
                    pass
        params["_token"] = (headers.get("Authorization") or "").removeprefix("Bearer ")
        if path.startswith("/response/"):
            method = "response_url"
            params["_url"] = path
        else:
            method = path.split("?")[0].removeprefix("/api/")
        with self.lock:
            failures = self.failures.get(method)
            failure = failures.pop(0) if failures else None
            self.calls.append((method + (":failed" if failure else ""), params))
            self.lock.notify_all()
        if failure:
            status, error, retry_after = failure
            extra = {"Retry-After": str(int(retry_after))} if status == 429 and retry_after is not None else {}
            return status, {"ok": False, "error": error or ("ratelimited" if status == 429 else "fatal_error")}, extra
        return 200, self._answer(method, params), {}

    def _check_limits(self, method: str, p: dict[str, Any]) -> None:
        """Record every Block Kit limit a payload breaks (``violations``): Slack would refuse it."""
        found = block_kit_problems(method, p)
        if found:
            with self.lock:
                self.violations.extend(f"{method}: {v}" for v in found)

    def _answer(self, method: str, p: dict[str, Any]) -> Any:
        self._check_limits(method, p)
        if method == "response_url":
            return {"ok": True}
        if method == "auth.test":
            return {"ok": True, "url": self.workspace_url, "team": "Fake", "user": "assistant",
                    "team_id": TEAM["id"], "user_id": "UBOT", "bot_id": "BBOT", "is_enterprise_install": False}
        if method == "chat.postMessage":
            # Like Slack's: seconds of the clock, then a counter that keeps each ts unique.
            ts = f"{int(time.time())}.{next(self._ts):06d}"
            channel = p.get("channel") or ""
            channel = self.channels.get(channel.lstrip("#"), channel)
            message = {"type": "message", "ts": ts, "text": p.get("text"), "blocks": p.get("blocks"),
                       "bot_id": "BBOT"}
            metadata = _json_arg(p.get("metadata"))
            if metadata:
                message["metadata"] = metadata
            if not p.get("thread_ts"):
                with self.lock:
                    self.messages.setdefault(channel, []).append(message)
            return {"ok": True, "channel": channel, "ts": ts, "message": {"text": p.get("text"), "ts": ts}}
        if method == "chat.update":
            with self.lock:
                for message in self.messages.get(p.get("channel") or "", []):
                    if message["ts"] == p.get("ts"):
                        message.update(text=p.get("text"), blocks=p.get("blocks"))
                        if p.get("metadata"):
                            message["metadata"] = _json_arg(p.get("metadata"))
            return {"ok": True, "channel": p.get("channel"), "ts": p.get("ts"), "text": p.get("text")}
        if method == "conversations.history":
            return self._history(p)
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{1700000000 + next(self._ts)}.000200"}
        if method in ("views.open", "views.update", "views.push", "views.publish"):
            view: dict[str, Any] = p["view"] if isinstance(p.get("view"), dict) else {}
            return {"ok": True, "view": {"id": "V" + uuid.uuid4().hex[:10].upper(), **view}}
        if method == "users.info":
            user = self.users.get(p.get("user") or "", {"id": p.get("user"), "name": p.get("user"),
                                                         "real_name": f"Person {p.get('user')}"})
            return {"ok": True, "user": user}
        if method == "conversations.members":
            return {"ok": True, "members": self.members.get(p.get("channel") or "", []),
                    "response_metadata": {"next_cursor": ""}}
        if method == "conversations.info":
            known = {*self.channels.values(), *self.members}
            if p.get("channel") not in known:
                return {"ok": False, "error": "channel_not_found"}
            return {"ok": True, "channel": {"id": p.get("channel"), "is_member": True}}
        if method == "conversations.list":
            return {"ok": True, "channels": [{"id": cid, "name": name, "is_channel": True}
                                             for name, cid in self.channels.items()],
                    "response_metadata": {"next_cursor": ""}}
        if method == "usergroups.users.list":
            return {"ok": True, "users": self.usergroups.get(p.get("usergroup") or "", [])}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.ws_url}
        if method == "files.getUploadURLExternal":
            file_id = "F" + uuid.uuid4().hex[:10].upper()
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.base}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            files = p.get("files")
            files = json.loads(files) if isinstance(files, str) else files or []
            return {"ok": True, "files": [{"id": f.get("id"), "title": f.get("title"),
                                           "size": len(self.uploads.get(f.get("id") or "", b""))} for f in files]}
        if method == "chat.getPermalink":
            # Like Slack's: on the workspace's host, the ts without its dot.
            ts = str(p.get("message_ts") or "").replace(".", "")
            return {"ok": True, "channel": p.get("channel"),
                    "permalink": f"{self.workspace_url.rstrip('/')}/archives/{p.get('channel')}/p{ts}"}
        return {"ok": True}


    def _history(self, p: dict[str, Any]) -> dict[str, Any]:
        """conversations.history: newest first, ``oldest``/``latest`` (exclusive unless
        ``inclusive``), ``limit`` and a cursor; metadata only with ``include_all_metadata``."""
        inclusive = str(p.get("inclusive", "")).lower() in ("1", "true")
        oldest, latest = float(p.get("oldest") or 0), float(p.get("latest") or "inf")
        with self.lock:
            found = [dict(m) for m in reversed(self.messages.get(p.get("channel") or "", []))
                     if (oldest <= float(m["ts"]) <= latest if inclusive else oldest < float(m["ts"]) < latest)]
        if str(p.get("include_all_metadata", "")).lower() not in ("1", "true"):
            for m in found:
                m.pop("metadata", None)
        start, limit = int(p.get("cursor") or 0), min(int(p.get("limit") or 100), 999)
        page, more = found[start:start + limit], start + limit < len(found)
        return {"ok": True, "messages": page, "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}


def _json_arg(value: Any) -> Any:
    """An argument sent as JSON in a JSON body (a dict) or as a JSON string in a form."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


# -- Block Kit limits -----------------------------------------------------------------------------

# Slack's documented limits for the parts the app uses (characters unless said otherwise).
TEXT_LIMITS = {"section": 3000, "header": 150, "button": 75, "option": 75, "context_element": 3000}


def block_kit_problems(method: str, p: dict[str, Any]) -> list[str]:
    """The Block Kit limits a chat/views payload breaks (an empty list when Slack would take it)."""
    problems: list[str] = []
    blocks: Any = p.get("blocks")
    view = p.get("view") if isinstance(p.get("view"), dict) else None
    max_blocks = 50
    if view is not None:
        blocks = view.get("blocks")
        max_blocks = 100
        for key, limit in (("title", 24), ("submit", 24), ("close", 24)):
            if isinstance(view.get(key), dict) and len(view[key]["text"]) > limit:
                problems.append(f"view {key} over {limit}")
        if len(view.get("private_metadata") or "") > 3000:
            problems.append("private_metadata over 3000")
    if not isinstance(blocks, list):
        return problems
    if len(blocks) > max_blocks:
        problems.append(f"{len(blocks)} blocks, over {max_blocks}")
    for b in blocks:
        kind = b.get("type")
        if len(b.get("block_id") or "") > 255:
            problems.append("block_id over 255")
        if kind == "section":
            if len((b.get("text") or {}).get("text") or "") > 3000:
                problems.append("section text over 3000")
            if len(b.get("fields") or []) > 10:
                problems.append("over 10 section fields")
        elif kind == "context" and len(b.get("elements") or []) > 10:
            problems.append("over 10 context elements")
        elif kind == "actions":
            elements = b.get("elements") or []
            if len(elements) > 25:
                problems.append("over 25 actions")
            for e in elements:
                if len(e.get("action_id") or "") > 255:
                    problems.append("action_id over 255")
                if e.get("type") == "button":
                    if len(e["text"]["text"]) > 75:
                        problems.append("button text over 75")
                    if len(e.get("value") or "") > 2000:
                        problems.append("button value over 2000")
                if e.get("type") == "overflow":
                    options = e.get("options") or []
                    if not 2 <= len(options) <= 5:
                        problems.append(f"overflow with {len(options)} options (2-5)")
                    for o in options:
                        if len(o["text"]["text"]) > 75 or len(o.get("value") or "") > 150:
                            problems.append("overflow option over 75/150")
        elif kind == "header" and len((b.get("text") or {}).get("text") or "") > 150:
            problems.append("header over 150")
        elif kind == "input":
            element = b.get("element") or {}
            if len(element.get("initial_value") or "") > (element.get("max_length") or 3000):
                problems.append("input initial_value over its max_length")
    return problems


# -- requests as Slack sends them ---------------------------------------------------------------


def signature_headers(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    sig = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig or ""}


def block_actions(action_id: str, value: str, user: str, channel: str = "CREVIEW", ts: str | None = None,
                  response_url: str = "", ephemeral: bool = False) -> dict[str, Any]:
    trigger = f"{int(time.time())}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex[:16]}"
    return {
        "type": "block_actions", "team": TEAM, "api_app_id": "A0001", "token": "legacy",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM["id"]},
        "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": ephemeral},
        "trigger_id": trigger, "channel": {"id": channel, "name": "review"},
        "message": {"type": "message", "ts": ts, "text": "card"} if ts else None,
        "response_url": response_url,
        "actions": [{"action_id": action_id, "block_id": "actions", "value": value, "type": "button",
                     "action_ts": f"{time.time():.6f}", "text": {"type": "plain_text", "text": action_id}}],
    }


def view_submission(callback_id: str, values: dict[str, dict[str, dict[str, Any]]], private_metadata: str,
                    user: str) -> dict[str, Any]:
    return {
        "type": "view_submission", "team": TEAM, "api_app_id": "A0001", "token": "legacy",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM["id"]},
        "trigger_id": f"{int(time.time())}.{uuid.uuid4().hex[:12]}",
        "view": {"id": "V" + uuid.uuid4().hex[:10].upper(), "type": "modal", "callback_id": callback_id,
                 "private_metadata": private_metadata, "hash": uuid.uuid4().hex, "team_id": TEAM["id"],
                 "state": {"values": values}},
        "response_urls": [],
    }


def slash_command(command: str, text: str, user: str, response_url: str, channel: str = "CREVIEW") -> dict[str, str]:
    return {"token": "legacy", "team_id": TEAM["id"], "team_domain": TEAM["domain"], "channel_id": channel,
            "channel_name": "review", "user_id": user, "user_name": user.lower(), "command": command,
            "text": text, "api_app_id": "A0001", "is_enterprise_install": "false", "response_url": response_url,
            "trigger_id": f"{int(time.time())}.{uuid.uuid4().hex[:12]}"}


def message_shortcut(message: dict[str, Any], channel: str, user: str, response_url: str = "") -> dict[str, Any]:
    return {"type": "message_action", "callback_id": "draft_reply", "team": TEAM, "token": "legacy",
            "trigger_id": f"{int(time.time())}.{uuid.uuid4().hex[:12]}", "response_url": response_url,
            "action_ts": f"{time.time():.6f}", "message_ts": message.get("ts"),
            "channel": {"id": channel, "name": "feeds"},
            "user": {"id": user, "name": user.lower(), "team_id": TEAM["id"]}, "message": message}


def event_callback(event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    return {"token": "legacy", "team_id": TEAM["id"], "api_app_id": "A0001", "event": event,
            "type": "event_callback", "event_id": event_id or "Ev" + uuid.uuid4().hex[:10].upper(),
            "event_time": int(time.time()), "authorizations": [
                {"team_id": TEAM["id"], "user_id": "UBOT", "is_bot": True, "is_enterprise_install": False}]}


class SlackDriver:
    """Sends signed requests to the app's /slack/events, as Slack does."""

    def __init__(self, url: str, secret: str) -> None:
        self.url = url.rstrip("/") + "/slack/events"
        self.secret = secret
        self.http = httpx.Client(timeout=30)

    def close(self) -> None:
        self.http.close()

    def post(self, body: str, content_type: str, sign: bool = True, timestamp: int | None = None,
             secret: str | None = None, headers: dict[str, str] | None = None) -> httpx.Response:
        h = {"Content-Type": content_type, **(headers or {})}
        if sign:
            h.update(signature_headers(secret or self.secret, body, timestamp))
        return self.http.post(self.url, content=body.encode(), headers=h)

    def interact(self, payload: dict[str, Any], **kw: Any) -> httpx.Response:
        return self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded", **kw)

    def command(self, form: dict[str, str], **kw: Any) -> httpx.Response:
        return self.post(urlencode(form), "application/x-www-form-urlencoded", **kw)

    def event(self, body: dict[str, Any], retry_num: int | None = None, **kw: Any) -> httpx.Response:
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return self.post(json.dumps(body), "application/json", headers=headers, **kw)


# -- Socket Mode -------------------------------------------------------------------------------


class FakeSocketMode:
    """A loopback websocket server that speaks Socket Mode: says hello, sends envelopes,
    collects the app's acknowledgements (by envelope_id), and can ask it to reconnect."""

    def __init__(self) -> None:
        self.acks: dict[str, dict[str, Any]] = {}
        self.cond = threading.Condition()
        self.connections: queue.Queue[Any] = queue.Queue()
        self.connected = 0
        self._ws: Any = None
        self._server: Any = None

    def start(self) -> FakeSocketMode:
        from websockets.sync.server import serve

        self._server = serve(self._handle, "127.0.0.1", 0)
        threading.Thread(target=self._server.serve_forever, name="fake-socket-mode", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()

    @property
    def url(self) -> str:
        port = self._server.socket.getsockname()[1]
        return f"ws://127.0.0.1:{port}/link/?ticket=fake"

    def _handle(self, ws: Any) -> None:
        with self.cond:
            self._ws = ws
            self.connected += 1
            self.cond.notify_all()
        ws.send(json.dumps({"type": "hello", "num_connections": 1,
                            "debug_info": {"host": "fake", "approximate_connection_time": 18060},
                            "connection_info": {"app_id": "A0001"}}))
        try:
            for message in ws:
                data = json.loads(message)
                with self.cond:
                    if "envelope_id" in data:
                        self.acks[data["envelope_id"]] = data
                    self.cond.notify_all()
        except Exception:
            pass

    def wait_connected(self, count: int = 1, timeout: float = 10.0) -> None:
        with self.cond:
            if not self.cond.wait_for(lambda: self.connected >= count, timeout):
                raise AssertionError("the app did not connect over Socket Mode")

    def send(self, type_: str, payload: dict[str, Any], retry_attempt: int = 0) -> str:
        envelope_id = str(uuid.uuid4())
        self._ws.send(json.dumps({"envelope_id": envelope_id, "type": type_, "payload": payload,
                                  "accepts_response_payload": type_ != "events_api",
                                  "retry_attempt": retry_attempt, "retry_reason": ""}))
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        with self.cond:
            if not self.cond.wait_for(lambda: envelope_id in self.acks, timeout):
                raise AssertionError(f"no acknowledgement for envelope {envelope_id}")
            return self.acks[envelope_id]

    def disconnect(self, reason: str = "refresh_requested") -> None:
        self._ws.send(json.dumps({"type": "disconnect", "reason": reason,
                                  "debug_info": {"host": "fake"}}))


def main(argv: list[str] | None = None) -> None:
    """Run FakeSlack in its own process (the bench: so the app being measured does not
    share its interpreter lock with Slack's side). Prints the API URL, then serves until
    standard input closes. ``--member CHANNEL=U1,U2`` sets a channel's members."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m devtools.loopback")
    parser.add_argument("--member", action="append", default=[], metavar="CHANNEL=U1,U2")
    args = parser.parse_args(argv)
    slack = FakeSlack()
    for spec in args.member:
        channel, _, users = spec.partition("=")
        slack.members[channel] = [u for u in users.split(",") if u]
    slack.start()
    print(slack.api_url, flush=True)
    sys.stdin.read()  # the parent closes our stdin to stop us
    slack.stop()


if __name__ == "__main__":
    main()
