"""The ports the inner layers call the outside world through, as typed Protocols.

``NetworkPort``: what the review core needs to act on a mention's network (post through
the right connector, check a reply, hide, write privately). ``RuntimePort`` adds what the
Slack app and the CLI demo also call (delivery now, the outcome hooks, start and stop).
The one real implementation is ``assistant.runtime.service.Runtime``.

Every method is required (no ``getattr`` probing): the real runtime and the tests' double
both implement all of it, and tests/slack/test_runtime_contract.py runs the same checks
against both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class NetworkAction:
    """What a network did with a hide or a private message.

    ``done``: it happened on the network (hidden, reported, sent); ``False``: only recorded
    here, and ``detail`` says why in one line a person can read ("Mastodon cannot hide ...")."""

    done: bool
    detail: str
    url: str | None = None


class ConnectorCapabilities(Protocol):
    """What the connector replying to a mention can do (``connectors.base.Capabilities`` is
    the one implementation; the domain names only what its callers read)."""

    reply: bool
    hide: bool
    private: bool
    max_length: int
    hide_means: str
    private_means: str


@runtime_checkable
class NetworkPort(Protocol):
    """What the review core needs to act on networks: the connector a mention's reply goes
    through, the checks it makes, hide and private messages, and putting a failed reply back."""

    def retry(self, outbox_id: int, actor: str = "system") -> bool:
        """Put a reply that failed for good back in the queue; False if it had not failed."""
        ...

    def connector_name(self, mention_id: str) -> str:
        """What to pass as ``Store.approve(connector=...)``."""
        ...

    def capabilities(self, mention_id: str) -> ConnectorCapabilities: ...

    def check_reply(self, mention_id: str, text: str) -> tuple[list[str], list[str]]:
        """(errors, warnings) for posting ``text``: length, read-only source, reply window."""
        ...

    def is_local(self, name: str | None) -> bool:
        """True for the local outbox file: nothing is posted to any network."""
        ...

    def hide(self, mention_id: str, reason: str | None) -> NetworkAction:
        """Hide or report the mention on its network, where the network allows it."""
        ...

    def send_private(self, mention_id: str, text: str) -> NetworkAction:
        """Send ``text`` to the mention's author privately, where the network allows it."""
        ...


@runtime_checkable
class RuntimePort(NetworkPort, Protocol):
    """The network port plus what the Slack app and the CLI demo call: delivery now, the
    hooks that say what happened, and the runtime's own start and stop."""

    routes: list[Any]  # extra Starlette routes served beside Slack (webhook intake)
    on_outcome: list[Callable[[dict[str, Any]], None]]  # called with the outbox row once posted / failed for good
    on_processed: list[Callable[[Any], None]]  # called with each new mention's Processed (triage + draft)

    def start(self) -> None: ...

    def stop(self, timeout: float = 10.0) -> None: ...

    def deliver(self, outbox_id: int) -> dict[str, Any]:
        """Try to post one approved reply now; returns the outbox row afterwards."""
        ...
