"""A spike: a group of negative posts about one thing that grew past the policy's
thresholds, with everything an alert card shows, and its explanation in numbers."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Representative:
    mention_id: str
    text: str  # untrusted: escape it wherever it is shown
    language: str


@dataclass
class Spike:
    id: int
    group_id: int
    status: str  # "active" or "calm"
    opened_at: str
    updated_at: str
    calmed_at: str | None
    # what happened at the tick that returned it: "new", "updated" (posts joined), "calm"
    change: str = ""
    window_minutes: int = 60
    posts_in_window: int = 0
    members: int = 0
    peak: int = 0  # most posts in one window so far
    usual_per_hour: float = 0.0  # this group's usual rate over the baseline days
    growth: float = 0.0  # posts in the window / usual posts in a window (usual at least 1)
    negative_in_window: int = 0  # every negative post in the window
    negative_usual_per_hour: float = 0.0  # every negative post, usual rate
    baseline_hours: float = 0.0  # how much history the usual rates come from
    languages: dict[str, int] = field(default_factory=dict)
    networks: dict[str, int] = field(default_factory=dict)
    first_at: str = ""
    last_at: str = ""
    abusive: int = 0  # members triaged as abuse (hidden, not answered: 000/001)
    common_words: list[str] = field(default_factory=list)  # folded, stop words removed
    topic_entry: str | None = None  # the catalog entry most posts name, if any
    representative: list[Representative] = field(default_factory=list)
    brand: str | None = None  # whose posts these are, where one deployment watches several brands

    def summary_json(self) -> str:
        data = asdict(self)
        for key in ("id", "group_id", "status", "opened_at", "updated_at", "calmed_at", "change", "peak", "brand"):
            data.pop(key)
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_row(cls, row: dict[str, Any], change: str = "") -> Spike:
        data = json.loads(row["summary"] or "{}")
        data.pop("brand", None)
        reps = [Representative(**r) for r in data.pop("representative", [])]
        key = row.get("encoder") or ""
        return cls(id=row["id"], group_id=row["group_id"], status=row["status"], opened_at=row["opened_at"],
                   updated_at=row["updated_at"], calmed_at=row["calmed_at"], peak=row["peak"] or 0,
                   change=change, representative=reps, brand=key.split("@", 1)[1] if "@" in key else None, **data)

    def explanation(self) -> list[str]:
        """The spike in numbers, one line each (the card and the terminal show these)."""
        hours = self.window_minutes / 60
        span = f"the last {self.window_minutes} minutes" if self.window_minutes != 60 else "the last hour"
        usual = self.usual_per_hour * hours
        lines = [
            f"{self.posts_in_window} negative posts about one thing in {span} "
            f"(usually {usual:.1f}: {self.growth:.0f}x); {self.members} in the group since {_hm(self.first_at)}",
            f"all negative posts: {self.negative_in_window} in {span}, usually "
            f"{self.negative_usual_per_hour * hours:.1f} (over the last {self.baseline_hours:.0f} hours)",
            "languages: " + ", ".join(f"{k} {v}" for k, v in _top(self.languages)),
            "networks: " + ", ".join(f"{k} {v}" for k, v in _top(self.networks)),
            f"first post {self.first_at}, latest {self.last_at}",
        ]
        if self.common_words:
            lines.append("common words: " + ", ".join(self.common_words))
        if self.abusive:
            lines.append(f"{self.abusive} below the belt (abuse): hide rather than answer (000/001)")
        if self.status == "calm":
            lines.append(f"calm since {self.calmed_at}: {self.posts_in_window} in {span} (peak {self.peak})")
        return lines


def _top(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda p: (-p[1], p[0]))


def _hm(at: str) -> str:
    return at[11:16] if len(at) >= 16 else at
