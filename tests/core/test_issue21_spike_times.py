"""Issue 21, item 6: posts stamped by a sender whose clock is slow, or with naive local
times, still raise a spike when they pile up now. A real SQLite file and the real encoder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assistant.domain.models import Action, Intent, Mention, Severity, Triage
from assistant.ml.embeddings import get_encoder
from assistant.store import Store
from assistant.storms import detect

pytestmark = pytest.mark.slow  # the real encoder groups the posts by meaning

STORM = [
    "the new Midnight Sun batch made me sick, vomiting all night",
    "drank Midnight Sun this morning and got terrible stomach cramps",
    "my whole family felt ill after the Midnight Sun beans",
    "third person I know who got sick from your Midnight Sun",
    "Midnight Sun made me nauseous, what is in this batch?",
    "after two cups of Midnight Sun I had to leave work, so sick",
    "is the Midnight Sun batch contaminated? we all feel ill",
    "Midnight Sun from the latest delivery gave me food poisoning symptoms",
    "Nach dem Midnight Sun Kaffee war mir die ganze Nacht übel",
    "Midnight Sun -kahvista tuli tosi huono olo, oksensin",
    "everyone who had the Midnight Sun at our office is sick",
    "Midnight Sun made me throw up, pull it from sale",
    "Midnight Sun gave my partner stomach pain too",
    "sick again after Midnight Sun, what happened to this batch",
]


def _stamped(offset: timedelta, naive: bool) -> list[Mention]:
    now = datetime.now(UTC)
    out = []
    for i, text in enumerate(STORM):
        written = now - timedelta(minutes=30 - 2 * i) + offset  # what the sender's clock said
        stamp = written.replace(tzinfo=None).isoformat(timespec="seconds") if naive else written.isoformat()
        out.append(Mention(source="webhook", external_id=f"s{i}", author=f"u{i}", text=text, network="mastodon",
                           created_at=stamp))
    return out


@pytest.mark.parametrize("offset, naive", [
    (timedelta(minutes=-70), False),  # a sender whose clock is 70 minutes slow
    (timedelta(hours=-5), True),  # naive local times west of UTC (read as UTC: five hours old)
    (timedelta(hours=3), True),  # naive local times east of UTC (read as UTC: three hours ahead)
], ids=["slow-clock", "naive-west", "naive-east"])
def test_skewed_or_naive_times_still_raise_a_spike(tmp_path, policy, offset, naive):
    store = Store(tmp_path / "storms.db")
    try:
        posts = _stamped(offset, naive)
        store.add_mentions(posts)
        for p in posts:
            store.save_triage(p.key, Triage(language="en", intent=Intent.COMPLAINT, severity=Severity.MEDIUM,
                                            action=Action.REPLY))
        encoder = get_encoder()
        spikes = []
        for minutes in (1, 3):  # two ticks of the live detector
            spikes += detect(store, policy, encoder, datetime.now(UTC) + timedelta(minutes=minutes))
        assert spikes, "no spike raised"
        assert spikes[0].change == "new"
    finally:
        store.close()
