"""An error of the tree (``assistant.domain.errors``) as the terminal shows it.

One line, ``error: <problem> (<fix>)``, its placeholders as they are: a person is named by
the id or name the error holds (the terminal has no directory to look names up in), and
nothing is escaped (a terminal reads no markup). The line is exactly ``str(err)`` after
``error: ``, so scripts and tests that read it keep working.
"""

from __future__ import annotations

from assistant.domain.errors import AssistantError


def error_text(exc: AssistantError) -> str:
    """The problem, then its fix in brackets."""
    return exc.render(with_fix=True)


def error_line(exc: AssistantError) -> str:
    """What ``assistant`` prints (to stderr) before it exits with status 1."""
    return f"error: {error_text(exc)}"
