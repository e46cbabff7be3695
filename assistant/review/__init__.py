"""The review core: approve, edit, reject, escalate, hide, move to private, as plain
functions over the store (``core``), and who owns an escalated mention (``assignments``)."""

from assistant.review.core import (
           OVERRIDABLE,
           EditCheck,
           Escalation,
           Refused,
           Review,
           TextCheck,
           WarnedEdits,
           approve,
           approve_text,
           check_edit,
           check_text,
           escalate,
           hide,
           ignore,
           move_to_private,
           no_reply,
           owner,
           reject_draft,
           rejected_by,
           retry,
)

__all__ = ["OVERRIDABLE", "EditCheck", "Escalation", "Refused", "Review", "TextCheck", "WarnedEdits", "approve",
           "approve_text", "check_edit", "check_text",
           "escalate", "hide", "ignore", "move_to_private", "no_reply", "owner", "reject_draft", "rejected_by", "retry"]
