"""Modal submissions: the edited reply (validated inline), regenerate, reject this draft, no reply
needed, escalate, hide, move to private message. Each decision is the review core's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ... import review
from ...drafting.prompt import INSTRUCTIONS as PROMPT_INSTRUCTIONS
from ...store import APPROVABLE_STATUSES
from ..blocks import INSTRUCTIONS
from . import ref_from_view

if TYPE_CHECKING:
    from slack_bolt import Ack, App

    from ..services import Services


def _value(view: dict[str, Any], block: str) -> Any:
    """The value of the (single) input element in ``block`` of a submitted view."""
    state: dict[str, Any] = ((view.get("state") or {}).get("values") or {}).get(block) or {}
    element: dict[str, Any] = next(iter(state.values()), {}) if state else {}
    if element.get("type") == "static_select":
        return (element.get("selected_option") or {}).get("value")
    if element.get("type") == "users_select":
        return element.get("selected_user")
    return element.get("value")


def validate_reply(svc: Services, mention_id: str, text: str) -> str | None:
    """The first problem with an edited reply, as an inline error, or None. The rules are the
    review core's; what is remembered here is only that this person was warned about this text
    (the same text submitted again accepts the warnings)."""
    check = review.check_text(svc.review, mention_id, text)
    if check.errors:
        return _fit(check.errors[0])
    if check.warnings and svc.warned_edits.get(mention_id) != text.strip():
        svc.warned_edits[mention_id] = text.strip()
        return _fit("Check: " + "; ".join(check.warnings)[:200] + " (submit again to use it anyway)")
    return None


def _fit(line: str) -> str:
    return line if len(line) <= 280 else line[:277] + "…"


def edit_submit(svc: Services, ack: Ack, body: dict[str, Any]) -> None:
    meta, ref = ref_from_view(body)
    mention_id = meta["m"]
    text = (_value(body["view"], "reply") or "").strip()
    brand = svc.brand_of(mention_id)
    if not svc.is_approver(ref["user"], brand, mention_id):
        ack(response_action="errors", errors={"reply": svc.refusal(brand)[:280]})
        return
    row = svc.store.get_mention(mention_id)
    # Open, or failed for good: a corrected reply replaces the one that failed.
    if row is None or row["status"] not in APPROVABLE_STATUSES:
        ack(response_action="errors", errors={"reply": f"Already {row['status'] if row else 'removed'}: nothing was posted."})
        svc.in_background(svc.update_card, mention_id, ref)
        return
    problem = validate_reply(svc, mention_id, text)
    if problem:
        ack(response_action="errors", errors={"reply": problem})
        return
    ack()
    svc.warned_edits.pop(mention_id, None)
    svc.approve_text(mention_id, text, ref, accept_warnings=True)


def regenerate_submit(svc: Services, ack: Ack, body: dict[str, Any]) -> None:
    ack()
    meta, ref = ref_from_view(body)
    mention_id = meta["m"]
    preset = _value(body["view"], "preset")
    preset = preset if preset in INSTRUCTIONS else None
    free = (_value(body["view"], "instruction") or "").strip()
    label = ", ".join(filter(None, [preset, free and "your note"])) or "again"
    if svc.still_open(mention_id, ref):
        svc.regenerate(mention_id, instruction_for(preset, free), ref, label)


def instruction_for(preset: str | None, free: str) -> str | None:
    """What the drafter gets: a preset alone as its key ("shorter"), which the prompt maps to
    its own wording; the person's words as they wrote them; both together as the preset's
    prompt wording followed by the words (free text, which the prompt sanitises)."""
    if preset and not free:
        return preset
    if preset:
        return f"{PROMPT_INSTRUCTIONS.get(preset, INSTRUCTIONS[preset])} {free}"
    return free or None


def _decider(svc: Services, ref: dict[str, Any], mention_id: str) -> bool:
    if svc.is_approver(ref["user"], svc.brand_of(mention_id), mention_id):
        return True
    svc.ephemeral(ref, svc.refusal(svc.brand_of(mention_id)))
    return False


def reject_submit(svc: Services, ack: Ack, body: dict[str, Any]) -> None:
    """Reject this draft: the mention stays open for another one."""
    ack()
    meta, ref = ref_from_view(body)
    if _decider(svc, ref, meta["m"]):
        svc.reject_draft(meta["m"], meta.get("d"), (_value(body["view"], "reason") or "").strip() or None, ref)


def no_reply_submit(svc: Services, ack: Ack, body: dict[str, Any]) -> None:
    """No reply needed: closes the mention, with the reason."""
    ack()
    meta, ref = ref_from_view(body)
    if _decider(svc, ref, meta["m"]):
        svc.no_reply(meta["m"], (_value(body["view"], "reason") or "").strip() or None, ref)


def hide_submit(svc: Services, ack: Ack, body: dict[str, Any]) -> None:
    ack()
    meta, ref = ref_from_view(body)
    if _decider(svc, ref, meta["m"]):
        svc.in_background(svc.hide, meta["m"], (_value(body["view"], "reason") or "").strip() or None, ref)


def private_submit(svc: Services, ack: Ack, body: dict[str, Any]) -> None:
    ack()
    meta, ref = ref_from_view(body)
    if _decider(svc, ref, meta["m"]):
        text = (_value(body["view"], "reason") or "").strip() or None
        svc.in_background(svc.move_to_private, meta["m"], text, ref)


def escalate_submit(svc: Services, ack: Ack, body: dict[str, Any]) -> None:
    meta, ref = ref_from_view(body)
    mention_id = meta["m"]
    person = _value(body["view"], "person")
    team = _value(body["view"], "team")
    if not person and not team:
        ack(response_action="errors", errors={"person": "Choose a person or a team."})
        return
    ack()
    if _decider(svc, ref, mention_id):
        svc.escalate(mention_id, person, team, (_value(body["view"], "reason") or "").strip() or None, ref)


def register(app: App, svc: Services) -> None:
    def edit(ack: Ack, body: dict[str, Any]) -> None:
        edit_submit(svc, ack, body)

    def regenerate(ack: Ack, body: dict[str, Any]) -> None:
        regenerate_submit(svc, ack, body)

    def reject(ack: Ack, body: dict[str, Any]) -> None:
        reject_submit(svc, ack, body)

    def escalate(ack: Ack, body: dict[str, Any]) -> None:
        escalate_submit(svc, ack, body)

    app.view("edit_submit")(edit)
    app.view("regenerate_submit")(regenerate)
    app.view("reject_submit")(reject)
    app.view("escalate_submit")(escalate)

    def no_reply(ack: Ack, body: dict[str, Any]) -> None:
        no_reply_submit(svc, ack, body)

    def hide(ack: Ack, body: dict[str, Any]) -> None:
        hide_submit(svc, ack, body)

    def private(ack: Ack, body: dict[str, Any]) -> None:
        private_submit(svc, ack, body)

    app.view("no_reply_submit")(no_reply)
    app.view("hide_submit")(hide)
    app.view("private_submit")(private)
