"""Super-fans: the people who praise us again and again (article 003: spot the small
group of passionate supporters; 002: one-to-one, human, specific).

An author (per network and handle, case and a leading "@" folded) with the policy's
``superfans.min_posts`` kind posts (praise or a small reaction, as triaged) within
``superfans.period_days`` is a super-fan. The posts are read from the ``kind_posts``
view (assistant/store/schema/log_views.py). Complaints never count.

Plain functions for the card ("4th kind post in 60 days"), App Home (the list) and
the drafter (thank a returning fan as one).
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from assistant.domain.models import Intent, Mention, utcnow
from assistant.policy.models import Policy
from assistant.store import Store, insights_sql

KIND_INTENTS = (Intent.PRAISE, Intent.REACTION)


@dataclass(frozen=True)
class FanStatus:
    network: str
    author: str
    count: int  # kind posts in the period (this one included when it is kind)
    period_days: int
    ordinal: int | None  # which kind post this mention is; None when it is not a kind post
    last_at: str | None  # when their latest kind post was received
    last_url: str | None

    @property
    def line(self) -> str:
        """'4th kind post in 60 days', or for a post that is not kind (a super-fan's
        complaint): 'super-fan: 5 kind posts in 60 days'."""
        days = f"{self.period_days} day{'s' if self.period_days != 1 else ''}"
        if self.ordinal is not None:
            return f"{ordinal(self.ordinal)} kind post in {days}"
        return f"super-fan: {self.count} kind post{'s' if self.count != 1 else ''} in {days}"


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def card_line(status: FanStatus | None) -> str | None:
    """The review card's line for a super-fan (plain text; the card escapes it), or None."""
    if status is None:
        return None
    return f"⭐ Super-fan · {status.line}"


# SQLite's lower() folds ASCII letters only, and its trim() takes spaces only.
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def handle_of(author: str | None) -> str:
    """The key an author is counted by: exactly the view's ``lower(ltrim(trim(author), '@'))``.
    Python's own lower() and strip() differ for "@Ödön" or a tab, and a key the view does
    not compute never finds the author's posts (the card said no super-fan while App Home
    listed them)."""
    return (author or "").strip(" ").lstrip("@").translate(_ASCII_LOWER)


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _kind_posts(store: Store, network: str, author: str, since: datetime, until: datetime) -> list[dict[str, Any]]:
    return insights_sql.kind_posts(store, network, handle_of(author), _iso(since), _iso(until))


def fan_status(store: Store, who: str | tuple[str, str], policy: Policy, now: datetime | None = None,
               intent: Intent | str | None = None) -> FanStatus | None:
    """Whether an author is a super-fan, or None.

    ``who`` is a stored mention's id (counted up to that post, which is the
    ordinal-th kind post when it is kind) or ``(network, author)`` (counted up to
    ``now``). ``intent`` stands in for a mention not triaged yet (the drafter asks
    before triage is saved)."""
    if isinstance(who, tuple):
        network, author = who
        return _status(store, policy, network, author, now or utcnow())
    row = insights_sql.fan_mention(store, who)
    if row is None:
        return None
    network, author, url, stored_intent, at = row
    # Counted up to the post's own time, so an old card keeps its ordinal.
    return _status(store, policy, network, author, _parse(at) or now or utcnow(),
                   this=(who, _is_kind(stored_intent or intent), url))


def _is_kind(intent: Intent | str | None) -> bool:
    return intent is not None and str(intent) in {i.value for i in KIND_INTENTS}


def _status(store: Store, policy: Policy, network: str, author: str, until: datetime,
            this: tuple[str | None, bool, str | None] | None = None) -> FanStatus | None:
    """``this``: the post asked about (its id, whether it is kind, its link), or None
    when asking about the author only."""
    rules = policy.superfans
    if not handle_of(author):
        return None
    this_id, kind, url = this or (None, False, None)
    posts = [p for p in _kind_posts(store, network, author, until - timedelta(days=rules.period_days), until)
             if p["id"] != this_id]
    count = len(posts) + (1 if kind else 0)
    if count < rules.min_posts:
        return None
    if kind:
        last_at, last_url = _iso(until), url
    else:
        last_at, last_url = posts[-1]["posted_at"], posts[-1]["url"]
    return FanStatus(network=network, author=author, count=count, period_days=rules.period_days,
                     ordinal=count if kind else None, last_at=last_at, last_url=last_url)


def superfans(store: Store, policy: Policy, now: datetime | None = None, limit: int = 50) -> list[FanStatus]:
    """Everyone who is a super-fan now, most kind posts first (App Home)."""
    rules = policy.superfans
    until = now or utcnow()
    since = until - timedelta(days=rules.period_days)
    rows = insights_sql.fan_rows(store, _iso(since), _iso(until), rules.min_posts, limit)
    return [FanStatus(network=network, author=author or handle, count=n, period_days=rules.period_days,
                      ordinal=None, last_at=last_at, last_url=last_url)
            for network, handle, n, last_at, author, last_url in rows]


def fan_lookup(store: Store, policy: Policy) -> Callable[[Mention, Intent], FanStatus | None]:
    """For the drafter: is the author of this kind post (stored, maybe not triaged yet)
    a returning super-fan? Other posts are not asked about."""

    def lookup(mention: Mention, intent: Intent) -> FanStatus | None:
        if intent not in KIND_INTENTS:
            return None
        if store.get_mention(mention.key) is not None:
            return fan_status(store, mention.key, policy, intent=intent)
        # A post drafted without being stored (`assistant draft "..."`): counted up to now.
        return _status(store, policy, mention.network_name, mention.author, utcnow(), this=(None, True, mention.url))

    return lookup
