"""The core tables' migrations: mentions, triage, drafts, decisions, the reply outbox,
events, cursors and reply vectors. Part of the one schema (assistant/store/schema), which
the store applies when it opens.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from assistant.domain.models import mention_key

core = Migrations("assistant-core")


@core(name="001_mentions_triage_drafts")
def _m001(db: Database) -> None:
    db["mentions"].create(
        {
            "id": str,  # domain.mention_key: "<source>:<external_id>", one row per mention, whatever the retries
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
            "status": str,  # new, held, awaiting, approved, posted, rejected, hidden, ignored, escalated, failed
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


@core(name="003_unambiguous_mention_keys")
def _m003(db: Database) -> None:
    """Ids were "<source>:<external_id>" as written, so source "x:y" with id "1" and
    source "x" with id "y:1" shared one id and the second was dropped as a duplicate.
    Ids are now domain.mention_key (":" and "%" in the source escaped); only rows whose
    source holds one of those change, everywhere their id is used. A unique index on
    (source, external_id) keeps one row per mention whatever the id looks like.
    Outbox idempotency keys keep the old id inside them: they were sent to networks."""
    rows = db.execute(
        "SELECT id, source, external_id FROM mentions WHERE instr(source, ':') > 0 OR instr(source, '%') > 0"
    ).fetchall()
    moves = [(old, mention_key(source, external)) for old, source, external in rows
             if mention_key(source, external) != old]
    if moves:
        # Children point at mentions.id: check the references once, at commit.
        db.execute("PRAGMA defer_foreign_keys = ON")
        tables = [t for t in db.table_names() if t != "mentions" and "mention_id" in db[t].columns_dict]
        # Through temporary ids first, so no new id meets an old one not moved yet.
        steps = [(old, f"\x00moving:{n}") for n, (old, _) in enumerate(moves)]
        steps += [(f"\x00moving:{n}", new) for n, (_, new) in enumerate(moves)]
        for old, new in steps:
            db.execute("UPDATE mentions SET id = ? WHERE id = ?", [new, old])
            for table in tables:
                db.execute(f"UPDATE [{table}] SET mention_id = ? WHERE mention_id = ?", [new, old])
    db["mentions"].create_index(["source", "external_id"], unique=True, if_not_exists=True)


@core(name="004_draft_parts")
def _m004(db: Database) -> None:
    # How a draft was made, for the card: origin (model, composed, approved, template),
    # its parts with where each came from, and what was tried and dropped.
    for column in ("origin", "parts", "notes"):
        if column not in db["drafts"].columns_dict:
            db["drafts"].add_column(column, str)


@core(name="005_reply_vectors")
def _m005(db: Database) -> None:
    # The vector of the post each decision was about, per encoder (a new encoder
    # re-embeds): approved replies and rejected drafts are found by meaning
    # (assistant/drafting/memory.py).
    db["reply_vectors"].create(
        {"decision_id": int, "encoder": str, "vector": bytes},
        pk=("decision_id", "encoder"),
        if_not_exists=True,
    )


@core(name="006_triage_reading")
def _m006(db: Database) -> None:
    # The reading in parts: each sentence's intent, the crisis kind, the people, items,
    # order number and signed name a post names (JSON, see Triage.reading).
    if "reading" not in db["triage"].columns_dict:
        db["triage"].add_column("reading", str)
