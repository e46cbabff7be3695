"""Spike detection on replays: it fires within ten minutes of a storm, groups the storm's
posts and little else, and stays quiet on normal days. Real encoder, real SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.ml.embeddings import get_encoder
from assistant.policy.models import Policy
from assistant.triage import Triager
from devtools.storms.evaluate import label_triage, real_triage, run_replay
from devtools.storms.replay import generate

pytestmark = pytest.mark.slow


def test_storm_replay_through_real_triage_fires_and_groups(tmp_path: Path, policy: Policy) -> None:
    # Half a normal day, then about 200 complaints about the Midnight Sun batch in an hour (en, fi, de).
    replay = generate(days=0.5, per_hour=50, storm_at_hours=10.0, storm_posts=200, seed=3)
    triager = Triager(get_encoder())
    figures = run_replay(replay, policy, get_encoder(), tmp_path / "storm.db", labels="project's triage",
                         triage=lambda store, r: real_triage(store, r, policy, triager))
    assert figures.fired_after_minutes is not None and 0 <= figures.fired_after_minutes <= 10, figures.lines()
    assert figures.false_alerts == 0, figures.lines()
    # Triage reads a few storm posts as questions ("has anyone else got sick?"): those are
    # not negative and are not grouped. Of the ones it calls negative, 90% must be grouped.
    assert figures.storm_negative >= 170, figures.lines()
    assert figures.grouped_share >= 0.9, figures.lines()
    assert figures.others_share <= 0.05, figures.lines()
    spike = next(s for s in figures.alerts if s.members)
    assert set(spike.languages) >= {"en", "fi", "de"} and spike.topic_entry == "midnight-sun"


def test_two_normal_days_raise_no_alert(tmp_path: Path, policy: Policy) -> None:
    replay = generate(days=2.0, per_hour=50, storm_at_hours=None, seed=11)
    figures = run_replay(replay, policy, get_encoder(), tmp_path / "quiet.db", triage=label_triage)
    assert figures.storm_posts == 0 and figures.alerts == [], [s.explanation() for s in figures.alerts]
