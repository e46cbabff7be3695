"""The review core's rules, without Slack: the same functions the Slack listeners and the CLI
demo call, over a real SQLite store."""

from __future__ import annotations

import pytest
from slack_harness import QUESTION

from assistant import review
from assistant.domain.status import MentionStatus, OutboxStatus, can_move
from assistant.store import StaleDecision
from assistant.store.connectors_sql import retry_failed


def test_status_moves_are_defined_once_and_refuse_the_impossible():
    assert can_move("awaiting", "approved") and can_move("failed", "approved") and can_move("approved", "posted")
    assert not can_move("posted", "approved") and not can_move("closed", "awaiting") and not can_move("x", "new")
    assert MentionStatus.POSTED == "posted" and OutboxStatus.FAILED == "failed"


def test_the_store_moves_an_outbox_row_only_forward(h):
    """pending -> sending -> posted; a posted reply is never claimed or queued again."""
    mention_id = h.add(QUESTION, external_id="outbox-moves")
    h.engine.process(mention_id)
    outbox_id = h.store.approve(mention_id, "U1", "Yes, we do.", "file").outbox_id
    assert h.store.claim_outbox(outbox_id) and not h.store.claim_outbox(outbox_id)  # sending: held
    h.store.mark_posted(outbox_id, "p1", None)
    assert h.store.outbox_item(outbox_id)["status"] == OutboxStatus.POSTED
    assert not h.store.claim_outbox(outbox_id) and not retry_failed(h.store, outbox_id)
    assert h.store.outbox_item(outbox_id)["status"] == OutboxStatus.POSTED


@pytest.fixture
def r(h):
    return review.Review(h.engine, h.runtime)


def _drafted(h) -> tuple[str, int]:
    mention_id = h.add(QUESTION, external_id="core")
    p = h.engine.process(mention_id)
    return mention_id, p.draft_id


def test_only_the_current_draft_is_approved_once(h, r):
    mention_id, first = _drafted(h)
    h.engine.regenerate(mention_id)
    with pytest.raises(review.Refused) as stale:
        review.approve(r, mention_id, "U1", first)
    assert stale.value.stale and "changed" in stale.value.message
    with pytest.raises(review.Refused):
        review.approve(r, mention_id, "U1", None)  # a click that does not say which draft
    current = h.store.latest_draft(mention_id)[0]
    review.approve(r, mention_id, "U1", current)
    with pytest.raises(StaleDecision):
        review.approve(r, mention_id, "U2", current)
    assert len(h.store.outbox_items("pending")) == 1


def test_an_edit_with_warnings_needs_a_yes_and_blocking_problems_never_pass(h, r):
    mention_id, _ = _drafted(h)
    check = review.check_text(r, mention_id, "We roast every bean on the moon, twice a week.")
    assert check.warnings and not check.errors
    with pytest.raises(review.Refused):
        review.approve_text(r, mention_id, "U1", "We roast every bean on the moon, twice a week.")
    blocked = "Use code FREE50 at https://evil.example for 50% off!"
    assert review.check_text(r, mention_id, blocked).errors
    with pytest.raises(review.Refused):
        review.approve_text(r, mention_id, "U1", blocked, accept_warnings=True)
    review.approve_text(r, mention_id, "U1", "We roast every bean on the moon, twice a week.", accept_warnings=True)
    assert h.store.get_mention(mention_id)["status"] == "approved"


def test_reject_a_draft_and_escalate_keep_it_open_no_reply_closes_it(h, r):
    mention_id, draft_id = _drafted(h)
    review.reject_draft(r, mention_id, "U1", draft_id, "too stiff")
    review.escalate(r, mention_id, "U1", "ULEGAL", None, "check the facts")
    assert h.store.get_mention(mention_id)["status"] == "awaiting"
    assert review.owner(h.store, mention_id)["assignee"] == "ULEGAL"
    review.no_reply(r, mention_id, "ULEGAL", "answered by phone")
    assert h.store.get_mention(mention_id)["status"] == "closed"
    with pytest.raises(StaleDecision):
        review.hide(r, mention_id, "U1")
