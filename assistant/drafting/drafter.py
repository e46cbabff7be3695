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
from collections.abc import Callable
from difflib import SequenceMatcher
from typing import Protocol

from assistant.domain.errors import BackendError
from assistant.domain.models import Draft, DraftPart, GuardCheck, Intent, Mention, Triage
from assistant.drafting.claims import special_days_not_covered
from assistant.drafting.compose import Composer, Composition, join_parts
from assistant.drafting.facts import THRESHOLD, fact_index
from assistant.drafting.guard import SINGULAR_I, SINGULAR_WORDS, about_the_post, check_draft, failed
from assistant.drafting.memory import START_SIMILARITY, Remembered, ReplyMemory
from assistant.drafting.names import base_name, listed_only
from assistant.drafting.output import clean_output
from assistant.drafting.plan import Asked, Plan, breaks_plan, make_plan
from assistant.drafting.prompt import build_sentence_messages
from assistant.drafting.questions import has_question, question_sentences
from assistant.drafting.reply_intent import ASKS_WITHOUT_ASKING, main_for_reply, present
from assistant.drafting.writer import build_writer_messages, write_reply
from assistant.ml.generation import ModelBackend
from assistant.ml.qualify import mode_for
from assistant.policy.models import Policy
from assistant.settings import Settings
from assistant.text.sentences import fill, sentences
from assistant.triage.language import UNDETERMINED
from assistant.triage.reading import signed_name

# A problem that asks without asking (plan.ASKS_WITHOUT_ASKING: "couldn't find the
# cancel button") and the fact that answers it ("paused or cancelled in your account"):
# stricter than for a question, since the post did not ask.
COMPLAINT_FACT = 0.92
# A fact that is a bare e-mail or link answers a question only when this close to it.
PLAIN_FACT = 0.92
class ReturningFan(Protocol):
    """What the drafter reads of a super-fan lookup's answer (insights/superfans.py
    ``FanStatus``): the line for the card's notes. A protocol, not the class, because
    insights sits above drafting in the layers."""

    @property
    def line(self) -> str: ...


class Drafter:
    def __init__(self, backend: ModelBackend | None, policy: Policy, settings: Settings,
                 memory: ReplyMemory | None = None,
                 fans: Callable[[Mention, Intent], ReturningFan | None] | None = None) -> None:
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

    def _match_questions(self, mention: Mention, implicit: list[str]) -> list[tuple[str, str | None, str, str]]:
        """Each question of the post (each sentence that asks, or the whole post) with
        the fact key that answers it and why. ``implicit``: parts that ask without a
        question mark ("couldn't find the cancel button"): answered only when a fact
        is a close match (COMPLAINT_FACT), since a wrong fact is worse than none."""
        questions = question_sentences(mention.text)
        texts = [mention.text, *[q for q in questions if q.strip() != mention.text.strip()],
                 *[i for i in implicit if i not in questions]]
        index = fact_index(self.policy)
        vectors = index.encoder.encode(texts, query=True)  # one batch
        whole, *rest = [index.match_vector(v) for v in vectors]
        by_text = dict(zip(texts[1:], rest, strict=True))
        out: list[tuple[str, str | None, str, str]] = []
        asked = questions or [mention.text]
        for q in asked:
            m = by_text.get(q, whole)
            if m.label.startswith("unanswered:") and m.score >= THRESHOLD:
                out.append((q, None, m.reason, m.label))
                continue
            if m.key is None and len(asked) == 1 and whole.key is not None:
                m = whole  # the one question, better read with the rest of the post around it
            key = m.key
            if key is not None and isinstance(self.policy.facts.get(key), str) and m.score < PLAIN_FACT:
                # A bare e-mail or link is an answer only to a question about it.
                out.append((q, None, f"only a bare {key} near it ({m.score:.2f} < {PLAIN_FACT})", m.label))
                continue
            if key is not None:
                days = special_days_not_covered(q, self.policy.all_texts_of_fact(key))
                if days:
                    out.append((q, None, f"asks about {', '.join(days)}, which fact {key} does not cover",
                                m.label))
                    continue
            out.append((q, key, m.reason, m.label))
        for q in implicit:
            m = by_text.get(q, whole)
            # Only a fact that says something (not a bare e-mail or link, which the next step gives).
            if q not in questions and m.key is not None and m.score >= COMPLAINT_FACT \
                    and not isinstance(self.policy.facts.get(m.key), str):
                out.append((q, m.key, m.reason, m.label))
        return out

    def _asked(self, mention: Mention, triage: Triage, intent: Intent, language: str,
               notes: list[str]) -> list[Asked]:
        """The post's questions, each with the fact that answers it in ``language``, and
        the problems a fact answers although they do not ask."""
        if intent is Intent.REACTION:
            return []
        asks = intent is Intent.QUESTION or has_question(mention.text)
        problems = [p.text for p in present(intent, triage.parts, Intent.COMPLAINT) if len(p.text.split()) >= 3]
        if intent is Intent.COMPLAINT and not triage.parts:
            problems = [mention.text]
        problems = [p for p in problems if ASKS_WITHOUT_ASKING.search(p)]
        if not (asks or problems):
            return []
        questions = question_sentences(mention.text)
        out: list[Asked] = []
        for q, key, why, label in self._match_questions(mention, problems):
            is_question = q in questions or (not questions and q == mention.text and asks)
            if not is_question:
                if key is not None:
                    out.append(Asked(q, (key, self.policy.fact(key, language))))
                continue
            if key is None:
                notes.append(f"no fact in the policy answers {q[:60]!r} ({why}): says we will find out")
            out.append(Asked(q, (key, self.policy.fact(key, language)) if key else None, near=label))
        return out

    # -- the draft -----------------------------------------------------------------------

    def draft(self, mention: Mention, triage: Triage, instruction: str | None = None, variant: int = 0,
              mode: str | None = None) -> Draft:
        """``variant``: 0 for the first draft; Regenerate asks for the next one.
        ``mode``: what the model does, "writer" (the whole reply), "sentence" (one
        sentence in the composed reply) or "compose" (nothing); None: what `assistant
        model check` qualified it for in this language (ml/qualify.py)."""
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

        # 2-3. Compose from the policy: a plan with one move for each part of the post,
        # every question answered from the facts in this language (plan.py).
        asked = self._asked(mention, triage, main_for_reply(intent, triage.parts), language, notes)
        named = self.policy.catalog_index.find(mention.text, triage.language)
        fan = self.fans(mention, intent) if self.fans is not None else None
        if fan is not None:
            notes.append(f"returning fan: {fan.line}")
        signed = triage.signed if (triage.parts or triage.signed) else signed_name(mention.text)[0]
        named = listed_only(named, triage.items)
        people = [b for b in (base_name(p, triage.language) for p in triage.people) if b]
        plan = make_plan(intent, triage.parts, named, people, asked, signed, returning_fan=fan is not None)
        composition = self._compose(mention, plan, language, variant, limit, instruction, rejected, notes)
        if composition is None:
            return from_template("every composed reply for this post was rejected before")
        attempts = 0
        chosen, why_mode = self.mode(language, mode)
        if chosen == "writer":
            written, attempts = self._written(mention, plan, language, approved, instruction, limit, guard, notes)
            if written is not None:
                return done(written.text or "", guard(written.text or ""), "writer",
                            [DraftPart(kind="writer", text=written.text or "",
                                       source=f"model: {self.backend.model_name if self.backend else ''}")],
                            attempts)
        elif chosen == "compose" and self.backend is not None:
            notes.append(f"composed from the policy without the model: {why_mode}")
        elif chosen == "sentence" and why_mode.startswith("not checked"):
            notes.append(f"the model adds one sentence: {why_mode}")
        if chosen == "sentence" and self.backend is not None and intent is not Intent.REACTION:
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
        text = composition.text
        checks = guard(text)
        if not failed(checks):
            return done(text, checks, "composed", composition.parts, attempts)
        notes.append("the composed reply failed the guard: "
                     + "; ".join(f"{c.name}: {c.detail}" for c in failed(checks))[:200])
        return from_template("; ".join(notes[-1:]) + ": used the template", attempts)

    # -- pieces --------------------------------------------------------------------------

    def mode(self, language: str, asked: str | None = None) -> tuple[str, str]:
        """What the model does for a reply in ``language``, and why."""
        if self.backend is None:
            return "compose", "no model configured"
        if language not in self.settings.model_languages:
            return "compose", f"the model does not write {language} (ASSISTANT_MODEL_LANGUAGES)"
        if asked is not None:
            return asked, "asked for"
        return mode_for(self.settings, self.backend.name, self.backend.model_name, language)

    def _written(self, mention: Mention, plan: Plan, language: str, approved: list[Remembered],
                 instruction: str | None, limit: int, guard,  # type: ignore[no-untyped-def]
                 notes: list[str]):  # type: ignore[no-untyped-def]
        """The whole reply written by the model from the plan (writer.py), or None with
        the reason in the notes: the composed reply stands."""
        assert self.backend is not None
        facts = [m.fact for m in plan.moves if m.fact is not None]
        names = [m.name.replace("\x1f", ", ") for m in plan.moves if m.name]
        messages = build_writer_messages(self.policy, mention, language, plan.brief(), facts, names,
                                         [a.reply for a in approved][:3], instruction)
        result = write_reply(self.backend, messages, guard, limit,
                             temperature=min(self.settings.temperature, 0.3), attempts=self.settings.draft_attempts,
                             max_emoji=self.policy.voice.emoji.max)
        if result.text is None:
            notes.append(f"the model's reply was not used ({result.reason[:200]}): composed from the policy")
            return None, result.attempts
        staff = [n for e in self.policy.catalog if e.kind == "person" for n in e.all_names()]
        broken = breaks_plan(result.text, plan, staff)
        if broken:
            notes.append(f"the model's reply was not used ({broken}): composed from the policy")
            return None, result.attempts
        return result, result.attempts

    def _compose(self, mention: Mention, plan: Plan, language: str, variant: int, limit: int,
                 instruction: str | None, rejected: list[Remembered], notes: list[str]) -> Composition | None:
        shorter = bool(instruction) and "short" in (instruction or "").lower()
        for v in range(variant, variant + 4):
            composition = self.composer.compose(mention, plan, language, v,
                                                limit if not shorter else min(limit, 160))
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
