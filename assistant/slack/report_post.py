"""``/assistant report [since]``: the summary chart as a PNG in the channel, with the
headline numbers as its comment (the same figures as ``assistant report``)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from assistant.domain.errors import AssistantError
from assistant.insights.log import parse_since
from assistant.slack.views.elements import duration
from assistant.slack.views.errors import error_text
from assistant.slack.views.mrkdwn import escape

if TYPE_CHECKING:
    from assistant.slack.services import Services

log = logging.getLogger("assistant.slack")


def headline_text(h: dict[str, Any], span: str) -> str:
    def share(v: float | None) -> str:
        return f"{v * 100:.0f}%" if v is not None else "n/a"
    median = duration(h["median_response_s"]) if h.get("median_response_s") is not None else "n/a"
    return (f"*Report, last {escape(span)}:* {h['mentions']} mentions, {h['answered']} answered "
            f"({share(h.get('answer_rate'))} of those that call for a reply); median response {median}; "
            f"{share(h.get('within_target_share'))} within {h['target_minutes']} min; drafts approved unchanged "
            f"{h['approved_unchanged']}, edited {h['edited']}, rejected {h['rejected']}; "
            f"{h['escalated']} escalated; {h['spikes']} spikes.")


def post_report(svc: Services, channel: str, span: str, response_url: str | None) -> None:
    """Render the chart off the request thread and upload it to ``channel``."""
    from assistant.insights.report import render_png

    try:
        since = parse_since(span)
        png, headline = render_png(svc.store, since, policy=svc.access.policy(svc.settings.brand))
        comment = headline_text(headline, span)
        svc.gateway.client.files_upload_v2(channel=channel, content=png, filename="assistant-report.png",
                                   title=f"Reply assistant report, last {span}", initial_comment=comment)
    except AssistantError as exc:
        _say(response_url, f"Could not make the report: {error_text(exc)}")
    except SlackApiError as exc:
        error = exc.response.get("error")
        hint = " (invite the app to this channel and give it the files:write scope)" \
            if error in ("not_in_channel", "missing_scope", "channel_not_found") else ""
        _say(response_url, f"Could not post the report: Slack answered {error}{hint}.")


def _say(response_url: str | None, text: str) -> None:
    log.warning("/assistant report: %s", text)
    if response_url:
        WebhookClient(response_url).send(text=text, response_type="ephemeral", replace_original=False)
