"""The SQL of assistant/insights/: the interaction log's rows and edit distances, the
super-fans' kind posts, the report's spikes, the approved replies the learning loop compares.

The views read here (``interaction_log``) and the ``reply_edits`` table are defined in
assistant/store/schema/log_views.py; ``kind_posts`` and the spike tables in schema/parts.py.
Times are passed in already formatted (the views compare them as text); the callers keep the
rules (which columns, which window), these functions only run the statements.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from assistant.store import Store

# -- the interaction log (insights/log.py, insights/report/data.py) --------------------------


def unscored_edits(store: Store) -> list[tuple[Any, ...]]:
    """(decision id, draft id, approved text, draft text) of every approval that changed its
    draft and has no edit distance yet."""
    return store.db.execute(
        """SELECT dec.id, df.id, dec.text, df.text FROM decisions dec
           JOIN drafts df ON df.id = COALESCE(dec.draft_id,
                (SELECT id FROM drafts WHERE mention_id = dec.mention_id ORDER BY version DESC LIMIT 1))
           WHERE dec.action IN ('approve', 'edit') AND dec.text != df.text
             AND NOT EXISTS (SELECT 1 FROM reply_edits WHERE decision_id = dec.id)""").fetchall()


def add_edits(store: Store, rows: Iterable[dict[str, Any]]) -> None:
    """Keep edit distances (rows of ``reply_edits``), replacing any already there."""
    with store.transaction() as db:
        db["reply_edits"].insert_all(rows, replace=True)


def log_rows(store: Store, columns: Sequence[str], since: str, until: str | None = None,
             order: bool = True) -> Iterator[dict[str, Any]]:
    """The interaction log's ``columns`` for mentions received in [since, until) (ISO times);
    ``order``: oldest first (by received_at, then id)."""
    sql, args = f"SELECT {', '.join(columns)} FROM interaction_log WHERE received_at >= ?", [since]
    if until is not None:
        sql += " AND received_at < ?"
        args.append(until)
    cursor = store.db.execute(sql + " ORDER BY received_at, id" if order else sql, args)
    names = [c[0] for c in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


# -- super-fans (insights/superfans.py) --------------------------------------------------------


def kind_posts(store: Store, network: str, handle: str, since: str, until: str) -> list[dict[str, Any]]:
    """An author's kind posts in [since, until], oldest first."""
    return list(store.db.query(
        "SELECT id, url, posted_at FROM kind_posts WHERE network = ? AND handle = ?"
        " AND posted_at >= ? AND posted_at <= ? ORDER BY posted_at, id",
        [network, handle, since, until]))


def fan_mention(store: Store, mention_id: str) -> tuple[Any, ...] | None:
    """(network, author, url, intent, posted or received at) of a stored mention, or None."""
    return store.db.execute(
        "SELECT m.network, m.author, m.url, t.intent,"
        " strftime('%Y-%m-%dT%H:%M:%fZ', COALESCE(julianday(m.created_at), julianday(m.ingested_at)))"
        " FROM mentions m LEFT JOIN triage t ON t.mention_id = m.id WHERE m.id = ?", [mention_id]).fetchone()


def fan_rows(store: Store, since: str, until: str, min_posts: int, limit: int) -> list[tuple[Any, ...]]:
    """(network, handle, count, last at, author, last url) of every author with at least
    ``min_posts`` kind posts in [since, until], most first."""
    return store.db.execute(
        """SELECT network, handle, COUNT(*) AS n, MAX(posted_at) AS last_at,
                  (SELECT author FROM kind_posts k2 WHERE k2.network = k.network AND k2.handle = k.handle
                   AND k2.posted_at <= ? ORDER BY posted_at DESC, id DESC LIMIT 1) AS author,
                  (SELECT url FROM kind_posts k2 WHERE k2.network = k.network AND k2.handle = k.handle
                   AND k2.posted_at <= ? ORDER BY posted_at DESC, id DESC LIMIT 1) AS last_url
           FROM kind_posts k WHERE posted_at >= ? AND posted_at <= ?
           GROUP BY network, handle HAVING n >= ?
           ORDER BY n DESC, last_at DESC LIMIT ?""",
        [until, until, since, until, min_posts, limit]).fetchall()


# -- the report's spikes (insights/report/spikes.py) ------------------------------------------


def spike_columns(store: Store) -> dict[str, Any] | None:
    """The ``spikes`` table's columns (name: type), or None when there is no such table
    (the report also reads older files)."""
    if "spikes" not in store.db.table_names():
        return None
    return store.db["spikes"].columns_dict


def has_spike_members(store: Store) -> bool:
    return "spike_members" in store.db.table_names()


def spikes_started(store: Store, start: str, merged: str, since: str, until: str) -> Iterator[dict[str, Any]]:
    """Spikes whose ``start`` column is in [since, until), oldest first; ``merged``: an extra
    condition (or "")."""
    return store.db.query(
        f"SELECT * FROM spikes WHERE julianday([{start}]) >= julianday(?) AND julianday([{start}]) < julianday(?)"
        f"{merged} ORDER BY julianday([{start}])", [since, until])


def member_count(store: Store, spike_id: int) -> int:
    return store.db.execute("SELECT COUNT(*) FROM spike_members WHERE spike_id = ?",
                            [spike_id]).fetchone()[0]


# -- the approved replies (insights/learning/outcomes.py) -------------------------------------


_APPROVED = """
SELECT dec.id, dec.mention_id, dec.text, dec.edited, dec.created_at,
       m.brand, m.author, m.text, t.intent, t.language, t.reading,
       d.id, d.text, d.parts, d.language
FROM decisions dec
JOIN mentions m ON m.id = dec.mention_id
LEFT JOIN triage t ON t.mention_id = dec.mention_id
LEFT JOIN drafts d ON d.id = COALESCE(
  dec.draft_id,
  (SELECT id FROM drafts WHERE mention_id = dec.mention_id
     AND julianday(created_at) <= julianday(dec.created_at) ORDER BY version DESC LIMIT 1),
  (SELECT id FROM drafts WHERE mention_id = dec.mention_id ORDER BY version DESC LIMIT 1))
WHERE dec.action IN ('approve', 'edit')
  AND dec.id = (SELECT MAX(id) FROM decisions last
                WHERE last.mention_id = dec.mention_id AND last.action IN ('approve', 'edit'))
"""


def approved_reply_rows(store: Store, since: str | None, until: str | None, brand: str | None,
                        unbranded: bool) -> Iterator[tuple[Any, ...]]:
    """Every mention's last approved reply decided in [since, until) (ISO times, None: no
    bound), oldest first, with its post, triage and the draft it was approved from.
    ``brand``: only that brand's mentions (and, with ``unbranded``, those stored with none)."""
    sql, args = _APPROVED, []
    if since is not None:
        sql += " AND julianday(dec.created_at) >= julianday(?)"
        args.append(since)
    if until is not None:
        sql += " AND julianday(dec.created_at) < julianday(?)"
        args.append(until)
    if brand is not None:
        sql += " AND (m.brand = ?" + (" OR m.brand IS NULL OR m.brand = '')" if unbranded else ")")
        args.append(brand)
    return store.db.execute(sql + " ORDER BY dec.id", args)
