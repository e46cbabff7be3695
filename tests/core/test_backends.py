"""Backends: an OpenAI-compatible server on loopback, errors as one line, and the registry."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assistant.domain.errors import BackendError
from assistant.drafting.drafter import Drafter
from assistant.ml.generation import create_backend
from assistant.ml.generation.openai_compat import OpenAICompatBackend
from assistant.settings import load_settings

from .conftest import make_mention, make_triage


class _Server:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.status = 200
        self.reply = "Thanks for asking! We ship within the EU, Germany included."
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append({"path": self.path, "body": body})
                server.headers.append(dict(self.headers))
                if server.status != 200:
                    payload = b'{"error": {"message": "model crashed\\nwith a traceback"}}'
                else:
                    payload = json.dumps({
                        "id": "x", "object": "chat.completion",
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": server.reply},
                                     "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": 50, "completion_tokens": 12, "total_tokens": 62},
                    }).encode()
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"


@pytest.fixture
def server() -> Iterator[_Server]:
    s = _Server()
    t = threading.Thread(target=s.httpd.serve_forever, daemon=True)
    t.start()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


def test_openai_backend_returns_the_text(server):
    backend = OpenAICompatBackend(server.url, "qwen-test", api_key="sk-test", timeout=5)
    msgs = [{"role": "system", "content": "be nice"}, {"role": "user", "content": "hi"}]
    out = backend.generate(msgs, max_new_tokens=40, temperature=0.2, seed=1)
    assert out.text == server.reply
    assert out.tokens == 12
    req = server.requests[0]
    assert req["path"] == "/v1/chat/completions"
    assert req["body"]["model"] == "qwen-test" and req["body"]["messages"] == msgs
    assert req["body"]["max_tokens"] == 40
    assert server.headers[0]["Authorization"] == "Bearer sk-test"


def test_openai_backend_500_is_a_one_line_error(server):
    server.status = 500
    backend = OpenAICompatBackend(server.url, "qwen-test", timeout=5)
    with pytest.raises(BackendError) as exc:
        backend.generate([{"role": "user", "content": "hi"}], max_new_tokens=10, temperature=0)
    msg = str(exc.value)
    assert "500" in msg and "\n" not in msg


def test_openai_backend_unreachable_is_a_one_line_error():
    backend = OpenAICompatBackend("http://127.0.0.1:9/v1", "m", timeout=2)
    with pytest.raises(BackendError) as exc:
        backend.generate([{"role": "user", "content": "hi"}], max_new_tokens=10, temperature=0)
    assert "ASSISTANT_OPENAI_BASE_URL" in str(exc.value) and "\n" not in str(exc.value)


def test_openai_backend_drafts_through_the_drafter(server, policy, tmp_path):
    settings = load_settings(backend="openai", model="qwen-test", openai_base_url=server.url,
                             db_path=tmp_path / "x.db")
    backend = create_backend(settings)
    assert backend.name == "openai" and backend.model_name == "qwen-test"
    d = Drafter(backend, policy, settings).draft(make_mention("Do you ship to Germany?"), make_triage())
    # The server writes the one warm sentence; the policy's parts carry the answer.
    assert d.backend == "openai" and d.model == "qwen-test" and not d.fallback
    assert d.origin in ("model", "composed") and "We ship within the EU" in d.text


def test_openai_without_model_says_so(tmp_path):
    with pytest.raises(BackendError) as exc:
        create_backend(load_settings(backend="openai", model=None, db_path=tmp_path / "x.db"))
    assert "ASSISTANT_MODEL" in str(exc.value)


def test_unknown_backend_lists_known_ones(tmp_path):
    settings = load_settings(db_path=tmp_path / "x.db")
    settings.backend = "nope"  # type: ignore[assignment]  # what a plugin registry lookup would see
    with pytest.raises(BackendError) as exc:
        create_backend(settings)
    msg = str(exc.value)
    assert "nope" in msg and all(k in msg for k in ("llamacpp", "openai", "transformers", "module:attribute"))


def test_transformers_backend_is_not_loaded_on_creation(tmp_path):
    backend = create_backend(load_settings(db_path=tmp_path / "x.db", model_cache_dir=tmp_path / "cache"))
    assert backend.name == "transformers" and "SmolLM2" in backend.model_name
    assert not (tmp_path / "cache").exists()  # nothing converted or loaded until first use
