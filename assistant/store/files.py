"""The database file itself: created private, and a one-line reason when its folder is read-only."""

from __future__ import annotations

import os
from pathlib import Path

from assistant.domain.errors import StoreError


def create_private(path: Path) -> None:
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


