"""The interaction log (article 003): every mention, what we answered, who decided,
how long it took, exported as CSV or JSON lines.

The rows come from the ``interaction_log`` view (assistant/store/schema/log_views.py), the
one place the log's logic lives; this module only chooses the period, fills in the
edit distances SQLite cannot compute, and writes the rows out.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from assistant.domain.errors import AssistantError
from assistant.domain.models import utcnow
from assistant.store import Store, insights_sql
from assistant.store.log_sql import edit_ratio

__all__ = ["COLUMNS", "FORMATS", "edit_ratio", "iso", "parse_since", "refresh_edits", "rows", "write"]

FORMATS = ("csv", "jsonl")

# The columns of an export, in order (the view's names).
COLUMNS = (
    "id", "network", "source", "brand", "url", "author", "post", "received_at", "ingested_at",
    "language", "intent", "severity", "recommended_action", "team", "triage_reasons",
    "drafts", "drafts_rejected", "first_draft", "first_draft_origin", "final_draft",
    "decision", "decided_by", "decided_at", "decision_reason", "escalated_to",
    "approved_text", "posted_text", "edit_ratio", "edit_label",
    "seconds_to_decision", "posted_at", "seconds_to_post",
    "outbox_status", "post_attempts", "post_error", "posted_id", "posted_url", "status",
)

_SPAN = re.compile(r"^\s*(\d{1,5})\s*([dhw])\s*$", re.I)
_UNIT = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def parse_since(value: str, now: datetime | None = None) -> datetime:
    """``7d``, ``24h``, ``2w`` (back from now) or a date / time (``2026-11-01``, UTC
    unless it says otherwise). A bad value is one line saying what is accepted."""
    now = now or utcnow()
    match = _SPAN.match(value or "")
    if match:
        return now - int(match.group(1)) * _UNIT[match.group(2).lower()]
    try:
        when = datetime.fromisoformat((value or "").strip().replace("Z", "+00:00"))
    except ValueError:
        raise AssistantError(f"--since {value!r} is neither a span nor a date",
                             "use e.g. 7d, 24h, 2w or 2026-11-01") from None
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    if when > now:
        raise AssistantError(f"--since {value!r} is in the future", "give a date before today, or a span such as 30d")
    try:
        return when.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is in year 0 in UTC
        raise AssistantError(f"--since {value!r} is before the year 1",
                             "give a later date, such as 2026-11-01, or a span such as 30d") from None


def iso(when: datetime) -> str:
    """The views' time format (ISO 8601 UTC with milliseconds and Z): they compare as text."""
    # The year by hand: strftime writes year 500 as "500", which sorts after "2026".
    when = when.astimezone(UTC)
    return f"{when.year:04d}" + when.strftime("-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def refresh_edits(store: Store) -> int:
    """Compute the edit distance of every approval that has none yet: approvals made
    before the store recorded them, or that named no draft. Returns how many were
    added; a database that cannot be written (a read-only copy) is left as it is: the
    view then says 'edited'."""
    rows = insights_sql.unscored_edits(store)
    if not rows:
        return 0
    now = iso(utcnow())
    try:
        insights_sql.add_edits(
            store, ({"decision_id": dec_id, "draft_id": draft_id, "ratio": edit_ratio(draft or "", text or ""),
                     "computed_at": now} for dec_id, draft_id, text, draft in rows))
    except sqlite3.OperationalError:
        return 0
    return len(rows)


def rows(store: Store, since: datetime, until: datetime | None = None) -> Iterator[dict[str, Any]]:
    """The log's rows for mentions received in [since, until), oldest first."""
    refresh_edits(store)
    yield from insights_sql.log_rows(store, COLUMNS, iso(since), iso(until) if until is not None else None)


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    # The reasons are stored as a JSON list: a list in JSON lines, one line in CSV.
    reasons = row.get("triage_reasons")
    try:
        row["triage_reasons"] = json.loads(reasons) if reasons else []
    except ValueError:
        row["triage_reasons"] = [reasons]
    return row


# A CSV cell starting with one of these is a formula to a spreadsheet: public text
# ("=HYPERLINK(...)") must not run when a manager opens the export.
_FORMULA = ("=", "+", "-", "@", "\t", "\r", "\n")
# A handle is left readable when it cannot be a formula: word characters, optionally a
# domain (@ann, @ann@mastodon.social, @ann.bsky.social), and not a cell reference (@A1).
_HANDLE = re.compile(r"^@\w+(?:@[\w-]+(?:\.[\w-]+)+|(?:\.[\w-]+)+)?$")
_CELL_REF = re.compile(r"^@\$?[A-Za-z]{1,3}\$?\d+\b")
_LINE_BREAK = re.compile(r"\r\n?")


def _cell(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    # Every line break is \n, so the writer quotes the cell: a bare \r (which the csv
    # module leaves unquoted) would end the row in a spreadsheet and start the next one
    # with whatever follows it.
    value = _LINE_BREAK.sub("\n", value)
    if value.startswith(_FORMULA) and not (name == "author" and _HANDLE.match(value)
                                           and not _CELL_REF.match(value)):
        return "'" + value
    return value


def write(store: Store, since: datetime, fmt: str, out: IO[str], until: datetime | None = None) -> int:
    """Write the log as CSV (a header, one row per mention) or JSON lines; returns the count."""
    if fmt not in FORMATS:
        raise AssistantError(f"unknown format {fmt!r}", f"use one of: {', '.join(FORMATS)}")
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows(store, since, until):
            row = _decoded(row)
            row["triage_reasons"] = "; ".join(str(r) for r in row["triage_reasons"])
            writer.writerow({k: _cell(k, v) for k, v in row.items()})
            count += 1
    else:
        for row in rows(store, since, until):
            out.write(json.dumps(_decoded(row), ensure_ascii=False) + "\n")
            count += 1
    return count
