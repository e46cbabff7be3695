"""Issue 21, item 6: dates are checked where mentions come in. Impossible dates are
rejected with their line, future dates are stored as the time received (the original
kept in an event), a time with no zone is UTC, and no response time is negative.
Through the real `assistant ingest` / `assistant log` on a real SQLite file."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from assistant.domain.models import Mention, utcnow
from assistant.store import Store


def _rows(db: Path, sql: str) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql)]
    finally:
        conn.close()


def _jsonl(tmp_path: Path, *records: dict) -> Path:
    f = tmp_path / "m.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return f


def test_impossible_dates_are_rejected_with_their_line(run_cli, tmp_path):
    f = _jsonl(tmp_path,
               {"id": "ok", "text": "Lovely beans", "created_at": "2026-03-02T20:02:00Z"},
               {"id": "zero", "text": "Lovely beans", "created_at": "0"},
               {"id": "feb30", "text": "Lovely beans", "created_at": "2026-02-30"},
               {"id": "julian", "text": "Lovely beans", "created_at": "2461000"},
               {"id": "old", "text": "Lovely beans", "created_at": "0200-01-01T00:00:00Z"},
               {"id": "word", "text": "Lovely beans", "created_at": "yesterday"},
               {"id": "none", "text": "Lovely beans"})
    r = run_cli("ingest", str(f))
    assert "Traceback" not in r.stderr
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "2 new, 0 already stored, 5 rejected"
    lines = r.stderr.splitlines()
    assert len(lines) == 5
    assert lines[0].startswith(f"{f}: line 2: `created_at` '0' is a number, not a date; write it as ISO 8601")
    assert "line 3: `created_at` '2026-02-30' is not a valid date (day is out of range for month)" in lines[1]
    assert "line 4: `created_at` '2461000' is a number, not a date" in lines[2]
    assert "line 5: `created_at` '0200-01-01T00:00:00Z' is before 1990" in lines[3]
    assert "line 6: `created_at` 'yesterday' is not a valid date" in lines[4]
    assert [m["external_id"] for m in _rows(tmp_path / "cli.db", "SELECT external_id FROM mentions ORDER BY id")] \
        == ["none", "ok"]


def test_a_future_date_is_stored_as_received_and_the_original_kept(run_cli, tmp_path):
    ahead = (utcnow() + timedelta(hours=2)).isoformat(timespec="seconds")  # a sender's clock two hours ahead
    f = _jsonl(tmp_path, {"id": "f1", "text": "Where is my order?", "created_at": ahead})
    assert run_cli("ingest", str(f)).stdout.strip() == "1 new, 0 already stored, 0 rejected"
    [m] = _rows(tmp_path / "cli.db", "SELECT * FROM mentions")
    assert m["created_at"] <= m["ingested_at"]
    [event] = _rows(tmp_path / "cli.db", "SELECT * FROM events WHERE kind = 'date_clamped'")
    assert json.loads(event["detail"])["original"] == ahead
    # The export shows it, not lost: received when we got it.
    log = run_cli("log", "--since", "1d", "--format", "jsonl")
    [row] = [json.loads(x) for x in log.stdout.splitlines()]
    assert row["id"] == m["id"]


def test_response_times_are_never_negative_when_the_clocks_disagree(run_cli, tmp_path):
    ahead = (utcnow() + timedelta(hours=2)).isoformat()
    f = _jsonl(tmp_path, {"id": "c1", "text": "My order is late", "created_at": ahead},
               {"id": "c2", "text": "My order is broken", "created_at": ahead})
    run_cli("ingest", str(f))
    store = Store(tmp_path / "cli.db")
    try:
        for mid in ("import:c1", "import:c2"):
            store.decide(mid, "reject", "U_ANNA", reason="not for us")
    finally:
        store.close()
    log = run_cli("log", "--since", "1d", "--format", "jsonl")
    rows = [json.loads(x) for x in log.stdout.splitlines()]
    assert len(rows) == 2
    assert all(r["seconds_to_decision"] is not None and r["seconds_to_decision"] >= 0 for r in rows), rows


def test_a_time_with_no_zone_is_utc(run_cli, tmp_path):
    f = _jsonl(tmp_path, {"id": "n1", "text": "Lovely beans", "created_at": "2026-03-02 20:02"})
    run_cli("ingest", str(f))
    log = run_cli("log", "--since", "2026-03-01", "--format", "jsonl")
    [row] = [json.loads(x) for x in log.stdout.splitlines()]
    assert row["received_at"] == "2026-03-02T20:02:00.000Z"


def test_pollers_and_webhooks_keep_a_post_with_a_bad_date_counted_from_arrival(tmp_path):
    store = Store(tmp_path / "s.db")
    try:
        later = (datetime.now(UTC) + timedelta(days=3)).isoformat()
        new = store.add_mentions([Mention(source="hook", external_id="1", text="hi", created_at="2026-02-30"),
                                  Mention(source="hook", external_id="2", text="hi", created_at=later)])
        assert new == ["hook:1", "hook:2"]
        one, two = store.get_mention("hook:1"), store.get_mention("hook:2")
        assert one["created_at"] is None
        assert two["created_at"] <= two["ingested_at"]
        kinds = {(e["mention_id"], e["kind"]): json.loads(e["detail"])["original"]
                 for e in store.db["events"].rows_where("kind LIKE 'date_%'")}
        assert kinds == {("hook:1", "date_refused"): "2026-02-30", ("hook:2", "date_clamped"): later}
    finally:
        store.close()
