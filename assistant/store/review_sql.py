"""Who owns an escalated mention: every SQL statement on its table (``review_assignments``,
defined in assistant/store/schema/parts.py).

An escalation no longer closes a mention: it names an owner (a person, a team or
both) and the mention stays open until someone approves a reply or closes it.
"""

from __future__ import annotations

from typing import Any

from assistant.domain.models import utcnow
from assistant.store import Store


def assign(store: Store, mention_id: str, actor: str, assignee: str | None, team: str | None,
           note: str | None) -> dict[str, Any]:
    row = {"mention_id": mention_id, "assignee": assignee, "team": team, "note": note, "actor": actor,
           "created_at": utcnow().isoformat(timespec="milliseconds")}
    with store.transaction() as db:
        table = db["review_assignments"]
        table.insert(row)
        return {**row, "id": table.last_pk}


def current(store: Store, mention_id: str) -> dict[str, Any] | None:
    """The latest assignment of a mention (the owner now), or None."""
    rows = list(store.db.query(
        "SELECT * FROM review_assignments WHERE mention_id = ? ORDER BY id DESC LIMIT 1", [mention_id]))
    return rows[0] if rows else None


def open_assigned(store: Store, open_statuses: tuple[str, ...]) -> list[dict[str, Any]]:
    """Open mentions with their current owner, oldest first (App Home)."""
    marks = ",".join("?" * len(open_statuses))
    return list(store.db.query(
        f"""SELECT a.*, m.author, m.network, m.text, COALESCE(m.created_at, m.ingested_at) AS since
            FROM review_assignments a JOIN mentions m ON m.id = a.mention_id
            WHERE a.id = (SELECT MAX(id) FROM review_assignments WHERE mention_id = a.mention_id)
              AND m.status IN ({marks})
            ORDER BY since, m.id""", list(open_statuses)))
