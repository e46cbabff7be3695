"""Buttons on the review card: approve, edit, regenerate, reject, escalate, hide, ignore, private."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from ...store import APPROVABLE_STATUSES, OPEN_STATUSES
from ...store import slack_sql as tables
from .. import blocks
from . import metadata_for, ref_from_action

if TYPE_CHECKING:
    from slack_bolt import Ack, App

    from ..services import Services

MODAL_ACTIONS = ("edit", "edit_failed", "regenerate", "reject", "escalate")
DIRECT_ACTIONS = ("approve", "hide", "ignore", "private", "retry")
REPLY_ACTIONS = ("approve", "edit", "edit_failed", "regenerate", "retry")  # not for a read-only source


def _allowed(svc: Services, mention_id: str, ref: dict[str, Any], action: str) -> bool:
    if not svc.is_approver(ref["user"], svc.brand_of(mention_id)):
        svc.ephemeral(ref, svc.refusal(svc.brand_of(mention_id)))
        return False
    if action in REPLY_ACTIONS and not svc.can_reply(mention_id):
        svc.ephemeral(ref, "This source is read-only: nothing can be posted to it from here, so nothing was "
                           "changed. Open the original to answer there.")
        svc.in_background(svc.update_card, mention_id, ref)
        return False
    if action == "edit_failed":  # a corrected reply replaces one that failed for good
        return svc.still_open(mention_id, ref, APPROVABLE_STATUSES)
    if action == "retry":
        return svc.still_open(mention_id, ref, ("failed",))
    return svc.still_open(mention_id, ref, OPEN_STATUSES)


def on_direct(svc: Services, body: dict[str, Any], action: dict[str, Any]) -> None:
    """Approve / Hide / Ignore / Move to private: runs after ack(), on Bolt's listener thread."""
    mention_id, draft_id = blocks.parse_value(action.get("value"))
    ref = ref_from_action(body)
    name = action["action_id"]
    if not _allowed(svc, mention_id, ref, name):
        return
    if name == "approve":
        svc.approve(mention_id, draft_id, ref)
    elif name == "retry":
        svc.retry(mention_id, ref)
    elif name in ("hide", "ignore"):
        svc.decide(mention_id, name, ref)
    elif name == "private":
        if tables.add_follow_up(svc.store, mention_id, ref["user"]):
            svc.ephemeral(ref, "Recorded: the conversation moves to a private message. The card stays open "
                               "until someone approves a public update for the thread.")
        svc.in_background(svc.update_card, mention_id, ref)


def open_modal(svc: Services, body: dict[str, Any], action: dict[str, Any], client: Any = None) -> None:
    """Edit / Regenerate / Reject / Escalate open a modal (the trigger_id is valid for 3 s)."""
    mention_id, draft_id = blocks.parse_value(action.get("value"))
    ref = ref_from_action(body)
    name = action["action_id"]
    if not _allowed(svc, mention_id, ref, name):
        return
    meta = metadata_for(ref)
    if name in ("edit", "edit_failed"):
        latest = svc.store.latest_draft(mention_id)
        row = svc.store.get_mention(mention_id) or {}
        policy = svc.policy(row.get("brand"))
        text = (latest[1].text if latest else None) or ""
        title = "Edit and post"
        if row.get("status") == "failed":  # start from the text that failed, not the model's draft
            failed = tables.outbox_for(svc.store, mention_id)
            text = (failed or {}).get("text") or text
            title = "Edit and approve again"
        view = blocks.edit_modal(mention_id, latest[0] if latest else None, text, row.get("network"),
                                 policy.voice.limit_for(row.get("network")) if policy else None, meta, title)
    elif name == "regenerate":
        view = blocks.regenerate_modal(mention_id, meta)
    elif name == "reject":
        view = blocks.reason_modal("reject_submit", "Reject the draft", "Reject", mention_id, meta,
                                   label="Why? (helps the next draft)")
    else:
        policy = svc.policy(svc.brand_of(mention_id))
        teams = sorted({r.team for r in policy.escalation}) if policy else []
        view = blocks.escalate_modal(mention_id, teams, meta)
    try:
        svc.client.views_open(trigger_id=body["trigger_id"], view=view)
    except SlackApiError as exc:
        svc.ephemeral(ref, f"Could not open the form ({exc.response.get('error')}); click the button again.")


def register(app: App, svc: Services) -> None:
    def direct(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        on_direct(svc, body, action)

    def modal(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        open_modal(svc, body, action)

    def link(ack: Ack) -> None:
        ack()  # a link button: Slack opens the URL; the click is still sent here and must be answered

    for name in DIRECT_ACTIONS:
        app.action(name)(direct)
    for name in MODAL_ACTIONS:
        app.action(name)(modal)
    app.action("open_original")(link)
