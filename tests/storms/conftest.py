"""Fixtures for the spike tests: the shipped policy, a real SQLite file with the storm tables."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.policy.loading import load_policy
from assistant.policy.models import Policy
from assistant.store import Store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy(ROOT / "policies" / "aurora-roasters.yaml")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "storms.db")
    yield s
    s.close()
