"""Modal submissions: the edited reply (validated inline), regenerate, reject this draft, no reply
needed, escalate, hide, move to private message. Each decision is the review core's."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from assistant import review
from assistant.drafting.prompt import INSTRUCTIONS as PROMPT_INSTRUCTIONS
from assistant.slack.requests import ref_from_view
from assistant.slack.views.elements import md, plain
from assistant.slack.views.modals import INSTRUCTIONS
from assistant.store import StaleDecision

if TYPE_CHECKING:
    from slack_bolt import Ack, App

    from assistant.slack.services import Services

log = logging.getLogger("assistant.slack")


def _value(view: dict[str, Any], block: str) -> Any:
    """The value of the (single) input element in ``block`` of a submitted view."""
    state: dict[str, Any] = ((view.get("state") or {}).get("values") or {}).get(block) or {}
    element: dict[str, Any] = next(iter(state.values()), {}) if state else {}
    if element.get("type") == "static_select":
        return (element.get("selected_option") or {}).get("value")
    if element.get("type") == "users_select":
        return element.get("selected_user")
    return element.get("value")


def validate_reply(svc: Services, mention_id: str, text: str, user: str | None = None) -> str | None:
    """The first problem with an edited reply, as an inline error, or None. The rules are the
    review core's (``review.check_edit``: the same text submitted again by the same person
    accepts the warnings; a colleague who submits it has not seen them, so is warned too);
    here they are only said. StaleDecision when the mention cannot take a reply any more."""
    check = review.check_edit(svc.review, mention_id, user, text)
    if check.errors and not check.guard:  # empty, too long, or the network refuses it
        return _fit(check.errors[0])
    if check.errors:
        # What blocks for good comes first and says so; the warnings are only named.
        blocked = "Blocked, fix the text (submitting it again will not post it): " + "; ".join(
            _clip(e, 140) for e in check.errors)
        warned = ("; warnings only: " + ", ".join(w.split(":", 1)[0] for w in check.warnings)
                  if check.warnings else "")
        return _fit(_clip(blocked, ERROR_LIMIT - len(warned)) + warned)
    if check.warn:
        return _fit("Warning only: " + _clip("; ".join(check.warnings), 200) + " (submit again to post anyway)")
    return None


# What the form shows under the reply (one inline error).
ERROR_LIMIT = 400


def _clip(line: str, limit: int) -> str:
    return line if len(line) <= limit else line[:limit - 1] + "…"


def _fit(line: str) -> str:
    return _clip(line, ERROR_LIMIT)


def edit_submit(svc: Services, ack: Ack, body: dict[str, Any]) -> None:
    meta, ref = ref_from_view(body)
    mention_id = meta["m"]
    text = (_value(body["view"], "reply") or "").strip()
    brand = svc.access.brand_of(mention_id)
    if not svc.access.is_approver(ref["user"], brand, mention_id):
        ack(response_action="errors", errors={"reply": svc.access.refusal(brand)[:280]})
        return
    try:  # open, or failed for good (a corrected reply replaces the one that failed): the core's rule
        problem = validate_reply(svc, mention_id, text, ref["user"])
    except StaleDecision as exc:
        ack(response_action="errors", errors={"reply": f"Already {exc.status}: nothing was posted."})
        svc.cards.redraw_later(mention_id, ref)
        return
    if problem:
        ack(response_action="errors", errors={"reply": problem})
        return
    ack()
    svc.decisions.approve_text(mention_id, text, ref, accept_warnings=True)


def regenerate_submit(svc: Services, ack: Ack, body: dict[str, Any]) -> None:
    ack()
    meta, ref = ref_from_view(body)
    mention_id = meta["m"]
    preset = _value(body["view"], "preset")
    preset = preset if preset in INSTRUCTIONS else None
    free = (_value(body["view"], "instruction") or "").strip()
    label = ", ".join(filter(None, [preset, free and "your note"])) or "again"
    if svc.decisions.still_open(mention_id, ref):
        svc.poster.regenerate(mention_id, instruction_for(preset, free), ref, label)


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
    if svc.access.is_approver(ref["user"], svc.access.brand_of(mention_id), mention_id):
        return True
    svc.gateway.ephemeral(ref, svc.access.refusal(svc.access.brand_of(mention_id)))
    return False


def reject_submit(svc: Services, ack: Ack, body: dict[str, Any]) -> None:
    """Reject this draft: the mention stays open for another one."""
    ack()
    meta, ref = ref_from_view(body)
    if _decider(svc, ref, meta["m"]):
        svc.decisions.reject_draft(meta["m"], meta.get("d"), (_value(body["view"], "reason") or "").strip() or None, ref)


def no_reply_submit(svc: Services, ack: Ack, body: dict[str, Any]) -> None:
    """No reply needed: closes the mention, with the reason."""
    ack()
    meta, ref = ref_from_view(body)
    if _decider(svc, ref, meta["m"]):
        svc.decisions.no_reply(meta["m"], (_value(body["view"], "reason") or "").strip() or None, ref)


def hide_submit(svc: Services, ack: Ack, body: dict[str, Any]) -> None:
    ack()
    meta, ref = ref_from_view(body)
    if _decider(svc, ref, meta["m"]):
        svc.workers.io_work(svc.decisions.hide, meta["m"], (_value(body["view"], "reason") or "").strip() or None, ref)


def private_submit(svc: Services, ack: Ack, body: dict[str, Any]) -> None:
    ack()
    meta, ref = ref_from_view(body)
    if _decider(svc, ref, meta["m"]):
        text = (_value(body["view"], "reason") or "").strip() or None
        svc.workers.io_work(svc.decisions.move_to_private, meta["m"], text, ref)


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
        svc.decisions.escalate(mention_id, person, team, (_value(body["view"], "reason") or "").strip() or None, ref)


def unreadable(svc: Services, ack: Ack, body: dict[str, Any]) -> bool:
    """True (and the form answered with one line, and one log line) when a submission's
    metadata is not ours or names a mention that is not in the database: nothing is changed."""
    callback = (body.get("view") or {}).get("callback_id")
    user = (body.get("user") or {}).get("id")
    try:
        meta, _ = ref_from_view(body)
    except ValueError as exc:
        log.warning("ignored a %s form from %s: %s", callback, user, exc)
        _closing(ack, "This form's data could not be read, so nothing was changed. Open the form again "
                      "from the mention's review card.")
        return True
    if svc.store.get_mention(meta["m"]) is None:
        log.warning("ignored a %s form from %s: no mention %r", callback, user, meta["m"][:200])
        _closing(ack, "This form's mention is no longer in the database, so nothing was changed.")
        return True
    return False


def _closing(ack: Ack, line: str) -> None:
    ack(response_action="update", view={"type": "modal", "title": plain("Nothing was changed"),
                                        "close": plain("Close"), "blocks": [{"type": "section", "text": md(line)}]})


SUBMITS = {"edit_submit": edit_submit, "regenerate_submit": regenerate_submit, "reject_submit": reject_submit,
           "escalate_submit": escalate_submit, "no_reply_submit": no_reply_submit, "hide_submit": hide_submit,
           "private_submit": private_submit}


def register(app: App, svc: Services) -> None:
    def bind(handler: Any) -> Any:
        def submitted(ack: Ack, body: dict[str, Any]) -> None:
            if not unreadable(svc, ack, body):
                handler(svc, ack, body)
        return submitted

    for callback, handler in SUBMITS.items():
        app.view(callback)(bind(handler))
