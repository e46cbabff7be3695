"""What the team decided before: approved replies (as edited) and rejected drafts.

Every decision is already in the store (``decisions`` with the mention it was
for and its triage). This module reads them back by meaning: the posts' vectors
are embedded once and kept in ``reply_vectors``. For a new post it finds

- the closest approved replies of the same brand, language and intent: the
  model's examples and, when close enough, the draft's starting point;
- rejected drafts for similar posts: that text is not offered again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.ml.embeddings import Encoder, get_encoder
from assistant.store import Store
from assistant.store import memory_sql as sql

# A post this close to one a reply was approved for starts from that reply (the
# card says so); below it the reply is only an example for the model.
START_SIMILARITY = 0.93
EXAMPLE_SIMILARITY = 0.85
# A rejected draft is not offered again for a post at least this close.
REJECTED_SIMILARITY = 0.90


_caches: dict[tuple[str, str], dict[int, np.ndarray]] = {}


def _vector_cache(path: str, encoder: str) -> dict[int, np.ndarray] | None:
    if path == ":memory:":
        return None  # no name to tell one in-memory database from the next
    return _caches.setdefault((path, encoder), {})


@dataclass(frozen=True)
class Remembered:
    decision_id: int
    mention_id: str
    author: str
    post: str
    reply: str  # the approved text, or the rejected draft's text
    decided_at: str
    actor: str
    reason: str | None
    similarity: float

    @property
    def day(self) -> str:
        return (self.decided_at or "")[:10]


class ReplyMemory:
    def __init__(self, store: Store, brand: str, default_brand: bool = True,
                 encoder: Encoder | None = None) -> None:
        self.store = store
        self.brand = brand
        # Mentions stored without a brand belong to the default brand.
        self.default_brand = default_brand
        self._encoder = encoder

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = get_encoder()
        return self._encoder

    def _rows(self, actions: tuple[str, ...], language: str, intent: str | None) -> list[dict[str, Any]]:
        rows = sql.decisions(self.store, actions, self.brand, language, intent, bool(self.default_brand))
        return [r for r in rows if (r["reply"] or "").strip()]

    def _vectors(self, rows: list[dict[str, Any]]) -> np.ndarray:
        name = self.encoder.name
        ids = [r["decision_id"] for r in rows]
        # A decision's post never changes: its vector is read from the file once per process.
        cache = _vector_cache(self.store.path, name)
        known: dict[int, np.ndarray] = {i: cache[i] for i in ids if cache is not None and i in cache}
        unread = [i for i in ids if i not in known]
        for decision_id, vector in sql.vectors(self.store, name, unread).items():
            known[decision_id] = np.frombuffer(vector, dtype=np.float32)
        missing = [r for r in rows if r["decision_id"] not in known]
        if missing:
            fresh = self.encoder.encode([r["post"] for r in missing]).astype(np.float32)
            sql.save_vectors(self.store, name, [(r["decision_id"], v.tobytes())
                                                for r, v in zip(missing, fresh, strict=True)])
            for r, v in zip(missing, fresh, strict=True):
                known[r["decision_id"]] = v
        if cache is not None:
            cache.update(known)
        if not rows:
            return np.zeros((0, self.encoder.dim), np.float32)
        return np.stack([known[i] for i in ids])

    def _nearest(self, actions: tuple[str, ...], post: str, language: str, intent: str | None,
                 minimum: float, limit: int, exclude_mention: str | None) -> list[Remembered]:
        rows = [r for r in self._rows(actions, language, intent) if r["mention_id"] != exclude_mention]
        if not rows:
            return []
        sims = self._vectors(rows) @ self.encoder.encode([post])[0]
        order = np.argsort(-sims)[:limit]
        return [Remembered(int(rows[i]["decision_id"]), rows[i]["mention_id"], rows[i]["author"] or "",
                           rows[i]["post"], rows[i]["reply"], rows[i]["created_at"] or "", rows[i]["actor"] or "",
                           rows[i]["reason"], float(sims[i]))
                for i in order if sims[i] >= minimum]

    def approved(self, post: str, language: str, intent: str, limit: int = 2,
                 exclude_mention: str | None = None) -> list[Remembered]:
        """The closest approved replies (as sent, edits included), closest first."""
        return self._nearest(("approve", "edit"), post, language, intent, EXAMPLE_SIMILARITY, limit,
                             exclude_mention)

    def rejected(self, post: str, language: str, exclude_mention: str | None = None) -> list[Remembered]:
        """Drafts rejected for posts like this one, with the reason given."""
        return self._nearest(("reject",), post, language, None, REJECTED_SIMILARITY, 5, exclude_mention)
