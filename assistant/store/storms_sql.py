"""The SQL of the storms: the spike detector's vectors, centres, groups and spikes, the
posts behind each spike, and the alert card's rows (tables defined in
assistant/store/schema/parts.py).

The functions return plain rows; assistant/storms/ turns them into ``Spike``, ``Member`` and
``Group`` (the store sits below storms, so it does not know those types). The detector
(storms/detect.py, storms/vectors.py) keeps its rules and numbers; its statements are here,
each transaction in one function.
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


# -- the detector's vectors, centres and groups (storms/vectors.py) ----------------------------

# A triage row (alias t) about a problem: a complaint or abuse, or a post with a complaint
# part ("I was sick all night after the new batch. Is it contaminated?" is filed as what
# it mostly does, but it reports the problem all the same).
NEGATIVE_SQL = (
    "(t.intent IN ('complaint', 'abuse') OR EXISTS (SELECT 1 FROM json_each(COALESCE(t.reading, '{}'), '$.parts') j"
    " WHERE json_extract(j.value, '$.intent') IN ('complaint', 'abuse')))")
# A post that may be about a problem without being filed as a complaint: "anyone else
# charged twice??", "same here". It joins a storm's group when close to it, and is never
# counted as a negative post (it neither starts a storm nor raises the usual rates).
RELATED_SQL = "t.intent IN ('question', 'reaction')"


def unembedded(store: Store, key: str, brand: str | None, default_brand: str | None) -> list[tuple[Any, ...]]:
    """(id, text, created_at, ingested_at, language, related) of the negative or related
    posts (of ``brand``, when given) with no vector yet for the scope ``key``."""
    mine, args = ("", []) if brand is None else (" AND COALESCE(m.brand, ?) = ?", [default_brand or "", brand])
    return store.db.execute(
        f"SELECT m.id, m.text, m.created_at, m.ingested_at, t.language, CASE WHEN {NEGATIVE_SQL} THEN 0 ELSE 1 END"
        " FROM triage t JOIN mentions m ON m.id = t.mention_id"
        f" WHERE ({NEGATIVE_SQL} OR {RELATED_SQL}){mine} AND NOT EXISTS (SELECT 1 FROM storm_vectors v"
        "  WHERE v.mention_id = m.id AND v.encoder = ?)", [*args, key]).fetchall()


def add_vectors(store: Store, rows: list[dict[str, Any]]) -> None:
    with store.transaction() as db:
        db["storm_vectors"].insert_all(rows)


def center_sums(store: Store, encoder: str) -> list[tuple[Any, ...]]:
    """(language, total, size) of the running sums behind each language's centre."""
    return store.db.execute(
        "SELECT language, total, size FROM storm_center WHERE encoder = ?", [encoder]).fetchall()


def leaving(store: Store, encoder: str, window_s: str) -> list[tuple[Any, ...]]:
    """(mention id, language, vector, in a spike) of the negative vectors that have left the
    window and are not in the centres yet."""
    return store.db.execute(
        "SELECT v.mention_id, v.language, v.vector, EXISTS (SELECT 1 FROM spike_members s"
        " WHERE s.mention_id = v.mention_id) FROM storm_vectors v WHERE v.encoder = ? AND v.centered = 0"
        " AND v.at <= ? AND v.vector IS NOT NULL AND v.related = 0", [encoder, window_s]).fetchall()


def save_centers(store: Store, encoder: str, sums: list[dict[str, Any]], centered: list[str]) -> None:
    """Keep the centres' running sums and mark the ``centered`` posts as counted, at once."""
    with store.transaction() as tx:
        tx["storm_center"].upsert_all(sums, pk=("encoder", "language"))
        tx.conn.executemany("UPDATE storm_vectors SET centered = 1 WHERE mention_id = ? AND encoder = ?",
                            [(mid, encoder) for mid in centered])


def ungrouped(store: Store, encoder: str) -> list[tuple[Any, ...]]:
    """(mention id, at, language, vector) of the negative posts not grouped yet, oldest first."""
    return store.db.execute("SELECT mention_id, at, language, vector FROM storm_vectors WHERE encoder = ?"
                            " AND group_id IS NULL AND vector IS NOT NULL AND related = 0 ORDER BY at, mention_id",
                            [encoder]).fetchall()


def recent_groups(store: Store, encoder: str, base_s: str) -> list[tuple[Any, ...]]:
    """(id, total, size, first_at, last_at, loose) of the groups still in use since ``base_s``."""
    return store.db.execute("SELECT id, total, size, first_at, last_at, loose FROM storm_groups WHERE encoder = ?"
                            " AND merged_into IS NULL AND last_at > ?", [encoder, base_s]).fetchall()


def next_group_id(store: Store) -> int:
    return (store.db.execute("SELECT MAX(id) FROM storm_groups").fetchone()[0] or 0) + 1


def first_seen(store: Store, encoder: str) -> str | None:
    return store.db.execute("SELECT MIN(at) FROM storm_vectors WHERE encoder = ?", [encoder]).fetchone()[0]


def window_vectors(store: Store, encoder: str, since: str, until: str) -> list[tuple[Any, ...]]:
    """(mention id, language, vector, group id, at) of the grouped negative posts in (since, until]."""
    return store.db.execute(
        "SELECT mention_id, language, vector, group_id, at FROM storm_vectors WHERE encoder = ? AND related = 0"
        " AND vector IS NOT NULL AND group_id IS NOT NULL AND at > ? AND at <= ?", [encoder, since, until]).fetchall()


def related_vectors(store: Store, encoder: str, since: str, until: str) -> list[tuple[Any, ...]]:
    """(mention id, language, vector) of the related posts in (since, until] in no group yet."""
    return store.db.execute(
        "SELECT mention_id, language, vector FROM storm_vectors WHERE encoder = ? AND related = 1"
        " AND group_id IS NULL AND vector IS NOT NULL AND at > ? AND at <= ?", [encoder, since, until]).fetchall()


def save_groups(store: Store, encoder: str, groups: list[dict[str, Any]], merges: list[tuple[int, int]],
                assigned: list[tuple[int, str]]) -> None:
    """In one transaction: the changed groups' rows; each merge (absorbed group, survivor):
    its posts and spikes move to the survivor; each (group id, mention id) in ``assigned``."""
    with store.transaction() as tx:
        for row in groups:
            tx["storm_groups"].upsert(row, pk="id")
        for gone, keep in merges:
            tx.conn.execute("UPDATE storm_vectors SET group_id = ? WHERE group_id = ? AND encoder = ?",
                            [keep, gone, encoder])
            _merge_spikes(tx, encoder, gone, keep)
        tx.conn.executemany("UPDATE storm_vectors SET group_id = ? WHERE mention_id = ? AND encoder = ?",
                            [(gid, mid, encoder) for gid, mid in assigned])


def assign_groups(store: Store, encoder: str, assigned: list[tuple[int, str]]) -> None:
    """Put each (group id, mention id) in ``assigned`` in its group."""
    with store.transaction() as tx:
        tx.conn.executemany("UPDATE storm_vectors SET group_id = ? WHERE mention_id = ? AND encoder = ?",
                            [(gid, mid, encoder) for gid, mid in assigned])


def _merge_spikes(tx: Any, encoder: str, gone: int, keep: int) -> None:
    """Two groups became one: a spike on the absorbed group moves to the survivor; if the
    survivor has one too, the younger spike's posts join the older and it is closed."""
    tx.conn.execute("UPDATE spikes SET group_id = ? WHERE group_id = ? AND encoder = ?", [keep, gone, encoder])
    active = [r[0] for r in tx.conn.execute("SELECT id FROM spikes WHERE group_id = ? AND encoder = ?"
                                            " AND status = 'active' ORDER BY id", [keep, encoder]).fetchall()]
    for younger in active[1:]:
        tx.conn.execute("INSERT OR IGNORE INTO spike_members (spike_id, mention_id, joined_at)"
                        " SELECT ?, mention_id, joined_at FROM spike_members WHERE spike_id = ?", [active[0], younger])
        tx.conn.execute("UPDATE spikes SET status = 'merged', calmed_at = updated_at WHERE id = ?", [younger])
