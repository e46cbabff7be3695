"""Keyword lists for triage, as data: one file per language in ``words/`` (``en.yaml``,
``fi.yaml``, ...) and ``words/any.yaml`` for the emoji. A brand that answers in
another language adds a file; nothing here changes.

Entries are matched on text that is case-folded and stripped of accents, at the
start of a word, so a stem ("pettyny") also matches its inflections
("pettynyt"). An entry ending in "$" must match a whole word. The lists of all
languages are merged: a misdetected language does not blind triage.

What each list is for:
- positive / negative: praise and complaint words; negative ones after a negator
  ("no problem", "ei huono") do not count.
- sarcasm: praise words around a bad situation ("great, another week without my order").
- question_words / question_starts: a question, with or without "?".
- suggestion / suggestion_starts: ideas and imperatives asking the brand to do something
  (002 moment of truth 4).
- abuse / threat: insults and threats (000/001: below the belt is removed, not answered).
- conduct: how staff behaved ("rude", "unfriendly", "snapped at me"): a complaint about
  a person's conduct, which is answered, not an insult to hide.
- spam / injection: adverts and orders to the model.
- high_self_harm, high_scam, high_safety, high_legal, high_fraud, high_press, high_breach: high
  severity (004), each a crisis kind (triage/crisis.py).
- self_harm_leaving + self_harm_farewell: "I won't be around next month" with a farewell
  ("thanks for everything", "no point"), and no not_leaving word (moving, a holiday, a
  pause): a warning sign of self-harm only together, never alone.
- medium: an upset customer with a real problem to fix (004 root cause 2).
- negators, signoffs: "no"/"not" before a negative word; letter formulas that are politeness.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

WORDS = Path(__file__).with_name("words")
# Asked in this order: self-harm and scams first ("scam" alone is a fraud word; a fake
# giveaway page is a scam against customers, not a charge the brand made).
HIGH_KINDS = ("self_harm", "scam", "safety", "legal", "fraud", "press", "breach")


def _load() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in sorted(WORDS.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, value in data.items():
            if isinstance(value, str):
                merged[key] = merged.get(key, "") + value
            else:
                merged.setdefault(key, []).extend(str(v) for v in value)
    return merged


_WORDS = _load()


def _list(key: str) -> list[str]:
    return list(_WORDS.get(key, []))


POSITIVE_EMOJI = set(_WORDS.get("positive_emoji", ""))
# 😭 is left out: in posts it now means "so good it hurts" as often as sadness.
NEGATIVE_EMOJI = set(_WORDS.get("negative_emoji", ""))
POSITIVE = _list("positive")
NEGATIVE = _list("negative")
SARCASM = _list("sarcasm")
QUESTION_WORDS = _list("question_words")
SUGGESTION = _list("suggestion")
ABUSE = _list("abuse")
THREAT = _list("threat")
CONDUCT = _list("conduct")
SELF_HARM_LEAVING = _list("self_harm_leaving")
SELF_HARM_FAREWELL = _list("self_harm_farewell")
NOT_LEAVING = _list("not_leaving")
SPAM = _list("spam")
INJECTION = _list("injection")
HIGH = {kind: _list(f"high_{kind}") for kind in HIGH_KINDS}
MEDIUM = _list("medium")
QUESTION_STARTS = _list("question_starts")
SUGGESTION_STARTS = _list("suggestion_starts")
NEGATORS = _list("negators")
SIGNOFFS = _list("signoffs")
