"""Who may act, and where things go in Slack: each brand's policy, its review and
escalation channels, its approvers, and the sentence a refused person reads.

The rules: approvers are the Slack user ids and user groups (S...) in settings or the
policy; when none are named, the members of the review channel. The person an escalated
mention is assigned to may act on it, and (ASSISTANT_ESCALATION_CHANNEL_APPROVERS, on by
default) so may the members of the policy's escalation channels. Every check fails closed.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError

from assistant import review
from assistant.domain.errors import AssistantError
from assistant.domain.models import Action, Triage
from assistant.slack.directory import Directory
from assistant.slack.views.mrkdwn import escape

if TYPE_CHECKING:
    from assistant.engine import Engine
    from assistant.policy.models import Policy
    from assistant.settings import Settings

log = logging.getLogger("assistant.slack")


class Access:
    def __init__(self, engine: Engine, settings: Settings, directory: Directory) -> None:
        self.engine = engine
        self.store = engine.store
        self.settings = settings
        self.directory = directory
        self._unreadable: set[str] = set()  # escalation channels whose members the app cannot read

    # -- policy, channels, approvers ----------------------------------------------------------

    def brand_of(self, mention_id: str) -> str | None:
        row = self.store.get_mention(mention_id)
        return row.get("brand") if row else None

    def policy(self, brand: str | None = None) -> Policy | None:
        try:
            return self.engine.policy(brand)
        except AssistantError:
            return None

    def review_channel(self, brand: str | None = None) -> str | None:
        """ASSISTANT_REVIEW_CHANNEL when it is set, else the policy's review.channel: the
        environment of one deployment beats the policy file it shares with others."""
        policy = self.policy(brand)
        return self.settings.review_channel or (policy.review.channel if policy else None)

    def channel_for(self, brand: str | None, triage: Triage | None) -> str | None:
        """Escalations go to their rule's channel when it names one; the rest to the review channel."""
        if triage is not None and triage.action is Action.ESCALATE and triage.team:
            return self.team_channel(brand, triage.team) or self.review_channel(brand)
        return self.review_channel(brand)

    def team_channel(self, brand: str | None, team: str) -> str | None:
        policy = self.policy(brand)
        for rule in policy.escalation if policy else []:
            if rule.channel and rule.team == team:
                return rule.channel
        return None

    def escalation_channels(self, brand: str | None) -> list[str]:
        policy = self.policy(brand)
        return list(dict.fromkeys(r.channel for r in (policy.escalation if policy else []) if r.channel))

    def approvers(self, brand: str | None = None) -> list[str]:
        policy = self.policy(brand)
        return [*self.settings.approvers, *(policy.review.approvers if policy else [])]

    def channel_id(self, channel: str) -> str:
        """A channel id for a configured channel, which may be a name such as ``#aurora-replies``."""
        return self.directory.channel_id(channel)

    # -- who may act --------------------------------------------------------------------------

    def is_approver(self, user: str, brand: str | None = None, mention_id: str | None = None) -> bool:
        """Whether ``user`` may decide for ``brand`` (and on ``mention_id``, which may be
        assigned to them): the rules in the module's docstring. Fails closed."""
        try:
            if mention_id is not None:
                owner = review.owner(self.store, mention_id)
                if owner and owner.get("assignee") == user:
                    return True
            if self.settings.escalation_channel_approvers and self._in_escalation_channel(user, brand):
                return True
            ids = self.approvers(brand)
            if ids:
                return user in ids or any(self.directory.in_group(user, g) for g in ids if g.startswith("S"))
            channel = self.review_channel(brand)
            return bool(channel) and self.directory.is_member(user, str(channel))
        except SlackApiError as exc:
            log.error("cannot check approvers: %s", exc.response.get("error"))
            return False
        except AssistantError as exc:
            log.error("cannot check approvers: %s", exc)
            return False

    def _in_escalation_channel(self, user: str, brand: str | None) -> bool:
        for channel in self.escalation_channels(brand):
            try:
                if self.directory.is_member(user, channel):
                    return True
            except (SlackApiError, AssistantError) as exc:  # not invited there: the other rules still apply
                if channel not in self._unreadable:  # said once, not at every click
                    self._unreadable.add(channel)
                    log.warning("cannot read the members of %s: %s", channel, exc)
        return False

    def refusal(self, brand: str | None = None) -> str:
        """What a person who may not decide reads (and how to become one who may)."""
        if self.approvers(brand):
            return ("Only approvers can do that, so nothing was changed. Ask an admin to add you to "
                    "ASSISTANT_APPROVERS or the policy's review.approvers.")
        channel = self.review_channel(brand)
        where = (f"<#{channel}>" if channel and re.fullmatch(r"[CG][A-Z0-9]+", channel)
                 else escape(channel) if channel else "the review channel")
        return f"Only members of {where} can do that, so nothing was changed. Join it first."

    def check_channels(self) -> list[str]:
        """At start: one line per configured channel the app cannot find or post to."""
        problems = []
        brands: list[str | None] = [*self.engine.policies.brands()] or [None]
        for channel in dict.fromkeys(c for b in brands for c in [self.review_channel(b)] if c):
            try:
                self.directory.check(channel)
            except AssistantError as exc:
                problems.append(f"review channel {channel}: {exc}")
            except SlackApiError as exc:
                problems.append(f"review channel {channel}: Slack answered {exc.response.get('error')}")
        return problems
