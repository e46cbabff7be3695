"""The port every network adapter implements, and the registry that names them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from assistant.domain.errors import AssistantError
from assistant.domain.models import Mention


@dataclass
class Capabilities:
    reply: bool = True
    hide: bool = False  # has ``hide(mention, reason)``: hides or reports a post on the network
    search: bool = False
    max_length: int = 500
    private: bool = False  # has ``send_private(mention, text, key)``: a private message to the author
    # What "hide" does on this network, or why it cannot, in words a person reads on the card.
    hide_means: str = "this network has no way for us to hide a post"
    private_means: str = "this network has no private messages we can send"


@dataclass
class Posted:
    id: str
    url: str | None = None


@dataclass
class FetchResult:
    mentions: list[Mention]
    cursor: str | None
    extra: dict[str, Any] = field(default_factory=dict)


class PostError(AssistantError):
    """A failed post. ``permanent`` failures (401, 403, 404, 422) are not retried;
    ``ambiguous`` ones (timeout after sending) may have landed: check before retrying.
    The message is the network's answer as it came: the ``answer`` placeholder (it may hold
    braces, a JSON body); ``code`` may say more where a connector knows it."""

    code = "post.failed"

    def __init__(self, message: str, permanent: bool = False, ambiguous: bool = False,
                 retry_after: float | None = None, *, code: str | None = None) -> None:
        self.permanent = permanent
        self.ambiguous = ambiguous
        self.retry_after = retry_after
        super().__init__("{answer}", code=code, params={"answer": message})


@runtime_checkable
class Connector(Protocol):
    name: str

    def capabilities(self) -> Capabilities: ...

    def fetch(self, cursor: str | None) -> FetchResult: ...

    def reply(self, mention: Mention, text: str, idempotency_key: str) -> Posted: ...

    def find_reply(self, mention: Mention, idempotency_key: str) -> Posted | None:
        """After an ambiguous failure: the reply if it landed, else None."""
        ...


@runtime_checkable
class Moderates(Protocol):
    """A connector whose ``capabilities().hide`` is True."""

    def hide(self, mention: Mention, reason: str | None) -> str:
        """Hide or report ``mention``; returns what happened, in one line (\"reported to …\")."""
        ...


@runtime_checkable
class MessagesPrivately(Protocol):
    """A connector whose ``capabilities().private`` is True."""

    def send_private(self, mention: Mention, text: str, idempotency_key: str) -> Posted: ...


ConnectorFactory = Callable[..., Connector]
_REGISTRY: dict[str, ConnectorFactory] = {}


def register(name: str) -> Callable[[ConnectorFactory], ConnectorFactory]:
    def inner(factory: ConnectorFactory) -> ConnectorFactory:
        _REGISTRY[name] = factory
        return factory
    return inner


def known() -> list[str]:
    return sorted(_REGISTRY)


def create(name: str, **options: Any) -> Connector:
    if name not in _REGISTRY:
        raise AssistantError(f"unknown connector {name!r}", f"use one of: {', '.join(known())}")
    return _REGISTRY[name](**options)
