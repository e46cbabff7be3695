"""The Slack app with the REAL connectors Runtime (outbox worker, local outbox file, webhook
sources on loopback): where a reply goes, failures fixed from the card, read-only sources,
restarts, and the card loop beside the runtime's own processing."""

from __future__ import annotations

import json
import sqlite3
import time

import httpx
from slack_harness import (
    APPROVER,
    HOOK_SECRET,
    OUTSIDER,
    QUESTION,
    ReplyReceiver,
    action_ids,
    feed_source,
    text_of,
    webhook_source,
)

from assistant.connectors.signing import signed_headers
from assistant.slack.views import mrkdwn
from assistant.store import slack_sql as tables

SHORT = "Thanks Ann! Our community loves the new espresso blend too."


def _edit_values(text: str) -> dict:
    return {"reply": {"text": {"type": "plain_text_input", "value": text}}}


def test_a_reply_to_a_mention_from_no_source_says_saved_to_the_outbox_file_not_posted(make_harness):
    h = make_harness(sources=[])  # nothing configured: the runtime's local outbox file answers it
    mention_id, _ = h.card(QUESTION)
    assert h.runtime.connector_name(mention_id) == "file"
    post = h.slack.calls_to("chat.postMessage")[-1]
    approve = next(e for b in post["blocks"] if b["type"] == "actions" for e in b["elements"]
                   if e["action_id"] == "approve")
    assert approve["text"]["text"] == "Approve and save"
    h.click("approve", mention_id)
    final = h.slack.wait_for("chat.update", where=lambda p: "Saved to outbox.jsonl" in text_of(p.get("blocks")))[-1]
    h.services.workers.drain()
    text = text_of(final["blocks"])
    assert "no connector posts to this source" in text and "nothing was posted anywhere" in text
    assert "copy" in text and "Posted" not in text and "view the reply" not in text
    [line] = h.outbox_lines()
    assert line["text"] in text and line["mention"] == mention_id  # the text, ready to copy
    assert h.store.get_mention(mention_id)["status"] == "posted"


def test_a_reply_refused_by_the_network_is_edited_on_the_card_and_posted_once(make_harness):
    receiver = ReplyReceiver(max_length=len(SHORT))
    try:
        h = make_harness(sources=[webhook_source("zap", receiver.url)], start=True)
        mention_id, _ = h.card(QUESTION, source="zap", network="webhook")
        long_text = h.store.latest_draft(mention_id)[1].text
        assert len(long_text) > len(SHORT)
        h.click("approve", mention_id)
        failed = h.slack.wait_for("chat.update", where=lambda p: "Not posted" in text_of(p.get("blocks")))[-1]
        h.services.workers.drain()
        shown = text_of(failed["blocks"])
        assert h.store.get_mention(mention_id)["status"] == "failed"
        # shown as failed, never "Approved", with a readable cause: no URL, no JSON body
        assert "Approved" not in shown and "text is too long for this thread" in shown and "422" in shown
        assert "http://127.0.0.1" not in shown and '{"error"' not in shown
        assert action_ids(failed["blocks"]) == ["retry", "edit_failed", "details"]
        h.slack.wait_for("chat.postMessage", where=lambda p: p.get("thread_ts") and "Not posted" in p["text"])
        # only approvers
        h.click("edit_failed", mention_id, user=OUTSIDER)
        assert "nothing was changed" in h.slack.wait_for("chat.postEphemeral")[0]["text"]
        assert h.slack.calls_to("views.open") == []
        # Edit: the modal starts from the text that failed; the guard checks the new text as usual
        h.click("edit_failed", mention_id)
        view = h.slack.wait_for("views.open")[0]["view"]
        assert view["blocks"][-1]["element"]["initial_value"] == long_text
        assert view["title"]["text"] == "Edit and approve again"
        r = h.submit("edit_submit", _edit_values("As an AI language model I can't say."), view["private_metadata"])
        assert r.json()["response_action"] == "errors"
        r = h.submit("edit_submit", _edit_values(SHORT), view["private_metadata"])
        assert r.status_code == 200 and r.text == ""
        final = h.slack.wait_for("chat.update", where=lambda p: "view the reply" in text_of(p.get("blocks")))[-1]
        h.services.workers.drain()
        time.sleep(1.5)  # the runtime's outbox worker gets a round too: it must not post again
        assert [body["text"] for body in receiver.posted()] == [SHORT]
        assert [status for status, _ in receiver.received] == [422, 200]
        [row] = h.store.outbox_items("posted")  # still one outbox row for the mention
        assert row["text"] == SHORT and row["mention_id"] == mention_id
        assert SHORT in text_of(final["blocks"]) and action_ids(final["blocks"]) == []
        assert tables.last_decision(h.store, mention_id)["action"] == "edit"
    finally:
        receiver.close()


def test_retry_as_is_puts_a_failed_reply_back_and_posts_it(make_harness):
    receiver = ReplyReceiver(fail=1)  # the network refuses once, then takes the same text
    try:
        h = make_harness(sources=[webhook_source("zap", receiver.url)])
        mention_id, _ = h.card(QUESTION, source="zap", network="webhook")
        h.click("approve", mention_id)
        h.slack.wait_for("chat.update", where=lambda p: "retry" in action_ids(p.get("blocks") or []))
        h.services.workers.drain()
        h.click("retry", mention_id, user=OUTSIDER)
        assert "nothing was changed" in h.slack.wait_for("chat.postEphemeral")[0]["text"]
        h.services.workers.drain()
        assert h.store.get_mention(mention_id)["status"] == "failed"
        h.click("retry", mention_id)
        h.slack.wait_for("chat.update", where=lambda p: "view the reply" in text_of(p.get("blocks")))
        h.services.workers.drain()
        assert len(receiver.posted()) == 1 and len(receiver.received) == 2
        assert any(e["kind"] == "post_retry" and e["actor"] == APPROVER for e in h.store.events(mention_id))
    finally:
        receiver.close()


def test_a_read_only_source_offers_the_link_and_hide_ignore_escalate_but_no_approve(make_harness):
    h = make_harness(sources=[feed_source("blog")])
    url = "https://blog.example/posts/aurora-review"
    mention_id, _ = h.card(QUESTION, source="blog", network="feed", url=url)
    post = h.slack.calls_to("chat.postMessage")[-1]
    assert action_ids(post["blocks"]) == ["open_original", "hide", "ignore", "escalate", "details"]
    link = next(e for b in post["blocks"] if b["type"] == "actions" for e in b["elements"]
                if e["action_id"] == "open_original")
    assert link["url"] == url
    assert "read-only" in text_of(post["blocks"])
    # the link button's click is answered, and changes nothing
    assert h.click("open_original", mention_id).status_code == 200
    # an old card or a forged click cannot approve it either
    h.click("approve", mention_id)
    assert "read-only" in h.slack.wait_for("chat.postEphemeral")[0]["text"]
    h.services.workers.drain()
    assert h.store.outbox_items("pending", "sending", "posted", "failed") == []
    h.click("ignore", mention_id)
    h.slack.wait_for("chat.update", where=lambda p: "Ignored" in text_of(p.get("blocks")))
    h.services.workers.drain()
    assert h.store.get_mention(mention_id)["status"] == "ignored"


def test_restart_mid_post_with_the_real_runtime_writes_one_reply_line(make_harness, tmp_path):
    first = make_harness(sources=[])
    mention_id, card = first.card(QUESTION)

    def die(row, posted):  # the line is written, the process dies before recording it
        raise RuntimeError("killed between posting and recording")
    first.runtime.worker.after_post = die
    first.click("approve", mention_id)
    first.slack.wait_for("chat.update", where=lambda p: "tries again" in text_of(p.get("blocks")))
    first.services.workers.drain()
    assert len(first.outbox_lines()) == 1
    [row] = first.store.outbox_items("sending")
    first.close()
    # the claim's lease runs out while the process is down
    with first.store.transaction() as db:
        db.conn.execute("UPDATE outbox SET updated_at = '2000-01-01T00:00:00.000+00:00' WHERE id = ?", [row["id"]])
    first.store.close()

    second = make_harness(sources=[])  # a new Store and a new Runtime on the same files
    shown = len(second.updates_of(mention_id))
    second.click("approve", mention_id, card=card)
    assert "already approved" in second.slack.wait_for("chat.postEphemeral")[0]["text"]
    # the refusal redraws the card as it stands: approved, not saved yet
    second.slack.wait_for("chat.update", shown + 1, where=lambda p: p["ts"] == card["ts"])
    second.services.workers.drain()
    assert second.runtime.worker.store.outbox_item(row["id"])["status"] == "sending"
    before = len(second.slack.calls_to("chat.update"))
    second.start()  # the outbox worker: recovers the stale claim, finds the line, records it
    second.slack.wait_for("chat.update", where=lambda p: "Saved to outbox.jsonl" in text_of(p.get("blocks")))
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        second.services.workers.drain()
        time.sleep(0.1)
    assert len(second.outbox_lines()) == 1  # exactly one reply line
    assert second.store.outbox_item(row["id"])["status"] == "posted"
    assert second.store.get_mention(mention_id)["status"] == "posted"
    after = [p for p in second.slack.calls_to("chat.update")[before:] if p["ts"] == card["ts"]]
    assert len(after) == 1 and "Saved to outbox.jsonl" in text_of(after[0]["blocks"])  # updated once


def test_the_card_loop_beside_the_real_runtime_drafts_each_mention_once(make_harness):
    # A slow model (2 s a call): the card loop runs every 50 ms while the runtime drafts.
    h = make_harness(sources=[webhook_source("zap", None)], delay=2.0, start=True)
    h.slack.members.setdefault("CREVIEW", []).append(APPROVER)
    body = json.dumps({"id": "w1", "author": "Ann", "text": QUESTION}).encode()
    r = httpx.post(h.server.url + "/webhooks/zap", content=body,
                   headers={"Content-Type": "application/json", **signed_headers(HOOK_SECRET, body)})
    assert r.status_code == 202
    mention_id = "zap:w1"
    h.slack.wait_for("chat.postMessage", timeout=20)
    time.sleep(2.5)  # time enough for a second draft, if anything started one
    h.services.workers.drain()
    assert len(h.slack.calls_to("chat.postMessage")) == 1  # one card
    assert len(h.backend.prompts) == 1  # one model call
    versions = h.store.db.conn.execute("SELECT COUNT(*) FROM drafts WHERE mention_id = ?", [mention_id]).fetchone()
    assert versions[0] == 1  # one draft version
    assert h.store.get_mention(mention_id)["status"] == "awaiting"
    assert tables.mentions_without_card(h.store) == []
    card = h.slack.calls_to("chat.postMessage")[0]
    assert "Draft" in text_of(card["blocks"]) or "reply" in text_of(card["blocks"])


def test_presets_reach_the_drafter_as_their_key(make_harness):
    h = make_harness()
    mention_id, _ = h.card(QUESTION)
    h.click("regenerate", mention_id)
    meta = h.slack.wait_for("views.open")[0]["view"]["private_metadata"]
    values = {"preset": {"value": {"type": "static_select", "selected_option": {"value": "formal"}}},
              "instruction": {"text": {"type": "plain_text_input", "value": None}}}
    h.submit("regenerate_submit", values, meta)
    h.slack.wait_for("chat.update", timeout=15, where=lambda p: "approve" in action_ids(p.get("blocks") or []))
    h.services.workers.drain()
    row = h.store.db.conn.execute("SELECT instruction FROM drafts WHERE mention_id = ? ORDER BY version DESC",
                                  [mention_id]).fetchone()
    assert row[0] == "formal"
    from assistant.drafting.prompt import INSTRUCTIONS

    assert INSTRUCTIONS["formal"] in str(h.backend.prompts[-1])


def test_an_escalation_names_the_person_as_a_real_mention_and_escapes_the_note(h):
    mention_id, _ = h.card(QUESTION)
    h.click("escalate", mention_id)
    view = h.slack.wait_for("views.open")[0]["view"]
    values = {"person": {"value": {"type": "users_select", "selected_user": "ULEGAL"}},
              "reason": {"text": {"type": "plain_text_input", "value": "see <!channel> & <@UEVIL>"}}}
    h.submit("escalate_submit", values, view["private_metadata"])
    notice = h.slack.wait_for("chat.postMessage", where=lambda p: p["channel"] == "ULEGAL")[0]
    h.services.workers.drain()
    assert "assigned you" in notice["text"] and "&lt;!channel&gt; &amp; &lt;@UEVIL&gt;" in notice["text"]
    assert "<!channel>" not in notice["text"]
    card = text_of(h.last_card_update(mention_id)["blocks"])
    assert "Owner:* <@ULEGAL>" in card and "<@UEVIL>" not in card and "<!channel>" not in card


def test_slack_markup_is_unescaped_by_one_function():
    from assistant.slack.listeners import commands, shortcuts

    assert not hasattr(shortcuts, "_unslack") and shortcuts.unslack is mrkdwn.unslack
    assert commands.unslack is mrkdwn.unslack
    assert mrkdwn.unslack("<https://a.example|a> &amp;lt; &lt;b&gt;") == "a (https://a.example) &lt; <b>"


def test_a_retried_event_after_a_failure_before_the_store_still_stores_the_mention_once(h):
    from devtools.loopback import event_callback

    real = h.store.add_mentions
    calls = []

    def flaky(mentions, brand=None):  # the first delivery dies before the mention is stored
        calls.append(1)
        if len(calls) == 1:
            raise sqlite3.OperationalError("disk I/O error")
        return real(mentions, brand)
    h.store.add_mentions = flaky
    event = {"type": "message", "channel": "CINTAKE", "user": "U777", "text": "Do you ship to Finland?",
             "ts": "1700000500.000100", "channel_type": "channel", "event_ts": "1700000500.000100"}
    body = event_callback(event, event_id="Ev0CRASH")
    assert h.driver.event(body).status_code == 200
    deadline = time.monotonic() + 5
    while not calls and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)
    assert h.store.count("mentions") == 0  # lost, for now
    assert h.driver.event(body, retry_num=1).status_code == 200  # Slack's retry: same event id
    h.slack.wait_for("chat.postMessage")
    assert h.driver.event(body, retry_num=2).status_code == 200
    time.sleep(0.3)
    h.services.workers.drain()
    assert h.store.count("mentions") == 1
    assert h.store.get_mention("slack:CINTAKE-1700000500.000100")["text"] == "Do you ship to Finland?"
    assert len(h.slack.calls_to("chat.postMessage")) == 1
