"""Modal submissions: the edited reply (validated inline), regenerate, reject, escalate."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from ...drafting.prompt import INSTRUCTIONS as PROMPT_INSTRUCTIONS
from ...store import APPROVABLE_STATUSES
from .. import blocks
from ..blocks import INSTRUCTIONS, network_label, who
from ..services import log
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
    """The first problem with an edited reply, as an inline error, or None."""
    text = text.strip()
    if not text:
        return "Write a reply first."
    row = svc.store.get_mention(mention_id) or {}
    policy = svc.policy(row.get("brand"))
    if policy:
        limit = policy.voice.limit_for(row.get("network"))
        if len(text) > limit:
            return (f"Too long for {network_label(row.get('network'))}: {len(text)} characters, "
                    f"the limit is {limit} (cut {len(text) - limit}).")
    problems = svc.reply_problems(mention_id, text)
    if problems:
        return problems[0] if len(problems[0]) <= 280 else problems[0][:277] + "…"
    mention = svc.store.mention(mention_id)
    triage = svc.ensure_triage(mention_id)
    failed = [c for c in svc.engine.check(text, mention, triage, row.get("brand")) if not c.passed]
    # A sentence the policy does not back is a warning a person may override: the same
    # text submitted again is accepted (they know something the policy does not say).
    warnings = [c for c in failed if c.name in OVERRIDABLE]
    if warnings and len(warnings) == len(failed) and svc.warned_edits.get(mention_id) == text:
        return None
    if failed:
        line = "; ".join(f"{c.name}: {c.detail}" if c.detail else c.name for c in failed)
        if len(warnings) == len(failed):
            svc.warned_edits[mention_id] = text
            line = "Check: " + line[:200] + " (submit again to use it anyway)"
        return line if len(line) <= 280 else line[:277] + "…"
    return None


# Guard checks a person's edit may override by submitting it again; the others (links,
# codes, prices the policy lacks, disguised text, length) always block.
OVERRIDABLE = {"claims", "we_voice", "specific", "language", "gestures", "not_a_copy", "emoji"}


def edit_submit(svc: Services, ack: Ack, body: dict[str, Any]) -> None:
    meta, ref = ref_from_view(body)
    mention_id = meta["m"]
    text = (_value(body["view"], "reply") or "").strip()
    brand = svc.brand_of(mention_id)
    if not svc.is_approver(ref["user"], brand):
        ack(response_action="errors", errors={"reply": svc.refusal(brand)[:280]})
        return
    problem = validate_reply(svc, mention_id, text)
    if problem:
        ack(response_action="errors", errors={"reply": problem})
        return
    latest = svc.store.latest_draft(mention_id)
    drafted = (latest[1].text or "").strip() if latest else ""
    row = svc.store.get_mention(mention_id)
    # Open, or failed for good: a corrected reply replaces the one that failed.
    if row is None or row["status"] not in APPROVABLE_STATUSES:
        ack(response_action="errors", errors={"reply": f"Already {row['status'] if row else 'removed'}: nothing was posted."})
        svc.in_background(svc.update_card, mention_id, ref)
        return
    ack()
    svc.warned_edits.pop(mention_id, None)
    svc.record_approval(mention_id, text, latest[0] if latest else meta.get("d"), ref, edited=text != drafted)


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


def reject_submit(svc: Services, ack: Ack, body: dict[str, Any]) -> None:
    ack()
    meta, ref = ref_from_view(body)
    if svc.is_approver(ref["user"], svc.brand_of(meta["m"])):
        svc.decide(meta["m"], "reject", ref, (_value(body["view"], "reason") or "").strip() or None)
    else:
        svc.ephemeral(ref, svc.refusal(svc.brand_of(meta["m"])))


def escalate_submit(svc: Services, ack: Ack, body: dict[str, Any]) -> None:
    meta, ref = ref_from_view(body)
    mention_id = meta["m"]
    person = _value(body["view"], "person")
    team = _value(body["view"], "team")
    if not person and not team:
        errors = {"person": "Choose a person or a team."}
        ack(response_action="errors", errors=errors)
        return
    ack()
    brand = svc.brand_of(mention_id)
    if not svc.is_approver(ref["user"], brand):
        svc.ephemeral(ref, svc.refusal(brand))
        return
    note = (_value(body["view"], "reason") or "").strip()
    target = " and ".join(filter(None, [person and f"<@{person}>", team]))
    reason = f"to {target}" + (f": {note}" if note else "")
    if not svc.decide(mention_id, "escalate", ref, reason):
        return
    svc.in_background(_notify, svc, mention_id, person, team, note, ref)


def _notify(svc: Services, mention_id: str, person: str | None, team: str | None, note: str,
            ref: dict[str, Any]) -> None:
    """Tell the person (a direct message from the app) or the team's channel."""
    row = svc.store.get_mention(mention_id) or {}
    _, card = blocks.review_card(svc.card_data(mention_id))
    # The people we name are real mentions (we wrote them); the note someone typed is escaped.
    target = " and ".join(filter(None, [person and who(person), team and blocks.escape(team)]))
    intro = (f"📣 {who(ref['user'])} escalated a {blocks.escape(network_label(row.get('network')))} mention"
             f" to {target}" + (f": {blocks.escape(note)}" if note else ""))
    targets = []
    if person:
        targets.append(person)
    if team:
        channel = svc.team_channel(svc.brand_of(mention_id), team)
        if channel and channel != ref.get("channel"):
            targets.append(channel)
    for target in targets:
        try:
            svc.client.chat_postMessage(channel=target, text=intro, blocks=blocks.notice_blocks(intro) + card,
                                        unfurl_links=False)
        except SlackApiError as exc:
            log.error("could not notify %s: %s", target, exc.response.get("error"))
            svc.ephemeral(ref, f"Escalated, but {target} could not be told ({exc.response.get('error')}).")


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
