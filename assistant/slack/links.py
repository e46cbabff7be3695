"""Links to Slack messages (a review card, a spike's alert card) that work in every workspace.

Slack's own permalink (``chat.getPermalink``) is the link: it is on the workspace's host,
which is not ``slack.com`` on Enterprise Grid (``<org>.enterprise.slack.com``) or GovSlack
(``<x>.slack-gov.com``), where a hard-coded ``https://slack.com/archives/...`` does not open.
Only when Slack gives no permalink is the archives URL built, on the workspace's own URL
(``auth.test``'s ``url``); with neither, there is no link and the caller names the channel.

A message's permalink never changes, so each is asked once and remembered. A list of links
(the queue, App Home) is asked in parallel within a time budget: ``/assistant queue`` must
answer Slack within 3 seconds, so a link still missing by then is built instead.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger("assistant.slack")

WORKSPACE_URL = re.compile(r"https://[A-Za-z0-9.-]+(?::\d+)?/?")
REMEMBERED = 10_000  # permalinks kept (a card's never changes); the lot is dropped when full
RETRY_WORKSPACE_S = 60.0  # a failed auth.test is asked again after this long


def archives_link(workspace_url: str | None, channel: str, ts: str) -> str | None:
    """``<workspace url>/archives/<channel>/p<ts without its dot>``, the form Slack's permalinks
    have; None without a usable workspace URL (never a guessed host)."""
    if not workspace_url or not WORKSPACE_URL.fullmatch(workspace_url) or not channel or not ts:
        return None
    return f"{workspace_url.rstrip('/')}/archives/{channel}/p{ts.replace('.', '')}"


class MessageLinks:
    """Links to messages, through ``client``: the permalink, else the archives URL on the
    workspace's host, else None."""

    def __init__(self, client: WebClient) -> None:
        self.client = client
        self._permalinks: dict[tuple[str, str], str] = {}
        self._workspace: str | None = None
        self._workspace_asked = float("-inf")
        self._lock = threading.Lock()

    def workspace_url(self) -> str | None:
        """The workspace's own URL (``auth.test``), asked once; after a failure, again a minute later."""
        with self._lock:
            if self._workspace or time.monotonic() - self._workspace_asked < RETRY_WORKSPACE_S:
                return self._workspace
            self._workspace_asked = time.monotonic()
        try:
            url = self.client.auth_test().get("url")
        except SlackApiError as exc:
            log.warning("auth.test gave no workspace URL for links: %s", exc.response.get("error"))
            return None
        except Exception as exc:  # no answer at all: no link, and the page still shows
            log.warning("auth.test gave no workspace URL for links: %s", exc)
            return None
        with self._lock:
            self._workspace = str(url) if url else None
            return self._workspace

    def permalink(self, channel: str, ts: str) -> str | None:
        """Slack's permalink of a message, remembered; None if Slack gives none."""
        key = (channel, ts)
        with self._lock:
            known = self._permalinks.get(key)
        if known:
            return known
        try:
            link = self.client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
        except SlackApiError as exc:
            log.warning("no permalink for %s in %s: %s", ts, channel, exc.response.get("error"))
            return None
        except Exception as exc:
            log.warning("no permalink for %s in %s: %s", ts, channel, exc)
            return None
        if not link:
            return None
        with self._lock:
            if len(self._permalinks) >= REMEMBERED:
                self._permalinks.clear()
            self._permalinks[key] = str(link)
        return str(link)

    def link(self, channel: str, ts: str) -> str | None:
        """The permalink; the archives URL on the workspace's host when Slack gives none."""
        return self.permalink(channel, ts) or archives_link(self.workspace_url(), channel, ts)

    def links(self, messages: dict[str, tuple[str, str]], budget_s: float = 1.5) -> dict[str, str]:
        """``{key: link}`` for ``{key: (channel, ts)}``, the permalinks asked in parallel; those
        not answered within ``budget_s`` are built on the workspace's host (and remembered
        when their answer comes)."""
        with self._lock:
            found = {k: self._permalinks[m] for k, m in messages.items() if m in self._permalinks}
        asked = {k: m for k, m in messages.items() if k not in found}
        if asked:
            pool = ThreadPoolExecutor(max_workers=min(8, len(asked)), thread_name_prefix="permalink")
            futures = {k: pool.submit(self.permalink, *m) for k, m in asked.items()}
            wait(futures.values(), timeout=budget_s)
            pool.shutdown(wait=False)
            for k, future in futures.items():
                link = future.result() if future.done() else None
                link = link or archives_link(self.workspace_url(), *asked[k])
                if link:
                    found[k] = link
        return found
