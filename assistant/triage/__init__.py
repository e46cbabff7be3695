"""Triage: language, intent, severity and the recommended action for a mention.

Rules rather than the model decide this: the embedded model is English-only
and far too small to classify reliably, while keyword rules in the brand's ten
languages are fast (thousands of mentions a second), explainable (every
decision lists its reasons) and measured on a labelled set (`assistant eval`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..domain import Action, Intent, Severity, Triage
from ..policy import Policy
from . import lexicon as lx
from .language import UNDETERMINED, detect_language
from .learned import HIGH_THRESHOLD, guess_intent, high_severity_probability
from .normalize import compile_terms, fold

_URL = re.compile(r"https?://\S+|www\.\S+|(?<![@\w.-])[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/\S*|"
                  r"(?<![@\w.-])[\w-]+\.(?:example\.)?(?:com|net|org|io|fi|nl|de|fr|es|se|lv|gr|ir|eu|ly|co|shop)\b", re.I)
_HANDLE = re.compile(r"@[\w.@-]+", re.UNICODE)
_HASHTAG = re.compile(r"#(\w+)", re.UNICODE)
_CAMEL = re.compile(r"(?<=[a-zäöåõ])(?=[A-ZÄÖÅ])")
_SIGNOFFS = compile_terms(lx.SIGNOFFS)
_WORDS = re.compile(r"[^\W\d_]+", re.UNICODE)
_SENTENCES = re.compile(r"(?<=[.!?;。؟\n])\s+")

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
_ABUSE = compile_terms(lx.ABUSE)
_THREAT = compile_terms(lx.THREAT)
_SPAM = compile_terms(lx.SPAM)
_INJECT = compile_terms(lx.INJECTION)
_HIGH = {kind: compile_terms(terms) for kind, terms in lx.HIGH.items()}
_MEDIUM = compile_terms(lx.MEDIUM)

_CONTRAST = compile_terms(["but$", "mutta$", "maar$", "αλλα$", "اما$", "ولی$", "bet$", "aber$", "pero$", "mais$",
                           "men$", "though$", "however$"])
_SARCASM_EMOJI = set("🙄🙃")

SHORT_WORDS = 3  # at most this many words and nothing else: a small reaction (000/001)


def _hits(pattern: re.Pattern[str], text: str) -> list[str]:
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


def _signals(text: str) -> Signals:
    clean = _hashtag_words(_HANDLE.sub(" ", _URL.sub(" ", text)))
    folded = _SIGNOFFS.sub(" ", fold(clean))
    words = _WORDS.findall(folded)
    s = Signals(folded=folded, words=words)
    s.pos = _hits(_POS, folded)
    s.neg = _unnegated(_NEG, folded)
    s.sarcasm = _hits(_SARC, folded)
    s.suggestion = _hits(_SUGG, folded)
    s.pos_emoji = sum(1 for ch in text if ch in lx.POSITIVE_EMOJI)
    s.neg_emoji = sum(1 for ch in text if ch in lx.NEGATIVE_EMOJI)
    s.emoji_only = not words and any(_is_emoji(ch) for ch in clean)
    if not s.emoji_only and any(ch in _SARCASM_EMOJI for ch in text):
        s.sarcasm.append("eye-roll emoji")
    # Greek writes its question mark as ";", Persian as "؟".
    s.question = "?" in clean or "؟" in clean or (";" in clean and any("α" <= c <= "ω" for c in folded))
    sentences = [fold(sentence) for sentence in _SENTENCES.split(clean) if sentence.strip()]
    s.question_words = _hits(_QWORDS, " ".join(sentence[:40] for sentence in sentences))
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


class Triager:
    """Stateless apart from compiled patterns; safe to share between threads."""

    def triage(self, text: str, policy: Policy | None = None) -> Triage:
        languages = policy.languages if policy else ["en"]
        reasons: list[str] = []
        if not text or not text.strip():
            return Triage(language=UNDETERMINED, intent=Intent.SPAM, severity=Severity.LOW,
                          action=Action.IGNORE, reasons=["empty text: nothing to answer"])
        language, how = detect_language(text, languages)
        reasons.append(f"language {language} ({how})")

        intent, why, body = self._intent(text)
        reasons.extend(why)
        severity, sev_why = self._severity(body, intent)
        reasons.extend(sev_why)
        action, team, act_why = self._action(body, intent, severity, policy)
        reasons.extend(act_why)
        if language not in languages and language != UNDETERMINED:
            reasons.append(f"{language} is not one of the brand's languages: the reply uses the first one")
        return Triage(language=language, intent=intent, severity=severity, action=action, team=team,
                      reasons=reasons)

    def _intent(self, text: str) -> tuple[Intent, list[str], str]:
        reasons: list[str] = []
        folded_all = fold(text)
        injected = _hits(_INJECT, folded_all)
        body = text
        if injected:
            reasons.append(f"contains instructions to the model ({injected[0]!r}): treated as plain text")
            kept = [s for s in _SENTENCES.split(text) if not _INJECT.search(fold(s))]
            body = " ".join(kept)
            rest = _signals(body)
            # What is left after the orders must read like a customer: an opinion, a
            # problem, a question or an idea. Otherwise the post is only the attack.
            customer = rest.pos or rest.neg or rest.question or rest.question_start or rest.suggestion
            if len(rest.words) < 3 or not customer:
                return Intent.SPAM, [*reasons, "spam: prompt injection with no customer message"], text

        s = _signals(body)
        folded_body = fold(body)  # with hashtags and links, which carry spam
        threat = _hits(_THREAT, s.folded)
        abuse = _hits(_ABUSE, s.folded)
        if threat:
            return Intent.ABUSE, [*reasons, f"abuse: threat ({threat[0]!r})"], body
        if abuse:
            return Intent.ABUSE, [*reasons, f"abuse: insult ({', '.join(map(repr, abuse[:3]))})"], body
        high = [(kind, found[0]) for kind, p in _HIGH.items() if (found := _hits(p, s.folded))]
        if high:
            # Safety, legal, fraud, press, breach: whatever the tone, a case to handle (004);
            # checked before spam, so "my card was used at a casino" is fraud, not an advert.
            kind, word = high[0]
            if kind == "press" and (s.question or s.question_start) and not s.neg:
                return Intent.QUESTION, [*reasons, f"question from the press ({word!r})"], body
            return Intent.COMPLAINT, [*reasons, f"complaint: {kind} ({word!r})"], body
        spam = _hits(_SPAM, folded_body)
        links = [u for u in _URL.findall(body) if not self._own_link(u)]
        # A long, detailed post that happens to say "discount code" is a customer, not a spammer.
        if spam and (len(s.words) <= 40 or len(spam) >= 2):
            return Intent.SPAM, [*reasons, f"spam: {', '.join(map(repr, spam[:3]))}"], body
        if links and len(s.words) <= 15 and not (s.neg or s.question):
            return Intent.SPAM, [*reasons, f"spam: a link ({links[0][:40]}) with little else"], body

        if s.emoji_only:
            if s.neg_emoji and s.neg_emoji >= s.pos_emoji:
                return Intent.COMPLAINT, [*reasons, "complaint: negative emoji only"], body
            return Intent.REACTION, [*reasons, "reaction: emoji only"], body

        neg = len(s.neg) + 2 * len(s.sarcasm) + s.neg_emoji
        pos = len(s.pos) + s.pos_emoji
        if s.sarcasm:
            reasons.append(f"sarcasm: {s.sarcasm[0]!r}")
        # "Tip: ..." or "You should ..." with at most a passing complaint is a suggestion (002 moment 4).
        if s.suggestion and not s.sarcasm and len(s.neg) <= 1 and (
                len(s.suggestion) > 1 or s.folded.startswith(tuple(fold(t) for t in s.suggestion))
                or not s.neg):
            return Intent.SUGGESTION, [*reasons, f"suggestion: {s.suggestion[0]!r}"], body
        contrast = bool(s.neg) and bool(_CONTRAST.search(s.folded))
        # A long, warm story may mention a bad day in passing; a short post with as much
        # bad as good is a complaint.
        outweighs = neg > pos or (neg == pos and len(s.words) < 25)
        if neg and (outweighs or s.sarcasm or contrast):
            asked = " (also asks a question)" if s.question else ""
            return Intent.COMPLAINT, [*reasons, f"complaint{asked}: {', '.join(map(repr, s.neg[:3] or s.sarcasm[:1]))}"], body
        if s.suggestion:
            return Intent.SUGGESTION, [*reasons, f"suggestion: {s.suggestion[0]!r}"], body
        if s.question or s.question_start or s.question_words and len(s.words) <= 12:
            cue = "question mark" if s.question else repr((s.question_start or s.question_words)[0])
            return Intent.QUESTION, [*reasons, f"question: {cue}"], body
        if s.suggestion_start:
            return Intent.SUGGESTION, [*reasons, f"suggestion: starts with {s.suggestion_start[0]!r}"], body
        if len(s.words) <= SHORT_WORDS:
            return Intent.REACTION, [*reasons, f"reaction: {len(s.words)} word(s)"], body
        if pos:
            return Intent.PRAISE, [*reasons, f"praise: {', '.join(map(repr, s.pos[:3])) or 'positive emoji'}"], body
        # No rule fired: ask the learned classifier rather than guess (see learned.py).
        intent, p = guess_intent(body)
        return intent, [*reasons, f"{intent.value}: no keyword matched; learned classifier ({p:.0%})"], body

    @staticmethod
    def _own_link(url: str) -> bool:
        return "auroraroasters" in url.lower() or url.lower().startswith(("@", "#"))

    def _severity(self, body: str, intent: Intent) -> tuple[Severity, list[str]]:
        if intent is Intent.SPAM:
            return Severity.LOW, []
        folded = fold(body)
        if intent is Intent.ABUSE and _hits(_THREAT, folded):
            return Severity.HIGH, ["severity high: threat of violence"]
        for kind, pattern in _HIGH.items():
            found = _hits(pattern, folded)
            if found:
                return Severity.HIGH, [f"severity high: {kind} ({found[0]!r})"]
        if body.strip():
            p = high_severity_probability(body)
            if p > HIGH_THRESHOLD:
                return Severity.HIGH, [f"severity high: learned classifier ({p:.0%}), no keyword matched"]
        if intent is Intent.COMPLAINT:
            found = _hits(_MEDIUM, folded)
            if found:
                return Severity.MEDIUM, [f"severity medium: {found[0]!r}"]
        return Severity.LOW, []

    def _action(self, body: str, intent: Intent, severity: Severity,
                policy: Policy | None) -> tuple[Action, str | None, list[str]]:
        rules = policy.escalation if policy else []
        folded = fold(body)
        for rule in rules:
            by_severity = severity in rule.severity
            by_intent = intent in rule.intents
            word = next((k for k in rule.keywords if re.search(rf"(?<!\w){re.escape(fold(k))}", folded)), None)
            if by_severity or by_intent or word:
                why = f"severity {severity.value}" if by_severity else (f"keyword {word!r}" if word else f"intent {intent.value}")
                return Action.ESCALATE, rule.team, [f"escalate to {rule.team}: rule {rule.name!r} ({why})"]
        if severity is Severity.HIGH:
            return Action.ESCALATE, None, ["escalate: high severity needs a person"]
        if intent is Intent.ABUSE:
            return Action.HIDE, None, ["hide: abuse is removed, not answered (000/001)"]
        if intent is Intent.SPAM:
            return Action.IGNORE, None, ["ignore: spam gets no reply (000/001)"]
        return Action.REPLY, None, []
