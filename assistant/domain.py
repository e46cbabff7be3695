"""Value objects shared by every part of the assistant."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel, Field


class Intent(StrEnum):
    # The four moments of truth (article 002) plus small reactions (000/001),
    # and the two kinds that get no reply: abuse and spam (000/001).
    PRAISE = "praise"
    COMPLAINT = "complaint"
    QUESTION = "question"
    SUGGESTION = "suggestion"
    REACTION = "reaction"
    ABUSE = "abuse"
    SPAM = "spam"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Action(StrEnum):
    REPLY = "reply"
    HIDE = "hide"
    IGNORE = "ignore"
    ESCALATE = "escalate"


def utcnow() -> datetime:
    return datetime.now(UTC)


def stable_id(source: str, author: str, text: str, created_at: str | None) -> str:
    """An id for a mention that arrived without one: the same input gives the same id."""
    digest = hashlib.sha256("\x1f".join([source, author, text, created_at or ""]).encode()).hexdigest()
    return "h-" + digest[:16]


def mention_key(source: str, external_id: str) -> str:
    """The stored id of a mention: ``<source>:<external_id>``, with ``%`` and ``:`` in the
    source written as ``%25`` and ``%3A`` so the first colon always ends the source
    (source ``x:y`` with id ``1`` and source ``x`` with id ``y:1`` are two mentions).
    Sources without either character keep the key they always had."""
    return f"{source.replace('%', '%25').replace(':', '%3A')}:{external_id}"


class Mention(BaseModel):
    """Something a member of the public wrote. ``text`` is untrusted."""

    source: str = "manual"
    external_id: str
    author: str = ""
    text: str
    url: str | None = None
    created_at: str | None = None
    network: str | None = None  # which length rules apply; defaults to the source
    in_reply_to: str | None = None

    @property
    def key(self) -> str:
        return mention_key(self.source, self.external_id)

    @property
    def network_name(self) -> str:
        return self.network or self.source


class Triage(BaseModel):
    language: str
    intent: Intent
    severity: Severity
    action: Action
    reasons: list[str] = Field(default_factory=list)
    team: str | None = None  # escalation target, when action is escalate


class GuardCheck(BaseModel):
    name: str
    passed: bool
    detail: str = ""


class DraftPart(BaseModel):
    """One piece of a draft and where it came from, shown on the card."""

    kind: str  # opener, acknowledge_person, acknowledge_thing, fact, unanswered, next_step, closing, model, approved
    text: str
    source: str  # "policy: facts.shipping.en", "model: SmolLM2-135M", "approved reply for @ana on 2026-11-02"
    optional: bool = False  # may be left out to fit the network's length


class Draft(BaseModel):
    text: str | None
    language: str
    guard: list[GuardCheck] = Field(default_factory=list)
    fallback: bool = False
    fallback_reason: str | None = None
    backend: str = ""
    model: str = ""
    seconds: float = 0.0
    attempts: int = 0
    # How it was made: "model" (a composed reply with the model's sentence), "composed"
    # (policy parts only), "approved" (an approved reply to a similar post), "template".
    origin: str = "template"
    parts: list[DraftPart] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)  # what was tried and dropped, for the card

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.guard)
