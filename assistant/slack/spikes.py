"""Spikes (shitstorms) in Slack: a periodic tick runs the detector with the real clock,
posts an alert card in the escalation channel and keeps it up to date (throttled), and
carries out what the card's buttons ask: approve the consolidated statement (posted
once on the brand's own accounts), answer the group with one approval (each reply still
approved through the review core and posted once), hide the abusive ones.

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

from assistant import review
from assistant.domain.errors import AssistantError
from assistant.domain.models import Draft, GuardCheck, utcnow
from assistant.insights.superfans import card_line, fan_status
from assistant.runtime import statements
from assistant.slack.views.alert import MAX_LISTED, AlertData, alert_card, answer_view, member_line
from assistant.slack.views.elements import network_label
from assistant.slack.views.mrkdwn import escape, who
from assistant.store import OPEN_STATUSES, StaleDecision
from assistant.storms import (
    detect,
    draft_statement,
    get_spike,
    members,
    reply_pointing_to_statement,
    spike_for_mention,
)
from assistant.storms.spike import Spike
from assistant.storms.statement import (
    check_statement,
    has_texts,
    promised_at,
    statement_languages,
    update_due,
)

if TYPE_CHECKING:
    from assistant.ml.embeddings import Encoder
    from assistant.policy.models import Policy
    from assistant.slack.services import Ref, Services

log = logging.getLogger("assistant.slack.spikes")

GROWTH_REDRAW = 1.2  # a group this much bigger than the card shows is redrawn at once
POINTER_ORIGIN = "statement"  # a member's draft that points to the approved statement


class SpikeDesk:
    def __init__(self, svc: Services, encoder: Encoder | None = None) -> None:
        self.svc = svc
        self.store = svc.store
        self._encoder = encoder
        # validated once, at start, with every other setting (settings.py)
        self.tick_seconds = svc.settings.spike_tick_seconds
        self.card_minutes = svc.settings.spike_card_minutes
        self._tick_lock = threading.Lock()
        self._card_lock = threading.Lock()
        self._stop = threading.Event()
        self._loop: threading.Thread | None = None
        # its tables (spike_alerts, spike_marked) are in the store's schema (store/schema/parts.py)
        # the outbox worker delivers statements that failed to post at once; say what happened
        hooks = getattr(svc.runtime, "on_statement", None)
        if isinstance(hooks, list):
            hooks.append(self._statement_changed)

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            from assistant.ml.embeddings import get_encoder
            self._encoder = get_encoder()
        return self._encoder

    def brand(self, spike_id: int | None = None) -> str | None:
        """The spike's brand (the deployment's brand for a spike of a one-brand deployment)."""
        spike = get_spike(self.store, spike_id) if spike_id is not None else None
        return (spike.brand if spike is not None else None) or self.svc.settings.brand

    def policy(self, spike_id: int | None = None) -> Policy | None:
        return self.svc.policy(self.brand(spike_id))

    def watched(self) -> list[str | None]:
        """The brands detection watches apart: every brand with a policy when there are
        several (a storm about one brand never raises another's alert), else None (all posts)."""
        try:
            brands = self.svc.engine.policies.brands()
        except AttributeError:
            brands = []
        return list(brands) if len(brands) > 1 else [None]

    def accounts(self, spike_id: int) -> dict[str, Any]:
        return statements.accounts(self.svc.runtime, self.brand(spike_id), self.svc.settings.brand)

    def may_decide(self, spike_id: int, ref: Ref) -> bool:
        brand = self.brand(spike_id)
        if self.svc.is_approver(ref["user"], brand):
            return True
        self.svc.ephemeral(ref, self.svc.refusal(brand))
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
        for brand in self.watched():
            policy = self.svc.policy(brand or self.svc.settings.brand)
            if policy is None:
                continue
            with self._tick_lock:
                spikes = detect(self.store, policy, self.encoder, now, brand=brand,
                                default_brand=self.svc.settings.brand)
            for spike in spikes:
                try:
                    self.show(spike, policy, wall or now)
                except (SlackApiError, AssistantError) as exc:
                    log.error("could not show spike %s in Slack: %s", spike.id, exc)
            found += spikes
        return found

    def alert_channel(self, policy: Policy, brand: str | None = None) -> str | None:
        """The crisis escalation rule's channel, else the first escalation channel, else the review channel."""
        rules = [r for r in policy.escalation if r.channel]
        rule = next((r for r in rules if r.name == "crisis"), rules[0] if rules else None)
        channel = rule.channel if rule else self.svc.review_channel(brand)
        return self.svc.channel_id(channel) if channel else None

    def alert(self, spike_id: int) -> dict[str, Any] | None:
        rows = list(self.store.db.query("SELECT * FROM spike_alerts WHERE spike_id = ?", [spike_id]))
        return rows[0] if rows else None

    def show(self, spike: Spike, policy: Policy, wall: datetime, force: bool = False) -> None:
        """Post the alert card, or redraw it when the throttle allows (``force``: now, because
        a person is about to act on it)."""
        with self._card_lock:
            row = self.alert(spike.id)
            if row is not None and not force and not self._redraw_due(row, spike, wall):
                return
            drafted, missing = self.drafts(spike, policy)
            statement = drafted[0]
            values = {"statement": statement.text, "language": statement.language,
                      "passed": int(all(d.passed for d in drafted)), "topic": statement.topic,
                      "members_shown": spike.members, "status_shown": spike.status, "redrawn_at": wall.isoformat(),
                      "versions": json.dumps([{"language": d.language, "text": d.text, "passed": d.passed}
                                              for d in drafted[1:]], ensure_ascii=False),
                      "missing": json.dumps(missing)}
            if row is None:
                channel = self.alert_channel(policy, spike.brand or self.svc.settings.brand)
                if not channel:
                    raise AssistantError("no escalation or review channel for the spike alert",
                                         "add a channel to the policy's crisis escalation rule")
                text, blocks = alert_card(self._data(spike, values))
                resp = self.svc.client.chat_postMessage(channel=channel, text=text, blocks=blocks,
                                                        unfurl_links=False, unfurl_media=False)
                with self.store.transaction() as db:
                    db["spike_alerts"].insert({"spike_id": spike.id, "channel": resp["channel"], "ts": resp["ts"],
                                               **values})
                self._mark_members(spike.id)
                return
            if self.posted(spike.id):  # an approved statement stays as approved
                values = {k: v for k, v in values.items() if k not in ("statement", "language", "passed", "versions")}
            with self.store.transaction() as db:
                db["spike_alerts"].update(spike.id, values)
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

    def posted(self, spike_id: int) -> list[dict[str, Any]]:
        return statements.posts(self.store, spike_id)

    def _crisis_ids(self, spike_id: int) -> set[str]:
        """The members triaged high severity or escalated (to PR, legal): they go to a person,
        each on its own card, never with the group."""
        return {r[0] for r in self.store.db.execute(
            "SELECT s.mention_id FROM spike_members s JOIN triage t ON t.mention_id = s.mention_id"
            " WHERE s.spike_id = ? AND (t.severity = 'high' OR t.action = 'escalate')", [spike_id])}

    def _open_group(self, spike_id: int) -> list[Any]:
        status = {r["id"]: r["status"] for r in self.store.db.query(
            "SELECT m.id, m.status FROM spike_members s JOIN mentions m ON m.id = s.mention_id WHERE s.spike_id = ?",
            [spike_id])}
        return [m for m in members(self.store, spike_id) if status.get(m.mention_id) in OPEN_STATUSES]

    def _open_members(self, spike_id: int) -> tuple[list[Any], list[Any]]:
        """(open members to answer, open abusive members to hide); crisis members are in neither."""
        crisis = self._crisis_ids(spike_id)
        group = [m for m in self._open_group(spike_id) if m.mention_id not in crisis]
        return [m for m in group if not m.abusive], [m for m in group if m.abusive]

    def crisis_members(self, spike_id: int) -> list[Any]:
        """The open crisis members: listed apart on the card and the form, answered by a person."""
        crisis = self._crisis_ids(spike_id)
        return [m for m in self._open_group(spike_id) if m.mention_id in crisis]

    def _answerable(self, spike_id: int) -> list[Any]:
        """The open members the group answer is for: not crisis, not abusive, not those whose
        reply pointing to the statement a person rejected (they get their own answer), and
        only where the statement is out in a language the reply can point to."""
        answer, _ = self._open_members(spike_id)
        out_in = self._statement_out_for(spike_id)
        return [m for m in answer if out_in(m.language) and not self._pointer_rejected(m.mention_id)]

    def _statement_out_for(self, spike_id: int) -> Any:
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
                and review.rejected_by(self.store, mention_id) is not None)

    def _statement_not_out(self, spike_id: int) -> str | None:
        """Why the group cannot be answered yet (the replies point to the statement), or None."""
        rows = self.posted(spike_id)
        if not rows:
            return "Approve the statement first: the replies point to it."
        if statements.is_posted(self.store, spike_id):
            return None
        if any(r["status"] == "failed" for r in rows):
            return ("The statement could not be posted (see the alert card): the replies point to it, so they wait. "
                    "Fix the cause and use Retry statement.")
        return "The statement is not posted yet (it is being tried again): the replies point to it, so they wait."

    def _data(self, spike: Spike, row: dict[str, Any]) -> AlertData:
        _, hide = self._open_members(spike.id)
        answer = self._answerable(spike.id) if statements.is_posted(self.store, spike.id) else []
        local = self.svc.local_outbox("local") if not self.accounts(spike.id).keys() - {"local"} else None
        return AlertData(spike, row["statement"], row["language"], bool(row["passed"]), row["topic"],
                                     versions=json.loads(row.get("versions") or "[]"),
                                     missing=json.loads(row.get("missing") or "[]"),
                                     posted=self.posted(spike.id), to_answer=len(answer), to_hide=len(hide),
                                     local_outbox=local, crisis=self._listed(self.crisis_members(spike.id)))

    def redraw(self, spike_id: int, spike: Spike | None = None) -> None:
        row = self.alert(spike_id)
        spike = spike or get_spike(self.store, spike_id)
        if row is None or spike is None:
            return
        text, blocks = alert_card(self._data(spike, row))
        self.svc.client.chat_update(channel=row["channel"], ts=row["ts"], text=text, blocks=blocks)

    def note(self, spike_id: int, text: str) -> None:
        row = self.alert(spike_id)
        if row is None:
            return
        try:
            self.svc.client.chat_postMessage(channel=row["channel"], thread_ts=row["ts"], text=text,
                                             unfurl_links=False, unfurl_media=False)
        except SlackApiError as exc:
            log.warning("could not add to the alert thread of spike %s: %s", spike_id, exc.response.get("error"))

    def _mark_members(self, spike_id: int) -> None:
        """Redraw the review cards of members that joined since the last time, so each says
        it is part of the spike (a card drawn before its post joined does not know yet)."""
        with self.store.transaction() as db:
            fresh = [r[0] for r in db.execute(
                "SELECT s.mention_id FROM spike_members s WHERE s.spike_id = ? AND NOT EXISTS (SELECT 1 FROM"
                " spike_marked k WHERE k.spike_id = s.spike_id AND k.mention_id = s.mention_id)", [spike_id])]
            db["spike_marked"].insert_all([{"spike_id": spike_id, "mention_id": m} for m in fresh], ignore=True)
        for mention_id in fresh:
            self._redraw_member(mention_id)

    def _redraw_member(self, mention_id: str) -> None:
        from assistant.store import slack_sql as tables
        if tables.card(self.store, mention_id):
            self.svc.in_background(self.svc.update_card, mention_id)

    def card_lines(self, mention_id: str) -> list[str]:
        """The lines a review card carries: the author's super-fan line, and whether the
        post is part of a spike (with a link to its alert card)."""
        lines = []
        policy = self.svc.policy(self.svc.brand_of(mention_id))
        if policy is not None:
            line = card_line(fan_status(self.store, mention_id, policy))
            if line:
                lines.append(escape(line))
        spike_id = spike_for_mention(self.store, mention_id)
        row = self.alert(spike_id) if spike_id is not None else None
        spike = get_spike(self.store, spike_id) if row and spike_id is not None else None
        if row and spike:
            link = self.svc.links.link(row["channel"], row["ts"])
            lines.append(member_line(spike, row["topic"], link))
        return lines

    # -- the buttons ------------------------------------------------------------------------

    @staticmethod
    def _listed(group: list[Any]) -> list[dict[str, Any]]:
        return [{"mention_id": m.mention_id, "author": m.author, "network": m.network, "post": m.text} for m in group]

    def drafts(self, spike: Spike, policy: Policy, now: datetime | None = None) -> tuple[list[Any], list[str]]:
        """(the statement in each language the storm speaks, most spoken first; the storm's
        languages the crisis playbook has no text for)."""
        languages, missing = statement_languages(spike, policy)
        return [draft_statement(spike, policy, lang, now=now) for lang in languages], missing

    def edit_text(self, spike_id: int) -> tuple[dict[str, str], str]:
        """The statement's versions the Edit form starts from (language -> text), drafted
        now, and the update time they name (replaced by the one due at approval if the
        person leaves it in)."""
        spike, policy, row = get_spike(self.store, spike_id), self.policy(spike_id), self.alert(spike_id) or {}
        if spike is None or policy is None:
            return {row.get("language") or "en": row.get("statement") or ""}, ""
        drafted, _ = self.drafts(spike, policy, now=utcnow())
        return {d.language: d.text for d in drafted}, drafted[0].update_time

    def _edited(self, spike: Spike, policy: Policy, language: str, text: str, promised: str | None,
                now: datetime) -> tuple[str, list[GuardCheck]]:
        body = text.strip()
        if promised and promised in body:  # the update time the form offered: the one due now
            body = body.replace(promised, promised_at(update_due(spike, policy, now)))
        return body, check_statement(body, spike, policy, language, now=now)

    @staticmethod
    def _why_not(body: str, checks: list[GuardCheck], accounts: dict[str, Any], language: str = "",
                 several: bool = False) -> str | None:
        """One line saying why this statement cannot go on the brand's accounts, or None.
        What the guard refuses cannot be overridden: there is no "post anyway"."""
        which = f" ({language} version)" if several and language else ""
        too_long = statements.problems(body, accounts)
        if too_long:
            return f"Not posted{which}: {too_long[0]}."
        # each account's own limit is the length that counts (checked just above)
        bad = [c for c in checks if not c.passed and c.name != "length"]
        if not bad:
            return None
        first = " ".join((bad[0].detail or bad[0].name).split())
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        line = f"Not posted{which}: the guard refuses it ({bad[0].name}: {first}){more}"
        return line if len(line) <= 190 else line[:188] + "…)"

    def _versions(self, spike: Spike, policy: Policy, texts: dict[str, str] | None, promised: str | None,
                  now: datetime) -> tuple[dict[str, tuple[str, list[GuardCheck]]], list[str]]:
        """Each version to post, language -> (text, guard checks): drafted now, or as edited."""
        if texts is None:
            drafted, missing = self.drafts(spike, policy, now=now)
            return {d.language: (d.text.strip(), d.guard) for d in drafted}, missing
        _, missing = statement_languages(spike, policy)
        return {lang: self._edited(spike, policy, lang, text, promised, now) for lang, text in texts.items()}, missing

    @staticmethod
    def _languages_changed(spike: Spike, policy: Policy, texts: dict[str, str]) -> str | None:
        """An edit must carry exactly the versions the storm calls for at approval: a form
        opened before another language joined, or one with a block removed or added, is
        refused (a person sees every version that goes out)."""
        wanted, _ = statement_languages(spike, policy)
        if list(texts) == wanted or set(texts) == set(wanted):
            return None
        return (f"Not posted: the statement now needs versions in {', '.join(wanted)} and this form has "
                f"{', '.join(texts) or 'none'}. Open Edit statement again.")

    def _first_refusal(self, versions: dict[str, tuple[str, list[GuardCheck]]], accounts: dict[str, Any]) -> str | None:
        for lang, (body, checks) in versions.items():
            why = self._why_not(body, checks, accounts, lang, several=len(versions) > 1)
            if why:
                return why
        return None

    def check_edit(self, spike_id: int, texts: dict[str, str], promised: str | None = None) -> str | None:
        """Why an edited statement would be refused, in one line for the Edit form, or None."""
        spike, policy, row = get_spike(self.store, spike_id), self.policy(spike_id), self.alert(spike_id)
        if spike is None or policy is None or row is None:
            return "Not posted: this spike is no longer in the database."
        texts = {lang or row["language"]: text for lang, text in texts.items()}  # a form from before versions
        changed = self._languages_changed(spike, policy, texts)
        if changed:
            return changed
        versions, _ = self._versions(spike, policy, texts, promised, utcnow())
        return self._first_refusal(versions, self.accounts(spike_id))

    def approve_statement(self, spike_id: int, ref: Ref, texts: dict[str, str] | None = None,
                          promised: str | None = None) -> None:
        """Queue the statement (a version in each language the storm speaks) on the brand's
        accounts once, post it, then point the group's drafts to it. Every version, edited or
        not, passes the draft guard as it is at approval: its update time is computed now,
        with its date."""
        row = self.alert(spike_id)
        policy = self.policy(spike_id)
        spike = get_spike(self.store, spike_id)
        if row is None or policy is None or spike is None:
            self.svc.ephemeral(ref, "This spike is no longer in the database; nothing was posted.")
            return
        if not self.may_decide(spike_id, ref):
            return
        accounts = self.accounts(spike_id)
        if not accounts:
            self.svc.ephemeral(ref, "No account of the brand's can post a statement here: add a Mastodon source "
                                    "(or run with the local outbox); nothing was posted.")
            return
        now = utcnow().replace(microsecond=0)
        done = self.posted(spike_id)
        if done:  # a second click: said before anything is drafted again
            self.svc.ephemeral(ref, f"The statement was already approved by {who(done[0]['approved_by'])}; "
                                    "it is posted once.")
            return
        if spike.status == "merged":
            self.svc.ephemeral(ref, "This spike was merged into an older one: use that spike's alert card. "
                                    "Nothing was posted.")
            return
        if texts is not None:
            texts = {lang or row["language"]: text for lang, text in texts.items()}
            changed = self._languages_changed(spike, policy, texts)
            if changed:
                self.svc.ephemeral(ref, changed)
                return
        versions, _ = self._versions(spike, policy, texts, promised, now)
        if texts is None:
            shown = [row["language"], *(v["language"] for v in json.loads(row.get("versions") or "[]"))]
            if set(versions) != set(shown):
                # the card was drawn before the storm's languages changed (it is redrawn at most
                # every few minutes): nothing goes out that nobody saw
                self.show(spike, policy, utcnow(), force=True)
                self.svc.ephemeral(ref, f"Not posted: the statement now has versions in {', '.join(versions)}, "
                                        f"and the card showed {', '.join(shown)}. The card is redrawn: read it "
                                        "and approve again.")
                return
        why = self._first_refusal(versions, accounts)
        if why:
            fix = " Use Edit statement to fix it." if texts is None else ""
            self.svc.ephemeral(ref, f"{why}.{fix}" if not why.endswith(".") else f"{why}{fix}")
            return
        (language, (body, _)), *others = versions.items()
        if not statements.approve(self.store, spike_id, body, language, ref["user"], sorted(accounts), at=now,
                                  also={lang: text for lang, (text, _) in others}):
            done = self.posted(spike_id)
            by = f" by {who(done[0]['approved_by'])}" if done else ""
            self.svc.ephemeral(ref, f"The statement was already approved{by}; it is posted once.")
            return
        edited = " with edits" if texts is not None and body != (row["statement"] or "").strip() else ""
        langs = f" in {', '.join(versions)}" if len(versions) > 1 else ""
        self.note(spike_id, f"✅ Statement approved{edited}{langs} by {who(ref['user'])}.")
        self._deliver(spike_id, accounts)

    def _deliver(self, spike_id: int, accounts: dict[str, Any]) -> None:
        """Post the statement's due rows now (a click does not wait for the worker's round);
        what fails for a while is tried again by the outbox worker, with backoff."""
        worker = getattr(self.svc.runtime, "worker", None)
        backoff = worker.backoff if worker is not None else statements.default_backoff
        rows = statements.deliver(self.store, spike_id, accounts, backoff=backoff)
        for row in rows:
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
        if not statements.retry(self.store, spike_id, ref["user"]):
            self.svc.ephemeral(ref, "Nothing to retry: the statement is posted or still being posted.")
            self.redraw(spike_id)
            return
        self.note(spike_id, f"🔁 {who(ref['user'])} asked to post the statement again.")
        self._deliver(spike_id, self.accounts(spike_id))

    def point_drafts(self, spike_id: int) -> int:
        """Give each open, non-abusive member a draft that points to the statement (checked by
        the guard like any draft), unless its latest draft already does. Returns how many."""
        spike, policy = get_spike(self.store, spike_id), self.policy(spike_id)
        if spike is None or policy is None or not statements.is_posted(self.store, spike_id):
            return 0  # a reply must not point to a statement that is not out
        answer = self._answerable(spike_id)
        posted = self.posted(spike_id)
        # the update time the statement promised: computed from its approval time
        approved = datetime.fromisoformat(posted[0]["approved_at"]) if posted else None
        made = 0
        for m in answer:
            latest = self.store.latest_draft(m.mention_id)
            if latest and latest[1].origin == POINTER_ORIGIN:
                continue
            reply = reply_pointing_to_statement(self.store.mention(m.mention_id), spike, policy, m.language or None,
                                                now=approved)
            self.store.add_draft(m.mention_id, Draft(text=reply.text, language=reply.language, guard=reply.guard,
                                                     origin=POINTER_ORIGIN, notes=reply.notes))
            made += 1
            self._redraw_member(m.mention_id)
        return made

    def replies_to_send(self, spike_id: int, limit: int | None = MAX_LISTED) -> tuple[list[dict[str, Any]], int]:
        """The pointer drafts that "answer the group" would approve (and how many more did not fit)."""
        out = []
        for m in self._answerable(spike_id):
            latest = self.store.latest_draft(m.mention_id)
            if latest and latest[1].origin == POINTER_ORIGIN and latest[1].text:
                out.append({"draft_id": latest[0], "mention_id": m.mention_id, "author": m.author,
                            "network": m.network, "language": latest[1].language, "text": latest[1].text,
                            "post": m.text})
        if limit is None:
            return out, 0
        return out[:limit], max(0, len(out) - limit)

    def answer_form(self, spike_id: int, ref: Ref) -> dict[str, Any] | None:
        """The list of replies, or None (and the person told why)."""
        waiting = self._statement_not_out(spike_id)
        if waiting:
            self.svc.ephemeral(ref, waiting)
            return None
        self.point_drafts(spike_id)
        replies, left = self.replies_to_send(spike_id)
        if not replies:
            self.svc.ephemeral(ref, "Every post of this group is answered or closed already.")
            return None
        return answer_view(spike_id, replies, left, self._listed(self.crisis_members(spike_id)))

    def answer_group(self, spike_id: int, draft_ids: list[int], ref: Ref) -> dict[str, int]:
        """Approve each listed reply through the review core; a reply approved before (a
        double submit, a retry) is skipped, so each is posted once."""
        counts = {"approved": 0, "already": 0, "refused": 0}
        waiting = self._statement_not_out(spike_id)
        if waiting:  # the form was opened earlier; the replies must not point to nothing
            self.svc.ephemeral(ref, f"No reply was approved. {waiting}")
            return counts
        # Only the replies the form could list: this spike's answerable members' current
        # pointer drafts (a forged or stale form names other drafts: they are refused).
        allowed = {d["draft_id"]: d["mention_id"] for d in self.replies_to_send(spike_id, limit=None)[0]}
        members_ = {m.mention_id for m in members(self.store, spike_id)}
        for draft_id in draft_ids:
            mention_id = allowed.get(draft_id)
            if mention_id is None:
                # a reply of this group decided since the form was drawn (a double submit) was
                # answered already; anything else (another spike's, a crisis post) is refused
                found = self.store.db.execute("SELECT mention_id FROM drafts WHERE id = ?", [draft_id]).fetchone()
                decided = (found is not None and found[0] in members_
                           and self.store.get_mention(found[0])["status"] not in OPEN_STATUSES)
                counts["already" if decided else "refused"] += 1
                continue
            try:
                approval = review.approve(self.svc.review, mention_id, ref["user"], draft_id)
            except StaleDecision:
                counts["already"] += 1
                continue
            except review.Refused as exc:
                counts["refused"] += 1
                log.info("reply to %s not approved: %s", mention_id, exc.message)
                continue
            counts["approved"] += 1
            self.svc.thread_note(mention_id, f"✅ Approved with the spike's group by {who(ref['user'])}.")
            self.svc.in_background(self.svc._after_approval, mention_id, approval.outbox_id, ref)
        said = f"{counts['approved']} replies approved"
        if counts["already"]:
            said += f", {counts['already']} were answered already"
        if counts["refused"]:
            said += f", {counts['refused']} need a look on their own cards"
        self.note(spike_id, f"💬 {who(ref['user'])} answered the group: {said}.")
        self.svc.ephemeral(ref, f"{said}. Each is posted once.")
        self.redraw(spike_id)
        return counts

    def hide_abusive(self, spike_id: int, ref: Ref) -> dict[str, list[str]]:
        """Hide (or report, where that is all the network allows) each open abusive post,
        through the review core; says per network what was done."""
        if not self.may_decide(spike_id, ref):
            return {}
        _, abusive = self._open_members(spike_id)
        per_network: dict[str, list[str]] = {}
        for m in abusive:
            try:
                outcome = review.hide(self.svc.review, m.mention_id, ref["user"], "below the belt, in a spike")
            except (StaleDecision, review.Refused):
                continue
            per_network.setdefault(network_label(m.network), []).append(outcome.detail)
            self.svc.thread_note(m.mention_id, f"🙈 Hidden with the spike's abusive posts by {who(ref['user'])}: "
                                               f"{escape(outcome.detail)}.")
            self._redraw_member(m.mention_id)
        if per_network:
            lines = [f"{escape(net)}: {len(ds)} — {escape(ds[0])}" for net, ds in sorted(per_network.items())]
            said = f"🙈 {who(ref['user'])} hid {sum(map(len, per_network.values()))} abusive posts. " + "; ".join(lines)
        else:
            said = "No abusive post of this group is open any more; nothing was changed."
        self.note(spike_id, said)
        self.svc.ephemeral(ref, said)
        self.redraw(spike_id)
        return per_network

