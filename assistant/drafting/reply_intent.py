"""Which parts of a post a reply answers, and the intent it opens for.

The part reader (triage/reading.py) labels each clause of a post with an intent and a
confidence. A reply must not take every label at its word: an apology to a fan is the
costliest misreading a reply can show, so a problem inside praise or a question is
answered as one only when its words say so (a turn, a problem word, sarcasm), and the
author's own slip ("I ordered the wrong one by mistake") is no problem of ours. The
plan (plan.py) asks these questions of the parts; the drafter asks which intent leads.
"""

from __future__ import annotations

import re

from assistant.domain.models import Intent, PartReading
from assistant.drafting.questions import has_question
from assistant.text.normalize import fold
from assistant.triage import lexicon
from assistant.triage.signals import CONTRAST, MEDIUM, hits, signals

# How sure a part must be to get its own move when it is not the post's main intent:
# a clause misread as a complaint must not make a fan's reply apologise.
SECONDARY_CONFIDENCE = 0.5
# How sure a complaint part must be (plan of a post read as a complaint or a question):
SURE_COMPLAINT = 0.75  # keeps the post a complaint, whatever its words
OPENING_COMPLAINT = 0.8  # opening a question post, it is answered as a problem
UNSURE_COMPLAINT = 0.7  # below: with a question and no word of a problem, a question
DOUBTFUL_COMPLAINT = 0.3  # below: with words of praise and none of a problem, praise
NEGATORS = frozenset(fold(w) for w in lexicon.NEGATORS)


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


def sarcastic(text: str) -> bool:
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


# A problem that asks without a question mark ("couldn't find the cancel button"):
# a fact may answer it. Other problems get an apology and the next step, not a fact
# that happens to sit near them (the cafés' addresses for a rude barista).
ASKS_WITHOUT_ASKING = re.compile(
    r"(?:can'?t|cannot|couldn'?t|could not) find|no idea how|don'?t know how|where (?:is|do|can)|how do i|"
    r"en l[oö]yd|ei l[oö]ydy|finde (?:\w+ )?nicht|nicht (?:zu )?finden|kan (?:\w+ )?niet vinden|niet te vinden|"
    r"trouve pas|pas trouv|no encuentro|no encontr|hittar inte|hittade inte|nevaru atrast|neatradu|"
    r"δεν βρ[ιί]σκω|δεν βρήκα|پیدا نمی|پیدا نکرد",
    re.IGNORECASE)
