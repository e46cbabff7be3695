"""Issue 21, items 1, 3 and 4, through the real Bolt app over HTTP against the loopback
Slack: a hostile edit of the statement is refused on the form in one line and nothing
is posted; crisis posts of a storm (high severity, escalated) are listed apart and never
answered by the group click; the statement promises an update time after its approval,
with a date."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from slack_harness import Harness, text_of
from test_spikes import ABUSE, STORM, T0, _click, _latest_alert, _members, _tick, _told

from assistant.domain.models import Action, Draft, Intent, Mention, Severity, Triage
from assistant.ml.embeddings import get_encoder
from assistant.slack.views import alert

pytestmark = pytest.mark.slow  # the real encoder groups the posts by meaning

OPENING = "We have seen your posts about our Midnight Sun espresso blend and we are sorry."
HOSTILE_EDITS = [
    OPENING + " Details and your refund: https://evil-coffee.shop/refund",
    OPENING + " Call us on +44 20 7946 0958.",
    OPENING + " Use code SORRY50 for 50% off.",
    OPENING + " Mika has been fired.",
    OPENING + " We guarantee a full refund.",
    OPENING + " <!channel>",
    "Мы видели ваши сообщения о Midnight Sun и приносим извинения. Мы всё исправим.",
    OPENING + " We will post our next update by 12:00 UTC.",  # a time nothing backs (already past)
]
# Posts the triage sends to a person: high severity, escalated to PR and legal.
CRISIS = ["Midnight Sun put my son in hospital, my lawyer will be in touch",
          "reported the Midnight Sun batch to the food safety authority, my kid got sick"]


def _storm(h: Harness, crisis: list[str] = ()) -> list[str]:  # type: ignore[assignment]
    ids = []
    for i, text in enumerate(STORM + ABUSE + list(crisis)):
        abusive, grave = text in ABUSE, text in crisis
        m = Mention(source="bluesky", external_id=f"storm{i}", author=f"user{i}", text=text, network="bluesky",
                    url=f"https://bsky.app/profile/user{i}/post/{i}",
                    created_at=(T0 + timedelta(minutes=3 * i)).isoformat())
        h.store.add_mentions([m])
        lang = "de" if "Kaffee" in text else ("fi" if "kahvista" in text else "en")
        triage = Triage(language=lang, intent=Intent.ABUSE if abusive else Intent.COMPLAINT,
                        severity=Severity.HIGH if grave else Severity.MEDIUM,
                        action=Action.HIDE if abusive else (Action.ESCALATE if grave else Action.REPLY))
        h.store.save_triage(m.key, triage, None if abusive else Draft(text="We're sorry to hear that.", language=lang))
        h.services.poster.publish(m.key).result(10)
        ids.append(m.key)
    h.services.workers.drain()
    return ids


def _start(make_harness, crisis: list[str] = ()):  # type: ignore[no-untyped-def,assignment]
    h = make_harness(sources=[])
    h.services.storms.encoder = get_encoder()
    ids = _storm(h, crisis)
    found = _tick(h, T0 + timedelta(minutes=3 * len(ids)))
    assert [s.change for s in found] == ["new"], found
    return h, ids, found[0]


def _statements(h: Harness) -> list[dict]:  # type: ignore[type-arg]
    return [r for r in h.outbox_lines() if r.get("statement")]


def test_every_hostile_edit_of_the_statement_is_refused_on_the_form_in_one_line(make_harness) -> None:  # type: ignore[no-untyped-def]
    h, _, spike = _start(make_harness)
    _click(h, alert.EDIT, spike.id)
    view = h.opened(alert.EDIT_VIEW)
    for text in HOSTILE_EDITS:
        resp = h.submit(alert.EDIT_VIEW, {"statement": {"text": {"type": "plain_text_input", "value": text}}},
                        view["private_metadata"])
        h.services.workers.drain()
        assert resp.status_code == 200
        body = resp.json() if resp.content else {}
        assert body.get("response_action") == "errors", (text, resp.content)
        why = body["errors"]["statement"]
        assert why.startswith("Not posted:") and "\n" not in why and len(why) <= 200, why
    assert _statements(h) == []  # nothing left on the brand's accounts
    assert not h.services.spikes.posted(spike.id)
    assert "Approve statement" in text_of(_latest_alert(h, spike.id))  # still to be approved


def test_the_statement_promises_an_update_after_its_approval_with_a_date(make_harness) -> None:  # type: ignore[no-untyped-def]
    h, ids, spike = _start(make_harness)  # the posts are from May 2026; approved now
    _click(h, alert.APPROVE, spike.id)
    h.slack.wait_for("chat.postMessage", where=lambda p: "Statement approved" in p.get("text", ""))
    h.services.workers.drain()
    approved_at = datetime.fromisoformat(h.services.spikes.posted(spike.id)[0]["approved_at"])
    [statement] = _statements(h)
    pattern = re.compile(r"(\d{2}):(\d{2}) UTC, (\d{1,2} [A-Z][a-z]{2} \d{4})")
    found = pattern.search(statement["text"])
    assert found, statement["text"]
    promised = datetime.strptime(f"{found.group(3)} {found.group(1)}:{found.group(2)}", "%d %b %Y %H:%M")
    assert promised.replace(tzinfo=UTC) > approved_at.replace(tzinfo=approved_at.tzinfo or UTC)
    # every pointer reply promises the same time, with its date, and passes the guard
    pointer = h.store.latest_draft(ids[0])
    assert pointer and pointer[1].origin == "statement" and pointer[1].passed, pointer
    assert found.group(0) in pointer[1].text


def test_crisis_posts_of_a_storm_are_listed_apart_and_never_answered_by_the_group(make_harness) -> None:  # type: ignore[no-untyped-def]
    h, ids, spike = _start(make_harness, CRISIS)
    crisis = ids[len(STORM) + len(ABUSE):]
    in_group = {m.mention_id for m in _members(h, spike.id)}
    grave = [i for i in crisis if i in in_group]
    assert grave, "the crisis posts joined the storm's group"
    card = text_of(_latest_alert(h, spike.id))
    assert "To a person" in card and f"{len(grave)} crisis" in card
    _click(h, alert.APPROVE, spike.id)
    h.slack.wait_for("chat.postMessage", where=lambda p: "Statement approved" in p.get("text", ""))
    h.services.workers.drain()
    _click(h, alert.ANSWER, spike.id)
    view = h.opened(alert.ANSWER_VIEW)
    listed = [b for b in view["blocks"] if b["block_id"].startswith("r")]
    apart = text_of([b for b in view["blocks"] if b["block_id"] == "crisis"])
    assert all(h.store.latest_draft(i)[1].origin != "statement" for i in grave)  # type: ignore[index]
    assert not any(f"user{ids.index(i)}*" in text_of([b]) for b in listed for i in grave)
    assert "not answered here" in apart and all(f"user{ids.index(i)}" in apart for i in grave)
    h.submit(alert.ANSWER_VIEW, {}, view["private_metadata"])
    _told(h, "Each is posted once")
    replies = {r["mention"] for r in h.outbox_lines() if not r.get("statement")}
    assert replies and not replies & set(grave)
    assert all(h.store.get_mention(i)["status"] != "posted" for i in grave)


def test_a_fair_edit_is_posted_as_edited_and_one_too_long_is_refused_on_the_form(make_harness) -> None:  # type: ignore[no-untyped-def]
    h, _, spike = _start(make_harness)
    _click(h, alert.EDIT, spike.id)
    view = h.opened(alert.EDIT_VIEW)
    start = view["blocks"][0]["element"]["initial_value"]
    assert "Midnight Sun" in start and re.search(r"\d{2}:\d{2} UTC, \d{1,2} [A-Z][a-z]{2} \d{4}", start)
    long = "We hear you about Midnight Sun. " * 40
    resp = h.submit(alert.EDIT_VIEW, {"statement": {"text": {"type": "plain_text_input", "value": long}}},
                    view["private_metadata"])
    assert "shorten it with Edit" in resp.json()["errors"]["statement"]
    edited = start.replace("and we are sorry for the worry this causes", "and we are truly sorry")
    assert edited != start
    resp = h.submit(alert.EDIT_VIEW, {"statement": {"text": {"type": "plain_text_input", "value": edited}}},
                    view["private_metadata"])
    assert not resp.content or "errors" not in resp.json(), resp.content
    h.slack.wait_for("chat.postMessage", where=lambda p: "Statement approved with edits" in p.get("text", ""))
    h.services.workers.drain()
    [posted] = [r["text"] for r in _statements(h)]
    assert "and we are truly sorry" in posted
    assert "Approve statement" not in text_of(_latest_alert(h, spike.id))  # approved: no second approval
