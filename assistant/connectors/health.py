"""What the running service knows is broken, for ``/healthz``: one ``HEALTH`` per process.

The parts report problems as they meet them (the webhook intake that cannot store a
delivery) and clear them when they pass; checks registered by `assistant serve` (the
database's disk, the policy files) run on each look. It lives with the connectors because
the webhook intake, the lowest part that reports, is here; the web server and the CLI read it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class Health:
    """What the running service knows is broken, for ``/healthz``: problems the parts report
    as they meet them (the webhook intake that cannot store a delivery), cleared when they
    pass, and checks run on each look (the database's disk, the policy files). A problem is
    *failing* (the service cannot do its work: 503) or only *degraded* (it works around it,
    e.g. with the last good policy: still 200, but not "ok")."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reported: dict[str, tuple[str, bool]] = {}
        self._checks: dict[str, tuple[Callable[[], str | None], bool]] = {}

    def report(self, part: str, problem: str, failing: bool = True) -> None:
        with self._lock:
            self._reported[part] = (problem, failing)

    def clear(self, part: str) -> None:
        with self._lock:
            self._reported.pop(part, None)

    def check(self, part: str, probe: Callable[[], str | None] | None, failing: bool = True) -> None:
        """Run ``probe`` on each look: its answer is the problem, None when all is well."""
        with self._lock:
            if probe is None:
                self._checks.pop(part, None)
            else:
                self._checks[part] = (probe, failing)

    def status(self) -> tuple[list[str], bool]:
        """One line per broken part ("part: what is wrong; how to fix it"), and whether any fails."""
        with self._lock:
            reported, checks = dict(self._reported), dict(self._checks)
        found: dict[str, tuple[str, bool]] = {}
        for part, (probe, failing) in checks.items():
            try:
                problem = probe()
            except Exception as exc:  # a check that fails says so instead of hiding the rest
                problem = f"cannot be checked ({type(exc).__name__}: {exc})"
            if problem:
                found[part] = (problem, failing)
        for part, (problem, failing) in reported.items():
            if part in found:
                problem, failing = f"{found[part][0]}; {problem}", failing or found[part][1]
            found[part] = (problem, failing)
        return [f"{part}: {why}" for part, (why, _) in sorted(found.items())], any(f for _, f in found.values())

    def problems(self) -> list[str]:
        return self.status()[0]


HEALTH = Health()  # one per process: `assistant serve` and its /healthz


def storage_problem(exc: BaseException) -> str:
    """One line for a store that cannot take a write: a full disk, a read-only file or folder."""
    text = str(exc) or type(exc).__name__
    low = text.lower()
    if "full" in low or getattr(exc, "errno", None) == 28:
        return f"the disk holding the database is full ({text}); free some space"
    if "readonly" in low or "read-only" in low or getattr(exc, "errno", None) in (13, 30):
        return (f"the database cannot be written ({text}); make the database file and its folder writable "
                "for the user running the assistant")
    return f"the database cannot be written ({text}); check ASSISTANT_DB_PATH and its disk"
