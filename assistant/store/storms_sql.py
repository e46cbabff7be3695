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


# -- the detector: counting the groups, opening and following spikes (storms/detect.py) -------


def group_counts(store: Store, encoder: str, since: str, until: str) -> dict[int, int]:
    """Posts per group seen in (since, until]."""
    return dict(store.db.execute("SELECT group_id, COUNT(*) FROM storm_vectors WHERE encoder = ? AND at > ?"
                                 " AND at <= ? AND group_id IS NOT NULL GROUP BY group_id",
                                 [encoder, since, until]).fetchall())


def active_spikes(store: Store, encoder: str) -> dict[int, dict[str, Any]]:
    """The active spikes' rows, by group."""
    return {r["group_id"]: r for r in store.db.query("SELECT * FROM spikes WHERE encoder = ? AND status = 'active'",
                                                      [encoder])}


def negative_count(store: Store, encoder: str, since: str, until: str) -> int:
    """Negative posts (not only related) seen in (since, until]."""
    return store.db.execute("SELECT COUNT(*) FROM storm_vectors WHERE encoder = ? AND at > ? AND at <= ?"
                            " AND related = 0", [encoder, since, until]).fetchone()[0]


def followed_until(store: Store, encoder: str) -> dict[int, str]:
    """How far each group's spikes have been followed (their last update or calm), by group."""
    return dict(store.db.execute("SELECT group_id, MAX(COALESCE(calmed_at, updated_at)) FROM spikes WHERE encoder = ?"
                                 " GROUP BY group_id", [encoder]).fetchall())


def group_count(store: Store, group_id: int, encoder: str, since: str, until: str) -> int:
    """A group's posts seen in (since, until]."""
    return store.db.execute("SELECT COUNT(*) FROM storm_vectors WHERE group_id = ? AND encoder = ? AND at > ?"
                            " AND at <= ?", [group_id, encoder, since, until]).fetchone()[0]


def open_spike(store: Store, group_id: int, encoder: str, now_s: str, since: str, count: int) -> int:
    """Open a spike on a group, in one transaction: its row, its members (the group's posts
    since ``since``), the group marked loose (a storm's group from now on) and a
    ``spike_opened`` event. Returns the spike's id."""
    with store.transaction() as tx:
        table = tx["spikes"]
        table.insert({"group_id": group_id, "encoder": encoder, "status": "active", "opened_at": now_s,
                      "updated_at": now_s, "calmed_at": None, "peak": count, "summary": "{}"})
        spike_id = int(table.last_pk)  # type: ignore[arg-type]
        _join(tx, spike_id, group_id, encoder, since, now_s)
        tx.conn.execute("UPDATE storm_groups SET loose = 1 WHERE id = ?", [group_id])  # a storm's group from now on
        store.event(None, "spike_opened", spike_id=spike_id, posts=count)
    return spike_id


def follow_spike(store: Store, row: dict[str, Any], encoder: str, since: str, now_s: str, count: int,
                 calm: bool) -> int:
    """Follow an open spike (its ``row``), in one transaction: the group's posts since
    ``since`` join, its peak and status are updated, and a ``spike_calm`` event is recorded
    when it calmed down. Returns how many posts joined."""
    gid, spike_id = row["group_id"], row["id"]
    with store.transaction() as tx:
        joined = _join(tx, spike_id, gid, encoder, since, now_s)
        tx.conn.execute("UPDATE spikes SET peak = MAX(peak, ?), updated_at = ?, status = ?, calmed_at = ? WHERE id = ?",
                        [count, now_s if joined or calm else row["updated_at"], "calm" if calm else "active",
                         now_s if calm else None, spike_id])
        if calm:
            store.event(None, "spike_calm", spike_id=spike_id, posts=count)
    return joined


def _join(tx: Any, spike_id: int, gid: int, encoder: str, since: str, now_s: str) -> int:
    """Add the group's posts since ``since`` (the window before the spike opened, then the
    spike's opening) to the spike's members. Returns how many joined."""
    cur = tx.conn.execute(
        "INSERT OR IGNORE INTO spike_members (spike_id, mention_id, joined_at)"
        " SELECT ?, mention_id, ? FROM storm_vectors WHERE group_id = ? AND encoder = ? AND at > ? AND at <= ?",
        [spike_id, now_s, gid, encoder, since, now_s])
    return int(cur.rowcount)


def spike_got(store: Store, spike_id: int) -> dict[str, Any]:
    """A spike's row (it must exist: sqlite-utils' NotFoundError otherwise)."""
    return dict(store.db["spikes"].get(spike_id))


def member_vectors(store: Store, encoder: str, spike_id: int) -> dict[str, bytes]:
    """The stored vectors of a spike's members, by mention id."""
    return dict(store.db.execute(
        "SELECT v.mention_id, v.vector FROM spike_members s JOIN storm_vectors v ON v.mention_id = s.mention_id"
        " AND v.encoder = ? WHERE s.spike_id = ?", [encoder, spike_id]).fetchall())


def background_texts(store: Store, encoder: str, since: str, until: str, group_id: int, limit: int) -> list[str]:
    """The texts of the latest ``limit`` posts seen in (since, until] outside a group, newest first."""
    return [t for (t,) in store.db.execute(
        "SELECT m.text FROM storm_vectors v JOIN mentions m ON m.id = v.mention_id WHERE v.encoder = ?"
        " AND v.at > ? AND v.at <= ? AND (v.group_id IS NULL OR v.group_id != ?) ORDER BY v.at DESC LIMIT ?",
        [encoder, since, until, group_id, limit]).fetchall()]


def save_summary(store: Store, spike_id: int, summary: str) -> None:
    with store.transaction() as tx:
        tx.conn.execute("UPDATE spikes SET summary = ? WHERE id = ?", [summary, spike_id])
