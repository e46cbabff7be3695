"""The Slack app: review cards, slash commands, a message shortcut and App Home, on Bolt.

``create_app(engine, runtime, settings)`` builds the Bolt app; nothing is built
at import time. ``server.serve_http`` / ``server.serve_socket_mode`` run it.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_bolt.error import BoltError
from slack_sdk import WebClient

from ..errors import SettingsError
from .services import Services, make_client

if TYPE_CHECKING:
    from ..connectors.runtime import Runtime
    from ..engine import Engine
    from ..settings import Settings

__all__ = ["AssistantApp", "create_app"]


class AssistantApp(App):
    """A Bolt App that carries the services its listeners share."""

    services: Services


def create_app(engine: Engine, runtime: Runtime, settings: Settings, client: WebClient | None = None,
               socket_mode: bool | None = None) -> AssistantApp:
    """The Bolt app. Socket Mode (no request signatures: the websocket is authenticated) when
    ``SLACK_APP_TOKEN`` is set, unless ``socket_mode`` says otherwise; HTTP mode needs the signing secret."""
    if socket_mode is None:
        socket_mode = bool(settings.slack_app_token)
    client = client or make_client(settings)
    if not client.token:
        raise SettingsError("SLACK_BOT_TOKEN is not set",
                            "copy the Bot User OAuth Token (xoxb-...) from your app's OAuth & Permissions page "
                            "at https://api.slack.com/apps")
    if not socket_mode and not settings.slack_signing_secret:
        raise SettingsError("SLACK_SIGNING_SECRET is not set",
                            "copy the Signing Secret from your app's Basic Information page at https://api.slack.com/apps")
    try:
        app = AssistantApp(
            name="assistant",
            client=client,
            signing_secret=settings.slack_signing_secret or "",
            request_verification_enabled=not socket_mode,
            listener_executor=ThreadPoolExecutor(max_workers=32, thread_name_prefix="assistant-bolt"),
            logger=logging.getLogger("assistant.slack.bolt"),
        )
    except BoltError as exc:
        raise SettingsError(f"Slack refused the bot token: {exc}",
                            "check SLACK_BOT_TOKEN (reinstall the app to get a fresh one)") from None
    app.services = Services(engine, runtime, settings, client)
    from .listeners import register_all

    register_all(app, app.services)

    @app.error
    def on_error(error: Exception, body: dict) -> None:  # type: ignore[type-arg]
        logging.getLogger("assistant.slack").error("a Slack request failed: %s", error, exc_info=error)

    return app
