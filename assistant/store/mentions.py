"""Mentions as they come in (ingest, webhooks, pollers), their statuses, events and cursors."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from typing import Any

from assistant.domain.errors import StoreError
from assistant.domain.models import Mention, utcnow
from assistant.store import dates
from assistant.store.base import StoreBase, _now
from assistant.store.statuses import HELD, OPEN_STATUSES

# Mentions written per transaction: a long ingest never holds SQLite's write lock for
# more than a fraction of a second, so other processes (Slack clicks, pollers, other
# ingests) get their turn in between.
BATCH = 1000

_SURROGATE = re.compile("[\ud800-\udfff]")


def _fix_text(value: str) -> str:
    # Pairs written as two code points join up; a lone half becomes U+FFFD.
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _repaired(m: Mention) -> tuple[Mention, list[str]]:
    fields = [name for name in ("source", "external_id", "author", "text", "url", "created_at", "network",
                                "in_reply_to")
              if isinstance(value := getattr(m, name), str) and _SURROGATE.search(value)]
    if not fields:
        return m, []
    return m.model_copy(update={name: _fix_text(getattr(m, name)) for name in fields}), fields


class Mentions(StoreBase):
    """Mentions: stored once each, whatever the retries; held, released, queued."""

    @staticmethod
    def _mention_row(m: Mention, brand: str | None, now: str, replayed: bool = False) -> dict[str, Any]:
        return {
            "id": m.key, "source": m.source, "external_id": m.external_id, "network": m.network_name,
            "brand": brand, "author": m.author, "text": m.text, "url": m.url,
            "in_reply_to": m.in_reply_to, "created_at": m.created_at,
            "ingested_at": (m.created_at or now) if replayed else now,
            "status": "new", "updated_at": now,
        }

    def add_mentions(self, mentions: Iterable[Mention], brand: str | None = None, *,
                     replayed: bool = False) -> list[str]:
        """Store mentions; one already stored (same source and id) is left as it is.

        Returns the ids that were new. Every ``BATCH`` mentions are one transaction, so
        a long ingest lets other writers in between (and an interrupted one keeps the
        batches already written; ingesting again skips them as duplicates).
        A field holding a lone surrogate (which SQLite cannot store as UTF-8) is
        repaired to U+FFFD, with an ``input_repaired`` event, rather than failing the
        batch: pollers and webhooks have nobody to fix the post and send it again.
        ``replayed`` (the storm demo) records each post as arriving when it was written;
        otherwise spike detection counts a post a few hours old from now, when it came in.
        """
        new: list[str] = []
        it = iter(mentions)
        while chunk := list(itertools.islice(it, BATCH)):
            new.extend(self._add_batch(chunk, brand, replayed))
        return new

    def _add_batch(self, mentions: list[Mention], brand: str | None, replayed: bool = False) -> list[str]:
        clock = utcnow()
        now = clock.isoformat(timespec="milliseconds")
        new: list[str] = []
        repaired: list[tuple[str, list[str]]] = []
        redated: list[tuple[str, dict[str, Any]]] = []
        with self.transaction() as db:
            for m in mentions:
                m, fixed = _repaired(m)
                # A future time becomes the time it was received, an impossible one none;
                # the original is kept in an event (store/dates.py has the rule).
                created, changed = dates.at_insert(m.created_at, clock)
                if created != m.created_at:
                    m = m.model_copy(update={"created_at": created})
                cur = db.conn.execute(
                    "INSERT OR IGNORE INTO mentions (id, source, external_id, network, brand, author, text,"
                    " url, in_reply_to, created_at, ingested_at, status, updated_at)"
                    " VALUES (:id, :source, :external_id, :network, :brand, :author, :text, :url,"
                    " :in_reply_to, :created_at, :ingested_at, :status, :updated_at)",
                    self._mention_row(m, brand, now, replayed),
                )
                if cur.rowcount:
                    new.append(m.key)
                    if fixed:
                        repaired.append((m.key, fixed))
                    if changed:
                        redated.append((m.key, changed))
            if new:
                db["events"].insert_all(
                    {"at": now, "mention_id": mid, "kind": "ingested", "actor": "system", "detail": "{}"}
                    for mid in new
                )
            for mid, fields in repaired:
                self.event(mid, "input_repaired", fields=fields,
                            reason="a lone surrogate (half a character) was replaced by U+FFFD")
            for mid, detail in redated:
                self.event(mid, "date_clamped" if detail["stored"] else "date_refused", **detail)
        return new

    def add_mention(self, mention: Mention, brand: str | None = None) -> bool:
        return bool(self.add_mentions([mention], brand))

    def get_mention(self, mention_id: str) -> dict[str, Any] | None:
        rows = list(self.db["mentions"].rows_where("id = ?", [mention_id]))
        return rows[0] if rows else None

    def mention(self, mention_id: str) -> Mention:
        row = self.get_mention(mention_id)
        if row is None:
            raise StoreError(f"no mention {mention_id}", "run `assistant queue` to see the stored ids")
        return Mention(
            source=row["source"], external_id=row["external_id"], author=row["author"] or "",
            text=row["text"], url=row["url"], created_at=row["created_at"], network=row["network"],
            in_reply_to=row["in_reply_to"],
        )

    def hold(self, mention_id: str, reason: str) -> bool:
        """Set a new mention aside that cannot be processed (no policy for its brand):
        one ``held`` event, once; it is no longer picked up at every start."""
        with self.transaction() as db:
            cur = db.conn.execute("UPDATE mentions SET status = ?, updated_at = ? WHERE id = ? AND status = 'new'",
                                  [HELD, _now(), mention_id])
            if cur.rowcount:
                self.event(mention_id, HELD, reason=reason)
            return cur.rowcount == 1

    def release(self, mention_id: str) -> bool:
        """A held mention goes back to 'new' (its brand's policy is there now)."""
        with self.transaction() as db:
            cur = db.conn.execute("UPDATE mentions SET status = 'new', updated_at = ? WHERE id = ? AND status = ?",
                                  [_now(), mention_id, HELD])
            if cur.rowcount:
                self.event(mention_id, "released")
            return cur.rowcount == 1

    def mentions_with_status(self, *statuses: str) -> list[dict[str, Any]]:
        marks = ",".join("?" * len(statuses))
        return list(self.db.query(
            f"SELECT * FROM mentions WHERE status IN ({marks}) ORDER BY ingested_at, id", list(statuses)
        ))

    def queue(self, limit: int = 100) -> list[dict[str, Any]]:
        """Mentions waiting for a person, oldest first, with their triage and latest draft
        (triage is empty for a mention stored but not processed yet)."""
        return list(self.db.query(
            f"""
            SELECT m.id, m.source, m.network, m.author, m.text, m.url, m.created_at, m.ingested_at,
                   t.language, t.intent, t.severity, t.action, t.team, t.reasons,
                   d.text AS draft, d.fallback, d.passed
            FROM mentions m
            LEFT JOIN triage t ON t.mention_id = m.id
            LEFT JOIN drafts d ON d.mention_id = m.id
                 AND d.version = (SELECT MAX(version) FROM drafts WHERE mention_id = m.id)
            WHERE m.status IN ({",".join("?" * len(OPEN_STATUSES))})
            ORDER BY COALESCE(m.created_at, m.ingested_at), m.id
            LIMIT ?
            """, [*OPEN_STATUSES, limit]))

    def events(self, mention_id: str) -> list[dict[str, Any]]:
        return list(self.db["events"].rows_where("mention_id = ?", [mention_id], order_by="id"))

    def count(self, table: str) -> int:
        return self.db[table].count

    def get_cursor(self, source: str) -> str | None:
        row = self.db.conn.execute("SELECT cursor FROM cursors WHERE source = ?", [source]).fetchone()
        return row[0] if row else None

    def set_cursor(self, source: str, cursor: str | None) -> None:
        with self.transaction() as db:
            db["cursors"].upsert({"source": source, "cursor": cursor, "updated_at": _now()}, pk="source")
