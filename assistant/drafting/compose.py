"""Compose a reply from the plan (plan.py) in the policy's own phrasings.

Each move of the plan takes a phrasing from the playbook of the part it answers
(playbooks.<intent>.parts.<kind>): the opener of the post's main intent, thanks
naming what was praised, an apology for a problem, the fact that answers a
question, thanks for an idea, the next step, the closing. Every phrasing is
written by the brand, so a composed reply states nothing the policy does not, in
every language, with or without a model. Names are filled in their base form
(the catalog's ``say``), so phrasings are written where a bare name is grammatical.
Several phrasings per part keep replies from all reading alike: which one is used
depends on the post (and on the variant asked for, so Regenerate gives another).

Every part records where it came from, for the review card.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from assistant.domain.models import DraftPart, Intent, Mention
from assistant.drafting.plan import Move, Plan
from assistant.policy.catalog import Named
from assistant.policy.models import Playbook, Policy
from assistant.text.sentences import fill, sentences


@dataclass
class Composition:
    parts: list[DraftPart]
    named: list[Named]
    plan: Plan | None = None

    @property
    def text(self) -> str:
        return join_parts(self.parts)


def join_parts(parts: list[DraftPart]) -> str:
    return " ".join(p.text.strip() for p in parts if p.text.strip())


def _pick(options: list[str], key: str, variant: int) -> str:
    """One phrasing: stable for a post, another one for the next variant."""
    if not options:
        return ""
    start = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)
    return options[(start + variant) % len(options)]


def template_sentences(book: Playbook | None, language: str, fallback_language: str) -> list[str]:
    if book is None:
        return []
    text = book.templates.get(language) or book.templates.get(fallback_language, "")
    return sentences(text)


class Composer:
    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def values(self, mention: Mention, language: str) -> dict[str, str]:
        return {"author": mention.author, "brand": self.policy.brand.name,
                "sign_off": self.policy.voice.sign_off or "", **self.policy.facts_in(language)}

    def options(self, intent: Intent, kind: str, language: str) -> tuple[list[str], str]:
        """The phrasings of one part, and where they came from. A policy without
        ``parts`` for this language still composes: its template's first sentence
        is the opener, the rest the next step."""
        book = self.policy.playbook(intent)
        where = f"playbooks.{intent.value}.parts.{kind}"
        if book is not None:
            found = book.parts.of(kind, language)
            if found:
                return found, where
            if any(book.parts.of(k, language) for k in ("opener", "next_step", "closing")):
                return [], where  # the policy wrote parts for this language, just not this one
        sentences = template_sentences(book, language, self.policy.languages[0])
        where = f"playbooks.{intent.value}.templates.{language}"
        if kind == "opener":
            return sentences[:1], where
        if kind == "next_step" and intent is not Intent.QUESTION:
            return ([" ".join(sentences[1:])] if len(sentences) > 1 else []), where
        if kind == "unanswered":
            return ([" ".join(sentences[1:])] if len(sentences) > 1 else []), where
        return [], where

    def _say(self, name: str, language: str) -> str:
        """Names joined by the plan ("Mika\x1fAino"), with the language's "and"."""
        names = name.split("\x1f")
        if len(names) < 2:
            return names[0]
        return f"{names[0]} {AND.get(language, '&')} {names[1]}"

    def phrasing(self, move: Move, language: str) -> tuple[list[str], str]:
        """The phrasings a move can take and where they came from, falling back to
        the nearest part the policy does have (a policy written before mixed posts were
        answered still composes them)."""
        for intent, kind in _FALLBACKS.get((move.kind, move.part), [(move.intent, move.part)]):
            if kind == "greeting":
                # A greeting reads the same whatever the post does: any playbook's will do.
                books = [intent, *[i for i in Intent if i is not intent]]
                for book in books:
                    found, where = self.options(book, kind, language)
                    if found:
                        return found, where
                continue
            found, where = self.options(intent, kind, language)
            if found:
                return found, where
        return [], ""

    def compose(self, mention: Mention, plan: Plan, language: str, variant: int = 0,
                limit: int | None = None) -> Composition:
        """The reply the plan describes, from the policy's phrasings in ``language``.
        ``variant`` picks other phrasings (Regenerate). A reply too long for the network
        drops optional moves, then takes the shortest phrasing of every move."""
        composition = self._compose(mention, plan, language, variant, limit, shortest=False)
        if limit is not None and len(composition.text) > limit:
            composition = self._compose(mention, plan, language, variant, limit, shortest=True)
        return composition

    def _compose(self, mention: Mention, plan: Plan, language: str, variant: int, limit: int | None,
                 shortest: bool) -> Composition:
        values = self.values(mention, language)
        key = mention.key + mention.text[:200]
        parts: list[DraftPart] = []
        ranks: list[int] = []
        said: set[str] = set()
        for move in plan.moves:
            if move.kind == "answer" and move.fact is not None:
                text, source = move.fact[1], f"policy: facts.{move.fact[0]}.{language}"
            else:
                options, where = self.phrasing(move, language)
                text = (min(options, key=len, default="") if shortest
                        else _pick(options, f"{key}/{move.kind}/{move.part}", variant))
                if not text:
                    continue
                vals = dict(values, name=self._say(move.name, language)) if move.name is not None else values
                if "{name}" in text and move.name is None:
                    continue
                text, source = fill(text, vals), f"policy: {where}"
                if move.cites:
                    source += " + " + ", ".join(f"catalog: {n.entry_id} ({n.matched})" for n in move.cites)
            if not text.strip() or text.strip() in said:
                continue
            said.add(text.strip())
            parts.append(DraftPart(kind=_PART_KIND.get(move.kind, move.part), text=text, source=source,
                                   optional=move.drop_rank > 0))
            ranks.append(move.drop_rank)
        return Composition(fit(parts, limit, ranks), [n for m in plan.moves for n in m.cites], plan)


# Where a move finds its phrasing, in order: a policy without the newer parts
# (greeting, also, also_named) falls back to the ones every policy has.
_FALLBACKS: dict[tuple[str, str], list[tuple[Intent, str]]] = {
    ("thank_person", "also_named"): [(Intent.PRAISE, "also_named"), (Intent.PRAISE, "acknowledge_person")],
    ("thank_thing", "also_named"): [(Intent.PRAISE, "also_named"), (Intent.PRAISE, "acknowledge_thing")],
    ("also_praise", "also"): [(Intent.PRAISE, "also")],
    ("sorry", "also_named"): [(Intent.COMPLAINT, "also_named"), (Intent.COMPLAINT, "also"),
                              (Intent.COMPLAINT, "opener")],
    ("sorry", "also"): [(Intent.COMPLAINT, "also"), (Intent.COMPLAINT, "opener")],
    ("idea", "also_named"): [(Intent.SUGGESTION, "also_named"), (Intent.SUGGESTION, "also"),
                             (Intent.SUGGESTION, "opener")],
    ("idea", "also"): [(Intent.SUGGESTION, "also"), (Intent.SUGGESTION, "opener")],
}
# The draft part's kind as the card and the eval know it.
_PART_KIND = {"greet": "greeting", "open": "opener", "thank_person": "acknowledge_person",
              "thank_thing": "acknowledge_thing", "also_praise": "also", "sorry": "apology", "look_into":
              "acknowledge_thing", "answer": "fact", "unanswered": "unanswered", "idea": "idea",
              "next_step": "next_step", "praise_next": "next_step", "close": "closing"}


# "Mika and Aino", "our Kallio café and our cinnamon buns", in each language.
AND = {"en": "and", "fi": "ja", "nl": "en", "el": "και", "fa": "و", "lv": "un", "de": "und", "es": "y",
       "fr": "et", "sv": "och", "it": "e", "pt": "e", "da": "og", "nb": "og", "pl": "i", "et": "ja"}


def fit(parts: list[DraftPart], limit: int | None, ranks: list[int] | None = None) -> list[DraftPart]:
    """Drop optional parts until the reply fits the network's length: the lowest
    rank first (plan.DROP_ORDER: the closing before a thanks, a thanks before an
    apology or an answer, which are never dropped), the last written first among equals."""
    parts = list(parts)
    ranks = list(ranks) if ranks is not None else [1 if p.optional else 0 for p in parts]
    while limit is not None and len(join_parts(parts)) > limit:
        optional = [i for i, p in enumerate(parts) if p.optional and ranks[i] > 0]
        if not optional:
            break
        worst = min(optional, key=lambda i: (ranks[i], -i))
        del parts[worst]
        del ranks[worst]
    return parts
