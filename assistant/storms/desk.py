"""The storm desk: what happens to a spike once it is detected, per brand, with no UI.

Detection per brand (a storm about one brand never raises another's alert); the
consolidated statement (a version in each language the storm speaks, checked by the guard
as it is at approval, queued once on the brand's accounts); the replies that point to it
once it is out ("answer the group", each still approved through the review core and
posted once); hiding the group's abusive posts through the review core. Crisis members
(high severity, or escalated) are never answered with the group: a person answers each.

The Slack app (``assistant.slack.spikes``) draws the alert card and asks this desk; the
statement outbox and the review decisions come in through two small ports, so this
module imports neither the runtime nor the review core. Sentences returned here are
plain text; a refusal is a ``StatementRefused`` (one error tree: a code, and its people by
id in placeholders), which the UI renders.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from assistant.domain.errors import AssistantError
from assistant.domain.models import Draft, utcnow
from assistant.domain.ports import NetworkAction
from assistant.insights.superfans import card_line, fan_status
from assistant.store import OPEN_STATUSES, StaleDecision, Store, storms_sql
from assistant.storms.detect import detect
from assistant.storms.ports import (
    GroupAnswer,
    GroupState,
    Reviews,
    StatementOutbox,
    StatementOutcome,
    StatementRefused,
    listed,
)
from assistant.storms.queries import Member, get_spike, members
from assistant.storms.spike import Spike
from assistant.storms.statement import has_texts, reply_pointing_to_statement
from assistant.storms.statement_checks import drafts, first_refusal, languages_changed, versions_to_post

if TYPE_CHECKING:
    from assistant.ml.embeddings import Encoder
    from assistant.policy.models import Policy

log = logging.getLogger("assistant.storms")

POINTER_ORIGIN = "statement"  # a member's draft that points to the approved statement


class StormDesk:
    def __init__(self, store: Store, reviews: Reviews, outbox: StatementOutbox,
                 policy: Callable[[str | None], Policy | None], brands: Callable[[], list[str]],
                 default_brand: str | None = None, encoder: Encoder | None = None) -> None:
        self.store = store
        self.reviews = reviews
        self.outbox = outbox
        self._policy = policy
        self._brands = brands
        self.default_brand = default_brand
        self._encoder = encoder
        self._detect_lock = threading.Lock()

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            from assistant.ml.embeddings import get_encoder  # the model loads on the first tick, not at start
            self._encoder = get_encoder()
        return self._encoder

    @encoder.setter
    def encoder(self, value: Encoder | None) -> None:
        self._encoder = value

    # -- per brand ----------------------------------------------------------------------------

    def brand(self, spike_id: int | None = None) -> str | None:
        """The spike's brand (the deployment's brand for a spike of a one-brand deployment)."""
        spike = get_spike(self.store, spike_id) if spike_id is not None else None
        return (spike.brand if spike is not None else None) or self.default_brand

    def policy(self, spike_id: int | None = None) -> Policy | None:
        return self._policy(self.brand(spike_id))

    def watched(self) -> list[str | None]:
        """The brands detection watches apart: every brand with a policy when there are
        several (a storm about one brand never raises another's alert), else None (all posts)."""
        try:
            brands = self._brands()
        except AttributeError:
            brands = []
        return list(brands) if len(brands) > 1 else [None]

    def detect(self, now: datetime) -> list[tuple[Spike, Policy]]:
        """One detection round at ``now``, brand by brand: the spikes new, grown or calmed."""
        found: list[tuple[Spike, Policy]] = []
        for brand in self.watched():
            policy = self._policy(brand or self.default_brand)
            if policy is None:
                continue
            with self._detect_lock:
                spikes = detect(self.store, policy, self.encoder, now, brand=brand, default_brand=self.default_brand)
            found += [(spike, policy) for spike in spikes]
        return found

    def known(self, spike_id: int) -> bool:
        """Whether the spike and its brand's policy are still there to act on."""
        return get_spike(self.store, spike_id) is not None and self.policy(spike_id) is not None

    def accounts(self, spike_id: int) -> dict[str, Any]:
        return self.outbox.accounts(self.brand(spike_id))

    def posted(self, spike_id: int) -> list[dict[str, Any]]:
        return self.outbox.posts(spike_id)

    # -- the group --------------------------------------------------------------------------

    def _crisis_ids(self, spike_id: int) -> set[str]:
        """The members triaged high severity or escalated (to PR, legal): they go to a person,
        each on its own card, never with the group."""
        return storms_sql.crisis_ids(self.store, spike_id)

    def _open_group(self, spike_id: int) -> list[Member]:
        status = storms_sql.member_statuses(self.store, spike_id)
        return [m for m in members(self.store, spike_id) if status.get(m.mention_id) in OPEN_STATUSES]

    def open_members(self, spike_id: int) -> tuple[list[Member], list[Member]]:
        """(open members to answer, open abusive members to hide); crisis members are in neither."""
        crisis = self._crisis_ids(spike_id)
        group = [m for m in self._open_group(spike_id) if m.mention_id not in crisis]
        return [m for m in group if not m.abusive], [m for m in group if m.abusive]

    def crisis_members(self, spike_id: int) -> list[Member]:
        """The open crisis members: listed apart on the card and the form, answered by a person."""
        crisis = self._crisis_ids(spike_id)
        return [m for m in self._open_group(spike_id) if m.mention_id in crisis]

    def answerable(self, spike_id: int) -> list[Member]:
        """The open members the group answer is for: not crisis, not abusive, not those whose
        reply pointing to the statement a person rejected (they get their own answer), and
        only where the statement is out in a language the reply can point to."""
        answer, _ = self.open_members(spike_id)
        out_in = self._statement_out_for(spike_id)
        return [m for m in answer if out_in(m.language) and not self._pointer_rejected(m.mention_id)]

    def group_state(self, spike_id: int) -> GroupState:
        _, hide = self.open_members(spike_id)
        answer = self.answerable(spike_id) if self.outbox.is_posted(spike_id) else []
        return GroupState(len(answer), len(hide), listed(self.crisis_members(spike_id)))

    def _statement_out_for(self, spike_id: int) -> Callable[[str | None], bool]:
        """Whether a member writing in a language may get a reply pointing to the statement:
        the version in its language is posted; or, for a language with too few posts for a
        version of its own (but crisis texts in the playbook), the first version is. A storm
        language with no crisis texts is answered by a person, not in another language."""
        rows = self.posted(spike_id)
        written = {r["language"] for r in rows}
        out = {r["language"] for r in rows if r["status"] == "posted"}
        first = rows[0]["language"] if rows else None
        policy = self.policy(spike_id)

        def ok(language: str | None) -> bool:
            if language in written:
                return language in out
            if policy is None or not language or not has_texts(policy, language):
                return False
            return first in out
        return ok

    def _pointer_rejected(self, mention_id: str) -> bool:
        latest = self.store.latest_draft(mention_id)
        return (latest is not None and latest[1].origin == POINTER_ORIGIN
                and self.reviews.rejected_by(mention_id) is not None)

    def statement_not_out(self, spike_id: int) -> str | None:
        """Why the group cannot be answered yet (the replies point to the statement), or None."""
        rows = self.posted(spike_id)
        if not rows:
            return "Approve the statement first: the replies point to it."
        if self.outbox.is_posted(spike_id):
            return None
        if any(r["status"] == "failed" for r in rows):
            return ("The statement could not be posted (see the alert card): the replies point to it, so they wait. "
                    "Fix the cause and use Retry statement.")
        return "The statement is not posted yet (it is being tried again): the replies point to it, so they wait."

    # -- the group's replies ------------------------------------------------------------------

    def point_drafts(self, spike_id: int) -> list[str]:
        """Give each open, non-abusive member a draft that points to the statement (checked by
        the guard like any draft), unless its latest draft already does. Returns their ids."""
        spike, policy = get_spike(self.store, spike_id), self.policy(spike_id)
        if spike is None or policy is None or not self.outbox.is_posted(spike_id):
            return []  # a reply must not point to a statement that is not out
        posted = self.posted(spike_id)
        # the update time the statement promised: computed from its approval time
        approved = datetime.fromisoformat(posted[0]["approved_at"]) if posted else None
        made = []
        for m in self.answerable(spike_id):
            latest = self.store.latest_draft(m.mention_id)
            if latest and latest[1].origin == POINTER_ORIGIN:
                continue
            reply = reply_pointing_to_statement(self.store.mention(m.mention_id), spike, policy, m.language or None,
                                                now=approved)
            self.store.add_draft(m.mention_id, Draft(text=reply.text, language=reply.language, guard=reply.guard,
                                                     origin=POINTER_ORIGIN, notes=reply.notes))
            made.append(m.mention_id)
        return made

    def replies_to_send(self, spike_id: int, limit: int | None) -> tuple[list[dict[str, Any]], int]:
        """The pointer drafts that "answer the group" would approve (and how many more did not fit)."""
        out = []
        for m in self.answerable(spike_id):
            latest = self.store.latest_draft(m.mention_id)
            if latest and latest[1].origin == POINTER_ORIGIN and latest[1].text:
                out.append({"draft_id": latest[0], "mention_id": m.mention_id, "author": m.author,
                            "network": m.network, "language": latest[1].language, "text": latest[1].text,
                            "post": m.text})
        if limit is None:
            return out, 0
        return out[:limit], max(0, len(out) - limit)

    def answer_group(self, spike_id: int, draft_ids: list[int], actor: str) -> GroupAnswer:
        """Approve each listed reply through the review core; a reply approved before (a
        double submit, a retry) is counted as answered already, so each is posted once."""
        counts = {"approved": 0, "already": 0, "refused": 0}
        approved: list[tuple[str, int]] = []
        # Only the replies the form could list: this spike's answerable members' current
        # pointer drafts (a forged or stale form names other drafts: they are refused).
        allowed = {d["draft_id"]: d["mention_id"] for d in self.replies_to_send(spike_id, limit=None)[0]}
        group = {m.mention_id for m in members(self.store, spike_id)}
        for draft_id in draft_ids:
            mention_id = allowed.get(draft_id)
            if mention_id is None:
                # a reply of this group decided since the form was drawn (a double submit) was
                # answered already; anything else (another spike's, a crisis post) is refused
                found = storms_sql.draft_mention(self.store, draft_id)
                row = self.store.get_mention(found) if found is not None and found in group else None
                decided = row is not None and row["status"] not in OPEN_STATUSES
                counts["already" if decided else "refused"] += 1
                continue
            try:
                approval = self.reviews.approve(mention_id, actor, draft_id)
            except StaleDecision:
                counts["already"] += 1
                continue
            except AssistantError as exc:  # refused by the review core: it needs a look on its own card
                counts["refused"] += 1
                log.info("reply to %s not approved: %s", mention_id, exc.message)
                continue
            counts["approved"] += 1
            approved.append((mention_id, approval.outbox_id))
        return GroupAnswer(counts, approved)

    def hide_abusive(self, spike_id: int, actor: str) -> list[tuple[Member, NetworkAction]]:
        """Hide (or report, where that is all the network allows) each open abusive post,
        through the review core; returns what each network did."""
        _, abusive = self.open_members(spike_id)
        done = []
        for m in abusive:
            try:
                outcome = self.reviews.hide(m.mention_id, actor, "below the belt, in a spike")
            except AssistantError:  # decided meanwhile (StaleDecision), or refused
                continue
            done.append((m, outcome))
        return done

    # -- the statement --------------------------------------------------------------------------

    def drafts(self, spike: Spike, policy: Policy, now: datetime | None = None) -> tuple[list[Any], list[str]]:
        """(the statement in each language the storm speaks, most spoken first; the storm's
        languages the crisis playbook has no text for)."""
        return drafts(spike, policy, now)

    def edit_text(self, spike_id: int, shown: dict[str, Any] | None) -> tuple[dict[str, str], str]:
        """The statement's versions the Edit form starts from (language -> text), drafted
        now, and the update time they name (replaced by the one due at approval if the
        person leaves it in). ``shown``: the statement the alert card shows (its fallback)."""
        spike, policy, row = get_spike(self.store, spike_id), self.policy(spike_id), shown or {}
        if spike is None or policy is None:
            return {row.get("language") or "en": row.get("statement") or ""}, ""
        drafted, _ = self.drafts(spike, policy, now=utcnow())
        return {d.language: d.text for d in drafted}, drafted[0].update_time

    def check_edit(self, spike_id: int, texts: dict[str, str], promised: str | None,
                   shown: dict[str, Any] | None) -> str | None:
        """Why an edited statement would be refused, in one line for the Edit form, or None."""
        spike, policy = get_spike(self.store, spike_id), self.policy(spike_id)
        if spike is None or policy is None or shown is None:
            return "Not posted: this spike is no longer in the database."
        texts = {lang or shown["language"]: text for lang, text in texts.items()}  # a form from before versions
        changed = languages_changed(spike, policy, texts)
        if changed:
            return changed
        versions, _ = versions_to_post(spike, policy, texts, promised, utcnow())
        return first_refusal(versions, self.accounts(spike_id), self.outbox.problems)

    def approve_statement(self, spike_id: int, actor: str, shown: dict[str, Any], texts: dict[str, str] | None,
                          promised: str | None) -> StatementOutcome:
        """Queue the statement (a version in each language the storm speaks) on the brand's
        accounts once. Every version, edited or not, passes the guard as it is at approval:
        its update time is computed now, with its date. ``shown``: what the card shows."""
        policy, spike = self.policy(spike_id), get_spike(self.store, spike_id)
        if policy is None or spike is None:
            return StatementOutcome(StatementRefused("This spike is no longer in the database; nothing was posted.",
                                                     code="storm.refused.gone"))
        accounts = self.accounts(spike_id)
        if not accounts:
            return StatementOutcome(StatementRefused(
                "No account of the brand's can post a statement here: add a Mastodon source (or run with "
                "the local outbox); nothing was posted.", code="storm.refused.no_account"))
        now = utcnow().replace(microsecond=0)
        done = self.posted(spike_id)
        if done:  # a second click: said before anything is drafted again
            return StatementOutcome(_already(done[0]["approved_by"]))
        if spike.status == "merged":
            return StatementOutcome(StatementRefused(
                "This spike was merged into an older one: use that spike's alert card. Nothing was posted.",
                code="storm.refused.merged"))
        if texts is not None:
            texts = {lang or shown["language"]: text for lang, text in texts.items()}
            changed = languages_changed(spike, policy, texts)
            if changed:
                return StatementOutcome(StatementRefused("{why}", code="storm.refused.languages",
                                                         params={"why": changed}))
        versions, _ = versions_to_post(spike, policy, texts, promised, now)
        if texts is None:
            others = shown.get("versions") or "[]"
            others = json.loads(others) if isinstance(others, str) else others
            shown_langs = [shown["language"], *(v["language"] for v in others)]
            if set(versions) != set(shown_langs):
                # the card was drawn before the storm's languages changed (it is redrawn at most
                # every few minutes): nothing goes out that nobody saw
                return StatementOutcome(StatementRefused(
                    "Not posted: the statement now has versions in {languages}, and the card showed "
                    "{shown}. The card is redrawn: read it and approve again.", code="storm.refused.card_changed",
                    params={"languages": ", ".join(versions), "shown": ", ".join(shown_langs)}), stale_card=True)
        why = first_refusal(versions, accounts, self.outbox.problems)
        if why:
            fix = " Use Edit statement to fix it." if texts is None else ""
            return StatementOutcome(StatementRefused(("{why}" if why.endswith(".") else "{why}.") + fix,
                                                     code="storm.refused.checks", params={"why": why}))
        (language, (body, _)), *others = versions.items()
        if not self.outbox.approve(spike_id, body, language, actor, sorted(accounts), at=now,
                                   also={lang: text for lang, (text, _) in others}):
            done = self.posted(spike_id)
            if done:
                return StatementOutcome(_already(done[0]["approved_by"]))
            return StatementOutcome(StatementRefused("The statement was already approved; it is posted once.",
                                                     code="storm.refused.posted"))
        edited = texts is not None and body != (shown["statement"] or "").strip()
        return StatementOutcome(languages=list(versions), edited=edited, accounts=accounts)

    # -- on a review card ---------------------------------------------------------------------

    def fan_line(self, mention_id: str, brand: str | None) -> str | None:
        """The author's super-fan line for a review card, or None."""
        policy = self._policy(brand)
        return card_line(fan_status(self.store, mention_id, policy)) if policy is not None else None


def _already(by: str) -> StatementRefused:
    """A second approval of the statement: it goes out once."""
    return StatementRefused("The statement was already approved by {by}; it is posted once.",
                            code="storm.refused.posted", people={"by": by})
