"""The review core's SQL (assistant/review/core.py): who owns an escalated mention, and
the events the review rules read back.

``review_assignments`` (defined in assistant/store/schema/parts.py): an escalation no longer
closes a mention: it names an owner (a person, a team or both) and the mention stays open
until someone approves a reply or closes it.
"""

from __future__ import annotations

import json
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


def last_draft_or_reject(store: Store, mention_id: str) -> dict[str, Any] | None:
    """The latest ``drafted`` or ``reject`` event of a mention (its kind and actor), or None."""
    rows = list(store.db.query("SELECT kind, actor FROM events WHERE mention_id = ? AND kind IN ('drafted', "
                                 "'reject') ORDER BY id DESC LIMIT 1", [mention_id]))
    return rows[0] if rows else None


def last_event_detail(store: Store, mention_id: str, kind: str) -> dict[str, Any] | None:
    """The detail of a mention's latest event of ``kind``, or None."""
    rows = list(store.db.query("SELECT detail FROM events WHERE mention_id = ? AND kind = ? ORDER BY id DESC LIMIT 1",
                               [mention_id, kind]))
    return json.loads(rows[0]["detail"] or "{}") if rows else None
