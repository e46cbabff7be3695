"""Grouping posts by meaning: online clustering on cosine similarity to group centres.

e5 puts any two complaints about a coffee brand at a cosine of 0.8 or more, so raw
similarities barely separate topics. What all negative posts share (their mean
vector, ``center``) is taken out first: then posts about the same thing stay close
and the rest spread apart (on the replay: same-topic posts 0.4-0.8, others below 0.3).

Each post joins the nearest group if it is close enough, else starts its own; a group
whose centre comes close to another's is merged into it (a storm that starts in three
languages as three groups becomes one as its centres fill in). Centres are running sums
of the raw vectors, so the same group reads the same whatever ``center`` is today.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Two groups merge when their centres are this much closer than a post must be to join.
MERGE_MARGIN = 0.15


def unit(v: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(v, axis=-1, keepdims=True)
    return np.asarray(v / np.where(norm == 0, 1.0, norm), dtype=np.float32)


@dataclass
class Group:
    id: int
    total: np.ndarray  # sum of raw vectors
    size: int
    first_at: str
    last_at: str
    changed: bool = False
    merged_into: int | None = None
    absorbed: list[int] = field(default_factory=list)

    def centre(self, center: np.ndarray) -> np.ndarray:
        return unit(self.total / max(self.size, 1) - center)


class Grouper:
    """Assigns posts to groups in time order. ``next_id`` hands out ids for new groups."""

    def __init__(self, groups: list[Group], center: np.ndarray, similarity: float, next_id: int,
                 loose: set[int] | None = None, loose_similarity: float | None = None) -> None:
        self.groups = {g.id: g for g in groups}
        self.center = center
        self.similarity = similarity
        # A storm's groups (seeded from a burst, or watched by a spike) are joined at a lower
        # similarity: their centre is the mean of many posts, so a post about the same thing
        # written another way still comes close to it, where it would not to any one post.
        self.loose = set(loose or ())
        self.loose_similarity = similarity if loose_similarity is None else loose_similarity
        self.next_id = next_id
        self.new_storms: set[int] = set()  # storm groups seeded at this tick (gather.py looks back for them)
        self._ids = [g.id for g in groups]
        dim = center.shape[0]
        self._centres = np.stack([g.centre(center) for g in groups]) if groups else np.zeros((0, dim), np.float32)

    def add_group(self, group: Group, loose: bool = False) -> None:
        """A group made elsewhere (a burst's posts, moved into one group)."""
        self.groups[group.id] = group
        self._ids.append(group.id)
        self._centres = np.vstack([self._centres, group.centre(self.center)[None, :]])
        self.next_id = max(self.next_id, group.id + 1)
        if loose:
            self.loose.add(group.id)

    def grow(self, gid: int, total: np.ndarray, size: int, first_at: str, last_at: str) -> None:
        """Add several posts (their summed vectors) to a group at once."""
        g = self.groups[gid]
        g.total, g.size, g.changed = g.total + total, g.size + size, True
        g.first_at, g.last_at = min(g.first_at, first_at), max(g.last_at, last_at)
        self._set_centre(gid)

    def remove_member(self, gid: int, vector: np.ndarray) -> None:
        """Take one post's vector out of its group (it moved to a burst's group)."""
        g = self.groups[gid]
        g.total = g.total - vector
        g.size = max(0, g.size - 1)
        g.changed = True
        if g.size:
            self._set_centre(gid)

    def _set_centre(self, gid: int) -> None:
        self._centres[self._ids.index(gid)] = self.groups[gid].centre(self.center)

    def add(self, vector: np.ndarray, at: str) -> int:
        """The id of the group the post joins (a new one if none is close enough)."""
        x = unit(vector - self.center)
        if self._ids:
            sims = self._centres @ x
            need = np.array([self.loose_similarity if gid in self.loose else self.similarity for gid in self._ids],
                            np.float32)
            best = int(np.argmax(sims - need))
            if sims[best] >= need[best]:
                gid = self._ids[best]
                g = self.groups[gid]
                g.total = g.total + vector
                g.size += 1
                g.last_at = max(g.last_at, at)
                g.changed = True
                self._set_centre(gid)
                return self._merge_near(gid)
        gid = self.next_id
        self.next_id += 1
        self.groups[gid] = Group(gid, vector.astype(np.float32).copy(), 1, at, at, changed=True)
        self._ids.append(gid)
        self._centres = np.vstack([self._centres, x[None, :]])
        return gid

    def merge(self, keep: int, gone: int) -> None:
        """Group ``gone`` joins group ``keep`` (its posts, and its being a storm's group)."""
        k, g = self.groups[keep], self.groups[gone]
        k.total = k.total + g.total
        k.size += g.size
        k.first_at, k.last_at = min(k.first_at, g.first_at), max(k.last_at, g.last_at)
        k.absorbed += [gone, *g.absorbed]
        if gone in self.loose:
            self.loose.add(keep)
        k.changed = g.changed = True
        g.merged_into = keep
        drop = self._ids.index(gone)
        self._ids.pop(drop)
        self._centres = np.delete(self._centres, drop, axis=0)
        self._set_centre(keep)

    def _merge_near(self, gid: int) -> int:
        """Merge the group with any whose centre is now very close; the older group (lower
        id, the one a spike may already watch) survives. Returns the survivor's id."""
        while len(self._ids) > 1:
            i = self._ids.index(gid)
            sims = self._centres @ self._centres[i]
            sims[i] = -1.0
            j = int(np.argmax(sims))
            if sims[j] < self.similarity + MERGE_MARGIN:
                return gid
            other = self._ids[j]
            keep, gone = (gid, other) if gid < other else (other, gid)
            self.merge(keep, gone)
            gid = keep
        return gid
