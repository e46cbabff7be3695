"""Slow models, rate limits, restarts, stale cards, escalation and abuse, oversized texts."""

from __future__ import annotations

import time

from slack_harness import APPROVER, QUESTION, action_ids, text_of

from assistant.connectors.base import Capabilities
from assistant.domain.models import Draft, GuardCheck
from assistant.slack.views.card import CardData, review_card
from assistant.slack.views.elements import MAX_BLOCKS
from assistant.slack.views.modals import edit_modal
from assistant.store import slack_sql as tables
from devtools.loopback import slash_command


def test_ack_within_3_seconds_while_a_slow_model_drafts(make_harness):
    h = make_harness(delay=5.0)
    mention_id = h.add(QUESTION)
    h.store.save_triage(mention_id, h.engine.triage(h.store.mention(mention_id)))
    h.store.add_draft(mention_id, Draft(text="Thanks for being part of our community!", language="en",
                                        guard=[GuardCheck(name="length", passed=True)], backend="fake", model="fake"))
    h.services.poster.publish(mention_id).result(10)
    h.click("regenerate", mention_id)
    meta = h.slack.wait_for("views.open")[0]["view"]["private_metadata"]
    values = {"preset": {"value": {"type": "static_select", "selected_option": {"value": "warmer"}}},
              "instruction": {"text": {"type": "plain_text_input", "value": None}}}
    start = time.perf_counter()
    assert h.submit("regenerate_submit", values, meta).status_code == 200
    assert time.perf_counter() - start < 3.0
    # the model is now busy for 5 s: every other request is still answered at once
    start = time.perf_counter()
    assert h.click("edit", mention_id).status_code == 200
    r = h.driver.command(slash_command("/reply", "Is the café open on Sunday?", APPROVER, h.slack.response_url("reply")))
    assert r.status_code == 200 and "Drafting" in r.text
    assert time.perf_counter() - start < 3.0
    # a placeholder shows at once, then the new draft replaces it
    h.slack.wait_for("chat.update", where=lambda p: "Regenerating (warmer)" in text_of(p.get("blocks")))
    # (the first draft in a process also builds the fact index with the real encoder: slow on a busy machine)
    h.slack.wait_for("chat.update", timeout=60, where=lambda p: "Regenerating" not in text_of(p.get("blocks"))
                     and "approve" in action_ids(p.get("blocks") or []))
    assert h.backend.prompts and "warmer" in str(h.backend.prompts[0]).lower()


def test_rate_limited_card_update_is_retried_after_retry_after(h):
    mention_id, _ = h.card(QUESTION)
    h.slack.fail("chat.update", status=429, retry_after=1, times=1)
    h.click("approve", mention_id)
    h.slack.wait_for("chat.update", where=lambda p: "view the reply" in text_of(p.get("blocks")))
    h.services.workers.drain()
    calls = [m for m, _ in h.slack.calls]
    assert "chat.update:failed" in calls
    assert len(h.runtime.delivered) == 1


def test_a_restart_in_the_middle_resumes_without_a_double_post(make_harness):
    first = make_harness()
    mention_id, card = first.card(QUESTION)
    first.runtime.error = RuntimeError("killed mid-post")  # the process dies while posting
    first.click("approve", mention_id)
    first.slack.wait_for("chat.update", where=lambda p: "tries again" in text_of(p.get("blocks")))
    first.services.workers.drain()
    assert first.store.outbox_items("pending")  # the approval is kept, nothing was posted
    first.close()
    second = make_harness()  # same database file
    second.click("approve", mention_id, card=card)
    assert "already approved" in second.slack.wait_for("chat.postEphemeral")[0]["text"]
    second.services.workers.drain()
    assert second.runtime.delivered == []  # the outbox worker (not a second click) posts it
    assert len(second.store.outbox_items("pending")) == 1


def test_an_old_card_with_a_replaced_draft_does_not_approve_the_new_text(h):
    mention_id, _ = h.card(QUESTION)
    old_value = h.value(mention_id)
    h.engine.regenerate(mention_id, "shorter")
    h.click("approve", mention_id, value=old_value)
    assert "draft changed" in h.slack.wait_for("chat.postEphemeral")[0]["text"]
    h.services.workers.drain()
    assert h.runtime.delivered == [] and h.store.get_mention(mention_id)["status"] == "awaiting"


def test_high_severity_goes_to_the_escalation_channel_and_stays_answerable_after_escalation(h):
    h.slack.members["CESCALATE"] = ["ULEGAL2"]
    mention_id, card = h.card("This is a scam, your CEO is a fraud and I will sue", external_id="sev")
    assert card["channel"] == "CESCALATE"
    post = h.slack.calls_to("chat.postMessage")[-1]
    assert post["channel"] == "#aurora-escalations"
    text = text_of(post["blocks"])
    assert "No draft" in text and "PR and legal" in text
    assert "approve" not in action_ids(post["blocks"])
    h.click("escalate", mention_id)
    view = h.opened("escalate_submit")
    values = {"person": {"value": {"type": "users_select", "selected_user": "ULEGAL"}},
              "team": {"value": {"type": "static_select", "selected_option": {"value": "PR and legal"}}},
              "reason": {"text": {"type": "plain_text_input", "value": "legal threat"}}}
    assert h.submit("escalate_submit", values, view["private_metadata"]).status_code == 200
    dm = h.slack.wait_for("chat.postMessage", where=lambda p: p["channel"] == "ULEGAL")[0]
    # the assignee is pinged with a link to the card (where the buttons are), not a button-less copy
    assert f"archives/CESCALATE/p{card['ts'].replace('.', '')}" in text_of(dm["blocks"]) and action_ids(dm["blocks"]) == []
    h.services.workers.drain()
    # the team's channel is the card's own channel (#aurora-escalations = CESCALATE): no second copy there
    assert not [p for p in h.slack.calls_to("chat.postMessage")
                if p["channel"] in ("CESCALATE", "#aurora-escalations") and not p.get("thread_ts")][1:]
    assert h.store.get_mention(mention_id)["status"] == "awaiting"
    last = h.last_card_update(mention_id)
    assert "Owner:" in text_of(last["blocks"]) and "<@ULEGAL>" in text_of(last["blocks"])
    assert "escalate" in action_ids(last["blocks"]) and "regenerate" in action_ids(last["blocks"])
    h.slack.wait_for("chat.postMessage", where=lambda p: p.get("thread_ts") == card["ts"] and "Escalated" in p["text"])
    # the assignee (in no approver list) drafts a reply and approves it
    h.click("regenerate", mention_id, user="ULEGAL")
    h.submit("regenerate_submit", {}, h.opened("regenerate_submit")["private_metadata"], user="ULEGAL")
    h.slack.wait_for("chat.update", timeout=15, where=lambda p: "approve" in action_ids(p.get("blocks") or []))
    h.services.workers.drain()
    h.click("approve", mention_id, user="ULEGAL")
    h.slack.wait_for("chat.update", where=lambda p: "view the reply" in text_of(p.get("blocks")))
    h.services.workers.drain()
    assert h.store.get_mention(mention_id)["status"] == "posted"
    assert tables.last_decision(h.store, mention_id)["actor"] == "ULEGAL"
    # a member of the escalation channel may act too (ASSISTANT_ESCALATION_CHANNEL_APPROVERS, on by default)
    assert h.services.access.is_approver("ULEGAL2", None, mention_id)
    assert not h.services.access.is_approver("UNOBODY", None, mention_id)


def test_abuse_gets_hide_and_ignore_and_hide_says_it_was_not_hidden_on_the_network(h):
    mention_id, _ = h.card("you are all idiots", external_id="abuse")
    post = h.slack.calls_to("chat.postMessage")[-1]
    assert action_ids(post["blocks"])[:2] == ["hide", "ignore"]
    h.click("hide", mention_id)
    view = h.opened("hide_submit")
    assert "not hidden on the network" in text_of(view["blocks"])
    h.submit("hide_submit", {}, view["private_metadata"])
    h.slack.wait_for("chat.update", where=lambda p: "recorded, not hidden on Mastodon" in text_of(p.get("blocks")))
    h.services.workers.drain()
    assert h.store.get_mention(mention_id)["status"] == "hidden" and h.runtime.delivered == []
    assert h.runtime.hidden == [(mention_id, None)]


def test_hide_on_a_connector_that_can_hides_it_there(h):
    h.runtime.capabilities_ = Capabilities(hide=True, hide_means="reported to the instance's moderators")
    mention_id, _ = h.card("you are all idiots", external_id="abuse2")
    h.click("hide", mention_id)
    view = h.opened("hide_submit")
    assert "reported to the instance" in text_of(view["blocks"])
    h.submit("hide_submit", {"reason": {"text": {"type": "plain_text_input", "value": "insults"}}},
             view["private_metadata"])
    final = h.slack.wait_for("chat.update", where=lambda p: "reported on Mastodon" in text_of(p.get("blocks")))[-1]
    assert "Hidden" in text_of(final["blocks"]) and "not hidden" not in text_of(final["blocks"])
    assert h.runtime.hidden == [(mention_id, "insults")]


def test_move_to_private_sends_where_it_can_and_keeps_the_card_open_with_a_reminder(h):
    h.runtime.capabilities_ = Capabilities(private=True, private_means="as a direct message")
    mention_id, _ = h.card("My order never arrived and nobody answers my emails", external_id="dm")
    h.choose("private", mention_id)
    view = h.opened("private_submit")
    h.submit("private_submit", {"reason": {"text": {"type": "plain_text_input", "value": "Sorry! Order number?"}}},
             view["private_metadata"])
    h.slack.wait_for("chat.update", where=lambda p: "Moved to a private message" in text_of(p.get("blocks")))
    h.services.workers.drain()
    assert h.runtime.private == [(mention_id, "Sorry! Order number?")]
    assert tables.follow_up(h.store, mention_id)["resolved_at"] is None
    assert tables.stats(h.store)["open_follow_ups"] == 1
    assert h.store.get_mention(mention_id)["status"] == "awaiting"


def test_mention_text_cannot_ping_or_render_markup():
    row = {"source": "x", "network": "x", "author": "<!channel> *boss*", "status": "awaiting",
           "text": "<!channel> <@U123> <https://evil.example|click> *bold* & more", "url": "javascript:alert(1)",
           "created_at": "2024-05-01T10:00:00+00:00"}
    text, built = review_card(CardData(mention_id="x:1", mention=row))
    assert "<!channel>" not in text
    for block in built:
        for obj in [block.get("text"), *(block.get("elements") or []), *(block.get("fields") or [])]:
            if isinstance(obj, dict) and obj.get("type") == "mrkdwn":
                assert "<!channel>" not in obj["text"] and "<@U123>" not in obj["text"]
    body = next(b for b in built if b.get("block_id") == "mention_text")
    # a rich_text quote of "text" elements: shown as written, never rendered as markup
    assert body["elements"][0]["elements"][0] == {"type": "text", "text": row["text"]}
    assert "&lt;!channel&gt;" in built[0]["elements"][0]["text"]
    assert "javascript" not in str(built)


def test_oversized_texts_stay_within_block_kit_limits_and_say_so():
    row = {"source": "mastodon", "network": "mastodon", "author": "a", "status": "awaiting", "text": "x" * 10000}
    draft = Draft(text="y" * 5000, language="en", guard=[GuardCheck(name=f"check{i}", passed=True) for i in range(40)])
    _, built = review_card(CardData(mention_id="m:1", mention=row, draft=draft, draft_id=1, limit=500))
    assert len(built) <= MAX_BLOCKS
    for b in built:
        for obj in [b.get("text"), *(b.get("elements") or [])]:
            if isinstance(obj, dict) and "text" in obj:
                assert len(obj["text"]) <= 3000
    joined = text_of(built)
    assert "more characters of this post" in joined and "more characters of this reply" in joined
    assert "too long by 4500" in joined
    modal = edit_modal("m:1", 1, "y" * 5000, "mastodon", 500, {})
    assert modal["blocks"][-1]["element"]["max_length"] == 3000


def test_approve_refuses_a_draft_that_failed_its_checks(h):
    mention_id = h.add(QUESTION, external_id="bad")
    h.store.save_triage(mention_id, h.engine.triage(h.store.mention(mention_id)))
    h.store.add_draft(mention_id, Draft(text="As an AI language model I love coffee", language="en",
                                        guard=[GuardCheck(name="forbidden_phrases", passed=False, detail="as an AI")]))
    h.services.poster.publish(mention_id).result(10)
    h.click("approve", mention_id)
    assert "failed its checks" in h.slack.wait_for("chat.postEphemeral")[0]["text"]
    h.services.workers.drain()
    assert h.runtime.delivered == []
