"""The `assistant` command. Each area registers its commands from its own module."""

from __future__ import annotations

import sys

import click

from assistant.domain.errors import AssistantError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Reply assistant for community managers: triage, local-model drafts, human approval."""


def _register() -> None:
    # Each module adds its commands to `cli` when imported.
    from assistant.cli import core, models  # noqa: F401  (models: `assistant model check`)
    for optional in ("serve", "connectors", "reports"):
        try:
            __import__(f"{__name__}.{optional}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{optional}":
                raise


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
        click.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(1)
