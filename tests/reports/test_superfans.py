"""Super-fans: an author's kind posts (praise, small reactions) counted per network and
handle within the policy's period; complaints never count; a returning fan's draft
thanks them as one and still passes the guard."""

from __future__ import annotations

from datetime import timedelta

import pytest

from assistant.domain.models import Intent, Mention, utcnow
from assistant.drafting.guard import failed
from assistant.engine import Engine
from assistant.insights.superfans import card_line, fan_status, ordinal, superfans
from assistant.policy.models import SuperFans
from assistant.policy.registry import PolicyRegistry
from assistant.settings import load_settings
from assistant.store import Store
from devtools.fakes import FAKE_MODEL
from devtools.fakes.model import FakeBackend

from .conftest import POLICY_FILE, add, triage


def _kind(store: Store, n: str, days_ago: float, author: str = "@mika", source: str = "mastodon",
          intent: Intent = Intent.PRAISE) -> str:
    mid, _ = add(store, n, f"post {n}: the Kallio café is lovely", utcnow() - timedelta(days=days_ago),
                 author=author, source=source, t=triage(intent))
    return mid


def test_the_fourth_kind_post_is_marked_and_complaints_do_not_count(store, policy):
    first = _kind(store, "1", 50)
    _kind(store, "c1", 45, intent=Intent.COMPLAINT)  # not kind: never counted
    second = _kind(store, "2", 30, author="@Mika")  # the same person, written another way
    third = _kind(store, "3", 10, author="mika", intent=Intent.REACTION)
    _kind(store, "o1", 9, author="@mika", source="bluesky")  # another network, another account
    _kind(store, "x1", 9, author="@ann")
    complaint = _kind(store, "c2", 5, intent=Intent.COMPLAINT)
    fourth = _kind(store, "4", 1)

    assert fan_status(store, first, policy) is None
    assert fan_status(store, second, policy) is None
    status = fan_status(store, third, policy)
    assert status is not None and status.line == "3rd kind post in 60 days"
    status = fan_status(store, fourth, policy)
    assert status is not None
    assert (status.count, status.ordinal, status.line) == (4, 4, "4th kind post in 60 days")
    assert card_line(status) == "⭐ Super-fan · 4th kind post in 60 days"
    # A super-fan's complaint is marked too: it is a loyal customer who is unhappy.
    status = fan_status(store, complaint, policy)
    assert status is not None and status.ordinal is None
    assert status.line == "super-fan: 3 kind posts in 60 days"
    # Asked by author: everything up to now.
    status = fan_status(store, ("mastodon", "@MIKA"), policy)
    assert status is not None and status.count == 4 and status.last_url == "https://mastodon.example/@mika/4"
    assert fan_status(store, ("bluesky", "@mika"), policy) is None


def test_the_period_is_respected(store, policy):
    _kind(store, "1", 100)
    _kind(store, "2", 70)
    latest = _kind(store, "3", 1)
    assert fan_status(store, latest, policy) is None  # the other two are older than 60 days
    longer = policy.model_copy(update={"superfans": SuperFans(min_posts=3, period_days=120)})
    status = fan_status(store, latest, longer)
    assert status is not None and status.line == "3rd kind post in 120 days"
    # An old card keeps its ordinal: counting stops at the post's own time.
    second = fan_status(store, _kind(store, "4", 0.5), longer)
    assert second is not None and second.ordinal == 4
    assert fan_status(store, latest, longer).ordinal == 3  # type: ignore[union-attr]


def test_superfans_list_for_app_home(store, policy):
    for i, days in enumerate((20, 10, 5, 2)):
        _kind(store, f"m{i}", days)
    for i, days in enumerate((15, 8, 3)):
        _kind(store, f"a{i}", days, author="@ann", source="bluesky")
    _kind(store, "b1", 3, author="@ben")
    _kind(store, "b2", 2, author="@ben")
    for i in range(3):
        _kind(store, f"c{i}", 1 + i, author="@cat", intent=Intent.COMPLAINT)
    fans = superfans(store, policy)
    assert [(f.network, f.author, f.count) for f in fans] == [("mastodon", "@mika", 4), ("bluesky", "@ann", 3)]
    assert fans[0].last_url == "https://mastodon.example/@mika/m3"
    assert fans[0].last_at is not None and fans[0].line == "super-fan: 4 kind posts in 60 days"


def test_ordinals():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th"]


@pytest.fixture
def engine(tmp_path):
    settings = load_settings(db_path=tmp_path / "engine.db", policies_dir=POLICY_FILE.parent, backend=FAKE_MODEL,
                             draft_attempts=1)
    registry = PolicyRegistry(settings.policies_dir)
    registry.reload()
    store = Store(settings.db_path)
    yield Engine(settings, store, registry, backend=FakeBackend())
    store.close()


@pytest.mark.parametrize("language, text", [
    ("en", "Lovely flat white again today!"),
    ("fi", "Ihana kahvi taas tänään!"),
    ("nl", "Weer heerlijke koffie vandaag!"),
    ("el", "Υπέροχος καφές και σήμερα!"),
    ("fa", "امروز هم قهوه عالی بود!"),
    ("lv", "Atkal lieliska kafija šodien!"),
    ("de", "Wieder so leckerer Kaffee heute!"),
    ("es", "¡Otra vez un café buenísimo!"),
    ("fr", "Encore un café délicieux aujourd'hui !"),
    ("sv", "Underbart kaffe idag igen!"),
])
def test_a_returning_fan_is_thanked_as_one_and_the_draft_passes_the_guard(engine, language, text):
    store = engine.store
    policy = engine.policy()
    for i, days in enumerate((30, 12, 4)):
        _kind(store, f"k{i}", days, author="@mika")
    # The new post is stored, not triaged yet: the drafter asks before triage is saved.
    fan = Mention(source="mastodon", external_id="new", author="@mika", text=text,
                  created_at=utcnow().isoformat())
    stranger = Mention(source="mastodon", external_id="new2", author="@nina", text=text,
                       created_at=utcnow().isoformat())
    store.add_mentions([fan, stranger])
    t = triage(Intent.PRAISE, language=language)
    thanks = policy.playbooks[Intent.PRAISE].parts.returning_fan[language]

    draft = engine.drafter().draft(fan, t)
    assert any(line in (draft.text or "") for line in thanks), draft.text
    assert "returning_fan" in [p.kind for p in draft.parts]
    assert not failed(draft.guard), draft.guard
    assert "returning fan: 4th kind post in 60 days" in draft.notes

    other = engine.drafter().draft(stranger, t)
    assert not any(line in (other.text or "") for line in thanks)
    assert not failed(other.guard)
    # A complaint by the same fan is answered as a complaint, with no thanks for coming back.
    complaint = engine.drafter().draft(fan, triage(Intent.COMPLAINT, language=language))
    assert not any(line in (complaint.text or "") for line in thanks)
