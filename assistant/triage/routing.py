"""The routing rule for a post of several parts, and how sure a praise part is.

A post is routed by one rule (documented in README "How triage reads a post"): a
problem the brand must put right makes it a complaint, even with praise or a question
around it; praise whose only gripe is a passing remark ("the price stings a bit")
stays praise. The put-right head (classifier.put_right_labels) tells the two apart;
the triager (triager.py) asks these functions once it has read the whole post and
each of its parts.
"""

from __future__ import annotations

import numpy as np

from assistant.domain.models import Intent, PartReading
from assistant.triage.classifier import INTENTS, MeaningModel
from assistant.triage.reading import order_number
from assistant.triage.rules import Hit, Post
from assistant.triage.thresholds import PUT_RIGHT, SURE_PRAISE, SURE_PUT_RIGHT, VOTE_WEIGHT


def passing_gripe(read: list[PartReading], part_vectors: np.ndarray, part_probs: np.ndarray,
                   parts: list[str], model: MeaningModel) -> tuple[Intent, list[str]]:
    """The routing rule for praise with a gripe: a post is a complaint when it reports a
    problem the brand must put right; praise whose only gripe is a passing remark ("cosy
    spot, lovely buns. the price stings a bit though") stays praise, and its reply thanks
    first and answers the gripe as one part."""
    if not any(p.intent is Intent.PRAISE and p.confidence >= SURE_PRAISE for p in read):
        # A name or a sign-off read as praise is not praise to route by ("we waited 20
        # minutes and Sanna never looked at us. Regards, Javier").
        return Intent.COMPLAINT, []
    gripes = [i for i, p in enumerate(part_probs) if INTENTS[int(np.argmax(p))] == Intent.COMPLAINT.value]
    if not gripes:
        return Intent.COMPLAINT, []
    sure = model.put_right_probability(part_vectors[gripes])
    if float(sure.max()) >= PUT_RIGHT:
        return Intent.COMPLAINT, []
    worst = gripes[int(np.argmax(sure))]
    return Intent.PRAISE, [f"praise: the gripe is a passing remark ({quote(parts[worst], 40)}, put right "
                           f"{float(sure.max()):.0%}), the rest is praise"]


def problem_in_praise(intent: Intent, post: Post, part_vectors: np.ndarray, part_probs: np.ndarray,
                      parts: list[str], model: MeaningModel) -> tuple[Intent, list[str]]:
    """The same rule the other way: praise or a question around a problem to put right
    ("love your Guji. But order #AR-55120 came without the grinder I paid for"; "order
    48213 still says processing after 9 days. can someone look at this") is a complaint.
    Read as praise or a question whole, it needs more than the put-right head: an order
    number in the post, since a fan's post often has a sentence misread as a complaint."""
    gripes = [i for i, p in enumerate(part_probs) if INTENTS[int(np.argmax(p))] == Intent.COMPLAINT.value]
    if not gripes:
        return intent, []
    sure = model.put_right_probability(part_vectors[gripes])
    for i, p in sorted(zip(gripes, sure, strict=True), key=lambda x: -x[1]):
        if p < SURE_PUT_RIGHT:
            break
        # An order number, not a problem word: "away for 6 weeks, can I pause?" has one
        # ("weeks") and is no complaint.
        cue = order_number(post.body)
        if cue:
            return Intent.COMPLAINT, [f"complaint: a problem to put right amid the {intent.value} "
                                      f"({quote(parts[i], 40)}, {float(p):.0%}; {cue!r})"]
    return intent, []


def with_vote(probs: np.ndarray, vote: Hit | None, got: Intent) -> float:
    """How sure a praise part's reading is, the rule's vote counted as in
    ``Triager._intent``: "Rakastan
    Kallion kahvilaa" was praise by its word and 0.19 by the classifier alone, and a reply
    did not thank a part it read as praise that unsurely."""
    if vote is None or vote.intent is not got or got is not Intent.PRAISE:
        # Only praise: a complaint part's raw surety decides whether a question post
        # is a complaint (SURE_COMPLAINT), and votes made too many of them sure.
        return float(probs[INTENTS.index(got.value)])
    logits = np.log(probs + 1e-9)
    logits[INTENTS.index(got.value)] += VOTE_WEIGHT
    return float(np.exp(logits - logits.max())[INTENTS.index(got.value)] / np.exp(logits - logits.max()).sum())


def quote(text: str, width: int = 50) -> str:
    """A post's words as a reason quotes them: one line, at most ``width`` characters."""
    text = " ".join(text.split())
    return repr(text if len(text) <= width else text[:width - 1] + "…")
