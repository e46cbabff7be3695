"""Fixtures: the real Bolt app behind a real HTTP server on 127.0.0.1, a loopback fake of
Slack's Web API, signed requests in Slack's wire formats. No network, no Slack tokens."""

from __future__ import annotations

from typing import Any

import pytest
from slack_harness import APPROVER, APPROVER2, REVIEW, Harness

from devtools.loopback import FakeSlack


@pytest.fixture
def slack():
    fake = FakeSlack().start()
    fake.members[REVIEW] = [APPROVER, APPROVER2, "UBOT"]
    fake.channels = {"aurora-replies": REVIEW, "aurora-escalations": "CESCALATE"}
    yield fake
    fake.stop()
    assert fake.violations == [], "payloads Slack would refuse"


@pytest.fixture
def make_harness(tmp_path, slack):
    made: list[Harness] = []

    def make(**kw: Any) -> Harness:
        h = Harness(tmp_path, slack, **kw)
        made.append(h)
        return h

    yield make
    for h in made:
        h.close()


@pytest.fixture
def h(make_harness) -> Harness:
    return make_harness()


