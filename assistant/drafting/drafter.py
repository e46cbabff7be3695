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
from .facts import lookup_fact
from .guard import SINGULAR_WORDS, check_draft, failed
from .prompt import build_messages

_QUOTES = "\"'“”«»„"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")
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
                  "sign_off": self.policy.voice.sign_off or "", **self.policy.facts_in(language)}
        return text.format_map(values)

    def opener(self, intent: Intent, language: str) -> str:
        """The first sentence of the policy's template: the start of every model draft."""
        book = self.policy.playbook(intent)
        template = (book.templates.get(language, "") if book else "").split("{")[0]
        first = _SENTENCE_END.split(template.strip(), maxsplit=1)[0]
        return first if len(first) < 80 else ""

    def answering_fact(self, mention: Mention, language: str) -> tuple[str | None, str]:
        """The policy fact that answers the question, in ``language``, found by meaning
        (see facts.py), and why; None when no fact answers it."""
        match = lookup_fact(self.policy, mention.text)
        return (self.policy.fact(match.key, language) if match.key else None), match.reason

    def draft(self, mention: Mention, triage: Triage, instruction: str | None = None) -> Draft:
        start = time.perf_counter()
        language = self.reply_language(triage)
        limit = self.policy.voice.limit_for(mention.network_name)
        guard_triage = triage if triage.language != UNDETERMINED else triage.model_copy(update={"language": language})
        reason: str | None = None
        attempts = 0
        fact: str | None = None
        why = ""
        if triage.intent is Intent.QUESTION:
            # Ground the answer in the fact that answers the question, in the author's
            # language. With no such fact the model could only guess, and a wrong answer
            # is worse than "we'll check".
            fact, why = self.answering_fact(mention, language)
            if fact is None and not instruction:  # a person asking to regenerate gets a try
                return self._from_template(mention, triage, guard_triage, language, start, 0,
                                           f"no fact in the policy answers this question ({why}): used the template")
        if language not in self.settings.model_languages:
            reason = f"the model does not write {language} (ASSISTANT_MODEL_LANGUAGES): used the {language} template"
            if fact is not None:
                composed = self._fact_reply(mention, triage, guard_triage, language, start, 0, fact,
                                            f"{reason} with the policy's fact ({why})")
                if composed is not None:
                    return composed
        else:
            messages = build_messages(self.policy, mention, triage.intent, language, limit, instruction)
            opener = self.opener(triage.intent, language)
            start_with = f"{opener} {fact}".strip() if fact is not None else opener
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
                composed = self._fact_reply(mention, triage, guard_triage, language, start, attempts, fact,
                                            f"{reason}: used the policy's fact and template")
                if composed is not None:
                    return composed
            reason += ": used the template"
        return self._from_template(mention, triage, guard_triage, language, start, attempts, reason)

    def _fact_reply(self, mention: Mention, triage: Triage, guard_triage: Triage, language: str, start: float,
                    attempts: int, fact: str, reason: str) -> Draft | None:
        """The answer in the policy's words: the template's first sentence, the fact, its last."""
        sentences = _SENTENCE_END.split(self.template(triage.intent, language, mention).strip())
        opener = self.opener(triage.intent, language)
        text = " ".join(p for p in (opener, fact, sentences[-1] if len(sentences) > 1 else "") if p)
        checks = check_draft(text, mention, guard_triage, self.policy, language)
        if failed(checks):
            return None
        return Draft(text=text, language=language, guard=checks, fallback=True, fallback_reason=reason,
                     backend=self.backend.name if attempts else "template",
                     model=self.backend.model_name if attempts else f"{self.policy.id} policy",
                     seconds=time.perf_counter() - start, attempts=attempts)

    def _from_template(self, mention: Mention, triage: Triage, guard_triage: Triage, language: str,
                       start: float, attempts: int, reason: str | None) -> Draft:
        text = self.template(triage.intent, language, mention)
        checks = check_draft(text, mention, guard_triage, self.policy, language)
        return Draft(text=text, language=language, guard=checks, fallback=True, fallback_reason=reason,
                     backend=self.backend.name if attempts else "template",
                     model=self.backend.model_name if attempts else f"{self.policy.id} policy",
                     seconds=time.perf_counter() - start, attempts=attempts)
