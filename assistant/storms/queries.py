"""Reading the spikes the detector recorded: what the Slack step, the demo and the reports show.

``members`` lists a spike's posts with what a card needs for each; ``spike_for_mention``
finds the spike a post belongs to; ``get_spike`` and ``spikes`` give spikes as last
summarised (detect.py writes them). The SQL is in assistant/store/storms_sql.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.store import Store, storms_sql
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
    rows = storms_sql.member_rows(store, spike_id)
    return [Member(r["id"], r["language"] or "", r["network"] or "", r["intent"] or "",
                   r["intent"] == "abuse" or r["action"] == "hide", r["at"] or "", r["author"] or "", r["text"])
            for r in rows]


def spike_for_mention(store: Store, mention_id: str) -> int | None:
    """The spike a post belongs to (the latest, if several), or None."""
    return storms_sql.spike_for_mention(store, mention_id)


def get_spike(store: Store, spike_id: int) -> Spike | None:
    """A spike as last summarised."""
    row = storms_sql.spike_row(store, spike_id)
    return Spike.from_row(row) if row else None


def spikes(store: Store, status: str | None = None) -> list[Spike]:
    """Every spike (or those in ``status``), newest first."""
    return [Spike.from_row(r) for r in storms_sql.spike_rows(store, status)]
