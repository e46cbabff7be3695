"""Sentences, template variables, and what a reply's limits count (length, emoji).

A draft's sentences (``sentences``) end at . ! ? … 。 ؟ or a line break. A post's are cut
a little differently, and each reader keeps its own cut, named here so the differences
show: in a post ";" ends a sentence too (it is the Greek question mark).
"""

from __future__ import annotations

import re
import string
import unicodedata

_SENTENCES = re.compile(r"(?<=[.!?…。؟])\s+|\n+")

# The triage signals (question words, sentence openers): a break after a sentence end,
# or a line break followed by more blank space. A single line break does not cut.
POST_SENTENCE_BREAK = re.compile(r"(?<=[.!?;。؟\n])\s+")
# The injection check (triage/rules.py): sentences and lines, since orders to the model
# are often a line of their own.
POST_LINE_BREAK = re.compile(r"(?<=[.!?;。؟\n])\s+|\n+")
# The parts of a review (triage/reading.py): sentences and lines, also after "…", and
# after an emoji that ends a sentence without a full stop ("Love it 😍 The price though").
POST_PART_BREAK = re.compile(r"(?<=[.!?;。؟…\n])\s+|\n+|(?<=[\U0001F300-\U0001FAFF\u2600-\u27BF])\s+(?=\w)")


def sentences(text: str) -> list[str]:
    """A draft's sentences, stripped, empty ones left out."""
    return [s.strip() for s in _SENTENCES.split(text) if s.strip()]


def drop_unfinished(text: str, ends: str = ".!?…", finished: str = ")") -> str:
    """``text`` cut after its last sentence end (one of ``ends``) when it stops mid-sentence,
    as a generation cut off at its token limit does. A text ending in one of ``ends`` or
    ``finished`` is whole; so is one with no sentence end at all."""
    if text and text[-1] not in ends + finished and any(c in text for c in ends):
        text = text[: max(text.rfind(c) for c in ends) + 1]
    return text


def reply_length(text: str) -> int:
    """A reply's length as a network counts it: characters once composed (NFC), so an
    "ä" typed as "a" and a combining mark is one. The guard and the writer both use it."""
    return len(unicodedata.normalize("NFC", text))


def is_reply_emoji(ch: str) -> bool:
    """An emoji as a reply's emoji limit counts it: a symbol (Unicode "So") above U+2000,
    so ©, ® and ° are not. The guard counts with it what the output tidying trims."""
    return unicodedata.category(ch) == "So" and ord(ch) > 0x2000


class _Values(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"  # an unknown variable stays as written


def fill(text: str, values: dict[str, str]) -> str:
    """``text`` with its ``{variables}`` filled in; one it lacks a value for stays as written."""
    return string.Formatter().vformat(text, (), _Values(values))
