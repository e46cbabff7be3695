"""The review flow used as a hostile or careless person would: clicks on closed or stale
cards, forged form data, errors that carry secrets. Real Bolt app, signed requests, loopback Slack."""

from __future__ import annotations

import json
import time

from slack_harness import APPROVER, QUESTION, text_of

from assistant.connectors.base import Capabilities
from assistant.store import slack_sql as tables
from devtools.loopback import event_callback, slash_command, view_submission


def _reason(text: str) -> dict:
    return {"reason": {"text": {"type": "plain_text_input", "value": text}}}


def test_move_to_private_on_a_closed_mention_sends_nothing_and_does_not_say_recorded(h):
    h.runtime.capabilities_ = Capabilities(private=True, private_means="as a direct message")
    mention_id, card = h.card(QUESTION)
    h.choose("private", mention_id)
    meta = h.opened("private_submit")["private_metadata"]
    h.choose("no_reply", mention_id)  # someone closes it while the form is open
    h.submit("no_reply_submit", _reason("answered by phone"), h.opened("no_reply_submit")["private_metadata"])
    h.services.workers.drain()
    assert h.store.get_mention(mention_id)["status"] == "closed"
    h.submit("private_submit", _reason("Sorry! Order number?"), meta)
    told = h.slack.wait_for("chat.postEphemeral", where=lambda p: "already" in p["text"])[-1]
    assert "nothing was changed" in told["text"]
    h.services.workers.drain()
    time.sleep(0.2)
    assert h.runtime.private == []
    said = [p["text"] for p in h.slack.calls_to("chat.postEphemeral")] + \
        [p["text"] for p in h.slack.calls_to("chat.postMessage") if p.get("thread_ts") == card["ts"]]
    assert not [t for t in said if "Recorded" in t or "Moved to a private" in t], said
    assert tables.follow_up(h.store, mention_id) is None


def test_a_form_with_broken_private_metadata_is_one_clear_line_not_a_server_error(h, caplog):
    mention_id, _ = h.card(QUESTION)
    for meta in ("not json", "[]", "{}", json.dumps({"m": 7}), json.dumps({"m": "nope", "r": "x"})):
        for callback in ("edit_submit", "reject_submit", "no_reply_submit", "escalate_submit",
                         "hide_submit", "private_submit", "regenerate_submit"):
            values = {"reply": {"text": {"type": "plain_text_input", "value": "Thanks!"}},
                      "person": {"value": {"type": "users_select", "selected_user": APPROVER}}}
            r = h.driver.interact(view_submission(callback, values, meta, APPROVER))
            assert r.status_code == 200, (callback, meta, r.status_code, r.text)
    h.services.workers.drain()
    assert h.store.get_mention(mention_id)["status"] == "awaiting"
    assert "Traceback" not in caplog.text


def test_queue_counts_every_waiting_mention_not_the_first_page(h):
    for i in range(230):
        h.add(f"Question number {i}: do you ship to Austria?", external_id=f"q{i}")
    queue = h.driver.command(slash_command("/assistant", "queue", APPROVER, h.slack.response_url())).json()
    shown = text_of(queue["blocks"])
    assert "230 waiting" in shown and "215 more" in shown, shown[:200]
    assert queue["text"].startswith("230 waiting")


def test_a_post_that_fails_with_a_token_in_its_error_does_not_show_the_token(h):
    mention_id, card = h.card(QUESTION)
    h.runtime.error = RuntimeError("401 from https://mastodon.example/api/v1/statuses?access_token=SECRETTOKEN123 "
                                   "Authorization: Bearer SECRETTOKEN456")
    h.click("approve", mention_id)
    h.slack.wait_for("chat.update", where=lambda p: "Posting did not finish" in text_of(p.get("blocks")))
    h.services.workers.drain()
    shown = json.dumps(h.slack.calls)
    assert "SECRETTOKEN" not in shown


def test_a_drafting_failure_does_not_show_a_url_or_a_key_on_the_card(h):
    mention_id, card = h.card(QUESTION)

    def broken(*a, **kw):
        raise RuntimeError("POST https://llm.internal:8443/v1/chat?api_key=sk-SECRET999 answered 500")
    h.engine.regenerate = broken
    h.click("regenerate", mention_id)
    h.submit("regenerate_submit", {}, h.opened("regenerate_submit")["private_metadata"])
    h.slack.wait_for("chat.update", where=lambda p: "Drafting failed" in text_of(p.get("blocks")))
    h.services.workers.drain()
    shown = json.dumps(h.slack.calls)
    assert "sk-SECRET999" not in shown and "llm.internal" not in shown


def test_hide_whose_network_call_fails_tells_the_person_and_redraws_the_card(h):
    h.runtime.capabilities_ = Capabilities(hide=True, hide_means="reported to the instance's moderators")
    mention_id, _ = h.card("you are all idiots", external_id="abuse-x")

    def down(mention_id, reason):
        raise RuntimeError("connection reset by https://mastodon.example/api/v1/reports")
    h.runtime.hide = down
    h.click("hide", mention_id)
    h.submit("hide_submit", {}, h.opened("hide_submit")["private_metadata"])
    card = h.slack.wait_for("chat.update", where=lambda p: "not hidden on Mastodon" in text_of(p.get("blocks")))[-1]
    shown = text_of(card["blocks"])
    assert "Hidden" in shown and "by hand" in shown and "api/v1/reports" not in shown
    assert h.store.get_mention(mention_id)["status"] == "hidden"


def _edit(h, mention_id: str, text: str, user: str = APPROVER):
    h.click("edit", mention_id, user=user)
    meta = h.opened("edit_submit")["private_metadata"]
    return h.submit("edit_submit", {"reply": {"text": {"type": "plain_text_input", "value": text}}}, meta, user=user)


def test_an_edit_with_slack_markup_cannot_ping_or_render_a_link_on_the_card(h):
    mention_id, card = h.card(QUESTION)
    # a link the policy does not know is refused inline, whatever its markup; nothing is posted
    r = _edit(h, mention_id, "Thanks Ann <https://evil.example|click> we ship to Germany!")
    assert r.json()["response_action"] == "errors" and "evil.example" in r.json()["errors"]["reply"]
    assert h.store.outbox_items("pending", "sending", "posted") == []
    r = _edit(h, mention_id, "Thanks Ann <!channel> we ship to Germany!")  # a broadcast is refused too
    assert r.json()["response_action"] == "errors" and "<!channel>" in r.json()["errors"]["reply"]
    edited = "Thanks Ann, we ship to Germany & Austria <:)"
    r = _edit(h, mention_id, edited)
    if r.text:  # a claim warning: the person submits the same text again to use it anyway
        assert "submit again" in r.json()["errors"]["reply"]
        r = _edit(h, mention_id, edited)
    assert r.status_code == 200 and r.text == "", r.text
    h.slack.wait_for("chat.update", where=lambda p: "view the reply" in text_of(p.get("blocks")))
    h.services.workers.drain()
    assert h.store.outbox_items("posted")[0]["text"] == edited  # posted to the network as written
    sent = next(b for b in h.last_card_update(mention_id)["blocks"] if b.get("block_id") == "sent")
    assert sent["text"] == {"type": "plain_text", "text": edited, "emoji": True}  # shown as text, never as markup


def test_an_old_card_after_no_reply_needed_posts_nothing(h):
    mention_id, card = h.card(QUESTION)
    old_value = h.value(mention_id)
    h.choose("no_reply", mention_id)
    h.submit("no_reply_submit", _reason("spam"), h.opened("no_reply_submit")["private_metadata"])
    h.services.workers.drain()
    for user in (APPROVER, "UAPPROVER2"):
        h.click("approve", mention_id, user=user, value=old_value)
    told = h.slack.wait_for("chat.postEphemeral", 2)
    assert all("already closed" in p["text"] for p in told)
    h.services.workers.drain()
    assert h.runtime.delivered == [] and h.store.outbox_items("pending", "sending", "posted") == []


def test_two_edit_submissions_at_once_post_one_reply(h):
    import threading
    mention_id, card = h.card(QUESTION)
    h.click("edit", mention_id)
    meta = h.opened("edit_submit")["private_metadata"]
    h.runtime.gate.clear()
    # Both in the policy's words: a warning to confirm would make the outcome depend on timing.
    texts = ["Thanks Ann! We ship within the EU.", "Thanks, Ann! We ship within the EU."]
    threads = [threading.Thread(target=h.submit, args=("edit_submit",
                                {"reply": {"text": {"type": "plain_text_input", "value": t}}}, meta))
               for t in texts * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    h.runtime.gate.set()
    h.services.workers.drain()
    deadline = time.monotonic() + 30  # a busy machine: let the approval's delivery run
    while not h.runtime.delivered and time.monotonic() < deadline:
        time.sleep(0.05)
    h.services.workers.drain()
    assert len(h.store.outbox_items("pending", "sending", "posted", "failed")) == 1
    assert len(h.runtime.delivered) == 1


def test_escalating_to_an_unknown_person_keeps_the_card_open_and_says_who_was_not_told(h):
    mention_id, card = h.card(QUESTION)
    h.slack.fail("chat.postMessage", status=200, error="channel_not_found", retry_after=None, times=5)
    h.click("escalate", mention_id)
    values = {"person": {"value": {"type": "users_select", "selected_user": "UGONE"}}}
    h.submit("escalate_submit", values, h.opened("escalate_submit")["private_metadata"])
    told = h.slack.wait_for("chat.postEphemeral", where=lambda p: "could not be told" in p["text"])[-1]
    assert "\n" not in told["text"]
    h.services.workers.drain()
    assert h.store.get_mention(mention_id)["status"] == "awaiting"


def test_approve_on_an_old_card_after_its_draft_was_rejected_posts_nothing(h):
    mention_id, card = h.card(QUESTION)
    old_value = h.value(mention_id)  # a colleague still sees the card as it was
    h.choose("reject", mention_id)
    h.submit("reject_submit", _reason("wrong tone"), h.opened("reject_submit")["private_metadata"])
    h.slack.wait_for("chat.update", where=lambda p: "A draft was rejected" in text_of(p.get("blocks")))
    h.services.workers.drain()
    h.click("approve", mention_id, user="UAPPROVER2", value=old_value)
    told = h.slack.wait_for("chat.postEphemeral")[-1]
    assert f"rejected by <@{APPROVER}>" in told["text"] and "nothing was posted" in told["text"]
    h.services.workers.drain()
    assert h.runtime.delivered == [] and h.store.outbox_items("pending", "sending", "posted") == []
    assert h.store.get_mention(mention_id)["status"] == "awaiting"


def test_two_retries_at_once_on_a_failed_post_post_it_once(make_harness):
    import threading

    from slack_harness import ReplyReceiver, action_ids, webhook_source
    receiver = ReplyReceiver(fail=1)
    try:
        h = make_harness(sources=[webhook_source("zap", receiver.url)])
        mention_id, _ = h.card(QUESTION, source="zap", network="webhook")
        h.click("approve", mention_id)
        h.slack.wait_for("chat.update", where=lambda p: "retry" in action_ids(p.get("blocks") or []))
        h.services.workers.drain()
        threads = [threading.Thread(target=h.click, args=("retry", mention_id), kwargs={"user": u})
                   for u in (APPROVER, "UAPPROVER2", APPROVER)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        h.slack.wait_for("chat.update", where=lambda p: "view the reply" in text_of(p.get("blocks")))
        h.services.workers.drain()
        assert len(receiver.posted()) == 1 and len(receiver.received) == 2
        assert len(h.slack.calls_to("chat.postEphemeral")) == 2  # the other two were told
    finally:
        receiver.close()


def test_app_home_with_500_items_waiting_for_me_stays_within_block_kit_limits(h):
    from assistant import review
    r = review.Review(h.engine, h.runtime)
    for i in range(500):
        mention_id = h.add(f"Order {i} never arrived <!channel> *help*", external_id=f"w{i}")
        h.engine.process(mention_id)
        review.escalate(r, mention_id, "UAPPROVER2", APPROVER, None, None)
    started = time.monotonic()
    h.driver.event(event_callback({"type": "app_home_opened", "user": APPROVER, "channel": "D1", "tab": "home",
                                   "event_ts": "1700000400.000200"}))
    view = h.slack.wait_for("views.publish", timeout=20)[0]["view"]
    assert time.monotonic() - started < 10
    assert len(view["blocks"]) <= 100
    mine = next(b for b in view["blocks"] if b.get("block_id") == "mine")["text"]["text"]
    assert "485 more" in mine and "<!channel>" not in json.dumps(view)


def test_a_warning_one_person_saw_is_not_accepted_for_another_who_never_saw_it(h):
    mention_id, _ = h.card(QUESTION)
    edited = "Thanks Ann! We'll send you a free sample tomorrow."
    first = _edit(h, mention_id, edited)
    assert first.json()["response_action"] == "errors" and "submit again" in first.json()["errors"]["reply"]
    other = _edit(h, mention_id, edited, user="UAPPROVER2")  # never shown the warning
    assert other.json()["response_action"] == "errors" and "submit again" in other.json()["errors"]["reply"]
    h.services.workers.drain()
    assert h.store.outbox_items("pending", "sending", "posted") == []


def _rendered(payload: dict) -> list[str]:
    """The texts Slack renders as markup: mrkdwn objects and a message's fallback text (rich_text
    and plain_text elements are shown as written)."""
    out = [payload.get("text") or ""] if isinstance(payload.get("text"), str) else []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                out.append(node.get("text") or "")
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(payload.get("blocks") or (payload.get("view") or {}).get("blocks"))
    return out


def test_a_long_post_full_of_slack_markup_in_card_details_and_edit_stays_within_limits(h):
    post = ("<!channel> <@U123> <https://evil.example|click> &amp; *bold* ~x~ `code` " * 60)[:4000]
    mention_id, card = h.card(post, external_id="long-markup")
    h.click("details", mention_id)
    h.slack.wait_for("views.open")
    h.click("edit", mention_id)
    h.opened("edit_submit")
    h.choose("hide", mention_id)
    h.opened("hide_submit")
    payloads = [*h.slack.calls_to("chat.postMessage"), *h.slack.calls_to("views.open")]
    assert len(payloads) >= 4
    for p in payloads:
        for text in _rendered(p):
            assert "<!channel>" not in text and "<@U123>" not in text and "<https://evil" not in text, text[:200]
    # the fixture checks every payload against Block Kit's limits (fake.violations) at teardown


def test_reject_then_regenerate_then_approve_posts_the_new_draft_once(h):
    mention_id, _ = h.card(QUESTION)
    first = h.store.latest_draft(mention_id)[0]
    h.choose("reject", mention_id)
    h.submit("reject_submit", _reason("too stiff"), h.opened("reject_submit")["private_metadata"])
    h.slack.wait_for("chat.update", where=lambda p: "A draft was rejected" in text_of(p.get("blocks")))
    h.services.workers.drain()
    h.click("regenerate", mention_id)
    h.submit("regenerate_submit", {}, h.opened("regenerate_submit")["private_metadata"])
    h.slack.wait_for("chat.postMessage", where=lambda p: "New draft" in (p.get("text") or ""))
    h.services.workers.drain()
    assert h.store.latest_draft(mention_id)[0] != first
    h.click("approve", mention_id)
    h.click("approve", mention_id, user="UAPPROVER2")
    h.slack.wait_for("chat.update", where=lambda p: "view the reply" in text_of(p.get("blocks")))
    h.services.workers.drain()
    assert len(h.runtime.delivered) == 1 and h.store.get_mention(mention_id)["status"] == "posted"
    assert tables.last_decision(h.store, mention_id)["draft_id"] == h.store.latest_draft(mention_id)[0]
