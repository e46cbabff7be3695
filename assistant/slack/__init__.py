"""The Slack app: review cards, slash commands, a message shortcut and App Home, on Bolt.

``create_app(engine, runtime, settings)`` builds the Bolt app; nothing is built
at import time. ``assistant.web.server.serve_http`` (HTTP) and ``socket_mode_handler`` (Socket Mode) run it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from assistant.domain.errors import SettingsError
from assistant.slack.gateway import make_client
from assistant.slack.listeners import register_all
from assistant.slack.services import Services

if TYPE_CHECKING:
    from assistant.domain.ports import RuntimePort
    from assistant.engine import Engine
    from assistant.settings import Settings

__all__ = ["AssistantApp", "check_settings", "create_app"]

APPS_PAGE = "https://api.slack.com/apps"
API_URL_HINT = ("ASSISTANT_SLACK_API_URL (leave it unset for Slack itself; for GovSlack "
                "https://slack-gov.com/api/)")


def _one_line(value: object) -> str:
    return " ".join(str(value).split())[:200]


class _DropStartupNoise(logging.Filter):
    NOISE = ("Failed to send a request to Slack API server",  # each retry; create_app says it once
             "Failed to decode Slack API response",  # not Slack: create_app says so
             "As you gave `client` as well, `token` will be unused")  # SLACK_BOT_TOKEN is the client's

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(self.NOISE)


@contextlib.contextmanager
def _quiet_send_errors() -> Iterator[None]:
    """While Bolt starts (auth.test): slack_sdk logs every failed attempt at ERROR, and Bolt
    warns that the client's token wins over SLACK_BOT_TOKEN; create_app says what matters once."""
    loggers = [logging.getLogger("slack_sdk.web.base_client"), logging.getLogger("assistant.slack.bolt")]
    drop = _DropStartupNoise()
    for logger in loggers:
        logger.addFilter(drop)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(drop)


def _auth_test_error(exc: BoltError, base_url: str) -> SettingsError:
    """Bolt's auth.test failed with an answer: a refused token, or a server that is not Slack."""
    cause = exc.__context__
    response = getattr(cause, "response", None) if isinstance(cause, SlackApiError) else None
    error = str((response.get("error") if response is not None else None) or "")
    if response is not None and (error.startswith("Received a response in a non-JSON format")
                                 or response.status_code >= 300):
        return SettingsError(f"{base_url} does not answer like Slack's Web API (HTTP {response.status_code}: "
                             f"{_one_line(error)[:120]})", f"check {API_URL_HINT}")
    return SettingsError(f"Slack did not accept SLACK_BOT_TOKEN ({error or _one_line(exc)})",
                         f"copy it again from OAuth & Permissions at {APPS_PAGE}, or reinstall the app")


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
    # HTTP mode: the signing secret server.asgi_app checks before reading and parsing a body
    # (None in Socket Mode, where requests come over the authenticated websocket).
    http_signing_secret: str | None = None


def create_app(engine: Engine, runtime: RuntimePort, settings: Settings, client: WebClient | None = None,
               socket_mode: bool | None = None) -> AssistantApp:
    """The Bolt app. Socket Mode (no request signatures: the websocket is authenticated) when
    ``SLACK_APP_TOKEN`` is set, unless ``socket_mode`` says otherwise; HTTP mode needs the signing secret."""
    client = client or make_client(settings)
    socket_mode = check_settings(settings, socket_mode, client.token)
    pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="assistant-bolt")
    try:
        with _quiet_send_errors():  # one line below says it, instead of one per retry
            app = AssistantApp(
                name="assistant",
                client=client,
                signing_secret=settings.slack_signing_secret or "",
                request_verification_enabled=not socket_mode,
                listener_executor=pool,
                logger=logging.getLogger("assistant.slack.bolt"),
            )
    except BoltError as exc:  # auth.test answered, with an error
        pool.shutdown(wait=False)
        raise _auth_test_error(exc, client.base_url) from None
    except (OSError, SlackClientError) as exc:  # no answer: refused, unknown host, timeout, TLS
        pool.shutdown(wait=False)
        reason = getattr(exc, "reason", None) or exc
        raise SettingsError(f"cannot reach Slack's Web API at {client.base_url} ({_one_line(reason)})",
                            f"check {API_URL_HINT}, and this machine's network and proxy settings") from None
    app.listener_pool = pool
    app.http_signing_secret = None if socket_mode else settings.slack_signing_secret
    app.services = Services(engine, runtime, settings, client)
    register_all(app, app.services)

    @app.error
    def on_error(error: Exception, body: dict) -> None:  # type: ignore[type-arg]
        logging.getLogger("assistant.slack").error("a Slack request failed: %s", error, exc_info=error)

    return app
