"""The review core: approve, edit, reject, escalate, hide, move to private, as plain
functions over the store (``core``), and who owns an escalated mention (``assignments``)."""

from assistant.review.core import (
           OVERRIDABLE,
           Escalation,
           Refused,
           Review,
           TextCheck,
           approve,
           approve_text,
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

__all__ = ["OVERRIDABLE", "Escalation", "Refused", "Review", "TextCheck", "approve", "approve_text", "check_text",
           "escalate", "hide", "ignore", "move_to_private", "no_reply", "owner", "reject_draft", "rejected_by", "retry"]
