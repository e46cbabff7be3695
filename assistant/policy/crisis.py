"""The policy's ``crisis`` section: when negative posts about one thing are a spike
(a shitstorm), and the playbook for the one consolidated statement that answers it.

000/001: "when many people raise the same criticism, gather them and answer with one
statement"; below-the-belt posts are removed rather than answered. The defaults work
with no ``crisis:`` section at all (English texts only; a brand adds its languages).
"""

from __future__ import annotations

import string

from pydantic import BaseModel, ConfigDict, Field, model_validator

# What a crisis text may say in braces, besides the brand, its sign-off and its facts.
CRISIS_VARIABLES = ("topic", "posts", "since", "update_time", "status_page", "channel")
CRISIS_PARTS = ("acknowledge", "what_we_know", "what_we_are_doing", "when_we_update", "where", "pointer")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CrisisPlaybook(_Model):
    """The statement's parts, one text per language, in this order. ``pointer`` is the
    short reply to each post of the group that points to the statement."""

    acknowledge: dict[str, str] = Field(default_factory=lambda: {
        "en": "We have seen your posts about {topic} and we hear you."})
    what_we_know: dict[str, str] = Field(default_factory=lambda: {
        "en": "What we know so far: {posts} of you have told us about {topic} since {since}."})
    what_we_are_doing: dict[str, str] = Field(default_factory=lambda: {
        "en": "Our team is looking into it now and we will share what we find."})
    when_we_update: dict[str, str] = Field(default_factory=lambda: {
        "en": "We will post our next update by {update_time}."})
    where: dict[str, str] = Field(default_factory=lambda: {
        "en": "Updates will be on {channel}."})
    pointer: dict[str, str] = Field(default_factory=lambda: {
        "en": "Thank you for telling us. We have posted a statement about {topic} on {channel}, "
              "and we will update it by {update_time}."})

    def text(self, part: str, language: str) -> tuple[str, str]:
        """The part in ``language``, else in English, else in the first language it has;
        and the language it is in."""
        texts: dict[str, str] = getattr(self, part)
        for lang in (language, "en", *texts):
            if lang in texts:
                return texts[lang], lang
        return "", language

    def languages(self) -> set[str]:
        return {lang for part in CRISIS_PARTS for lang in getattr(self, part)}


class Crisis(_Model):
    # The window a spike is counted in, and how far back the usual rate is taken from.
    window_minutes: int = Field(60, ge=5, le=1440)
    baseline_days: int = Field(7, ge=1, le=90)
    # A group of negative posts about one thing is a spike when it has at least
    # min_posts in the window AND at least `growth` times its usual count for a window.
    min_posts: int = Field(12, ge=3, le=10_000)
    growth: float = Field(4.0, ge=1.0, le=1000.0)
    # Posts are grouped by meaning: cosine similarity (after taking out what all negative
    # posts share) to a group's centre to join it. Lower: bigger, looser groups.
    similarity: float = Field(0.35, gt=0.0, lt=1.0)
    # A spike is calm when its posts in the window fall to this many or fewer.
    calm_posts: int = Field(3, ge=0)
    # The statement promises the next update this many minutes after it is drafted.
    update_every_minutes: int = Field(60, ge=5, le=10_080)
    # Where the statement and its updates are: a page of the brand's, or its own accounts.
    status_page: str | None = None
    channel: dict[str, str] = Field(default_factory=lambda: {"en": "our own accounts"})
    playbook: CrisisPlaybook = Field(default_factory=CrisisPlaybook)
    source: str | None = "000/001 a shitstorm: gather the criticism and answer it in one statement"

    @model_validator(mode="after")
    def _calm_below_alert(self) -> Crisis:
        if self.calm_posts >= self.min_posts:
            raise ValueError(f"calm_posts ({self.calm_posts}) must be below min_posts ({self.min_posts}), "
                             "or a spike would be calm the moment it is raised")
        return self

    def channel_in(self, language: str) -> str:
        for lang in (language, "en", *self.channel):
            if lang in self.channel:
                return self.channel[lang]
        return self.status_page or ""

    def problems(self, languages: list[str], allowed: set[str]) -> list[tuple[tuple[str, ...], str]]:
        """Cross-field checks (policy.cross_field_problems): texts in the brand's languages,
        with known variables only."""
        out: list[tuple[tuple[str, ...], str]] = []
        known = allowed | set(CRISIS_VARIABLES)
        for part in CRISIS_PARTS:
            for lang, text in getattr(self.playbook, part).items():
                where = ("crisis", "playbook", part, lang)
                if lang not in languages:
                    out.append((where, f"{lang!r} is not in `languages`"))
                if not text.strip():
                    out.append((where, "empty text; write it, or remove the line"))
                try:
                    fields = [(n, spec, conv) for _, n, spec, conv in string.Formatter().parse(text) if n is not None]
                except ValueError:
                    out.append((where, "unbalanced { or }: write variables as {topic}, a lone brace as {{ or }}"))
                    continue
                for name in [n for n, _, _ in fields if n not in known]:
                    out.append((where, f"unknown variable {{{name}}}; use one of {', '.join(sorted(known))}"))
                # "{update_time:d}" fails and "{topic:>99999999}" is 100 MB, during a crisis.
                for name, spec, conv in fields:
                    if (spec or conv) and name in known:
                        shown = name + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "")
                        out.append((where, f"{{{shown}}} has a format; write the variable alone, as {{{name}}}"))
        # A language some parts have and others lack would be a statement in two languages.
        for lang in sorted(self.playbook.languages()):
            for part in [p for p in CRISIS_PARTS if lang not in getattr(self.playbook, p)]:
                out.append((("crisis", "playbook", part),
                            f"no {lang!r} text, while other parts have one (its statement would mix languages);"
                            f" add {part}.{lang}, or remove {lang} from the other parts"))
        for lang in self.channel:
            if lang not in languages:
                out.append((("crisis", "channel", lang), f"{lang!r} is not in `languages`"))
        # {channel} in a text with no channel in its language would put English words in it.
        for lang in sorted(self.playbook.languages() - set(self.channel)):
            if any("{channel}" in getattr(self.playbook, part).get(lang, "") for part in CRISIS_PARTS):
                out.append((("crisis", "channel"), f"no {lang!r} text, while the playbook's {lang} texts use"
                            f" {{channel}} (its statement would mix languages); add channel.{lang}"))
        return out

    def texts(self) -> list[tuple[str, str]]:
        """Every (language, text) of the playbook and channels: the policy's own words, which
        the claim guard accepts in a statement."""
        out = [(lang, text) for part in CRISIS_PARTS for lang, text in getattr(self.playbook, part).items()]
        out += list(self.channel.items())
        return out
