"""The store: every read and write of the SQLite file goes through here.

``Store`` is one object over the file, joined from the parts below; open it and the
whole schema is there (assistant/store/schema, applied once when it opens).

- base.py: connections (one per thread), ``BEGIN IMMEDIATE`` transactions, events;
- mentions.py: mentions as they come in, their statuses, the queue, cursors;
- drafts.py: triage results and drafts;
- decisions.py: decisions and the reply outbox;
- statuses.py: the status values the SQL filters on, and ``StaleDecision``;
- files.py: the database file (private mode, read-only folders);
- schema/: every table, view and migration;
- dates.py, log_sql.py, connectors_sql.py, slack_sql.py, statements_sql.py: the checks and SQL of
  other parts (the interaction log, the connectors, Slack, the statement outbox).
"""

from __future__ import annotations

from assistant.store.decisions import Approval, Decisions
from assistant.store.drafts import Drafts
from assistant.store.files import read_only_error, read_only_folder
from assistant.store.mentions import BATCH, Mentions
from assistant.store.statuses import APPROVABLE_STATUSES, FINAL_STATUSES, HELD, OPEN_STATUSES, StaleDecision

__all__ = ["APPROVABLE_STATUSES", "BATCH", "FINAL_STATUSES", "HELD", "OPEN_STATUSES", "Approval", "StaleDecision",
           "Store", "read_only_error", "read_only_folder"]


class Store(Mentions, Drafts, Decisions):
    """The assistant's SQLite file (``ASSISTANT_DB_PATH``), with every table in it."""
