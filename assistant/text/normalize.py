"""Text folding for matching (the lexicons, the classifier, the catalog, the report),
and the invisible characters that hide inside words."""

from __future__ import annotations

import re
import unicodedata

_PERSIAN = str.maketrans({"ي": "ی", "ك": "ک", "\u200c": " ", "ـ": "", "ى": "ی"})
_SPACES = re.compile(r"\s+")

# Zero-width and direction characters and the soft hyphen: they hide inside a word
# ("poi\u200bsoning") without showing. ZWNJ (U+200C) is not among them: Persian spells
# words with it (fold maps it to a space).
_IN_WORDS = r"\u200b\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069\u00ad"
INVISIBLE = re.compile(f"[{_IN_WORDS}]")
# The claim check's list (drafting/claims.py): the above and U+180E, the Mongolian vowel
# separator, a format character since Unicode 6.3. Folding and the encoder never dropped
# U+180E; adding it to INVISIBLE would change what they match, so the lists stay two.
INVISIBLE_OR_MVS = re.compile(f"[{_IN_WORDS}\\u180e]")
# Everything that shows nothing, for a post quoted into a model's prompt (drafting/writer.py):
# the above, ZWNJ, direction marks, combining grapheme joiner, variation selectors, Hangul
# fillers. Nothing hidden may survive there, or "<\u200b/post>" reaches the model as a
# closing tag. Matching cannot use it: Persian words need their ZWNJ.
INVISIBLE_ALL = re.compile(r"[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e"
                           r"\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]")


def strip_invisible(text: str) -> str:
    """``text`` without the INVISIBLE characters: "poi\u200bsoning" is "poisoning"."""
    return INVISIBLE.sub("", text)


def fold(text: str) -> str:
    """Case-fold, strip accents (ä->a, ά->α), unify Persian letters and spaces."""
    text = strip_invisible(text)
    text = unicodedata.normalize("NFKD", text.translate(_PERSIAN).casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _SPACES.sub(" ", text.replace("’", "'")).strip()


_COMBINING = re.compile("[\u0300-\u036f]")
_SEP = "\x1e"  # ASCII record separator: joins the texts (taken out of them first)


def fold_many(texts: list[str]) -> list[str]:
    """Case- and accent-fold many texts with one normalisation over them all: the report
    folds every post of a period, and fold one by one took many times as long.

    Cruder than fold, and kept so, so that the report's topic counts stay as they were:
    only the common Latin accents (U+0300-U+036F) are dropped, and Persian letters,
    invisible characters, apostrophes and spaces are left as they are."""
    if not texts:
        return []  # "".split() would give one empty text for none
    joined = _SEP.join(t.replace(_SEP, " ") for t in texts)
    folded = _COMBINING.sub("", unicodedata.normalize("NFKD", joined.casefold()))
    return folded.split(_SEP)


def compile_terms(terms: list[str]) -> re.Pattern[str]:
    """One regex for a word list: each entry matches at a word start; "$" ends a whole word."""
    parts = []
    for term in sorted({fold(t) for t in terms if t.strip()}, key=len, reverse=True):
        whole = term.endswith("$")
        body = re.escape(term.rstrip("$"))
        parts.append(f"(?<!\\w){body}" + ("(?!\\w)" if whole else ""))
    return re.compile("|".join(parts))
