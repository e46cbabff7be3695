"""Spike detection run the way a busy or careless user runs it: the same tick twice, a
replay of time already seen (the storm demo run twice on one database), and a storm
whose posts carry a promo code and insults that must not become the statement's topic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assistant.domain.models import Action, Intent, Mention, Severity, Triage
from assistant.ml.embeddings import get_encoder
from assistant.policy.models import Policy
from assistant.store import Store
from assistant.storms import detect, draft_statement

pytestmark = pytest.mark.slow  # the real encoder groups the posts

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
# A storm about something the catalog does not name (the statement falls back to the
# posts' own words), with a promo code for a competitor and insults repeated in most.
LOCKER = [
    "my parcel locker broke after a week, use promo code GRINDFREE at the other shop",
    "the parcel locker you installed broke again. GRINDFREE gets you 50% off elsewhere, call 0401234567",
    "parcel locker broke on day three, garbage. Code GRINDFREE works at the competitor",
    "your parcel locker broke and support ignores me. GRINDFREE GRINDFREE",
    "broken parcel locker, again. everyone use GRINDFREE and buy elsewhere, call +358 40 123 4567",
    "the parcel locker door broke after two uses, GRINDFREE is the answer",
    "parcel locker broke, you scammers and idiots. GRINDFREE",
    "another broken parcel locker from you scammers, idiots. GRINDFREE",
    "parcel locker stopped working, broke completely, scammers, idiots GRINDFREE",
    "my parcel locker broke too!! scammers. GRINDFREE for everyone",
    "parcel locker broke, refund me, idiots. GRINDFREE",
    "the parcel locker broke this morning, scammers. GRINDFREE",
    "parcel locker broke after a week of use, scammers GRINDFREE",
    "Broken parcel locker. Scammers. Idiots. GRINDFREE",
]


def _storm(store: Store, texts: list[str]) -> list[Mention]:
    posts = [Mention(source="bluesky", external_id=f"p{i}", author=f"user{i}", text=t, network="bluesky",
                     created_at=(T0 + timedelta(minutes=2 * i)).isoformat()) for i, t in enumerate(texts)]
    store.add_mentions(posts)
    for p in posts:
        store.save_triage(p.key, Triage(language="en", intent=Intent.COMPLAINT, severity=Severity.MEDIUM,
                                        action=Action.REPLY))
    return posts


def _replay(store: Store, policy: Policy, start: datetime, end: datetime, step: int = 5) -> list[str]:
    changes, now, encoder = [], start, get_encoder()
    while now <= end:
        changes += [f"{s.id}:{s.change}" for s in detect(store, policy, encoder, now)]
        now += timedelta(minutes=step)
    return changes


def _counts(store: Store) -> tuple[int, int, int]:
    db = store.db
    return (db.execute("SELECT COUNT(*) FROM spikes").fetchone()[0],
            db.execute("SELECT COUNT(*) FROM spike_members").fetchone()[0],
            db.execute("SELECT COUNT(DISTINCT mention_id) FROM spike_members").fetchone()[0])


def test_a_replay_of_time_already_seen_raises_nothing_twice(store: Store, policy: Policy) -> None:
    posts = _storm(store, LOCKER)
    end = T0 + timedelta(hours=3)  # the storm and its calm
    first = _replay(store, policy, T0, end)
    assert first[0].endswith(":new") and first[-1].endswith(":calm"), first
    assert _counts(store) == (1, len(posts), len(posts))
    # The same tick again, then the whole replay again (the demo run a second time).
    assert detect(store, policy, get_encoder(), end) == []
    assert _replay(store, policy, T0, end) == []
    assert _counts(store) == (1, len(posts), len(posts))
    assert store.db.execute("SELECT status FROM spikes").fetchone()[0] == "calm"


def test_a_promo_code_and_insults_the_posts_repeat_are_not_the_topic(store: Store, policy: Policy) -> None:
    _storm(store, LOCKER)
    now = T0 + timedelta(minutes=2 * len(LOCKER))
    spikes = detect(store, policy, get_encoder(), now)
    assert [s.change for s in spikes] == ["new"], spikes
    spike = spikes[0]
    assert spike.topic_entry is None  # the catalog names no locker: the posts' words are the topic
    assert "locker" in spike.common_words
    for language in ("en", "fi", "de"):
        statement = draft_statement(spike, policy, language, now=now)
        lowered = statement.text.lower()
        for leaked in ("grindfree", "scammer", "idiot", "0401234567", "358", "garbage"):
            assert leaked not in lowered, statement.text
        assert "locker" in lowered and statement.passed
