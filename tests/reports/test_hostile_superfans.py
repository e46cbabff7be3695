"""Super-fans whose handles are written in odd ways: case, a leading "@", a non-ASCII
capital, a tab, markup. The card (fan_status) and App Home (superfans) must count the same
author the same way: one key, the view's own."""

from __future__ import annotations

from datetime import timedelta

from assistant.domain.models import Intent, utcnow
from assistant.insights.superfans import card_line, fan_status, superfans
from assistant.policy.models import Policy
from assistant.store import Store

from .conftest import add, triage

AUTHORS = {
    "ann": ["@Ann", "ann", "@ANN", " @ann"],  # one person, four spellings
    "odon": ["@Ödön", "@Ödön", "@Ödön"],  # a capital SQLite's lower() leaves alone
    "bo": ["\t@bo", "\t@bo", "\t@bo"],  # pasted with a tab
    "markup": ["@<script>x", "@<SCRIPT>x", "@<script>X"],
}


def test_the_card_and_app_home_agree_on_every_handle(store: Store, policy: Policy) -> None:
    now = utcnow()
    last = {}
    for name, spellings in AUTHORS.items():
        for i, author in enumerate(spellings):
            last[name], _ = add(store, f"{name}{i}", "Love the new roast!", now - timedelta(hours=6 - i),
                                author=author, t=triage(Intent.PRAISE))
    listed = {(f.network, f.author): f.count for f in superfans(store, policy, now=now)}
    for name, spellings in AUTHORS.items():
        status = fan_status(store, last[name], policy)
        assert status is not None, name
        nth = {3: "3rd", 4: "4th"}[len(spellings)]
        assert status.ordinal == len(spellings) and card_line(status) == f"⭐ Super-fan · {nth} kind post in 60 days"
        # App Home lists them once, with the same count, under their latest spelling.
        assert listed[("mastodon", spellings[-1])] == len(spellings), (name, listed)
    assert len(listed) == len(AUTHORS)
