"""The SQL of the storm (spike) workflow: reading the spikes the detector recorded, the
group of posts behind each, and the alert card's rows (tables defined in
assistant/store/schema/parts.py).

The functions return plain rows; assistant/storms/queries.py turns them into ``Spike`` and
``Member`` (the store sits below storms, so it does not know those types). The detector's own
writes (assistant/storms/detect.py, vectors.py) are still there.
"""

from __future__ import annotations

from typing import Any

from assistant.store import Store

# -- spikes and their members ----------------------------------------------------------------


def member_rows(store: Store, spike_id: int) -> list[dict[str, Any]]:
    """The posts of a spike, oldest first, with their triage and when they were seen."""
    return list(store.db.query(
        "SELECT m.id, m.network, m.author, m.text, t.language, t.intent, t.action, v.at"
        " FROM spike_members s JOIN mentions m ON m.id = s.mention_id"
        " LEFT JOIN triage t ON t.mention_id = m.id"
        " LEFT JOIN spikes k ON k.id = s.spike_id"
        " LEFT JOIN storm_vectors v ON v.mention_id = m.id AND v.encoder = k.encoder"
        " WHERE s.spike_id = ? ORDER BY v.at, m.id", [spike_id]))


def spike_for_mention(store: Store, mention_id: str) -> int | None:
    """The spike a post belongs to (the latest, if several), or None."""
    row = store.db.execute("SELECT spike_id FROM spike_members WHERE mention_id = ? ORDER BY spike_id DESC LIMIT 1",
                           [mention_id]).fetchone()
    return int(row[0]) if row else None


def spike_row(store: Store, spike_id: int) -> dict[str, Any] | None:
    """A spike's row as last summarised, or None."""
    rows = list(store.db.query("SELECT * FROM spikes WHERE id = ?", [spike_id]))
    return rows[0] if rows else None


def spike_rows(store: Store, status: str | None = None) -> list[dict[str, Any]]:
    """Every spike's row (or those in ``status``), newest first."""
    where, args = ("WHERE status = ?", [status]) if status else ("", [])
    return list(store.db.query(f"SELECT * FROM spikes {where} ORDER BY id DESC", args))


def crisis_ids(store: Store, spike_id: int) -> set[str]:
    """The members triaged high severity or escalated (to PR, legal)."""
    return {r[0] for r in store.db.execute(
        "SELECT s.mention_id FROM spike_members s JOIN triage t ON t.mention_id = s.mention_id"
        " WHERE s.spike_id = ? AND (t.severity = 'high' OR t.action = 'escalate')", [spike_id])}


def member_statuses(store: Store, spike_id: int) -> dict[str, str]:
    """Each member's mention status, by mention id."""
    return {r["id"]: r["status"] for r in store.db.query(
        "SELECT m.id, m.status FROM spike_members s JOIN mentions m ON m.id = s.mention_id WHERE s.spike_id = ?",
        [spike_id])}


def draft_mention(store: Store, draft_id: int) -> str | None:
    """The mention a draft belongs to, or None for an unknown draft."""
    found = store.db.execute("SELECT mention_id FROM drafts WHERE id = ?", [draft_id]).fetchone()
    return found[0] if found is not None else None


# -- the alert card (spike_alerts) and the review cards told about the spike (spike_marked) --


def alert(store: Store, spike_id: int) -> dict[str, Any] | None:
    """The alert card of a spike (where it was posted, what it showed), or None."""
    rows = list(store.db.query("SELECT * FROM spike_alerts WHERE spike_id = ?", [spike_id]))
    return rows[0] if rows else None


def add_alert(store: Store, spike_id: int, channel: str, ts: str, values: dict[str, Any]) -> None:
    with store.transaction() as db:
        db["spike_alerts"].insert({"spike_id": spike_id, "channel": channel, "ts": ts, **values})


def update_alert(store: Store, spike_id: int, values: dict[str, Any]) -> None:
    with store.transaction() as db:
        db["spike_alerts"].update(spike_id, values)


def mark_members(store: Store, spike_id: int) -> list[str]:
    """The members that joined since the last call, recorded as told (in one transaction)."""
    with store.transaction() as db:
        fresh = [r[0] for r in db.execute(
            "SELECT s.mention_id FROM spike_members s WHERE s.spike_id = ? AND NOT EXISTS (SELECT 1 FROM"
            " spike_marked k WHERE k.spike_id = s.spike_id AND k.mention_id = s.mention_id)", [spike_id])]
        db["spike_marked"].insert_all([{"spike_id": spike_id, "mention_id": m} for m in fresh], ignore=True)
    return fresh
