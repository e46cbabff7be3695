"""Numbered schema migrations for the core tables; applied when the store opens.

Tables and columns are kept readable so a user can open the file with the
`sqlite-utils` or Datasette tools. Other parts of the app (Slack, connectors)
register their own migration sets beside this one.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

core = Migrations("assistant-core")


@core(name="001_mentions_triage_drafts")
def _m001(db: Database) -> None:
    db["mentions"].create(
        {
            "id": str,  # "<source>:<external_id>": one row per mention, whatever the retries
            "source": str,
            "external_id": str,
            "network": str,
            "brand": str,
            "author": str,
            "text": str,
            "url": str,
            "in_reply_to": str,
            "created_at": str,
            "ingested_at": str,
            "status": str,  # new, awaiting, approved, posted, rejected, hidden, ignored, escalated, failed
            "updated_at": str,
        },
        pk="id",
        not_null={"source", "external_id", "text", "status"},
        if_not_exists=True,
    )
    db["mentions"].create_index(["status", "ingested_at"], if_not_exists=True)
    db["triage"].create(
        {
            "mention_id": str,
            "language": str,
            "intent": str,
            "severity": str,
            "action": str,
            "team": str,
            "reasons": str,  # JSON list
            "created_at": str,
        },
        pk="mention_id",
        foreign_keys=[("mention_id", "mentions", "id")],
        if_not_exists=True,
    )
    db["drafts"].create(
        {
            "id": int,
            "mention_id": str,
            "version": int,
            "text": str,
            "language": str,
            "passed": bool,
            "guard": str,  # JSON list of {name, passed, detail}
            "fallback": bool,
            "fallback_reason": str,
            "backend": str,
            "model": str,
            "seconds": float,
            "attempts": int,
            "instruction": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("mention_id", "mentions", "id")],
        if_not_exists=True,
    )
    db["drafts"].create_index(["mention_id", "version"], unique=True, if_not_exists=True)


@core(name="002_decisions_outbox_events")
def _m002(db: Database) -> None:
    db["decisions"].create(
        {
            "id": int,
            "mention_id": str,
            "action": str,  # approve, edit, reject, escalate, hide, ignore, private
            "actor": str,
            "text": str,  # the text approved (after any edit)
            "edited": bool,
            "reason": str,
            "draft_id": int,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("mention_id", "mentions", "id")],
        if_not_exists=True,
    )
    db["outbox"].create(
        {
            "id": int,
            "mention_id": str,
            "decision_id": int,
            "idempotency_key": str,
            "connector": str,
            "text": str,
            "status": str,  # pending, sending, posted, failed
            "attempts": int,
            "last_error": str,
            "next_attempt_at": str,
            "posted_id": str,
            "posted_url": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        foreign_keys=[("mention_id", "mentions", "id"), ("decision_id", "decisions", "id")],
        if_not_exists=True,
    )
    # One reply per mention, ever: a second approval cannot queue a second post.
    db["outbox"].create_index(["mention_id"], unique=True, if_not_exists=True)
    db["outbox"].create_index(["idempotency_key"], unique=True, if_not_exists=True)
    db["outbox"].create_index(["status", "next_attempt_at"], if_not_exists=True)
    db["events"].create(
        {"id": int, "at": str, "mention_id": str, "kind": str, "actor": str, "detail": str},
        pk="id",
        if_not_exists=True,
    )
    db["events"].create_index(["mention_id"], if_not_exists=True)
    db["cursors"].create(
        {"source": str, "cursor": str, "updated_at": str}, pk="source", if_not_exists=True
    )
