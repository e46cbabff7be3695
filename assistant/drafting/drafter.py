"""Drafter: compose a reply from the policy's parts, let the model add the one
warm, specific sentence the parts cannot write, guard every sentence, and keep
the composed reply when the model's sentence fails.

Order of preference, each guarded:
1. an approved reply to a very similar post (the team already said it well);
2. the composed reply with the model's sentence (languages the model writes);
3. the composed reply on its own;
4. the policy's bare template (a fallback: the card says why).
A draft rejected for a similar post is never offered again.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable
from difflib import SequenceMatcher

from ..backends import ModelBackend
from ..domain import Draft, DraftPart, GuardCheck, Intent, Mention, Triage
from ..errors import BackendError
from ..policy import Policy
from ..settings import Settings
from ..superfans import FanStatus
from ..triage.language import UNDETERMINED
from .claims import has_question, question_sentences, special_days_not_covered
from .compose import Composer, Composition, join_parts
from .facts import THRESHOLD, fact_index
from .guard import SINGULAR_I, SINGULAR_WORDS, about_the_post, check_draft, failed
from .memory import START_SIMILARITY, Remembered, ReplyMemory
from .prompt import build_sentence_messages
from .text import fill, sentences

_QUOTES = "\"'“”«»„"
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
    def __init__(self, backend: ModelBackend | None, policy: Policy, settings: Settings,
                 memory: ReplyMemory | None = None,
                 fans: Callable[[Mention, Intent], FanStatus | None] | None = None) -> None:
        self.backend = backend
        self.policy = policy
        self.settings = settings
        self.memory = memory
        self.fans = fans  # superfans.fan_lookup: a returning super-fan is thanked as one
        self.composer = Composer(policy)

    def reply_language(self, triage: Triage) -> str:
        if triage.language in self.policy.languages:
            return triage.language
        return self.policy.languages[0]  # undetermined or not one we answer in

    def template(self, intent: Intent, language: str, mention: Mention) -> str:
        book = self.policy.playbook(intent) or self.policy.playbooks[Intent.QUESTION]
        text = book.templates.get(language) or book.templates.get(self.policy.languages[0], "")
        return fill(text, self.composer.values(mention, language))

    def answering_fact(self, mention: Mention, language: str) -> tuple[str | None, str]:
        """The policy fact that answers the question, in ``language``, found by meaning
        (see facts.py), and why; None when no fact answers it."""
        key, why = self._fact_key(mention)
        return (self.policy.fact(key, language) if key else None), why

    def _fact_key(self, mention: Mention) -> tuple[str | None, str]:
        """The fact that answers the post's question. A long post is asked sentence by
        sentence too (its question is one sentence among others); a question nearest a
        topic the facts do not answer, or naming a day the fact does not cover ("open
        on Christmas Eve?"), gets none."""
        questions = [q for q in question_sentences(mention.text) if q.strip() != mention.text.strip()]
        index = fact_index(self.policy)
        vectors = index.encoder.encode([mention.text, *questions], query=True)  # one batch
        whole, *asked = [index.match_vector(v) for v in vectors]
        matches = [whole, *asked]
        refusals = [m for m in asked if m.label.startswith("unanswered:") and m.score >= THRESHOLD]
        if refusals:
            return None, refusals[0].reason
        found = [m for m in matches if m.key is not None]
        if not found:
            return None, whole.reason
        best = max(found, key=lambda m: m.score)
        assert best.key is not None
        days = special_days_not_covered(mention.text, self.policy.all_texts_of_fact(best.key))
        if days:
            return None, f"asks about {', '.join(days)}, which fact {best.key} does not cover"
        return best.key, best.reason

    # -- the draft -----------------------------------------------------------------------

    def draft(self, mention: Mention, triage: Triage, instruction: str | None = None, variant: int = 0) -> Draft:
        """``variant``: 0 for the first draft; Regenerate asks for the next one."""
        start = time.perf_counter()
        language = self.reply_language(triage)
        limit = self.policy.voice.limit_for(mention.network_name)
        guard_triage = triage if triage.language != UNDETERMINED else triage.model_copy(update={"language": language})
        intent = triage.intent
        notes: list[str] = []

        def guard(text: str) -> list[GuardCheck]:
            return check_draft(text, mention, guard_triage, self.policy, language)

        def done(text: str, checks: list[GuardCheck], origin: str, parts: list[DraftPart], attempts: int = 0,
                 reason: str | None = None) -> Draft:
            asked = (origin == "model" or attempts > 0) and self.backend is not None
            return Draft(text=text, language=language, guard=checks, fallback=origin == "template",
                         fallback_reason=reason, origin=origin, parts=parts, notes=notes,
                         backend=self.backend.name if asked and self.backend else origin,
                         model=(self.backend.model_name if asked and self.backend
                                else f"{self.policy.id or self.policy.brand.name} policy"),
                         seconds=time.perf_counter() - start, attempts=attempts)

        def from_template(reason: str, attempts: int = 0) -> Draft:
            text = self.template(intent, language, mention)
            part = DraftPart(kind="template", text=text,
                             source=f"policy: playbooks.{intent.value}.templates.{language}")
            return done(text, guard(text), "template", [part], attempts, reason)

        rejected = self._rejected(mention, language)

        # 1. The team already answered a post like this one.
        approved = self._approved(mention, language, intent)
        if approved and approved[0].similarity >= START_SIMILARITY and not instruction and not variant:
            best = approved[0]
            text = _readdress(best.reply, best.author, mention.author)
            checks = guard(text)
            if not failed(checks) and not self._was_rejected(text, rejected) and self._names_fit(best, mention,
                                                                                                triage):
                part = DraftPart(kind="approved", text=text,
                                 source=f"approved reply for {best.author or 'a post'} on {best.day} "
                                        f"(similarity {best.similarity:.2f})")
                return done(text, checks, "approved", [part])
            notes.append(f"the reply approved for {best.author or 'a similar post'} on {best.day} did not fit "
                         "this post")

        # 2-3. Compose from the policy; the fact that answers a question, in this language.
        fact: tuple[str, str] | None = None
        why = ""
        if intent is Intent.QUESTION or (intent in (Intent.PRAISE, Intent.COMPLAINT, Intent.SUGGESTION)
                                         and has_question(mention.text)):
            key, why = self._fact_key(mention)
            if key is not None:
                fact = (key, self.policy.fact(key, language))
            elif intent is Intent.QUESTION:
                notes.append(f"no fact in the policy answers this question ({why}): says we will find out")
        named = self.policy.catalog_index.find(mention.text, triage.language)
        fan = self.fans(mention, intent) if self.fans is not None else None
        if fan is not None:
            notes.append(f"returning fan: {fan.line}")
        composition = self._compose(mention, intent, language, fact, named, variant, limit, instruction, rejected,
                                    notes, returning_fan=fan is not None)
        if composition is None:
            return from_template("every composed reply for this post was rejected before")
        attempts = 0
        if self.backend is not None and language in self.settings.model_languages and intent is not Intent.REACTION:
            sentence, attempts = self._model_sentence(mention, intent, language, composition, approved, instruction,
                                                      limit, guard, notes)
            if sentence is not None:
                parts = _insert(composition.parts, sentence)
                text = join_parts(parts)
                checks = guard(text)
                if not failed(checks):
                    return done(text, checks, "model", parts, attempts)
                notes.append("the model's sentence did not pass with the reply: "
                             + "; ".join(f"{c.name}: {c.detail}" for c in failed(checks))[:200])
        elif language not in self.settings.model_languages:
            notes.append(f"the model does not write {language} (ASSISTANT_MODEL_LANGUAGES): composed from the policy")
        text = composition.text
        checks = guard(text)
        if not failed(checks):
            return done(text, checks, "composed", composition.parts, attempts)
        notes.append("the composed reply failed the guard: "
                     + "; ".join(f"{c.name}: {c.detail}" for c in failed(checks))[:200])
        return from_template("; ".join(notes[-1:]) + ": used the template", attempts)

    # -- pieces --------------------------------------------------------------------------

    def _compose(self, mention: Mention, intent: Intent, language: str, fact: tuple[str, str] | None,
                 named: list, variant: int, limit: int, instruction: str | None,  # type: ignore[type-arg]
                 rejected: list[Remembered], notes: list[str], returning_fan: bool = False) -> Composition | None:
        shorter = bool(instruction) and "short" in (instruction or "").lower()
        for v in range(variant, variant + 4):
            composition = self.composer.compose(mention, intent, language, fact, named, v,
                                                limit if not shorter else min(limit, 160),
                                                returning_fan=returning_fan)
            hit = self._was_rejected(composition.text, rejected)
            if hit is None:
                return composition
            notes.append(f"not offered again: the draft rejected for {hit.author or 'a similar post'} on {hit.day}"
                         + (f" ({hit.reason})" if hit.reason else ""))
        return None

    def _model_sentence(self, mention: Mention, intent: Intent, language: str, composition: Composition,
                        approved: list[Remembered], instruction: str | None, limit: int, guard,  # type: ignore[no-untyped-def]
                        notes: list[str]) -> tuple[DraftPart | None, int]:
        """The model's one sentence, guarded on its own; None when every try failed."""
        assert self.backend is not None
        examples = [a.reply for a in approved]
        messages = build_sentence_messages(self.policy, mention, intent, language, composition.text, examples,
                                           instruction)
        room = limit - len(composition.text) - 1
        problems: list[str] = []
        attempts = 0
        for attempt in range(self.settings.draft_attempts):
            if room < 30:
                problems = ["no room left within the network's length"]
                break
            attempts += 1
            try:
                out = self.backend.generate(
                    # One sentence of at most 20 words: ~30 tokens; more is time spent on text we cut.
                    messages, max_new_tokens=min(self.settings.max_new_tokens, 36),
                    temperature=self.settings.temperature if attempt else min(self.settings.temperature, 0.3),
                    seed=attempt, avoid=SINGULAR_WORDS if language == "en" else None)
            except BackendError as exc:
                problems = [f"backend error: {exc}"]
                break
            sentence = _one_sentence(clean_output(out.text, self.policy.voice.emoji.max))
            if not sentence:
                problems = ["the model wrote nothing usable"]
                continue
            if len(sentence) > room:
                problems = [f"too long ({len(sentence)} characters, {room} left)"]
                continue
            if SequenceMatcher(None, sentence.lower(), composition.text.lower()).find_longest_match().size > 40:
                problems = ["it repeats the reply"]
                continue
            # One sentence need not say "we" (the reply around it does); it must not say "I".
            bad = [c for c in failed(guard(sentence))
                   if c.name != "we_voice" or (language == "en" and SINGULAR_I.search(sentence))]
            specific = about_the_post(sentence, mention)
            if not bad and not specific:
                problems = ["specific: says nothing about this post"]
                continue
            if not bad:
                return DraftPart(kind="model", text=sentence, source=f"model: {self.backend.model_name}",
                                 optional=True), attempts
            problems = [f"{c.name}: {c.detail}" for c in bad]
        notes.append(f"the model's sentence was dropped after {attempts} tries ({'; '.join(problems[:2])})")
        return None, attempts

    def _approved(self, mention: Mention, language: str, intent: Intent) -> list[Remembered]:
        if self.memory is None:
            return []
        return self.memory.approved(mention.text, language, intent.value, exclude_mention=mention.key)

    def _rejected(self, mention: Mention, language: str) -> list[Remembered]:
        if self.memory is None:
            return []
        return self.memory.rejected(mention.text, language, exclude_mention=None)

    @staticmethod
    def _was_rejected(text: str, rejected: list[Remembered]) -> Remembered | None:
        for r in rejected:
            if SequenceMatcher(None, text.lower(), r.reply.lower()).ratio() >= 0.9:
                return r
        return None

    def _names_fit(self, best: Remembered, mention: Mention, triage: Triage) -> bool:
        """An approved reply that thanks Mika fits a post that names Mika, not one about Aino."""
        index = self.policy.catalog_index
        theirs = {n.entry_id + ":" + n.say for n in index.find(best.reply, triage.language)}
        ours = {n.entry_id + ":" + n.say for n in index.find(mention.text, triage.language)}
        return theirs <= ours


def _insert(parts: list[DraftPart], sentence: DraftPart) -> list[DraftPart]:
    """The model's sentence goes after the opener and acknowledgement, before the answer."""
    out = list(parts)
    at = 0
    for i, p in enumerate(out):
        if p.kind in ("opener", "acknowledge_person", "acknowledge_thing"):
            at = i + 1
    out.insert(at, sentence)
    return out


def _one_sentence(text: str) -> str:
    first = next(iter(sentences(text)), "")
    return first if len(first) >= 12 else ""


def _readdress(reply: str, old: str, new: str) -> str:
    """An approved reply, addressed to the new author where it named the old one."""
    if not old or not new:
        return reply
    return re.sub(r"(?<![\w@])" + re.escape(old) + r"(?!\w)", lambda _: new, reply)
