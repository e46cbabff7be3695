"""Writing an export (`assistant log -o`, `assistant report -o`) without ever writing
through someone else's file.

The text goes to a new temporary file beside the output (the same folder, so the final
rename stays on one file system), created with ``O_CREAT | O_EXCL | O_NOFOLLOW`` under a
random name: a leftover ``report.html.tmp``, or a symlink planted there pointing at the
database, is neither opened nor followed nor removed. Only a complete file replaces the
output (``os.replace``: a symlink at the output itself is replaced, not written through);
a failed write leaves the old output as it was and removes its own temporary file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

__all__ = ["replacing"]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def replacing(path: Path, newline: str | None = None) -> Iterator[IO[str]]:
    """A text stream whose content replaces ``path`` once the block ends without error."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # what a plain open() would have given the export
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
