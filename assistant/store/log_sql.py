"""The interaction log's edit distances: how much a person changed each approved draft.

SQLite has no edit distance, so the ``reply_edits`` table (its views and migrations are in
assistant/store/schema/log_views.py) keeps one per approval: the store writes it with the
approval (``record_edit``), and ``insights.log.refresh_edits`` fills in approvals made
before this existed.
"""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein
from sqlite_utils import Database


def edit_ratio(draft: str, posted: str) -> float:
    """How much of the draft a person changed: Levenshtein distance over the longer
    text's length, 0 (unchanged) to 1 (nothing kept)."""
    return round(float(Levenshtein.normalized_distance(draft, posted)), 3)


def record_edit(db: Database, decision_id: int, draft_id: int | None, text: str, now: str) -> None:
    """Keep how much an approval changed its draft (called inside the approval's transaction)."""
    if draft_id is None:
        return  # no draft named: refresh_edits compares with the mention's latest draft
    row = db.execute("SELECT text FROM drafts WHERE id = ?", [draft_id]).fetchone()
    if row is None or row[0] == text:
        return
    db.execute("INSERT OR REPLACE INTO reply_edits (decision_id, draft_id, ratio, computed_at) VALUES (?, ?, ?, ?)",
               [decision_id, draft_id, edit_ratio(row[0] or "", text), now])
