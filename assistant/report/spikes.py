"""The spikes a report shows, read from the ``spikes`` table that spike detection
(assistant/storms) writes. The report only reads: a database without the table
(spike detection never ran, or an older version) has no spikes, not an error.

The table's columns are read by name, so this keeps working as it grows: a time
(``started_at``, ``detected_at``, ``created_at`` or ``at``), and where present an end,
a size, a summary and a status.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..store import Store

_START = ("started_at", "detected_at", "created_at", "first_at", "at")
_END = ("ended_at", "calmed_at", "resolved_at", "last_at", "updated_at")
_SIZE = ("posts", "count", "size", "mentions", "n_posts")
_SUMMARY = ("summary", "label", "title", "topic", "words", "common_words", "about")


def _first(columns: dict[str, Any], names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in columns), None)


def _iso(when: datetime) -> str:
    from ..interaction_log import iso

    return iso(when)


def spikes_between(store: Store, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Spikes that started in [since, until), oldest first, each as ``started_at``,
    ``ended_at``, ``posts``, ``summary``, ``status`` (None where the table has no such
    column) plus every column of the row under ``row``. [] when there is no table."""
    if "spikes" not in store.db.table_names():
        return []
    columns = store.db["spikes"].columns_dict
    start = _first(columns, _START)
    if start is None:
        return []
    end, size, summary = _first(columns, _END), _first(columns, _SIZE), _first(columns, _SUMMARY)
    # Times are compared as SQLite reads them, whatever their ISO spelling.
    rows = store.db.query(
        f"SELECT * FROM spikes WHERE julianday([{start}]) >= julianday(?) AND julianday([{start}]) < julianday(?)"
        f" ORDER BY julianday([{start}])", [_iso(since), _iso(until)])
    out = []
    for row in rows:
        out.append({
            "started_at": row.get(start),
            "ended_at": row.get(end) if end else None,
            "posts": row.get(size) if size else None,
            "summary": row.get(summary) if summary else None,
            "status": row.get("status"),
            "row": row,
        })
    return out
