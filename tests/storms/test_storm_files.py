"""Issue 19: grouping by what a post is about, across languages and question-shaped
posts, on a storm written as data by someone who had not read the detector
(eval/storms/double-charge.jsonl: Swedish, Dutch, French and English, angry, sarcastic,
and many questions, "anyone else charged twice??"), replayed on two ordinary days through the
project's real triage. A regression test: the issue's targets (90% grouped, at most
5% others, within 10 minutes) are measured by `python -m devtools eval --storms` and not all met;
this holds what the detector does now.

Seen failing first: before the burst seeding, this storm's alert came 37 minutes late
with 12 of 84 posts in its group."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.ml.embeddings import get_encoder
from assistant.policy.models import Policy
from assistant.triage import Triager
from devtools.storms.evaluate import real_triage, run_replay
from devtools.storms.replay_files import load

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def test_a_storm_in_four_languages_with_questions_is_one_alert_and_one_group(tmp_path: Path, policy: Policy) -> None:
    meta, replay = load(ROOT / "eval" / "storms" / "double-charge.jsonl")
    assert set(meta["languages"]) == {"sv", "nl", "fr", "en"}
    triager = Triager(get_encoder())
    figures = run_replay(replay, policy, get_encoder(), tmp_path / "storm.db", labels="project's triage",
                         triage=lambda store, r: real_triage(store, r, policy, triager), fine_from=replay.storm_start)
    lines = figures.lines()
    assert figures.false_alerts == 0, lines
    assert figures.storm_alerts == 1, lines  # one storm, one alert
    assert figures.fired_after_minutes is not None and figures.fired_after_minutes <= 15, lines
    assert figures.storm_share >= 0.75 and figures.others_share <= 0.1, lines
    from collections import Counter

    from assistant.store import Store
    from assistant.storms import members

    store = Store(tmp_path / "storm.db")
    try:
        group = max((members(store, s.id) for s in figures.alerts), key=len)
    finally:
        store.close()
    languages = Counter(m.language for m in group)
    assert len([lang for lang, n in languages.items() if n >= 5]) >= 3, languages  # across languages
    intents = {m.intent for m in group}
    assert "question" in intents or "reaction" in intents, intents  # question-shaped posts join too


def test_a_storm_that_comes_back_in_other_words_is_still_one_alert(tmp_path: Path, policy: Policy) -> None:
    """eval/storms/price-rise.jsonl (Finnish, English, Latvian, Greek, Persian): anger at the
    price rise first, then "how do I cancel?" and people helping each other find the button.
    Before the gathering and merging of storm groups (gather.py), `eval --storms` showed the
    second part raising a second alert (results-before-issue19.txt: two alerts, 44 of 76 posts
    in the larger)."""
    meta, replay = load(ROOT / "eval" / "storms" / "price-rise.jsonl")
    triager = Triager(get_encoder())
    figures = run_replay(replay, policy, get_encoder(), tmp_path / "storm.db", labels="project's triage",
                         triage=lambda store, r: real_triage(store, r, policy, triager), fine_from=replay.storm_start)
    lines = figures.lines()
    assert figures.false_alerts == 0, lines
    assert figures.storm_alerts == 1, lines
    assert figures.fired_after_minutes is not None and figures.fired_after_minutes <= 10, lines
    assert figures.storm_share >= 0.75, lines
