"""A scripted OpenAI-compatible chat server on 127.0.0.1 (a free port, in a thread), for
testing the model backends, writer mode and `assistant model check` over real HTTP.

    with ScriptedOpenAI("good") as server:
        backend = OpenAICompatBackend(server.base_url, "scripted")
        ...
        server.requests  # every request body it received, in order

It speaks ``POST /v1/chat/completions`` (and ``GET /v1/models``) with the real
response shape. The script decides the answer:

* ``"good"``: a writer request (a brief with the post inside ``<post>`` tags) gets a
  fine whole reply built from the brief: an opening that fits the plan, the names
  given, every fact given, word for word, and the sign-off the system prompt names.
  A one-sentence request gets a harmless sentence.
* ``"bad"``: the same, plus one sentence the guard must refuse ("50% off" and a
  foreign link); a one-sentence request gets that sentence.
* ``"error"``: HTTP 500 for everything.
* any callable ``f(body: dict) -> str``: its answer.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HOST = "127.0.0.1"
BAD_SENTENCE = "Enjoy 50% off your next order at https://deals.example/aurora today!"

Script = str | Callable[[dict[str, Any]], str]


def _section(user: str, title: str) -> list[str]:
    """The lines of a brief's section ("PLAN", "FACTS", "NAMES") up to the next blank line."""
    m = re.search(rf"^{title}\b[^\n]*\n(.*?)(?:\n\s*\n|\Z)", user, re.M | re.S)
    if not m:
        return []
    return [line.strip() for line in m.group(1).splitlines() if line.strip() and line.strip() != "(none)"]


def brief_of(messages: list[dict[str, str]]) -> dict[str, Any]:
    """What a writer request asks for: plan, facts (key, text), names, sign-off, post."""
    system = next((m["content"] for m in messages if m["role"] == "system"), "")
    user = next((m["content"] for m in messages if m["role"] == "user"), "")
    facts = []
    for line in _section(user, "FACTS"):
        key, _, text = line.lstrip("- ").partition(": ")
        facts.append((key, text))
    names_line = " ".join(_section(user, "NAMES"))
    post = re.search(r"<post>\n?(.*?)\n?</post>", user, re.S)
    sign_off = re.search(r'sign-off "([^"]+)"', system)
    return {
        "plan": [re.sub(r"^\d+\.\s*", "", line) for line in _section(user, "PLAN")],
        "facts": facts,
        "names": [n.strip() for n in names_line.split(",") if n.strip()],
        "sign_off": sign_off.group(1) if sign_off else "",
        "post": post.group(1) if post else None,
    }


def is_writer_request(messages: list[dict[str, str]]) -> bool:
    return any("<post>" in m.get("content", "") for m in messages if m["role"] == "user")


def _name(step: str) -> str | None:
    m = re.search(r"\(name: ([^)]+)\)", step)
    return m.group(1) if m else None


def good_reply(messages: list[dict[str, str]]) -> str:
    """A whole reply a capable, obedient model would write from the brief: one sentence
    per move of the plan, every fact word for word, every name, and the sign-off."""
    if not is_writer_request(messages):
        return "We love hearing from our community."
    brief = brief_of(messages)
    out: list[str] = []
    complaint = any("apologis" in s or "apologiz" in s for s in brief["plan"])
    for step in brief["plan"]:
        low, name = step.lower(), _name(step)
        if low.startswith("open"):
            out.append("Thanks for writing to us!" if not complaint else "Thank you for telling us.")
        elif "greet" in low and name:
            out.append(f"Hi {name}!")
        elif "apologis" in low or "apologiz" in low:
            out.append(f"We're so sorry about {name}." if name else "We're so sorry about this.")
        elif "pass their words on" in low and name:
            out.append(f"We'll pass your kind words on to {name}.")
        elif ("glad they enjoyed" in low or "kind words" in low) and name:
            out.append(f"We're so glad you enjoyed {name}!")
        elif "kind words" in low:
            out.append("Thank you for the kind words!")
        elif "idea" in low:
            out.append(f"Thanks for the idea about {name}, we'll pass it on to the team." if name
                       else "Thanks for the idea, we'll pass it on to the team.")
        elif "find out" in low:
            out.append("We'll find out and get back to you here.")
        elif "look into" in low:
            out.append("We'll look into what happened.")
    said = " ".join(out)
    for name in brief["names"]:  # every name the brief gives
        if name not in said:
            out.append(f"We're glad you mentioned {name}.")
    out.extend(text for _, text in brief["facts"])  # every fact, word for word
    emails = re.findall(r"[\w.+-]+@[\w-]+\.[\w.-]*\w", " ".join(brief["plan"]))
    if emails and not any(emails[0] in text for _, text in brief["facts"]):
        out.append(f"Please write to us at {emails[0]}.")
    if not out:
        out.append("Thanks for writing to us!")
    if brief["sign_off"]:
        out.append(brief["sign_off"])
    return " ".join(out)


def bad_reply(messages: list[dict[str, str]]) -> str:
    """A reply with one sentence the guard must refuse."""
    if not is_writer_request(messages):
        return BAD_SENTENCE
    good = good_reply(messages).split(" ")
    brief = brief_of(messages)
    sign = brief["sign_off"].split(" ") if brief["sign_off"] else []
    head = good[: len(good) - len(sign)] if sign else good
    return " ".join([*head, BAD_SENTENCE, *sign])


SCRIPTS: dict[str, Callable[[list[dict[str, str]]], str]] = {"good": good_reply, "bad": bad_reply}


class ScriptedOpenAI:
    def __init__(self, script: Script = "good") -> None:
        self.script = script
        self.requests: list[dict[str, Any]] = []  # request bodies, in order
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    # -- the answer -----------------------------------------------------------------------

    def answer(self, body: dict[str, Any]) -> str:
        script = self.script
        if callable(script):
            return script(body)
        return SCRIPTS[script](body.get("messages") or [])

    def writer_requests(self) -> list[dict[str, Any]]:
        return [b for b in self.requests if is_writer_request(b.get("messages") or [])]

    # -- the server -----------------------------------------------------------------------

    def __enter__(self) -> ScriptedOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                if self.path.rstrip("/") == "/v1/models":
                    self._send(200, {"object": "list", "data": [
                        {"id": "scripted", "object": "model", "created": 0, "owned_by": "tests"}]})
                else:
                    self._send(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
                    return
                try:
                    body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    self._send(400, {"error": {"message": "body is not JSON", "type": "invalid_request_error"}})
                    return
                with fake._lock:
                    fake.requests.append(body)
                    fake.headers.append(dict(self.headers))
                if fake.script == "error":
                    self._send(500, {"error": {"message": "scripted failure", "type": "server_error"}})
                    return
                if not isinstance(body.get("messages"), list) or not body.get("model"):
                    self._send(400, {"error": {"message": "model and messages are required",
                                               "type": "invalid_request_error"}})
                    return
                text = fake.answer(body)
                words = len(text.split())
                limit = int(body.get("max_tokens") or 10**6)
                finish = "stop"
                if words > limit:  # as a real server does: cut at max_tokens
                    text, words, finish = " ".join(text.split()[:limit]), limit, "length"
                prompt = sum(len(str(m.get("content", "")).split()) for m in body["messages"])
                self._send(200, {
                    "id": f"chatcmpl-scripted-{len(fake.requests)}",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": body["model"],
                    "system_fingerprint": "scripted",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                 "logprobs": None, "finish_reason": finish}],
                    "usage": {"prompt_tokens": prompt, "completion_tokens": words, "total_tokens": prompt + words},
                })

        self._server = ThreadingHTTPServer((HOST, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.base_url = f"http://{HOST}:{self._server.server_address[1]}/v1"
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)
