"""Events API: messages in the intake channel become mentions (once, whatever Slack's retries)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assistant.slack.listeners.shortcuts import mention_from_message, user_name
from assistant.store import slack_sql as tables

if TYPE_CHECKING:
    from slack_bolt import App

    from assistant.slack.services import Services

SKIPPED_SUBTYPES = {"message_changed", "message_deleted", "channel_join", "channel_leave", "thread_broadcast",
                    "channel_topic", "channel_purpose", "channel_name", "pinned_item", "bot_add", "bot_remove"}


def on_message(svc: Services, body: dict[str, Any], event: dict[str, Any]) -> None:
    channel = event.get("channel")
    if not svc.settings.intake_channel or channel != svc.settings.intake_channel:
        return
    if event.get("subtype") in SKIPPED_SUBTYPES or event.get("hidden"):
        return
    if event.get("thread_ts") and event.get("thread_ts") != event.get("ts"):
        return  # replies in a thread are the team talking about a mention
    # Slack retries (X-Slack-Retry-Num) with the same event_id. The mention's key (channel and
    # ts) is what dedupes: storing it is idempotent, and so is posting its card (one claim per
    # mention). No separate "event seen" mark, which a crash before the store would turn into
    # a lost message whose retry is then ignored.
    mention = mention_from_message(event, channel, user_name(svc, event.get("user")))
    if not mention.text.strip():
        return
    svc.store.add_mentions([mention], svc.settings.brand)
    if tables.card(svc.store, mention.key) is None:
        svc.poster.publish(mention.key)  # also after a failure between storing and posting


def register(app: App, svc: Services) -> None:
    def message(body: dict[str, Any], event: dict[str, Any]) -> None:
        on_message(svc, body, event)

    app.event("message")(message)
