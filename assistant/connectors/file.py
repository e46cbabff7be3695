"""The ``file`` connector: mentions from a JSONL file, replies appended to a JSONL file.

Used by the demo (its local outbox) and the tests. Each inbox line is one JSON
object: ``{"id": "...", "author": "...", "text": "...", "url": "...", "created_at": "..."}``
(only ``text`` is required). The cursor is the byte offset already read, so a
restart resumes where it stopped; a malformed line is rejected, logged and
reported, never silently skipped.

A reply is appended as one line carrying the idempotency key. Before appending,
the file is searched for that key under an exclusive lock: posting twice with the
same key writes one line, across threads and processes (like Mastodon's
Idempotency-Key). A line is written whole or not at all: on a full disk the file is cut
back to its size before and the post is retried later, so no half line is ever joined to
the next one.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError, field_validator

from assistant.connectors.base import Capabilities, FetchResult, Posted, PostError, register
from assistant.domain.models import Mention, stable_id, utcnow

log = logging.getLogger(__name__)


class InboxLine(BaseModel):
    id: str | None = None
    author: str = ""
    text: str
    url: str | None = None
    created_at: str | None = None
    in_reply_to: str | None = None

    @field_validator("text")
    @classmethod
    def _has_words(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("empty (a mention needs its words)")
        return value


def first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "body"
    return f"{where}: {err['msg']}"


class FileConnector:
    def __init__(self, source: str = "file", inbox: str | Path | None = None,
                 outbox: str | Path = "outbox.jsonl", max_length: int = 500) -> None:
        self.name = source
        self.inbox = Path(inbox) if inbox else None
        self.outbox = Path(outbox)
        self.max_length = max_length

    def capabilities(self) -> Capabilities:
        return Capabilities(reply=True, hide=False, search=False, max_length=self.max_length)

    def fetch(self, cursor: str | None) -> FetchResult:
        offset = int(cursor or 0)
        if self.inbox is None or not self.inbox.exists():
            return FetchResult([], str(offset))
        with self.inbox.open("rb") as fh:
            if offset > os.fstat(fh.fileno()).st_size:
                log.warning("%s: %s is shorter than the cursor; reading it from the start", self.name, self.inbox)
                offset = 0
            fh.seek(offset)
            data = fh.read()
        mentions: list[Mention] = []
        rejected: list[str] = []
        consumed = 0
        for raw in data.splitlines(keepends=True):
            if not raw.endswith(b"\n"):
                break  # a line still being written: read it next time
            consumed += len(raw)
            line = raw.strip()
            if not line:
                continue
            try:
                item = InboxLine.model_validate_json(line)
            except ValidationError as exc:
                reason = f"{self.inbox} at byte {offset + consumed - len(raw)}: {first_error(exc)}"
                log.warning("%s: rejected line: %s", self.name, reason)
                rejected.append(reason)
                continue
            mentions.append(Mention(
                source=self.name, network="file",
                external_id=item.id or stable_id(self.name, item.author, item.text, item.created_at),
                author=item.author, text=item.text, url=item.url, created_at=item.created_at,
                in_reply_to=item.in_reply_to,
            ))
        return FetchResult(mentions, str(offset + consumed), {"rejected": rejected})

    # -- replies ------------------------------------------------------------------------------

    @staticmethod
    def _reply_id(idempotency_key: str) -> str:
        return "file-" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]

    def _scan(self, fh: Any, idempotency_key: str) -> Posted | None:
        fh.seek(0)
        for line in fh:
            if not line.endswith(b"\n"):
                break  # a half line (a write that never finished) is not a post
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if row.get("idempotency_key") == idempotency_key:
                return Posted(row["id"], row.get("url"))
        return None

    def reply(self, mention: Mention, text: str, idempotency_key: str) -> Posted:
        return self._append(idempotency_key, {"mention": mention.key, "in_reply_to": mention.external_id,
                                              "author": mention.author, "text": text})

    def post_status(self, text: str, idempotency_key: str) -> Posted:
        """A new post of the brand's own (a spike's statement), not a reply: no in_reply_to."""
        return self._append(idempotency_key, {"statement": True, "in_reply_to": None, "text": text})

    def _append(self, idempotency_key: str, fields: dict[str, Any]) -> Posted:
        """One line per key, whoever writes: the file is locked while it is read and written.

        A line is written whole or not at all: when the disk is full (or any write fails)
        the file is cut back to its size before, so no half line is left for the next line
        to be joined to, and the post is a retry. A half line left by a process killed
        mid-write is cut off before the next line is written (it was never a whole post)."""
        try:
            self.outbox.parent.mkdir(parents=True, exist_ok=True)
            with self.outbox.open("a+b") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX)
                found = self._scan(fh, idempotency_key)
                if found:
                    return found
                fd = fh.fileno()
                size = self._whole_lines(fh)
                post_id = self._reply_id(idempotency_key)
                line = (json.dumps({"id": post_id, "idempotency_key": idempotency_key, **fields,
                                    "at": utcnow().isoformat(timespec="seconds")}, ensure_ascii=False) + "\n").encode()
                try:
                    view = memoryview(line)
                    while view:  # O_APPEND: each write lands at the end
                        view = view[os.write(fd, view):]
                    os.fsync(fd)
                except OSError:
                    self._cut(fd, size)
                    raise
                return Posted(post_id, None)
        except OSError as exc:
            raise PostError(self._why(exc), permanent=isinstance(exc, PermissionError | IsADirectoryError)) from None

    def _whole_lines(self, fh: Any) -> int:
        """The file's size once a half last line (a writer killed mid-line) is cut off."""
        fd = fh.fileno()
        size = os.fstat(fd).st_size
        if size == 0:
            return 0
        fh.seek(size - 1)
        if fh.read(1) == b"\n":
            return size
        fh.seek(0)
        data = fh.read()
        keep = data.rfind(b"\n") + 1
        log.warning("%s: cutting off a half line of %s bytes at the end of %s (a write that never finished)",
                    self.name, size - keep, self.outbox)
        os.ftruncate(fd, keep)
        return keep

    def _cut(self, fd: int, size: int) -> None:
        try:
            os.ftruncate(fd, size)
        except OSError as exc:  # the half line stays; the next append cuts it off
            log.warning("%s: could not cut %s back to %s bytes: %s", self.name, self.outbox, size, exc.strerror)

    def _why(self, exc: OSError) -> str:
        """One line: what went wrong with the outbox file and what to do."""
        if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
            return f"cannot write {self.outbox}: the disk is full ({exc.strerror}); free some space, it is tried again"
        if exc.errno == errno.EROFS:
            return f"cannot write {self.outbox}: its disk is read-only; point the outbox at a writable folder"
        return " ".join(f"cannot write {self.outbox}: {exc.strerror or exc}".split())

    def find_reply(self, mention: Mention, idempotency_key: str) -> Posted | None:
        if not self.outbox.exists():
            return None
        with self.outbox.open("rb") as fh:
            fcntl.flock(fh, fcntl.LOCK_SH)
            return self._scan(fh, idempotency_key)


@register("file")
def _create(**options: Any) -> FileConnector:
    return FileConnector(**options)
