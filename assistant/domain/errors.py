"""Errors meant for users: each message says what went wrong and how to fix it.

One tree: every error a person may read is an ``AssistantError``. Each carries

* ``code``: a stable dotted name ("policy.invalid", "review.stale", ...), a class default
  that one raise may refine where a class covers several cases ("review.refused.no_draft");
  a UI or a test tells errors apart by it, never by their text;
* ``params``: the placeholders of its sentence (names, paths, user ids, counts), and
  ``people``: those that name a person by user id;
* ``template`` (and ``fix_template``): the sentence with ``{name}`` placeholders. The
  sentence itself is plain text: no UI's markup (no Slack mention, no escaping).

``str(err)`` (and ``message``, ``fix``) fill the placeholders as they are, so logs and the
terminal read them as before; a UI fills them its own way with ``render`` (the Slack layer
escapes every value and shows people as mentions: ``assistant.slack.views.errors``; the
terminal: ``assistant.cli.errors``).

The tree (a class not defined here lives beside the code that raises it, in that layer):
  AssistantError               assistant.error
    SettingsError              settings.invalid
    PolicyError                policy.invalid
    BackendError               backend.failed
    StoreError                 store.failed
      StaleDecision            review.stale           (assistant/store/statuses.py: the store raises it)
    InvalidMove                status.invalid_move    (assistant/domain/status.py)
    PostError                  post.failed            (assistant/connectors/base.py)
    Refused                    review.refused         (assistant/review/core.py)
    StatementRefused           storm.refused          (assistant/storms/ports.py)
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from typing import Any


def _same(text: str) -> str:
    return text


def fill(template: str, params: Mapping[str, Any], people: Mapping[str, str] | None = None, *,
         literal: Callable[[str], str] = _same, value: Callable[[str], str] = _same,
         person: Callable[[str], str] = _same) -> str:
    """``template`` with its placeholders filled: the template's own text through ``literal``,
    each value (as ``format`` writes it) through ``value``, each of ``people`` through ``person``.
    Without params the template is all literal text (a brace in it is not a placeholder)."""
    people = people or {}
    if not params and not people:
        return literal(template)
    out = []
    for text, name, spec, conversion in string.Formatter().parse(template):
        out.append(literal(text))
        if name is None:
            continue
        if name in people:
            out.append(str(person(people[name])))
            continue
        raw = params[name]
        raw = repr(raw) if conversion == "r" else str(raw) if conversion == "s" else raw
        out.append(value(format(raw, spec or "")))
    return "".join(out)


class AssistantError(Exception):
    """An error a user can act on. ``str(err)`` is one line: problem, then the fix."""

    code: str = "assistant.error"

    def __init__(self, message: str, fix: str | None = None, *, code: str | None = None,
                 params: Mapping[str, Any] | None = None, people: Mapping[str, str] | None = None) -> None:
        if code is not None:
            self.code = code  # one raise refines its class's code
        self.template = message
        self.fix_template = fix
        self.people: dict[str, str] = dict(people or {})
        self.params: dict[str, Any] = {**(params or {}), **self.people}
        self.message = fill(message, self.params, self.people)
        self.fix = fill(fix, self.params, self.people) if fix else fix
        super().__init__(f"{self.message} ({self.fix})" if self.fix else self.message)

    def render(self, person: Callable[[str], str] = _same, *, literal: Callable[[str], str] = _same,
               value: Callable[[str], str] = _same, with_fix: bool = False) -> str:
        """The sentence (and, with ``with_fix``, its fix in brackets) filled for one UI: each
        person as ``person(user_id)`` renders them, the rest as ``literal`` and ``value`` say."""
        text = fill(self.template, self.params, self.people, literal=literal, value=value, person=person)
        if with_fix and self.fix_template:
            fix = fill(self.fix_template, self.params, self.people, literal=literal, value=value, person=person)
            text += literal(" (") + fix + literal(")")
        return text


class SettingsError(AssistantError):
    code = "settings.invalid"


class PolicyError(AssistantError):
    """A policy file that cannot be loaded. ``problems`` holds one line per error."""

    code = "policy.invalid"

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        first = problems[0] if problems else "unknown error"
        template = "{problem} (and {more} more)" if len(problems) > 1 else "{problem}"
        super().__init__(template, "run `assistant policy check {path}` to list every error",
                         params={"problem": first, "more": len(problems) - 1, "path": path})


class BackendError(AssistantError):
    code = "backend.failed"


class StoreError(AssistantError):
    code = "store.failed"
