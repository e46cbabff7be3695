"""The statuses the store's SQL filters on, and the error for a decision that came too late.

The values and the moves between them are defined once, in assistant/domain/status.py;
these are their string forms, as stored in ``mentions.status``.
"""

from __future__ import annotations

from assistant.domain.errors import StoreError
from assistant.domain.status import APPROVABLE, FINAL, OPEN

# Statuses a mention can be in. "awaiting" means a person has not decided yet;
# "failed" means an approved reply could not be posted: a person may approve a
# corrected reply, which replaces the failed one in the outbox.
# The values and the moves between them are defined once, in assistant/domain/status.py.
OPEN_STATUSES = tuple(s.value for s in OPEN)
APPROVABLE_STATUSES = tuple(s.value for s in APPROVABLE)
FINAL_STATUSES = tuple(s.value for s in FINAL)
# "held": no policy for the mention's brand, so it cannot be triaged. It is set once
# (one event), is not retried at every start, and goes back to "new" when the
# brand's policy appears (Runtime.start).
HELD = "held"


class StaleDecision(StoreError):
    """A decision on a mention that was already decided (double click, second reviewer).
    ``by`` (who decided, a user id or a CLI name) is a person placeholder: each UI renders it."""

    code = "review.stale"

    def __init__(self, mention_id: str, status: str, by: str | None) -> None:
        self.mention_id = mention_id
        self.status = status
        self.by = by
        template = "mention {mention_id} was already {status}" + (" by {by}" if by else "")
        super().__init__(template, "nothing was changed", params={"mention_id": mention_id, "status": status},
                         people={"by": by} if by else None)
