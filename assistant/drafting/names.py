"""How a reply names people and things a post named.

A catalog name inside a longer name the post gave something else is not that entry
(``listed_only``); a Finnish name in a case is named back in its base form, or not at
all when that form is uncertain (``base_name``); a signed name is greeted only when it
reads as a name and is no insult (``greetable``).
"""

from __future__ import annotations

import re

from assistant.domain.models import NamedItem
from assistant.policy.catalog import Named
from assistant.text.normalize import fold
from assistant.triage.signals import ABUSE, hits


def listed_only(named: list[Named], items: list[NamedItem]) -> list[Named]:
    """Catalog names that are not part of a longer name the post gave something else:
    in "the Kallio Blend tastes bitter" Kallio is a coffee, not our Kallio café."""
    unlisted = [fold(i.name) for i in items if i.entry is None]
    return [n for n in named if not any(fold(n.matched) in u and fold(n.matched) != u for u in unlisted)]


# Finnish puts a name in a case ("Kiitos Annille", "terveisiä Laurille"); a reply
# names them in the base form. Only endings that leave the name whole are undone:
# "Jukalle" is Jukka, and a name that changed inside is left out rather than misspelt.
_FI_CASE = re.compile(r"(?:lle|lta|ltä|lla|llä|sta|stä|ssa|ssä|n)$")
_FI_GRADED = re.compile(r"[aeiouyäö][kpt][aeiouyäö]$")


def base_name(name: str, language: str) -> str | None:
    """``name`` as a reply can say it, or None when its base form is uncertain."""
    if language != "fi":
        return name
    stem = _FI_CASE.sub("", name)
    if stem == name:
        return name
    if len(stem) < 3 or _FI_GRADED.search(stem.lower()):
        return None
    return stem


# Signed "names" a reply must never greet back in public, beyond the abuse words.
_NOT_GREETED = frozenset({"nazi", "hitler", "ass", "loser", "twat", "pig", "scum"})


def greetable(name: str) -> bool:
    """A signed name the reply may greet: letters of a name, no insult ("— Dickhead")."""
    folded = fold(name)
    return (bool(re.fullmatch(r"[^\W\d_]+(?:[ '’-][^\W\d_]+)?", name.strip())) and len(name) <= 40
            and not hits(ABUSE, folded) and not any(w in _NOT_GREETED for w in folded.split()))
