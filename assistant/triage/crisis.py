"""Crisis kinds: what makes a post a case for a person, named on the card.

A crisis is named two ways, words first:
1. the word lists (``high_*`` and ``threat`` in words/*.yaml): "anaphylaxis", "my
   lawyer", "a fake giveaway page asked me for a fee", "I can't go on";
2. by meaning, when the severity classifier reads a crisis no list names: the kind
   of the closest labelled crises (the labelled posts carry a ``crisis`` field).

Self-harm has its own route (issue "alarms people trust"): a person with care
guidance, and never an automated brand reply.
"""

from __future__ import annotations

import re

import numpy as np

from assistant.domain.models import CrisisKind
from assistant.triage.classifier import CRISIS_KINDS, MeaningModel
from assistant.triage.signals import FAREWELL, HIGH, LEAVING, NOT_LEAVING, THREAT, hits

# The word lists' kinds (lexicon.HIGH_KINDS) as crisis kinds.
LIST_KIND = {
    "self_harm": CrisisKind.SELF_HARM,
    "scam": CrisisKind.SCAM,
    "safety": CrisisKind.HEALTH_SAFETY,
    "legal": CrisisKind.LEGAL,
    "fraud": CrisisKind.FRAUD,
    "press": CrisisKind.PRESS,
    "breach": CrisisKind.DATA_BREACH,
}
# Who a self-harm post goes to, whatever the brand's escalation rules say: not PR and
# legal, and not a reply queue.
CARE_TEAM = "a person, with care"
# How many labelled crises vote on the kind, and how close the nearest must be: below
# this the post is escalated with "kind unclear" rather than a guessed name.
NEIGHBOURS = 5
MIN_SIMILARITY = 0.80


# A fee asked of a customer (matched on folded text: no accents): with a prize or a
# giveaway in the same post (_PRIZE), the classic scam against customers.
_FEE = re.compile(
    r"(?<!\w)(fee|fees|customs|shipping|postage|pay \d|maksu|maksaa|toimitus|muita|verzendkosten|versand|porto|"
    r"kosten|gebuhr|zoll|frais|douane|tasa|aduana|envio|gastos de envio|frakt|avgift|tull|τελος|τελωνειο|"
    r"هزینه|گمرک)", re.IGNORECASE)


# A prize, a giveaway or someone posing as the brand (a link alone is not: "is there a
# fee for oat milk? saw the link on your site").
_PRIZE = re.compile(
    r"giveaway|(?<!\w)(won|prize|pretend|fake|impersonat|lookalike|voitit|voitin|palkinto|"
    r"arvonta|κερδισα|κερδισατε|δωρο|ganado|premio|sorteo|gagne|concours|vunnit|vinst|tavling|gewonnen|gewinn|"
    r"gewinnspiel|winactie|prijs|laimej|balva|izloze|قرعه|برنده|جایزه)", re.IGNORECASE)


# Signs that someone posed as the brand: a prize as above, or a link, a DM, an SMS. With a
# fraud word ("scam", "huijaus", "estafa") they make it a scam against customers rather
# than charges the brand made.
_POSED = re.compile(
    _PRIZE.pattern + r"|(?<!\w)(dms?|dming|link|sms|text message|tekstari|linkki|συνδεσμο|enlace|se hace pasar|"
    r"faux|lank|linkje|saite|لینک|پیج فیک)", re.IGNORECASE)


def posed_as_brand(folded: str) -> bool:
    """Signs in the text that someone posed as the brand: a prize, a fake account, a DM."""
    return bool(_POSED.search(folded))


def kind_from_words(folded: str) -> tuple[CrisisKind, str] | None:
    """The crisis kind a word list names in ``folded`` text, with the word."""
    found = hits(THREAT, folded)
    if found:
        return CrisisKind.THREAT, found[0]
    leaving, farewell = hits(LEAVING, folded), hits(FAREWELL, folded)
    if leaving and farewell and not hits(NOT_LEAVING, folded):
        # "cancel my subscription, I won't be around next month anyway. thanks for
        # everything": each alone is an ordinary post (a move, a thank-you); together,
        # with no move or holiday named, a warning sign the blind sets kept showing.
        return CrisisKind.SELF_HARM, f"{leaving[0]} … {farewell[0]}"
    fee, prize = _FEE.search(folded), _PRIZE.search(folded)
    if fee and prize:
        return CrisisKind.SCAM, f"{prize.group(0)} … {fee.group(0)}"
    for kind, pattern in HIGH.items():
        found = hits(pattern, folded)
        if found:
            if LIST_KIND[kind] is CrisisKind.FRAUD and _POSED.search(folded):
                return CrisisKind.SCAM, found[0]
            return LIST_KIND[kind], found[0]
    return None


def kind_by_meaning(model: MeaningModel, vector: np.ndarray) -> tuple[CrisisKind | None, float, str]:
    """The kind most of the closest labelled crises have (weighted by similarity), the
    nearest one's similarity and text."""
    labelled = [i for i, r in enumerate(model.rows) if r.get("crisis") in CRISIS_KINDS]
    if not labelled:
        return None, 0.0, ""
    sims = model.embeddings[labelled] @ vector
    order = np.argsort(-sims, kind="stable")[:NEIGHBOURS]
    votes: dict[str, float] = {}
    for i in order:
        key = model.rows[labelled[i]]["crisis"]
        votes[key] = votes.get(key, 0.0) + float(sims[i])
    best = float(sims[order[0]])
    if best < MIN_SIMILARITY:
        return None, best, model.rows[labelled[order[0]]]["text"]
    return CrisisKind(max(votes, key=lambda k: votes[k])), best, model.rows[labelled[order[0]]]["text"]
