"""The store: every read and write of the SQLite file goes through here.

``Store`` is one object over the file, joined from the parts below; open it and the
whole schema is there (assistant/store/schema, applied once when it opens).

- base.py: connections (one per thread), ``BEGIN IMMEDIATE`` transactions, events
  (``event`` inside a transaction, ``log_event`` in one of its own);
- mentions.py: mentions as they come in, their statuses, the queue, cursors;
- drafts.py: triage results and drafts;
- decisions.py: decisions and the reply outbox;
- statuses.py: the status values the SQL filters on, and ``StaleDecision``;
- files.py: the database file (private mode, read-only folders);
- dates.py: the checks on a post's stored time;
- schema/: every table, view and migration.

The SQL of the other parts, as functions over a ``Store``:

- review_sql.py: the review core (who owns an escalated mention, the events it reads back);
- storms_sql.py: the storms (the detector's vectors, groups and spikes, their members, the alert card);
- statements_sql.py: the statement outbox;
- insights_sql.py: the interaction log, super-fans, the report's spikes, approved replies;
- log_sql.py: the interaction log's edit distances, written with each approval;
- memory_sql.py: the reply memory (past decisions and the posts' vectors, ``reply_vectors``);
- connectors_sql.py: the connectors, the outbox worker and the pollers;
- slack_sql.py: the Slack app's own tables (cards, follow-ups) and its figures.

No SQL runs outside this package: the other parts call these modules (the tests and
devtools/ still write rows directly, to set up a case).
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
