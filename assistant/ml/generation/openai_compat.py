"""Any OpenAI-compatible chat endpoint: vLLM, a llama.cpp server, Ollama, a hosted API.

This is how one deployment serves many brands from a GPU machine or cluster.
"""

from __future__ import annotations

import time

import httpx

from assistant.domain.errors import BackendError
from assistant.ml.generation.base import Generation, register
from assistant.settings import Settings


class OpenAICompatBackend:
    name = "openai"

    def __init__(self, base_url: str, model: str, api_key: str | None = None, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.model_name = model
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout)

    def load(self) -> None:
        """Nothing to load locally; the server holds the model."""

    def generate(self, messages: list[dict[str, str]], max_new_tokens: int, temperature: float,
                 seed: int | None = None, prefix: str | None = None,
                 avoid: list[str] | None = None) -> Generation:
        # Prefilling the answer and forbidding words are not part of the OpenAI API:
        # prefix and avoid are not used here (the guard still checks the reply).
        start = time.perf_counter()
        body = {"model": self.model_name, "messages": messages, "max_tokens": max_new_tokens,
                "temperature": temperature}
        if seed is not None:
            body["seed"] = seed
        try:
            resp = self._client.post("/chat/completions", json=body)
        except httpx.HTTPError as exc:
            raise BackendError(f"cannot reach {self.base_url}: {exc}",
                               "check ASSISTANT_OPENAI_BASE_URL and that the server is running") from None
        if resp.status_code != 200:
            raise BackendError(f"{self.base_url} answered HTTP {resp.status_code}: {resp.text[:200]}",
                               "check ASSISTANT_MODEL and ASSISTANT_OPENAI_API_KEY")
        try:
            data = resp.json()
            text = data["choices"][0]["message"]["content"] or ""
        except (ValueError, KeyError, IndexError, TypeError):
            raise BackendError(f"{self.base_url} sent an answer that is not a chat completion",
                               "point ASSISTANT_OPENAI_BASE_URL at an OpenAI-compatible /v1 endpoint") from None
        tokens = int((data.get("usage") or {}).get("completion_tokens") or len(text.split()))
        return Generation(text=text, tokens=tokens, seconds=time.perf_counter() - start)


@register("openai")
def _create(settings: Settings) -> OpenAICompatBackend:
    if not settings.model:
        raise BackendError("ASSISTANT_MODEL is not set", "name the model the OpenAI-compatible server serves")
    return OpenAICompatBackend(settings.openai_base_url, settings.model, settings.openai_api_key,
                               settings.openai_timeout)
