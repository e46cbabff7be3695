"""The SQL of the reply memory (assistant/drafting/memory.py): past decisions with the post
they were about and the reply they approved or rejected, and the posts' vectors, kept once
per encoder in ``reply_vectors`` (defined in assistant/store/schema/core.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from assistant.store import Store

# Vectors read per query: SQLite allows only so many parameters in one statement.
_CHUNK = 500


def decisions(store: Store, actions: tuple[str, ...], brand: str, language: str, intent: str | None,
              default_brand: bool, limit: int = 2000) -> list[dict[str, Any]]:
    """The latest decisions of these kinds on the brand's posts in this language (and intent),
    newest first, each with ``reply``: the approved text, or for a rejection the draft it rejected.
    ``default_brand``: mentions stored without a brand count as the brand's."""
    brand_sql = "(m.brand = ? OR m.brand IS NULL OR m.brand = '')" if default_brand else "m.brand = ?"
    sql = f"""
        SELECT d.id AS decision_id, d.mention_id, d.action, d.actor, d.reason, d.created_at,
               COALESCE(d.text, dr.text) AS reply, m.author, m.text AS post
        FROM decisions d
        JOIN mentions m ON m.id = d.mention_id
        JOIN triage t ON t.mention_id = d.mention_id
        -- a rejection names no draft: it was the latest one before the decision
        LEFT JOIN drafts dr ON dr.id = COALESCE(d.draft_id, (
            SELECT x.id FROM drafts x WHERE x.mention_id = d.mention_id AND x.created_at <= d.created_at
            ORDER BY x.version DESC LIMIT 1))
        WHERE d.action IN ({", ".join("?" for _ in actions)}) AND {brand_sql} AND t.language = ?
          {"AND t.intent = ?" if intent else ""}
        ORDER BY d.id DESC LIMIT ?"""
    params: list[Any] = [*actions, brand, language, *([intent] if intent else []), limit]
    return list(store.db.query(sql, params))


def vectors(store: Store, encoder: str, decision_ids: list[int]) -> dict[int, bytes]:
    """The stored vectors of these decisions' posts for this encoder (those it has)."""
    found: dict[int, bytes] = {}
    for start in range(0, len(decision_ids), _CHUNK):
        part = decision_ids[start:start + _CHUNK]
        for r in store.db.query(
                f"SELECT decision_id, vector FROM reply_vectors WHERE encoder = ? AND decision_id IN "
                f"({', '.join('?' for _ in part)})", [encoder, *part]):
            found[r["decision_id"]] = r["vector"]
    return found


def save_vectors(store: Store, encoder: str, vectors: Iterable[tuple[int, bytes]]) -> None:
    """Keep posts' vectors (decision id, bytes) for this encoder, replacing any there."""
    with store.transaction() as db:
        db["reply_vectors"].insert_all(
            [{"decision_id": decision_id, "encoder": encoder, "vector": vector} for decision_id, vector in vectors],
            replace=True)
