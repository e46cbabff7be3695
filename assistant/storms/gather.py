"""A storm's group gathers the posts about it: each tick, every recent pool post (a
complaint or abuse, or a question or reaction) close to the storm's centre joins it.

Posts are grouped one at a time as they come (grouping.py), and a storm is first
seeded from a burst (vectors.seed_burst): both decide on what was known then. A storm's
centre, the mean of many posts, is a far better judge of what the storm is about than
the few posts a group held when a later post came, so each tick the storm's own centre
looks again at the posts of the last hours that are in no storm yet, in a few rounds (the
centre moving to what joined). Negative posts move into the storm's group and count; a
question or reaction ("anyone else charged twice?") joins at a stricter cosine (short
posts say less about what they are about) and does not move the centre. Two storm groups
whose centres are this close are one storm (a second wave, the same storm in other
words): the younger joins the older, so one storm keeps one alert.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from assistant.store import Store, storms_sql
from assistant.storms.grouping import Group, Grouper, unit
from assistant.storms.vectors import adjusted, group_row, parse_stamp, stamp

# Cosine to the storm's centre (whitened space, space.py) a post needs to join it. These
# numbers were chosen on the six replay files of eval/storms/ (not blind; see its README).
GATHER = 0.12
GATHER_RELATED = 0.15
ROUNDS = 3
# ...and a mean cosine of CORE to its NEAR closest posts of the storm (on the replays this
# kept out stray posts that came near the centre by chance, e.g. short reactions).
NEAR = 3
CORE = 0.15
# A storm that holds at least the policy's min_posts and this share of the last window's
# negative posts (counting those in no storm yet) is "busy": posts of that window join it
# at GATHER_BUSY.
BUSY = 0.5
GATHER_BUSY = 0.08
# Two storm groups whose centres are this close are one storm. The centres of two halves
# of one storm measured 0.11-0.26 on the replays (a mean of noisy whitened posts points
# only loosely anywhere). Not measured: how close two different storms of one brand at
# once come; they would be merged above this.
STORM_MERGE = 0.15
# How far back a storm looks for its posts: this many windows before now.
LOOKBACK_WINDOWS = 2
# How long after it was posted a post is looked at (see gather).
FRESH = timedelta(minutes=30)


def gather(store: Store, encoder: str, grouper: Grouper, centers: dict[str, np.ndarray], now_s: str,
           window_minutes: int, min_posts: int) -> None:
    """Each recent storm group (a loose group with a post in the lookback) takes the pool
    posts near its centre, after merging with any storm group about the same thing."""
    since = stamp(parse_stamp(now_s) - timedelta(minutes=LOOKBACK_WINDOWS * window_minutes))
    storms = [g for gid in sorted(grouper.loose) if (g := grouper.groups.get(gid)) is not None
              and g.merged_into is None and g.size and g.last_at > since]
    if not storms:
        return
    grouped = storms_sql.window_vectors(store, encoder, since, now_s)
    negative = [r for r in grouped if r[3] not in grouper.loose]
    related = storms_sql.related_vectors(store, encoder, since, now_s)
    fresh_related = {r[0] for r in storms_sql.related_vectors(store, encoder, stamp(parse_stamp(now_s) - FRESH), now_s)}
    if not negative and not related:
        return
    dim = storms[0].total.shape[0]
    xn = (np.stack([adjusted(np.frombuffer(r[2], np.float32), r[1] or "", centers) for r in negative])
          if negative else np.zeros((0, dim), np.float32))
    xr = (unit(np.stack([adjusted(np.frombuffer(r[2], np.float32), r[1] or "", centers) for r in related]))
          if related else np.zeros((0, dim), np.float32))
    merges = _merge_storms(grouper, storms)
    storms = [g for g in storms if g.merged_into is None]
    taken_n: set[int] = set()
    taken_r: set[int] = set()
    moves: list[tuple[int, str]] = []
    for g in storms:
        base = g.total / max(g.size, 1)
        centre = unit(base)
        busy = np.zeros(len(negative), bool)
        if len(negative):
            # While the storm is most of what is posted, a post of its hours is most
            # likely about it: the bar is lower for posts of the last window then, and
            # such a post joins without moving the centre (it says little of the topic).
            window_s = stamp(parse_stamp(now_s) - timedelta(minutes=window_minutes))
            recent = np.array([r[4] > window_s for r in negative], bool)
            mine = storms_sql.group_count(store, g.id, encoder, window_s, now_s)
            if mine >= min_posts and mine >= BUSY * (mine + int(recent.sum())):
                busy = recent
        # A post is looked at while it is fresh, or once when a storm is seeded: looked at
        # again every minute for hours, a stray post comes near the moving centre some
        # minute by chance (on the replays most other posts in a storm's group came so).
        fresh_s = since if g.id in grouper.new_storms else stamp(parse_stamp(now_s) - FRESH)
        free = np.array([i not in taken_n and r[4] > fresh_s for i, r in enumerate(negative)], bool)
        close = np.zeros(len(negative), bool)
        core = _core(grouped, g.id, centers, dim)
        near = _near(xn, core)
        for _ in range(ROUNDS):
            close = ((xn @ centre >= GATHER) & (near >= CORE) & free) if len(xn) else close
            extra = xn[close].sum(axis=0) if close.any() else np.zeros(dim, np.float32)
            centre = unit((g.total + extra) / (g.size + int(close.sum())))
        for i in np.flatnonzero(close):
            row = negative[int(i)]
            grouper.remove_member(row[3], xn[i])
            grouper.grow(g.id, xn[i], 1, row[4], row[4])
            moves.append((g.id, row[0]))
            taken_n.add(int(i))
        if len(xn):
            for i in np.flatnonzero(busy & free & ~close & (xn @ centre >= GATHER_BUSY) & (near >= CORE)):
                moves.append((g.id, negative[int(i)][0]))
                taken_n.add(int(i))
        if len(xr):
            for i in np.flatnonzero((xr @ centre >= GATHER_RELATED) & (_near(xr, core) >= CORE)):
                if int(i) not in taken_r and (g.id in grouper.new_storms or related[int(i)][0] in fresh_related):
                    moves.append((g.id, related[int(i)][0]))
                    taken_r.add(int(i))
    if moves or merges:
        storms_sql.save_groups(store, encoder, [group_row(encoder, g, grouper) for g in grouper.groups.values()
                                                if g.changed], merges, moves)


def _core(grouped: list[tuple], gid: int, centers: dict[str, np.ndarray], dim: int) -> np.ndarray:
    """The storm's own recent negative posts (its core), as adjusted vectors."""
    mine = [adjusted(np.frombuffer(r[2], np.float32), r[1] or "", centers) for r in grouped if r[3] == gid]
    return np.stack(mine) if mine else np.zeros((0, dim), np.float32)


def _near(x: np.ndarray, core: np.ndarray) -> np.ndarray:
    """Each post's mean cosine to its NEAR closest posts of the core: near the storm's
    centre by chance is not enough, a post must also resemble some of its posts."""
    if not len(x):
        return np.zeros(0, np.float32)
    if len(core) < NEAR:
        return np.ones(len(x), np.float32)  # too small a core to judge by
    sims = x @ core.T
    return np.sort(sims, axis=1)[:, -NEAR:].mean(axis=1)


def _merge_storms(grouper: Grouper, storms: list[Group]) -> list[tuple[int, int]]:
    """Storm groups about the same thing become one, the older surviving (its spike keeps
    the alert; a younger spike's posts join it). Returns (absorbed, survivor) pairs."""
    merges: list[tuple[int, int]] = []
    for young in sorted(storms, key=lambda g: -g.id):
        for old in sorted(storms, key=lambda g: g.id):
            if old.id >= young.id or old.merged_into is not None or young.merged_into is not None:
                continue
            if float(unit(old.total) @ unit(young.total)) >= STORM_MERGE:
                grouper.merge(old.id, young.id)
                merges.append((young.id, old.id))
    return merges
