"""The store's connections and transactions, and the schema applied when it opens.

Each unit of work is one ``BEGIN IMMEDIATE`` transaction, so two processes (or
two Slack clicks on two threads) that race for the same mention serialise on
SQLite's write lock and the loser sees the winner's result. Each thread gets its
own connection (``Store.db``): a connection shared between threads would let one
thread's statements land inside another thread's transaction.

``StoreBase`` is this plumbing; the store's reads and writes are in mentions.py,
drafts.py and decisions.py, and ``Store`` (the package's __init__) joins them.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from assistant.domain.errors import AssistantError, StoreError
from assistant.domain.models import utcnow
from assistant.store.files import create_private, read_only_error
from assistant.store.schema import ensure_schema, pending


def _now() -> str:
    return utcnow().isoformat(timespec="milliseconds")


class StoreBase:
    """One SQLite file: a connection per thread, write transactions, and the events table."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path == ":memory:":
            # Each thread has its own connection, and each would see its own empty database.
            raise StoreError("the store needs a file, not :memory:", "set ASSISTANT_DB_PATH to a file path")
        self._local = threading.local()
        self._all: list[Database] = []
        self._lock = threading.RLock()  # guards _all and the schema
        try:
            self._open()
        except (AssistantError, sqlite3.Error, OSError):
            self.close()
            problem = read_only_error(self.path)
            if problem is not None:
                raise problem from None
            raise

    def _open(self) -> None:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        create_private(Path(self.path))
        db = self.db
        db.enable_wal()
        with self._lock:
            if pending(db):
                # One write transaction from the start: processes opening a new file at the
                # same moment take turns instead of racing to create the same tables
                # ("database is locked" or a duplicate migration record for the loser).
                with self.transaction():
                    ensure_schema(db)

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

    def event(self, mention_id: str | None, kind: str, actor: str = "system", **detail: Any) -> None:
        """Record one event inside the caller's open transaction (``with store.transaction():``)."""
        self.db["events"].insert(
            {"at": _now(), "mention_id": mention_id, "kind": kind, "actor": actor,
             "detail": json.dumps(detail, ensure_ascii=False)}
        )

    def log_event(self, mention_id: str | None, kind: str, actor: str = "system", **detail: Any) -> None:
        """Record one event in a transaction of its own (outside any transaction)."""
        with self.transaction():
            self.event(mention_id, kind, actor, **detail)

