"""Who and where in Slack: channel names to ids, channel members, user-group members.

Answers are cached for a minute (``cache_seconds``): approver checks run on every click,
and Slack rate-limits conversations.members and usergroups.users.list.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from assistant.domain.errors import AssistantError

CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,}")


class Directory:
    def __init__(self, client: WebClient, cache_seconds: float = 60.0) -> None:
        self.client = client
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, set[str]]] = {}
        self._lock = threading.Lock()

    def _cached(self, key: str, fetch: Callable[[], set[str]]) -> set[str]:
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
            if hit and now - hit[0] < self.cache_seconds:
                return hit[1]
        value = fetch()
        with self._lock:
            self._cache[key] = (now, value)
        return value

    def _pages(self, method: Callable[..., Any], key: str, **params: object) -> list[Any]:
        items: list[Any] = []
        cursor = None
        while True:
            resp = method(cursor=cursor, **params)
            items.extend(resp.get(key) or [])
            cursor = (resp.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return items

    def channel_id(self, channel: str) -> str:
        """The id of a configured channel, which may be a name such as ``#aurora-replies``."""
        if CHANNEL_ID.fullmatch(channel):
            return channel
        name = channel.lstrip("#")

        def fetch() -> set[str]:
            found = self._pages(self.client.conversations_list, "channels", limit=1000, exclude_archived=True,
                                types="public_channel,private_channel")
            return {f"{c['name']}={c['id']}" for c in found}
        for pair in self._cached("channels", fetch):
            key, _, value = pair.partition("=")
            if key == name:
                return value
        raise AssistantError("no channel named {channel} that the app can see",
                             "invite the app to it, or set the channel id (C...) instead of its name",
                             code="slack.channel_unknown", params={"channel": channel})

    def check(self, channel: str) -> str:
        """The id of a configured channel that exists and that the app can see; an
        AssistantError saying what to fix otherwise (at start, not at every card)."""
        cid = self.channel_id(channel)
        try:
            self.client.conversations_info(channel=cid)
        except SlackApiError as exc:
            error = exc.response.get("error")
            raise AssistantError("Slack answers {error} for channel {channel}",
                                 "use the id at the bottom of the channel's About tab, and invite the app "
                                 "there with /invite", code="slack.channel_refused",
                                 params={"error": error, "channel": channel}) from None
        return cid

    def same_channel(self, a: str | None, b: str | None) -> bool:
        """Whether two configured channels (ids or ``#names``) are the same one."""
        if not a or not b:
            return False
        try:
            return self.channel_id(a) == self.channel_id(b)
        except AssistantError:
            return a == b

    def members(self, channel: str) -> set[str]:
        cid = self.channel_id(channel)
        return self._cached(f"channel:{cid}", lambda: set(
            self._pages(self.client.conversations_members, "members", channel=cid, limit=1000)))

    def is_member(self, user: str, channel: str) -> bool:
        return user in self.members(channel)

    def in_group(self, user: str, group: str) -> bool:
        return user in self._cached(f"group:{group}", lambda: set(
            self.client.usergroups_users_list(usergroup=group).get("users") or []))
