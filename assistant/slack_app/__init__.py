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

__all__ = ["AssistantApp", "check_settings", "create_app"]

APPS_PAGE = "https://api.slack.com/apps"


def check_settings(settings: Settings, socket_mode: bool | None = None, token: str | None = None) -> bool:
    """Raise a one-line SettingsError naming the missing token and where to get it.
    Returns whether the app runs in Socket Mode."""
    if socket_mode is None:
        socket_mode = bool(settings.slack_app_token)
    token = token or settings.slack_bot_token
    if not token:
        raise SettingsError("SLACK_BOT_TOKEN is not set",
                            f"copy the Bot User OAuth Token (xoxb-...) from OAuth & Permissions at {APPS_PAGE}")
    if not token.startswith("xoxb-"):
        raise SettingsError("SLACK_BOT_TOKEN is not a bot token",
                            f"use the Bot User OAuth Token that starts with xoxb- (OAuth & Permissions at {APPS_PAGE})")
    if socket_mode:
        if not (settings.slack_app_token or "").startswith("xapp-"):
            raise SettingsError("SLACK_APP_TOKEN is not an app-level token",
                                f"create one with the connections:write scope under Basic Information > "
                                f"App-Level Tokens at {APPS_PAGE} (it starts with xapp-)")
    elif not settings.slack_signing_secret:
        raise SettingsError("SLACK_SIGNING_SECRET is not set",
                            f"copy the Signing Secret from Basic Information at {APPS_PAGE}, or set "
                            "SLACK_APP_TOKEN to use Socket Mode instead")
    return socket_mode


class AssistantApp(App):
    """A Bolt App that carries the services its listeners share."""

    services: Services
    listener_pool: ThreadPoolExecutor  # runs listeners after the ack; shut it first on stop


def create_app(engine: Engine, runtime: Runtime, settings: Settings, client: WebClient | None = None,
               socket_mode: bool | None = None) -> AssistantApp:
    """The Bolt app. Socket Mode (no request signatures: the websocket is authenticated) when
    ``SLACK_APP_TOKEN`` is set, unless ``socket_mode`` says otherwise; HTTP mode needs the signing secret."""
    client = client or make_client(settings)
    socket_mode = check_settings(settings, socket_mode, client.token)
    pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="assistant-bolt")
    try:
        app = AssistantApp(
            name="assistant",
            client=client,
            signing_secret=settings.slack_signing_secret or "",
            request_verification_enabled=not socket_mode,
            listener_executor=pool,
            logger=logging.getLogger("assistant.slack.bolt"),
        )
    except BoltError as exc:
        raise SettingsError(f"Slack did not accept SLACK_BOT_TOKEN ({exc})",
                            f"copy it again from OAuth & Permissions at {APPS_PAGE}, or reinstall the app") from None
    app.listener_pool = pool
    app.services = Services(engine, runtime, settings, client)
    from .listeners import register_all

    register_all(app, app.services)

    @app.error
    def on_error(error: Exception, body: dict) -> None:  # type: ignore[type-arg]
        logging.getLogger("assistant.slack").error("a Slack request failed: %s", error, exc_info=error)

    return app
