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
capable model gets it as the brief it writes the whole reply from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.domain.models import Intent, NamedItem, PartReading
from assistant.drafting.claims import has_question
from assistant.policy.catalog import Named
from assistant.text.normalize import compile_terms, fold
from assistant.triage import lexicon
from assistant.triage.signals import ABUSE, CONTRAST, MEDIUM, hits, signals

# How sure a part must be to get its own move when it is not the post's main intent:
# a clause misread as a complaint must not make a fan's reply apologise.
SECONDARY_CONFIDENCE = 0.5
# How sure a complaint part must be (plan of a post read as a complaint or a question):
SURE_COMPLAINT = 0.75  # keeps the post a complaint, whatever its words
OPENING_COMPLAINT = 0.8  # opening a question post, it is answered as a problem
UNSURE_COMPLAINT = 0.7  # below: with a question and no word of a problem, a question
DOUBTFUL_COMPLAINT = 0.3  # below: with words of praise and none of a problem, praise
NEGATORS = frozenset(fold(w) for w in lexicon.NEGATORS)

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


# "I ordered the wrong one by mistake, can I return it?": the author's own slip is no
# problem of ours to apologise for (matched on folded text).
OWN_MISTAKE = re.compile(
    r"by mistake|by accident|accidentally|ordered the wrong|my (?:own )?(?:mistake|bad)|per ongeluk|per abuis|"
    r"verkeerde besteld|aus versehen|versehentlich|falsche bestellt|vahingossa|por error|me equivoque|sin querer|"
    r"par erreur|je me suis trompe|par megarde|av misstag|rakade bestalla|pasutiju nepareizo|kludas pec|netisam|"
    r"κατα λαθ|πηρα λαθ|παρηγγειλα λαθ|اشتباهی")


def own_mistake(text: str) -> bool:
    return bool(OWN_MISTAKE.search(fold(text)))


def present(main: Intent, parts: list[PartReading], intent: Intent) -> list[PartReading]:
    """The parts doing ``intent`` sure enough to be answered (every part, for the main intent).

    A problem inside praise or a question is answered with an apology only when the
    words say it is one: a turn ("..., but the beans were stale") or a problem word.
    The part reader takes context for complaints ("I work until six", "we'll come
    back just for them"), and an apology to a fan is worse than a gripe left to the
    next step."""
    return [p for p in parts if p.intent is intent and not (intent is Intent.COMPLAINT and own_mistake(p.text))
            and (intent is main or (
        p.confidence >= SECONDARY_CONFIDENCE and (intent is not Intent.COMPLAINT or says_problem(p.text)
                                                  or (main is Intent.QUESTION and _opens_with_problem(p, parts)))))]


def _opens_with_problem(part: PartReading, parts: list[PartReading]) -> bool:
    """A sure complaint that opens the post, before what it asks ("The app keeps logging me
    out. By the way, can I pause?"): the problem comes first. The context people give
    for a question comes after it ("... decaf? I can't have caffeine after noon")."""
    return part is parts[0] and len(parts) > 1 and part.confidence >= OPENING_COMPLAINT


def main_for_reply(main: Intent, parts: list[PartReading]) -> Intent:
    """The intent the reply opens for. A post read as a complaint whose words name no
    problem, with a part that praises, is answered as praise: "the Guji in filter is a
    killer, blueberry notes. Bravo to the roasting team" is no complaint, and an apology
    to a fan is the costliest misreading a reply can show."""
    if main is not Intent.COMPLAINT or not parts:
        return main
    complaints = [p for p in parts if p.intent is Intent.COMPLAINT and not own_mistake(p.text)]
    if not complaints and len(parts) > 1:  # only the author's own slip: what else they say leads
        rest = [p for p in parts if p.intent is not Intent.COMPLAINT]
        return Intent.QUESTION if any(p.intent is Intent.QUESTION for p in rest) else rest[0].intent
    if any(says_problem(p.text) or p.confidence >= SURE_COMPLAINT for p in complaints):
        return main
    if any(p.intent is Intent.PRAISE and p.confidence >= SECONDARY_CONFIDENCE for p in parts):
        return Intent.PRAISE
    # "Joost made my bike like new again, topper!": read as a complaint for a word
    # ("again"), with no conviction, no word of a problem and words of praise.
    if max((p.confidence for p in complaints), default=0.0) < DOUBTFUL_COMPLAINT:
        said = [signals(p.text) for p in parts]
        if any(x.pos for x in said):
            return Intent.PRAISE
        if any(x.suggestion or x.suggestion_start for x in said):
            return Intent.SUGGESTION  # "You should sell 1 kg bags, 250 g lasts me a week"
    # "Can I return an unopened bag if I ordered the wrong roast?": a question, read
    # as a complaint without conviction and without a word of a problem.
    asks = any(p.intent is Intent.QUESTION for p in parts) or any(has_question(p.text) for p in parts)
    if asks and max((p.confidence for p in complaints), default=0.0) < UNSURE_COMPLAINT \
            and not any(has_negative_word(p.text) for p in complaints):
        return Intent.QUESTION  # but "The barista was rude. Do you ship to Riga?" stays a complaint
    return main


def says_problem(text: str) -> bool:
    """The words of a part name a problem: it turns ("..., but the beans were stale"),
    it is sarcastic, it has a sad or angry emoji, or it has a negative word (not
    negated: "never once a stale bag") with a problem word or a second negative word."""
    s = signals(text)
    neg = [w for w in s.neg if not _negated(w, s.folded)]
    return bool(s.sarcasm or s.neg_emoji or CONTRAST.match(s.folded)
                or (neg and (hits(MEDIUM, s.folded) or len(neg) >= 2)))


def _sarcastic(text: str) -> bool:
    """Sarcastic words ("love how you never answer"), not an eye-roll emoji alone."""
    return any(w != "eye-roll emoji" for w in signals(text).sarcasm)


def has_negative_word(text: str) -> bool:
    """A negative word that is not negated ("rude", not "never once stale")."""
    s = signals(text)
    return any(not _negated(w, s.folded) for w in s.neg)


def _negated(word: str, folded: str) -> bool:
    """A negator among the three words before: "never once a stale bag" is no problem."""
    at = folded.find(word)
    return at >= 0 and any(w in NEGATORS for w in folded[:at].split()[-3:])


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
    if main is Intent.COMPLAINT and any(_sarcastic(p.text) for p in parts):
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


# A problem that asks without a question mark ("couldn't find the cancel button"):
# a fact may answer it. Other problems get an apology and the next step, not a fact
# that happens to sit near them (the cafés' addresses for a rude barista).
ASKS_WITHOUT_ASKING = re.compile(
    r"(?:can'?t|cannot|couldn'?t|could not) find|no idea how|don'?t know how|where (?:is|do|can)|how do i|"
    r"en l[oö]yd|ei l[oö]ydy|finde (?:\w+ )?nicht|nicht (?:zu )?finden|kan (?:\w+ )?niet vinden|niet te vinden|"
    r"trouve pas|pas trouv|no encuentro|no encontr|hittar inte|hittade inte|nevaru atrast|neatradu|"
    r"δεν βρ[ιί]σκω|δεν βρήκα|پیدا نمی|پیدا نکرد",
    re.IGNORECASE)


# Signed "names" a reply must never greet back in public, beyond the abuse words.
_NOT_GREETED = frozenset({"nazi", "hitler", "ass", "loser", "twat", "pig", "scum"})


def greetable(name: str) -> bool:
    """A signed name the reply may greet: letters of a name, no insult ("— Dickhead")."""
    folded = fold(name)
    return (bool(re.fullmatch(r"[^\W\d_]+(?:[ '’-][^\W\d_]+)?", name.strip())) and len(name) <= 40
            and not hits(ABUSE, folded) and not any(w in _NOT_GREETED for w in folded.split()))


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
