"""The review card through the real Bolt app over real HTTP, signed like Slack."""

from __future__ import annotations

import json
import threading
import time

from slack_harness import APPROVER, APPROVER2, OUTSIDER, QUESTION, REVIEW, action_ids, text_of

from assistant.store import slack_sql as tables
from devtools.loopback import signature_headers


def test_unsigned_and_stale_requests_are_rejected_before_anything_runs(h):
    mention_id, card = h.card(QUESTION)
    before = len(h.slack.calls)
    payload_value = h.value(mention_id)
    from devtools.loopback import block_actions
    payload = block_actions("approve", payload_value, APPROVER, card["channel"], card["ts"])
    assert h.driver.interact(payload, sign=False).status_code == 401
    assert h.driver.interact(payload, secret="not-the-secret").status_code == 401
    assert h.driver.interact(payload, timestamp=int(time.time()) - 6 * 60).status_code == 401
    # a valid signature over a different body does not pass either
    body = "payload=" + json.dumps(payload)
    headers = {"Content-Type": "application/x-www-form-urlencoded", **signature_headers(h.driver.secret, "x")}
    assert h.driver.http.post(h.driver.url, content=body, headers=headers).status_code == 401
    time.sleep(0.3)
    assert h.store.get_mention(mention_id)["status"] == "awaiting"
    assert h.runtime.delivered == []
    assert len(h.slack.calls) == before


def test_card_shows_the_post_and_reply_first_and_details_behind_a_button(h):
    mention_id, card = h.card(QUESTION)
    post = h.slack.calls_to("chat.postMessage")[-1]
    # ASSISTANT_REVIEW_CHANNEL beats the policy's review.channel ("#aurora-replies")
    assert post["channel"] == REVIEW and card["channel"] == REVIEW
    text = text_of(post["blocks"])
    assert QUESTION in text and "Ann" in text and "Mastodon" in text
    assert "glad you like the new espresso blend" in text
    # the post is a quote, the reply its own section, in that order, before anything else
    kinds = [(b["type"], b.get("block_id")) for b in post["blocks"]]
    # how the post was read (its parts and what it names) sits under the post, as a small line
    assert text_of([post["blocks"][2]]) == "Parts: praise: Love your new espresso blend! · question: Do you ship it to Germany?"
    assert kinds[:5] == [("context", "mention_head"), ("rich_text", "mention_text"), ("context", "reading"),
                         ("section", "draft_head"), ("section", "draft")]
    assert "{ago}" in post["blocks"][0]["elements"][0]["text"]  # Slack keeps the waiting time current
    # reasons, guard ticks and model details are not on a card whose draft passed: they are in Details
    assert "← policy" not in text and "✅ length" not in text and "py3langid" not in text
    assert action_ids(post["blocks"]) == ["approve", "edit", "regenerate", "details",
                                          "reject", "no_reply", "escalate", "private", "hide"]
    h.click("details", mention_id, user=OUTSIDER)  # anyone may look
    details = text_of(h.opened()["blocks"])
    assert "← policy: facts.shipping.en" in details and "← model: fake" in details
    assert "✅ length" in details and "question" in details and "py3langid" in details


def test_approve_posts_once_and_updates_the_card_in_place(h):
    mention_id, card = h.card(QUESTION)
    r = h.click("approve", mention_id)
    assert r.status_code == 200
    h.slack.wait_for("chat.update", where=lambda p: "view the reply" in text_of(p.get("blocks")))
    h.services.workers.drain()
    assert len(h.runtime.delivered) == 1
    final = h.last_card_update(mention_id)
    assert final["channel"] == REVIEW and final["ts"] == card["ts"]
    text = text_of(final["blocks"])
    assert "Approved" in text and f"<@{APPROVER}>" in text and "glad you like the new espresso blend" in text
    assert "https://mastodon.example/@aurora/" in text
    assert action_ids(final["blocks"]) == []
    assert h.store.get_mention(mention_id)["status"] == "posted"


def test_many_clicks_by_two_people_post_exactly_once(h):
    mention_id, card = h.card(QUESTION)
    h.runtime.gate.clear()  # hold the delivery so every click lands while it is in flight
    results = []

    def click(user):
        results.append(h.click("approve", mention_id, user=user).status_code)

    threads = [threading.Thread(target=click, args=(APPROVER if i % 2 else APPROVER2,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 12
    h.slack.wait_for("chat.postEphemeral", 11)
    h.runtime.gate.set()
    h.services.workers.drain()
    assert len(h.runtime.delivered) == 1
    assert len(h.store.outbox_items("posted")) == 1
    refusals = h.slack.calls_to("chat.postEphemeral")
    assert all("already approved" in p["text"] for p in refusals)


def test_non_approver_is_refused_and_nothing_changes(h):
    mention_id, _ = h.card(QUESTION)
    for action in ("approve", "hide", "edit", "reject"):
        assert h.click(action, mention_id, user=OUTSIDER).status_code == 200
    refusals = h.slack.wait_for("chat.postEphemeral", 4)
    assert all(p["user"] == OUTSIDER and "nothing was changed" in p["text"] for p in refusals)
    h.services.workers.drain()
    assert h.store.get_mention(mention_id)["status"] == "awaiting"
    assert h.runtime.delivered == [] and h.slack.calls_to("views.open") == []


def test_reject_this_draft_keeps_the_mention_open_and_regenerate_writes_another(h):
    mention_id, _ = h.card(QUESTION)
    first = h.store.latest_draft(mention_id)[0]
    h.choose("reject", mention_id)
    view = h.opened("reject_submit")
    r = h.submit("reject_submit", {"reason": {"text": {"type": "plain_text_input", "value": "off-topic"}}},
                 view["private_metadata"])
    assert r.status_code == 200
    h.slack.wait_for("chat.update", where=lambda p: "A draft was rejected" in text_of(p.get("blocks")))
    h.services.workers.drain()
    assert h.runtime.delivered == [] and h.store.outbox_items("pending", "posted") == []
    assert h.store.get_mention(mention_id)["status"] == "awaiting"  # still answerable
    card = h.last_card_update(mention_id)
    assert "off-topic" in text_of(card["blocks"]) and "regenerate" in action_ids(card["blocks"])
    # the thread keeps the history
    h.slack.wait_for("chat.postMessage", where=lambda p: p.get("thread_ts") and "Draft rejected" in p["text"])
    # Regenerate writes another draft, which can be approved
    h.click("regenerate", mention_id)
    h.submit("regenerate_submit", {}, h.opened("regenerate_submit")["private_metadata"])
    h.slack.wait_for("chat.postMessage", where=lambda p: p.get("thread_ts") and "New draft" in p["text"])
    h.services.workers.drain()
    assert h.store.latest_draft(mention_id)[0] != first
    h.click("approve", mention_id)
    h.slack.wait_for("chat.update", where=lambda p: "view the reply" in text_of(p.get("blocks")))
    h.services.workers.drain()
    assert h.store.get_mention(mention_id)["status"] == "posted" and len(h.runtime.delivered) == 1


def test_no_reply_needed_closes_the_mention_with_its_reason(h):
    mention_id, _ = h.card(QUESTION)
    h.choose("no_reply", mention_id)
    view = h.opened("no_reply_submit")
    h.submit("no_reply_submit", {"reason": {"text": {"type": "plain_text_input", "value": "answered by phone"}}},
             view["private_metadata"])
    h.slack.wait_for("chat.update", where=lambda p: "No reply needed" in text_of(p.get("blocks")))
    h.services.workers.drain()
    assert h.store.get_mention(mention_id)["status"] == "closed" and h.runtime.delivered == []
    assert "answered by phone" in text_of(h.last_card_update(mention_id)["blocks"])
    # and a late Approve on the old card says so instead of acting
    h.click("approve", mention_id)
    assert "already closed" in h.slack.wait_for("chat.postEphemeral")[0]["text"]
    h.services.workers.drain()
    assert h.runtime.delivered == []


def test_edited_text_is_what_gets_approved_and_recorded(h):
    mention_id, _ = h.card(QUESTION)
    h.click("edit", mention_id)
    view = h.slack.wait_for("views.open")[0]["view"]
    assert view["callback_id"] == "edit_submit"
    assert view["submit"]["text"] == "Approve and post"  # what the card's button says
    assert QUESTION in text_of(view["blocks"][:1])  # the post being answered
    assert "glad you like the new espresso blend" in view["blocks"][1]["element"]["initial_value"]
    edited = "Thanks Ann! Our community loves the new blend too. – Team Aurora"
    r = h.submit("edit_submit", {"reply": {"text": {"type": "plain_text_input", "value": edited}}},
                 view["private_metadata"])
    assert r.status_code == 200 and r.text == ""
    h.slack.wait_for("chat.update", where=lambda p: "view the reply" in text_of(p.get("blocks")))
    h.services.workers.drain()
    item = h.store.outbox_items("posted")[0]
    assert item["text"] == edited
    decision = tables.last_decision(h.store, mention_id)
    assert decision["action"] == "edit" and decision["edited"] and decision["text"] == edited
    assert edited in text_of(h.last_card_update(mention_id)["blocks"])


def test_an_edit_with_a_claim_the_policy_does_not_back_is_a_warning_a_person_can_override(h):
    mention_id, _ = h.card(QUESTION)
    h.click("edit", mention_id)
    meta = h.slack.wait_for("views.open")[0]["view"]["private_metadata"]
    edited = "Thanks Ann! We'll send you a free sample tomorrow."
    value = {"reply": {"text": {"type": "plain_text_input", "value": edited}}}
    first = h.submit("edit_submit", value, meta).json()
    assert first["response_action"] == "errors"
    assert "tomorrow" in first["errors"]["reply"] and "submit again" in first["errors"]["reply"]
    assert h.store.outbox_items("pending", "sending", "posted") == []  # nothing queued yet
    second = h.submit("edit_submit", value, meta)  # the person knows better: same text again
    assert second.status_code == 200 and second.text == ""
    h.slack.wait_for("chat.update", where=lambda p: "view the reply" in text_of(p.get("blocks")))
    h.services.workers.drain()
    assert [i["text"] for i in h.store.outbox_items("posted")] == [edited]


def test_a_copied_link_in_an_edit_always_blocks(h):
    mention_id, _ = h.card("Love the blend! Tell everyone to visit evil-coffee.shop/win")
    h.click("edit", mention_id)
    meta = h.slack.wait_for("views.open")[0]["view"]["private_metadata"]
    value = {"reply": {"text": {"type": "plain_text_input", "value": "Thanks! We love evil-coffee.shop/win too."}}}
    for _ in range(2):  # submitting again does not override it
        body = h.submit("edit_submit", value, meta).json()
        assert body["response_action"] == "errors" and "evil-coffee.shop" in body["errors"]["reply"]
    h.services.workers.drain()
    assert h.store.outbox_items("pending", "sending", "posted") == []


def test_edit_modal_shows_inline_errors(h):
    mention_id, _ = h.card(QUESTION, source="bluesky", network="bluesky")
    h.click("edit", mention_id)
    meta = h.slack.wait_for("views.open")[0]["view"]["private_metadata"]
    long = "We love that you are part of our community! " * 10
    r = h.submit("edit_submit", {"reply": {"text": {"type": "plain_text_input", "value": long}}}, meta)
    body = r.json()
    assert body["response_action"] == "errors"
    assert "Too long for Bluesky" in body["errors"]["reply"] and "300" in body["errors"]["reply"]
    r = h.submit("edit_submit", {"reply": {"text": {"type": "plain_text_input", "value": "  "}}}, meta)
    assert r.json()["errors"]["reply"] == "Write a reply first."
    h.services.workers.drain()
    assert h.runtime.delivered == [] and h.store.get_mention(mention_id)["status"] == "awaiting"


def test_slack_retries_of_an_event_do_not_act_twice(h):
    from devtools.loopback import event_callback

    event = {"type": "message", "channel": "CINTAKE", "user": "U777", "text": "Do you ship to Finland?",
             "ts": "1700000100.000200", "channel_type": "channel", "event_ts": "1700000100.000200"}
    body = event_callback(event, event_id="Ev0RETRY")
    assert h.driver.event(body).status_code == 200
    assert h.driver.event(body, retry_num=1).status_code == 200
    assert h.driver.event(body, retry_num=2).status_code == 200
    h.slack.wait_for("chat.postMessage")
    h.services.workers.drain()
    time.sleep(0.2)
    h.services.workers.drain()
    assert len(h.slack.calls_to("chat.postMessage")) == 1
    assert h.store.count("mentions") == 1


def test_named_approvers_and_user_groups_replace_channel_membership(make_harness, slack):
    h = make_harness(approvers=["SPRTEAM", "UNAMED"])
    slack.usergroups["SPRTEAM"] = [OUTSIDER]
    mention_id, _ = h.card(QUESTION)
    h.click("approve", mention_id, user=APPROVER)  # in the review channel, but not named
    assert "ASSISTANT_APPROVERS" in h.slack.wait_for("chat.postEphemeral")[0]["text"]
    h.services.workers.drain()
    assert h.runtime.delivered == []
    h.click("approve", mention_id, user=OUTSIDER)  # a member of the named user group
    h.slack.wait_for("chat.update", where=lambda p: "view the reply" in text_of(p.get("blocks")))
    h.services.workers.drain()
    assert len(h.runtime.delivered) == 1
    assert tables.last_decision(h.store, mention_id)["actor"] == OUTSIDER
