"""Drafter: ask the model, guard the answer, retry, and fall back to the
policy's own template when the model cannot produce a safe reply."""

from __future__ import annotations

import re
import time
import unicodedata

from ..backends import ModelBackend
from ..domain import Draft, Intent, Mention, Triage
from ..errors import BackendError
from ..policy import Policy
from ..settings import Settings
from ..triage.language import UNDETERMINED
from ..triage.normalize import fold
from .guard import SINGULAR_WORDS, check_draft, failed
from .prompt import build_messages

_QUOTES = "\"'“”«»„"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")
_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)
# Stems too common to tie a question to a fact.
_COMMON_STEMS = {"your", "have", "what", "when", "with", "this", "that", "does", "will", "there", "from",
                 "about", "would", "could", "they", "just", "like", "much", "many", "also", "here", "thank",
                 "hello", "plea", "know", "auro", "roas", "want", "need", "some", "more", "cafe", "coff"}
_NAME = re.compile(r"(?<=[^\W_]\s)[A-ZÄÖÅ][^\W\d_]{3,}", re.UNICODE)
_LABEL = re.compile(r"^\s*(?:our reply|reply|answer|response)\s*:\s*", re.I)


def trim_emoji(text: str, keep: int) -> str:
    """Keep the first ``keep`` emoji: the small model scatters them everywhere."""
    out, seen = [], 0
    for ch in text:
        if unicodedata.category(ch) == "So" and ord(ch) > 0x2000:
            seen += 1
            if seen > keep:
                continue
        out.append(ch)
    return re.sub(r"[ \t]{2,}", " ", "".join(out)).replace("\ufe0f", "" if keep == 0 else "\ufe0f")


def clean_output(text: str, max_emoji: int = 1) -> str:
    """Tidy a raw generation: drop a "Reply:" label, wrapping quotes, extra emoji and a cut-off last sentence."""
    text = trim_emoji(_LABEL.sub("", text.strip()), max_emoji)
    text = text.split("\n")[0].strip()
    if len(text) > 1 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1].strip()
    if text and text[-1] not in ".!?…)☕💛" and re.search(r"[.!?]", text):
        text = text[: max(text.rfind("."), text.rfind("!"), text.rfind("?")) + 1]
    return text.strip()


class Drafter:
    def __init__(self, backend: ModelBackend, policy: Policy, settings: Settings) -> None:
        self.backend = backend
        self.policy = policy
        self.settings = settings

    def reply_language(self, triage: Triage) -> str:
        if triage.language in self.policy.languages:
            return triage.language
        return self.policy.languages[0]  # undetermined or not one we answer in

    def template(self, intent: Intent, language: str, mention: Mention) -> str:
        book = self.policy.playbook(intent) or self.policy.playbooks[Intent.QUESTION]
        text = book.templates.get(language) or book.templates.get(self.policy.languages[0], "")
        values = {"author": mention.author, "brand": self.policy.brand.name,
                  "sign_off": self.policy.voice.sign_off or "", **self.policy.facts}
        return text.format_map(values)

    def opener(self, intent: Intent, language: str) -> str:
        """The first sentence of the policy's template: the start of every model draft."""
        book = self.policy.playbook(intent)
        template = (book.templates.get(language, "") if book else "").split("{")[0]
        first = _SENTENCE_END.split(template.strip(), maxsplit=1)[0]
        return first if len(first) < 80 else ""

    def relevant_fact(self, mention: Mention) -> str | None:
        """The policy fact sharing the most words with the post (words compared by their
        first four letters, so "pause" finds "paused" and "ship" finds "shipping")."""
        # Names (capitalised inside a sentence: Kallio, Kauppatori) say where, not what is
        # asked: "Is the Kauppatori café dog friendly?" must not be answered with addresses.
        names = {fold(w)[:4] for w in _NAME.findall(mention.text)}
        asked = {w[:4] for w in _WORD.findall(fold(mention.text))} - _COMMON_STEMS - names
        best, key = None, (0, 0)
        for fact in self.policy.facts.values():
            shared = len(asked & {w[:4] for w in _WORD.findall(fold(fact))})
            rank = (shared, -len(fact))  # on a tie, the shorter, more focused fact
            if shared and rank > key:
                best, key = fact, rank
        return best

    def draft(self, mention: Mention, triage: Triage, instruction: str | None = None) -> Draft:
        start = time.perf_counter()
        language = self.reply_language(triage)
        limit = self.policy.voice.limit_for(mention.network_name)
        guard_triage = triage if triage.language != UNDETERMINED else triage.model_copy(update={"language": language})
        reason: str | None = None
        attempts = 0
        if language not in self.settings.model_languages:
            reason = f"the model does not write {language} (ASSISTANT_MODEL_LANGUAGES): used the {language} template"
        else:
            messages = build_messages(self.policy, mention, triage.intent, language, limit, instruction)
            opener = self.opener(triage.intent, language)
            start_with = opener
            fact: str | None = None
            if triage.intent is Intent.QUESTION and language == self.policy.languages[0]:
                # Ground the answer: start it with the fact that answers the question, in the
                # policy's own words (facts are written in its first language). With no such
                # fact the model could only guess, and a wrong answer is worse than "we'll check".
                fact = self.relevant_fact(mention)
                if fact is None and not instruction:  # a person asking to regenerate gets a try
                    return self._from_template(mention, triage, guard_triage, language, start, 0,
                                               "no fact in the policy answers this question: used the template")
                if fact is not None:
                    start_with = f"{opener} {fact}".strip()
            problems: list[str] = []
            for attempt in range(self.settings.draft_attempts):
                attempts += 1
                try:
                    out = self.backend.generate(
                        messages, max_new_tokens=self.settings.max_new_tokens,
                        temperature=self.settings.temperature if attempt else min(self.settings.temperature, 0.3),
                        seed=attempt, prefix=start_with or None,
                        avoid=SINGULAR_WORDS if language == "en" else None,
                    )
                except BackendError as exc:
                    problems = [f"backend error: {exc}"]
                    break
                text = clean_output(out.text, self.policy.voice.emoji.max)
                checks = check_draft(text, mention, guard_triage, self.policy, language, opener=opener)
                bad = failed(checks)
                if not bad:
                    return Draft(text=text, language=language, guard=checks, backend=self.backend.name,
                                 model=self.backend.model_name, seconds=time.perf_counter() - start,
                                 attempts=attempts)
                problems = [f"{c.name}: {c.detail}" for c in bad]
            reason = f"model draft failed the guard after {attempts} tries ({'; '.join(problems[:3])})"
            if fact is not None:
                # The answer is known: give it in the policy's words, between the
                # template's first and last sentences.
                sentences = _SENTENCE_END.split(self.template(triage.intent, language, mention).strip())
                text = " ".join([start_with, sentences[-1]] if len(sentences) > 1 else [start_with])
                checks = check_draft(text, mention, guard_triage, self.policy, language)
                if not failed(checks):
                    return Draft(text=text, language=language, guard=checks, fallback=True,
                                 fallback_reason=f"{reason}: used the policy's fact and template",
                                 backend=self.backend.name, model=self.backend.model_name,
                                 seconds=time.perf_counter() - start, attempts=attempts)
            reason += ": used the template"
        return self._from_template(mention, triage, guard_triage, language, start, attempts, reason)

    def _from_template(self, mention: Mention, triage: Triage, guard_triage: Triage, language: str,
                       start: float, attempts: int, reason: str | None) -> Draft:
        text = self.template(triage.intent, language, mention)
        checks = check_draft(text, mention, guard_triage, self.policy, language)
        return Draft(text=text, language=language, guard=checks, fallback=True, fallback_reason=reason,
                     backend=self.backend.name if attempts else "template",
                     model=self.backend.model_name if attempts else f"{self.policy.id} policy",
                     seconds=time.perf_counter() - start, attempts=attempts)
