"""Spikes in the report as spike detection leaves them after two groups became one: the
younger spike is closed as 'merged' and its posts join the older. The report counts the
storm once."""

from __future__ import annotations

from datetime import timedelta

from assistant.domain.models import utcnow
from assistant.insights.report import render_html, spikes_between
from assistant.store import Store
from assistant.storms.vectors import stamp


def test_a_merged_spike_is_not_a_second_storm(store: Store, policy) -> None:  # type: ignore[no-untyped-def]
    opened = utcnow() - timedelta(hours=3)
    summary = '{"topic_entry": "midnight-sun", "common_words": ["sick", "batch"]}'
    with store.transaction() as db:
        for spike_id, status, at in ((1, "active", opened), (2, "merged", opened + timedelta(minutes=20))):
            db["spikes"].insert({"id": spike_id, "group_id": spike_id, "encoder": "e5", "status": status,
                                 "opened_at": stamp(at), "updated_at": stamp(at), "calmed_at": None,
                                 "peak": 14, "summary": summary})
        # the merge copied the younger spike's posts into the older one
        db["spike_members"].insert_all([{"spike_id": 1, "mention_id": f"m{i}", "joined_at": stamp(opened)}
                                        for i in range(30)]
                                       + [{"spike_id": 2, "mention_id": f"m{i}", "joined_at": stamp(opened)}
                                          for i in range(15, 30)])
    since = utcnow() - timedelta(days=1)
    listed = spikes_between(store, since, utcnow())
    assert [(s["posts"], s["status"]) for s in listed] == [(30, "active")]
    html, headline = render_html(store, since, policy=policy)
    assert headline["spikes"] == 1 and html.count("about midnight-sun") == 1
