"""App Home: the queue, today's figures, the policy in force and whether its last reload failed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...store import slack_sql as tables
from .. import blocks
from .commands import policy_lines

if TYPE_CHECKING:
    from slack_bolt import App

    from ..services import Services


def home(svc: Services) -> dict[str, Any]:
    registry = svc.engine.policies
    try:
        # no parsing here (a request thread): the registry's background check re-reads the files
        registry.start()
        lines = policy_lines(svc)
    except Exception as exc:
        lines = [f"could not load policies: {exc}"]
    return blocks.home_view(tables.stats(svc.store), lines, dict(registry.errors), tables.open_follow_ups(svc.store))


def publish(svc: Services, user: str) -> None:
    svc.client.views_publish(user_id=user, view=home(svc))


def register(app: App, svc: Services) -> None:
    def opened(event: dict[str, Any]) -> None:
        if event.get("tab", "home") == "home":
            publish(svc, event["user"])

    app.event("app_home_opened")(opened)
