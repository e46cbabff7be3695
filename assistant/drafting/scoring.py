"""How many drafts a community manager could post as they are, scored against must/forbid notes:
used by `assistant model check` to qualify a model per language, and by `make eval`
(devtools/drafts_eval.py, which drafts a whole set and measures ``--learn``).

Each labelled post carries machine-checkable notes: ``must`` (groups of
alternatives; one of each group must be in the draft) and ``forbid`` (none may
be), matched case- and accent-insensitively. A draft passes when it exists,
passes the guard, is in the post's language and meets every note. Reported per
language and intent, with where the drafts came from (model, composed, approved
reply, template).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.domain.models import Intent, Mention, Triage
from assistant.text.normalize import fold
from assistant.triage.language import detect_language


def load_draft_set(path: str | Path) -> list[dict[str, Any]]:
    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise ValueError(f"{path}:{n}: not a JSON object")
        missing = [k for k in ("id", "language", "intent", "text") if k not in row]
        if missing:
            raise ValueError(f"{path}:{n}: missing {', '.join(missing)}")
        problem = _bad_row(row)
        if problem:
            raise ValueError(f"{path}:{n}: {problem}")
        rows.append(row)
    return rows


def _bad_row(row: dict[str, Any]) -> str | None:
    """What is wrong with a row's fields, or None: notes are checked as written, so a
    "must" given as a string would silently be read letter by letter."""
    for key in ("id", "language", "intent", "text"):
        if not isinstance(row[key], str) or not row[key].strip():
            return f"{key} must be a non-empty string"
    if row["intent"] not in {i.value for i in Intent}:
        return f"intent {row['intent']!r} is not one of {', '.join(i.value for i in Intent)}"
    must = row.get("must", [])
    if not isinstance(must, list) or not all(isinstance(g, list) and g and all(isinstance(a, str) for a in g)
                                             for g in must):
        return 'must is a list of groups, each a list of strings: [["Mika"], ["EU", "Europe"]]'
    forbid = row.get("forbid", [])
    if not isinstance(forbid, list) or not all(isinstance(f, str) for f in forbid):
        return 'forbid is a list of strings: ["sorry", "refund"]'
    kinds = row.get("must_kinds")
    if kinds is not None and (not isinstance(kinds, list) or len(kinds) != len(must)):
        return "must_kinds has one kind per must group"
    return None


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
    per_brand: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    # "fi/aurora-roasters": the target holds per language for each brand.
    per_brand_language: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    # The targets, each over the posts it applies to: the names a post praised,
    # the questions the policy answers, every part of a mixed post, no apology to a fan.
    checks: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    origins: Counter[str] = field(default_factory=Counter)
    misses: list[dict[str, Any]] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(v[0] for v in self.per_language.values())

    @property
    def total(self) -> int:
        return sum(v[1] for v in self.per_language.values())


# What each kind of note checks, as the targets name them (draft eval sets mark each
# ``must`` group with its kind in ``must_kinds``).
CHECK_NAMES = {"name": "names from praise in the reply", "answer": "answerable questions answered",
               "signed": "signed name greeted", "part": "parts addressed"}


def _apologised(draft: Any) -> bool:
    """The reply apologises: a part taken from the complaint playbook's apology phrasings."""
    return any(p.kind in ("apology",) or (p.kind == "opener" and "playbooks.complaint." in p.source)
               for p in draft.parts)


def score_row(row: dict[str, Any], draft: Any, policy: Any, rep: DraftReport, triage: Triage) -> None:
    """Check one draft against its row's notes and tally it."""
    text = draft.text or ""
    problems = check_notes(text, row)
    if not draft.passed:
        problems += [f"guard {c.name}: {c.detail}" for c in draft.guard if not c.passed]
    got, _ = detect_language(text, policy.languages)
    if got not in (row["language"], "und"):
        problems.append(f"written in {got}")
    parts = row.get("parts") or [row["intent"]]
    fan = "complaint" not in parts
    # An apology to a fan is counted in the checks below; the notes' own forbid words
    # (sorry, pahoillamme, ...) fail the draft, so the pass rate stays comparable with
    # the scoring before this check existed.
    if fan:
        rep.checks["no apology to a fan"][0] += not _apologised(draft)
        rep.checks["no apology to a fan"][1] += 1
    rep.checks["no unsupported claim (guard)"][0] += draft.passed
    rep.checks["no unsupported claim (guard)"][1] += 1
    folded = fold(text)
    kinds = row.get("must_kinds") or []
    for group, kind in zip(row.get("must", []), kinds, strict=False):
        if kind in CHECK_NAMES:
            rep.checks[CHECK_NAMES[kind]][0] += any(fold(alt) in folded for alt in group)
            rep.checks[CHECK_NAMES[kind]][1] += 1
    if row.get("mixed") or len(set(parts)) > 1:
        # Every part addressed: all its "part", "answer" and "name" notes met.
        groups = [g for g, k in zip(row.get("must", []), kinds, strict=False) if k in ("part", "answer", "name")]
        rep.checks["mixed posts: every part addressed"][0] += all(any(fold(a) in folded for a in g) for g in groups)
        rep.checks["mixed posts: every part addressed"][1] += 1
    ok = not problems
    brand = row.get("brand") or "-"
    for tally in (rep.per_language[row["language"]], rep.per_intent[row["intent"]], rep.per_brand[brand],
                  rep.per_brand_language[f"{row['language']}/{brand}"]):
        tally[0] += ok
        tally[1] += 1
    rep.origins[draft.origin] += 1
    rep.seconds.append(draft.seconds)
    if not ok:
        rep.misses.append({"id": row["id"], "intent": f"{row['intent']}->{triage.intent.value}",
                           "text": row["text"][:100], "draft": text[:300], "problems": problems})
