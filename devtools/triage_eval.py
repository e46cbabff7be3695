"""`python -m devtools eval`: triage and fact lookup measured on labelled sets, per language.

Triage figures per language: intent accuracy, action accuracy, high-severity
recall (escalated), false escalations (escalated though a person would have
replied, hidden or ignored), and posts hidden that were not abuse. Fact lookup:
precision (a fact given is the right one) and recall (a question the policy
answers gets its fact).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.domain.models import Action, Intent, Severity
from assistant.policy.models import Policy
from assistant.triage import Triager

# Issue "Read a post the way a person does": intent 92% overall and 88% in every language,
# action 95%, every crisis escalated, at most 3% of ordinary posts escalated, no customer
# ignored, nothing hidden that is not abuse, 90% of clear abuse hidden, every part of a
# mixed post found in 90%.
TARGETS = {"intent_overall": 0.92, "intent_per_language": 0.88, "action": 0.95, "high_escalated": 1.0,
           "false_escalations": 0.03, "customers_ignored": 0.0, "hidden_not_abuse": 0.0,
           "abuse_hidden": 0.90, "parts_found": 0.90}
FACT_TARGETS = {"precision": 0.95, "recall": 0.85}
# Lower is better for these.
AT_MOST = {"false_escalations", "hidden_not_abuse", "customers_ignored"}
# Labels a person would reply to: ignoring one of these leaves a customer unanswered.
CUSTOMER = {"praise", "complaint", "question", "suggestion", "reaction"}


@dataclass
class Tally:
    n: int = 0
    intent: int = 0
    action: int = 0
    high: int = 0
    high_escalated: int = 0
    not_escalate: int = 0
    false_escalations: int = 0
    hidden_not_abuse: int = 0
    customers: int = 0
    customers_ignored: int = 0
    abuse_to_hide: int = 0
    abuse_hidden: int = 0
    mixed: int = 0
    parts_found: int = 0
    crisis_kind: int = 0  # crises whose kind was named right

    def add(self, other: Tally) -> None:
        for k in vars(self):
            setattr(self, k, getattr(self, k) + getattr(other, k))


def _ratio(ok: int, n: int) -> float:
    return ok / n if n else 1.0


@dataclass
class EvalReport:
    per_language: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    # The same figures per kind of post (sarcasm, short product complaints, mixed posts,
    # scams, politeness...: the row's `kind`, or its first tag) and per brand.
    per_kind: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    per_brand: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    # Crises per kind (health_safety, fraud, scam, self_harm...): [escalated, named right, posts]
    crises: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    recall: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    language_ok: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)

    @property
    def overall(self) -> Tally:
        total = Tally()
        for t in self.per_language.values():
            total.add(t)
        return total

    @property
    def total(self) -> int:
        return self.overall.n

    @staticmethod
    def figures_of(t: Tally) -> dict[str, float]:
        return {
            "intent": _ratio(t.intent, t.n),
            "action": _ratio(t.action, t.n),
            "high_escalated": _ratio(t.high_escalated, t.high),
            "false_escalations": t.false_escalations / t.not_escalate if t.not_escalate else 0.0,
            "hidden_not_abuse": float(t.hidden_not_abuse),
            "customers_ignored": float(t.customers_ignored),
            "abuse_hidden": _ratio(t.abuse_hidden, t.abuse_to_hide),
            "parts_found": _ratio(t.parts_found, t.mixed),
        }

    def figures(self) -> dict[str, float]:
        o = self.figures_of(self.overall)
        return {
            "intent_overall": o["intent"],
            "intent_per_language": min((self.figures_of(t)["intent"] for t in self.per_language.values()),
                                       default=1.0),
            "action": o["action"], "high_escalated": o["high_escalated"],
            "false_escalations": o["false_escalations"], "hidden_not_abuse": o["hidden_not_abuse"],
            "customers_ignored": o["customers_ignored"], "abuse_hidden": o["abuse_hidden"],
            "parts_found": o["parts_found"],
            "language": _ratio(self.language_ok, self.total),
        }

    def meets_targets(self) -> bool:
        f = self.figures()
        return all(f[k] <= v if k in AT_MOST else f[k] >= v for k, v in TARGETS.items())


REQUIRED = ("text", "language", "intent", "severity", "action")


def load_labelled(path: str | Path, required: tuple[str, ...] = REQUIRED) -> list[dict[str, Any]]:
    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from None
            missing = [k for k in required if not isinstance(row, dict) or k not in row]
            if missing:
                raise ValueError(f"{path}:{n}: missing {', '.join(missing)}")
            if not isinstance(row["text"], str):
                raise ValueError(f"{path}:{n}: text must be a string")
            for key, allowed in (("intent", Intent), ("severity", Severity), ("action", Action)):
                if key in row and row[key] not in {v.value for v in allowed}:
                    raise ValueError(f"{path}:{n}: {key} {row[key]!r} is not one of "
                                     f"{', '.join(v.value for v in allowed)}")
            rows.append(row)
    return rows


def evaluate(rows: list[dict[str, Any]], policy: Policy, triager: Triager | None = None,
             policies: dict[str, Policy] | None = None) -> EvalReport:
    """Triage ``rows`` and tally them. A row with a ``brand`` found in ``policies`` is read
    under that brand's policy (its handles, catalog, escalation rules); others under ``policy``."""
    triager = triager or Triager()
    rep = EvalReport()
    policies = policies or {}
    results: list[Any] = [None] * len(rows)
    groups: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        brand = row.get("brand")
        groups[brand if isinstance(brand, str) and brand in policies else ""].append(i)
    for brand, idx in groups.items():
        got = triager.triage_many([rows[i]["text"] for i in idx], policies.get(brand, policy))
        for i, g in zip(idx, got, strict=True):
            results[i] = g
    for row, got in zip(rows, results, strict=True):
        lang = row["language"]
        kind = row.get("kind") or (row.get("tags") or [None])[0]
        tallies = [rep.per_language[lang], rep.per_brand[row.get("brand") or policy.id]]
        if kind:
            tallies.append(rep.per_kind[kind])
        hit = got.intent.value == row["intent"]
        found = _parts_found(row, got)
        for t in tallies:
            t.n += 1
            t.intent += hit
            t.action += got.action.value == row["action"]
            if row["severity"] == Severity.HIGH.value:
                t.high += 1
                t.high_escalated += got.action is Action.ESCALATE
                t.crisis_kind += bool(row.get("crisis")) and getattr(got, "crisis", None) == row.get("crisis")
            if row["action"] != Action.ESCALATE.value:
                t.not_escalate += 1
                t.false_escalations += got.action is Action.ESCALATE
            t.hidden_not_abuse += got.action is Action.HIDE and row["intent"] != "abuse"
            if row["intent"] in CUSTOMER and row["action"] != Action.IGNORE.value:
                t.customers += 1
                t.customers_ignored += got.action is Action.IGNORE
            if row["action"] == Action.HIDE.value:
                t.abuse_to_hide += 1
                t.abuse_hidden += got.action is Action.HIDE
            if found is not None:
                t.mixed += 1
                t.parts_found += found
        if isinstance(row.get("crisis"), str):
            c = rep.crises[row["crisis"]]
            c[0] += got.action is Action.ESCALATE
            c[1] += getattr(got, "crisis", None) == row["crisis"]
            c[2] += 1
        rep.language_ok += got.language == lang
        rep.recall[row["intent"]][0] += hit
        rep.recall[row["intent"]][1] += 1
        rep.confusion[(row["intent"], got.intent.value)] += 1
        if not hit or got.action.value != row["action"] or got.severity.value != row["severity"] or found is False:
            rep.misses.append({"id": row.get("id"), "text": row["text"][:120],
                               "want": [lang, row["intent"], row["severity"], row["action"], row.get("crisis"),
                                        row.get("parts")],
                               "got": [got.language, got.intent.value, got.severity.value, got.action.value,
                                       getattr(got, "crisis", None), _part_intents(got)],
                               "reasons": got.reasons})
    return rep


def _part_intents(got: Any) -> list[str]:
    return [p.intent.value for p in getattr(got, "parts", None) or []]


def _parts_found(row: dict[str, Any], got: Any) -> bool | None:
    """For a mixed post (two or more kinds of part labelled): were all its kinds found
    among the parts triage read? None for a post of one kind."""
    want = set(row.get("parts") or [])
    if len(want) < 2:
        return None
    return want <= set(_part_intents(got))


@dataclass
class FactReport:
    per_language: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    misses: list[dict[str, Any]] = field(default_factory=list)

    @staticmethod
    def figures_of(correct: int, given: int, answerable: int) -> dict[str, float]:
        return {"precision": _ratio(correct, given), "recall": _ratio(correct, answerable)}

    def figures(self) -> dict[str, float]:
        c, g, a = (sum(v[i] for v in self.per_language.values()) for i in range(3))
        return self.figures_of(c, g, a)


def evaluate_facts(rows: list[dict[str, Any]], policy: Policy) -> FactReport:
    """Each row: text, language, fact (the key that answers it, or null)."""
    from assistant.drafting.facts import fact_index

    index = fact_index(policy)
    vectors = index.encoder.encode([r["text"] for r in rows], query=True)
    rep = FactReport()
    for row, vector in zip(rows, vectors, strict=True):
        got = index.match_vector(vector)
        want = row.get("fact")
        tally = rep.per_language[row["language"]]  # correct, given, answerable
        tally[0] += got.key is not None and got.key == want
        tally[1] += got.key is not None
        tally[2] += want is not None
        if got.key != want:
            rep.misses.append({"id": row.get("id"), "text": row["text"][:100], "want": want, "got": got.key,
                               "why": got.reason})
    return rep
