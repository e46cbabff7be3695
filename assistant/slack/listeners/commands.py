"""Slash commands: ``/reply <text or link>`` and ``/assistant queue | stats | policy | report | help``."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from assistant.domain import models as domain
from assistant.slack.report_post import post_report
from assistant.slack.views.elements import notice_blocks
from assistant.slack.views.help import HELP
from assistant.slack.views.home import home_view, queue_blocks
from assistant.slack.views.mrkdwn import escape, unslack
from assistant.store import slack_sql as tables

if TYPE_CHECKING:
    from slack_bolt import Ack, App

    from assistant.slack.services import Services

LINK = re.compile(r"<?(https?://[^\s|>]+)(?:\|[^>]*)?>?")


def reply(svc: Services, ack: Ack, command: dict[str, Any]) -> None:
    text = (command.get("text") or "").strip()
    if not text:
        ack(text="Usage: `/reply <text or link>`: paste the comment to answer, or a link to a stored mention.")
        return
    match = LINK.fullmatch(text)
    mention_id = tables.find_mention_by_url(svc.store, match.group(1)) if match else None
    if mention_id is None:
        # Slack sends the text with its own markup (<http..|..>, &amp;): store it as a person would read it
        plain = unslack(text)
        mention = domain.Mention(source="manual", external_id=f"slack-reply-{command.get('trigger_id') or domain.utcnow().timestamp()}",
                                 author=command.get("user_name") or command.get("user_id") or "", text=plain,
                                 url=match.group(1) if match else None, created_at=domain.utcnow().isoformat())
        mention_id = svc.poster.add_mention(mention)
    ack(text="✍️ Drafting a reply …")
    svc.workers.model_work(svc.poster.reply_card, mention_id, command["response_url"])


def card_links(svc: Services, ids: list[str]) -> dict[str, str]:
    """Links to the cards: Slack's permalinks, asked together within the 3 s Slack allows
    (``assistant.slack.links``)."""
    cards = {mention_id: (card["channel"], card["ts"]) for mention_id in ids
             if (card := tables.card(svc.store, mention_id))}
    return svc.gateway.links.links(cards)


def _no_paths(text: str) -> str:
    """A policy error as shown in Slack: file names, never the server's folders."""
    return re.sub(r"(?:[A-Za-z]:)?(?:[\\/][\w .@~+-]+)+[\\/]([\w.@+-]+\.ya?ml)", r"\1", text)


def public_errors(svc: Services) -> dict[str, list[str]]:
    return {brand: [_no_paths(p) for p in problems] for brand, problems in dict(svc.engine.policies.errors).items()}


def policy_lines(svc: Services) -> list[str]:
    registry = svc.engine.policies
    lines = []
    for brand in registry.brands():
        p = registry.get(brand)
        approvers = ", ".join([*svc.settings.approvers, *p.review.approvers]) or "members of the review channel"
        lines.append(f"{p.brand.name} ({brand}): languages {', '.join(p.languages)}; "
                     f"review channel {svc.access.review_channel(brand) or 'not set'}; "
                     f"approvers {approvers}; {len(p.escalation)} escalation rules")
    return lines


def assistant(svc: Services, ack: Ack, command: dict[str, Any]) -> None:
    words = (command.get("text") or "").split()
    sub = words[0].lower() if words else "help"
    if sub == "queue":
        shown = svc.store.queue(limit=15)
        total = tables.stats(svc.store)["waiting"]  # every open mention, not only the page shown
        ack(text=f"{total} waiting", blocks=queue_blocks(shown, card_links(svc, [r["id"] for r in shown]),
                                                               total))
    elif sub == "stats":
        s = tables.stats(svc.store)
        view = home_view(s, [], {}, [])
        ack(text="Today's figures", blocks=view["blocks"][1:3])
    elif sub == "policy":
        try:
            # no parsing here (Slack wants the ack within 3 s): the background check re-reads the files
            svc.engine.policies.start()
            lines = policy_lines(svc)
        except Exception as exc:  # a broken folder: say what and how to fix it
            lines = [f"could not load policies: {exc}"]
        view = home_view(tables.stats(svc.store), lines, public_errors(svc), [])
        ack(text="Policy in force", blocks=[b for b in view["blocks"] if b.get("block_id", "").startswith("policy")])
    elif sub == "report":
        span = words[1] if len(words) > 1 else "30d"
        ack(text=f"📊 Making the report for the last {escape(span)} …")
        svc.workers.io_work(post_report, svc, command.get("channel_id") or "", span, command.get("response_url"))
    elif sub == "help":
        ack(text="Reply assistant help", blocks=notice_blocks(HELP))
    else:
        ack(text=f"Unknown command `{escape(sub)}`. Try `/assistant help`.")


def register(app: App, svc: Services) -> None:
    def on_reply(ack: Ack, command: dict[str, Any]) -> None:
        reply(svc, ack, command)

    def on_assistant(ack: Ack, command: dict[str, Any]) -> None:
        assistant(svc, ack, command)

    app.command("/reply")(on_reply)
    app.command("/assistant")(on_assistant)
