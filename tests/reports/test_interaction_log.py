"""The interaction log: `assistant log` exports every mention with its triage, draft,
decision, reply, edit distance and response times; the same rows are SQL views a
user opens with the sqlite-utils tool."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from assistant.domain.models import Intent, utcnow
from assistant.insights.log import edit_ratio, parse_since

from .conftest import SQLITE_UTILS, History, add, draft, triage


def _by_id(rows: list[dict]) -> dict[str, dict]:
    return {r["id"]: r for r in rows}


def _check_rows(rows: dict[str, dict], h: History, number) -> None:  # type: ignore[no-untyped-def]
    # The mention 40 days old is outside --since 30d; every other one is there.
    assert set(rows) == {h.unchanged, h.light_edit, h.rewritten, h.rejected, h.escalated, h.failed, h.waiting}

    r = rows[h.unchanged]
    assert (r["network"], r["author"], r["intent"], r["language"]) == ("mastodon", "@mika", "praise", "en")
    assert r["url"] == "https://mastodon.example/@mika/1"
    assert (r["decision"], r["decided_by"], r["status"]) == ("approve", "U_ANNA", "posted")
    assert r["first_draft"] == r["posted_text"] == h.drafts["unchanged"]
    assert r["first_draft_origin"] == "composed"
    assert number(r["edit_ratio"]) == 0 and r["edit_label"] == "unchanged"
    assert r["posted_id"] == "r-1" and r["posted_url"] == "https://mastodon.example/@aurora/r-1"
    # received two hours before the approval and the post
    assert 7000 < number(r["seconds_to_decision"]) < 7400
    assert number(r["seconds_to_decision"]) <= number(r["seconds_to_post"]) < 7400

    r = rows[h.light_edit]
    assert r["network"] == "bluesky" and r["decision"] == "edit" and r["decided_by"] == "U_BEN"
    assert 0 < number(r["edit_ratio"]) <= 0.3 and r["edit_label"] == "light edit"
    assert number(r["edit_ratio"]) == pytest.approx(edit_ratio(h.drafts["light"], r["posted_text"]), abs=0.001)

    r = rows[h.rewritten]
    assert r["posted_text"] == h.drafts["written"] and r["first_draft_origin"] == "model"
    assert number(r["edit_ratio"]) > 0.5 and r["edit_label"] == "rewritten"

    r = rows[h.rejected]
    assert (r["decision"], r["decided_by"], r["decision_reason"]) == ("reject", "U_CARL", "sounds like a robot")
    assert r["first_draft_origin"] == "template" and r["language"] == "nl"
    assert not r["posted_text"] and not r["edit_label"] and not r["seconds_to_post"]
    assert 7000 < number(r["seconds_to_decision"]) < 7400

    r = rows[h.escalated]
    assert (r["decision"], r["severity"], r["team"]) == ("escalate", "high", "Quality")
    assert r["escalated_to"] == "to <@U_QA> and Quality: call her today"
    assert not r["first_draft"]

    r = rows[h.failed]
    assert (r["status"], r["outbox_status"]) == ("failed", "failed")
    assert r["post_error"] == "401 Unauthorized: token revoked"
    assert not r["posted_text"] and not r["posted_id"] and not r["seconds_to_post"]
    assert r["approved_text"] == "Thanks for asking! We're open 9-17 on Sundays."

    r = rows[h.waiting]
    assert r["status"] == "awaiting" and not r["decision"] and r["first_draft"] == "Thank you! ☕"


def test_csv_export_has_every_mention_of_the_period(history: History, run_cli, tmp_path):
    out = tmp_path / "log.csv"
    done = run_cli("log", "--since", "30d", "--format", "csv", "--output", str(out))
    assert done.returncode == 0, done.stderr
    assert "7 mentions written" in done.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    _check_rows(_by_id(rows), history, lambda v: float(v))
    # the triage reasons are one readable cell
    assert _by_id(rows)[history.unchanged]["triage_reasons"] == "rule: praise; classifier: 0.91"


def test_jsonl_export_to_stdout(history: History, run_cli):
    done = run_cli("log", "--since", "7d", "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    _check_rows(_by_id(rows), history, lambda v: v)
    assert _by_id(rows)[history.unchanged]["triage_reasons"] == ["rule: praise", "classifier: 0.91"]


def test_a_date_includes_older_mentions(history: History, run_cli):
    def ids(since: str) -> set[str]:
        done = run_cli("log", "--since", since, "--format", "jsonl")
        assert done.returncode == 0, done.stderr
        return {json.loads(line)["id"] for line in done.stdout.splitlines()}

    assert history.old in ids((history.now - timedelta(days=41)).date().isoformat())
    assert history.old not in ids((history.now - timedelta(days=10)).date().isoformat())


def test_csv_does_not_hand_formulas_to_spreadsheets(store, run_cli, tmp_path):
    add(store, "x", '=HYPERLINK("https://evil.example","click")', utcnow(), author="@ann",
        t=triage(Intent.QUESTION), d=draft("Thanks for asking!"))
    done = run_cli("log", "--format", "csv")
    row = next(csv.DictReader(io.StringIO(done.stdout)))
    assert row["post"] == "'=HYPERLINK(\"https://evil.example\",\"click\")"
    assert row["author"] == "@ann"  # a handle is left as it is


@pytest.mark.parametrize("args, says", [
    (["--since", "yesterday"], "--since 'yesterday' is neither a span nor a date (use e.g. 7d, 24h, 2w or"),
    (["--since", "2999-01-01"], "--since '2999-01-01' is in the future"),
    (["--format", "xml"], "--format 'xml' is not known (use one of: csv, jsonl)"),
])
def test_bad_flags_are_one_line_errors(history: History, run_cli, args, says):
    done = run_cli("log", *args)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and says in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_no_database_is_one_line_error(run_cli):
    done = run_cli("log")
    assert done.returncode == 1 and "no database at" in done.stderr and done.stderr.count("\n") == 1


def test_views_open_in_sqlite_utils(history: History, db_path):
    def query(sql: str) -> list[dict]:
        done = subprocess.run([str(SQLITE_UTILS), "query", str(db_path), sql], capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    views = subprocess.run([str(SQLITE_UTILS), "views", str(db_path), "--csv"], capture_output=True, text=True,
                           timeout=60).stdout
    for name in ("interaction_log", "response_times", "daily_volume", "kind_posts"):
        assert name in views
    labels = {r["id"]: r["edit_label"] for r in query("select id, edit_label from interaction_log")}
    assert labels[history.unchanged] == "unchanged" and labels[history.rewritten] == "rewritten"
    times = query("select id, seconds_to_post from response_times where seconds_to_post is not null")
    assert {r["id"] for r in times} == {history.unchanged, history.light_edit, history.rewritten}
    volume = query("select sum(mentions) as n, sum(answered) as answered from daily_volume")
    assert volume == [{"n": 8, "answered": 3}]
    kind = query("select author from kind_posts order by author")
    assert [r["author"] for r in kind] == ["@gus", "@hal", "@mika"]


def test_parse_since_spans_and_dates():
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    assert parse_since("7d", now) == datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert parse_since("24h", now) == datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    assert parse_since("2026-11-01", now) == datetime(2026, 11, 1, tzinfo=UTC)
    assert parse_since("2026-11-01T10:00:00+02:00", now) == datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
