"""Buttons on the review card: approve, edit, regenerate, reject, escalate, hide, ignore, private."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from ...store import slack_sql as tables
from .. import blocks
from . import metadata_for, ref_from_action

if TYPE_CHECKING:
    from slack_bolt import Ack, App

    from ..services import Services

MODAL_ACTIONS = ("edit", "regenerate", "reject", "escalate")
DIRECT_ACTIONS = ("approve", "hide", "ignore", "private")


def _allowed(svc: Services, mention_id: str, ref: dict[str, Any]) -> bool:
    if not svc.is_approver(ref["user"], svc.brand_of(mention_id)):
        svc.ephemeral(ref, svc.refusal(svc.brand_of(mention_id)))
        return False
    return svc.still_open(mention_id, ref)


def on_direct(svc: Services, body: dict[str, Any], action: dict[str, Any]) -> None:
    """Approve / Hide / Ignore / Move to private: runs after ack(), on Bolt's listener thread."""
    mention_id, draft_id = blocks.parse_value(action.get("value"))
    ref = ref_from_action(body)
    if not _allowed(svc, mention_id, ref):
        return
    name = action["action_id"]
    if name == "approve":
        svc.approve(mention_id, draft_id, ref)
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
    if not _allowed(svc, mention_id, ref):
        return
    meta = metadata_for(ref)
    name = action["action_id"]
    if name == "edit":
        latest = svc.store.latest_draft(mention_id)
        row = svc.store.get_mention(mention_id) or {}
        policy = svc.policy(row.get("brand"))
        text = (latest[1].text if latest else None) or ""
        view = blocks.edit_modal(mention_id, latest[0] if latest else None, text, row.get("network"),
                                 policy.voice.limit_for(row.get("network")) if policy else None, meta)
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

    for name in DIRECT_ACTIONS:
        app.action(name)(direct)
    for name in MODAL_ACTIONS:
        app.action(name)(modal)
