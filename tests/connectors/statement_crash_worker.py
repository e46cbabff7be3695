"""Run by test_issue21_statement_delivery.py in a subprocess: deliver a spike's statement
to the local outbox file, and after the post landed but before it is recorded, announce
it and wait to be killed (SIGKILL): the row is left 'sending', as a crash leaves it."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from assistant.connectors.file import FileConnector
from assistant.runtime import statements
from assistant.store import Store


class Stalls(FileConnector):
    def __init__(self, marker: str, **kw):  # type: ignore[no-untyped-def]
        super().__init__(**kw)
        self.marker = marker

    def post_status(self, text, idempotency_key):  # type: ignore[no-untyped-def]
        posted = super().post_status(text, idempotency_key)
        Path(self.marker).write_text(posted.id)
        time.sleep(60)
        return posted


def main(db: str, out: str, marker: str, spike_id: int) -> None:
    store = Store(db)
    statements.deliver(store, spike_id, {"local": Stalls(marker, source="local", outbox=out)})


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
