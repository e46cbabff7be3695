"""The message shortcut "Draft a reply": any Slack message becomes a mention with a review card.

Mentions forwarded into Slack by other integrations (Slack's RSS app, Zapier)
arrive as bot messages with attachments: their title, link and text are used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from slack_sdk.errors import SlackApiError

from assistant.domain.errors import AssistantError
from assistant.domain.models import Mention
from assistant.slack.views.mrkdwn import escape, unslack
from assistant.store import slack_sql as tables

if TYPE_CHECKING:
    from slack_bolt import Ack, App

    from assistant.slack.services import Services

HOSTS = {"bsky.app": "bluesky", "x.com": "x", "twitter.com": "x"}


def mention_from_message(message: dict[str, Any], channel: str, author: str | None = None) -> Mention:
    """A Mention from a Slack message (what Slack sends in events and shortcuts)."""
    parts = [message.get("text") or ""]
    url = None
    for att in message.get("attachments") or []:
        parts += [att.get("pretext") or "", att.get("title") or "", att.get("text") or att.get("fallback") or ""]
        url = url or att.get("title_link") or att.get("from_url") or att.get("original_url")
    text = unslack("\n".join(p for p in parts if p).strip())
    host = (urlparse(url).hostname or "").removeprefix("www.") if url else ""
    network = HOSTS.get(host) or ("mastodon" if url and "/@" in url else "slack")
    name = author or message.get("username") or (message.get("bot_profile") or {}).get("name") or message.get("user") or ""
    ts = message.get("ts") or ""
    return Mention(source="slack", external_id=f"{channel}-{ts}", author=name, text=text, url=url,
                   created_at=_ts_iso(ts), network=network)


def _ts_iso(ts: str) -> str | None:
    from datetime import UTC, datetime

    try:
        return datetime.fromtimestamp(float(ts), UTC).isoformat(timespec="seconds")
    except ValueError:
        return None


def user_name(svc: Services, user: str | None) -> str | None:
    return svc.gateway.user_name(user)


def draft_reply(svc: Services, body: dict[str, Any]) -> None:
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id") or ""
    ref = {"user": body["user"]["id"], "channel": channel, "response_url": body.get("response_url")}
    mention = mention_from_message(message, channel, user_name(svc, message.get("user")))
    if not mention.text.strip():
        svc.gateway.ephemeral(ref, "That message has no text to answer.")
        return
    svc.poster.add_mention(mention)
    existing = tables.card(svc.store, mention.key)
    review = svc.access.channel_for(svc.access.brand_of(mention.key), svc.store.triage(mention.key))
    if existing:
        svc.gateway.ephemeral(ref, f"This message already has a review card in <#{existing['channel']}>.")
        return
    svc.poster.publish(mention.key)
    where = "the review channel"
    if review:
        try:  # a channel link Slack renders needs the id: <#C123>, never <##name>
            where = f"<#{svc.access.channel_id(review)}>"
        except (AssistantError, SlackApiError):
            where = escape(review)
    svc.gateway.ephemeral(ref, f"✍️ Drafting a reply: the card will appear in {where}.")


def register(app: App, svc: Services) -> None:
    def on_draft_reply(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        draft_reply(svc, body)

    app.shortcut("draft_reply")(on_draft_reply)
