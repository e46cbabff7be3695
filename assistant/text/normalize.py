"""Text folding shared by the lexicons and the classifier."""

from __future__ import annotations

import re
import unicodedata

_PERSIAN = str.maketrans({"ي": "ی", "ك": "ک", "\u200c": " ", "ـ": "", "ى": "ی"})
_SPACES = re.compile(r"\s+")
# Zero-width and direction characters hide inside words; ZWNJ is mapped to a space
# above (Persian), the rest are dropped.
_INVISIBLE = re.compile(r"[\u200b\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069\u00ad]")


def fold(text: str) -> str:
    """Case-fold, strip accents (ä->a, ά->α), unify Persian letters and spaces."""
    text = _INVISIBLE.sub("", text)  # "poi\u200bsoning" is "poisoning"
    text = unicodedata.normalize("NFKD", text.translate(_PERSIAN).casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _SPACES.sub(" ", text.replace("’", "'")).strip()


def compile_terms(terms: list[str]) -> re.Pattern[str]:
    """One regex for a word list: each entry matches at a word start; "$" ends a whole word."""
    parts = []
    for term in sorted({fold(t) for t in terms if t.strip()}, key=len, reverse=True):
        whole = term.endswith("$")
        body = re.escape(term.rstrip("$"))
        parts.append(f"(?<!\\w){body}" + ("(?!\\w)" if whole else ""))
    return re.compile("|".join(parts))
