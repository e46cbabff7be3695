"""Issue 21, item 9: two duplicate review cards after SIGKILLs (2,078 cards for 2,076
mentions): the card was posted before its ts was saved, and a restart posted it again.

The real Bolt app's card loop runs in a subprocess against the loopback Slack (Slack's
Web API over HTTP on 127.0.0.1, in this test's process, so it outlives the kill). The
subprocess is killed (SIGKILL) after chat.postMessage answered for one card and before
its ts was saved; `assistant serve`'s start-up then runs again on the same database.
Every mention ends with exactly one card in the review channel.

Run as a script, this file is that subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from slack_harness import MODEL_REPLY, REVIEW, SECRET, Harness

from assistant.domain.models import Mention
from assistant.engine import Engine
from assistant.policy.registry import PolicyRegistry
from assistant.settings import Settings
from assistant.store import Store
from assistant.store import slack_sql as tables
from devtools.fakes import FAKE_MODEL
from devtools.fakes.model import FakeBackend

ROOT = Path(__file__).resolve().parents[2]
MENTIONS = 6
STALL_AT = 3  # the third card whose ts is saved: posted, then the process is killed


def _settings(db: Path, api_url: str) -> Settings:
    return Settings(backend=FAKE_MODEL, db_path=db, policies_dir=ROOT / "policies", slack_bot_token="xoxb-test-token",
                    slack_signing_secret=SECRET, slack_app_token=None, slack_api_url=api_url, review_channel=REVIEW,
                    intake_channel="CINTAKE", approvers=[], outbox_file=db.with_name("outbox.jsonl"))


def worker(db: str, api_url: str, marker: str) -> None:
    """`assistant serve`'s card loop, stalled (to be killed) inside one card's save."""
    from slack_harness import RecordingRuntime

    from assistant.slack import create_app

    settings = _settings(Path(db), api_url)
    store = Store(db)
    engine = Engine(settings, store, PolicyRegistry(settings.policies_dir), backend=FakeBackend(default=MODEL_REPLY))
    app = create_app(engine, RecordingRuntime(store), settings)  # type: ignore[arg-type]
    save, calls = tables.save_card, []

    def stalling_save(store: Store, mention_id: str, channel: str, ts: str) -> None:
        calls.append(mention_id)
        if len(calls) == STALL_AT:
            Path(marker).write_text(f"{mention_id} {ts}")
            time.sleep(120)  # killed here: the card is in Slack, its ts is not in the database
        save(store, mention_id, channel, ts)

    tables.save_card = stalling_save  # type: ignore[assignment]
    app.services.start(interval=0.05)
    time.sleep(120)


def _cards_in_review(slack) -> list[dict]:
    return [p for p in slack.calls_to("chat.postMessage") if p.get("channel") == REVIEW and not p.get("thread_ts")]


def test_a_card_posted_before_a_sigkill_is_not_posted_again(tmp_path: Path, slack) -> None:
    db, marker = tmp_path / "assistant.db", tmp_path / "stalled"
    store = Store(db)
    settings = _settings(db, slack.api_url)
    engine = Engine(settings, store, PolicyRegistry(settings.policies_dir), backend=FakeBackend(default=MODEL_REPLY))
    ids = []
    for i in range(MENTIONS):
        m = Mention(source="mastodon", external_id=f"c{i}", author=f"@fan{i}", text=f"Do you ship the beans to Germany? ({i})",
                    url=f"https://mastodon.example/@fan{i}/1")
        engine.ingest([m])
        engine.process(m.key)
        ids.append(m.key)
    store.close()

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests" / "slack"), str(ROOT / "tests")])}
    proc = subprocess.Popen([sys.executable, __file__, str(db), slack.api_url, str(marker)], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None, proc.communicate()[0][-3000:]
            assert time.monotonic() < deadline, "no card was posted"
            time.sleep(0.02)
        slack.wait_for("chat.postMessage", MENTIONS, timeout=30)  # the other cards too
        time.sleep(0.3)
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    stalled, stalled_ts = marker.read_text().split()
    assert len(_cards_in_review(slack)) == MENTIONS
    store = Store(db)
    assert tables.card(store, stalled) is None  # in Slack, not in the database
    store.close()

    # The restart, as `assistant serve` starts: the card loop's recovery, then its rounds.
    h = Harness(tmp_path, slack, start=True, card_interval=0.05)
    try:
        deadline = time.monotonic() + 30
        while not all(tables.card(h.store, i) for i in ids):
            assert time.monotonic() < deadline, [i for i in ids if not tables.card(h.store, i)]
            time.sleep(0.05)
        time.sleep(0.5)  # a few more rounds of the card loop
        h.services.workers.drain()
        cards = _cards_in_review(slack)
        assert len(cards) == MENTIONS, f"{len(cards)} cards for {MENTIONS} mentions"
        assert tables.card(h.store, stalled) == {"channel": REVIEW, "ts": stalled_ts}
        assert len({tables.card(h.store, i)["ts"] for i in ids}) == MENTIONS  # type: ignore[index]
    finally:
        h.close()


def test_a_card_whose_answer_is_lost_is_found_not_posted_twice(h: Harness, slack) -> None:
    """chat.postMessage carried out, the connection dropped before the answer: the card is
    looked for in the channel (by its metadata) and kept, not posted again."""
    slack.lose("chat.postMessage")
    mention_id, card = h.card("Do you ship the beans to Germany?")
    cards = _cards_in_review(slack)
    assert len(cards) == 1, f"{len(cards)} cards for 1 mention"
    assert cards[0]["metadata"] == {"event_type": "assistant_review_card", "event_payload": {"mention_id": mention_id}}
    assert card == {"channel": REVIEW, "ts": slack.messages[REVIEW][0]["ts"]}
    h.services.poster.publish_pending()
    h.services.workers.drain()
    assert len(_cards_in_review(slack)) == 1


def test_a_channel_that_cannot_be_searched_posts_the_card_again(tmp_path: Path, slack) -> None:
    """When the channel's history cannot be read after a crash, the card is posted again (a
    card twice beats a card lost), and the log says why."""
    db = tmp_path / "assistant.db"
    h = Harness(tmp_path, slack)
    try:
        mention_id = h.add("Do you ship the beans to Germany?")
        h.engine.process(mention_id)
        assert tables.claim_card(h.store, mention_id)
        tables.mark_posting(h.store, mention_id, REVIEW)  # killed after this, before or after posting
    finally:
        h.close()
    slack.fail("conversations.history", status=200, error="not_in_channel")
    h = Harness(tmp_path, slack, start=True, card_interval=0.05)
    try:
        deadline = time.monotonic() + 30
        while not tables.card(h.store, mention_id):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        h.services.workers.drain()
        assert len(_cards_in_review(slack)) == 1 and slack.calls_to("conversations.history:failed")
    finally:
        h.close()
    assert db.exists()


if __name__ == "__main__":
    worker(sys.argv[1], sys.argv[2], sys.argv[3])
