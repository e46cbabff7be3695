"""Status values of a mention and of an outbox row, and the moves allowed between a mention's.

The store writes these (as their string values: ``MentionStatus.POSTED == "posted"``);
the store asks ``check_move`` before it writes a mention's new status, so the rules live here
once. An outbox row's moves are the outbox worker's, held by the store's UPDATEs (see
``OutboxStatus``).
"""

from __future__ import annotations

from enum import StrEnum

from assistant.domain.errors import AssistantError


class MentionStatus(StrEnum):
    NEW = "new"  # stored, not triaged and drafted yet
    HELD = "held"  # no policy for its brand: set aside until one appears
    AWAITING = "awaiting"  # triaged (and drafted): waits for a person
    APPROVED = "approved"  # a reply is in the outbox
    POSTED = "posted"
    FAILED = "failed"  # the approved reply could not be posted: a corrected one may replace it
    REJECTED = "rejected"  # older databases: "reject" closed the mention
    CLOSED = "closed"  # "no reply needed", with a reason
    HIDDEN = "hidden"
    IGNORED = "ignored"
    ESCALATED = "escalated"  # older databases: escalation closed the mention; now it stays awaiting


class OutboxStatus(StrEnum):
    # pending -> sending (claimed) -> posted, pending (retry later) or failed (for good);
    # failed -> pending (a retry, or a corrected reply). The store's UPDATEs hold these moves
    # in their WHERE clauses (assistant/store/decisions.py): a claim takes only a pending row.
    PENDING = "pending"
    SENDING = "sending"
    POSTED = "posted"
    FAILED = "failed"


OPEN = (MentionStatus.NEW, MentionStatus.AWAITING)
APPROVABLE = (*OPEN, MentionStatus.FAILED)
FINAL = tuple(s for s in MentionStatus if s not in (*OPEN, MentionStatus.HELD))

_S = MentionStatus
MENTION_MOVES: dict[MentionStatus, frozenset[MentionStatus]] = {
    # REJECTED and ESCALATED close a mention as older versions did (Store.decide's defaults);
    # the review core keeps a rejected draft's or an escalated mention open instead.
    _S.NEW: frozenset({_S.HELD, _S.AWAITING, _S.APPROVED, _S.CLOSED, _S.HIDDEN, _S.IGNORED, _S.REJECTED,
                       _S.ESCALATED}),
    _S.HELD: frozenset({_S.NEW}),
    # AWAITING -> AWAITING: a decision that keeps the mention open (reject a draft, escalate).
    _S.AWAITING: frozenset({_S.AWAITING, _S.APPROVED, _S.CLOSED, _S.HIDDEN, _S.IGNORED, _S.REJECTED,
                            _S.ESCALATED}),
    _S.APPROVED: frozenset({_S.POSTED, _S.FAILED}),
    _S.FAILED: frozenset({_S.APPROVED}),  # a corrected reply, or a retry as it is
    _S.POSTED: frozenset(),
    _S.REJECTED: frozenset(),
    _S.CLOSED: frozenset(),
    _S.HIDDEN: frozenset(),
    _S.IGNORED: frozenset(),
    _S.ESCALATED: frozenset(),
}


class InvalidMove(AssistantError):
    """A status change the rules above do not allow."""

    code = "status.invalid_move"


def can_move(current: str, target: str) -> bool:
    """Whether a mention may go from ``current`` to ``target`` (unknown values: no)."""
    try:
        return MentionStatus(target) in MENTION_MOVES[MentionStatus(current)]
    except ValueError:
        return False


def check_move(current: str, target: str) -> None:
    if not can_move(current, target):
        raise InvalidMove("a mention that is {current} cannot become {target}",
                          "reload the card: someone else may have decided already",
                          params={"current": current, "target": target})


def is_open(status: str | None) -> bool:
    return status in OPEN
