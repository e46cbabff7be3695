"""Triage results and drafts: what the assistant read in a mention and the replies it wrote."""

from __future__ import annotations

import json

from sqlite_utils import Database

from assistant.domain.models import Draft, DraftPart, GuardCheck, Triage
from assistant.store.base import StoreBase, _now


class Drafts(StoreBase):
    """A mention's triage (one) and its drafts (numbered versions)."""

    def save_triage(self, mention_id: str, triage: Triage, draft: Draft | None = None) -> int | None:
        """Record the triage and, where there is one, the first draft, in one
        transaction: a mention is 'awaiting' a person only once both are stored, so
        nothing (such as the Slack card loop) sees it half-processed and drafts it again.
        Returns the draft's id."""
        with self.transaction() as db:
            draft_id = self._insert_draft(db, mention_id, draft) if draft is not None else None
            db["triage"].upsert(
                {"mention_id": mention_id, "language": triage.language, "intent": triage.intent.value,
                 "severity": triage.severity.value, "action": triage.action.value, "team": triage.team,
                 "reasons": json.dumps(triage.reasons, ensure_ascii=False),
                 "reading": json.dumps(triage.reading(), ensure_ascii=False), "created_at": _now()},
                pk="mention_id",
            )
            # Every triaged mention waits for a person, hide and ignore included: the
            # assistant recommends, a person decides (domain.md section 4).
            db.conn.execute(
                "UPDATE mentions SET status = 'awaiting', updated_at = ? WHERE id = ? AND status = 'new'",
                [_now(), mention_id],
            )
            self.event(mention_id, "triaged", intent=triage.intent.value, severity=triage.severity.value,
                        action=triage.action.value)
        return draft_id

    def triage(self, mention_id: str) -> Triage | None:
        rows = list(self.db["triage"].rows_where("mention_id = ?", [mention_id]))
        if not rows:
            return None
        r = rows[0]
        reading = json.loads(r.get("reading") or "{}")  # empty for mentions triaged before parts
        return Triage(language=r["language"], intent=r["intent"], severity=r["severity"],
                      action=r["action"], team=r["team"], reasons=json.loads(r["reasons"] or "[]"), **reading)

    def add_draft(self, mention_id: str, draft: Draft, instruction: str | None = None) -> int:
        with self.transaction() as db:
            return self._insert_draft(db, mention_id, draft, instruction)

    def _insert_draft(self, db: Database, mention_id: str, draft: Draft, instruction: str | None = None) -> int:
        version = db.conn.execute(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM drafts WHERE mention_id = ?", [mention_id]
        ).fetchone()[0]
        table = db["drafts"]
        table.insert({
            "mention_id": mention_id, "version": version, "text": draft.text, "language": draft.language,
            "passed": draft.passed, "guard": json.dumps([c.model_dump() for c in draft.guard]),
            "fallback": draft.fallback, "fallback_reason": draft.fallback_reason,
            "backend": draft.backend, "model": draft.model, "seconds": round(draft.seconds, 3),
            "attempts": draft.attempts, "instruction": instruction, "created_at": _now(),
            "origin": draft.origin, "parts": json.dumps([p.model_dump() for p in draft.parts]),
            "notes": json.dumps(draft.notes),
        })
        draft_id = int(table.last_pk)  # type: ignore[arg-type]
        self.event(mention_id, "drafted", version=version, fallback=draft.fallback)
        return draft_id

    def draft_count(self, mention_id: str) -> int:
        """How many drafts a mention has had: Regenerate asks for the next variant."""
        return int(self.db.execute("SELECT COUNT(*) FROM drafts WHERE mention_id = ?", [mention_id]).fetchone()[0])

    def latest_draft(self, mention_id: str) -> tuple[int, Draft] | None:
        rows = list(self.db.query(
            "SELECT * FROM drafts WHERE mention_id = ? ORDER BY version DESC LIMIT 1", [mention_id]
        ))
        if not rows:
            return None
        r = rows[0]
        return r["id"], Draft(
            text=r["text"], language=r["language"] or "",
            guard=[GuardCheck(**c) for c in json.loads(r["guard"] or "[]")],
            fallback=bool(r["fallback"]), fallback_reason=r["fallback_reason"], backend=r["backend"] or "",
            model=r["model"] or "", seconds=r["seconds"] or 0.0, attempts=r["attempts"] or 0,
            origin=r.get("origin") or ("template" if r["fallback"] else "model"),
            parts=[DraftPart(**p) for p in json.loads(r.get("parts") or "[]")],
            notes=json.loads(r.get("notes") or "[]"),
        )

