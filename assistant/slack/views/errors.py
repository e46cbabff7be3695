"""An error of the tree (``assistant.domain.errors``) as Slack shows it, in ``mrkdwn``.

An error's sentence is plain text with placeholders (``template``, ``params``); here every
part of it is escaped (the sentence's own words and each value: a post's text or a network's
answer inside a param can ping no one and smuggle in no link), and the people it names by
user id (``people``) become real mentions. Where Slack says it in its own words (a stale
click reads as what happened to the card), the words are chosen by the error's ``code``
and filled from the same params.
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.domain.errors import AssistantError, fill
from assistant.slack.views.mrkdwn import escape, who


def _stale(exc: AssistantError) -> str:
    by = " by {by}" if exc.people.get("by") else ""
    return "This mention was already {status}" + by + "; nothing was changed."


# code -> the sentence Slack says instead of the error's own (the fix is part of it).
OWN_WORDS: dict[str, Callable[[AssistantError], str]] = {
    "review.stale": _stale,
}


def error_text(exc: AssistantError, with_fix: bool = True) -> str:
    """The error for ``mrkdwn``: escaped, its people as mentions, then its fix in brackets."""
    own = OWN_WORDS.get(exc.code)
    if own is not None:
        return fill(own(exc), exc.params, exc.people, literal=escape, value=escape, person=who)
    return exc.render(who, literal=escape, value=escape, with_fix=with_fix)
