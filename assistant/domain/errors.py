"""Errors meant for users: each message says what went wrong and how to fix it."""

from __future__ import annotations


class AssistantError(Exception):
    """An error a user can act on. ``str(err)`` is one line: problem, then the fix."""

    def __init__(self, message: str, fix: str | None = None) -> None:
        self.message = message
        self.fix = fix
        super().__init__(f"{message} ({fix})" if fix else message)


class SettingsError(AssistantError):
    pass


class PolicyError(AssistantError):
    """A policy file that cannot be loaded. ``problems`` holds one line per error."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        first = problems[0] if problems else "unknown error"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(
            f"{first}{more}", f"run `assistant policy check {path}` to list every error"
        )


class BackendError(AssistantError):
    pass


class StoreError(AssistantError):
    pass
