"""Reading the spikes the detector recorded: what the Slack step, the demo and the reports show.

``members`` lists a spike's posts with what a card needs for each; ``spike_for_mention``
finds the spike a post belongs to; ``get_spike`` and ``spikes`` give spikes as last
summarised (detect.py writes them).
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.store import Store
from assistant.storms.spike import Spike


@dataclass
class Member:
    mention_id: str
    language: str
    network: str
    intent: str
    abusive: bool  # triaged as abuse: hide rather than answer (000/001)
    at: str
    author: str
    text: str  # untrusted


def members(store: Store, spike_id: int) -> list[Member]:
    """The posts of a spike, oldest first, with what a card needs for each."""
    rows = store.db.query(
        "SELECT m.id, m.network, m.author, m.text, t.language, t.intent, t.action, v.at"
        " FROM spike_members s JOIN mentions m ON m.id = s.mention_id"
        " LEFT JOIN triage t ON t.mention_id = m.id"
        " LEFT JOIN spikes k ON k.id = s.spike_id"
        " LEFT JOIN storm_vectors v ON v.mention_id = m.id AND v.encoder = k.encoder"
        " WHERE s.spike_id = ? ORDER BY v.at, m.id", [spike_id])
    return [Member(r["id"], r["language"] or "", r["network"] or "", r["intent"] or "",
                   r["intent"] == "abuse" or r["action"] == "hide", r["at"] or "", r["author"] or "", r["text"])
            for r in rows]


def spike_for_mention(store: Store, mention_id: str) -> int | None:
    """The spike a post belongs to (the latest, if several), or None."""
    row = store.db.execute("SELECT spike_id FROM spike_members WHERE mention_id = ? ORDER BY spike_id DESC LIMIT 1",
                           [mention_id]).fetchone()
    return int(row[0]) if row else None


def get_spike(store: Store, spike_id: int) -> Spike | None:
    """A spike as last summarised."""
    rows = list(store.db.query("SELECT * FROM spikes WHERE id = ?", [spike_id]))
    return Spike.from_row(rows[0]) if rows else None


def spikes(store: Store, status: str | None = None) -> list[Spike]:
    """Every spike (or those in ``status``), newest first."""
    where, args = ("WHERE status = ?", [status]) if status else ("", [])
    return [Spike.from_row(r) for r in store.db.query(f"SELECT * FROM spikes {where} ORDER BY id DESC", args)]
