"""Bolt listeners, one module per kind of request, each with ``register(app, services)``.

The callbacks are plain functions of (services, payload ...) so they can be
tested without an App; ``register`` binds them to Bolt with the argument names
Bolt injects (ack, body, action, view, command, event, client ...). Reading a request
(where the card is, who clicked) is ``assistant.slack.requests``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.slack.listeners import actions, commands, events, home, shortcuts, spikes, views

if TYPE_CHECKING:
    from slack_bolt import App

    from assistant.slack.services import Services


def register_all(app: App, services: Services) -> None:
    for module in (actions, views, commands, shortcuts, events, home, spikes):
        module.register(app, services)
