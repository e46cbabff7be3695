"""Core commands: ingest, triage, draft, queue, demo, policy, eval, bench."""

from __future__ import annotations

from . import cli  # noqa: F401
