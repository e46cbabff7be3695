"""A reply plan: one move for each thing the post does.

People write several things at once ("love the Kallio café, but the beans were
stale. Do you ship to Riga? — Laura"). A reply built from one label answers one
of them. The plan answers every part, each with a move from the playbook of that
part's intent, in the order a community manager answers:

1. greet the name the author signed with;
2. open for the post's main intent (thanks, an apology, "thanks for asking");
3. praise: thank, naming the people and things praised;
4. a problem: apologise for it (naming the thing it is about), then its next step;
5. a question: answer it from the policy's facts, wherever it sits, including
   inside a complaint; "we'll find out" only when no fact answers it;
6. an idea: thank for it and say it is passed on;
7. close in the voice.

Two rules the playbook is firm about hold by construction: no problem part, no
apology (a fan is never apologised to), and no praise part, no thanks for kind
words (a complaint is never thanked as praise). A member of staff named in a
complaint is never named back in public.

The plan is data: the composer turns it into the policy's phrasings, and a
capable model gets it as the brief it writes the whole reply from. Which parts are
answered, and as what, is reply_intent.py; how names are said back, names.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.domain.models import Intent, PartReading
from assistant.drafting.names import greetable
from assistant.drafting.reply_intent import main_for_reply, present, sarcastic
from assistant.policy.catalog import Named
from assistant.text.normalize import compile_terms, fold
from assistant.triage.signals import hits

# Which moves go first when a reply must be shortened for the network (Bluesky: 300
# characters): the closing, then a second thanks, then the rest. Moves not listed
# (the opener, an apology, an answer, "we'll find out") are never dropped.
DROP_ORDER = {"close": 1, "returning_fan": 2, "praise_next": 3, "thank_thing": 4, "greet": 5,
              "thank_person": 6, "idea": 7, "also_praise": 8, "look_into": 9,
              # Last: the apology and the answer matter more, and the next step is the
              # part a person adds back most easily.
              "next_step": 10}


@dataclass
class Move:
    """One thing the reply does. ``part`` is the policy part kind it is written from
    (playbooks.<intent>.parts.<part>)."""

    kind: str  # greet, open, thank_person, thank_thing, also_praise, sorry, look_into, answer, unanswered, idea, ...
    intent: Intent  # whose playbook the phrasing comes from
    part: str
    name: str | None = None  # what it names, as the reply names it (base form)
    fact: tuple[str, str] | None = None  # (fact key, its text in the reply's language)
    about: str = ""  # the words of the post this move answers
    cites: list[Named] = field(default_factory=list)

    @property
    def drop_rank(self) -> int:
        """0: never dropped to fit the network's length."""
        return DROP_ORDER.get(self.kind, 0)


@dataclass
class Plan:
    main: Intent
    moves: list[Move]
    # What the post does, in order (its parts' intents), for the card and the eval.
    does: list[Intent] = field(default_factory=list)

    def kinds(self) -> list[str]:
        return [m.kind for m in self.moves]

    def brief(self) -> list[str]:
        """The plan in words, for the writer model and the card."""
        out = []
        for m in self.moves:
            line = BRIEF.get(m.kind, m.kind)
            if m.name:
                line += f" (name: {m.name})"
            if m.fact:
                line += f": {m.fact[1]}"
            if m.about and m.kind not in ("greet", "close", "open"):
                line += f' [the post: "{m.about[:160]}"]'
            out.append(line)
        return out


BRIEF = {
    "greet": "greet them by the name they signed with",
    "open": "open for the post's main point",
    "returning_fan": "welcome them back: they are one of our regulars",
    "thank_person": "thank them and say we pass their words on to the person they praised",
    "thank_thing": "say we are glad they enjoyed what they praised",
    "also_praise": "thank them for the kind words too",
    "sorry": "apologise for this specific problem, without admitting fault",
    "look_into": "say we will look into what happened",
    "answer": "answer their question with this fact",
    "unanswered": "say we will find out and how to reach us; the facts do not answer this question",
    "idea": "thank them for the idea and say we pass it on to the team",
    "next_step": "give the next step",
    "praise_next": "invite them back",
    "close": "close warmly in our voice",
}


@dataclass
class Asked:
    """A question in the post and the fact that answers it (None: the facts do not)."""

    text: str
    fact: tuple[str, str] | None
    near: str = ""  # the fact it came closest to, when none answers it


def part_of(name: Named, parts: list[PartReading]) -> PartReading | None:
    """The part of the post that names ``name`` (the first, when several do)."""
    needle = fold(name.matched)
    for p in parts:
        if needle and needle in fold(p.text):
            return p
    return None


def make_plan(main: Intent, parts: list[PartReading], named: list[Named], people: list[str],
              asked: list[Asked], signed: str | None, returning_fan: bool = False) -> Plan:
    """The moves of a reply to a post whose main intent is ``main``.

    ``parts``: the post read in parts (triage/reading.py; empty: the whole post is one
    part). ``named``: catalog entries the post names; ``people``: names of people the post
    names that the catalog does not list. ``asked``: its questions, each with the fact
    that answers it.
    """
    if not parts:
        parts = [PartReading(text="", intent=main, polarity="neutral", confidence=1.0)]
    whole = len(parts) == 1 and not parts[0].text

    main = main_for_reply(main, parts)
    praise_parts = present(main, parts, Intent.PRAISE)
    if main is Intent.COMPLAINT and any(sarcastic(p.text) for p in parts):
        praise_parts = []  # "Great job breaking my grinder, thanks a lot": no thanks for that
    problem_parts = present(main, parts, Intent.COMPLAINT)
    idea_parts = present(main, parts, Intent.SUGGESTION)

    def where(n: Named) -> Intent:
        """What the part naming ``n`` does; a part misread as a problem (not answered
        as one) names something the post as a whole praises or asks about."""
        if whole:
            return main
        p = part_of(n, parts)
        if p is None:
            return main
        if p.intent is Intent.COMPLAINT and main is not Intent.COMPLAINT and p not in problem_parts:
            return main
        return p.intent

    fan = main in (Intent.PRAISE, Intent.REACTION)
    has_praise = fan or bool(praise_parts)
    has_problem = main is Intent.COMPLAINT or bool(problem_parts)
    has_idea = main is Intent.SUGGESTION or bool(idea_parts)

    praised_things = [n for n in named if n.kind != "person" and where(n) in (Intent.PRAISE, Intent.REACTION)]
    problem_things = [n for n in named if n.kind != "person" and where(n) is Intent.COMPLAINT]
    idea_things = [n for n in named if n.kind != "person" and where(n) is Intent.SUGGESTION]
    # A post that praises as a whole thanks everything it names but what it asks about.
    if fan:
        praised_things += [n for n in named if n.kind != "person" and n not in praised_things
                           and where(n) is not Intent.COMPLAINT and where(n) is not Intent.QUESTION]
    # Staff are thanked by name for praise, never named back in a reply about a problem.
    staff = [n for n in named if n.kind == "person" and where(n) is not Intent.COMPLAINT]
    free_people = [p for p in people if not any(fold(p) == fold(n.matched) or fold(p) in fold(n.say)
                                                for n in named)]
    if has_problem and not fan:
        free_people = [p for p in free_people if _in_praise(p, praise_parts)]
    praised_people = [n.say for n in staff] + free_people

    moves: list[Move] = []
    if signed and greetable(signed):
        moves.append(Move("greet", main, "greeting", name=signed))
    moves.append(Move("open", main, "opener", about=parts[0].text))
    if returning_fan and fan:
        moves.append(Move("returning_fan", main, "returning_fan"))
    if main is Intent.REACTION and not (problem_parts or asked or idea_parts):
        if praised_things:
            moves.append(Move("thank_thing", Intent.PRAISE, "acknowledge_thing", name=_and(praised_things),
                              cites=praised_things[:2]))
        return Plan(main, moves, [p.intent for p in parts])

    # Praise: thanked, with the people and things it named.
    if has_praise and praised_people:
        moves.append(Move("thank_person", Intent.PRAISE, "acknowledge_person" if fan else "also_named",
                          name=_join_names(praised_people), cites=staff[:2],
                          about=praise_parts[0].text if praise_parts else ""))
    if has_praise and praised_things:
        moves.append(Move("thank_thing", Intent.PRAISE, "acknowledge_thing" if fan else "also_named",
                          name=_and(praised_things), cites=praised_things[:2],
                          about=praise_parts[0].text if praise_parts else ""))
    elif has_praise and not fan and not praised_people:
        moves.append(Move("also_praise", Intent.PRAISE, "also", about=praise_parts[0].text))

    # A problem: the apology for it (the main opener already apologises in a complaint).
    if has_problem and main is not Intent.COMPLAINT:
        moves.append(_secondary("sorry", Intent.COMPLAINT, problem_things, problem_parts))
    elif main is Intent.COMPLAINT and problem_things:
        moves.append(Move("look_into", Intent.COMPLAINT, "acknowledge_thing", name=_and(problem_things),
                          cites=problem_things[:2]))

    # Every question, answered from the facts wherever it sits.
    answered: set[str] = set()
    for q in asked:
        if q.fact is not None and q.fact[0] not in answered:
            answered.add(q.fact[0])
            moves.append(Move("answer", Intent.QUESTION, "fact", fact=q.fact, about=q.text))
    # A follow-up nearest a fact already given ("do you rent bikes? how much per day?") is
    # answered by it; any other question no fact answers is promised an answer.
    open_questions = [q for q in asked if q.fact is None and q.near not in answered]
    if open_questions:
        moves.append(Move("unanswered", Intent.QUESTION, "unanswered", about=open_questions[0].text))

    # An idea: thanked and passed on.
    if has_idea and main is not Intent.SUGGESTION:
        moves.append(_secondary("idea", Intent.SUGGESTION, idea_things, idea_parts))
    elif main is Intent.SUGGESTION and idea_things:
        moves.append(Move("thank_thing", Intent.SUGGESTION, "acknowledge_thing", name=_and(idea_things),
                          cites=idea_things[:2]))

    # The next step: a problem's (write to us) comes before any other.
    if has_problem:
        moves.append(Move("next_step", Intent.COMPLAINT, "next_step"))
    elif main is Intent.SUGGESTION:
        moves.append(Move("next_step", main, "next_step"))
    elif fan:
        moves.append(Move("praise_next", main, "next_step"))
    unanswered_close = bool(open_questions)  # "we'll find out" already closes it
    if not unanswered_close:
        moves.append(Move("close", main, "closing"))
    return Plan(main, moves, [p.intent for p in parts])


def _secondary(kind: str, intent: Intent, things: list[Named], parts: list[PartReading]) -> Move:
    """The move for ``intent`` when it is not the post's main one: its playbook's
    ``also_named`` naming what that part named, else ``also``."""
    about = parts[0].text if parts else ""
    if things:
        return Move(kind, intent, "also_named", name=_and(things), cites=things[:2], about=about)
    return Move(kind, intent, "also", about=about)


def _in_praise(name: str, praise_parts: list[PartReading]) -> bool:
    return any(fold(name) in fold(p.text) for p in praise_parts)


def _and(named: list[Named]) -> str:
    return _join_names([n.say for n in named])


def _join_names(names: list[str]) -> str:
    """Two names at most: "Mika & Aino"; the composer puts the language's "and" in."""
    names = list(dict.fromkeys(names))[:2]
    return "\x1f".join(names)


_MOVE_WORDS = Path(__file__).with_name("move_words.yaml")


@lru_cache(maxsize=1)
def _move_terms() -> dict[str, re.Pattern[str]]:
    data = yaml.safe_load(_MOVE_WORDS.read_text(encoding="utf-8"))
    return {kind: compile_terms([w for words in by_lang.values() for w in words]) for kind, by_lang in data.items()}


def breaks_plan(text: str, plan: Plan, staff: list[str]) -> str | None:
    """Why a reply written by a model breaks the plan's firm rules, or None: an apology
    with no problem in the post, thanks for kind words with no praise in it, a member
    of staff named in a reply about a problem."""
    folded = fold(text)
    kinds = set(plan.kinds())
    problem = "sorry" in kinds or plan.main is Intent.COMPLAINT
    praise = kinds & {"thank_person", "thank_thing", "also_praise"} or plan.main in (Intent.PRAISE, Intent.REACTION)
    if not problem and hits(_move_terms()["apology"], folded):
        return "it apologises, and the post names no problem"
    if not praise and hits(_move_terms()["praise_thanks"], folded):
        return "it thanks for kind words, and the post has none"
    if problem:
        thanked = fold(" ".join(m.name or "" for m in plan.moves if m.kind == "thank_person"))
        named = [n for n in staff if re.search(r"(?<!\w)" + re.escape(fold(n)), folded) and fold(n) not in thanked]
        if named:
            return f"it names {named[0]} in a reply about a problem"
    return None
