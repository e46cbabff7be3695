"""The first half of a detector tick: negative posts placed in time, embedded and grouped by meaning.

Each tick embeds only the posts it has not seen (a complaint or abuse, or a question or
reaction that may be about the same problem), takes out of each vector what negative
posts usually share and whitens it (``centers``, ``adjusted``, space.py: what a post is
about, not how it is written), and adds the new vectors to groups (grouping.py). A burst
that no one group holds is gathered into one storm group (``seed_burst``); questions and
reactions join a storm's group in gather.py. detect.py then counts each group against
its usual rate. Times are ``stamp`` strings: UTC to the second, so they sort as text.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from assistant.ml.embeddings import Encoder
from assistant.policy.models import Policy
from assistant.store import Store, storms_sql
from assistant.storms.grouping import Group, Grouper, unit
from assistant.storms.space import labelled_space
from assistant.triage.classifier import labelled_rows

NEGATIVE = ("complaint", "abuse")
# Which posts are negative (a complaint, abuse, or a complaint part) and which related
# ("anyone else charged twice??"): store/storms_sql.py, NEGATIVE_SQL and RELATED_SQL.
# A burst: more negative posts in the window than the policy's min_posts and growth allow,
# though no one group holds min_posts of them (people write about one thing in too many
# ways for post-to-post similarity). The posts close to the burst's own centre are moved
# into one storm group (SEED: cosine to the centre of the burst's other posts, refined a
# few times); later posts and related ones join it at JOIN (gather.py then looks again
# each tick). Cosines are in the whitened space (space.py), where they run lower than raw
# e5 cosines; the numbers were chosen on eval/storms/ (not blind).
SEED = 0.06
JOIN = 0.2
# a burst whose centre comes this close to a storm group's is more of the same storm
SAME_STORM = 0.15
SEED_ROUNDS = 4
# Before this many vectors have left the window, the centre is the mean of all of them.
MIN_CENTER = 20
PRIOR_POSTS = 300  # labelled negative posts whose mean centres posts before there is history


def stamp(at: datetime) -> str:
    """Times as stored here: UTC, to the second, so they sort as text."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


# A post is placed at its own time, unless that time says it was written after it
# reached us, or more than GRACE but at most SKEW before: a sender's slow clock, or a
# local time with no zone read as UTC (the widest zone is 14 hours from UTC). Such a post
# counts from when it arrived, so it still raises a spike now instead of falling outside
# the window the moment it comes in. Older than SKEW (a backfill, a replay) keeps its own.
GRACE = timedelta(minutes=10)
SKEW = timedelta(hours=14)


def _parsed(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _post_time(created_at: str | None, ingested_at: str | None) -> str | None:
    created, arrived = _parsed(created_at), _parsed(ingested_at)
    if created is None:
        return stamp(arrived) if arrived is not None else None
    if arrived is not None and (created > arrived or GRACE < arrived - created <= SKEW):
        return stamp(arrived)
    return stamp(created)


def embed_new(store: Store, encoder: Encoder, key: str, now_s: str, base_s: str, brand: str | None,
               default_brand: str | None) -> None:
    rows = storms_sql.unembedded(store, key, brand, default_brand)
    fresh: list[tuple[str, str, str, str, int]] = []
    old: list[tuple[str, str, str, int]] = []
    for mention_id, text, created_at, ingested_at, language, related in rows:
        at = _post_time(created_at, ingested_at)
        if at is None or at > now_s:
            continue  # not posted yet (a replay), or no time to place it
        if at > base_s:
            fresh.append((mention_id, text, at, language or "", related))
        else:
            old.append((mention_id, at, language or "", related))
    if not fresh and not old:
        return
    fresh.sort(key=lambda r: (r[2], r[0]))
    vectors = encoder.encode([r[1] for r in fresh], query=True) if fresh else np.zeros((0, encoder.dim))
    storms_sql.add_vectors(
        store,
        [{"mention_id": mid, "encoder": key, "at": at, "language": lang,
          "vector": np.asarray(v, np.float32).tobytes(), "group_id": None, "centered": 0, "related": related}
         for (mid, _, at, lang, related), v in zip(fresh, vectors, strict=True)]
        # Older than the baseline: recorded (never looked at again), never grouped.
        + [{"mention_id": mid, "encoder": key, "at": at, "language": lang, "vector": None,
            "group_id": None, "centered": 1, "related": related} for mid, at, lang, related in old])


ALL = "*"  # the centre of every language together
WHITEN = "~whiten"  # in ``centers``: the whitening matrix (space.py), not a centre


def centers_of(store: Store, model: Encoder, encoder: str, window_s: str) -> dict[str, np.ndarray]:
    """What negative posts share, per language (and ``ALL``): the mean of the vectors that
    have left the window, kept as running sums. A spike's posts are left out, so a storm
    does not become what everything shares. While there are few, all vectors count.
    ``encoder``: the scope's key (the encoder, and the brand when several are watched)."""
    dim = model.dim
    sums = {lang: (np.frombuffer(total, np.float32).copy(), size)
            for lang, total, size in storms_sql.center_sums(store, encoder)}
    leaving = storms_sql.leaving(store, encoder, window_s)
    if leaving:
        for _, lang, blob, in_spike in leaving:
            if in_spike:
                continue
            v = np.frombuffer(blob, np.float32)
            for key in (lang or "", ALL):
                total, size = sums.get(key, (np.zeros(dim, np.float32), 0))
                sums[key] = (total + v, size + 1)
        storms_sql.save_centers(
            store, encoder, [{"encoder": encoder, "language": k, "total": t.astype(np.float32).tobytes(), "size": n}
                             for k, (t, n) in sums.items()], [mid for mid, *_ in leaving])
    centers = {k: np.asarray(t / n, np.float32) for k, (t, n) in sums.items() if n >= MIN_CENTER}
    if ALL not in centers:
        # A new install has no history: what the labelled complaints share stands in (the
        # posts of the window itself would be their own centre, and a storm would vanish).
        centers[ALL] = prior_center(model)
    space = labelled_space(model)
    if space is not None:
        centers[WHITEN] = space[1]
    return centers


_PRIOR: dict[str, np.ndarray] = {}


def prior_center(encoder: Encoder) -> np.ndarray:
    """The mean vector of the labelled complaints and abuse shipped with triage (once per
    encoder and process)."""
    if encoder.name not in _PRIOR and (space := labelled_space(encoder)) is not None:
        _PRIOR[encoder.name] = space[0]
    if encoder.name not in _PRIOR:
        texts = [r["text"] for r in labelled_rows() if r.get("intent") in NEGATIVE][:PRIOR_POSTS]
        vectors = encoder.encode(texts, query=True) if texts else np.zeros((1, encoder.dim), np.float32)
        _PRIOR[encoder.name] = np.asarray(np.mean(vectors, axis=0), np.float32)
    return _PRIOR[encoder.name]


def adjusted(vector: np.ndarray, language: str, centers: dict[str, np.ndarray]) -> np.ndarray:
    """A post's vector less what negative posts share, whitened (space.py) to unit length:
    what it is about, not how it is written. ``language`` is kept for callers; one centre
    for every language measured better than one per language once whitened (a storm in
    three languages has three per-language centres pulling its posts apart)."""
    x = np.asarray(vector - centers[ALL], np.float32)
    whiten = centers.get(WHITEN)
    if whiten is None:
        return x
    return unit(whiten @ x)


def group_new(store: Store, encoder: str, centers: dict[str, np.ndarray], similarity: float, base_s: str,
               dim: int) -> Grouper:
    pending = storms_sql.ungrouped(store, encoder)
    rows = storms_sql.recent_groups(store, encoder, base_s)
    groups = [Group(r[0], np.frombuffer(r[1], np.float32).copy(), r[2], r[3], r[4]) for r in rows]
    next_id = storms_sql.next_group_id(store)
    # Group totals are sums of adjusted vectors: the grouper itself takes nothing out.
    grouper = Grouper(groups, np.zeros(dim, np.float32), similarity, next_id,
                      loose={r[0] for r in rows if r[5]}, loose_similarity=JOIN)
    if not pending:
        return grouper
    joined = [(mid, grouper.add(adjusted(np.frombuffer(v, np.float32), lang or "", centers), at))
              for mid, at, lang, v in pending]
    changed = [g for g in grouper.groups.values() if g.changed]
    moves = {g.id: g.merged_into for g in changed if g.merged_into is not None}
    # Chains of merges are followed to the group that survived.
    storms_sql.save_groups(store, encoder, [group_row(encoder, g, grouper) for g in changed],
                           [(gone, _follow(gone, moves)) for gone in moves],
                           [(_follow(gid, moves), mid) for mid, gid in joined])
    return grouper


def history(store: Store, encoder: str, base_s: str, window_s: str,
            window_minutes: int) -> tuple[float, float, int]:
    """(hours of history the usual rates come from, at least one: a first tick has none;
    how many windows that is; the negative posts in it) for this scope."""
    first = storms_sql.first_seen(store, encoder) or window_s
    span = max(1.0, (parse_stamp(window_s) - max(parse_stamp(base_s), parse_stamp(first))).total_seconds() / 3600)
    before = storms_sql.negative_count(store, encoder, base_s, window_s)
    return span, span * 60 / window_minutes, before


def seed_burst(store: Store, policy: Policy, encoder: str, grouper: Grouper, centers: dict[str, np.ndarray],
                now_s: str, window_s: str, base_s: str) -> None:
    """A burst of negative posts that no one group holds: move the posts close to the
    burst's own centre into one storm group (see SEED), so a spike can open on it."""
    crisis = policy.crisis
    rows = [r for r in storms_sql.window_vectors(store, encoder, window_s, now_s)
            if r[3] not in grouper.loose]  # posts already in a storm's group are not seeded again
    if len(rows) < crisis.min_posts or Counter(r[3] for r in rows).most_common(1)[0][1] >= crisis.min_posts:
        return  # too few, or one group holds enough of them: a spike opens on it the usual way
    _, windows, before = history(store, encoder, base_s, window_s, crisis.window_minutes)
    if len(rows) < crisis.growth * max(before / windows, 1.0):
        return
    vectors = [adjusted(np.frombuffer(r[2], np.float32), r[1] or "", centers) for r in rows]
    x = unit(np.stack(vectors))
    close = np.ones(len(rows), bool)
    for _ in range(SEED_ROUNDS + 1):
        close = _leave_one_out(x, close) >= SEED
        if close.sum() < 2:
            return
    if int(close.sum()) < crisis.min_posts:
        return
    centre = unit(x[close].mean(axis=0))
    chosen = [i for i in range(len(rows)) if close[i]]
    for i in chosen:
        grouper.remove_member(rows[i][3], vectors[i])
    total = np.sum([vectors[i] for i in chosen], axis=0).astype(np.float32)
    first, last = min(rows[i][4] for i in chosen), max(rows[i][4] for i in chosen)
    # The same storm's later posts (written in yet more ways) go to its group, not a second alert.
    same = [g for gid in grouper.loose if (g := grouper.groups.get(gid)) is not None and g.merged_into is None
            and g.size and float(g.centre(np.zeros_like(total)) @ centre) >= SAME_STORM]
    if same:
        gid = same[0].id
        grouper.grow(gid, total, len(chosen), first, last)
    else:
        gid = grouper.next_id
        grouper.add_group(Group(gid, total, len(chosen), first, last, changed=True), loose=True)
        grouper.new_storms.add(gid)
    storms_sql.save_groups(store, encoder, [group_row(encoder, g, grouper) for g in grouper.groups.values()
                                            if g.changed], [], [(gid, rows[i][0]) for i in chosen])


def _leave_one_out(x: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """Each post's cosine to the centre of the ``chosen`` posts other than itself. With
    itself in, a post of a dozen is a twelfth of the centre and comes out close to it
    whatever it says (on the replays, a café question and a cinnamon-bun complaint at
    0.2-0.28 seeded a storm about glass in coffee)."""
    total = x[chosen].sum(axis=0)
    others = total[None, :] - np.where(chosen[:, None], x, 0.0)
    return np.einsum("ij,ij->i", x, unit(others))


def group_row(encoder: str, g: Group, grouper: Grouper) -> dict[str, Any]:
    return {"id": g.id, "encoder": encoder, "total": g.total.astype(np.float32).tobytes(),
            "size": g.size, "first_at": g.first_at, "last_at": g.last_at,
            "merged_into": g.merged_into, "loose": int(g.id in grouper.loose)}


def _follow(gid: int, moves: dict[int, int]) -> int:
    while gid in moves:
        gid = moves[gid]
    return gid


def parse_stamp(at: str) -> datetime:
    return datetime.fromisoformat(at).replace(tzinfo=UTC)
