"""Super-fans on the review card and in App Home, and ``/assistant report`` uploading the
chart, through the real Bolt app against the loopback Slack."""

from __future__ import annotations

from datetime import timedelta

from slack_harness import APPROVER, REVIEW, Harness, text_of

from assistant.domain.models import Action, Draft, Intent, Mention, Severity, Triage, utcnow
from devtools.loopback import event_callback, slash_command

PRAISE = ["Your Midnight Sun roast is the best coffee in Helsinki!", "Again loving the Aurora beans this morning",
          "Third bag of your espresso blend this month, still wonderful", "Your baristas are the kindest, thank you"]


def _kind_posts(h: Harness, author: str, n: int, network: str = "mastodon") -> list[str]:
    ids = []
    for i, text in enumerate(PRAISE[:n]):
        m = Mention(source="mastodon", external_id=f"{author}-{i}", author=author, text=text, network=network,
                    url=f"https://mastodon.example/@{author}/{i}",
                    created_at=(utcnow() - timedelta(days=10 - i)).isoformat())
        h.store.add_mentions([m])
        h.store.save_triage(m.key, Triage(language="en", intent=Intent.PRAISE, severity=Severity.LOW,
                                          action=Action.REPLY), Draft(text="Thank you so much!", language="en"))
        ids.append(m.key)
    return ids


def test_a_returning_fan_is_marked_on_the_card(h: Harness) -> None:
    ids = _kind_posts(h, "mira", 4)
    h.services.poster.publish(ids[-1]).result(10)
    h.services.workers.drain()
    card = h.slack.wait_for("chat.postMessage", where=lambda p: p.get("channel") == REVIEW)[-1]
    assert "Super-fan · 4th kind post in 60 days" in text_of(card["blocks"])
    # a first-time author's card carries no such line
    once = _kind_posts(h, "newbie", 1)
    h.services.poster.publish(once[0]).result(10)
    h.services.workers.drain()
    first = [p for p in h.slack.calls_to("chat.postMessage") if p.get("channel") == REVIEW][-1]
    assert "Super-fan" not in text_of(first["blocks"])


def test_app_home_lists_the_super_fans(h: Harness) -> None:
    _kind_posts(h, "mira", 4)
    _kind_posts(h, "<b>Jo</b>", 3)
    _kind_posts(h, "twice", 2)  # below the policy's 3 kind posts in 60 days
    h.driver.event(event_callback({"type": "app_home_opened", "user": APPROVER, "channel": "D1", "tab": "home",
                                   "event_ts": "1700000000.000001"}))
    view = h.slack.wait_for("views.publish")[-1]["view"]
    fans = next(b for b in view["blocks"] if b.get("block_id") == "superfans")["text"]["text"]
    assert "mira" in fans and "4 kind posts in 60 days" in fans
    assert "&lt;b&gt;Jo&lt;/b&gt;" in fans and "<b>" not in fans  # an author's name is escaped
    assert "twice" not in fans
    assert fans.index("mira") < fans.index("Jo")  # most kind posts first


def test_assistant_report_uploads_the_chart_and_the_headline(h: Harness) -> None:
    _kind_posts(h, "mira", 3)
    r = h.driver.command(slash_command("/assistant", "report 30d", APPROVER, h.slack.response_url(), channel=REVIEW))
    assert r.status_code == 200 and "Making the report" in r.text
    done = h.slack.wait_for("files.completeUploadExternal", timeout=30)[-1]
    h.services.workers.drain()
    assert done.get("channel_id") == REVIEW
    assert "3 mentions" in done.get("initial_comment", "")
    (png,) = h.slack.uploads.values()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000


def test_assistant_report_with_a_bad_span_says_how_to_fix_it(h: Harness) -> None:
    h.driver.command(slash_command("/assistant", "report soon", APPROVER, h.slack.response_url("rep"), channel=REVIEW))
    said = h.slack.wait_for("response_url", where=lambda p: "report" in str(p.get("text", "")))[-1]
    assert "7d, 24h, 2w" in said["text"]
    assert not h.slack.calls_to("files.getUploadURLExternal")
