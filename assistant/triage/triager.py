"""The triager: reads a post and decides its intent, severity and action, with reasons.

The order in which a post is read, and why, is told in the package's docstring
(assistant/triage/__init__.py); the thresholds it decides by are in thresholds.py.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np

from assistant.domain.models import CRISIS_LABEL, Action, CrisisKind, Intent, PartReading, Severity, Triage
from assistant.ml.embeddings import Encoder, get_encoder
from assistant.policy.models import Policy
from assistant.text.normalize import fold
from assistant.triage.classifier import INTENTS, MeaningModel, meaning_model
from assistant.triage.crisis import CARE_TEAM, kind_by_meaning, kind_from_words, posed_as_brand
from assistant.triage.language import UNDETERMINED, detect_language
from assistant.triage.reading import extract, signed_name, split_parts
from assistant.triage.routing import passing_gripe, problem_in_praise, quote, with_vote
from assistant.triage.rules import Hit, Post, first_hits, foreign_handles, own_link, read_post
from assistant.triage.signals import ABUSE, CONDUCT, HIGH, MEDIUM, SPAM, URL, hits
from assistant.triage.thresholds import (
    CRISIS_SHARE,
    CUSTOMER_PART,
    FRIENDLY_THRESHOLD,
    HIDE_CONFIDENCE,
    HIDE_WITHOUT_WORDS,
    HIGH_THRESHOLD,
    MAX_RULE_CHARS,
    MIN_CRISIS_PART_WORDS,
    NEIGHBOURS,
    NEVER_HIDE_HIGH,
    PART_THRESHOLD,
    PUT_RIGHT,
    RULE_EXAMPLE_SIMILARITY,
    SURE_ABUSE,
    SURE_COMPLAINT,
    SURE_SPAM,
    UNSURE_SPAM,
    VOTE_WEIGHT,
)


class Triager:
    """Safe to share between threads; the encoder and the model load on first use."""

    def __init__(self, encoder: Encoder | None = None) -> None:
        self._encoder = encoder

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = get_encoder()
        return self._encoder

    def model(self) -> MeaningModel:
        return meaning_model(self.encoder)

    def triage(self, text: str, policy: Policy | None = None) -> Triage:
        return self.triage_many([text], policy)[0]

    def triage_many(self, texts: Sequence[str], policy: Policy | None = None) -> list[Triage]:
        """Triage several posts, embedding them (and their parts) in one batch."""
        posts = [read_post(_clean(t), policy) if _has_words(t) else None for t in texts]
        wanted: list[str] = []
        spans: list[tuple[int, int]] = []  # where each post's whole text and parts lie in `wanted`
        for post in posts:
            if post is not None:
                parts = _read_by_encoder(post)
                spans.append((len(wanted), len(wanted) + len(parts)))
                wanted.extend(parts)
        vectors = self.encoder.encode(wanted, query=True) if wanted else np.zeros((0, 1), np.float32)
        model = self.model() if wanted else None
        out: list[Triage] = []
        it = iter(spans)
        for post in posts:
            if post is None:
                out.append(Triage(language=UNDETERMINED, intent=Intent.SPAM, severity=Severity.LOW,
                                  action=Action.IGNORE, reasons=["no words or emoji: nothing to answer"]))
                continue
            assert model is not None
            start, end = next(it)
            out.append(self._decide(post, vectors[start], vectors[start + 1:end], wanted[start + 1:end],
                                    model, policy))
        return out

    def prepare(self, texts: Sequence[str], policy: Policy | None = None) -> None:
        """Embed posts and their parts ahead of triage, in batches (embeddings are cached)."""
        wanted = [text for t in texts if _has_words(t) for text in _read_by_encoder(read_post(_clean(t), policy))]
        if wanted:
            self.encoder.encode(wanted, query=True)

    # -- the decision --------------------------------------------------------------------

    def _decide(self, post: Post, vector: np.ndarray, part_vectors: np.ndarray, parts: list[str],
                model: MeaningModel, policy: Policy | None) -> Triage:
        languages = policy.languages if policy else ["en"]
        language, how = detect_language(post.text, languages)
        reasons = [f"language {language} ({how})"]
        if post.injected and post.body != post.text:
            reasons.append(f"contains instructions to the model ({post.injected[0]!r}): set aside, the rest "
                           "read as the customer's message")
        exact, vote = first_hits(post)
        probs = model.intent_probabilities(vector[None, :])[0]
        intent, why = self._intent(exact, vote, probs, spam_evidence=_spam_evidence(post))
        reasons.extend(why)
        nearest = model.nearest(vector, k=2)
        if nearest and not exact:
            reasons.append("nearest labelled: " + "; ".join(
                f"{quote(n.text)} ({n.intent}, {n.similarity:.2f})" for n in nearest))
        part_probs = model.intent_probabilities(part_vectors) if parts else np.zeros((0, len(INTENTS)))
        read = self._parts(post, intent, probs, parts, part_probs)
        customer = [p for p in read if p.intent in (Intent.COMPLAINT, Intent.QUESTION) and p.confidence >= CUSTOMER_PART]
        gripes = [p for p in read if p.intent is Intent.COMPLAINT and p.confidence >= SURE_COMPLAINT]
        if intent is Intent.QUESTION and gripes and exact is None and (
                probs[INTENTS.index(Intent.COMPLAINT.value)] >= 0.3 or hits(MEDIUM, post.signals.folded)
                or kind_from_words(post.signals.folded)):
            # "I was sick all night after the new batch. Is it contaminated?": a complaint
            # that asks about its problem is a complaint (a question mark is not the point).
            intent = Intent.COMPLAINT
            reasons.append(f"complaint: a part reads as one ({quote(gripes[0].text, 40)}) and the question is "
                           "about it")
        if intent is Intent.COMPLAINT and exact is None:
            intent, why = passing_gripe(read, part_vectors, part_probs, parts, model)
            reasons.extend(why)
        elif intent in (Intent.PRAISE, Intent.QUESTION) and exact is None:
            intent, why = problem_in_praise(intent, post, part_vectors, part_probs, parts, model)
            reasons.extend(why)
        abusive = intent is Intent.ABUSE
        if abusive and customer and exact is None:
            # Insults around a real complaint: a complaint (with insults), which a person
            # answers; the abusive parts stay on the card.
            intent = customer[0].intent
            reasons.append(f"{intent.value}: a part reads as one ({quote(customer[0].text, 40)}), insults "
                           "around it")
        # Only a sentence that reads as a problem (a complaint, an abusive line, a question)
        # can carry a crisis on its own: praise sentences raised the net's false alarms.
        # A short sentence ("ça pique un peu") is too little for the severity head: it was
        # sure of a threat in it. A part also needs crises among its nearest labelled posts.
        troubled = [i for i, p in enumerate(part_probs)
                    if INTENTS[int(np.argmax(p))] in ("complaint", "abuse", "question")
                    and len(parts[i].split()) >= MIN_CRISIS_PART_WORDS
                    and model.crisis_share(part_vectors[i], NEIGHBOURS) >= CRISIS_SHARE]
        severity, crisis, sev_why = self._severity(post, intent, vector, part_vectors[troubled],
                                                   [parts[i] for i in troubled], model)
        reasons.extend(sev_why)
        action, team, act_why = self._action(post, intent, severity, crisis, model, vote, policy, vector, read,
                                             probs, exact, abusive)
        reasons.extend(act_why)
        if language not in languages and language != UNDETERMINED:
            reasons.append(f"{language} is not one of the brand's languages: the reply uses the first one")
        found = extract(post.body, policy, language)
        return Triage(language=language, intent=intent, severity=severity, action=action, team=team,
                      reasons=reasons, parts=read, crisis=crisis, people=found.people, items=found.items,
                      order=found.order, signed=found.signed)

    def _parts(self, post: Post, intent: Intent, probs: np.ndarray, parts: list[str],
               part_probs: np.ndarray) -> list[PartReading]:
        """Each part's own reading, neighbours of one intent joined. A post of one part is
        one reading: the whole post's."""
        if not parts:
            text = signed_name(post.meaning)[1].strip() or post.meaning.strip()
            return [PartReading(text=_short(text), intent=intent, polarity=_polarity(intent),
                                confidence=round(float(probs[INTENTS.index(intent.value)]), 2))]
        out: list[PartReading] = []
        for text, p in zip(parts, part_probs, strict=True):
            piece = read_post(text, post.policy)
            exact, vote = first_hits(piece)
            got, _ = self._intent(exact, vote, p, spam_evidence=_spam_evidence(piece))
            if got is Intent.REACTION:
                # "Verder echt blij!", "the coffee though 😍": inside a longer post a short
                # warm line is praise; a reaction is what a whole post of a heart or "nice" is.
                got = Intent.PRAISE
            unlikely = [i for i in (Intent.SPAM, Intent.ABUSE) if i is not intent]
            if got in unlikely and not (got is Intent.ABUSE and vote is not None and vote.rule in ("insult", "threat")):
                # One sentence of a customer's post is not an advert, nor abuse without an
                # insult in it ("Die Kenya van jullie wil ik thuis proberen"): its next reading.
                p = p.copy()
                for i in unlikely:
                    p[INTENTS.index(i.value)] = 0.0
                got = Intent(INTENTS[int(np.argmax(p))])
            confidence = round(with_vote(p, vote, got), 2)
            if out and out[-1].intent is got:
                out[-1] = PartReading(text=_short(f"{out[-1].text} {text}"), intent=got, polarity=out[-1].polarity,
                                      confidence=max(out[-1].confidence, confidence))
            else:
                out.append(PartReading(text=_short(text), intent=got, polarity=_polarity(got), confidence=confidence))
        return out

    @staticmethod
    def _intent(exact: Hit | None, vote: Hit | None, probs: np.ndarray,
                spam_evidence: bool = True) -> tuple[Intent, list[str]]:
        if exact is not None:
            return exact.intent, [f"{exact.reason} [rule {exact.rule}]"]
        logits = np.log(probs + 1e-9)
        if vote is not None and not (vote.intent in (Intent.PRAISE, Intent.REACTION)
                                     and probs[INTENTS.index(Intent.COMPLAINT.value)] >= 0.5):
            # A praise word does not outvote a classifier that reads a complaint: thanking
            # someone for a problem is the costlier mistake.
            logits[INTENTS.index(vote.intent.value)] += VOTE_WEIGHT
        if not spam_evidence and probs[INTENTS.index(Intent.SPAM.value)] < SURE_SPAM:
            # Spam is ignored, so calling a post spam needs something a spammer leaves (a
            # link, an advert's words, orders to the model): the classifier read praise
            # for a bicycle shop's e-bikes as spam (79%), having seen bikes only in adverts.
            # Only a classifier all but certain may decide it alone.
            logits[INTENTS.index(Intent.SPAM.value)] = -np.inf
        chosen = Intent(INTENTS[int(np.argmax(logits))])
        top = np.argsort(-probs)[:2]
        scores = ", ".join(f"{INTENTS[i]} {probs[i]:.2f}" for i in top)
        if vote is None:
            return chosen, [f"{chosen.value}: by meaning (classifier: {scores}); no rule matched"]
        if vote.intent is chosen:
            return chosen, [f"{vote.reason} [rule {vote.rule}]; classifier: {scores}"]
        return chosen, [f"{chosen.value}: by meaning (classifier: {scores}), over rule {vote.rule} ({vote.reason})"]

    @staticmethod
    def _severity(post: Post, intent: Intent, vector: np.ndarray, part_vectors: np.ndarray, parts: list[str],
                  model: MeaningModel) -> tuple[Severity, CrisisKind | None, list[str]]:
        folded = post.signals.folded
        named = kind_from_words(folded)
        if intent is Intent.SPAM and not (named and named[0] is CrisisKind.SCAM):
            return Severity.LOW, None, []
        if named:
            kind, word = named
            return Severity.HIGH, kind, [f"severity high: {CRISIS_LABEL[kind]} ({word!r})"]
        # The whole post and each of its parts: "best beans in town! ... my son's lips
        # swelled up ... still a fan" reads as praise whole, and as a crisis in its middle.
        scored = model.high_probability(np.vstack([vector[None, :], part_vectors]))
        # A part must be surer than the whole: with several parts to a long post, one
        # would cross the whole post's threshold by chance (false alarms).
        # Friendly posts, and insults around an ordinary complaint ("you useless idiots
        # charged me twice"), need the severity head surer: their tone, not a crisis,
        # moved it. Either still goes to a person; a crisis in them is caught by its words.
        calm = intent in (Intent.PRAISE, Intent.REACTION, Intent.SUGGESTION) or bool(hits(ABUSE, folded))
        whole = FRIENDLY_THRESHOLD if calm else HIGH_THRESHOLD
        if model.crisis_share(vector, NEIGHBOURS) < CRISIS_SHARE:
            whole = 2.0  # the nearest labelled posts are not crises: the whole post alone does not ring
        margin = np.where(np.arange(len(scored)) == 0, scored - whole, scored - PART_THRESHOLD)
        best = int(np.argmax(margin))
        p = float(scored[best])
        if margin[best] >= 0:
            where = f" in {quote(parts[best - 1])}" if best else ""
            meant, similarity, like = kind_by_meaning(model, vector if not best else part_vectors[best - 1])
            if meant is CrisisKind.SCAM and not posed_as_brand(folded):
                meant = CrisisKind.FRAUD  # charges nobody made, with no one posing as the brand
            what = CRISIS_LABEL[meant] if meant else "kind unclear"
            example = f"; like {quote(like)} ({similarity:.2f})" if like else ""
            return Severity.HIGH, meant, [f"severity high: {what}, reads like a crisis{where} "
                                         f"(classifier {p:.0%}){example}"]
        if intent is Intent.COMPLAINT:
            found = hits(MEDIUM, folded)
            if found:
                return Severity.MEDIUM, None, [f"severity medium: {found[0]!r}"]
            sure = float(model.put_right_probability(vector[None, :])[0])
            if sure >= PUT_RIGHT:
                return Severity.MEDIUM, None, [f"severity medium: a problem to put right ({sure:.0%})"]
        return Severity.LOW, None, []

    def _rule_likeness(self, examples: list[str], vector: np.ndarray) -> tuple[float, str]:
        """How closely the post reads like a rule's examples: the mean of the two closest."""
        sims = self.encoder.encode(examples, query=True) @ vector
        order = np.argsort(-sims)[:2]
        return float(sims[order].mean()), examples[int(order[0])]

    def _customer_left(self, post: Post, model: MeaningModel) -> list[str]:
        """What the post says once its insults are taken out, if that reads like a
        customer ("Bande d'idiots, vous m'avez débité deux fois" -> a double charge)."""
        rest = ABUSE.sub(" ", post.signals.folded)
        if len(rest.split()) < 3:
            return []
        probs = model.intent_probabilities(self.encoder.encode([rest], query=True))[0]
        customer = sum(float(probs[INTENTS.index(i.value)])
                       for i in (Intent.COMPLAINT, Intent.QUESTION, Intent.SUGGESTION))
        return [f"without the insults it reads as a customer ({customer:.0%})"] if customer >= 0.5 else []

    def _action(self, post: Post, intent: Intent, severity: Severity, crisis: CrisisKind | None,
                model: MeaningModel, vote: Hit | None, policy: Policy | None, vector: np.ndarray,
                parts: list[PartReading], probs: np.ndarray, exact: Hit | None, abusive: bool = False,
                ) -> tuple[Action, str | None, list[str]]:
        if crisis is CrisisKind.SELF_HARM:
            # Before any escalation rule: not PR and legal, and never a drafted reply.
            return Action.ESCALATE, CARE_TEAM, [f"escalate to {CARE_TEAM}: self-harm; no brand reply, care "
                                                "guidance on the card"]
        rules = policy.escalation if policy else []
        folded = fold(post.body)
        for rule in rules:
            by_severity = severity in rule.severity
            by_intent = intent in rule.intents
            word = next((k for k in rule.keywords if re.search(rf"(?<!\w){re.escape(fold(k))}", folded)), None)
            if by_severity or by_intent or word:
                why = f"severity {severity.value}" if by_severity else (f"keyword {word!r}" if word else f"intent {intent.value}")
                return Action.ESCALATE, rule.team, [f"escalate to {rule.team}: rule {rule.name!r} ({why})"]
            if rule.examples and intent in (Intent.QUESTION, Intent.SUGGESTION, Intent.COMPLAINT, Intent.PRAISE):
                score, like = self._rule_likeness(rule.examples, vector)
                if score >= RULE_EXAMPLE_SIMILARITY:
                    return Action.ESCALATE, rule.team, [f"escalate to {rule.team}: rule {rule.name!r} "
                                                        f"(reads like {quote(like)}, {score:.2f})"]
        if severity is Severity.HIGH:
            return Action.ESCALATE, None, ["escalate: high severity needs a person"]
        insulted = vote is not None and vote.rule in ("insult", "threat")
        customer_parts = [p for p in parts if p.intent in (Intent.COMPLAINT, Intent.QUESTION, Intent.SUGGESTION)]
        if (insulted or abusive) and intent is not Intent.ABUSE and intent is not Intent.SPAM:
            # A real complaint wrapped in insults: not hidden (a customer is owed an answer),
            # not drafted blind either; a person decides how to answer (004).
            why = vote.reason if insulted and vote else "abusive parts"
            return Action.ESCALATE, None, [f"escalate: {intent.value} with insults ({why}): "
                                           "a person decides how to answer"]
        if intent is Intent.ABUSE:
            p_hide = float(model.hide_probability(vector[None, :])[0])
            problem = _problem_cues(post) or self._customer_left(post, model)
            problem += [f"a {p.intent.value} ({quote(p.text, 40)})" for p in customer_parts
                        if p.confidence >= CUSTOMER_PART]
            # Below the belt and nothing to answer: removed, not answered (000/001). Either
            # insult words or a sure hide model, and no part of it a customer's.
            p_high = float(model.high_probability(vector[None, :])[0])
            # Never hidden: a threat (evidence a person must see) or anything that reads a
            # little like a crisis; and without insult words a person decides ("the
            # barista Mikko was rude" read as abuse by meaning alone).
            # Without an insult word, a word of conduct ("rude") makes it a complaint about a
            # person, which is answered: "your staff at Kallio are rude and lazy" read 100% hide.
            by_meaning = not insulted and not hits(CONDUCT, folded) and (
                p_hide >= HIDE_WITHOUT_WORDS
                or (float(probs[INTENTS.index(Intent.ABUSE.value)]) >= SURE_ABUSE and p_hide >= SURE_ABUSE))
            if not problem and p_high < NEVER_HIDE_HIGH and (
                    (insulted and p_hide >= HIDE_CONFIDENCE) or by_meaning):
                how = "insult words" if insulted else "reads like posts people hid, and names no conduct to answer"
                return Action.HIDE, None, [f"hide: abuse aimed at people and nothing to answer ({how}; hide "
                                           f"{p_hide:.0%}); a person confirms Hide on the card (000/001)"]
            cue = f", mentions {problem[0]!r}" if problem else ""
            return Action.ESCALATE, None, [f"escalate: possible abuse (hide {p_hide:.0%}{cue}): a person "
                                           "decides whether to hide or answer it"]
        if intent is Intent.SPAM:
            p_spam = float(probs[INTENTS.index(Intent.SPAM.value)])
            customer_part = next((p for p in parts if p.intent in (Intent.COMPLAINT, Intent.QUESTION)
                                  and p.confidence >= UNSURE_SPAM), None)
            if customer_part is not None and not post.injected and not hits(SPAM, fold(post.body)):
                return Action.ESCALATE, None, [f"escalate: spam's traces, but a part reads as a customer's "
                                               f"{customer_part.intent.value} ({quote(customer_part.text, 40)}): "
                                               "a person decides (never leave a customer unanswered)"]
            if exact is None and p_spam < UNSURE_SPAM:
                return Action.ESCALATE, None, [f"escalate: perhaps spam ({p_spam:.0%}), perhaps a customer: a "
                                               "person decides (never leave a customer unanswered)"]
            return Action.IGNORE, None, ["ignore: spam gets no reply (000/001)"]
        return Action.REPLY, None, []


def _problem_cues(post: Post) -> list[str]:
    """Signs that a post, insults aside, describes something to put right: then it is
    never hidden, a person answers it. Words of a real problem (a refund, a double
    charge, a crisis), not any negative word: "useless" and "overpriced" are how
    insults are written too; the parts tell a question or a complaint inside."""
    s = post.signals
    cues = hits(MEDIUM, s.folded)
    cues += [kind for kind, pattern in HIGH.items() if hits(pattern, s.folded)]
    return cues


def _read_by_encoder(post: Post) -> list[str]:
    """What the encoder embeds for a post: the whole of it, then its parts (none for a
    post of one part). The signature is neither: "Φιλικά, Νίκος" under a late order
    moved the whole post's reading."""
    body = signed_name(post.meaning)[1].strip() or post.meaning
    parts = split_parts(body)
    return [body, *(parts if len(parts) > 1 else [])]


_SPACES = re.compile(r"[^\S\n]+")
_CONTENT = re.compile(r"[^\W_]", re.UNICODE)


def _clean(text: str) -> str:
    """The post as triage reads it: at most MAX_RULE_CHARS, valid UTF-8 (a lone surrogate
    cannot be stored or shown), runs of spaces as one (a 20,000-space run made the clause
    splitter quadratic)."""
    text = text[:MAX_RULE_CHARS].encode("utf-8", "replace").decode("utf-8")
    return _SPACES.sub(" ", text)


def _has_words(text: str | None) -> bool:
    """Letters, digits or emoji: something a person wrote to read. Zero-width characters
    or punctuation alone are nothing to answer."""
    if not text:
        return False
    visible = fold(text)
    return bool(_CONTENT.search(visible)) or any(unicodedata.category(ch) in ("So", "Sk") for ch in visible)


def _polarity(intent: Intent) -> str:
    if intent in (Intent.PRAISE, Intent.REACTION):
        return "positive"
    if intent in (Intent.COMPLAINT, Intent.ABUSE):
        return "negative"
    return "neutral"


def _short(text: str, width: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


def _spam_evidence(post: Post) -> bool:
    """Something a spammer leaves: a link to somewhere not the brand's, an advert's words,
    orders to the model, or a handle to follow."""
    foreign = any(not own_link(u, post.policy) for u in URL.findall(post.body))
    # A handle that is not the brand's own counts (a spammer's "follow @..."); the brand's
    # own handles on any network are the brand, not a trace.
    return bool(post.injected or foreign or hits(SPAM, fold(post.body)) or foreign_handles(post.body, post.policy))
