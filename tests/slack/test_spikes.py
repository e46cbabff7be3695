"""A storm through the real Bolt app against the loopback Slack: the alert card in the
escalation channel with the numbers, the statement approved and posted once, the group
answered with one approval (each reply once), the abusive posts hidden, the card calming
down; the group's review cards marked as part of the spike."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from slack_harness import APPROVER, APPROVER2, Harness, text_of

from assistant.domain.models import Action, Draft, Intent, Mention, Severity, Triage
from assistant.ml.embeddings import get_encoder
from assistant.slack.views import alert
from assistant.storms import spike_for_mention
from devtools.loopback import block_actions

pytestmark = pytest.mark.slow  # the real encoder groups the posts by meaning

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
STORM = [
    "the new Midnight Sun batch made me sick, vomiting all night",
    "drank Midnight Sun this morning and got terrible stomach cramps",
    "my whole family felt ill after the Midnight Sun beans",
    "third person I know who got sick from your Midnight Sun",
    "Midnight Sun made me nauseous, what is in this batch?",
    "after two cups of Midnight Sun I had to leave work, so sick",
    "is the Midnight Sun batch contaminated? we all feel ill <script>alert(1)</script>",
    "Midnight Sun from the latest delivery gave me food poisoning symptoms",
    "Nach dem Midnight Sun Kaffee war mir die ganze Nacht übel",
    "Midnight Sun -kahvista tuli tosi huono olo, oksensin",
    "everyone who had the Midnight Sun at our office is sick",
    "Midnight Sun made me throw up, pull it from sale",
]
ABUSE = ["Midnight Sun made me sick, you idiots are poisoning people, rot in hell",
         "your Midnight Sun poison made me vomit, you brainless crooks"]
ESCALATE = "CESCALATE"  # #aurora-escalations in the loopback Slack


def _storm(h: Harness) -> list[str]:
    """The storm's posts, triaged and drafted, each with its review card."""
    ids = []
    for i, text in enumerate(STORM + ABUSE):
        abusive = text in ABUSE
        m = Mention(source="bluesky", external_id=f"storm{i}", author=f"user{i}", text=text, network="bluesky",
                    url=f"https://bsky.app/profile/user{i}/post/{i}",
                    created_at=(T0 + timedelta(minutes=3 * i)).isoformat())
        h.store.add_mentions([m])
        lang = "de" if "Kaffee" in text else ("fi" if "kahvista" in text else "en")
        triage = Triage(language=lang, intent=Intent.ABUSE if abusive else Intent.COMPLAINT, severity=Severity.MEDIUM,
                        action=Action.HIDE if abusive else Action.REPLY)
        h.store.save_triage(m.key, triage, None if abusive else Draft(text="We're sorry to hear that.", language=lang))
        h.services.poster.publish(m.key).result(10)
        ids.append(m.key)
    h.services.workers.drain()
    return ids


def _tick(h: Harness, at: datetime) -> list:  # type: ignore[type-arg]
    found = h.services.spikes.tick(at)
    h.services.workers.drain()
    return found


def _alert(h: Harness, spike_id: int) -> dict:  # type: ignore[type-arg]
    row = h.services.spikes.alert(spike_id)
    assert row is not None
    return row


def _told(h: Harness, words: str, count: int = 1) -> None:
    """Wait until the listeners (which run after Slack's ack) have told someone ``words``, then
    until the background work they started is done."""
    h.slack.wait_for("chat.postEphemeral", count, timeout=30, where=lambda p: words in p.get("text", ""))
    h.services.workers.drain()


def _click(h: Harness, action_id: str, spike_id: int, user: str = APPROVER) -> None:
    row = _alert(h, spike_id)
    h.driver.interact(block_actions(action_id, alert.value(spike_id), user, row["channel"], row["ts"],
                                    h.slack.response_url("alert")))


def _latest_alert(h: Harness, spike_id: int) -> list:  # type: ignore[type-arg]
    row = _alert(h, spike_id)
    updates = [p for p in h.slack.calls_to("chat.update") if p.get("ts") == row["ts"]]
    if updates:
        return updates[-1]["blocks"]
    return next(p["blocks"] for p in h.slack.calls_to("chat.postMessage")
                if p.get("channel") == ESCALATE and p.get("thread_ts") is None and "blocks" in p
                and any(b.get("block_id") == "spike_numbers" for b in p["blocks"]))


@pytest.fixture
def storm(make_harness):  # type: ignore[no-untyped-def]
    h = make_harness(sources=[])  # the real runtime: statements and replies go to the local outbox file
    h.services.storms.encoder = get_encoder()
    ids = _storm(h)
    end = T0 + timedelta(minutes=3 * len(ids))
    found = _tick(h, end)
    assert [s.change for s in found] == ["new"], found
    return h, ids, found[0], end


def test_alert_card_in_the_escalation_channel_with_the_numbers_and_marked_member_cards(storm) -> None:  # type: ignore[no-untyped-def]
    h, ids, spike, _ = storm
    row = _alert(h, spike.id)
    assert row["channel"] == ESCALATE  # the policy's crisis rule names #aurora-escalations
    text = text_of(_latest_alert(h, spike.id))
    assert f"{spike.members} negative posts" in text
    assert f"{spike.posts_in_window} in the last hour" in text and "usually" in text
    assert "languages" in text and "de 1" in text and "fi 1" in text and "Bluesky" in text
    assert "<script>" not in text  # the public's text is escaped wherever it is shown
    assert "Consolidated statement" in text and "Midnight Sun" in text
    assert "2 abusive" in text
    # the group's review cards say they are part of the spike, with a link to the alert card
    member = h.last_card_update(ids[0])
    assert "Part of a spike" in text_of(member["blocks"])
    assert f"/archives/{ESCALATE}/p{row['ts'].replace('.', '')}" in text_of(member["blocks"])


def test_statement_posted_once_then_the_group_answered_once_each(storm) -> None:  # type: ignore[no-untyped-def]
    h, ids, spike, _ = storm
    _click(h, alert.APPROVE, spike.id)
    _click(h, alert.APPROVE, spike.id, user=APPROVER2)  # a second click, by someone else
    _told(h, "already approved")
    h.slack.wait_for("chat.postMessage", where=lambda p: "Statement approved" in p.get("text", ""))
    h.services.workers.drain()
    statements = [r for r in h.outbox_lines() if r.get("statement")]
    assert len(statements) == 1 and "Midnight Sun" in statements[0]["text"]
    assert statements[0]["in_reply_to"] is None  # a post of the brand's own, not a reply
    assert "already approved" in json.dumps(h.slack.calls_to("chat.postEphemeral"))
    assert "Statement approved by" in text_of(_latest_alert(h, spike.id))
    # members' drafts now point to the statement, and pass the guard
    pointer = h.store.latest_draft(ids[0])
    assert pointer and pointer[1].origin == "statement" and pointer[1].passed
    # one approval answers the group: the form lists each reply before it goes
    _click(h, alert.ANSWER, spike.id)
    view = h.opened(alert.ANSWER_VIEW)
    listed = [b for b in view["blocks"] if b["block_id"].startswith("r")]
    answerable = [i for i in ids if i not in ids[len(STORM):] and i in {m.mention_id for m in _members(h, spike.id)}]
    assert len(listed) == len(answerable) >= 10
    assert "user0" in text_of(view["blocks"]) and "de" in text_of(view["blocks"])
    h.submit(alert.ANSWER_VIEW, {}, view["private_metadata"])
    h.submit(alert.ANSWER_VIEW, {}, view["private_metadata"])  # a double submit
    _told(h, "Each is posted once", 2)
    assert "were answered already" in json.dumps(h.slack.calls_to("chat.postEphemeral"))
    replies = [r for r in h.outbox_lines() if not r.get("statement")]
    assert sorted(r["mention"] for r in replies) == sorted(answerable)  # each once
    assert all(h.store.get_mention(i)["status"] == "posted" for i in answerable)


def _members(h: Harness, spike_id: int):  # type: ignore[no-untyped-def]
    from assistant.storms import members
    return members(h.store, spike_id)


def test_hide_the_abusive_ones_with_one_confirmation(storm) -> None:  # type: ignore[no-untyped-def]
    h, ids, spike, _ = storm
    abusive = ids[len(STORM):]
    assert {m.mention_id for m in _members(h, spike.id) if m.abusive} == set(abusive)
    _click(h, alert.HIDE, spike.id)
    _told(h, "abusive posts")
    assert all(h.store.get_mention(i)["status"] == "hidden" for i in abusive), ([h.store.get_mention(i)["status"] for i in abusive], h.slack.calls_to("chat.postEphemeral"))
    said = json.dumps(h.slack.calls_to("chat.postEphemeral"))
    assert "hid 2 abusive posts" in said and "Bluesky: 2" in said and "not hidden on Bluesky" in said
    assert "Hide the abusive" not in text_of(_latest_alert(h, spike.id))  # nothing left to hide
    assert all(h.store.get_mention(i)["status"] == "awaiting" for i in ids[:len(STORM)])


def test_someone_outside_the_approvers_cannot_post_the_statement(storm) -> None:  # type: ignore[no-untyped-def]
    h, _, spike, _ = storm
    _click(h, alert.APPROVE, spike.id, user="UOUTSIDER")
    _told(h, "Only")
    assert not [r for r in h.outbox_lines() if r.get("statement")]
    assert "Only" in json.dumps(h.slack.calls_to("chat.postEphemeral"))


def test_card_updates_are_throttled_and_it_says_when_calm(storm) -> None:  # type: ignore[no-untyped-def]
    h, _, spike, end = storm
    row = _alert(h, spike.id)
    before = len([p for p in h.slack.calls_to("chat.update") if p.get("ts") == row["ts"]])
    # one more post a minute later: the group grew by less than 20%, within the throttle: no redraw
    m = Mention(source="bluesky", external_id="late1", author="late", network="bluesky",
                text="Midnight Sun batch made me sick as well", created_at=(end + timedelta(minutes=1)).isoformat())
    h.store.add_mentions([m])
    h.store.save_triage(m.key, Triage(language="en", intent=Intent.COMPLAINT, severity=Severity.MEDIUM,
                                      action=Action.REPLY), Draft(text="We're sorry to hear that.", language="en"))
    h.services.poster.publish(m.key).result(10)
    h.services.workers.drain()
    assert "Part of a spike" not in text_of(h.slack.calls_to("chat.postMessage")[-1]["blocks"])  # not grouped yet
    _tick(h, end + timedelta(minutes=2))
    assert len([p for p in h.slack.calls_to("chat.update") if p.get("ts") == row["ts"]]) == before
    # two hours on, nothing new: calm, said on the card and in its thread at once
    found = _tick(h, end + timedelta(hours=2))
    assert [s.change for s in found] == ["calm"]
    assert "Calmed down" in text_of(_latest_alert(h, spike.id))
    assert spike_for_mention(h.store, m.key) == spike.id  # it joined the group ...
    assert "Part of a spike" in text_of(h.last_card_update(m.key)["blocks"])  # ... and its card says so
    assert any("Calmed down" in p.get("text", "") for p in h.slack.calls_to("chat.postMessage")
               if p.get("thread_ts") == row["ts"])


def test_the_app_runs_the_detector_by_itself_on_the_real_clock(make_harness, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ASSISTANT_SPIKE_TICK_SECONDS", "0.5")
    h = make_harness(sources=[])
    now = datetime.now(UTC)
    for i, text in enumerate(STORM):
        m = Mention(source="bluesky", external_id=f"live{i}", author=f"live{i}", text=text, network="bluesky",
                    created_at=(now - timedelta(minutes=40 - 3 * i)).isoformat())
        h.store.add_mentions([m])
        h.store.save_triage(m.key, Triage(language="en", intent=Intent.COMPLAINT, severity=Severity.MEDIUM,
                                          action=Action.REPLY), Draft(text="We're sorry to hear that.", language="en"))
    h.start()  # as `assistant serve` does: cards, and the spike tick
    alert = h.slack.wait_for("chat.postMessage", timeout=60, where=lambda p: p.get("channel") == ESCALATE
                             and any(b.get("block_id") == "spike_numbers" for b in p.get("blocks") or []))[0]
    assert f"{len(STORM)} negative posts" in text_of(alert["blocks"])
