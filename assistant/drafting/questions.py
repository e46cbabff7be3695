"""The questions a post asks: which of its sentences ask something.

A sentence asks when it ends in a question mark (a Greek ";" asks only in Greek text); a
short follow-up ("At what time?") is asked together with the question before it. The
drafter looks up a fact for each question; the reply plan reads a question mark as a
sign that a post read as a complaint may be a question.
"""

from __future__ import annotations

import re

_QUESTION_MARK = re.compile(r"[?？؟;]")
_GREEK = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")
# A sentence ends at . ! ? ; (Greek asks with ";"), at a line break, before a Spanish
# "¿" and after an emoji that closes a thought ("... Kallio 💛 ¿Abrís los domingos?").
_SENTENCE_END = re.compile(r"(?<=[?？؟!.;;])\s+|\n+|\s+(?=¿)|(?<=[\U0001F300-\U0001FAFF\u2600-\u27BF])\s+(?=\w)")
# A follow-up this short ("At what time?") is asked with the question before it.
FOLLOW_UP_WORDS = 4


def _asks(sentence: str) -> bool:
    """Ends in a question mark; a Greek ";" asks only in Greek text."""
    marks = set(_QUESTION_MARK.findall(sentence))
    return bool(marks - {";"}) or (bool(marks) and bool(_GREEK.search(sentence)))


def has_question(text: str) -> bool:
    return any(_asks(p) for p in _SENTENCE_END.split(text) if p)


def question_sentences(text: str) -> list[str]:
    """The sentences of a post that ask something (end in a question mark)."""
    out: list[str] = []
    for p in (p.strip() for p in _SENTENCE_END.split(text) if p):
        if not _asks(p) or len(p) <= 5:
            continue
        if out and len(p.split()) < FOLLOW_UP_WORDS:
            out[-1] = f"{out[-1]} {p}"  # "Do you open on Sundays? At what time?"
        else:
            out.append(p)
    return out[:5]
