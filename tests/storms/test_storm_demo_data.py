"""The storm demo's posts are data (assistant/data/storm_demo.jsonl), written once by the
developer tools' storm generator: read back at the hour they were written for, they are
exactly the generator's mentions, and at any other hour only their dates and ids move."""

from __future__ import annotations

from datetime import datetime, timedelta

from assistant.cli.storm_demo import storm_demo_mentions
from devtools.storms.replay import DEMO_NOW
from devtools.storms.replay import storm_demo_mentions as generated


def test_the_data_file_is_the_generators_day() -> None:
    read = [m.model_dump() for m in storm_demo_mentions(now=DEMO_NOW)]
    assert read == [m.model_dump() for m in generated(now=DEMO_NOW)]
    assert 1000 < len(read) < 1500


def test_read_at_another_hour_the_posts_move_with_it() -> None:
    later = DEMO_NOW + timedelta(days=40, hours=5, minutes=17)
    base = list(storm_demo_mentions(now=DEMO_NOW))
    moved = list(storm_demo_mentions(now=later))
    assert [m.text for m in moved] == [m.text for m in base]
    shift = timedelta(days=40, hours=5)  # to the start of the hour
    assert all(datetime.fromisoformat(b.created_at or "") + shift == datetime.fromisoformat(m.created_at or "")
               for b, m in zip(base, moved, strict=True))
    assert all(m.external_id.startswith("storm-demo-2026041121-") for m in moved)
