"""The store: one row per mention, one decision per mention, one reply per approval."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from assistant.domain.errors import StoreError
from assistant.domain.models import Draft, GuardCheck, Intent
from assistant.store import StaleDecision, Store

from .conftest import make_mention, make_triage


def _awaiting(store: Store, text: str = "Do you ship to Germany?", external_id: str = "m1") -> str:
    m = make_mention(text, external_id=external_id)
    store.add_mention(m)
    store.save_triage(m.key, make_triage(Intent.QUESTION))
    return m.key


def test_ingesting_the_same_mention_twice_is_a_no_op(store):
    m = make_mention("Love the new roast!")
    assert store.add_mentions([m]) == [m.key]
    assert store.add_mentions([m, m.model_copy(update={"text": "edited later"})]) == []
    assert store.count("mentions") == 1
    assert store.get_mention(m.key)["text"] == "Love the new roast!"
    # the same external id from another source is another mention
    assert store.add_mention(make_mention("Love it", source="bluesky"))
    assert store.count("mentions") == 2


def test_second_approval_raises_stale_and_queues_one_reply(store):
    mid = _awaiting(store)
    approval = store.approve(mid, "U1", "Yes, we ship within the EU.", connector="file")
    assert store.get_mention(mid)["status"] == "approved"
    with pytest.raises(StaleDecision) as exc:
        store.approve(mid, "U2", "Another text", connector="file")
    assert exc.value.status == "approved" and exc.value.by == "U1"
    assert "already approved by U1" in str(exc.value)
    rows = store.outbox_items("pending")
    assert len(rows) == 1 and store.count("outbox") == 1
    assert rows[0]["text"] == "Yes, we ship within the EU."
    assert rows[0]["idempotency_key"] == approval.idempotency_key


def test_concurrent_approvals_exactly_one_wins(store):
    mid = _awaiting(store)
    barrier = threading.Barrier(10)
    wins: list[str] = []
    stale: list[str] = []
    other: list[BaseException] = []

    def click(n: int) -> None:
        barrier.wait()
        try:
            store.approve(mid, f"U{n}", f"reply {n}", connector="file")
            wins.append(f"U{n}")
        except StaleDecision:
            stale.append(f"U{n}")
        except BaseException as exc:  # noqa: BLE001
            other.append(exc)

    threads = [threading.Thread(target=click, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert other == []
    assert len(wins) == 1 and len(stale) == 9
    assert store.count("outbox") == 1
    assert store.count("decisions") == 1


def test_concurrent_approvals_from_two_connections(tmp_path):
    """Two processes (two Store objects on one file) racing: still one reply."""
    path = tmp_path / "shared.db"
    stores = [Store(path) for _ in range(4)]
    mid = _awaiting(stores[0])
    barrier = threading.Barrier(len(stores))
    results: list[str] = []

    def click(n: int) -> None:
        barrier.wait()
        try:
            stores[n].approve(mid, f"U{n}", f"reply {n}", connector="file")
            results.append("won")
        except StaleDecision:
            results.append("stale")

    threads = [threading.Thread(target=click, args=(n,)) for n in range(len(stores))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == ["stale"] * (len(stores) - 1) + ["won"]
    assert stores[0].count("outbox") == 1
    for s in stores:
        s.close()


def test_reject_then_approve_is_stale(store):
    mid = _awaiting(store)
    store.decide(mid, "reject", actor="U1", reason="off topic")
    with pytest.raises(StaleDecision) as exc:
        store.approve(mid, "U2", "We ship within the EU.", connector="file")
    assert exc.value.status == "rejected"
    assert store.count("outbox") == 0
    assert store.get_mention(mid)["status"] == "rejected"


def test_empty_approval_is_refused(store):
    mid = _awaiting(store)
    with pytest.raises(StoreError):
        store.approve(mid, "U1", "   ", connector="file")
    assert store.get_mention(mid)["status"] == "awaiting"


def test_wal_mode_is_on(store):
    assert store.db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    raw = sqlite3.connect(store.path)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        raw.close()


def test_data_survives_a_restart(tmp_path):
    path = tmp_path / "restart.db"
    first = Store(path)
    mid = _awaiting(first)
    draft = Draft(text="Yes, we ship within the EU.", language="en",
                  guard=[GuardCheck(name="facts", passed=True)], backend="fake", model="fake",
                  seconds=0.5, attempts=1)
    first.add_draft(mid, draft)
    first.add_draft(mid, draft.model_copy(update={"text": "Second version, we ship in the EU."}))
    first.close()

    second = Store(path)  # opens the same file, migrations already applied
    assert second.get_mention(mid)["text"] == "Do you ship to Germany?"
    assert second.triage(mid).intent is Intent.QUESTION
    draft_id, latest = second.latest_draft(mid)
    assert latest.text == "Second version, we ship in the EU."
    assert latest.backend == "fake" and latest.attempts == 1 and latest.passed
    assert second.count("drafts") == 2  # every version is kept
    assert [r["id"] for r in second.queue()] == [mid]
    second.close()


def test_events_record_the_history(store):
    mid = _awaiting(store)
    store.add_draft(mid, Draft(text="We ship within the EU.", language="en"))
    store.approve(mid, "U7", "We ship within the EU.", connector="file")
    events = store.events(mid)
    kinds = [e["kind"] for e in events]
    assert kinds == ["ingested", "triaged", "drafted", "approved"]
    assert events[-1]["actor"] == "U7"


def test_queue_is_oldest_first_and_drops_decided(store):
    for n, created in enumerate(["2024-05-03T10:00:00", "2024-05-01T10:00:00", "2024-05-02T10:00:00"]):
        m = make_mention(f"question {n}?", external_id=f"q{n}", created_at=created)
        store.add_mention(m)
        store.save_triage(m.key, make_triage())
    assert [r["id"] for r in store.queue()] == ["mastodon:q1", "mastodon:q2", "mastodon:q0"]
    store.decide("mastodon:q1", "ignore", actor="U1")
    assert [r["id"] for r in store.queue()] == ["mastodon:q2", "mastodon:q0"]


def test_a_failed_reply_can_be_corrected_and_approved_again(store):
    mid = _awaiting(store)
    first = store.approve(mid, "U1", "A reply that is far too long for the network", connector="file")
    assert store.claim_outbox(first.outbox_id)
    store.mark_failed(first.outbox_id, "HTTP 422: too long")
    assert store.get_mention(mid)["status"] == "failed"

    second = store.approve(mid, "U2", "A shorter reply", connector="file", edited=True)
    rows = store.outbox_items("pending", "sending", "posted", "failed")
    assert len(rows) == 1, "still one outbox row per mention"
    assert rows[0]["id"] == second.outbox_id == first.outbox_id
    assert rows[0]["text"] == "A shorter reply" and rows[0]["status"] == "pending"
    assert second.idempotency_key != first.idempotency_key, "a corrected text is a new post"
    with pytest.raises(StaleDecision):
        store.approve(mid, "U3", "A third try", connector="file")


def test_recovery_leaves_a_fresh_claim_alone(store):
    """A reply being sent by a live worker (another process) must not be re-queued."""
    mid = _awaiting(store)
    a = store.approve(mid, "U1", "Thanks!", connector="file")
    assert store.claim_outbox(a.outbox_id)
    assert store.requeue_stuck(lease_seconds=300) == 0
    assert store.outbox_item(a.outbox_id)["status"] == "sending"
    assert store.requeue_stuck(lease_seconds=0) == 1
    assert store.outbox_item(a.outbox_id)["status"] == "pending"


def test_triage_and_first_draft_are_recorded_together(engine):
    """A mention is 'awaiting' only once its draft exists, so nothing drafts it twice."""
    from assistant.domain.models import Mention

    m = Mention(source="mastodon", external_id="t1", text="Do you ship to Germany?")
    engine.ingest([m])
    assert engine.store.get_mention(m.key)["status"] == "new"
    processed = engine.process(m.key)
    assert engine.store.get_mention(m.key)["status"] == "awaiting"
    assert processed.draft_id is not None
    assert engine.store.latest_draft(m.key)[0] == processed.draft_id
