"""/reply, /assistant, the "Draft a reply" shortcut, the intake channel and App Home."""

from __future__ import annotations

from slack_harness import APPROVER, APPROVER2, OUTSIDER, QUESTION, REVIEW, action_ids, text_of

from assistant.store import slack_sql as tables
from devtools.loopback import block_actions, event_callback, message_shortcut, slash_command


def test_reply_command_returns_an_ephemeral_card_whose_buttons_work(h):
    url = h.slack.response_url("reply")
    r = h.driver.command(slash_command("/reply", "Is your <https://aurora.example/cafe|café> open on Sunday?",
                                       APPROVER, url))
    assert r.status_code == 200 and "Drafting" in r.text
    card = h.slack.wait_for("response_url", timeout=60, where=lambda p: p.get("replace_original") and p.get("blocks"))[0]
    assert "approve" in action_ids(card["blocks"])
    assert "café (https://aurora.example/cafe)" in text_of(card["blocks"])
    h.services.workers.drain()
    [row] = h.store.mentions_with_status("awaiting")
    assert tables.mentions_without_card(h.store) == []  # never re-posted to the channel
    value = h.value(row["id"])
    r = h.driver.interact(block_actions("approve", value, APPROVER, "CREVIEW", None, url, ephemeral=True))
    assert r.status_code == 200
    h.slack.wait_for("response_url", where=lambda p: "view the reply" in text_of(p.get("blocks")))
    h.services.workers.drain()
    assert len(h.runtime.delivered) == 1


def test_reply_without_text_says_how_to_use_it(h):
    r = h.driver.command(slash_command("/reply", "  ", APPROVER, h.slack.response_url()))
    assert "Usage: `/reply <text or link>`" in r.text


def test_assistant_subcommands(h):
    h.card(QUESTION)
    queue = h.driver.command(slash_command("/assistant", "queue", APPROVER, h.slack.response_url())).json()
    assert "1 waiting" in text_of(queue["blocks"]) and "slack.com/archives/CREVIEW" in text_of(queue["blocks"])
    stats = h.driver.command(slash_command("/assistant", "stats", APPROVER, h.slack.response_url())).json()
    assert "Answered today" in text_of(stats["blocks"])
    policy = h.driver.command(slash_command("/assistant", "policy", APPROVER, h.slack.response_url())).json()
    assert "Aurora Roasters" in text_of(policy["blocks"]) and "Last reload: OK" in text_of(policy["blocks"])
    helptext = h.driver.command(slash_command("/assistant", "", APPROVER, h.slack.response_url())).json()
    assert "/reply" in text_of(helptext["blocks"])
    unknown = h.driver.command(slash_command("/assistant", "frobnicate", APPROVER, h.slack.response_url()))
    assert "Try `/assistant help`" in unknown.text


def test_message_shortcut_drafts_a_reply_for_a_forwarded_rss_item(make_harness):
    h = make_harness(review_channel=None)  # the policy's review.channel, "#aurora-replies", is used
    message = {"type": "message", "subtype": "bot_message", "bot_id": "BRSS", "username": "RSS",
               "ts": "1700000200.000300", "text": "",
               "attachments": [{"title": "Aurora Roasters beans are stale lately?",
                                "title_link": "https://bsky.app/profile/joe/post/3k",
                                "text": "Anyone else noticed the beans from Aurora taste stale?"}]}
    r = h.driver.interact(message_shortcut(message, "CFEEDS", OUTSIDER, h.slack.response_url()))
    assert r.status_code == 200
    post = h.slack.wait_for("chat.postMessage")[0]
    assert post["channel"] == "#aurora-replies"
    confirm = h.slack.wait_for("chat.postEphemeral", where=lambda p: "Drafting a reply" in p["text"])[0]
    assert "<#CREVIEW>" in confirm["text"]  # a channel link Slack can render: by id, not <##name>
    h.services.workers.drain()
    mention = h.store.get_mention("slack:CFEEDS-1700000200.000300")
    assert mention["network"] == "bluesky" and mention["url"] == "https://bsky.app/profile/joe/post/3k"
    assert "taste stale" in mention["text"]
    h.slack.wait_for("chat.update", where=lambda p: "approve" in action_ids(p.get("blocks") or []))


def test_intake_channel_messages_become_mentions_and_others_do_not(h):
    def msg(channel, ts, **kw):
        return {"type": "message", "channel": channel, "user": "U5", "text": "Do you ship to Finland?", "ts": ts,
                "event_ts": ts, "channel_type": "channel", **kw}
    h.driver.event(event_callback(msg("CINTAKE", "1700000300.000100")))
    h.driver.event(event_callback(msg("COTHER", "1700000300.000200")))
    h.driver.event(event_callback(msg("CINTAKE", "1700000300.000300", thread_ts="1700000300.000100")))
    h.driver.event(event_callback(msg("CINTAKE", "1700000300.000400", subtype="message_changed")))
    h.driver.event(event_callback(msg("CINTAKE", "1700000300.000500", bot_id="BBOT", user="UBOT")))  # ourselves
    h.slack.wait_for("chat.postMessage")
    h.services.workers.drain()
    assert h.store.count("mentions") == 1
    assert h.store.get_mention("slack:CINTAKE-1700000300.000100")["author"] == "Person U5"


def test_app_home_shows_queue_figures_and_policy(h):
    mention_id, _ = h.card(QUESTION)
    h.click("approve", mention_id)
    h.slack.wait_for("chat.update", where=lambda p: "view the reply" in text_of(p.get("blocks")))
    h.services.workers.drain()
    h.card("Do you have decaf?", external_id="2")
    h.driver.event(event_callback({"type": "app_home_opened", "user": APPROVER, "channel": "D1", "tab": "home",
                                   "event_ts": "1700000400.000100"}))
    view = h.slack.wait_for("views.publish")[0]
    assert view["user_id"] == APPROVER
    text = text_of(view["view"]["blocks"])
    assert "1 waiting" in text and "Answered today*\n1" in text and "Approved as drafted*\n1" in text
    assert "Aurora Roasters" in text and "Last reload: OK" in text


def test_app_home_lists_what_waits_for_me_and_my_teams_oldest_first_with_links(h):
    h.slack.members["CSALES"] = [APPROVER]
    h.slack.channels["aurora-sales"] = "CSALES"
    old_id, old_card = h.card("Do you ship to Norway?", external_id="old", created_at="2026-01-01T10:00:00+00:00")
    new_id, new_card = h.card("Do you sell gift cards?", external_id="new", created_at="2026-02-01T10:00:00+00:00")
    team_id, _ = h.card("Can our café buy your beans wholesale?", external_id="team")
    from assistant import review

    r = review.Review(h.engine, h.runtime)
    review.escalate(r, new_id, APPROVER2, APPROVER, None, "you know this one")
    review.escalate(r, old_id, APPROVER2, APPROVER, None, None)
    team = next(rule.team for rule in h.engine.policy().escalation if rule.channel == "#aurora-sales")
    review.escalate(r, team_id, APPROVER2, None, team, None)
    h.driver.event(event_callback({"type": "app_home_opened", "user": APPROVER, "channel": "D1", "tab": "home",
                                   "event_ts": "1700000400.000200"}))
    view = h.slack.wait_for("views.publish")[0]["view"]
    by_id = {b.get("block_id"): b for b in view["blocks"]}
    mine = by_id["mine"]["text"]["text"]
    assert mine.index("Norway") < mine.index("gift cards")  # oldest first
    assert f"archives/{REVIEW}/p{old_card['ts'].replace('.', '')}" in mine and "{ago}" in mine
    assert "wholesale" in by_id["teams"]["text"]["text"] and "wholesale" not in mine
    assert str(h.settings.policies_dir) not in text_of(view["blocks"])  # no server paths


def test_reply_with_a_link_to_a_stored_mention_points_to_its_card_and_help_is_escaped(h):
    mention_id, card = h.card(QUESTION, url="https://mastodon.example/@ann/77")
    url = h.slack.response_url("linked")
    r = h.driver.command(slash_command("/reply", "<https://mastodon.example/@ann/77>", APPROVER, url))
    assert r.status_code == 200
    answer = h.slack.wait_for("response_url", where=lambda p: p["_url"].endswith("/linked"))[0]
    assert "already has a review card" in answer["text"] and f"archives/{REVIEW}/p{card['ts'].replace('.', '')}" in answer["text"]
    helptext = h.driver.command(slash_command("/assistant", "help", APPROVER, url)).json()
    assert "/reply &lt;text or link&gt;" in text_of(helptext["blocks"])
