"""The `assistant` command. Each area registers its commands from its own module.

The group itself lives in group.py; this module imports the command modules (which
add their commands to it) and runs it.
"""

from __future__ import annotations

import sys

import click

from assistant.cli.errors import error_line
from assistant.cli.group import cli
from assistant.domain.errors import AssistantError

__all__ = ["cli", "main"]


def _register() -> None:
    # Each module adds its commands to `cli` when imported (here, not at the top, so
    # `import assistant.cli` stays light for the tests that only need the group).
    from assistant.cli import connectors, core, models, reports, serve  # noqa: F401


def main() -> None:
    _register()
    try:
        cli(standalone_mode=False)
    except click.exceptions.Abort:
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except AssistantError as exc:
        click.secho(error_line(exc), fg="red", err=True)
        sys.exit(1)
