"""What a tone policy is: the pydantic models of one brand's YAML file in ``policies/``.

The models refuse unknown keys and bad values field by field; ``Policy.cross_field_problems``
adds the checks that span fields (a template per language, known variables only, ...), and
``Policy.warnings`` the gaps that do not stop a policy loading. Reading a file into these
models is loading.py; keeping the policies in force is registry.py.
"""

from __future__ import annotations

import hashlib
import re
import string
from functools import cached_property
from typing import Literal
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from assistant.domain.models import Intent, Severity
from assistant.policy.catalog import Catalog, CatalogEntry
from assistant.policy.crisis import Crisis

_HOST = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}", re.I)
REPLY_INTENTS = (Intent.PRAISE, Intent.COMPLAINT, Intent.QUESTION, Intent.SUGGESTION, Intent.REACTION)
DEFAULT_MAX_LENGTH = {"default": 500, "mastodon": 500, "bluesky": 300, "x": 280}


class _Model(BaseModel):
    # Unknown keys are errors: a misspelt field must not be silently ignored.
    model_config = ConfigDict(extra="forbid")


class Brand(_Model):
    name: str = Field(min_length=1)
    handles: dict[str, str] = Field(default_factory=dict)
    aliases: list[str] = Field(default_factory=list)
    misspellings: list[str] = Field(default_factory=list)
    website: str | None = None


class EmojiRule(_Model):
    max: int = Field(1, ge=0, le=10)
    preferred: list[str] = Field(default_factory=list)


class Voice(_Model):
    person: Literal["we"] = "we"
    community_phrases: list[str] = Field(default_factory=list)
    formality: Literal["casual", "friendly", "formal"] = "friendly"
    emoji: EmojiRule = Field(default_factory=EmojiRule)
    sign_off: str | None = None
    forbidden_phrases: list[str] = Field(default_factory=list)
    max_length: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_MAX_LENGTH))

    @field_validator("max_length")
    @classmethod
    def _lengths(cls, value: dict[str, int]) -> dict[str, int]:
        merged = {**DEFAULT_MAX_LENGTH, **value}
        for network, limit in merged.items():
            if limit < 20:
                raise ValueError(f"{network}: {limit} is too short for a reply (at least 20)")
        return merged

    def limit_for(self, network: str | None) -> int:
        return self.max_length.get(network or "default", self.max_length["default"])


class Example(_Model):
    mention: str
    reply: str


class Parts(_Model):
    """What a reply is composed from, per language, several phrasings each (a draft
    picks one, so replies do not all read alike). ``{name}`` in an acknowledgement is
    what the post named (a catalog entry, or a person); every template variable works."""

    opener: dict[str, list[str]] = Field(default_factory=dict)
    acknowledge_person: dict[str, list[str]] = Field(default_factory=dict)
    acknowledge_thing: dict[str, list[str]] = Field(default_factory=dict)
    next_step: dict[str, list[str]] = Field(default_factory=dict)
    closing: dict[str, list[str]] = Field(default_factory=dict)
    unanswered: dict[str, list[str]] = Field(default_factory=dict, description="questions no fact answers")
    # Said to a super-fan's kind post, after the opener (article 003: recognise the
    # passionate few); see superfans.py and the `superfans` section.
    returning_fan: dict[str, list[str]] = Field(default_factory=dict, description="thanks a returning fan")
    # A post does several things at once ("love the café, but the beans were stale -
    # do you ship to Riga?"): the reply answers each part with a move from the playbook
    # of that part's intent (drafting/plan.py). ``also`` is this intent's move when it is
    # not the post's main intent; ``also_named`` the same naming what the part named
    # ({name}, in its base form: write phrasings where a bare name is grammatical).
    also: dict[str, list[str]] = Field(default_factory=dict, description="this intent as a secondary part")
    also_named: dict[str, list[str]] = Field(default_factory=dict,
                                             description="this intent as a secondary part, naming {name}")
    # "Hi {name}!" for a post its author signed ("— Laura").
    greeting: dict[str, list[str]] = Field(default_factory=dict, description="greets the signed name {name}")

    def of(self, kind: str, language: str) -> list[str]:
        return list(getattr(self, kind).get(language, []))


PART_KINDS = tuple(Parts.model_fields)  # every kind a phrasing can be written for


class Playbook(_Model):
    goal: str
    steps: list[str] = Field(default_factory=list)
    examples: list[Example] = Field(default_factory=list)
    parts: Parts = Field(default_factory=Parts)
    templates: dict[str, str] = Field(default_factory=dict)
    source: str | None = Field(None, description="the article this rule comes from")


class EscalationRule(_Model):
    name: str
    severity: list[Severity] = Field(default_factory=list)
    intents: list[Intent] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    # Posts this rule is for, in any language: a post that reads like them (by meaning,
    # not by shared words) is escalated too, so "we run a small café and would like your
    # beans in bigger bags" reaches Sales without saying "wholesale".
    examples: list[str] = Field(default_factory=list)
    team: str
    channel: str | None = None
    source: str | None = None

    @model_validator(mode="after")
    def _has_trigger(self) -> EscalationRule:
        if not (self.severity or self.keywords or self.intents or self.examples):
            raise ValueError("give at least one of severity, intents, keywords or examples, or the rule never fires")
        return self


class Gesture(_Model):
    id: str
    offer: str = Field(description="how a reply may phrase the offer")
    intents: list[Intent] = Field(default_factory=lambda: [Intent.COMPLAINT])
    keywords: list[str] = Field(default_factory=list, description="words that show a draft offers it")
    source: str | None = None


class Moderation(_Model):
    abuse: Literal["hide"] = "hide"
    spam: Literal["ignore"] = "ignore"
    source: str | None = None


class ReviewRules(_Model):
    """The policy's ``review`` section: where drafts wait for approval, and who approves."""

    channel: str | None = None
    approvers: list[str] = Field(default_factory=list)
    # The time within which a mention should be answered (article 001: the engagement
    # window is from about 30 seconds to a few days); reports show the share within it.
    response_target_minutes: int = Field(60, ge=1, le=60 * 24 * 14)


class SuperFans(_Model):
    """Authors with ``min_posts`` kind posts (praise, small reactions) within
    ``period_days`` are super-fans: marked on the card, listed in App Home, thanked as
    returning fans (articles 003 and 002: spot the small group of passionate supporters)."""

    min_posts: int = Field(3, ge=2, le=1000)
    period_days: int = Field(60, ge=1, le=3650)
    source: str | None = None


# A fact is one string (the same in every language: an e-mail, a URL) or a mapping
# language -> text, so a question is answered in the language it was asked in.
FactValue = str | dict[str, str]


class Policy(_Model):
    brand: Brand
    voice: Voice = Field(default_factory=Voice)
    languages: list[str] = Field(min_length=1)
    facts: dict[str, FactValue] = Field(default_factory=dict)
    # How people ask for each fact, in any language: fact lookup matches a question to
    # these by meaning (question to question is where the encoder is strong).
    fact_questions: dict[str, list[str]] = Field(default_factory=dict)
    # Questions near the facts that the facts do NOT answer, by topic: a question
    # closest to one of these gets "we'll find out", never a neighbouring fact.
    unanswered_questions: dict[str, list[str]] = Field(default_factory=dict)
    # The products, places, people and events posts name (see catalog.py).
    catalog: list[CatalogEntry] = Field(default_factory=list)
    playbooks: dict[Intent, Playbook]
    escalation: list[EscalationRule] = Field(default_factory=list)
    gestures: list[Gesture] = Field(default_factory=list)
    moderation: Moderation = Field(default_factory=Moderation)
    review: ReviewRules = Field(default_factory=ReviewRules)
    superfans: SuperFans = Field(default_factory=SuperFans)
    # When negative posts about one thing are a spike, and the one statement that answers it.
    crisis: Crisis = Field(default_factory=Crisis)

    # Filled in by the loader, not by the YAML.
    id: str = Field("", exclude=True)
    path: str = Field("", exclude=True)

    @field_validator("languages")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        bad = [c for c in value if len(c) != 2 or not c.isalpha() or not c.islower()]
        if bad:
            raise ValueError(f"use two-letter ISO 639-1 codes such as 'fi', not {', '.join(map(repr, bad))}")
        return value

    def template_variables(self) -> set[str]:
        return {"author", "brand", "sign_off", *self.facts}

    def playbook(self, intent: Intent) -> Playbook | None:
        return self.playbooks.get(intent)

    def fact(self, key: str, language: str | None = None) -> str:
        """A fact in ``language``; missing that, in the brand's first language that has it."""
        value = self.facts[key]
        if isinstance(value, str):
            return value
        for lang in (language, *self.languages, *value):
            if lang in value:
                return value[lang]
        return ""

    def facts_in(self, language: str | None = None) -> dict[str, str]:
        """Every fact in one language (for prompts and templates)."""
        return {key: self.fact(key, language) for key in self.facts}

    def all_texts_of_fact(self, key: str) -> list[str]:
        value = self.facts[key]
        return [value] if isinstance(value, str) else list(value.values())

    def all_fact_texts(self) -> list[str]:
        """Every fact in every language: what the guard accepts as stated by the policy."""
        return [t for v in self.facts.values() for t in ([v] if isinstance(v, str) else v.values())]

    @cached_property
    def brand_domains(self) -> frozenset[str]:
        """Host names that are the brand's own (its website, addresses in its facts): links
        to them are not spam. Worked out once per loaded policy (asked for every link)."""
        domains = set()
        for value in [self.brand.website or "", *self.brand.handles.values(), *self.all_fact_texts()]:
            for word in value.split():
                word = word.strip(".,;:!?()[]\"'")
                if word.startswith("@") or ("//" not in word and "@" not in word and not word.startswith("www.")):
                    continue  # a handle's server is shared; a sentence's last word ("day.") is no host
                host = urlparse(word if "//" in word else "//" + word.lstrip("@")).hostname or ""
                host = host.split("@")[-1].removeprefix("www.")
                if _HOST.fullmatch(host):
                    domains.add(host.lower())
        return frozenset(domains)

    @cached_property
    def catalog_index(self) -> Catalog:
        return Catalog(self.catalog)

    @cached_property
    def digest(self) -> str:
        """A fingerprint of the policy's content: what was built from it (embedded example
        questions) is rebuilt when an edit changes it."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]

    def warnings(self) -> list[tuple[tuple[str, ...], str]]:
        """Gaps that do not stop the policy loading: a fact missing a language is
        answered in the first language that has it."""
        out: list[tuple[tuple[str, ...], str]] = []
        for key, value in self.facts.items():
            if not isinstance(value, dict) or not value:
                continue
            lacking = [lang for lang in self.languages if lang not in value]
            if lacking:
                # the language fact() falls back to
                used = next((lang for lang in self.languages if lang in value), next(iter(value)))
                out.append((("facts", key), f"no text for {', '.join(lacking)}: answered in {used}"))
        for key in self.facts:
            if key not in self.fact_questions:
                out.append((("fact_questions",), f"no example questions for fact {key!r}: "
                                                 "fact lookup matches it by its own text only"))
        return out

    def cross_field_problems(self) -> list[tuple[tuple[str, ...], str]]:
        """Checks that span fields, each as (path, message): every one is reported, not
        just the first, so `policy check` lists them all at once."""
        problems: list[tuple[tuple[str, ...], str]] = []
        missing = [i.value for i in REPLY_INTENTS if i not in self.playbooks]
        if missing:
            problems.append((("playbooks",), f"add a playbook for {', '.join(missing)}"))
        lists: list[tuple[tuple[str, ...], list[str]]] = [(("fact_questions", k), v)
                                                           for k, v in self.fact_questions.items()]
        lists += [(("unanswered_questions", k), v) for k, v in self.unanswered_questions.items()]
        lists += [(("escalation", str(i), "examples"), r.examples) for i, r in enumerate(self.escalation)]
        for where, examples in lists:
            if any(not e.strip() for e in examples):
                problems.append((where, "an example is empty; write the question or post, or remove the line"))
        for key, examples in self.fact_questions.items():
            if not examples:
                problems.append((("fact_questions", key), "no examples: give a few questions, or remove the key"))
        for key in self.fact_questions:
            if key not in self.facts:
                problems.append((("fact_questions", key), f"no fact {key!r}; use one of {', '.join(self.facts)}"))
        for key, value in self.facts.items():
            texts = [value] if isinstance(value, str) else list(value.values())
            if not texts:
                problems.append((("facts", key), "give the text, or a mapping language -> text"))
            elif any(not t.strip() for t in texts):
                problems.append((("facts", key), "empty text: a matched question would get an empty answer"))
            for lang in value if isinstance(value, dict) else []:
                if lang not in self.languages:
                    problems.append((("facts", key, lang), f"{lang!r} is not in `languages`"))
        allowed = self.template_variables()
        for intent, book in self.playbooks.items():
            if intent not in REPLY_INTENTS:
                continue
            where = ("playbooks", intent.value, "templates")
            lacking = [lang for lang in self.languages if lang not in book.templates]
            if lacking:
                problems.append((where, f"add a template for {', '.join(lacking)} "
                                        "(every language in `languages` needs one)"))
            for lang, text in book.templates.items():
                for name in [n for n in _placeholders(text) if n not in allowed]:
                    problems.append(((*where, lang), f"unknown variable {{{name}}}; "
                                                     f"use one of {', '.join(sorted(allowed))}"))
            for kind in PART_KINDS:
                part_where = ("playbooks", intent.value, "parts", kind)
                for lang, texts in getattr(book.parts, kind).items():
                    if lang not in self.languages:
                        problems.append(((*part_where, lang), f"{lang!r} is not in `languages`"))
                    if not texts or any(not t.strip() for t in texts):
                        problems.append(((*part_where, lang), "give at least one phrasing, and no empty ones"))
                    for name in {n for t in texts for n in _placeholders(t)} - allowed - {"name"}:
                        problems.append(((*part_where, lang), f"unknown variable {{{name}}}; "
                                                              f"use one of {', '.join(sorted(allowed | {'name'}))}"))
        for i, entry in enumerate(self.catalog):
            for lang in entry.say:
                if lang not in self.languages:
                    problems.append((("catalog", str(i), "say", lang), f"{lang!r} is not in `languages`"))
        ids = [e.id for e in self.catalog]
        for dup in sorted({i for i in ids if ids.count(i) > 1}):
            problems.append((("catalog",), f"two entries with id {dup!r}; ids must be unique"))
        problems += self.crisis.problems(self.languages, allowed)
        return problems


def _placeholders(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]
