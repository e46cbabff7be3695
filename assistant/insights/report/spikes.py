"""The spikes a report shows, read from the ``spikes`` table that spike detection
(assistant/storms) writes. The report only reads: a database without the table
(spike detection never ran, or an older version) has no spikes, not an error.

The table's columns are read by name, so this keeps working as it grows: a time
(``opened_at``, ``started_at``, ...), and where present an end (``calmed_at``), a
size (its rows in ``spike_members``, else ``peak`` or a count column), a summary (a
JSON object as spike detection writes it, or text) and a status.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from assistant.store import Store, insights_sql

_START = ("opened_at", "started_at", "detected_at", "created_at", "first_at", "at")
_END = ("calmed_at", "ended_at", "resolved_at")
_SIZE = ("posts", "members", "count", "size", "mentions", "peak")
_SUMMARY = ("summary", "label", "title", "topic", "words", "common_words", "about")


def _first(columns: dict[str, Any], names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in columns), None)


def _iso(when: datetime) -> str:
    from assistant.insights.log import iso

    return iso(when)


def spikes_between(store: Store, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Spikes that started in [since, until), oldest first, each as ``started_at``,
    ``ended_at``, ``posts``, ``summary``, ``status`` (None where the table has no such
    column) plus every column of the row under ``row``. [] when there is no table."""
    columns = insights_sql.spike_columns(store)
    if columns is None:
        return []
    start = _first(columns, _START)
    if start is None:
        return []
    end, size, summary = _first(columns, _END), _first(columns, _SIZE), _first(columns, _SUMMARY)
    # A spike merged into an older one (two groups became one) is that one's storm, and
    # its posts were copied there: counted once.
    merged = " AND COALESCE(status, '') != 'merged'" if "status" in columns else ""
    # Times are compared as SQLite reads them, whatever their ISO spelling.
    rows = insights_sql.spikes_started(store, start, merged, _iso(since), _iso(until))
    members = insights_sql.has_spike_members(store) and "id" in columns
    out = []
    for row in rows:
        posts = row.get(size) if size else None
        if members:
            posts = insights_sql.member_count(store, row["id"]) or posts
        out.append({
            "started_at": row.get(start),
            "ended_at": row.get(end) if end else None,
            "posts": posts,
            "summary": describe(row.get(summary)) if summary else None,
            "status": row.get("status"),
            "row": row,
        })
    return out


def describe(summary: Any) -> str | None:
    """One line about a spike from its summary: spike detection writes a JSON object
    (the catalog entry most posts name, common words, languages, networks); any
    other text is shown as it is. Public words in it are escaped where shown."""
    if not isinstance(summary, str) or not summary.strip():
        return None
    try:
        data = json.loads(summary)
    except ValueError:
        return summary
    if not isinstance(data, dict):
        return summary
    parts = []
    if data.get("topic_entry"):
        parts.append(f"about {data['topic_entry']}")
    if data.get("common_words"):
        parts.append("words: " + ", ".join(str(w) for w in data["common_words"][:8]))
    for key in ("languages", "networks"):
        if isinstance(data.get(key), dict) and data[key]:
            top = sorted(data[key].items(), key=lambda kv: -kv[1])[:4]
            parts.append(f"{key}: " + ", ".join(f"{k} {v}" for k, v in top))
    return "; ".join(parts) or None
