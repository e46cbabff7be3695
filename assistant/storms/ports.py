"""What the storm desk (``desk.py``) is given and what it answers: its two ports (the
statement outbox, the review core's decisions; filled in by the app above, so storms
imports neither) and its results, plain data with plain-text sentences (a refusal is an
error of the tree, ``StatementRefused``, returned rather than raised)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from assistant.domain.errors import AssistantError
from assistant.domain.ports import NetworkAction
from assistant.storms.queries import Member


class StatementOutbox(Protocol):
    """The statement's outbox (``assistant.runtime.statements``), bound to a store and the
    runtime's accounts."""

    def accounts(self, brand: str | None) -> dict[str, Any]: ...

    def posts(self, spike_id: int) -> list[dict[str, Any]]: ...

    def is_posted(self, spike_id: int) -> bool: ...

    def approve(self, spike_id: int, text: str, language: str, actor: str, on: list[str], at: datetime,
                also: dict[str, str]) -> bool: ...

    def deliver(self, spike_id: int, accounts: dict[str, Any]) -> list[dict[str, Any]]: ...

    def retry(self, spike_id: int, actor: str) -> int: ...

    def problems(self, text: str, on: dict[str, Any]) -> list[str]: ...


class Reviews(Protocol):
    """The review core's decisions on one mention. A refusal raises an AssistantError; a
    mention decided already raises StaleDecision."""

    def approve(self, mention_id: str, actor: str, draft_id: int) -> Any: ...

    def hide(self, mention_id: str, actor: str, reason: str | None) -> NetworkAction: ...

    def rejected_by(self, mention_id: str) -> str | None: ...


class StatementRefused(AssistantError):
    """Why a statement was not approved: returned (not raised) in ``StatementOutcome.refused``,
    a sentence with ``{name}`` placeholders, the people among them by user id (``people``),
    which the UI renders (``render``). ``code`` says which refusal ("storm.refused.posted", ...)."""

    code = "storm.refused"


@dataclass
class StatementOutcome:
    """What approving the statement did: ``refused`` (nothing queued) with the reason, or
    queued (``languages``, ``edited``) on ``accounts``. ``stale_card``: the card showed other
    versions than go out now; redraw it before telling the person."""

    refused: StatementRefused | None = None
    stale_card: bool = False
    languages: list[str] = field(default_factory=list)
    edited: bool = False
    accounts: dict[str, Any] = field(default_factory=dict)


@dataclass
class GroupAnswer:
    counts: dict[str, int]
    approved: list[tuple[str, int]]  # (mention id, outbox id) of each reply approved now


@dataclass
class GroupState:
    """What the alert card counts: replies the group answer would approve, abusive posts
    to hide, and the crisis members listed apart."""

    to_answer: int
    to_hide: int
    crisis: list[dict[str, Any]]


def listed(group: list[Member]) -> list[dict[str, Any]]:
    return [{"mention_id": m.mention_id, "author": m.author, "network": m.network, "post": m.text} for m in group]
