"""The store: every read and write of the SQLite file goes through here.

Each unit of work is one ``BEGIN IMMEDIATE`` transaction, so two processes (or
two Slack clicks on two threads) that race for the same mention serialise on
SQLite's write lock and the loser sees the winner's result. Each thread gets its
own connection (``Store.db``): a connection shared between threads would let one
thread's statements land inside another thread's transaction.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from assistant.domain.errors import AssistantError, StoreError
from assistant.domain.models import Draft, DraftPart, GuardCheck, Mention, Triage, utcnow
from assistant.domain.status import APPROVABLE, FINAL, OPEN, check_move
from assistant.store import dates
from assistant.store.log_sql import migrations as log_views
from assistant.store.log_sql import record_edit
from assistant.store.migrations import core

# Statuses a mention can be in. "awaiting" means a person has not decided yet;
# "failed" means an approved reply could not be posted: a person may approve a
# corrected reply, which replaces the failed one in the outbox.
# The values and the moves between them are defined once, in assistant/domain/status.py.
OPEN_STATUSES = tuple(s.value for s in OPEN)
APPROVABLE_STATUSES = tuple(s.value for s in APPROVABLE)
FINAL_STATUSES = tuple(s.value for s in FINAL)
# "held": no policy for the mention's brand, so it cannot be triaged. It is set once
# (one event), is not retried at every start, and goes back to "new" when the
# brand's policy appears (Runtime.start).
HELD = "held"

# Mentions written per transaction: a long ingest never holds SQLite's write lock for
# more than a fraction of a second, so other processes (Slack clicks, pollers, other
# ingests) get their turn in between.
BATCH = 1000


class StaleDecision(StoreError):
    """A decision on a mention that was already decided (double click, second reviewer)."""

    def __init__(self, mention_id: str, status: str, by: str | None) -> None:
        self.mention_id = mention_id
        self.status = status
        self.by = by
        who = f" by {by}" if by else ""
        super().__init__(f"mention {mention_id} was already {status}{who}", "nothing was changed")


@dataclass
class Approval:
    decision_id: int
    outbox_id: int
    idempotency_key: str
    text: str


def _now() -> str:
    return utcnow().isoformat(timespec="milliseconds")


def _create_private(path: Path) -> None:
    """Create the database file readable by its owner only: it holds authors, posts and
    Slack ids. SQLite gives the -wal and -shm files the mode of the main file. An
    existing file keeps the mode it has (its owner may have chosen it)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise StoreError(f"cannot create database {path}: {exc.strerror}", "check ASSISTANT_DB_PATH") from None
    os.close(fd)


def read_only_folder(db: str | Path) -> Path | None:
    """The folder that stops SQLite from writing beside the database at ``db`` (its -journal,
    -wal and -shm files), or None: the database's folder, or when that does not exist yet,
    the nearest folder above it, on a read-only file system or not writable by this user."""
    folder = Path(db).parent if str(Path(db).parent) else Path(".")
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        read_only = bool(os.statvfs(folder).f_flag & os.ST_RDONLY) or not os.access(folder, os.W_OK)
    except OSError:
        return None
    return folder if read_only else None


def read_only_error(db: str | Path) -> StoreError | None:
    """One line for a database whose folder is read-only, or None. The one place for this
    message: every command that opens the store (ingest, demo, serve, log, report) says it."""
    folder = read_only_folder(db)
    if folder is None:
        return None
    if folder == Path(db).parent and Path(db).exists():
        # SQLite's own words ("unable to open database file") point at the wrong thing.
        return StoreError(f"cannot open {db}: its folder {folder} is read-only, and SQLite writes its -wal "
                          "and -shm files beside the database",
                          "make the folder writable for this user, or copy the database (and any -wal file) to "
                          "a writable folder and point ASSISTANT_DB_PATH at the copy")
    return StoreError(f"cannot create the database {db}: the folder {folder} is read-only",
                      "make the folder writable for this user, or point ASSISTANT_DB_PATH at a writable folder")


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


class Store:
    def __init__(self, path: str | Path, extra_migrations: Iterable[Any] = ()) -> None:
        self.path = str(path)
        if self.path == ":memory:":
            # Each thread has its own connection, and each would see its own empty database.
            raise StoreError("the store needs a file, not :memory:", "set ASSISTANT_DB_PATH to a file path")
        self._local = threading.local()
        self._all: list[Database] = []
        self._lock = threading.RLock()  # guards _all and the migrations
        try:
            self._open(extra_migrations)
        except (AssistantError, sqlite3.Error, OSError):
            self.close()
            problem = read_only_error(self.path)
            if problem is not None:
                raise problem from None
            raise

    def _open(self, extra_migrations: Iterable[Any]) -> None:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        _create_private(Path(self.path))
        db = self.db
        db.enable_wal()
        # The interaction log views read only the core tables: every store has them.
        sets = [core, log_views, *extra_migrations]
        self._applied: set[str] = {m.name for m in sets}
        with self._lock:
            if any(m.pending(db) for m in sets):
                # One write transaction from the start: processes opening a new file at the
                # same moment take turns instead of racing to create the same tables
                # ("database is locked" or a duplicate migration record for the loser).
                with self.transaction():
                    for migrations in sets:
                        migrations.apply(db)

    def _connect(self) -> Database:
        try:
            conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open database {self.path}: {exc}", "check ASSISTANT_DB_PATH") from None
        try:
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # reads the header
        except sqlite3.DatabaseError as exc:
            # Another kind of file (a CSV written over it, a copy cut short): one line, and
            # the file is left exactly as it is.
            conn.close()
            raise StoreError(f"cannot open database {self.path}: {exc}",
                             "point ASSISTANT_DB_PATH to the assistant's SQLite file") from None
        return Database(conn)

    def ensure(self, migrations: Any) -> None:
        """Apply a part's migration set once per store (idempotent). Parts call this on every
        use, so after the first it must cost nothing: a check against sqlite_master under
        the store's lock on each Slack click held the acknowledgements back (issue 9)."""
        if migrations.name in self._applied:
            return
        with self._lock:
            if migrations.name not in self._applied:
                if migrations.pending(self.db):
                    if self.db.conn.in_transaction:  # called inside a write: part of it
                        migrations.apply(self.db)
                    else:
                        with self.transaction():
                            migrations.apply(self.db)
                self._applied.add(migrations.name)

    @property
    def db(self) -> Database:
        """This thread's connection."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._connect()
            self._local.db = db
            with self._lock:
                self._all.append(db)
        return db

    def close(self) -> None:
        with self._lock:
            for db in self._all:
                db.close()
            self._all.clear()
        self._local = threading.local()

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """One write transaction, holding SQLite's write lock from the start."""
        db = self.db
        conn = db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _event(self, mention_id: str | None, kind: str, actor: str = "system", **detail: Any) -> None:
        self.db["events"].insert(
            {"at": _now(), "mention_id": mention_id, "kind": kind, "actor": actor,
             "detail": json.dumps(detail, ensure_ascii=False)}
        )

    def log_event(self, mention_id: str | None, kind: str, actor: str = "system", **detail: Any) -> None:
        with self.transaction():
            self._event(mention_id, kind, actor, **detail)

    # -- mentions ---------------------------------------------------------------------------

    @staticmethod
    def _mention_row(m: Mention, brand: str | None, now: str) -> dict[str, Any]:
        return {
            "id": m.key, "source": m.source, "external_id": m.external_id, "network": m.network_name,
            "brand": brand, "author": m.author, "text": m.text, "url": m.url,
            "in_reply_to": m.in_reply_to, "created_at": m.created_at, "ingested_at": now,
            "status": "new", "updated_at": now,
        }

    def add_mentions(self, mentions: Iterable[Mention], brand: str | None = None) -> list[str]:
        """Store mentions; one already stored (same source and id) is left as it is.

        Returns the ids that were new. Every ``BATCH`` mentions are one transaction, so
        a long ingest lets other writers in between (and an interrupted one keeps the
        batches already written; ingesting again skips them as duplicates).
        A field holding a lone surrogate (which SQLite cannot store as UTF-8) is
        repaired to U+FFFD, with an ``input_repaired`` event, rather than failing the
        batch: pollers and webhooks have nobody to fix the post and send it again.
        """
        new: list[str] = []
        it = iter(mentions)
        while chunk := list(itertools.islice(it, BATCH)):
            new.extend(self._add_batch(chunk, brand))
        return new

    def _add_batch(self, mentions: list[Mention], brand: str | None) -> list[str]:
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
                    self._mention_row(m, brand, now),
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
                self._event(mid, "input_repaired", fields=fields,
                            reason="a lone surrogate (half a character) was replaced by U+FFFD")
            for mid, detail in redated:
                self._event(mid, "date_clamped" if detail["stored"] else "date_refused", **detail)
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
                self._event(mention_id, HELD, reason=reason)
            return cur.rowcount == 1

    def release(self, mention_id: str) -> bool:
        """A held mention goes back to 'new' (its brand's policy is there now)."""
        with self.transaction() as db:
            cur = db.conn.execute("UPDATE mentions SET status = 'new', updated_at = ? WHERE id = ? AND status = ?",
                                  [_now(), mention_id, HELD])
            if cur.rowcount:
                self._event(mention_id, "released")
            return cur.rowcount == 1

    def mentions_with_status(self, *statuses: str) -> list[dict[str, Any]]:
        marks = ",".join("?" * len(statuses))
        return list(self.db.query(
            f"SELECT * FROM mentions WHERE status IN ({marks}) ORDER BY ingested_at, id", list(statuses)
        ))

    # -- triage and drafts ------------------------------------------------------------------

    def save_triage(self, mention_id: str, triage: Triage, draft: Draft | None = None) -> int | None:
        """Record the triage and, where there is one, the first draft, in one
        transaction: a mention is 'awaiting' a person only once both are stored, so
        nothing (such as the Slack card loop) sees it half-processed and drafts it again.
        Returns the draft's id."""
        with self.transaction() as db:
            draft_id = self._insert_draft(db, mention_id, draft) if draft is not None else None
            db["triage"].upsert(
                {"mention_id": mention_id, "language": triage.language, "intent": triage.intent.value,
                 "severity": triage.severity.value, "action": triage.action.value, "team": triage.team,
                 "reasons": json.dumps(triage.reasons, ensure_ascii=False),
                 "reading": json.dumps(triage.reading(), ensure_ascii=False), "created_at": _now()},
                pk="mention_id",
            )
            # Every triaged mention waits for a person, hide and ignore included: the
            # assistant recommends, a person decides (domain.md section 4).
            db.conn.execute(
                "UPDATE mentions SET status = 'awaiting', updated_at = ? WHERE id = ? AND status = 'new'",
                [_now(), mention_id],
            )
            self._event(mention_id, "triaged", intent=triage.intent.value, severity=triage.severity.value,
                        action=triage.action.value)
        return draft_id

    def triage(self, mention_id: str) -> Triage | None:
        rows = list(self.db["triage"].rows_where("mention_id = ?", [mention_id]))
        if not rows:
            return None
        r = rows[0]
        reading = json.loads(r.get("reading") or "{}")  # empty for mentions triaged before parts
        return Triage(language=r["language"], intent=r["intent"], severity=r["severity"],
                      action=r["action"], team=r["team"], reasons=json.loads(r["reasons"] or "[]"), **reading)

    def add_draft(self, mention_id: str, draft: Draft, instruction: str | None = None) -> int:
        with self.transaction() as db:
            return self._insert_draft(db, mention_id, draft, instruction)

    def _insert_draft(self, db: Database, mention_id: str, draft: Draft, instruction: str | None = None) -> int:
        version = db.conn.execute(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM drafts WHERE mention_id = ?", [mention_id]
        ).fetchone()[0]
        table = db["drafts"]
        table.insert({
            "mention_id": mention_id, "version": version, "text": draft.text, "language": draft.language,
            "passed": draft.passed, "guard": json.dumps([c.model_dump() for c in draft.guard]),
            "fallback": draft.fallback, "fallback_reason": draft.fallback_reason,
            "backend": draft.backend, "model": draft.model, "seconds": round(draft.seconds, 3),
            "attempts": draft.attempts, "instruction": instruction, "created_at": _now(),
            "origin": draft.origin, "parts": json.dumps([p.model_dump() for p in draft.parts]),
            "notes": json.dumps(draft.notes),
        })
        draft_id = int(table.last_pk)  # type: ignore[arg-type]
        self._event(mention_id, "drafted", version=version, fallback=draft.fallback)
        return draft_id

    def draft_count(self, mention_id: str) -> int:
        """How many drafts a mention has had: Regenerate asks for the next variant."""
        return int(self.db.execute("SELECT COUNT(*) FROM drafts WHERE mention_id = ?", [mention_id]).fetchone()[0])

    def latest_draft(self, mention_id: str) -> tuple[int, Draft] | None:
        rows = list(self.db.query(
            "SELECT * FROM drafts WHERE mention_id = ? ORDER BY version DESC LIMIT 1", [mention_id]
        ))
        if not rows:
            return None
        r = rows[0]
        return r["id"], Draft(
            text=r["text"], language=r["language"] or "",
            guard=[GuardCheck(**c) for c in json.loads(r["guard"] or "[]")],
            fallback=bool(r["fallback"]), fallback_reason=r["fallback_reason"], backend=r["backend"] or "",
            model=r["model"] or "", seconds=r["seconds"] or 0.0, attempts=r["attempts"] or 0,
            origin=r.get("origin") or ("template" if r["fallback"] else "model"),
            parts=[DraftPart(**p) for p in json.loads(r.get("parts") or "[]")],
            notes=json.loads(r.get("notes") or "[]"),
        )

    # -- decisions and the outbox -----------------------------------------------------------

    def _check_open(self, db: Database, mention_id: str,
                    allowed: tuple[str, ...] = OPEN_STATUSES) -> dict[str, Any]:
        row = db.conn.execute("SELECT status FROM mentions WHERE id = ?", [mention_id]).fetchone()
        if row is None:
            raise StoreError(f"no mention {mention_id}", "run `assistant queue` to see the stored ids")
        if row[0] not in allowed:
            last = db.conn.execute(
                "SELECT actor FROM decisions WHERE mention_id = ? ORDER BY id DESC LIMIT 1", [mention_id]
            ).fetchone()
            raise StaleDecision(mention_id, row[0], last[0] if last else None)
        return {"status": row[0]}

    def approve(self, mention_id: str, actor: str, text: str, connector: str,
                draft_id: int | None = None, edited: bool = False) -> Approval:
        """Record an approval and queue the reply in the outbox, in one transaction.

        A second approval of the same mention raises StaleDecision and queues nothing.
        A mention whose reply failed for good may be approved again (a corrected
        text): the failed outbox row is replaced, so there is still one per mention.
        """
        if not text.strip():
            raise StoreError("cannot approve an empty reply", "edit the draft and write a reply first")
        now = _now()
        with self.transaction() as db:
            status = self._check_open(db, mention_id, APPROVABLE_STATUSES)["status"]
            failed = None
            if status == "failed":
                failed = db.conn.execute("SELECT id FROM outbox WHERE mention_id = ? AND status = 'failed'",
                                         [mention_id]).fetchone()
                if failed is None:  # failed, but not in the outbox: nothing to replace
                    raise StaleDecision(mention_id, status, None)
            decisions = db["decisions"]
            decisions.insert({"mention_id": mention_id, "action": "edit" if edited else "approve",
                              "actor": actor, "text": text, "edited": edited, "draft_id": draft_id,
                              "created_at": now})
            decision_id = int(decisions.last_pk)  # type: ignore[arg-type]
            record_edit(db, decision_id, draft_id, text, now)  # for the interaction log
            # A new key per approval: a corrected text is a new post, never deduplicated
            # against the one that failed.
            key = f"assistant-{mention_id}-{decision_id}"
            row = {"mention_id": mention_id, "decision_id": decision_id, "idempotency_key": key,
                   "connector": connector, "text": text, "status": "pending", "attempts": 0, "last_error": None,
                   "next_attempt_at": now, "updated_at": now}
            outbox = db["outbox"]
            if failed is not None:
                # Reuse the failed row (one row per mention); its attempts history stays with it.
                outbox.update(failed[0], row)
                outbox_id = int(failed[0])
                self._event(mention_id, "failed_reply_replaced", actor, outbox_id=outbox_id)
            else:
                outbox.insert({**row, "created_at": now})
                outbox_id = int(outbox.last_pk)  # type: ignore[arg-type]
            db.conn.execute("UPDATE mentions SET status = 'approved', updated_at = ? WHERE id = ?",
                            [now, mention_id])
            self._event(mention_id, "approved", actor, edited=edited, outbox_id=outbox_id)
        return Approval(decision_id, outbox_id, key, text)

    def decide(self, mention_id: str, action: str, actor: str, reason: str | None = None,
               status: str | None = None) -> int:
        """Record a decision that posts nothing: reject, hide, ignore, escalate."""
        final = status or {"reject": "rejected", "hide": "hidden", "ignore": "ignored",
                           "escalate": "escalated", "no_reply": "closed"}[action]
        now = _now()
        with self.transaction() as db:
            check_move(self._check_open(db, mention_id)["status"], final)
            decisions = db["decisions"]
            decisions.insert({"mention_id": mention_id, "action": action, "actor": actor, "reason": reason,
                              "edited": False, "created_at": now})
            db.conn.execute("UPDATE mentions SET status = ?, updated_at = ? WHERE id = ?",
                            [final, now, mention_id])
            self._event(mention_id, action, actor, reason=reason)
            return int(decisions.last_pk)  # type: ignore[arg-type]

    def outbox_due(self, now: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        return list(self.db.query(
            "SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?",
            [now or _now(), limit],
        ))

    def outbox_item(self, outbox_id: int) -> dict[str, Any]:
        return dict(self.db["outbox"].get(outbox_id))

    def outbox_items(self, *statuses: str) -> list[dict[str, Any]]:
        marks = ",".join("?" * len(statuses))
        return list(self.db.query(f"SELECT * FROM outbox WHERE status IN ({marks}) ORDER BY id", list(statuses)))

    def claim_outbox(self, outbox_id: int) -> bool:
        """Mark an item as being sent. False if another worker holds it or it is done."""
        with self.transaction() as db:
            cur = db.conn.execute(
                "UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at = ?"
                " WHERE id = ? AND status = 'pending'", [_now(), outbox_id])
            return cur.rowcount == 1

    def mark_posted(self, outbox_id: int, posted_id: str, posted_url: str | None) -> None:
        now = _now()
        with self.transaction() as db:
            item = db["outbox"].get(outbox_id)
            db.conn.execute("UPDATE outbox SET status = 'posted', posted_id = ?, posted_url = ?, last_error = NULL,"
                            " updated_at = ? WHERE id = ?", [posted_id, posted_url, now, outbox_id])
            db.conn.execute("UPDATE mentions SET status = 'posted', updated_at = ? WHERE id = ?",
                            [now, item["mention_id"]])
            self._event(item["mention_id"], "posted", posted_id=posted_id, posted_url=posted_url)

    def mark_retry(self, outbox_id: int, error: str, next_attempt_at: str) -> None:
        with self.transaction() as db:
            db.conn.execute("UPDATE outbox SET status = 'pending', last_error = ?, next_attempt_at = ?,"
                            " updated_at = ? WHERE id = ?", [error, next_attempt_at, _now(), outbox_id])

    def mark_failed(self, outbox_id: int, error: str) -> None:
        now = _now()
        with self.transaction() as db:
            item = db["outbox"].get(outbox_id)
            db.conn.execute("UPDATE outbox SET status = 'failed', last_error = ?, updated_at = ? WHERE id = ?",
                            [error, now, outbox_id])
            db.conn.execute("UPDATE mentions SET status = 'failed', updated_at = ? WHERE id = ?",
                            [now, item["mention_id"]])
            self._event(item["mention_id"], "post_failed", error=error)

    def requeue_stuck(self, lease_seconds: float = 300.0) -> int:
        """Items left 'sending' for longer than the lease go back to pending: the
        worker that claimed them died (the connector's idempotency key or existence
        check keeps that from posting twice). A younger claim may still be in flight
        in another process, so it is left alone."""
        cutoff = (utcnow() - timedelta(seconds=lease_seconds)).isoformat(timespec="milliseconds")
        with self.transaction() as db:
            return db.conn.execute(
                "UPDATE outbox SET status = 'pending', updated_at = ? WHERE status = 'sending' AND updated_at <= ?",
                [_now(), cutoff],
            ).rowcount

    # -- views ------------------------------------------------------------------------------

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
