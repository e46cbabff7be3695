"""The review decisions as plain functions over the store: the rules live here, once.

Every review UI (the Slack listeners, ``assistant demo --interactive``, the CLI) calls
these, so the same rules hold everywhere:

* approve only the current draft (a stale card's click is refused), and only one
  that passed its guard; the connector's limits (length, read-only source) apply;
* an edited text gets the model's guard checks: some are warnings a person may
  override (``accept_warnings``, or the same text submitted again by the same person:
  ``check_edit``), the others always block;
* a decision on a mention someone already decided raises ``StaleDecision``;
* "reject this draft" and "escalate" keep the mention open; "no reply needed",
  hide and ignore close it.

Who may decide (Slack approvers, user groups) is the UI's business; what is decided is here.
The sentences here are plain text: a person is named by id in a placeholder (``Refused.people``),
which each UI renders its own way (a Slack mention, a terminal name).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.domain.errors import AssistantError
from assistant.domain.ports import NetworkAction
from assistant.domain.status import APPROVABLE, MentionStatus, is_open
from assistant.store import Approval, StaleDecision, Store
from assistant.store import review_sql as assignments
from assistant.store import slack_sql as follow_ups

if TYPE_CHECKING:
    from assistant.domain.ports import NetworkPort
    from assistant.engine import Engine

log = logging.getLogger("assistant.review")

# Guard checks a person's edit may override (they know something the policy does not
# say); the others always block: links, codes, prices, discounts and refunds the policy
# lacks ("facts", "links", "prices"), staff named in a complaint reply ("staff_named"), a
# sentence that contradicts the policy's facts ("contradicts_policy"), a sentence in
# another language ("other_language"), disguised text, prompt traces and length.
OVERRIDABLE = frozenset({"claims", "we_voice", "specific", "language", "gestures", "not_a_copy", "emoji"})


class Refused(AssistantError):
    """A decision that was not made, with the sentence to show the person. ``stale``: the
    card they acted on is out of date (redraw it). ``people``: the placeholders of ``template``
    that name a person (by user id); ``message`` has the ids, a UI renders them its own way
    (``render``). ``code`` says which refusal ("review.refused.no_draft", ...)."""

    code = "review.refused"

    def __init__(self, message: str, hint: str | None = None, stale: bool = False,
                 people: dict[str, str] | None = None, *, code: str | None = None,
                 params: dict[str, Any] | None = None) -> None:
        self.stale = stale
        super().__init__(message, hint, code=code, params=params, people=people)


NO_DRAFT = "There is no draft to approve yet; use Regenerate or Edit."
DRAFT_CHANGED = "The draft changed since this card was drawn; read the new one and approve again."
NO_DRAFT_ID = ("This button does not say which draft it approves, so nothing was changed. "
               "Read the draft on the current card and approve it there.")
DRAFT_REJECTED = ("This draft was rejected by {by}, so nothing was posted. Use Regenerate for another draft "
                  "or Edit to write the reply.")


class WarnedEdits:
    """Which edited text each person was last warned about, per mention: the same text
    submitted again by that person accepts the warnings (a colleague who submits it has not
    seen them). Bounded (the oldest are forgotten first; forgetting only means warning once
    more) and safe to use from the listeners' threads."""

    def __init__(self, limit: int = 1000) -> None:
        self.limit = limit
        self._seen: OrderedDict[tuple[str, str | None], str] = OrderedDict()
        self._lock = threading.Lock()

    def warned(self, mention_id: str, actor: str | None, text: str) -> bool:
        with self._lock:
            return self._seen.get((mention_id, actor)) == text

    def remember(self, mention_id: str, actor: str | None, text: str) -> None:
        with self._lock:
            self._seen[(mention_id, actor)] = text
            self._seen.move_to_end((mention_id, actor))
            while len(self._seen) > self.limit:
                self._seen.popitem(last=False)

    def forget(self, mention_id: str, actor: str | None) -> None:
        with self._lock:
            self._seen.pop((mention_id, actor), None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._seen)


@dataclass
class Review:
    """What the decisions need: the engine (store, policies, guard) and the network port
    (the connectors, behind the runtime)."""

    engine: Engine
    network: NetworkPort
    warned_edits: WarnedEdits = field(default_factory=WarnedEdits)

    @property
    def store(self) -> Store:
        return self.engine.store


@dataclass
class TextCheck:
    errors: list[str]  # always block: submitting again never posts it
    warnings: list[str]  # block unless a person accepts them (submit again)
    guard: bool = False  # the errors are the guard's (not the length or the connector's)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.warnings


def reply_problems(r: Review, mention_id: str, text: str) -> list[str]:
    """What the connector says about a reply (length as the network counts it, read-only source)."""
    try:
        errors, _warnings = r.network.check_reply(mention_id, text)
    except AssistantError as exc:  # its source was removed: the outbox would say the same
        return [str(exc)]
    return list(errors)


def check_text(r: Review, mention_id: str, text: str) -> TextCheck:
    """A person's reply text against the policy, the connector and the guard."""
    text = text.strip()
    if not text:
        return TextCheck(["Write a reply first."], [])
    row = r.store.get_mention(mention_id) or {}
    brand = row.get("brand")
    try:
        policy = r.engine.policy(brand)
    except AssistantError:
        policy = None
    if policy is not None:
        limit = policy.voice.limit_for(row.get("network"))
        if len(text) > limit:
            network = (row.get("network") or "this network").capitalize()
            return TextCheck([f"Too long for {network}: {len(text)} characters, the limit is {limit} "
                              f"(cut {len(text) - limit})."], [])
    problems = reply_problems(r, mention_id, text)
    if problems:
        return TextCheck(problems, [])
    triage = r.store.triage(mention_id) or r.engine.triage(r.store.mention(mention_id), brand)
    failed = [c for c in r.engine.check(text, r.store.mention(mention_id), triage, brand) if not c.passed]

    def line(c: Any) -> str:
        return f"{c.name}: {c.detail}" if c.detail else c.name

    return TextCheck([line(c) for c in failed if c.name not in OVERRIDABLE],
                     [line(c) for c in failed if c.name in OVERRIDABLE], guard=True)


def _status(r: Review, mention_id: str) -> str:
    row = r.store.get_mention(mention_id)
    if row is None:
        raise Refused("This mention is no longer in the database; nothing was changed.", code="review.refused.gone")
    return str(row["status"])


def current_draft(r: Review, mention_id: str, draft_id: int | None) -> tuple[int, Any]:
    """The latest draft, if it is the one the person saw (``draft_id``)."""
    latest = r.store.latest_draft(mention_id)
    if latest is None or latest[1].text is None:
        raise Refused(NO_DRAFT, code="review.refused.no_draft")
    if draft_id is None:
        raise Refused(NO_DRAFT_ID, stale=True, code="review.refused.no_draft_id")
    if latest[0] != draft_id:
        raise Refused(DRAFT_CHANGED, stale=True, code="review.refused.draft_changed")
    return latest


def approve(r: Review, mention_id: str, actor: str, draft_id: int | None) -> Approval:
    """Approve the current draft as it is: it must have passed its guard and fit the connector."""
    did, draft = current_draft(r, mention_id, draft_id)
    rejecter = rejected_by(r.store, mention_id)
    if rejecter is not None:  # a colleague's old card still shows it: never post a rejected draft
        raise Refused(DRAFT_REJECTED, stale=True, people={"by": rejecter}, code="review.refused.draft_rejected")
    if not draft.passed:
        failed = ", ".join(c.name for c in draft.guard if not c.passed)
        raise Refused("This draft failed its checks ({checks}); use Edit to fix it before posting.",
                      code="review.refused.guard_failed", params={"checks": failed})
    problems = reply_problems(r, mention_id, draft.text or "")
    if problems:
        raise Refused("Not posted: {problem}. Use Edit to fix it.", code="review.refused.reply_problem",
                      params={"problem": problems[0]})
    return _record_approval(r, mention_id, actor, draft.text or "", did, edited=False)


def rejected_by(store: Store, mention_id: str) -> str | None:
    """Who rejected the current draft (a rejection after the latest draft), or None."""
    row = assignments.last_draft_or_reject(store, mention_id)
    return str(row["actor"]) if row and row["kind"] == "reject" else None


def approve_text(r: Review, mention_id: str, actor: str, text: str, accept_warnings: bool = False) -> Approval:
    """Approve a person's text (an edit, or a corrected reply after a failed post)."""
    text = text.strip()
    status = _status(r, mention_id)
    if status not in APPROVABLE:
        raise StaleDecision(mention_id, status, None)
    check = check_text(r, mention_id, text)
    if check.errors:  # never overridden, whatever accept_warnings says
        raise Refused("{problems}", "this always blocks: change the text", code="review.refused.edit_blocked",
                      params={"problems": "; ".join(check.errors)})
    if check.warnings and not accept_warnings:
        raise Refused("Check: {warnings}", "submit it again to use it anyway", code="review.refused.edit_warnings",
                      params={"warnings": "; ".join(check.warnings)})
    latest = r.store.latest_draft(mention_id)
    drafted = (latest[1].text or "").strip() if latest else ""
    return _record_approval(r, mention_id, actor, text, latest[0] if latest else None, edited=text != drafted)


@dataclass
class EditCheck(TextCheck):
    """``check_text`` for a person's edit, with the warned-once rule: ``warn`` is True when
    the warnings are new to this person for this text (say them, do not post yet)."""

    warn: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and not self.warn


def check_edit(r: Review, mention_id: str, actor: str | None, text: str) -> EditCheck:
    """Whether a person's edited reply may be approved now (then ``approve_text`` with
    ``accept_warnings=True``). Raises StaleDecision (status "removed" for a mention no longer
    stored) when the mention is neither open nor failed for good. Warnings block the first
    time this person submits this text, and pass the second time."""
    text = text.strip()
    row = r.store.get_mention(mention_id)
    status = str(row["status"]) if row is not None else "removed"
    if status not in APPROVABLE:
        raise StaleDecision(mention_id, status, None)
    check = check_text(r, mention_id, text)
    if check.errors:
        if check.guard:  # what blocks for good: a later resubmission is warned afresh
            r.warned_edits.forget(mention_id, actor)
        return EditCheck(check.errors, check.warnings, check.guard)
    if check.warnings and not r.warned_edits.warned(mention_id, actor, text):
        r.warned_edits.remember(mention_id, actor, text)
        return EditCheck([], check.warnings, check.guard, warn=True)
    r.warned_edits.forget(mention_id, actor)  # accepted: the next edit is warned again
    return EditCheck([], check.warnings, check.guard)


def _record_approval(r: Review, mention_id: str, actor: str, text: str, draft_id: int | None,
                     edited: bool) -> Approval:
    approval = r.store.approve(mention_id, actor=actor, text=text, connector=r.network.connector_name(mention_id),
                               draft_id=draft_id, edited=edited)
    # A public reply after a private conversation: the follow-up is done.
    follow_ups.resolve_follow_up(r.store, mention_id, actor)
    return approval


def retry(r: Review, mention_id: str, actor: str) -> int:
    """Put a reply that failed for good back in the outbox as it is; returns its outbox id."""
    item = follow_ups.outbox_for(r.store, mention_id)
    if item is None or item["status"] != "failed" or not r.network.retry(item["id"], actor):
        raise Refused("There is no failed reply to retry here; nothing was changed.", stale=True,
                      code="review.refused.nothing_to_retry")
    return int(item["id"])


def reject_draft(r: Review, mention_id: str, actor: str, draft_id: int | None, reason: str | None) -> int:
    """This draft is wrong: remembered (with the reason) so it is not offered again for a similar
    post; the mention stays open for another draft or an edit."""
    if draft_id is not None:
        current_draft(r, mention_id, draft_id)
    return r.store.decide(mention_id, "reject", actor, reason, status=MentionStatus.AWAITING.value)


def no_reply(r: Review, mention_id: str, actor: str, reason: str | None) -> int:
    """Nothing needs saying: the mention is closed, with the reason."""
    return r.store.decide(mention_id, "no_reply", actor, reason)


def ignore(r: Review, mention_id: str, actor: str, reason: str | None = None) -> int:
    """Nothing to do with this mention (spam, off topic): closed, without a reply."""
    return r.store.decide(mention_id, "ignore", actor, reason)


@dataclass
class Escalation:
    decision_id: int
    assignment: dict[str, Any]


def escalate(r: Review, mention_id: str, actor: str, assignee: str | None, team: str | None,
             note: str | None) -> Escalation:
    """Give the mention an owner (a person, a team or both); it stays open and answerable."""
    if not assignee and not team:
        raise Refused("Choose a person or a team.", code="review.refused.no_assignee")
    # The stored reason names the person by id ("to U123 and Legal: note"), plain text like the
    # rest of the core's; each UI renders the id its own way (Slack: views.card.reason_text, which
    # also reads the "to <@U123>" rows stored before).
    target = " and ".join(filter(None, [assignee, team]))
    reason = f"to {target}" + (f": {note}" if note else "")
    decision = r.store.decide(mention_id, "escalate", actor, reason, status=MentionStatus.AWAITING.value)
    return Escalation(decision, assignments.assign(r.store, mention_id, actor, assignee, team, note))


def hide(r: Review, mention_id: str, actor: str, reason: str | None = None) -> NetworkAction:
    """Close the mention as hidden, then hide or report it on its network where that is possible.
    The decision comes first, so two clicks never report twice; what the network did is an event."""
    r.store.decide(mention_id, "hide", actor, reason)
    try:
        outcome = r.network.hide(mention_id, reason)
    except Exception:  # the decision stands; the card says it was not hidden there (the log has why)
        log.exception("hiding %s on its network failed", mention_id)
        outcome = NetworkAction(False, f"recorded, not hidden on {_network(r, mention_id)}: the request failed "
                                       "(the server log has the cause); hide it there by hand")
    r.store.log_event(mention_id, "hide_on_network", actor, done=outcome.done, detail=outcome.detail)
    return outcome


def move_to_private(r: Review, mention_id: str, actor: str, text: str | None = None) -> NetworkAction | None:
    """The conversation moves to a private message: send ``text`` there where the network allows
    it, and keep the reminder that the public thread needs an update once it is resolved.
    Returns what the network did (None when no text was given)."""
    status = _status(r, mention_id)
    if not is_open(status):
        raise StaleDecision(mention_id, status, None)
    outcome = None
    if text and text.strip():
        try:
            outcome = r.network.send_private(mention_id, text.strip())
        except Exception:
            log.exception("sending a private message for %s failed", mention_id)
            outcome = NetworkAction(False, f"not sent on {_network(r, mention_id)}: the request failed "
                                           "(the server log has the cause); send it there by hand")
        r.store.log_event(mention_id, "private_message", actor, done=outcome.done, detail=outcome.detail)
    follow_ups.add_follow_up(r.store, mention_id, actor, text.strip() if text else None)
    return outcome


def _network(r: Review, mention_id: str) -> str:
    row = r.store.get_mention(mention_id) or {}
    return str(row.get("network") or "its network").capitalize()


def hide_result(store: Store, mention_id: str) -> dict[str, Any] | None:
    """What the network did with the last hide: {"done": bool, "detail": str}, or None."""
    return assignments.last_event_detail(store, mention_id, "hide_on_network")


def owner(store: Store, mention_id: str) -> dict[str, Any] | None:
    """Who an escalated mention belongs to now, or None."""
    return assignments.current(store, mention_id)
