"""The policy's catalog: the products, places, people and events posts name.

A draft acknowledges what a post names ("our Kallio café", "Mika") from here, and
the guard accepts these names as supported. Names are matched on case- and
accent-folded text at word boundaries, in the post's language and in ``any``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.text.normalize import fold

Kind = Literal["product", "place", "person", "event"]
ANY = "any"


class CatalogEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    kind: Kind
    # Names as people write them: one list for every language, or language -> list
    # (with "any" for names that are the same everywhere).
    names: list[str] | dict[str, list[str]]
    # How a reply names it, per language; missing that, the name the post used.
    say: dict[str, str] = Field(default_factory=dict)

    @field_validator("names")
    @classmethod
    def _not_empty(cls, value: list[str] | dict[str, list[str]]) -> list[str] | dict[str, list[str]]:
        names = value if isinstance(value, list) else [n for v in value.values() for n in v]
        if not names or any(not n.strip() for n in names):
            raise ValueError("give at least one name, and no empty names")
        return value

    def names_for(self, language: str | None) -> list[str]:
        if isinstance(self.names, list):
            return self.names
        out = list(self.names.get(ANY, []))
        if language and language in self.names:
            out += self.names[language]
        elif not language:
            out += [n for lang, v in self.names.items() if lang != ANY for n in v]
        return out

    def all_names(self) -> list[str]:
        return self.names_for(None)


@dataclass(frozen=True)
class Named:
    """Something a post names: the catalog entry, the words the post used, and
    how a reply in ``language`` should name it."""

    entry_id: str
    kind: Kind
    matched: str
    say: str


# Languages that inflect names with endings (Kallion, Tamperella, korvapuusteista,
# Tamperē, της Kauppatori, ...). In the others a name takes at most a plural or
# possessive ending: "tampered" is not Tampere, "about" is not the German "Abo".
INFLECTED = frozenset({"fi", "lv", "el", "fa", "et", "lt", "hu", "pl", "ru", "tr"})
_PLAIN_ENDING = r"(?:'s|s|es|n|en|e|er|ar|or)?"


def _stem(name: str, inflected: bool) -> str:
    if not inflected:
        return re.escape(name) + _PLAIN_ENDING
    # A long name matches at a word start with a short ending, less its last vowel; a
    # longer tail is another word ("tilausnumero" is an order number, not "tilaus").
    if len(name) >= 6 and name[-1] in "aeiouyäö":
        name = name[:-1]
    return re.escape(name) + r"\w{0,5}"


# A first name in a case ("Kiitos Mikalle", "Annin ansiosta", "paldies Mikam"): only
# these endings, since a bare \w{0,5} would read "ainoa" (only) as Aino.
_PERSON_CASE = r"(?:lle|lta|ltä|lla|llä|n|sta|stä|ssa|ssä|m)?"


def names_pattern(names: list[str], person: bool = False, inflected: bool = False) -> re.Pattern[str] | None:
    """One pattern for ``names`` on folded text, longest first: a person's name with case
    endings only, a thing's with the endings of an ``inflected`` language (or none)."""
    folded = sorted({fold(n) for n in names if fold(n)}, key=len, reverse=True)
    if not folded:
        return None
    parts = [re.escape(n) + (_PERSON_CASE if inflected else "") if person else _stem(n, inflected) for n in folded]
    return re.compile(r"(?<!\w)(" + "|".join(parts) + r")(?!\w)")


class Catalog:
    def __init__(self, entries: list[CatalogEntry]) -> None:
        self.entries = entries
        # (entry id, language) -> its names as one pattern, compiled when first asked for
        self._patterns: dict[tuple[str, str | None], re.Pattern[str] | None] = {}

    def _pattern_for(self, entry: CatalogEntry, language: str | None) -> re.Pattern[str] | None:
        key = (entry.id, language)
        if key not in self._patterns:
            # A post's language is sometimes misread: its own names, then every name.
            self._patterns[key] = names_pattern(entry.names_for(language) or entry.all_names(),
                                           person=entry.kind == "person", inflected=language in INFLECTED)
        return self._patterns[key]

    def find(self, text: str, language: str | None) -> list[Named]:
        """What ``text`` names, in the order it names them (each entry once)."""
        return [n for _, _, n in self.find_spans(text, language)]

    def find_spans(self, text: str, language: str | None) -> list[tuple[int, int, Named]]:
        """What ``text`` names with where (in the folded text), in order. Where two names
        overlap the longest wins: "Kallio Morning blend" is the coffee, not the Kallio café."""
        folded = fold(text)
        found: list[tuple[int, int, CatalogEntry, re.Match[str]]] = []
        for entry in self.entries:
            for lang in (language, None):
                pattern = self._pattern_for(entry, lang)
                matches = list(pattern.finditer(folded)) if pattern else []
                if matches:
                    found += [(m.start(), m.end(), entry, m) for m in matches]
                    break
        # Where names overlap the longest wins; then each entry once, where first named.
        kept = [f for f in found if not any(o is not f and o[0] <= f[0] and f[1] <= o[1]
                                            and o[1] - o[0] > f[1] - f[0] for o in found)]
        out: list[tuple[int, int, Named]] = []
        seen: set[str] = set()
        for start, end, entry, match in sorted(kept, key=lambda f: f[0]):
            # Each entry once, where first named; people once per name ("Aino and Leena").
            key = f"{entry.id}\x1f{fold(match.group(0))}" if entry.kind == "person" else entry.id
            if key in seen:
                continue
            seen.add(key)
            # The post's own spelling (fold keeps length for Latin text, not always).
            original = _original_span(text, folded, start, end) or match.group(0)
            if entry.kind == "person":  # a person is named as the catalog spells them
                # "Mikalle" (to Mika) is Mika: the longest listed name the words start with.
                spoken = fold(match.group(0))
                say = max((n for n in entry.all_names() if spoken.startswith(fold(n))), key=len, default=original)
            else:
                say = entry.say.get(language or "", "") or original
            out.append((start, end, Named(entry.id, entry.kind, original, say)))
        return out

    def supported_names(self) -> list[str]:
        """Every name and every way a reply names something: text the guard accepts."""
        return [n for e in self.entries for n in (*e.all_names(), *e.say.values())]


def _original_span(text: str, folded: str, start: int, end: int) -> str | None:
    if len(text) == len(folded):
        return text[start:end]
    return None
