"""Tone policies: one YAML file per brand in ``policies/``, validated by pydantic.

A file with any error is never loaded. ``PolicyRegistry.reload()`` keeps the
last good version of a brand's policy active and records why the new one was
refused, so a typo in a running deployment changes nothing until it is fixed.
"""

from __future__ import annotations

import hashlib
import logging
import re
import string
import threading
import weakref
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from assistant.domain.errors import PolicyError
from assistant.domain.models import Intent, Severity
from assistant.policy.catalog import Catalog, CatalogEntry
from assistant.policy.crisis import Crisis

log = logging.getLogger(__name__)

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


class Review(_Model):
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
    review: Review = Field(default_factory=Review)
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

    def facts_text(self) -> str:
        return "\n".join(self.all_fact_texts())

    @cached_property
    def brand_domains(self) -> frozenset[str]:
        """Host names that are the brand's own (its website, addresses in its facts): links
        to them are not spam. Worked out once per loaded policy (asked for every link)."""
        from urllib.parse import urlparse

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


# -- loading with line numbers ----------------------------------------------------------------


def _line_of(node: yaml.Node | None, path: tuple[Any, ...]) -> int:
    """The 1-based line of the YAML node at ``path`` (or of its nearest parent)."""
    from assistant.policy.loading import line_of

    return line_of(node, path)


def check_text(text: str, path: str) -> tuple[Policy | None, list[str]]:
    """Parse and validate a policy. Returns the policy, or None and one line per error."""
    from assistant.policy.loading import parse_yaml

    # size cap, nesting limit and duplicate keys first: one line each, never a traceback
    root, data, yaml_problems = parse_yaml(text, path)
    if yaml_problems:
        return None, yaml_problems
    if not isinstance(data, dict):
        return None, [f"{path}:1: policy: expected a mapping with brand, languages, playbooks, ..."]
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            message = err["msg"].removeprefix("Value error, ")
            field = ".".join(str(p) for p in loc) or "policy"
            if err["type"] == "extra_forbidden":
                message = "unknown field (check the spelling)"
            problems.append(f"{path}:{_line_of(root, loc)}: {field}: {message}")
        return None, problems
    cross = policy.cross_field_problems()
    if cross:
        return None, [f"{path}:{_line_of(root, loc)}: {'.'.join(loc)}: {message}" for loc, message in cross]
    policy.id = Path(path).stem
    policy.path = path
    return policy, []


def policy_warnings(policy: Policy, text: str) -> list[str]:
    """``Policy.warnings()`` as file:line: field: warning: message lines."""
    from assistant.policy.loading import parse_yaml

    root, _, _ = parse_yaml(text, policy.path or "")
    return [f"{policy.path}:{_line_of(root, loc)}: {'.'.join(loc)}: warning: {message}"
            for loc, message in policy.warnings()]


def load_policy(path: str | Path) -> Policy:
    """Read, parse and validate one policy file; PolicyError (one line per problem) if it is not usable."""
    from assistant.policy.loading import read_policy_file

    p = Path(path)
    text, problems = read_policy_file(p)  # size cap and UTF-8 check before any parsing
    if text is None:
        raise PolicyError(str(p), problems)
    policy, problems = check_text(text, str(p))
    if policy is None:
        raise PolicyError(str(p), problems)
    return policy


def policy_files(target: str | Path) -> list[Path]:
    p = Path(target)
    if p.is_dir():
        return sorted([*p.glob("*.yaml"), *p.glob("*.yml")])
    return [p]


class PolicyRegistry:
    """The policies in force, one per brand, reloaded from a folder.

    ``get()`` never parses once the folder has been loaded: it hands back the last good
    policy, and a background thread (started by the first ``get()`` or ``start()``) looks at
    the files every ``CHECK_EVERY`` seconds. A reload parses changed files outside the lock
    ``get()`` could wait on; a file that cannot be loaded keeps the last good version, logs
    one line per change of the file, and stays in ``errors`` until it is fixed.
    """

    # How often the background check looks at the files again: edits to the YAML take
    # effect in a running `assistant serve` within this many seconds, with no restart.
    CHECK_EVERY = 2.0

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._policies: dict[str, Policy] = {}
        self._seen: dict[Path, tuple[int, int]] = {}  # file -> (mtime_ns, size) when last read
        self.errors: dict[str, list[str]] = {}  # brand id -> why its file was not (re)loaded
        self._lock = threading.Lock()  # held only to swap in what a reload parsed
        self._reloading = threading.Lock()  # one reload at a time; get() never takes it
        self._loaded = False
        self._watcher: threading.Thread | None = None
        self._stop = threading.Event()

    def reload(self, force: bool = False) -> dict[str, list[str]]:
        """Load new or changed files. A broken file keeps the last good policy."""
        if not self.folder.is_dir():
            raise PolicyError(str(self.folder), [f"{self.folder}:1: folder: not found (set ASSISTANT_POLICIES_DIR)"])
        with self._reloading:
            files = policy_files(self.folder)
            changed: list[tuple[Path, tuple[int, int]]] = []
            for path in files:
                try:
                    st = path.stat()
                except OSError:  # removed since the folder was listed
                    continue
                if force or self._seen.get(path) != (st.st_mtime_ns, st.st_size):
                    changed.append((path, (st.st_mtime_ns, st.st_size)))
            parsed: list[tuple[Path, tuple[int, int], Policy | None, list[str]]] = []
            for path, signature in changed:
                try:
                    parsed.append((path, signature, load_policy(path), []))
                except PolicyError as exc:
                    parsed.append((path, signature, None, exc.problems))
                except Exception as exc:  # a bug, not the file: still one line, and the last good stays
                    log.debug("loading %s failed", path, exc_info=True)
                    parsed.append((path, signature, None,
                                   [f"{path}:1: policy: could not be loaded ({type(exc).__name__}: {exc}); "
                                    "run `assistant policy check` on it"]))
            with self._lock:
                policies, errors = dict(self._policies), dict(self.errors)
                for gone in [p for p in self._seen if p not in files]:
                    del self._seen[gone]
                    errors.pop(gone.stem, None)
                for path, signature, policy, problems in parsed:
                    self._seen[path] = signature
                    if policy is None:
                        problems = [" ".join(p.split()) for p in problems] or [f"{path}:1: policy: not loaded"]
                        if errors.get(path.stem) != problems:  # one line per new error, not per poll or save
                            kept = "keeping the last good version" if path.stem in policies else "not loaded"
                            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
                            log.warning("policy %s has errors, %s: %s%s", path, kept, problems[0], more)
                        errors[path.stem] = problems
                        continue
                    if policy.id in policies:
                        log.info("policy %s reloaded", path)
                    policies[policy.id] = policy
                    errors.pop(policy.id, None)
                # whole new dicts: a reader holds a consistent snapshot without any lock
                self._policies, self.errors, self._loaded = policies, errors, True
            return dict(errors)

    def start(self) -> PolicyRegistry:
        """Load the folder if it never was, and start the background check (once)."""
        if not self._loaded:
            self.reload()  # nothing to fall back on yet: the first load is the caller's
        if self._watcher is None:
            with self._lock:
                if self._watcher is None:
                    self._watcher = threading.Thread(target=_watch, args=(weakref.ref(self), self._stop),
                                                     name=f"policies-{self.folder.name}", daemon=True)
                    self._watcher.start()
        return self

    def close(self, timeout: float = 5.0) -> None:
        """Stop the background check (and wait up to ``timeout`` seconds for a reload in progress)."""
        self._stop.set()
        watcher = self._watcher
        if watcher is not None and watcher is not threading.current_thread():
            watcher.join(timeout)

    def brands(self) -> list[str]:
        """The brands with a policy in force (the folder is loaded first if it never was)."""
        self.start()
        return sorted(self._policies)

    def get(self, brand: str | None = None) -> Policy:
        """The policy in force: the last good one, never parsed here once the folder is loaded."""
        self.start()
        policies = self._policies
        if brand is None:
            if len(policies) == 1:
                return next(iter(policies.values()))
            if not policies:
                why = "; ".join(p for probs in self.errors.values() for p in probs[:1])
                raise PolicyError(str(self.folder), [why or f"{self.folder}:1: no policy files (*.yaml)"])
            raise PolicyError(
                str(self.folder),
                [f"several brands ({', '.join(sorted(policies))}): name one with --brand or ASSISTANT_BRAND"],
            )
        if brand not in policies:
            errors = self.errors
            if brand in errors:
                raise PolicyError(str(self.folder / f"{brand}.yaml"), errors[brand])
            raise PolicyError(str(self.folder), [f"unknown brand {brand!r}; known: {', '.join(sorted(policies)) or 'none'}"])
        return policies[brand]


def _watch(ref: weakref.ref[PolicyRegistry], stop: threading.Event) -> None:
    """The background check: reload every CHECK_EVERY seconds until the registry is closed or gone.
    The first check runs at once. Only a weak reference is held while waiting."""
    every, last_problem = 0.0, ""
    while not stop.wait(every):
        registry = ref()
        if registry is None:
            return
        every = max(float(registry.CHECK_EVERY), 0.05)
        try:
            registry.reload()
            last_problem = ""
        except Exception as exc:  # the folder went away, say: say so once, keep the policies in force
            if str(exc) != last_problem:
                log.warning("policies not re-read, keeping those in force: %s", " ".join(str(exc).split()))
                last_problem = str(exc)
        finally:
            del registry
