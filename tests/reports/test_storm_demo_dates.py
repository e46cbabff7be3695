"""Issue 19, loose end: the storm demo dates its posts relative to now, so `assistant log`
and `report` show them. Seen failing first: the demo's posts were dated March 2026 and
`assistant log --since 30d` printed nothing after `assistant demo --storm`."""

from __future__ import annotations

import json
from datetime import timedelta

from assistant.cli.storm_demo import storm_demo_mentions
from assistant.domain.models import Action, Intent, Severity, Triage, utcnow


def test_the_storm_demo_is_the_last_day_and_log_shows_it(store, run_cli) -> None:
    now = utcnow()
    mentions = list(storm_demo_mentions(now=now))
    times = [m.created_at for m in mentions]
    assert min(times) >= (now - timedelta(hours=25)).isoformat() and max(times) <= now.isoformat()
    # the demo stores the posts with their triage, as `assistant demo --storm` does
    store.add_mentions(mentions[:40])
    for m in mentions[:40]:
        store.save_triage(m.key, Triage(language="en", intent=Intent.COMPLAINT, severity=Severity.LOW,
                                        action=Action.REPLY))
    done = run_cli("log", "--since", "30d", "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    shown = {json.loads(line)["id"] for line in done.stdout.splitlines() if line.strip()}
    assert {m.key for m in mentions[:40]} <= shown
    # a run an hour later is a fresh day of its own, not a collision with this one
    later = {m.key for m in storm_demo_mentions(now=now + timedelta(hours=1))}
    assert not later & {m.key for m in mentions}
