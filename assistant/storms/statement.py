"""The one consolidated statement that answers a spike, and the short reply to each of
its posts that points to it (000/001: gather the criticism, answer it in one statement).

Both are composed only from the policy's crisis playbook, with the topic named in the
policy's own words (a catalog entry) when the posts name one, else by two or three plain
words the posts share (words.py: no links, handles, numbers or orders). The numbers (how
many posts, since when, the next update) are the detector's, never the public's. Every
statement is checked by the same guard as any draft: what the statement says must be
backed by the policy or by the spike's own figures (its ``brief``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from assistant.domain.models import Action, GuardCheck, Intent, Mention, Severity, Triage
from assistant.drafting.guard import check_draft
from assistant.policy.models import Policy
from assistant.storms.spike import Spike
from assistant.storms.words import topic_label
from assistant.text.sentences import fill

PARTS = ("acknowledge", "what_we_know", "what_we_are_doing", "when_we_update", "where")


@dataclass
class Statement:
    text: str
    language: str  # the language it is written in (the playbook's fallback if it lacks the one asked)
    topic: str
    update_time: str
    guard: list[GuardCheck] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.guard)


def _hm(at: str) -> str:
    return f"{at[11:16]} UTC" if len(at) >= 16 else at


def promised_at(when: datetime) -> str:
    """An update time as the statement and its replies name it: the time and its date
    ("15:36 UTC, 7 Dec 2026"), so a reader a day later is not promised a time already past.
    (Not ISO: the guard reads "2026-12-07 15" as a phone number.)"""
    when = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    return f"{when:%H:%M} UTC, {when.day} {when:%b %Y}"


def update_due(spike: Spike, policy: Policy, now: datetime | None) -> datetime:
    """When the next update is promised: ``update_every_minutes`` after ``now`` (the time
    the statement is approved), or after the spike's last update for a draft shown early."""
    drafted = now or datetime.fromisoformat(spike.updated_at)
    drafted = drafted if drafted.tzinfo else drafted.replace(tzinfo=UTC)
    return drafted + timedelta(minutes=policy.crisis.update_every_minutes)


def _values(spike: Spike, policy: Policy, language: str, now: datetime | None) -> dict[str, str]:
    crisis = policy.crisis
    update = update_due(spike, policy, now)
    status_page = crisis.status_page or policy.brand.website or ""
    channel = fill(crisis.channel_in(language), {"status_page": status_page})
    return {"topic": topic_label(policy, spike.topic_entry, spike.common_words, language),
            "posts": str(spike.members), "since": _hm(spike.first_at), "update_time": promised_at(update),
            "status_page": status_page, "channel": channel, "brand": policy.brand.name,
            "sign_off": policy.voice.sign_off or "", **policy.facts_in(language)}


def brief(spike: Spike, values: dict[str, str], network: str) -> Mention:
    """What the statement answers, as the guard reads it: the spike's own figures and
    topic label. Only numbers and names in here (or in the policy) may appear in it."""
    text = (f"{values['posts']} posts about {values['topic']} since {values['since']}; "
            f"next update by {values['update_time']}.")
    return Mention(source="spike", external_id=str(spike.id), author="", text=text, network=network)


def draft_statement(spike: Spike, policy: Policy, language: str, now: datetime | None = None,
                    network: str = "mastodon") -> Statement:
    """The consolidated statement in ``language``: acknowledge, what we know, what we are
    doing, when we will update, where. ``now`` is when it is drafted (the next update is
    promised ``update_every_minutes`` later); default: the spike's last update."""
    book = policy.crisis.playbook
    values = _values(spike, policy, language, now)
    texts, used = [], set()
    for part in PARTS:
        text, lang = book.text(part, language)
        texts.append(fill(text, values))
        used.add(lang)
    written = language if used == {language} else next(iter(used - {language}), language)
    notes = [] if written == language else [f"the crisis playbook has no {language} text: written in {written}"]
    if written != language:  # the topic in the language the statement is in
        values = _values(spike, policy, written, now)
        texts = [fill(book.text(part, written)[0], values) for part in PARTS]
    statement = " ".join(t.strip() for t in texts if t.strip())
    sign_off = (policy.voice.sign_off or "").strip()
    if sign_off:
        statement = f"{statement}\n{sign_off}"
    triage = Triage(language=written, intent=Intent.COMPLAINT, severity=Severity.HIGH, action=Action.REPLY)
    checks = check_draft(statement, brief(spike, values, network), triage, policy, language=written)
    return Statement(statement, written, values["topic"], values["update_time"], checks, notes)


# A storm language gets its own version of the statement when this share of the group
# (and at least MIN_POSTS posts) writes in it; at most MAX_VERSIONS versions, most spoken first.
LANGUAGE_SHARE = 0.1
MIN_POSTS = 2
MAX_VERSIONS = 4


def has_texts(policy: Policy, language: str) -> bool:
    """Whether the crisis playbook has every part of the statement in ``language``."""
    book = policy.crisis.playbook
    return all(book.text(part, language)[1] == language for part in PARTS)


def statement_languages(spike: Spike, policy: Policy) -> tuple[list[str], list[str]]:
    """(the languages the statement is written in: the ones the storm speaks, most spoken
    first; the storm's languages the crisis playbook has no text for, said on the card)."""
    total = sum(spike.languages.values())
    ranked = sorted(spike.languages.items(), key=lambda p: (-p[1], p[0]))
    spoken = [lang for lang, n in ranked if lang and n >= max(MIN_POSTS, LANGUAGE_SHARE * total)]
    spoken = spoken or [lang for lang, _ in ranked[:1] if lang]
    written = [lang for lang in spoken if has_texts(policy, lang)][:MAX_VERSIONS]
    missing = [lang for lang in spoken if not has_texts(policy, lang)]
    return written or [policy.languages[0]], missing


def check_statement(text: str, spike: Spike, policy: Policy, language: str, now: datetime | None = None,
                    network: str = "mastodon") -> list[GuardCheck]:
    """The guard over a statement a person wrote or edited, exactly as over a drafted one:
    what it says must be backed by the policy or by the spike's own figures at ``now``
    (the approval time: the only update time it may promise)."""
    values = _values(spike, policy, language, now)
    triage = Triage(language=language, intent=Intent.COMPLAINT, severity=Severity.HIGH, action=Action.REPLY)
    return check_draft(text, brief(spike, values, network), triage, policy, language=language)


def reply_pointing_to_statement(mention: Mention, spike: Spike, policy: Policy, language: str | None = None,
                                now: datetime | None = None) -> Statement:
    """A short reply to one post of the spike, in its author's language (``language``:
    the post's triage language), pointing to the statement. Checked against the post it
    answers, like any draft."""
    language = language or policy.languages[0]
    text, written = policy.crisis.playbook.text("pointer", language)
    values = _values(spike, policy, written, now)
    reply = fill(text, values)
    triage = Triage(language=written, intent=Intent.COMPLAINT, severity=Severity.HIGH, action=Action.REPLY)
    # The guard reads the post and the spike's figures: the reply may name either.
    about = mention.model_copy(update={"text": f"{mention.text}\n\n{brief(spike, values, mention.network_name).text}"})
    checks = check_draft(reply, about, triage, policy, language=written)
    notes = [] if written == language else [f"the crisis playbook has no {language} pointer: written in {written}"]
    return Statement(reply, written, values["topic"], values["update_time"], checks, notes)
