"""`assistant report`: one self-contained HTML file whose figures are the database's,
with every public text escaped; the summary image for Slack; spikes when there are
some and "no spikes" when there are none."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

from assistant.domain.models import Intent
from assistant.insights.report import render_html, render_png, spikes_between, write_report
from assistant.store import Store

from .conftest import History, add, draft, triage

EVIL = "<script>alert('x')</script><img src=x onerror=alert(1)>"


def db_headline(store: Store, since: str) -> dict[str, int]:
    """The headline figures counted straight from the tables, not through the views."""
    conn = store.db.conn
    window = "julianday(COALESCE(m.created_at, m.ingested_at)) >= julianday(?)"
    return {
        "mentions": conn.execute(f"SELECT COUNT(*) FROM mentions m WHERE {window}", [since]).fetchone()[0],
        "answered": conn.execute(f"SELECT COUNT(*) FROM outbox o JOIN mentions m ON m.id = o.mention_id"
                                 f" WHERE o.status = 'posted' AND {window}", [since]).fetchone()[0],
        "rejected": conn.execute(f"SELECT COUNT(*) FROM decisions d JOIN mentions m ON m.id = d.mention_id"
                                 f" WHERE d.action = 'reject' AND {window}", [since]).fetchone()[0],
    }


def add_spike(store: Store, started: str, summary: str, posts: int = 42) -> None:
    """A spike row in the table spike detection (assistant/storms) writes, which every store
    has (assistant/store/schema): no members listed, so its size is its peak."""
    store.db["spikes"].insert({"group_id": 0, "encoder": "e5", "status": "open", "opened_at": started,
                               "updated_at": started, "calmed_at": None, "peak": posts, "summary": summary})


def test_report_figures_come_from_the_database(history: History, store, policy):
    since = history.now - timedelta(days=30)
    html, headline = render_html(store, since, policy=policy)
    expected = db_headline(store, since.isoformat())
    assert (headline["mentions"], headline["answered"], headline["rejected"]) == (
        expected["mentions"], expected["answered"], expected["rejected"]) == (7, 3, 1)
    # the reply that failed to post was approved unchanged too
    assert headline["approved_unchanged"] == 2 and headline["edited"] == 2
    # Received two hours before they were posted: none within the 60-minute target.
    assert headline["within_target"] == 0 and headline["target_minutes"] == 60
    assert 7000 < headline["median_response_s"] < 7400
    assert f'<div class="figure" data-key="mentions"><span class="value">{expected["mentions"]}</span>' in html
    assert html.count("<svg") == 6
    assert 'id="no-spikes"' in html  # no spikes in this database


def test_a_longer_target_changes_the_share(history: History, store, policy):
    lenient = policy.model_copy(update={"review": policy.review.model_copy(update={"response_target_minutes": 180})})
    _, headline = render_html(store, history.now - timedelta(days=30), policy=lenient)
    assert headline["within_target"] == 3 and headline["within_target_share"] == 1.0


def test_public_text_is_escaped_and_nothing_is_fetched(store, policy, tmp_path):
    from assistant.domain.models import utcnow

    add(store, "evil", EVIL + " the Kallio café", utcnow() - timedelta(hours=1), author=EVIL,
        t=triage(Intent.COMPLAINT), d=draft("We're sorry."))
    add_spike(store, (utcnow() - timedelta(hours=1)).isoformat(), EVIL + " mould")
    out = tmp_path / "report.html"
    write_report(store, utcnow() - timedelta(days=1), out, policy=policy)
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html  # shown, as text
    # Nothing that could fetch: no src or href but in-page ones, and a CSP that forbids it.
    links = _links(html)
    assert all(v.startswith(("#", "data:")) for v in links), links
    assert "default-src 'none'" in html


def _links(html: str) -> list[str]:
    found: list[str] = []

    class Links(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.extend(v or "" for k, v in attrs if k in ("src", "href", "xlink:href", "action", "srcset"))

    Links().feed(html)
    return found


def test_spikes_between_reads_the_table_when_there_is_one(store):
    from datetime import UTC, datetime

    day = datetime(2026, 11, 10, tzinfo=UTC)
    assert spikes_between(store, day, day + timedelta(days=1)) == []  # an empty table: no spikes
    add_spike(store, "2026-11-10T08:00:00Z", "late deliveries in Riga", posts=57)
    add_spike(store, "2026-11-12T08:00:00+00:00", "mould")
    found = spikes_between(store, day, day + timedelta(days=1))
    assert [(s["summary"], s["posts"], s["status"]) for s in found] == [("late deliveries in Riga", 57, "open")]
    assert len(spikes_between(store, day, day + timedelta(days=3))) == 2


def test_spikes_as_spike_detection_writes_them(store):
    """The layout assistant/storms writes: opened_at, calmed_at, peak, a JSON summary,
    and the posts in spike_members."""
    from datetime import UTC, datetime

    # the store's schema has both tables, in this layout
    assert {"id", "group_id", "encoder", "status", "opened_at", "updated_at", "calmed_at", "peak",
            "summary"} <= set(store.db["spikes"].columns_dict)
    assert {"spike_id", "mention_id", "joined_at"} <= set(store.db["spike_members"].columns_dict)
    summary = {"topic_entry": "kallio-cafe", "common_words": ["mould", "beans", EVIL],
               "languages": {"fi": 30, "en": 12, "sv": 2}, "networks": {"mastodon": 40, "bluesky": 4}}
    store.db["spikes"].insert({"id": 1, "group_id": 3, "encoder": "e5", "status": "calm",
                               "opened_at": "2026-11-10T08:00:00.000+00:00", "updated_at": "2026-11-10T10:00:00Z",
                               "calmed_at": "2026-11-10T10:00:00.000+00:00", "peak": 40,
                               "summary": json.dumps(summary)})
    store.db["spike_members"].insert_all({"spike_id": 1, "mention_id": f"m:{i}", "joined_at": "x"} for i in range(44))
    day = datetime(2026, 11, 10, tzinfo=UTC)
    [spike] = spikes_between(store, day, day + timedelta(days=1))
    assert (spike["posts"], spike["status"], spike["ended_at"]) == (44, "calm", "2026-11-10T10:00:00.000+00:00")
    assert spike["summary"] == (f"about kallio-cafe; words: mould, beans, {EVIL}; languages: fi 30, en 12, sv 2; "
                                "networks: mastodon 40, bluesky 4")


def test_summary_png_for_slack(history: History, store, policy):
    image, headline = render_png(store, history.now - timedelta(days=30), policy=policy)
    assert image.startswith(b"\x89PNG\r\n\x1a\n") and len(image) > 10_000
    assert headline["mentions"] == 7 and headline["answered"] == 3


def test_report_cli_writes_the_file(history: History, run_cli, tmp_path):
    done = run_cli("report", "--since", "30d", "--output", "r.html")
    assert done.returncode == 0, done.stderr
    assert re.match(r"r\.html: 7 mentions since .* UTC, written in [\d.]+ s", done.stdout)
    assert Path(tmp_path / "r.html").read_text(encoding="utf-8").count("<svg") == 6
    bad = run_cli("report", "--since", "last week")
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "--since 'last week'" in bad.stderr
