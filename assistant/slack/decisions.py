"""The review card's decisions, as Slack sees them: the review core decides
(``assistant.review``); this module tells the person what happened (privately when it was
refused or stale), writes the decision in the card's thread, redraws the card, and posts
an approved reply off the request thread. Who may decide is checked before (``access``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from assistant import review
from assistant.review import core as review_core
from assistant.slack.access import Access
from assistant.slack.cards import ReviewCards
from assistant.slack.gateway import Ref, SlackGateway
from assistant.slack.views.card import OUTCOME
from assistant.slack.views.elements import clip, md, network_label
from assistant.slack.views.errors import error_text
from assistant.slack.views.mrkdwn import escape, readable_error, safe_url, who
from assistant.slack.workers import Workers
from assistant.store import OPEN_STATUSES, StaleDecision
from assistant.store import slack_sql as tables

if TYPE_CHECKING:
    from assistant.domain.ports import RuntimePort

log = logging.getLogger("assistant.slack")


class CardDecisions:
    def __init__(self, reviewer: review.Review, runtime: RuntimePort, gateway: SlackGateway, access: Access,
                 cards: ReviewCards, workers: Workers) -> None:
        self.review = reviewer
        self.store = reviewer.store
        self.runtime = runtime
        self.gateway = gateway
        self.access = access
        self.cards = cards
        self.workers = workers

    # -- refused, stale, closed already ---------------------------------------------------------

    def still_open(self, mention_id: str, ref: Ref, allowed: tuple[str, ...] = OPEN_STATUSES) -> bool:
        """False (and the person is told, and the card redrawn) when the mention was handled already.
        ``allowed``: the statuses the action applies to (APPROVABLE_STATUSES for a corrected reply)."""
        row = self.store.get_mention(mention_id)
        if row is None:
            self.gateway.ephemeral(ref, "This card's mention is no longer in the database; nothing was changed.")
            return False
        if row["status"] in allowed:
            return True
        last = tables.last_decision(self.store, mention_id)
        by = f" by {who(last['actor'])}" if last else ""
        self.gateway.ephemeral(ref, f"This mention was already {row['status']}{by}; nothing was changed.")
        self.cards.redraw_later(mention_id, ref)
        return False

    def stale(self, exc: StaleDecision, ref: Ref) -> None:
        self.gateway.ephemeral(ref, error_text(exc))
        self.cards.redraw_later(exc.mention_id, ref)

    def refused(self, exc: review.Refused, mention_id: str, ref: Ref) -> None:
        self.gateway.ephemeral(ref, error_text(exc))
        if exc.stale:
            self.cards.redraw_later(mention_id, ref)

    def act(self, mention_id: str, ref: Ref, decide: Callable[[], Any]) -> Any:
        """Run a review-core decision; a refused or stale one is told to the person (privately)
        and returns None."""
        try:
            return decide()
        except StaleDecision as exc:
            self.stale(exc, ref)
        except review.Refused as exc:
            self.refused(exc, mention_id, ref)
        return None

    @staticmethod
    def _reason(reason: str | None) -> str:
        return f": {escape(reason)}" if reason else "."

    # -- approving and posting ------------------------------------------------------------------

    def approve(self, mention_id: str, draft_id: int | None, ref: Ref) -> None:
        """Approve the draft shown on the card, exactly once, then post it off the request thread."""
        approval = self.act(mention_id, ref, lambda: review.approve(self.review, mention_id, ref["user"], draft_id))
        if approval is not None:
            self.cards.thread_note(mention_id, f"✅ Approved by {who(ref['user'])}.")
            self.workers.io_work(self.after_approval, mention_id, approval.outbox_id, ref)

    def approve_text(self, mention_id: str, text: str, ref: Ref, accept_warnings: bool) -> bool:
        approval = self.act(mention_id, ref, lambda: review.approve_text(
            self.review, mention_id, ref["user"], text, accept_warnings))
        if approval is None:
            return False
        edited = (tables.last_decision(self.store, mention_id) or {}).get("action") == "edit"
        self.cards.thread_note(mention_id, f"✏️ Approved with edits by {who(ref['user'])}:" if edited
                               else f"✅ Approved by {who(ref['user'])}.", quote=text if edited else None)
        self.workers.io_work(self.after_approval, mention_id, approval.outbox_id, ref)
        return True

    def retry(self, mention_id: str, ref: Ref) -> None:
        """Put a reply that failed for good back in the outbox as it is, and try it now."""
        outbox_id = self.act(mention_id, ref, lambda: review.retry(self.review, mention_id, ref["user"]))
        if outbox_id is not None:
            self.cards.thread_note(mention_id, f"🔁 {who(ref['user'])} asked to try posting again.")
            self.workers.io_work(self.after_approval, mention_id, outbox_id, ref)

    def reply_problems(self, mention_id: str, text: str) -> list[str]:
        return review_core.reply_problems(self.review, mention_id, text)

    def after_approval(self, mention_id: str, outbox_id: int, ref: Ref | None) -> None:
        """Redraw the card (approved), post the reply now, redraw it again with the outcome."""
        try:
            self.cards.update_card(mention_id, ref)
        except Exception:
            log.exception("could not update the card of %s", mention_id)
        notice = None
        try:
            self.runtime.deliver(outbox_id)
        except Exception as exc:
            log.exception("delivering outbox item %s failed", outbox_id)
            notice = (f"⚠️ Posting did not finish ({escape(readable_error(str(exc)))}); "
                      "the outbox keeps it and tries again.")
        self.cards.update_card(mention_id, ref, notice=notice)

    def on_outcome(self, row: dict[str, Any]) -> None:
        """The outbox worker posted (or gave up on) a reply: redraw its card, note it in the thread."""
        mention_id = row.get("mention_id")
        if mention_id and tables.card(self.store, mention_id):
            self.cards.redraw_later(mention_id)
            if row.get("status") == "posted":
                url = safe_url(row.get("posted_url"))
                local = self.cards.local_outbox(row.get("connector"))
                self.cards.thread_note(mention_id, f"💾 Saved to {escape(local)}." if local else
                                       "📬 Posted" + (f": <{url}|view the reply>" if url else "."))
            elif row.get("status") == "failed":
                self.cards.thread_note(mention_id, "⚠️ Not posted: " + escape(readable_error(row.get("last_error"))))

    # -- closing and keeping open ---------------------------------------------------------------

    def ignore(self, mention_id: str, ref: Ref, reason: str | None = None) -> bool:
        """Ignore: closed without a reply, through the review core."""
        if self.act(mention_id, ref, lambda: review.ignore(self.review, mention_id, ref["user"], reason)) is None:
            return False
        self.cards.thread_note(mention_id, f"{OUTCOME.get('ignore', 'ignore')} by {who(ref['user'])}"
                               + self._reason(reason))
        self.cards.redraw_later(mention_id, ref)
        return True

    def reject_draft(self, mention_id: str, draft_id: int | None, reason: str | None, ref: Ref) -> bool:
        done = self.act(mention_id, ref, lambda: review.reject_draft(self.review, mention_id, ref["user"],
                                                                     draft_id, reason))
        if done is None:
            return False
        self.cards.thread_note(mention_id, f"🚫 Draft rejected by {who(ref['user'])}" + self._reason(reason))
        self.cards.redraw_later(mention_id, ref)
        return True

    def no_reply(self, mention_id: str, reason: str | None, ref: Ref) -> bool:
        done = self.act(mention_id, ref, lambda: review.no_reply(self.review, mention_id, ref["user"], reason))
        if done is None:
            return False
        self.cards.thread_note(mention_id, f"🚫 No reply needed, said {who(ref['user'])}" + self._reason(reason))
        self.cards.redraw_later(mention_id, ref)
        return True

    def hide(self, mention_id: str, reason: str | None, ref: Ref) -> None:
        outcome = self.act(mention_id, ref, lambda: review.hide(self.review, mention_id, ref["user"], reason))
        if outcome is None:
            return
        self.cards.thread_note(mention_id, f"🙈 Hidden by {who(ref['user'])}: {escape(outcome.detail)}.")
        self.cards.redraw_later(mention_id, ref)

    def move_to_private(self, mention_id: str, text: str | None, ref: Ref) -> None:
        # wrapped in a tuple: None from act() means refused (told already); the outcome itself
        # is None when no text was given, which is not a refusal
        done = self.act(mention_id, ref, lambda: (review.move_to_private(self.review, mention_id, ref["user"],
                                                                            text),))
        if done is None:
            return
        outcome = done[0]
        sent = f" ({escape(outcome.detail)})" if outcome is not None else ""
        self.gateway.ephemeral(ref, f"Recorded: the conversation moves to a private message{sent}. The card stays "
                                    "open until someone approves a public update for the thread.")
        self.cards.thread_note(mention_id, f"🔁 Moved to a private message by {who(ref['user'])}{sent}.")
        self.cards.redraw_later(mention_id, ref)

    # -- escalating -----------------------------------------------------------------------------

    def escalate(self, mention_id: str, person: str | None, team: str | None, note: str | None,
                 ref: Ref) -> bool:
        done = self.act(mention_id, ref, lambda: review.escalate(self.review, mention_id, ref["user"],
                                                                 person, team, note))
        if done is None:
            return False
        self.cards.redraw_later(mention_id, ref)
        self.workers.io_work(self.notify_escalation, mention_id, person, team, note, ref)
        return True

    def notify_escalation(self, mention_id: str, person: str | None, team: str | None, note: str | None,
                          ref: Ref) -> None:
        """Ping the assignee (a direct message) and the team's channel, with a link to the card,
        where the buttons are. No copy goes to the channel the card already lives in."""
        row = self.store.get_mention(mention_id) or {}
        link = self.cards.permalink(mention_id)
        target = " and ".join(filter(None, [person and who(person), team and escape(team)]))
        network = escape(network_label(row.get("network")))
        author = escape(row.get("author") or "someone")
        said = f": {escape(note)}" if note else "."
        intro = f"📣 {who(ref['user'])} assigned you a {network} mention from {author}" + said
        open_card = f"<{link}|Open the review card>" if link else "Open the review card in the review channel"
        text, _ = clip(row.get("text") or "", 500, "post")
        quote = [{"type": "rich_text", "block_id": "post", "elements": [
            {"type": "rich_text_quote", "elements": [{"type": "text", "text": text or " "}]}]}]
        card = tables.card(self.store, mention_id)
        self.cards.thread_note(mention_id, f"📣 Escalated by {who(ref['user'])} to {target}" + said)
        targets: list[tuple[str, str]] = []
        if person:
            targets.append((person, intro))
        if team:
            channel = self.access.team_channel(self.access.brand_of(mention_id), team)
            here = card["channel"] if card else ref.get("channel")
            if channel and not self.access.directory.same_channel(channel, here):
                targets.append((channel, f"📣 {who(ref['user'])} escalated a {network} mention from {author} "
                                         f"to {escape(team)}" + said))
        for channel, line in targets:
            blocks = [{"type": "section", "text": md(f"{line}\n{open_card}: reply, approve or close it there.")},
                      *quote]
            try:
                send = self.gateway.dm if channel == person else self.gateway.post  # the assignee: a DM
                send(channel, line, blocks)
            except SlackApiError as exc:
                log.error("could not notify %s: %s", channel, exc.response.get("error"))
                self.gateway.ephemeral(ref, f"Escalated, but {channel} could not be told ({exc.response.get('error')}).")
