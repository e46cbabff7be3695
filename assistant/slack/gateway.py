"""The Slack Web API as the app uses it: one ``SlackGateway`` over slack_sdk's WebClient.

Everything the app sends to Slack goes through here: post a review card (once), redraw a
message, a note in a card's thread, a message only one person sees, a direct message or a
channel message, a modal, App Home, and looking a card up again by its metadata. The
callers decide what to say (``views/``) and when; this module knows how Slack is asked.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient

from assistant.slack.links import MessageLinks
from assistant.slack.views.elements import clip, md

log = logging.getLogger("assistant.slack")

Ref = dict[str, Any]  # where a card lives: {"channel", "ts"} or {"response_url"}, plus "user"

# The metadata each review card is posted with (Slack's message metadata): after a crash or a
# lost answer between chat.postMessage and saving the card's ts, the card is found again in its
# channel by conversations.history (include_all_metadata) instead of being posted twice.
CARD_EVENT = "assistant_review_card"
CARD_LOOKBACK_S = 600  # how far before the claim the channel is searched (clocks differ)


def api_base_url(url: str | None) -> str:
    """The Web API base URL; ASSISTANT_SLACK_API_URL may name it with or without /api/."""
    if not url:
        return WebClient.BASE_URL
    url = url.rstrip("/")
    if not url.endswith("/api"):
        url += "/api"
    return url + "/"


def make_client(settings: Any, token: str | None = None) -> WebClient:
    """A Web API client that waits out 429s (Retry-After) and retries 5xx and dropped connections."""
    return WebClient(
        token=token or settings.slack_bot_token,
        base_url=api_base_url(settings.slack_api_url),
        timeout=15,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=2),
                        RateLimitErrorRetryHandler(max_retry_count=8),
                        ServerErrorRetryHandler(max_retry_count=2)],
    )


def card_metadata(mention_id: str) -> dict[str, Any]:
    return {"event_type": CARD_EVENT, "event_payload": {"mention_id": mention_id}}


def card_client(client: WebClient) -> WebClient:
    """The client for chat.postMessage of review cards: waits out 429s (nothing was posted)
    but never re-sends after a dropped connection or a 5xx (something may have been)."""
    return WebClient(token=client.token, base_url=client.base_url, timeout=client.timeout,
                     retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=8)])


class SlackGateway:
    """The app's calls to Slack. ``client`` retries what is safe to retry; review cards are
    posted with ``card_client``, which does not re-send chat.postMessage after a dropped
    connection or a 5xx (the first may have landed: the poster looks for it instead)."""

    def __init__(self, client: WebClient) -> None:
        self.client = client
        self.card_client = card_client(client)
        self.links = MessageLinks(client)

    # -- messages ---------------------------------------------------------------------------

    def post_card(self, channel: str, text: str, blocks: list[Any], mention_id: str) -> Any:
        """Post a review card, with the metadata it is found again by. Raises what Slack raises."""
        return self.card_client.chat_postMessage(channel=channel, text=text, blocks=blocks, unfurl_links=False,
                                                 unfurl_media=False, metadata=card_metadata(mention_id))

    def post(self, channel: str, text: str, blocks: list[Any] | None = None, thread_ts: str | None = None) -> Any:
        """A message in a channel (or its thread, or a person's DM when ``channel`` is a user id)."""
        kwargs: dict[str, Any] = {"blocks": blocks} if blocks is not None else {}
        if thread_ts is not None:
            kwargs["thread_ts"] = thread_ts
        return self.client.chat_postMessage(channel=channel, text=text, unfurl_links=False, unfurl_media=False,
                                            **kwargs)

    def dm(self, user: str, text: str, blocks: list[Any] | None = None) -> Any:
        """A direct message from the app to one person."""
        return self.post(user, text, blocks)

    def update(self, channel: str, ts: str, text: str, blocks: list[Any]) -> None:
        """Redraw a message in place."""
        self.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)

    def replace_original(self, response_url: str, text: str, blocks: list[Any] | None = None) -> None:
        """Replace the message a response_url belongs to (an ephemeral /reply card)."""
        kwargs: dict[str, Any] = {"blocks": blocks} if blocks is not None else {}
        WebhookClient(response_url).send(text=text, replace_original=True, **kwargs)

    def update_card(self, where: dict[str, Any] | None, ref: Ref | None, text: str, blocks: list[Any]) -> None:
        """Redraw a review card: the stored message ``where`` ({"channel", "ts"}), else the
        ephemeral card that ``ref``'s response_url belongs to."""
        if where:
            self.update(where["channel"], where["ts"], text, blocks)
        elif ref and ref.get("response_url"):
            self.replace_original(ref["response_url"], text, blocks)

    def thread_note(self, channel: str, ts: str, text: str, quote: str | None = None) -> bool:
        """One line in a message's thread, with an optional quoted text. False (logged) when
        Slack refused it: a note is history, never worth failing the caller for."""
        extra = []
        if quote:
            body, _ = clip(quote, 2900, "text")
            extra = [{"type": "rich_text", "elements": [
                {"type": "rich_text_quote", "elements": [{"type": "text", "text": body}]}]}]
        try:
            self.client.chat_postMessage(channel=channel, thread_ts=ts, text=text,
                                         blocks=[{"type": "section", "text": md(text)}, *extra],
                                         unfurl_links=False, unfurl_media=False)
        except SlackApiError as exc:
            log.warning("could not add to the thread of %s in %s: %s", ts, channel, exc.response.get("error"))
            return False
        return True

    def ephemeral(self, ref: Ref, text: str) -> None:
        """A message only ``ref['user']`` sees, next to the card (or through its response_url)."""
        try:
            if ref.get("channel") and not ref.get("ephemeral"):
                self.client.chat_postEphemeral(channel=ref["channel"], user=ref["user"], text=text)
            elif ref.get("response_url"):
                WebhookClient(ref["response_url"]).send(text=text, response_type="ephemeral",
                                                        replace_original=False)
        except SlackApiError as exc:
            log.error("could not tell %s: %s (%s)", ref.get("user"), text, exc.response.get("error"))

    def permalink(self, channel: str, ts: str) -> str | None:
        """A link to a message: Slack's permalink (it works on Enterprise Grid and GovSlack too),
        else the archives URL on the workspace's own host (``assistant.slack.links``)."""
        return self.links.link(channel, ts)

    # -- views and people -------------------------------------------------------------------

    def open_view(self, trigger_id: str, view: dict[str, Any]) -> None:
        """Open a modal (the trigger_id is valid for 3 s). Raises SlackApiError."""
        self.client.views_open(trigger_id=trigger_id, view=view)

    def publish_home(self, user: str, view: dict[str, Any]) -> None:
        self.client.views_publish(user_id=user, view=view)

    def user_name(self, user: str | None) -> str | None:
        """A person's real name (or handle), or None when Slack does not say."""
        if not user:
            return None
        try:
            profile = self.client.users_info(user=user)["user"]
            return profile.get("real_name") or profile.get("name")
        except Exception as exc:
            log.warning("users.info %s failed: %s", user, exc)
            return None

    # -- finding cards again ----------------------------------------------------------------

    def find_cards(self, channel: str, wanted: set[str], since: float) -> dict[str, str]:
        """The ts of each wanted mention's review card posted in ``channel`` (an id) since
        ``since`` (epoch seconds), found by the metadata it was posted with. Raises when the
        channel cannot be read."""
        found: dict[str, str] = {}
        cursor = None
        for _ in range(50):  # at most 10,000 messages back
            resp = self.client.conversations_history(channel=channel, oldest=f"{since:.6f}", limit=200,
                                                     include_all_metadata=True, cursor=cursor)
            for message in resp.get("messages") or []:
                meta = message.get("metadata") or {}
                mention_id = (meta.get("event_payload") or {}).get("mention_id")
                if meta.get("event_type") == CARD_EVENT and mention_id in wanted:
                    found.setdefault(mention_id, message["ts"])  # newest first
            cursor = (resp.get("response_metadata") or {}).get("next_cursor")
            if found.keys() >= wanted or not cursor:
                break
        return found
