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


class CrisisKind(StrEnum):
    """What makes a post a crisis (004: severity decides the response). Each kind goes to
    a person; self-harm goes to a person with care guidance and never gets a brand reply."""

    HEALTH_SAFETY = "health_safety"  # allergic reactions, injuries, glass or mould in food
    LEGAL = "legal"  # lawyers, lawsuits, consumer authorities
    FRAUD = "fraud"  # charges nobody made, card data misused
    SCAM = "scam"  # someone impersonating the brand, fake giveaways, phishing customers
    DATA_BREACH = "data_breach"  # leaked addresses, e-mails, passwords
    PRESS = "press"  # a journalist asking for comment
    THREAT = "threat"  # threats of violence, veiled ones included
    SELF_HARM = "self_harm"  # the writer may hurt themselves


CRISIS_LABEL = {
    CrisisKind.HEALTH_SAFETY: "health and safety",
    CrisisKind.LEGAL: "legal",
    CrisisKind.FRAUD: "fraud",
    CrisisKind.SCAM: "impersonation or a scam against customers",
    CrisisKind.DATA_BREACH: "data breach",
    CrisisKind.PRESS: "press",
    CrisisKind.THREAT: "threat of violence",
    CrisisKind.SELF_HARM: "self-harm",
}
# Shown on the card of a self-harm post. Product guidance, not a brand's copy: it holds
# in every language and network.
CARE_GUIDANCE = (
    "Someone may be at risk. No draft is written and nothing is posted automatically. "
    "A trained person answers, privately if the network allows, in a calm and human voice: "
    "acknowledge what they wrote, say you are glad they said it, and point to local crisis "
    "support or emergency services. Do not argue about the complaint, do not hide the post, "
    "and tell your lead."
)


class PartReading(BaseModel):
    """One sentence or clause of a post and what it does on its own: a post can be
    praise, a gripe and a question at once."""

    text: str
    intent: Intent
    polarity: str  # positive, negative or neutral
    confidence: float = 0.0


class NamedItem(BaseModel):
    """Something a post names: a catalog entry (product, place, event) or a person."""

    name: str  # as the post wrote it
    kind: str  # product, place, event or person
    entry: str | None = None  # the catalog id, when the policy lists it


class Triage(BaseModel):
    language: str
    intent: Intent
    severity: Severity
    action: Action
    reasons: list[str] = Field(default_factory=list)
    team: str | None = None  # escalation target, when action is escalate
    # The reading in parts (triage/reading.py): what each sentence does, what the post
    # names, and, for a crisis, its kind.
    parts: list[PartReading] = Field(default_factory=list)
    crisis: CrisisKind | None = None
    people: list[str] = Field(default_factory=list)  # staff or others named (not the author)
    items: list[NamedItem] = Field(default_factory=list)  # products, places, events named
    order: str | None = None  # an order number the post gives
    signed: str | None = None  # the name the author signed with ("— Laura")

    def reading(self) -> dict[str, object]:
        """The reading in parts as stored with the triage (JSON-ready)."""
        return self.model_dump(mode="json", include={"parts", "crisis", "people", "items", "order", "signed"})

    def parts_line(self, width: int = 80) -> str:
        """"praise: the cinnamon buns · complaint: the price" for cards; empty for one part."""
        if len(self.parts) < 2:
            return ""
        return " · ".join(f"{p.intent.value}: {_clip(p.text, width)}" for p in self.parts)

    def reading_lines(self) -> list[str]:
        """What the card shows of the reading, as plain text (each renderer escapes it):
        the crisis kind, the parts, and what the post names."""
        lines = []
        if self.crisis is not None:
            lines.append(f"Crisis: {CRISIS_LABEL[self.crisis]}")
        if self.parts_line():
            lines.append(f"Parts: {self.parts_line()}")
        named = [*self.people, *(f"{i.name} ({i.kind})" for i in self.items)]
        if self.order:
            named.append(f"order {self.order}")
        if self.signed:
            named.append(f"signed {self.signed}")
        if named:
            lines.append("Names: " + " · ".join(named))
        return lines


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


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
