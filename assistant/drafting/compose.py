"""Compose a reply from the parts the policy owns and the post supplies.

A reply is: an opener that fits the intent; the answering fact, in the author's
language; an acknowledgement of what the post names (a person, or a product,
place or event from the policy's catalog); the next step; a closing. Each part
is a phrasing written by the brand, so a composed reply states nothing the
policy does not, in every language, with or without a model. Several phrasings
per part keep replies from all reading alike: which one is used depends on the
post (and on the variant asked for, so Regenerate gives another).

Every part records where it came from, for the review card.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..catalog import Named
from ..domain import DraftPart, Intent, Mention
from ..policy import Playbook, Policy
from .text import fill, sentences


@dataclass
class Composition:
    parts: list[DraftPart]
    named: list[Named]

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

    @staticmethod
    def _names(named: list[Named], language: str) -> str:
        names = [n.say for n in named]
        if len(names) < 2:
            return names[0]
        return f"{names[0]} {AND.get(language, '&')} {names[1]}"

    def compose(self, mention: Mention, intent: Intent, language: str, fact: tuple[str, str] | None,
                named: list[Named], variant: int = 0, limit: int | None = None,
                returning_fan: bool = False) -> Composition:
        """``fact``: (fact key, its text in ``language``) answering the post, or None.
        ``returning_fan``: the author is a super-fan (superfans.py): thanked as one."""
        values = self.values(mention, language)
        key = mention.key + mention.text[:200]
        parts: list[DraftPart] = []

        def add(kind: str, name: str | None = None, optional: bool = False, borrow: Intent | None = None) -> None:
            options, where = self.options(borrow or intent, kind, language)
            text = _pick(options, f"{key}/{kind}", variant)
            if not text:
                return
            vals = dict(values, name=name) if name is not None else values
            parts.append(DraftPart(kind=kind, text=fill(text, vals), source=f"policy: {where}",
                                   optional=optional))

        add("opener")
        if returning_fan and intent in (Intent.PRAISE, Intent.REACTION):
            own = self.options(intent, "returning_fan", language)[0]
            add("returning_fan", optional=True, borrow=None if own else Intent.PRAISE)
        people = [n for n in named if n.kind == "person"][:2]
        things = [n for n in named if n.kind != "person"][:2]
        if intent is Intent.REACTION:
            # A small reaction that names something ("😍 die kaneelbroodjes") gets it named back.
            if things:
                add("acknowledge_thing", self._names(things, language), optional=True, borrow=Intent.PRAISE)
            return Composition(fit(parts, limit), named)
        # A complaint never names a member of staff in public.
        if people and intent is Intent.PRAISE:
            add("acknowledge_person", self._names(people, language), optional=True)
            _cite(parts, "acknowledge_person", people)
        if things and intent is not Intent.QUESTION:
            add("acknowledge_thing", self._names(things, language), optional=True)
            _cite(parts, "acknowledge_thing", things)
        if fact is not None:
            parts.append(DraftPart(kind="fact", text=fact[1], source=f"policy: facts.{fact[0]}.{language}"))
        elif intent is Intent.QUESTION:
            add("unanswered")
        add("next_step", optional=intent is not Intent.COMPLAINT)
        if not (intent is Intent.QUESTION and fact is None):  # "we'll check" already closes it
            add("closing", optional=True)
        return Composition(fit(parts, limit), named)


# "Mika and Aino", "our Kallio café and our cinnamon buns", in each language.
AND = {"en": "and", "fi": "ja", "nl": "en", "el": "και", "fa": "و", "lv": "un", "de": "und", "es": "y",
       "fr": "et", "sv": "och", "it": "e", "pt": "e", "da": "og", "nb": "og", "pl": "i", "et": "ja"}


def _cite(parts: list[DraftPart], kind: str, named: list[Named]) -> None:
    if parts and parts[-1].kind == kind:
        parts[-1].source += " + " + ", ".join(f"catalog: {n.entry_id} ({n.matched})" for n in named)


def fit(parts: list[DraftPart], limit: int | None) -> list[DraftPart]:
    """Drop optional parts, last first, until the reply fits the network's length."""
    parts = list(parts)
    while limit is not None and len(join_parts(parts)) > limit:
        optional = [i for i, p in enumerate(parts) if p.optional]
        if not optional:
            break
        del parts[optional[-1]]
    return parts
