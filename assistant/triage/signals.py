"""What a post says on its surface: keyword hits, emoji, question marks, hashtags.

Lexicon matches (see lexicon.py) are computed once per post here and read by the
named rules in rules.py.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from assistant.text.normalize import compile_terms, fold
from assistant.text.sentences import POST_SENTENCE_BREAK
from assistant.triage import lexicon as lx

URL = re.compile(r"https?://\S+|www\.\S+|(?<![@\w.-])[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/\S*|"
                  r"(?<![@\w.-])[\w-]+\.(?:example\.)?(?:com|net|org|io|fi|nl|de|fr|es|se|lv|gr|ir|eu|ly|co|shop|store|online|"
                  r"site|xyz|top|app|example)\b", re.I)
_HANDLE = re.compile(r"@[\w.@-]+", re.UNICODE)
_HASHTAG = re.compile(r"#(\w+)", re.UNICODE)
_CAMEL = re.compile(r"(?<=[a-zäöåõ])(?=[A-ZÄÖÅ])")
_SIGNOFFS = compile_terms(lx.SIGNOFFS)
_WORDS = re.compile(r"[^\W\d_]+", re.UNICODE)

_POS = compile_terms(lx.POSITIVE)
_NEG = compile_terms(lx.NEGATIVE)
_SARC = compile_terms(lx.SARCASM)
_QWORDS = compile_terms(lx.QUESTION_WORDS)
# Sentence openers match whole words ("who" is not "whoever").
_QSTART = compile_terms([t if " " in t or t.endswith("$") else t + "$" for t in lx.QUESTION_STARTS])
_NEGATORS = frozenset(fold(w) for w in lx.NEGATORS)
_QUOTED = re.compile(r"'[^']{3,60}'|\"[^\"]{3,60}\"|«[^»]{3,60}»|„[^“]{3,60}“|‘[^’]{3,60}’")
_SSTART = compile_terms(lx.SUGGESTION_STARTS)
_SUGG = compile_terms(lx.SUGGESTION)
ABUSE = compile_terms(lx.ABUSE)
THREAT = compile_terms(lx.THREAT)
CONDUCT = compile_terms(lx.CONDUCT)
LEAVING = compile_terms(lx.SELF_HARM_LEAVING)
FAREWELL = compile_terms(lx.SELF_HARM_FAREWELL)
NOT_LEAVING = compile_terms(lx.NOT_LEAVING)
SPAM = compile_terms(lx.SPAM)
INJECT = compile_terms(lx.INJECTION)
HIGH = {kind: compile_terms(terms) for kind, terms in lx.HIGH.items()}
MEDIUM = compile_terms(lx.MEDIUM)

CONTRAST = compile_terms(["but$", "mutta$", "maar$", "αλλα$", "اما$", "ولی$", "bet$", "aber$", "pero$", "mais$",
                           "men$", "though$", "however$"])
_SARCASM_EMOJI = set("🙄🙃")

SHORT_WORDS = 3  # at most this many words and nothing else: a small reaction (000/001)


def hits(pattern: re.Pattern[str], text: str) -> list[str]:
    return [m.group(0) for m in pattern.finditer(text)]


def _unnegated(pattern: re.Pattern[str], text: str) -> list[str]:
    """Hits that do not follow a negator: "null Bitterkeit" is not bitter."""
    out = []
    for m in pattern.finditer(text):
        before = text[max(0, m.start() - 12):m.start()].split()
        if not (before and before[-1] in _NEGATORS):
            out.append(m.group(0))
    return out


def _is_emoji(ch: str) -> bool:
    return unicodedata.category(ch) in ("So", "Sk") or ch in "\u200d\ufe0f"


@dataclass
class Signals:
    folded: str
    words: list[str]
    pos: list[str] = field(default_factory=list)
    neg: list[str] = field(default_factory=list)
    sarcasm: list[str] = field(default_factory=list)
    question: bool = False
    question_words: list[str] = field(default_factory=list)
    question_start: list[str] = field(default_factory=list)
    suggestion_start: list[str] = field(default_factory=list)
    suggestion: list[str] = field(default_factory=list)
    pos_emoji: int = 0
    neg_emoji: int = 0
    emoji_only: bool = False


def _hashtag_words(text: str) -> str:
    """#KallioPaahtoMaistuuNytHapolta -> "Kallio Paahto Maistuu Nyt Hapolta": hashtags carry words."""
    return _HASHTAG.sub(lambda m: " " + _CAMEL.sub(" ", m.group(1)).replace("_", " ") + " ", text)


def signals(text: str) -> Signals:
    clean = _hashtag_words(_HANDLE.sub(" ", URL.sub(" ", text)))
    folded = _SIGNOFFS.sub(" ", fold(clean))
    words = _WORDS.findall(folded)
    s = Signals(folded=folded, words=words)
    s.pos = hits(_POS, folded)
    s.neg = _unnegated(_NEG, folded)
    s.sarcasm = hits(_SARC, folded)
    s.suggestion = hits(_SUGG, folded)
    s.pos_emoji = sum(1 for ch in text if ch in lx.POSITIVE_EMOJI)
    s.neg_emoji = sum(1 for ch in text if ch in lx.NEGATIVE_EMOJI)
    s.emoji_only = not words and any(_is_emoji(ch) for ch in clean)
    if not s.emoji_only and any(ch in _SARCASM_EMOJI for ch in text):
        s.sarcasm.append("eye-roll emoji")
    # Greek writes its question mark as ";", Persian as "؟".
    s.question = "?" in clean or "؟" in clean or (";" in clean and any("α" <= c <= "ω" for c in folded))
    sentences = [fold(sentence) for sentence in POST_SENTENCE_BREAK.split(clean) if sentence.strip()]
    s.question_words = hits(_QWORDS, " ".join(sentence[:40] for sentence in sentences))
    # "Vilken hjälte!" and "Wat leuk!" open like questions but exclaim.
    s.question_start = [m.group(0) for sentence in sentences
                        if not sentence.rstrip().endswith("!") and (m := _QSTART.match(sentence))]
    s.suggestion_start = [m.group(0) for sentence in sentences if (m := _SSTART.match(sentence))]
    if s.neg and any(ch in text for ch in "👏👍😂"):
        s.sarcasm.append("applause for a problem")
    elif any(ch in text for ch in "👏😂👌") and _QUOTED.search(text):
        s.sarcasm.append("applause for a claim in quotes")
    # Review-site stars: four or five filled stars praise, one or two complain.
    stars = text.count("★")
    if stars >= 4:
        s.pos.append("★" * stars)
    elif 0 < stars <= 2:
        s.neg.append("★" * stars)
    return s


