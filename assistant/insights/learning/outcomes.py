"""How each approved reply relates to the draft a person saw: approved unchanged,
edited (small changes) or rewritten (most of the draft replaced), tallied per
intent and language.

The draft a person saw is the decision's ``draft_id``; an approval that names none
(older stores, the CLI) is compared with the mention's latest draft made before it.
A mention approved twice (a reply that failed to post, approved again corrected)
counts once, by its latest approval: the reply that went out.

Classes, on the two texts with runs of white space made one space:

- **unchanged**: the same text (an edit that only moved spaces or line breaks is none);
- **edited**: similarity ``>= EDITED_AT`` (0.6): most of the draft is still there (a
  sentence added or taken out, words changed);
- **rewritten**: below that, or no draft at all: the person wrote the reply.

The similarity is difflib's ratio, 2·M/T (T both texts' length, M the characters they
share in order), computed exactly (M the longest common subsequence) and in C by
rapidfuzz (``fuzz.ratio``): difflib's SequenceMatcher gives the same or a little less,
several times slower (the report's scale test has 30,000 approvals). Appending one
sentence to a two-sentence draft stays "edited". This differs on
purpose from the interaction log's ``edit_label`` (the changed share of the longer
text, ``LIGHT_EDIT`` 0.3, assistant/store/schema/log_views.py), which calls such an append a
rewrite.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from rapidfuzz import fuzz

from assistant.domain.models import DraftPart
from assistant.insights.log import iso, parse_since
from assistant.store import Store, insights_sql

UNCHANGED, EDITED, REWRITTEN = "unchanged", "edited", "rewritten"
OUTCOMES = (UNCHANGED, EDITED, REWRITTEN)
# difflib ratio at or above which an approval that changed its draft is "edited";
# below it, "rewritten".
EDITED_AT = 0.6

# Rows in this order (then the rest, by name); languages by name.
_INTENT_ORDER = ("complaint", "question", "praise", "suggestion", "reaction", "abuse", "spam")


@dataclass
class ApprovedReply:
    """One approved reply, the draft it was approved from, and how it was approved."""

    decision_id: int
    mention_id: str
    brand: str | None
    author: str
    post: str
    intent: str
    language: str
    text: str  # what was approved (after any edit)
    edited: bool  # the decision's flag: the person changed the text in the editor
    decided_at: str
    draft_id: int | None
    draft_text: str | None
    draft_parts: list[DraftPart] = field(default_factory=list)
    draft_language: str = ""  # the language the draft's phrasings were taken in
    reading: dict[str, Any] = field(default_factory=dict)  # the triage's reading (people, signed name)
    outcome: str = REWRITTEN
    similarity: float = 0.0


def _spaces(text: str | None) -> str:
    return " ".join((text or "").split())


def classify(draft: str | None, approved: str) -> tuple[str, float]:
    """(outcome, similarity 0..1) of an approval of ``draft`` as ``approved``."""
    before, after = _spaces(draft), _spaces(approved)
    if not before:
        return REWRITTEN, 0.0
    if before == after:
        return UNCHANGED, 1.0
    ratio = fuzz.ratio(before, after) / 100.0
    return (EDITED if ratio >= EDITED_AT else REWRITTEN), round(ratio, 3)


def _since(value: datetime | str | None) -> datetime | None:
    return parse_since(value) if isinstance(value, str) else value


def _parts(raw: str | None) -> list[DraftPart]:
    try:
        return [DraftPart(**p) for p in json.loads(raw or "[]") if isinstance(p, dict)]
    except (ValueError, TypeError):
        return []  # an unreadable parts column: the draft is still compared as text


def _reading(raw: str | None) -> dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def approved_replies(store: Store, since: datetime | str | None = None, until: datetime | None = None,
                     brand: str | None = None, unbranded: bool = False) -> list[ApprovedReply]:
    """Every mention's approved reply decided in [since, until), oldest first, classified.
    ``brand``: only that brand's mentions (and, with ``unbranded``, those stored with none)."""
    start = _since(since)
    end = None
    if until is not None:
        # Times are stored to the millisecond: "until now" must keep a decision made
        # earlier in the same millisecond, so a time within one is rounded up.
        extra = until.microsecond % 1000
        end = iso(until + timedelta(microseconds=1000 - extra) if extra else until)
    rows = insights_sql.approved_reply_rows(store, iso(start) if start is not None else None, end, brand, unbranded)
    out = []
    for (decision_id, mention_id, text, edited, decided_at, m_brand, author, post, intent, language, reading,
         draft_id, draft_text, parts, draft_language) in rows:
        outcome, similarity = classify(draft_text, text or "")
        out.append(ApprovedReply(
            decision_id=int(decision_id), mention_id=mention_id, brand=m_brand, author=author or "",
            post=post or "", intent=intent or "unknown", language=language or "unknown", text=text or "",
            edited=bool(edited), decided_at=decided_at or "", draft_id=draft_id, draft_text=draft_text,
            draft_parts=_parts(parts), draft_language=draft_language or language or "",
            reading=_reading(reading), outcome=outcome, similarity=similarity))
    return out


def tally(replies: list[ApprovedReply]) -> dict[tuple[str, str], Counter[str]]:
    """(intent, language) -> Counter of outcomes."""
    out: dict[tuple[str, str], Counter[str]] = {}
    for r in replies:
        out.setdefault((r.intent, r.language), Counter())[r.outcome] += 1
    return out


def _order(key: tuple[str, str]) -> tuple[int, str, str]:
    intent, language = key
    rank = _INTENT_ORDER.index(intent) if intent in _INTENT_ORDER else len(_INTENT_ORDER)
    return rank, intent, language


def outcome_rows(store: Store, since: datetime | str | None = None, until: datetime | None = None,
                 brand: str | None = None, unbranded: bool = False) -> list[dict[str, Any]]:
    """One row per intent and language: {intent, language, approved, unchanged, edited,
    rewritten}, complaints first. The values are as stored: escape them to show them."""
    counts = tally(approved_replies(store, since, until, brand, unbranded))
    return [{"intent": intent, "language": language, "approved": sum(c.values()),
             **{o: c[o] for o in OUTCOMES}}
            for (intent, language), c in sorted(counts.items(), key=lambda kv: _order(kv[0]))]
