"""The claim guard: every sentence of a draft must be supported by the policy or the post.

Three layers, cheapest first:

1. **Disguises** (``reveal``): zero-width and direction characters, Cyrillic or
   Greek letters inside Latin words, full-width forms, links written as
   ``evil[.]com`` or "evil dot com", e-mails as "name (at) host", numbers spelled
   out ("thirty nine euros"). A reply never needs any of these, so each is reported,
   and every later check reads the revealed text.
2. **Exact claims**: links, e-mail addresses, phone numbers and codes must be the
   policy's own; copied from the post they are refused (a post can carry a phishing
   link for the model to repeat). Numbers, prices and dates must be in the policy or
   the post.
3. **Sentences**: a sentence that is not the policy's own words is a claim when it
   uses a claim word (``claim_words.yaml``: time, channel, explanation, permission);
   that word must be in the policy's texts. Any other content must be backed too:
   its words are the policy's, the post's or plain courtesy, or the encoder finds
   it close in meaning to a sentence of the policy or of the post.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from assistant.domain.models import Mention
from assistant.ml.embeddings import get_encoder
from assistant.policy.models import PART_KINDS, Policy
from assistant.settings import model_cache_dir
from assistant.text.normalize import INVISIBLE_OR_MVS, compile_terms, fold
from assistant.text.sentences import fill, sentences

WORDS_FILE = Path(__file__).with_name("claim_words.yaml")
# A sentence that is not the policy's own words, with content the words do not cover,
# must be at least this close in meaning (e5 cosine) to a policy or post sentence.
SUPPORT_SIMILARITY = 0.90

_LATIN = re.compile(r"[A-Za-z]")
# Letters that look Latin: Cyrillic and Greek homoglyphs, mapped back for checking.
_HOMOGLYPHS = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
    "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "к": "k", "м": "m", "т": "t", "в": "b", "н": "h",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S",
    "α": "a", "ο": "o", "ρ": "p", "ν": "v", "τ": "t", "ι": "i", "κ": "k", "χ": "x", "υ": "u", "ε": "e",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
})
_WORD = re.compile(r"\w+", re.UNICODE)
_DOT = re.compile(r"\s*(?:\[\s*(?:\.|dot)\s*\]|\(\s*(?:\.|dot)\s*\)|\{\s*(?:\.|dot)\s*\}|<\s*dot\s*>)\s*", re.I)
_SPOKEN_DOT = re.compile(r"(?<=\w)\s+dot\s+(?=[a-z]{2,}\b)", re.I)
_AT = re.compile(r"\s*(?:\[\s*at\s*\]|\(\s*at\s*\)|\{\s*at\s*\})\s*", re.I)
_SPOKEN_AT = re.compile(r"(?<=\w)\s+at\s+(?=[\w-]+\s+dot\s+[a-z]{2,}\b)", re.I)
_HXXP = re.compile(r"\bhxxps?(?=://|\[:\]//)", re.I)
# "t . me/deals", "bit .ly/x": a host with spaces around its dot, before a path.
_SPACED_DOT = re.compile(r"(?<=[a-z0-9])(?:\s+\.\s*|\s*\.\s+)(?=[a-z]{2,24}/)", re.I)

_UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
          "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
          "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_SPELLED = re.compile(
    r"\b(?:(" + "|".join(_TENS) + r")(?:[\s-]+(" + "|".join(k for k in _UNITS if _UNITS[k] < 10) + r"))?"
    r"|(" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r"))(?:\s+(hundred))?\b", re.I)


# Tens spelled out in the other languages (word starts, so inflected forms match too):
# "kolmenkymmenen päivän", "trettio dagar", "trīsdesmit dienu".
_OTHER_NUMBERS = {
    "kaksikymment": "20", "kahdenkymmen": "20", "kolmekymment": "30", "kolmenkymmen": "30", "neljakymment": "40",
    "viisikymment": "50", "tjugo": "20", "trettio": "30", "fyrtio": "40", "femtio": "50",
    "divdesmit": "20", "trisdesmit": "30", "cetrdesmit": "40", "piecdesmit": "50",
    "zwanzig": "20", "dreissig": "30", "dreißig": "30", "vierzig": "40", "funfzig": "50",
    "twintig": "20", "dertig": "30", "veertig": "40", "vijftig": "50",
    "vingt": "20", "trente": "30", "quarante": "40", "cinquante": "50",
    "veinte": "20", "treinta": "30", "cuarenta": "40", "cincuenta": "50",
    "εικοσι": "20", "τριαντα": "30", "σαραντα": "40", "πενηντα": "50",
}
_SPELLED_OTHER = re.compile(r"(?<!\w)(?:" + "|".join(sorted(_OTHER_NUMBERS, key=len, reverse=True)).replace(
    "dreissig", "drei(?:ss|ß)ig").replace("funfzig", "f(?:u|ü)nfzig").replace("trisdesmit", "tr(?:i|ī)sdesmit").replace(
    "cetrdesmit", "(?:c|č)etrdesmit").replace("neljakymment", "nelj(?:a|ä)kymment").replace(
    "εικοσι", "ε[ιί]κοσι").replace("τριαντα", "τρι[αά]ντα").replace("σαραντα", "σαρ[αά]ντα").replace(
    "πενηντα", "πεν[ηή]ντα") + r")\w*", re.I)


_GERMAN_UNITS = {"ein": 1, "zwei": 2, "drei": 3, "vier": 4, "funf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9}
_GERMAN_TENS = re.compile(r"(?<!\w)(ein|zwei|drei|vier|f[uü]nf|sechs|sieben|acht|neun)und"
                          r"(zwanzig|drei(?:ss|ß)ig|vierzig|f[uü]nfzig)(?!\w)", re.I)


@dataclass
class Revealed:
    text: str  # what the checks read
    disguises: list[str]  # what was hidden, for the card


def _spelled(match: re.Match[str]) -> str:
    tens, unit, alone, hundred = match.groups()
    value = (_TENS[tens.lower()] + (_UNITS[unit.lower()] if unit else 0)) if tens else _UNITS[alone.lower()]
    return str(value * 100 if hundred else value)


_IDEOGRAPHIC_DOT = re.compile(r"(?<=[A-Za-z0-9])[\u3002\uff61\ufe52](?=[A-Za-z0-9])")


def reveal(text: str) -> Revealed:
    """The text as a reader would take it, and the disguises found on the way."""
    found: list[str] = []
    if INVISIBLE_OR_MVS.search(text):
        found.append("invisible characters")
    text = INVISIBLE_OR_MVS.sub("", text)
    # ZWNJ belongs inside Persian words; anywhere else it hides something.
    if re.search(r"[A-Za-z0-9]\u200c|\u200c[A-Za-z0-9]", text):
        found.append("invisible characters")
        text = re.sub(r"(?<=[A-Za-z0-9])\u200c|\u200c(?=[A-Za-z0-9])", "", text)
    wide = unicodedata.normalize("NFKC", text)
    if wide != unicodedata.normalize("NFC", text) and re.search(r"[\uff01-\uff5e]", text):
        found.append("full-width characters")
    text = wide
    # An ideographic or halfwidth full stop between letters ("evil\u3002example/deals")
    # is a dot in a link to every browser.
    if _IDEOGRAPHIC_DOT.search(text):
        found.append("a disguised link")
        text = _IDEOGRAPHIC_DOT.sub(".", text)

    def unglyph(match: re.Match[str]) -> str:
        word = match.group(0)
        mapped = word.translate(_HOMOGLYPHS)
        if mapped != word and _LATIN.search(word):  # Latin mixed with look-alikes
            found.append(f"look-alike letters in {word!r}")
            return mapped
        return word

    text = _WORD.sub(unglyph, text)
    for pattern, repl, what in ((_HXXP, "http", "a defanged link"), (_DOT, ".", "a disguised link"),
                                (_AT, "@", "a disguised e-mail"), (_SPOKEN_AT, "@", "an e-mail written out"),
                                (_SPOKEN_DOT, ".", "a link written out"), (_SPACED_DOT, ".", "a disguised link")):
        if pattern.search(text):
            found.append(what)
            text = pattern.sub(repl, text)
    text = _SPELLED.sub(_spelled, text)
    text = _GERMAN_TENS.sub(lambda m: str(_GERMAN_UNITS[fold(m.group(1))] + int(
        _OTHER_NUMBERS[next(k for k in _OTHER_NUMBERS if fold(m.group(2)).startswith(k))])), text)
    text = _SPELLED_OTHER.sub(lambda m: _OTHER_NUMBERS[next(k for k in _OTHER_NUMBERS
                                                               if fold(m.group(0)).startswith(k))], text)
    text = re.sub(r"\b(\d0) (\d)\b", lambda m: str(int(m.group(1)) + int(m.group(2))), text)
    return Revealed(text, list(dict.fromkeys(found)))


@lru_cache(maxsize=1)
def claim_terms() -> dict[str, re.Pattern[str]]:
    data = yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))
    return {kind: compile_terms([w for words in by_lang.values() for w in words]) for kind, by_lang in data.items()}


@lru_cache(maxsize=1)
def _terms_per_language() -> dict[str, dict[str, re.Pattern[str]]]:
    data = yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))
    return {kind: {lang: compile_terms(words) for lang, words in by_lang.items()} for kind, by_lang in data.items()}


def terms_for(kind: str, language: str | None) -> re.Pattern[str]:
    """The ``kind`` words of ``language`` (every language's where it has none listed)."""
    by_language = _terms_per_language()[kind]
    return by_language.get(language or "") or claim_terms()[kind]


# Courtesy and function words: a sentence made only of these (and the policy's and
# the post's words) states nothing that needs backing.
_COURTESY = set(fold(w) for w in """
thank thanks thankful grateful glad happy happier sorry apologise apologize apologies love loved lovely enjoy
enjoyed enjoying great wonderful amazing awesome fantastic delighted thrilled pleased hear hearing heard kind
words team community means mean meant much really truly very made make makes making welcome hope hoping
again back cheers warm warmest wishes smile smiles part here there this that these those with what when
your yours ours they them their have having been being will would could should shall might must about just
like some more most very also know feel feels felt best better good nice fine sure definitely absolutely
always every everyone everybody anyone someone something anything nothing people person folks friends
message note feedback comment comments kind lovely sweet shout shoutout lucky proud inspiring inspired
brightened bright cheer cheered moment moments visit visiting came come coming stop stopping popping
share sharing shared said saying tell telling told let letting know write writing wrote reach reaching
day days week morning evening afternoon cup cups coffee coffees brew brews taste tasted tasting flavour
flavor favourite favorite experience wasn weren didn doesn isn aren haven hasn couldn wouldn shouldn won even ever still such well only
once then than into over onto from both each other another same while where which whose because""".split()) - {
    "because"}
_CONTENT = re.compile(r"[^\W\d_]{4,}", re.UNICODE)
# A capitalised word inside a sentence: a proper name, in scripts that have capitals.
_NAME = re.compile(r"(?<=[\s(])[A-ZÀ-ÖØ-ÞĀ-ŽΑ-Ω][^\W\d_]{2,}")
def _stem(word: str) -> str:
    return word[:5]


class SupportIndex:
    """What a policy says, in the forms the guard compares against: its texts
    (folded), their word stems, and their sentences embedded once."""

    def __init__(self, policy: Policy) -> None:
        # Texts that read the same in every language: the brand's names and voice.
        neutral = [policy.brand.name, policy.brand.website or "", *policy.brand.handles.values(),
                   *policy.voice.community_phrases, *(policy.voice.sign_off or "").split("\n")]
        raw = {lang: _texts_in(policy, lang) for lang in policy.languages}
        filled = {lang: [t for t in dict.fromkeys([*neutral, *(_fill(t, policy, lang) for t in texts)]) if t.strip()]
                  for lang, texts in raw.items()}
        self.first_language = policy.languages[0]
        self.texts = list(dict.fromkeys(t for texts in filled.values() for t in texts))
        self.folded = fold("\n".join(self.texts))
        self.folded_compact = self.folded.replace(" ", "")
        # What the policy says in one language: a Finnish "jo" backs no Latvian "jo".
        self.by_language = {lang: fold("\n".join(texts)) for lang, texts in filled.items()}
        self.stems = {_stem(w) for w in _CONTENT.findall(self.folded)}
        # Exact sentences of the policy, and the skeletons of those that name something
        # ("We'll pass your words on to {name}.").
        self.sentences = {_bare(fold(s)) for t in self.texts for s in sentences(t)}
        self.skeletons = [re.compile(re.escape(_bare(fold(s))).replace(r"\{name\}", ".{1,80}") + "$")
                          for t in self.texts if "{name}" in t for s in sentences(t) if "{name}" in s]
        # Sentences to compare meanings with, per language, embedded when first needed.
        self._sentences_by_language = {lang: sorted({s for t in texts for s in sentences(t) if len(s) > 12})
                                       for lang, texts in filled.items()}
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def is_policy_sentence(self, sentence: str) -> bool:
        f = _bare(fold(sentence))
        return f in self.sentences or any(p.match(f) for p in self.skeletons)

    def vectors(self, encoder, language: str | None) -> np.ndarray:  # type: ignore[no-untyped-def]
        """The policy's sentences in ``language`` (else its first language), embedded once
        and kept on disk: a few hundred sentences take seconds to embed, and the first draft
        in each language of every start would wait for them."""
        key = language if language in self._sentences_by_language else self.first_language
        with self._lock:
            if key not in self._vectors:
                texts = self._sentences_by_language[key]
                self._vectors[key] = _kept_vectors(encoder, texts)
            return self._vectors[key]


def _vectors_file(encoder_name: str, texts: list[str]) -> Path:
    root = model_cache_dir()
    digest = hashlib.sha256("\x1e".join([encoder_name, *texts]).encode()).hexdigest()[:24]
    return root / "policy-vectors" / f"{digest}.npy"


def _kept_vectors(encoder, texts: list[str]) -> np.ndarray:  # type: ignore[no-untyped-def]
    if not texts:
        return np.zeros((0, encoder.dim), np.float32)
    path = _vectors_file(getattr(encoder, "name", type(encoder).__name__), texts)
    try:
        kept = np.load(path, allow_pickle=False)
        if kept.shape == (len(texts), encoder.dim):
            return kept
    except (OSError, ValueError):
        pass  # not kept yet, or unreadable: embed again
    vectors = np.asarray(encoder.encode(texts), dtype=np.float32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + f".{os.getpid()}.partial.npy")
        np.save(partial, vectors)
        partial.replace(path)  # atomic: another process never reads half a file
    except OSError:
        pass  # a read-only home: embed again next time
    return vectors


def _bare(folded: str) -> str:
    """A sentence without its closing punctuation and emoji: "...cost ☕" is "...cost."."""
    return re.sub(r"[\W_]+$", "", folded)


def _fill(text: str, policy: Policy, language: str) -> str:
    """A policy text with its variables filled in, ``{name}`` kept (a skeleton to match)."""
    return fill(text, {"brand": policy.brand.name, "sign_off": policy.voice.sign_off or "", "author": "",
                       **policy.facts_in(language)})


def _texts_in(policy: Policy, language: str) -> list[str]:
    """What the policy says in ``language`` (the examples and gestures are written once, in
    its first language)."""
    texts = list(policy.facts_in(language).values())
    for book in policy.playbooks.values():
        texts.append(book.templates.get(language, ""))
        texts += [t for kind in PART_KINDS for t in book.parts.of(kind, language)]
        if language == policy.languages[0]:
            texts += [e.reply for e in book.examples]
    if language == policy.languages[0]:
        texts += [t for g in policy.gestures for t in (g.offer, *g.keywords)]
    texts += [n for e in policy.catalog for n in (*e.names_for(language), e.say.get(language, ""))]
    # The crisis playbook and its status page are the policy's words too (a spike's statement).
    texts += [t for lang, t in policy.crisis.texts() if lang == language] + [policy.crisis.status_page or ""]
    return texts


def backed(term: str, corpus: str) -> bool:
    """``term`` at a word start in ``corpus``; a short one as a whole word ("jo" is not "jos").
    A weekday also by its abbreviation ("saturday" by "Sat-Sun")."""
    if re.search(r"(?<!\w)" + re.escape(term) + (r"(?!\w)" if len(term) <= 3 else ""), corpus):
        return True
    return len(term) > 5 and " " not in term and bool(re.search(r"(?<!\w)" + re.escape(term[:3]) + r"(?!\w)", corpus))


_indexes: dict[str, SupportIndex] = {}
_indexes_lock = threading.Lock()


def support_index(policy: Policy) -> SupportIndex:
    with _indexes_lock:
        if policy.digest not in _indexes:
            _indexes[policy.digest] = SupportIndex(policy)
        return _indexes[policy.digest]


@dataclass
class Unsupported:
    sentence: str
    why: str


def _terms_in(pattern: re.Pattern[str], folded: str) -> list[str]:
    return list(dict.fromkeys(m.group(0).strip() for m in pattern.finditer(folded)))


def unsupported_sentences(text: str, mention: Mention, policy: Policy, language: str | None = None,
                          encoder=None, similarity: float = SUPPORT_SIMILARITY) -> list[Unsupported]:  # type: ignore[no-untyped-def]
    """Sentences of ``text`` that state something neither the policy nor the post backs."""
    index = support_index(policy)
    corpus = index.by_language.get(language or "", index.folded)
    post_words = set(_WORD.findall(fold(mention.text + " " + mention.author)))
    post = fold(reveal(mention.text).text)
    post_stems = {_stem(w) for w in _CONTENT.findall(post)}
    terms = claim_terms()
    out: list[Unsupported] = []
    pending: list[tuple[str, list[str], bool]] = []
    for sentence in sentences(reveal(text).text):
        if index.is_policy_sentence(sentence):
            continue
        folded = fold(sentence)
        # Dates, channels and causes must be the policy's own words. A permission ("you
        # can") may paraphrase a fact: the meaning test below decides it.
        claims = [t for kind in ("time", "channel", "explanation")
                  for t in _terms_in(terms[kind], folded) if not backed(t, corpus)]
        # A name (a city, a shop) neither the policy nor the post names.
        claims += [w for w in _NAME.findall(sentence[1:])
                   if fold(w) not in post_words and not backed(fold(w), corpus)]
        if claims:
            out.append(Unsupported(sentence, f"says {', '.join(repr(c) for c in claims[:3])}, "
                                             "which nothing in the policy backs (leave it out, or add it "
                                             "to the policy)"))
            continue
        loose = [w for w in _CONTENT.findall(folded)
                 if w not in _COURTESY and _stem(w) not in index.stems and _stem(w) not in post_stems]
        promises = [t for t in _terms_in(terms["permission"], folded) if not backed(t, corpus)]
        if loose or promises:
            pending.append((sentence, promises + loose, bool(promises)))
    if pending:
        # Words alone do not back these sentences: ask whether they mean what a policy
        # or post sentence means (a paraphrase of a fact is fine).
        if encoder is None:
            encoder = get_encoder()
        vectors = index.vectors(encoder, language)
        post_sentences = sentences(mention.text)[:20]
        mine = encoder.encode([s for s, _, _ in pending])
        theirs = encoder.encode(post_sentences) if post_sentences else np.zeros((0, encoder.dim), np.float32)
        for (sentence, loose, promise), v in zip(pending, mine, strict=True):
            # A promise or permission may paraphrase the policy, never the post.
            best = max([float((vectors @ v).max()) if len(vectors) else 0.0,
                        float((theirs @ v).max()) if len(theirs) and not promise else 0.0])
            if best < similarity:
                out.append(Unsupported(sentence, f"says {', '.join(repr(w) for w in loose[:3])}: not in the "
                                                 f"policy or the post (closest meaning {best:.2f}; leave it "
                                                 "out, or add it to the policy)"))
    return out


def special_days_not_covered(post: str, fact_texts: list[str]) -> list[str]:
    """Holidays and special days the post asks about that the fact never mentions:
    the weekly opening hours do not answer "are you open on Christmas Eve?"."""
    folded = fold(post)
    corpus = fold("\n".join(fact_texts))
    if not re.search(r"\d+\s*[-–]\s*\d+", corpus):
        return []  # a fact about something other than times ("paused any time") still answers
    return [t for t in _terms_in(claim_terms()["special_days"], folded) if not backed(t, corpus)]
