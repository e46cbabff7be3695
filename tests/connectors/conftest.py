from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from assistant.domain.models import Mention
from assistant.policy.models import Brand
from assistant.settings import Settings
from assistant.store import Store
from devtools.fakes import FAKE_MODEL

from .servers import FaultProxy

BRAND = Brand(name="Acme Coffee", aliases=["AcmeCoffee", "Acme"], misspellings=["Acmee", "Akme Coffee"],
              handles={"mastodon": "@acme"})


class StubEngine:
    """The parts of Engine the runtime uses: ingest, process, policy (the real one is tested elsewhere)."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.processed: list[str] = []
        self._lock = threading.Lock()

    def ingest(self, mentions: list[Mention], brand: str | None = None) -> list[str]:
        return self.store.add_mentions(mentions, brand)

    def process(self, mention_id: str) -> Any:
        with self._lock:
            self.processed.append(mention_id)
        return SimpleNamespace(mention_id=mention_id)

    def policy(self, brand: str | None = None) -> Any:
        return SimpleNamespace(brand=BRAND)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db_path=tmp_path / "assistant.db", outbox_file=tmp_path / "outbox.jsonl",
                    sources_file=None, backend=FAKE_MODEL, policies_dir=tmp_path / "policies")


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    s = Store(settings.db_path)
    yield s
    s.close()


@pytest.fixture
def engine(settings: Settings, store: Store) -> StubEngine:
    return StubEngine(settings, store)


def approve(store: Store, source: str, external_id: str, text: str = "Thanks, we're on it!",
            connector: str | None = None, **fields: Any) -> Any:
    mention = Mention(source=source, external_id=external_id, author=fields.pop("author", "ann"),
                      text=fields.pop("mention_text", "hello @acme"), **fields)
    store.add_mentions([mention])
    return store.approve(mention.key, "U1", text, connector or source)


@pytest.fixture
def proxy_factory() -> Iterator[Any]:
    made: list[FaultProxy] = []

    def make(upstream: str, hold: float = 1.0) -> FaultProxy:
        p = FaultProxy(upstream, hold=hold)
        made.append(p)
        return p

    yield make
    for p in made:
        p.close()
