"""Spike detection, one tick at a time: ``detect(store, policy, encoder, now)``.

Each tick embeds only the negative posts (triage intent complaint or abuse) it has not
seen and adds them to groups by meaning (vectors.py, grouping.py; a storm's group gathers
its posts, questions included, in gather.py); here each group's
posts in the window are compared with its usual rate over the baseline days. A group
past the policy's thresholds is a spike; a spike grows as posts join its group and is
calm when its rate falls back, and each change is summarised for the alert (its
representative posts, common words, topic). Nothing here reads the clock: ``now`` is
passed in, so a replay gives the same spikes every time. Reading recorded spikes back
is queries.py.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from assistant.ml.embeddings import Encoder
from assistant.policy.models import Policy
from assistant.store import Store, storms_sql
from assistant.storms.gather import gather
from assistant.storms.grouping import Grouper, unit
from assistant.storms.queries import members
from assistant.storms.spike import Representative, Spike
from assistant.storms.vectors import (
    adjusted,
    centers_of,
    embed_new,
    group_new,
    history,
    parse_stamp,
    seed_burst,
    stamp,
)
from assistant.storms.words import distinctive_words, named_topic

REPRESENTATIVES = 3
BACKGROUND = 400  # other negative posts the common words are compared with


def scope(encoder: str, brand: str | None = None) -> str:
    """The key the detector's rows carry: the encoder, and the brand when one deployment
    watches several (each brand's posts are grouped, counted and alerted on apart)."""
    return encoder if brand is None else f"{encoder}@{brand}"


def brand_of_scope(key: str) -> str | None:
    return key.split("@", 1)[1] if "@" in key else None


def detect(store: Store, policy: Policy, encoder: Encoder, now: datetime, brand: str | None = None,
           default_brand: str | None = None) -> list[Spike]:
    """One tick: the spikes raised, grown or calmed at ``now``. ``brand``: watch only that
    brand's posts (a post with no brand counts as ``default_brand``'s); None: every post."""
    crisis = policy.crisis
    window = timedelta(minutes=crisis.window_minutes)
    now_s, window_s = stamp(now), stamp(now - window)
    base_s = stamp(now - window - timedelta(days=crisis.baseline_days))
    key = scope(encoder.name, brand)
    embed_new(store, encoder, key, now_s, base_s, brand, default_brand)
    centers = centers_of(store, encoder, key, window_s)
    grouper = group_new(store, key, centers, crisis.similarity, base_s, encoder.dim)
    seed_burst(store, policy, key, grouper, centers, now_s, window_s, base_s)
    gather(store, key, grouper, centers, now_s, crisis.window_minutes, crisis.min_posts)
    return _spikes(store, policy, key, grouper, centers, now_s, window_s, base_s)


# -- spikes ---------------------------------------------------------------------------------


def _spikes(store: Store, policy: Policy, encoder: str, grouper: Grouper, centers: dict[str, np.ndarray], now_s: str,
            window_s: str, base_s: str) -> list[Spike]:
    crisis = policy.crisis
    in_window = storms_sql.group_counts(store, encoder, window_s, now_s)
    active = storms_sql.active_spikes(store, encoder)
    span, windows, negative_before = history(store, encoder, base_s, window_s, crisis.window_minutes)
    negative_now = storms_sql.negative_count(store, encoder, window_s, now_s)
    rates = {"span": span, "negative_usual_per_hour": negative_before / span, "negative_in_window": negative_now}
    # How far each group's spikes have been followed: a tick before that is a replay of
    # time already seen (the storm demo run twice on one database) and changes nothing.
    seen = storms_sql.followed_until(store, encoder)
    out: list[Spike] = []
    for gid in sorted(set(in_window) | set(active)):
        if now_s < (seen.get(gid) or "") or (gid not in active and now_s == seen.get(gid)):
            continue
        count = in_window.get(gid, 0)
        usual = storms_sql.group_count(store, gid, encoder, base_s, window_s) / windows
        growth = count / max(usual, 1.0)
        spike = active.get(gid)
        if spike is None:
            if count >= crisis.min_posts and growth >= crisis.growth:
                out.append(_open(store, policy, encoder, gid, grouper, centers, now_s, window_s, base_s, count,
                                 usual, growth, rates))
            continue
        out.extend(_follow_up(store, policy, encoder, spike, grouper, centers, now_s, window_s, base_s, count,
                              usual, growth, rates))
    return out


def _open(store: Store, policy: Policy, encoder: str, gid: int, grouper: Grouper, centers: dict[str, np.ndarray], now_s: str,
          window_s: str, base_s: str, count: int, usual: float, growth: float, rates: dict[str, float]) -> Spike:
    spike_id = storms_sql.open_spike(store, gid, encoder, now_s, window_s, count)
    grouper.loose.add(gid)  # a storm's group from now on
    row = storms_sql.spike_got(store, spike_id)
    return _summarise(store, policy, encoder, row, grouper, centers, now_s, window_s, base_s, count, usual, growth,
                      rates, "new")


def _follow_up(store: Store, policy: Policy, encoder: str, row: dict[str, Any], grouper: Grouper, centers: dict[str, np.ndarray],
               now_s: str, window_s: str, base_s: str, count: int, usual: float, growth: float,
               rates: dict[str, float]) -> list[Spike]:
    # Posts that arrive late (a poller catching up) still join, if posted near the spike.
    since = stamp(parse_stamp(row["opened_at"]) - timedelta(minutes=policy.crisis.window_minutes))
    calm = count <= policy.crisis.calm_posts
    joined = storms_sql.follow_spike(store, row, encoder, since, now_s, count, calm)
    if not joined and not calm:
        return []
    fresh = storms_sql.spike_got(store, row["id"])
    return [_summarise(store, policy, encoder, fresh, grouper, centers, now_s, window_s, base_s, count, usual,
                       growth, rates, "calm" if calm else "updated")]


def _summarise(store: Store, policy: Policy, encoder: str, row: dict[str, Any], grouper: Grouper,
               centers: dict[str, np.ndarray], now_s: str, window_s: str, base_s: str, count: int, usual: float,
               growth: float, rates: dict[str, float], change: str) -> Spike:
    people = members(store, row["id"])
    vectors = storms_sql.member_vectors(store, encoder, row["id"])
    group = grouper.groups.get(row["group_id"])
    ids = [p.mention_id for p in people if p.mention_id in vectors]
    reps: list[Representative] = []
    if ids and group is not None:
        by_id = {p.mention_id: p for p in people}
        mine = np.stack([adjusted(np.frombuffer(vectors[i], np.float32), by_id[i].language, centers) for i in ids])
        sims = unit(mine) @ group.centre(np.zeros_like(mine[0]))
        for i in np.argsort(-sims)[:REPRESENTATIVES]:
            p = by_id[ids[int(i)]]
            reps.append(Representative(p.mention_id, p.text, p.language))
    background = storms_sql.background_texts(store, encoder, base_s, now_s, row["group_id"], BACKGROUND)
    texts = [p.text for p in people]
    spike = Spike(
        id=row["id"], group_id=row["group_id"], status=row["status"], opened_at=row["opened_at"],
        updated_at=row["updated_at"], calmed_at=row["calmed_at"], change=change,
        window_minutes=policy.crisis.window_minutes, posts_in_window=count, members=len(people),
        peak=max(row["peak"] or 0, count), usual_per_hour=usual * 60 / policy.crisis.window_minutes,
        growth=growth, negative_in_window=int(rates["negative_in_window"]),
        negative_usual_per_hour=rates["negative_usual_per_hour"], baseline_hours=rates["span"],
        languages=dict(Counter(p.language for p in people)), networks=dict(Counter(p.network for p in people)),
        first_at=min((p.at for p in people), default=""), last_at=max((p.at for p in people), default=""),
        abusive=sum(p.abusive for p in people), common_words=distinctive_words(texts, background),
        topic_entry=named_topic(texts, policy, [p.language for p in people]), representative=reps,
        brand=brand_of_scope(row["encoder"]))
    storms_sql.save_summary(store, row["id"], spike.summary_json())
    return spike


__all__ = ["brand_of_scope", "detect", "scope"]
