"""Replaying a generated week through spike detection, and the figures the issue asks
for: when the alert fires, alerts on normal days, and how well the storm is grouped."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from assistant.domain.models import Action, Intent, Severity, Triage
from assistant.ml.embeddings import Encoder
from assistant.policy.models import Policy
from assistant.store import Store
from assistant.store.storms_sql import NEGATIVE_SQL, RELATED_SQL
from assistant.storms.detect import detect
from assistant.storms.queries import members
from assistant.storms.spike import Spike
from devtools.storms.replay import Replay

# The generator's intent, as triage would record it (only intent matters to grouping).
_ACTION = {Intent.ABUSE: Action.HIDE, Intent.SPAM: Action.IGNORE}


@dataclass
class Figures:
    posts: int
    storm_posts: int
    alerts: list[Spike] = field(default_factory=list)  # spikes opened, in order
    storm_alerts: int = 0  # alerts with a storm post in them (the target: one per storm)
    fired_after_minutes: float | None = None  # first alert after the storm started
    false_alerts: int = 0  # alerts with no storm post in them
    storm_in_group: int = 0  # storm posts in the storm's spike
    storm_negative: int = 0  # storm posts triage put in the pool (negative, or a question or reaction)
    others_in_group: int = 0  # posts not of the storm in it
    other_negative_in_storm_hours: int = 0  # non-storm negative posts posted while the storm's spike was open
    seconds: float = 0.0
    ticks: int = 0
    labels: str = "generator"

    @property
    def storm_share(self) -> float:
        return self.storm_in_group / self.storm_posts if self.storm_posts else 0.0

    @property
    def grouped_share(self) -> float:
        return self.storm_in_group / self.storm_negative if self.storm_negative else 0.0

    @property
    def others_share(self) -> float:
        group = self.storm_in_group + self.others_in_group
        return self.others_in_group / group if group else 0.0

    def lines(self) -> list[str]:
        out = [f"{self.posts} posts ({self.storm_posts} in the storm), {self.ticks} ticks, "
               f"{self.seconds:.0f} s; intent from the {self.labels}"]
        if self.storm_posts:
            fired = (f"{self.fired_after_minutes:.0f} min after the storm started"
                     if self.fired_after_minutes is not None else "never")
            out.append(f"alert: {fired} (target: within 10); alerts with storm posts: {self.storm_alerts}"
                       " (target: exactly 1)")
            out.append(f"storm posts in its group: {self.storm_in_group}/{self.storm_posts} "
                       f"({self.storm_share:.0%}; target at least 90%); of those triage put in the pool (complaints, abuse, "
                       "questions, reactions): "
                       f"{self.storm_in_group}/{self.storm_negative} ({self.grouped_share:.0%})")
            out.append(f"other posts in the storm's group: {self.others_in_group} of "
                       f"{self.storm_in_group + self.others_in_group} ({self.others_share:.1%}; target at most 5%); "
                       f"{self.other_negative_in_storm_hours} other negative posts were posted while it was open")
        out.append(f"alerts with no storm post (normal days): {self.false_alerts} (target: 0)")
        return out


def _add(store: Store, replay: Replay) -> None:
    for brand in sorted({p.brand for p in replay.posts}, key=str):
        store.add_mentions([p.mention for p in replay.posts if p.brand == brand], brand=brand)


def label_triage(store: Store, replay: Replay) -> None:
    """Store the generator's intent as each post's triage (the 7-day replay: real triage
    of 8,000 posts takes about 15 minutes on two cores)."""
    _add(store, replay)
    with store.transaction() as db:
        db["triage"].insert_all(
            ({"mention_id": p.mention.key, "language": p.language, "intent": p.intent.value,
              "severity": Severity.LOW.value, "action": _ACTION.get(p.intent, Action.REPLY).value,
              "team": None, "reasons": "[]", "created_at": p.mention.created_at} for p in replay.posts),
            replace=True, batch_size=1000)


def real_triage(store: Store, replay: Replay, policy: Policy, triager: object) -> None:
    """Run the project's triage on every post, as `assistant serve` would."""
    _add(store, replay)
    texts = [p.mention.text for p in replay.posts]
    results: list[Triage] = []
    for start in range(0, len(texts), 64):
        results += triager.triage_many(texts[start:start + 64], policy)  # type: ignore[attr-defined]
    for post, result in zip(replay.posts, results, strict=True):
        store.save_triage(post.mention.key, result)


def run_replay(replay: Replay, policy: Policy, encoder: Encoder, db_path: Path,
               triage: Callable[[Store, Replay], None] = label_triage, labels: str = "generator",
               every_minutes: int = 1, on_alert: Callable[[Spike], None] | None = None,
               fine_from: datetime | None = None, coarse_minutes: int = 10) -> Figures:
    """Tick detection every minute over the replay and measure it against the labels.
    ``fine_from``: before it, tick every ``coarse_minutes`` only (quiet days, where only a
    false alert could happen: it is still seen, at most that much later)."""
    store = Store(db_path)
    # a throwaway database: no waiting on the disk at each of thousands of ticks
    store.db.execute("PRAGMA synchronous=OFF")
    try:
        triage(store, replay)
        started = time.perf_counter()
        figures = Figures(len(replay.posts), sum(p.storm for p in replay.posts), labels=labels)
        now = replay.start.replace(second=0, microsecond=0) + timedelta(minutes=1)
        # Several brands' posts (a De Spaak storm over Aurora's ordinary days) are watched
        # brand by brand, as a deployment with both policies does (StormDesk.watched).
        brands = sorted({p.brand for p in replay.posts if p.brand}) or [None]
        watched: list[str | None] = list(brands) if len(brands) > 1 else [None]
        while now <= replay.end:
            for spike in (s for brand in watched for s in detect(store, policy, encoder, now, brand=brand)):
                if spike.change == "new":
                    figures.alerts.append(spike)
                    if on_alert:
                        on_alert(spike)
            figures.ticks += 1
            coarse = fine_from is not None and now < fine_from
            now += timedelta(minutes=coarse_minutes if coarse else every_minutes)
        figures.seconds = time.perf_counter() - started
        _score(store, replay, figures)
        return figures
    finally:
        store.close()


def _score(store: Store, replay: Replay, figures: Figures) -> None:
    storm_ids = {p.mention.key for p in replay.posts if p.storm}
    figures.storm_negative = sum(1 for (mid,) in store.db.execute(
        f"SELECT mention_id FROM triage t WHERE {NEGATIVE_SQL} OR {RELATED_SQL}").fetchall() if mid in storm_ids)
    negative = {p.mention.key: p for p in replay.posts if p.intent in (Intent.COMPLAINT, Intent.ABUSE)}
    best: tuple[int, Spike | None, list[str]] = (0, None, [])
    for spike in figures.alerts:
        ids = [m.mention_id for m in members(store, spike.id)]
        hits = sum(i in storm_ids for i in ids)
        if hits == 0:
            figures.false_alerts += 1
            continue
        figures.storm_alerts += 1
        if hits > best[0]:
            best = (hits, spike, ids)
    hits, storm_spike, ids = best
    if storm_spike is None or replay.storm_start is None:
        return
    opened = datetime.fromisoformat(storm_spike.opened_at).replace(tzinfo=replay.storm_start.tzinfo)
    figures.fired_after_minutes = (opened - replay.storm_start).total_seconds() / 60
    figures.storm_in_group = hits
    figures.others_in_group = len(ids) - hits
    last = max(p.at for p in replay.posts if p.storm)
    figures.other_negative_in_storm_hours = sum(1 for k, p in negative.items()
                                                if k not in storm_ids and replay.storm_start <= p.at <= last)


def cpu_name() -> str:
    """The processor's model name, for figures that depend on it."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or platform.machine()


def eval_storms(policy: Policy, encoder: Encoder, days: float = 7.0, storm_at_hours: float | None = None,
                seed: int = 7) -> list[str]:
    """`python -m devtools eval --storms`: the replay's figures, as lines to print."""
    import os
    import tempfile

    from devtools.storms.replay import generate

    storm_at = storm_at_hours if storm_at_hours is not None else max(1.0, days * 24 - 10)
    replay = generate(days=days, storm_at_hours=storm_at, seed=seed)
    with tempfile.TemporaryDirectory() as folder:
        figures = run_replay(replay, policy, encoder, Path(folder) / "replay.db")
    lines = [f"storm replay: {days:g} days at about 50 posts an hour, seed {seed}, storm at hour {storm_at:g}"]
    lines += figures.lines()
    lines.append(f"encoder {encoder.name}; CPU {cpu_name()} ({os.cpu_count()} cores)")
    return lines


def eval_storm_files(paths: list[Path], policy_for: Callable[[str | None], Policy], encoder: Encoder,
                     triager: object) -> Iterator[str]:
    """`python -m devtools eval --storms FILE...`: each storm replay file (eval/storms/) on top of its
    folder's two ordinary days, with the project's real triage (each text triaged once)."""
    import os
    import tempfile

    from devtools.storms.replay_files import load

    cache: dict[tuple[str | None, str], Triage] = {}

    def triage(store: Store, replay: Replay) -> None:
        _add(store, replay)
        todo: dict[str | None, list[str]] = {}
        for p in replay.posts:
            if (p.brand, p.mention.text) not in cache:
                todo.setdefault(p.brand, []).append(p.mention.text)
        for brand, texts in todo.items():
            texts = list(dict.fromkeys(texts))
            for start in range(0, len(texts), 64):
                batch = texts[start:start + 64]
                results = triager.triage_many(batch, policy_for(brand))  # type: ignore[attr-defined]
                cache.update({(brand, t): r for t, r in zip(batch, results, strict=True)})
        for p in replay.posts:
            store.save_triage(p.mention.key, cache[(p.brand, p.mention.text)])

    for path in paths:  # each file's figures as soon as they are known (a replay takes minutes)
        meta, replay = load(path)
        with tempfile.TemporaryDirectory() as folder:
            fine = replay.storm_start - timedelta(hours=2) if replay.storm_start else None
            figures = run_replay(replay, policy_for(meta.get("brand")), encoder, Path(folder) / "replay.db",
                                 triage=triage, labels="project's triage", fine_from=fine)
        langs = ",".join(meta.get("languages") or [])
        yield f"== {path.name}: {meta.get('storm_topic') or meta['replay']} ({meta.get('brand')}; {langs})"
        yield from ("  " + line for line in figures.lines())
    yield f"encoder {encoder.name}; CPU {cpu_name()} ({os.cpu_count()} cores)"
