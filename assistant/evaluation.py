"""`assistant eval`: triage accuracy on a labelled set, per language and overall."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .domain import Action, Intent, Severity
from .policy import Policy
from .triage import Triager

TARGETS = {"intent_overall": 0.90, "intent_per_language": 0.80, "abuse_spam_recall": 0.95,
           "high_escalated": 1.0}


@dataclass
class EvalReport:
    total: int = 0
    intent_ok: int = 0
    language_ok: int = 0
    severity_ok: int = 0
    action_ok: int = 0
    per_language: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    recall: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    high_total: int = 0
    high_escalated: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)

    def ratio(self, ok: int, n: int) -> float:
        return ok / n if n else 1.0

    def figures(self) -> dict[str, float]:
        abuse_spam = [self.recall[i.value] for i in (Intent.ABUSE, Intent.SPAM)]
        ok = sum(r[0] for r in abuse_spam)
        n = sum(r[1] for r in abuse_spam)
        return {
            "intent_overall": self.ratio(self.intent_ok, self.total),
            "intent_per_language": min((self.ratio(*v) for v in self.per_language.values()), default=1.0),
            "abuse_spam_recall": self.ratio(ok, n),
            "high_escalated": self.ratio(self.high_escalated, self.high_total),
            "language": self.ratio(self.language_ok, self.total),
            "severity": self.ratio(self.severity_ok, self.total),
            "action": self.ratio(self.action_ok, self.total),
        }

    def meets_targets(self) -> bool:
        f = self.figures()
        return all(f[k] >= v for k, v in TARGETS.items())


REQUIRED = ("text", "language", "intent", "severity", "action")


def load_labelled(path: str | Path) -> list[dict[str, Any]]:
    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from None
            missing = [k for k in REQUIRED if not isinstance(row, dict) or k not in row]
            if missing:
                raise ValueError(f"{path}:{n}: missing {', '.join(missing)}")
            rows.append(row)
    return rows


def evaluate(rows: list[dict[str, Any]], policy: Policy, triager: Triager | None = None) -> EvalReport:
    triager = triager or Triager()
    rep = EvalReport()
    for row in rows:
        got = triager.triage(row["text"], policy)
        lang = row["language"]
        rep.total += 1
        hit = got.intent.value == row["intent"]
        rep.intent_ok += hit
        rep.per_language[lang][0] += hit
        rep.per_language[lang][1] += 1
        rep.language_ok += got.language == lang
        rep.severity_ok += got.severity.value == row["severity"]
        rep.action_ok += got.action.value == row["action"]
        rep.recall[row["intent"]][0] += hit
        rep.recall[row["intent"]][1] += 1
        rep.confusion[(row["intent"], got.intent.value)] += 1
        if row["severity"] == Severity.HIGH.value:
            rep.high_total += 1
            rep.high_escalated += got.action is Action.ESCALATE
        if not hit or got.language != lang or got.severity.value != row["severity"] or got.action.value != row["action"]:
            rep.misses.append({"id": row.get("id"), "text": row["text"][:120], "want": [lang, row["intent"], row["severity"], row["action"]],
                               "got": [got.language, got.intent.value, got.severity.value, got.action.value],
                               "reasons": got.reasons})
    return rep
