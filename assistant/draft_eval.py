"""`assistant eval --drafts`: how many drafts a community manager could post as they are.

Each labelled post carries machine-checkable notes: ``must`` (groups of
alternatives; one of each group must be in the draft) and ``forbid`` (none may
be), matched case- and accent-insensitively. A draft passes when it exists,
passes the guard, is in the post's language and meets every note. Reported per
language and intent, with where the drafts came from (model, composed, approved
reply, template).

``--learn``: approve the reference replies (``reference``) of half the set, then
measure how close the drafts for the other half come to theirs, before and after.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from .domain import Action, Intent, Mention, Severity, Triage
from .triage.language import detect_language
from .triage.normalize import fold

DRAFT_TARGET = 0.80


def load_draft_set(path: str | Path) -> list[dict[str, Any]]:
    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from None
        missing = [k for k in ("id", "language", "intent", "text") if k not in row]
        if missing:
            raise ValueError(f"{path}:{n}: missing {', '.join(missing)}")
        rows.append(row)
    return rows


def mention_of(row: dict[str, Any]) -> Mention:
    return Mention(source=row.get("network", "mastodon"), external_id=str(row["id"]),
                   author=row.get("author", "@someone"), text=row["text"], network=row.get("network"))


def check_notes(text: str, row: dict[str, Any]) -> list[str]:
    """What the draft misses of its notes, one line each."""
    folded = fold(text)
    problems = []
    for group in row.get("must", []):
        if not any(fold(alt) in folded for alt in group):
            problems.append(f"lacks {' / '.join(group[:3])}")
    for bad in row.get("forbid", []):
        if fold(bad) and fold(bad) in folded:
            problems.append(f"says {bad!r}")
    return problems


@dataclass
class DraftReport:
    per_language: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    per_intent: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    origins: Counter[str] = field(default_factory=Counter)
    misses: list[dict[str, Any]] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(v[0] for v in self.per_language.values())

    @property
    def total(self) -> int:
        return sum(v[1] for v in self.per_language.values())


def evaluate_drafts(rows: list[dict[str, Any]], engine: Any, brand: str | None = None,
                    use_labels: bool = False) -> DraftReport:
    """Triage each post as the product would (or take its labelled intent with
    ``use_labels``), draft it, and check the draft against its notes."""
    rep = DraftReport()
    policy = engine.policy(brand)
    drafter = engine.drafter(brand)
    for row in rows:
        mention = mention_of(row)
        triage = engine.triage(mention, brand)
        if use_labels:
            triage = Triage(language=row["language"], intent=Intent(row["intent"]), severity=Severity.LOW,
                            action=Action.REPLY)
        # A person asks for a draft even where triage escalates: the draft is what is measured.
        triage = triage.model_copy(update={"action": Action.REPLY})
        draft = drafter.draft(mention, triage)
        text = draft.text or ""
        problems = check_notes(text, row)
        if not draft.passed:
            problems += [f"guard {c.name}: {c.detail}" for c in draft.guard if not c.passed]
        got, _ = detect_language(text, policy.languages)
        if got not in (row["language"], "und"):
            problems.append(f"written in {got}")
        ok = not problems
        for tally in (rep.per_language[row["language"]], rep.per_intent[row["intent"]]):
            tally[0] += ok
            tally[1] += 1
        rep.origins[draft.origin] += 1
        rep.seconds.append(draft.seconds)
        if not ok:
            rep.misses.append({"id": row["id"], "intent": f"{row['intent']}->{triage.intent.value}",
                               "text": row["text"][:100], "draft": text[:300], "problems": problems})
    return rep


def learning_effect(rows: list[dict[str, Any]], engine: Any, brand: str | None = None) -> dict[str, float]:
    """Approve the reference replies of every other post, then measure how close the
    drafts for the rest come to their references (0-1, text similarity), before and after."""
    with_ref = [r for r in rows if r.get("reference")]
    taught, held = with_ref[0::2], with_ref[1::2]

    def closeness() -> float:
        scores = []
        drafter = engine.drafter(brand)
        for row in held:
            mention = mention_of(row)
            triage = Triage(language=row["language"], intent=Intent(row["intent"]), severity=Severity.LOW,
                            action=Action.REPLY)
            text = drafter.draft(mention, triage).text or ""
            scores.append(SequenceMatcher(None, fold(text), fold(row["reference"])).ratio())
        return sum(scores) / len(scores) if scores else 0.0

    before = closeness()
    for row in taught:
        mention = mention_of(row).model_copy(update={"external_id": f"taught-{row['id']}"})
        ids = engine.ingest([mention], brand)
        mention_id = ids[0] if ids else mention.key
        triage = Triage(language=row["language"], intent=Intent(row["intent"]), severity=Severity.LOW,
                        action=Action.REPLY)
        engine.store.save_triage(mention_id, triage, None)
        engine.store.approve(mention_id, "eval", row["reference"], "eval", edited=True)
    after = closeness()
    return {"taught": len(taught), "measured": len(held), "before": before, "after": after}
