"""The figures of a report, read once from the ``interaction_log`` view (the one
place the log's logic lives) and counted here: a report is a summary of the log."""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from assistant.domain.models import utcnow
from assistant.insights.learning.outcomes import outcome_rows
from assistant.insights.log import iso, refresh_edits
from assistant.insights.report.spikes import spikes_between
from assistant.policy.models import Policy
from assistant.store import Store, insights_sql
from assistant.text.normalize import fold_many

# Used when no policy is at hand (the policy's review.response_target_minutes).
DEFAULT_TARGET_MINUTES = 60
INTENTS = ("praise", "complaint", "question", "suggestion", "reaction", "abuse", "spam")
# Draft outcomes, in the order the chart shows them.
OUTCOMES = ("approved unchanged", "light edit", "rewritten", "rejected")

_COLUMNS = ("id", "network", "language", "intent", "received_at", "decision", "edit_label",
            "seconds_to_decision", "seconds_to_post", "posted_at", "drafts", "drafts_rejected", "post")


@dataclass
class ReportData:
    since: datetime
    until: datetime
    target_minutes: int
    brand: str | None
    days: list[str]
    by_intent: dict[str, dict[str, int]]  # intent -> day -> mentions
    by_language: dict[str, dict[str, int]]
    by_network: dict[str, dict[str, int]]
    response_seconds: list[float]  # received to posted, per posted reply
    outcomes: dict[str, int]
    topics: list[tuple[str, int]]  # what posts name most (catalog entries), or common words
    topics_kind: str  # "catalog" or "words"
    spikes: list[dict[str, Any]]
    headline: dict[str, Any] = field(default_factory=dict)
    # How drafts were approved (learning/outcomes.py): per intent and language, the
    # replies approved in the period unchanged, edited or rewritten.
    approvals: list[dict[str, Any]] = field(default_factory=list)


def _days(since: datetime, until: datetime) -> list[str]:
    out, day = [], since.astimezone(UTC).date()
    last = (until - timedelta(microseconds=1)).astimezone(UTC).date()
    while day <= last:
        out.append(day.isoformat())
        day += timedelta(days=1)
    return out


def _series(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        out[r[key] or "unknown"][r["received_at"][:10]] += 1
    return {k: dict(v) for k, v in out.items()}


def collect(store: Store, since: datetime, until: datetime | None = None, policy: Policy | None = None) -> ReportData:
    # With no end given, the rows are those `assistant log` exports for the same --since
    # (received since then, a time after now included), so the two count the same total.
    found = insights_sql.log_rows(store, _COLUMNS, iso(since), iso(until) if until is not None else None,
                                  order=False)
    until = until or utcnow()
    refresh_edits(store)
    rows = list(found)  # the generator runs its query here, after refresh_edits
    target = policy.review.response_target_minutes if policy is not None else DEFAULT_TARGET_MINUTES
    waits = [float(r["seconds_to_post"]) for r in rows if r["seconds_to_post"] is not None]
    decided = [float(r["seconds_to_decision"]) for r in rows if r["seconds_to_decision"] is not None]
    outcomes: Counter[str] = Counter()
    for r in rows:
        # Every rejected draft counts, also where a later draft was approved.
        outcomes["rejected"] += r["drafts_rejected"] or 0
        label = r["edit_label"]
        if label == "unchanged":
            outcomes["approved unchanged"] += 1
        elif label in ("light edit", "rewritten"):
            outcomes[label] += 1
        elif label in ("edited", "written"):
            outcomes["rewritten"] += 1
    topics, kind = _topics(rows, policy)
    spikes = spikes_between(store, since, until)
    within = sum(1 for w in waits if w <= target * 60)
    needing = sum(1 for r in rows if r["intent"] not in ("abuse", "spam"))
    approved = outcomes["approved unchanged"] + outcomes["light edit"] + outcomes["rewritten"]
    headline = {
        "mentions": len(rows),
        "answered": len(waits),
        # Answered over the mentions that call for a reply (abuse and spam do not).
        "answer_rate": round(len(waits) / needing, 3) if needing else None,
        "median_response_s": round(statistics.median(waits), 1) if waits else None,
        "median_decision_s": round(statistics.median(decided), 1) if decided else None,
        "within_target": within,
        "within_target_share": round(within / len(waits), 3) if waits else None,
        "target_minutes": target,
        "approved": approved,
        "approved_unchanged": outcomes["approved unchanged"],
        "edited": outcomes["light edit"] + outcomes["rewritten"],
        "rejected": outcomes["rejected"],
        "escalated": sum(1 for r in rows if r["decision"] == "escalate"),
        "spikes": len(spikes),
        "since": iso(since),
        "until": iso(until),
    }
    return ReportData(
        since=since, until=until, target_minutes=target, brand=(policy.brand.name if policy else None),
        days=_days(since, until), by_intent=_series(rows, "intent"), by_language=_series(rows, "language"),
        by_network=_series(rows, "network"), response_seconds=waits,
        outcomes={k: outcomes[k] for k in OUTCOMES}, topics=topics, topics_kind=kind, spikes=spikes,
        headline=headline, approvals=outcome_rows(store, since, until))


# -- topics -----------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]{5,}")


def _topics(rows: list[dict[str, Any]], policy: Policy | None, top: int = 12) -> tuple[list[tuple[str, int]], str]:
    """What the posts name most: the policy's catalog entries (posts naming each), or,
    with no catalog, the most common longer words of complaints and suggestions."""
    texts = fold_many([r["post"] or "" for r in rows])
    if policy is not None and policy.catalog:
        pattern, labels = _catalog_pattern(policy)
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update({m.lastgroup for m in pattern.finditer(text) if m.lastgroup})
        return [(labels[k], n) for k, n in counts.most_common(top)], "catalog"
    words: Counter[str] = Counter()
    for text, r in zip(texts, rows, strict=True):
        if r["intent"] in ("complaint", "suggestion", "question"):
            words.update(set(_WORD.findall(text)))
    return words.most_common(top), "words"


def _catalog_pattern(policy: Policy) -> tuple[re.Pattern[str], dict[str, str]]:
    """Every catalog name in one pattern, a named group per entry (one search per post
    instead of one per entry and language)."""
    from assistant.policy.catalog import names_pattern

    parts, labels = [], {}
    for i, entry in enumerate(policy.catalog):
        single = names_pattern(entry.all_names(), person=entry.kind == "person")
        if single is None:
            continue
        body = single.pattern.removeprefix(r"(?<!\w)(").removesuffix(r")(?!\w)")
        parts.append(f"(?P<e{i}>{body})")
        labels[f"e{i}"] = f"{entry.all_names()[0]} ({entry.kind})"
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)"), labels
