"""Issue 21, item 5, in Slack: through the real Bolt app over HTTP (signed requests, the
loopback Slack), a person's hostile edit of a reply is refused on the form, says that it
blocks for good, and stays refused when submitted again; nothing is posted. A soft warning
still says "warning only" and is posted when the same person submits the same text again."""

from __future__ import annotations

from slack_harness import APPROVER, QUESTION, text_of

from assistant.review import OVERRIDABLE

COMPLAINT = "The barista Mika at your Kallio café was rude to me this morning and my coffee was cold."

# (post, edited reply, what the form names)
HOSTILE_EDITS = [
    (QUESTION, "Thanks Ann! We ship within the EU, rates at bit.ly/aurora", "bit.ly/aurora"),
    (QUESTION, "Thanks Ann! We ship within the EU. Join t.me/auroradeals for 50 percent off.", "t.me/auroradeals"),
    (QUESTION, "Thanks Ann! We ship within the EU and your next order is half price.", "half price"),
    (QUESTION, "Thanks Ann! Sorry, we don't ship to Germany.", "contradicts_policy"),
    (QUESTION, "Thanks Ann! We ship within the EU and Germany gets next-day delivery.", "next-day"),
    (QUESTION, "Thanks Ann! We ship within the EU. Мы отправим ваш заказ завтра бесплатно.", "other_language"),
    (COMPLAINT, "We're so sorry Mika was rude to you. We'll look into it.", "Mika"),
    (COMPLAINT, "We're so sorry about your visit, we'll send 49 EUR back to you.", "49 EUR"),
]


def _edit(h, mention_id: str, text: str, user: str = APPROVER):  # type: ignore[no-untyped-def]
    h.click("edit", mention_id, user=user)
    meta = h.opened("edit_submit")["private_metadata"]
    return h.submit("edit_submit", {"reply": {"text": {"type": "plain_text_input", "value": text}}}, meta, user=user)


def test_every_hostile_edit_is_refused_for_good_and_nothing_is_posted(h) -> None:  # type: ignore[no-untyped-def]
    posted_before = len(h.store.outbox_items("pending", "sending", "posted"))
    for n, (post, text, named) in enumerate(HOSTILE_EDITS):
        mention_id, _ = h.card(post, external_id=f"hostile-edit-{n}")
        for attempt in range(2):  # submitting the same text again never posts it
            r = _edit(h, mention_id, text)
            assert r.status_code == 200, r.text
            body = r.json()
            assert body["response_action"] == "errors", (text, attempt, body)
            said = body["errors"]["reply"]
            assert "Blocked" in said and "will not post" in said, said
            assert named in said, (named, said)
            assert not said.startswith("Warning only"), said
        h.services.workers.drain()
        assert h.store.get_mention(mention_id)["status"] != "approved", text
    assert len(h.store.outbox_items("pending", "sending", "posted")) == posted_before
    assert h.runtime.delivered == []


def test_a_blocked_edit_that_also_warns_says_which_is_which(h) -> None:  # type: ignore[no-untyped-def]
    mention_id, _ = h.card(QUESTION, external_id="both")
    r = _edit(h, mention_id, "Thanks Ann! We'll send you a free sample tomorrow, see bit.ly/aurora")
    said = r.json()["errors"]["reply"]
    blocked, _, warned = said.partition("warnings only:")
    assert "links" in blocked and "bit.ly/aurora" in blocked, said
    assert "claims" in warned or "gestures" in warned, said


def test_a_soft_warning_can_still_be_overridden(h) -> None:  # type: ignore[no-untyped-def]
    mention_id, _ = h.card(QUESTION, external_id="soft")
    edited = "Thanks Ann! We'll send you a free sample tomorrow."
    first = _edit(h, mention_id, edited)
    said = first.json()["errors"]["reply"]
    assert said.startswith("Warning only") and "submit again to post anyway" in said, said
    assert "Blocked" not in said
    second = _edit(h, mention_id, edited)
    assert second.status_code == 200 and second.text == "", second.text
    h.slack.wait_for("chat.update", where=lambda p: "view the reply" in text_of(p.get("blocks")))
    h.services.workers.drain()
    assert [i["text"] for i in h.store.outbox_items("posted")] == [edited]


def test_the_edit_form_says_what_always_blocks(h) -> None:  # type: ignore[no-untyped-def]
    mention_id, _ = h.card(QUESTION, external_id="form")
    h.click("edit", mention_id)
    view = h.opened("edit_submit")
    hint = next(b for b in view["blocks"] if b.get("block_id") == "reply")["hint"]["text"]
    assert "Always blocked" in hint and "submit again to post anyway" in hint, hint
    assert not {"links", "prices", "staff_named", "contradicts_policy", "other_language"} & OVERRIDABLE
