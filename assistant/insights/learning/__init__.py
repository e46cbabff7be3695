"""What the team's approvals teach: how each draft was approved, and which phrasings
people add or remove again and again.

    outcomes.py     each approved reply: unchanged, edited or rewritten, tallied per
                    intent and language (the drafts evaluation, the report)
    suggest.py      `assistant policy suggest`: sentences people keep adding or removing,
                    as a diff of the policy file for a person to review (never written)
    edits.py        what changed between a draft and its approval, made safe and grouped
    policy_diff.py  the policy file with the suggestions in it, edited as text, and its diff
    suggestion.py   what a suggestion is, and what the command prints
"""

from __future__ import annotations

from assistant.insights.learning.outcomes import (
           EDITED,
           EDITED_AT,
           OUTCOMES,
           REWRITTEN,
           UNCHANGED,
           ApprovedReply,
           approved_replies,
           classify,
           outcome_rows,
           tally,
)

__all__ = ["EDITED", "EDITED_AT", "OUTCOMES", "REWRITTEN", "UNCHANGED", "ApprovedReply", "approved_replies",
           "classify", "outcome_rows", "tally"]
