"""App Home: what waits for me and for my teams, then the whole queue, oldest first, with links
to the cards; today's figures; the policy in force and whether its last reload failed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from assistant.domain.errors import AssistantError
from assistant.insights.superfans import superfans
from assistant.slack.listeners.commands import card_links, policy_lines, public_errors
from assistant.slack.views.home import home_view, superfan_blocks
from assistant.store import OPEN_STATUSES
from assistant.store import review_sql as assignments
from assistant.store import slack_sql as tables

if TYPE_CHECKING:
    from slack_bolt import App

    from assistant.slack.services import Services


def _my_teams(svc: Services, user: str, brand: str | None) -> set[str]:
    """The policy's teams whose escalation channel this person is a member of."""
    policy = svc.access.policy(brand)
    teams = set()
    for rule in policy.escalation if policy else []:
        if rule.channel and rule.team not in teams:
            try:
                if svc.access.directory.is_member(user, rule.channel):
                    teams.add(rule.team)
            except (SlackApiError, AssistantError):
                pass  # the app is not in that channel: nobody is "in" that team here
    return teams


def waiting_for(svc: Services, user: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(assigned to this person, assigned to their teams), oldest first."""
    rows = assignments.open_assigned(svc.store, OPEN_STATUSES)
    teams = _my_teams(svc, user, svc.settings.brand)
    mine = [r for r in rows if r.get("assignee") == user]
    team = [r for r in rows if r.get("team") in teams and r.get("assignee") != user]
    return mine, team


def home(svc: Services, user: str | None = None) -> dict[str, Any]:
    registry = svc.engine.policies
    try:
        # no parsing here (a request thread): the registry's background check re-reads the files
        registry.start()
        lines = policy_lines(svc)
    except Exception as exc:
        lines = [f"could not load policies: {exc}"]
    mine, team = waiting_for(svc, user) if user else ([], [])
    queue = svc.store.queue(limit=20)
    ids = [r["mention_id"] for r in mine + team] + [r["id"] for r in queue]
    view = home_view(tables.stats(svc.store), lines, public_errors(svc), tables.open_follow_ups(svc.store),
                            mine=mine, team=team, queue=queue, links=card_links(svc, ids))
    policy = svc.access.policy(svc.settings.brand)
    if policy is not None:  # the super-fans, after the figures (000-003: keep the fans in view)
        fans = superfan_blocks(superfans(svc.store, policy))
        view["blocks"] = [*view["blocks"][:99 - len(fans)], *fans]
    return view


def publish(svc: Services, user: str) -> None:
    svc.gateway.publish_home(user, home(svc, user))


def register(app: App, svc: Services) -> None:
    def opened(event: dict[str, Any]) -> None:
        if event.get("tab", "home") == "home":
            publish(svc, event["user"])

    app.event("app_home_opened")(opened)
