"""Run by test_crash.py in a subprocess: deliver one outbox item, and after the post
landed but before it is recorded, announce it and wait to be killed (SIGKILL)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from assistant.connectors.file import FileConnector
from assistant.runtime.outbox import OutboxWorker
from assistant.store import Store


class NoKeyFile(FileConnector):
    """A network without idempotency keys: only the worker's find_reply check prevents a repeat."""

    def reply(self, mention, text, idempotency_key):
        with self.outbox.open("a", encoding="utf-8") as fh:
            import json
            fh.write(json.dumps({"id": f"n{time.time_ns()}", "idempotency_key": idempotency_key,
                                 "text": text}) + "\n")
        from assistant.connectors.base import Posted
        return Posted(f"n{time.time_ns()}", None)


def main(db: str, out: str, marker: str, outbox_id: int, kind: str) -> None:
    store = Store(db)
    conn = NoKeyFile(outbox=out) if kind == "nokey" else FileConnector(outbox=out)
    worker = OutboxWorker(store, lambda name, m: conn)

    def stall(row, posted):
        Path(marker).write_text(posted.id)
        time.sleep(60)

    worker.after_post = stall
    worker.deliver(outbox_id)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
