"""What a group of posts is about, in words: its distinctive terms and a short topic label.

Public text is untrusted. Only plain words reach a spike's summary: no links, handles,
numbers or punctuation, nothing longer than a word, and no words that give orders to a
model. The statement names the topic in the policy's own words (a catalog entry the
posts name) whenever it can, and falls back to two or three of these words.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from assistant.policy.models import Policy
from assistant.text.normalize import compile_terms, fold
from assistant.triage import lexicon

_URL = re.compile(r"https?://\S+|www\.\S+|\S+@\S+|[@#]\w+", re.I)
_WORD = re.compile(r"[^\W\d_]{3,20}", re.UNICODE)
# Codes are not topics: a token with digits ("SAVE20", a phone number), or a word in
# capitals in a post that is not all capitals ("use GRINDFREE at ..."): many posts
# repeating a competitor's promo code must not put it in the brand's statement.
_WITH_DIGITS = re.compile(r"\w*\d\w*")
_CAPITALS = re.compile(r"[^\W\d_]{4,}")
# Words the brand must not repeat as the name of a topic in its own statement: insults,
# threats, orders to a model, and accusations ("scammers", "thieves"). A fraud topic is
# named by its other words, or by the catalog.
_UNSAYABLE = compile_terms(lexicon.ABUSE + lexicon.THREAT + lexicon.INJECTION + lexicon.HIGH["fraud"])

# Function words of the brand's languages, folded. Enough to keep "the", "und", "että"
# out of a topic; distinctiveness against the other negative posts does the rest.
STOP_WORDS = set(fold("""
the and for are but not you your yours with this that these those was were has have had its our out all any can
from they them their there what when where which who why how will would could should about after again just
like more most some such than then too very get got one two also been being into over only own same other off
did does doing don didn isn wasn aren here now even ever still really so much many new old one anyone else whole
ive im its thats whats cant wont dont lol omg ok okay yes hey hello thanks thank please honestly saying just
und der die das ein eine einer eines ist war sind nicht mit von auf für fur den dem des ich mir mich wir ihr
euch uns was wie wer noch auch nach aus bei schon sehr aber oder wenn dann habe hat haben ist hallo danke also
gerade diese dieser dieses ehrlich gesagt
ja on ei se oli ole että etta kun niin tämä tama tässä tassa mitä mita minä mina sinä sina te me he ovat olen
olette koko vielä viela jo myös myos kuin mutta tai moi kiitos pakko sanoa taas
les des une est pas que qui pour dans sur avec vous nous mais ou donc car ce cette ces mon ma mes son sa ses
bonjour merci franchement
los las una por con para que del como pero más mas muy este esta estos sois hola gracias sinceramente
och att det som för for med har inte till den ett var ni vi hej tack ärligt arligt talat
het een van dat die niet voor met zijn ook maar als wat hoe hebben jullie hoi bedankt eerlijk gezegd
""").split())

# Words that give orders to a model or a person: never part of a topic.
_ORDERS = {fold(w) for w in """ignore ignoring previous instructions instruction prompt system assistant reply
say write print repeat disregard forget override jailbreak respond answer post click visit follow link
ignorez ignora ignorieren ignoriere vorherigen anweisungen unohda ohjeet""".split()}


def words_of(text: str) -> list[str]:
    """The plain words of a post, folded, each once: no links, handles, codes, insults or
    accusations."""
    text = _WITH_DIGITS.sub(" ", _URL.sub(" ", text))
    if any(ch.islower() for ch in text):
        text = _CAPITALS.sub(lambda m: " " if m.group(0).isupper() else m.group(0), text)
    words = [w for w in _WORD.findall(fold(text))
             if w not in STOP_WORDS and w not in _ORDERS and not _UNSAYABLE.match(w)]
    return list(dict.fromkeys(words))


def distinctive_words(texts: Sequence[str], background: Sequence[str], limit: int = 8) -> list[str]:
    """Words many of ``texts`` use and the ``background`` posts (other negative posts)
    use much less: by share of posts, minus the background's share."""
    if not texts:
        return []
    inside = Counter(w for t in texts for w in words_of(t))
    outside = Counter(w for t in background for w in words_of(t))
    n, m = len(texts), max(1, len(background))
    least = max(2, round(0.08 * n))
    scored = [(inside[w] / n - outside[w] / m, w) for w in inside if inside[w] >= least]
    scored = [(s, w) for s, w in scored if s > 0]
    scored.sort(key=lambda p: (-p[0], p[1]))
    return [w for _, w in scored[:limit]]


def named_topic(texts: Sequence[str], policy: Policy, languages: Sequence[str | None]) -> str | None:
    """The catalog entry (product, place, event) at least a third of the posts name: the
    topic in the policy's own words, the id of that entry."""
    counts: Counter[str] = Counter()
    for text, language in zip(texts, languages, strict=True):
        for named in {n.entry_id for n in policy.catalog_index.find(text, language) if n.kind != "person"}:
            counts[named] += 1
    if not counts:
        return None
    entry_id, count = counts.most_common(1)[0]
    return entry_id if count >= max(2, len(texts) / 3) else None


def topic_label(policy: Policy, entry_id: str | None, words: Sequence[str], language: str) -> str:
    """How the statement names the topic in ``language``: the catalog's own wording for
    the entry the posts name, else the group's first distinctive words."""
    if entry_id:
        entry = next((e for e in policy.catalog if e.id == entry_id), None)
        if entry is not None:
            return entry.say.get(language) or entry.say.get(policy.languages[0]) or entry.all_names()[0]
    return "“" + " / ".join(words[:3]) + "”" if words else "one topic"
