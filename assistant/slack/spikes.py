"""Spikes (shitstorms) in Slack: a periodic tick runs the storm desk's detection with the
real clock, posts an alert card in the escalation channel and keeps it up to date
(throttled), and carries out what the card's buttons ask through the storm desk
(``assistant.storms.desk``, which decides): approve the consolidated statement (posted
once on the brand's own accounts), answer the group with one approval (each reply still
approved through the review core and posted once), hide the abusive ones. This module
draws, posts and tells; it decides nothing itself.

The tick: every ``ASSISTANT_SPIKE_TICK_SECONDS`` (60 by default; 0 turns it off). A card
is redrawn at most once per ``ASSISTANT_SPIKE_CARD_MINUTES`` (10) unless its group grew
by 20% or more, or it calmed down.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from assistant.domain.errors import AssistantError
from assistant.domain.models import utcnow
from assistant.slack.access import Access
from assistant.slack.cards import ReviewCards
from assistant.slack.decisions import CardDecisions
from assistant.slack.gateway import Ref, SlackGateway
from assistant.slack.views.alert import MAX_LISTED, AlertData, alert_card, answer_view, member_line
from assistant.slack.views.elements import network_label
from assistant.slack.views.errors import error_text
from assistant.slack.views.mrkdwn import escape, who
from assistant.slack.workers import Workers
from assistant.store import storms_sql
from assistant.storms import get_spike, spike_for_mention
from assistant.storms.desk import StormDesk
from assistant.storms.ports import listed
from assistant.storms.spike import Spike

if TYPE_CHECKING:
    from assistant.domain.ports import RuntimePort
    from assistant.policy.models import Policy
    from assistant.settings import Settings

log = logging.getLogger("assistant.slack.spikes")

GROWTH_REDRAW = 1.2  # a group this much bigger than the card shows is redrawn at once


class SpikeDesk:
    """The spikes' alert cards in Slack, over the storm desk (``desk``)."""

    def __init__(self, desk: StormDesk, settings: Settings, runtime: RuntimePort, gateway: SlackGateway,
                 access: Access, cards: ReviewCards, decisions: CardDecisions, workers: Workers) -> None:
        self.desk = desk
        self.store = desk.store
        self.settings = settings
        self.gateway = gateway
        self.access = access
        self.cards = cards
        self.decisions = decisions
        self.workers = workers
        # validated once, at start, with every other setting (settings.py)
        self.tick_seconds = settings.spike_tick_seconds
        self.card_minutes = settings.spike_card_minutes
        self._card_lock = threading.Lock()
        self._stop = threading.Event()
        self._loop: threading.Thread | None = None
        # its tables (spike_alerts, spike_marked) are in the store's schema (store/schema/parts.py)
        # the outbox worker delivers statements that failed to post at once; say what happened
        hooks = getattr(runtime, "on_statement", None)
        if isinstance(hooks, list):
            hooks.append(self._statement_changed)
        cards.extra_lines = self.card_lines  # a member's review card says it is part of a spike

    # -- the desk's answers, as the listeners and tests ask them ------------------------------

    def policy(self, spike_id: int | None = None) -> Policy | None:
        return self.desk.policy(spike_id)

    def accounts(self, spike_id: int) -> dict[str, Any]:
        return self.desk.accounts(spike_id)

    def posted(self, spike_id: int) -> list[dict[str, Any]]:
        return self.desk.posted(spike_id)

    def drafts(self, spike: Spike, policy: Policy, now: datetime | None = None) -> tuple[list[Any], list[str]]:
        return self.desk.drafts(spike, policy, now)

    def edit_text(self, spike_id: int) -> tuple[dict[str, str], str]:
        return self.desk.edit_text(spike_id, self.alert(spike_id))

    def check_edit(self, spike_id: int, texts: dict[str, str], promised: str | None = None) -> str | None:
        return self.desk.check_edit(spike_id, texts, promised, self.alert(spike_id))

    def may_decide(self, spike_id: int, ref: Ref) -> bool:
        brand = self.desk.brand(spike_id)
        if self.access.is_approver(ref["user"], brand):
            return True
        self.gateway.ephemeral(ref, self.access.refusal(brand))
        return False

    # -- the tick ---------------------------------------------------------------------------

    def start(self) -> None:
        if self.tick_seconds <= 0:
            return
        self._stop.clear()

        def loop() -> None:
            while not self._stop.wait(self.tick_seconds):
                try:
                    self.tick(utcnow())
                except Exception:
                    log.exception("spike detection failed; trying again at the next tick")
        self._loop = threading.Thread(target=loop, name="assistant-spikes", daemon=True)
        self._loop.start()

    def close(self) -> None:
        self._stop.set()
        if self._loop is not None:
            self._loop.join(timeout=5)

    def tick(self, now: datetime, wall: datetime | None = None) -> list[Spike]:
        """Run the detector at ``now`` and post or redraw the alert cards it calls for.
        ``wall``: the real time the throttle counts in (``now`` itself by default)."""
        found: list[Spike] = []
        for spike, policy in self.desk.detect(now):
            try:
                self.show(spike, policy, wall or now)
            except (SlackApiError, AssistantError) as exc:
                log.error("could not show spike %s in Slack: %s", spike.id, exc)
            found.append(spike)
        return found

    def alert_channel(self, policy: Policy, brand: str | None = None) -> str | None:
        """The crisis escalation rule's channel, else the first escalation channel, else the review channel."""
        rules = [r for r in policy.escalation if r.channel]
        rule = next((r for r in rules if r.name == "crisis"), rules[0] if rules else None)
        channel = rule.channel if rule else self.access.review_channel(brand)
        return self.access.channel_id(channel) if channel else None

    def alert(self, spike_id: int) -> dict[str, Any] | None:
        return storms_sql.alert(self.store, spike_id)

    def show(self, spike: Spike, policy: Policy, wall: datetime, force: bool = False) -> None:
        """Post the alert card, or redraw it when the throttle allows (``force``: now, because
        a person is about to act on it)."""
        with self._card_lock:
            row = self.alert(spike.id)
            if row is not None and not force and not self._redraw_due(row, spike, wall):
                return
            drafted, missing = self.desk.drafts(spike, policy)
            statement = drafted[0]
            values = {"statement": statement.text, "language": statement.language,
                      "passed": int(all(d.passed for d in drafted)), "topic": statement.topic,
                      "members_shown": spike.members, "status_shown": spike.status, "redrawn_at": wall.isoformat(),
                      "versions": json.dumps([{"language": d.language, "text": d.text, "passed": d.passed}
                                              for d in drafted[1:]], ensure_ascii=False),
                      "missing": json.dumps(missing)}
            if row is None:
                channel = self.alert_channel(policy, spike.brand or self.settings.brand)
                if not channel:
                    raise AssistantError("no escalation or review channel for the spike alert",
                                         "add a channel to the policy's crisis escalation rule")
                text, blocks = alert_card(self._data(spike, values))
                resp = self.gateway.post(channel, text, blocks)
                storms_sql.add_alert(self.store, spike.id, resp["channel"], resp["ts"], values)
                self._mark_members(spike.id)
                return
            if self.desk.posted(spike.id):  # an approved statement stays as approved
                values = {k: v for k, v in values.items() if k not in ("statement", "language", "passed", "versions")}
            storms_sql.update_alert(self.store, spike.id, values)
            self.redraw(spike.id, spike)
            self._mark_members(spike.id)
            if spike.status == "calm" and row["status_shown"] != "calm":
                self.note(spike.id, f"✅ Calmed down: {spike.posts_in_window} posts in the window (peak {spike.peak}).")

    def _redraw_due(self, row: dict[str, Any], spike: Spike, wall: datetime) -> bool:
        if spike.status != row["status_shown"]:
            return True  # calmed down (or came back): said at once
        if spike.members >= (row["members_shown"] or 0) * GROWTH_REDRAW:
            return True
        last = datetime.fromisoformat(row["redrawn_at"])
        return wall - last >= timedelta(minutes=self.card_minutes) and spike.members != row["members_shown"]

    # -- drawing ----------------------------------------------------------------------------

    def _data(self, spike: Spike, row: dict[str, Any]) -> AlertData:
        state = self.desk.group_state(spike.id)
        local = self.cards.local_outbox("local") if not self.desk.accounts(spike.id).keys() - {"local"} else None
        return AlertData(spike, row["statement"], row["language"], bool(row["passed"]), row["topic"],
                         versions=json.loads(row.get("versions") or "[]"),
                         missing=json.loads(row.get("missing") or "[]"),
                         posted=self.desk.posted(spike.id), to_answer=state.to_answer, to_hide=state.to_hide,
                         local_outbox=local, crisis=state.crisis)

    def redraw(self, spike_id: int, spike: Spike | None = None) -> None:
        row = self.alert(spike_id)
        spike = spike or get_spike(self.store, spike_id)
        if row is None or spike is None:
            return
        text, blocks = alert_card(self._data(spike, row))
        self.gateway.update(row["channel"], row["ts"], text, blocks)

    def note(self, spike_id: int, text: str) -> None:
        row = self.alert(spike_id)
        if row is None:
            return
        try:
            self.gateway.post(row["channel"], text, thread_ts=row["ts"])
        except SlackApiError as exc:
            log.warning("could not add to the alert thread of spike %s: %s", spike_id, exc.response.get("error"))

    def _mark_members(self, spike_id: int) -> None:
        """Redraw the review cards of members that joined since the last time, so each says
        it is part of the spike (a card drawn before its post joined does not know yet)."""
        for mention_id in storms_sql.mark_members(self.store, spike_id):
            self.cards.redraw_if_posted(mention_id)

    def card_lines(self, mention_id: str) -> list[str]:
        """The lines a review card carries: the author's super-fan line, and whether the
        post is part of a spike (with a link to its alert card)."""
        lines = []
        line = self.desk.fan_line(mention_id, self.access.brand_of(mention_id))
        if line:
            lines.append(escape(line))
        spike_id = spike_for_mention(self.store, mention_id)
        row = self.alert(spike_id) if spike_id is not None else None
        spike = get_spike(self.store, spike_id) if row and spike_id is not None else None
        if row and spike:
            link = self.gateway.permalink(row["channel"], row["ts"])
            lines.append(member_line(spike, row["topic"], link))
        return lines

    # -- the buttons ------------------------------------------------------------------------

    def approve_statement(self, spike_id: int, ref: Ref, texts: dict[str, str] | None = None,
                          promised: str | None = None) -> None:
        """Approve the statement (the desk queues it once and says why not when it does not),
        post it now, then point the group's drafts to it."""
        row = self.alert(spike_id)
        if row is None or not self.desk.known(spike_id):
            self.gateway.ephemeral(ref, "This spike is no longer in the database; nothing was posted.")
            return
        if not self.may_decide(spike_id, ref):
            return
        done = self.desk.approve_statement(spike_id, ref["user"], row, texts, promised)
        if done.refused is not None:
            spike, policy = get_spike(self.store, spike_id), self.desk.policy(spike_id)
            if done.stale_card and spike is not None and policy is not None:
                self.show(spike, policy, utcnow(), force=True)
            self.gateway.ephemeral(ref, error_text(done.refused))
            return
        edited = " with edits" if done.edited else ""
        langs = f" in {', '.join(done.languages)}" if len(done.languages) > 1 else ""
        self.note(spike_id, f"✅ Statement approved{edited}{langs} by {who(ref['user'])}.")
        self._deliver(spike_id, done.accounts)

    def _deliver(self, spike_id: int, accounts: dict[str, Any]) -> None:
        """Post the statement's due rows now (a click does not wait for the worker's round);
        what fails for a while is tried again by the outbox worker, with backoff."""
        for row in self.desk.outbox.deliver(spike_id, accounts):
            if row["status"] == "failed":
                self._say_failed(row)
        self.point_drafts(spike_id)
        self.redraw(spike_id)

    def _say_failed(self, row: dict[str, Any]) -> None:
        where = "the local outbox" if row["account"] == "local" else row["account"]
        self.note(row["spike_id"], f"⚠️ The statement was not posted on {escape(where)}: "
                                   f"{escape(row.get('last_error') or 'unknown error')}. The replies to the group wait "
                                   "for it. Fix the cause, then use Retry statement on this card.")

    def _statement_changed(self, row: dict[str, Any]) -> None:
        """The worker posted, failed or rescheduled a statement row (runs on the worker's thread)."""
        spike_id = row["spike_id"]
        try:
            if row["status"] == "posted":
                where = "the local outbox" if row["account"] == "local" else row["account"]
                self.note(spike_id, f"📬 The statement is posted on {escape(where)} (attempt {row['attempts']}).")
                self.point_drafts(spike_id)
            elif row["status"] == "failed":
                self._say_failed(row)
            self.redraw(spike_id)
        except (SlackApiError, AssistantError) as exc:
            log.error("could not show the statement's outcome for spike %s: %s", spike_id, exc)

    def retry_statement(self, spike_id: int, ref: Ref) -> None:
        """Retry on the alert card: the failed rows go back to the queue and are posted now
        (looked for on the network first, so a post that did land is not made twice)."""
        if not self.may_decide(spike_id, ref):
            return
        if not self.desk.outbox.retry(spike_id, ref["user"]):
            self.gateway.ephemeral(ref, "Nothing to retry: the statement is posted or still being posted.")
            self.redraw(spike_id)
            return
        self.note(spike_id, f"🔁 {who(ref['user'])} asked to post the statement again.")
        self._deliver(spike_id, self.desk.accounts(spike_id))

    def point_drafts(self, spike_id: int) -> int:
        """The desk's pointer drafts for the group, and their cards redrawn. Returns how many."""
        made = self.desk.point_drafts(spike_id)
        for mention_id in made:
            self.cards.redraw_if_posted(mention_id)
        return len(made)

    def replies_to_send(self, spike_id: int, limit: int | None = MAX_LISTED) -> tuple[list[dict[str, Any]], int]:
        return self.desk.replies_to_send(spike_id, limit)

    def answer_form(self, spike_id: int, ref: Ref) -> dict[str, Any] | None:
        """The list of replies, or None (and the person told why)."""
        waiting = self.desk.statement_not_out(spike_id)
        if waiting:
            self.gateway.ephemeral(ref, waiting)
            return None
        self.point_drafts(spike_id)
        replies, left = self.replies_to_send(spike_id)
        if not replies:
            self.gateway.ephemeral(ref, "Every post of this group is answered or closed already.")
            return None
        return answer_view(spike_id, replies, left, listed(self.desk.crisis_members(spike_id)))

    def answer_group(self, spike_id: int, draft_ids: list[int], ref: Ref) -> dict[str, int]:
        """Approve the listed replies (the desk, through the review core; each posted once),
        post them, and say how it went."""
        waiting = self.desk.statement_not_out(spike_id)
        if waiting:  # the form was opened earlier; the replies must not point to nothing
            self.gateway.ephemeral(ref, f"No reply was approved. {waiting}")
            return {"approved": 0, "already": 0, "refused": 0}
        answer = self.desk.answer_group(spike_id, draft_ids, ref["user"])
        for mention_id, outbox_id in answer.approved:
            self.cards.thread_note(mention_id, f"✅ Approved with the spike's group by {who(ref['user'])}.")
            self.workers.io_work(self.decisions.after_approval, mention_id, outbox_id, ref)
        counts = answer.counts
        said = f"{counts['approved']} replies approved"
        if counts["already"]:
            said += f", {counts['already']} were answered already"
        if counts["refused"]:
            said += f", {counts['refused']} need a look on their own cards"
        self.note(spike_id, f"💬 {who(ref['user'])} answered the group: {said}.")
        self.gateway.ephemeral(ref, f"{said}. Each is posted once.")
        self.redraw(spike_id)
        return counts

    def hide_abusive(self, spike_id: int, ref: Ref) -> dict[str, list[str]]:
        """Hide (or report) the group's open abusive posts (the desk, through the review
        core); says per network what was done."""
        if not self.may_decide(spike_id, ref):
            return {}
        per_network: dict[str, list[str]] = {}
        for member, outcome in self.desk.hide_abusive(spike_id, ref["user"]):
            per_network.setdefault(network_label(member.network), []).append(outcome.detail)
            self.cards.thread_note(member.mention_id, f"🙈 Hidden with the spike's abusive posts by "
                                                      f"{who(ref['user'])}: {escape(outcome.detail)}.")
            self.cards.redraw_if_posted(member.mention_id)
        if per_network:
            lines = [f"{escape(net)}: {len(ds)} — {escape(ds[0])}" for net, ds in sorted(per_network.items())]
            said = f"🙈 {who(ref['user'])} hid {sum(map(len, per_network.values()))} abusive posts. " + "; ".join(lines)
        else:
            said = "No abusive post of this group is open any more; nothing was changed."
        self.note(spike_id, said)
        self.gateway.ephemeral(ref, said)
        self.redraw(spike_id)
        return per_network
