"""The `assistant` click group that every command module adds its commands to.

Apart from the package's __init__ so that the command modules (core.py, models.py,
connectors.py, serve.py, reports.py) import the group from here, while __init__
imports them to register their commands: one direction, no cycle.
"""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Reply assistant for community managers: triage, local-model drafts, human approval."""
