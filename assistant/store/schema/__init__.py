"""The whole schema of the assistant's SQLite file: every table, view and migration.

The store applies it once, when it opens (``Store.__init__`` calls ``ensure_schema``); no
other code creates a table or applies a migration. Tables and columns are kept readable,
so a user can open the file with the ``sqlite-utils`` or Datasette tools.

The migrations are grouped in sets, one per part of the app; each set and migration name
is recorded in the ``_sqlite_migrations`` table of every database made so far, so those
names never change. A change to the schema is a new numbered migration at the end of its
set. The sets apply in the order of ``SETS``: the core tables first, since the others
refer to them.

- core.py: mentions, triage, drafts, decisions, the reply outbox, events, cursors, vectors;
- log_views.py: the interaction log's views (and ``reply_edits``, their edit distances);
- parts.py: the connectors', Slack's, review's, storms' and statements' own tables.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from assistant.store.schema.core import core
from assistant.store.schema.log_views import migrations as log_views
from assistant.store.schema.parts import connectors, review, slack, statements, storms

__all__ = ["SETS", "core", "ensure_schema", "pending"]

SETS: tuple[Migrations, ...] = (core, log_views, connectors, slack, review, storms, statements)


def pending(db: Database) -> list[str]:
    """The migrations not applied to ``db`` yet, as "set/name" (empty for an up-to-date file)."""
    return [f"{m.name}/{step.name}" for m in SETS for step in m.pending(db)]


def ensure_schema(db: Database) -> None:
    """Apply every pending migration, in order. The caller holds a write transaction, so
    processes opening a new file at the same moment take turns (see ``Store``)."""
    for migrations in SETS:
        migrations.apply(db)
