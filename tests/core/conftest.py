"""Fixtures for the core tests: the shipped policy, a real SQLite file, a fake model."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.domain.models import Action, Intent, Mention, Severity, Triage
from assistant.engine import Engine
from assistant.policy.loading import load_policy
from assistant.policy.models import Policy
from assistant.policy.registry import PolicyRegistry
from assistant.settings import Settings, load_settings
from assistant.store import Store
from devtools.fakes import FAKE_MODEL, PYTHONPATH
from devtools.fakes.model import FakeBackend

ROOT = Path(__file__).resolve().parents[2]
POLICY_FILE = ROOT / "policies" / "aurora-roasters.yaml"
# A second brand in another trade and language mix: nothing brand-specific lives in the code.
SECOND_POLICY_FILE = ROOT / "examples" / "policies" / "de-spaak.yaml"
ASSISTANT = Path(sys.executable).parent / "assistant"


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy(POLICY_FILE)


@pytest.fixture(scope="session")
def second_policy() -> Policy:
    return load_policy(SECOND_POLICY_FILE)


@pytest.fixture
def policies_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "policies"
    folder.mkdir()
    shutil.copy(POLICY_FILE, folder / POLICY_FILE.name)
    return folder


@pytest.fixture
def settings(tmp_path: Path, policies_dir: Path) -> Settings:
    return load_settings(db_path=tmp_path / "assistant.db", policies_dir=policies_dir, backend=FAKE_MODEL,
                         draft_attempts=2)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "store.db")
    yield s
    s.close()


@pytest.fixture
def fake() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
def engine(settings: Settings, fake: FakeBackend) -> Iterator[Engine]:
    registry = PolicyRegistry(settings.policies_dir)
    registry.reload()
    store = Store(settings.db_path)
    yield Engine(settings, store, registry, backend=fake)
    store.close()


@pytest.fixture(scope="module")
def two_brand_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """Both brands in one policies folder, a real SQLite file, the fake model (one per module)."""
    tmp = tmp_path_factory.mktemp("two_brands")
    folder = tmp / "policies"
    folder.mkdir()
    shutil.copy(POLICY_FILE, folder / POLICY_FILE.name)
    shutil.copy(SECOND_POLICY_FILE, folder / SECOND_POLICY_FILE.name)
    settings = load_settings(db_path=tmp / "assistant.db", policies_dir=folder, backend=FAKE_MODEL, draft_attempts=2)
    registry = PolicyRegistry(folder)
    registry.reload()
    store = Store(settings.db_path)
    yield Engine(settings, store, registry, backend=FakeBackend())
    store.close()


def make_mention(text: str, external_id: str = "m1", source: str = "mastodon", author: str = "@ann",
                 **kw: object) -> Mention:
    return Mention(source=source, external_id=external_id, author=author, text=text, **kw)  # type: ignore[arg-type]


def make_triage(intent: Intent = Intent.QUESTION, language: str = "en", severity: Severity = Severity.LOW,
                action: Action = Action.REPLY) -> Triage:
    return Triage(language=language, intent=intent, severity=severity, action=action, reasons=["test"])


@pytest.fixture
def run_cli(tmp_path: Path, policies_dir: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the real `assistant` console script with a database in tmp_path and the fake model."""

    def run(*args: str, env: dict[str, str] | None = None, input: str | None = None,
            timeout: float = 120, program: tuple[str, ...] = (str(ASSISTANT),)) -> subprocess.CompletedProcess[str]:
        full = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "SLACK_"))}
        full.update({
            "ASSISTANT_DB_PATH": str(tmp_path / "cli.db"),
            "ASSISTANT_POLICIES_DIR": str(policies_dir),
            "ASSISTANT_BACKEND": FAKE_MODEL,
            "PYTHONPATH": PYTHONPATH,  # the checkout, where devtools (the fake model) lives
            "ASSISTANT_OUTBOX_FILE": str(tmp_path / "outbox.jsonl"),
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "COLUMNS": "120",
        })
        full.update(env or {})
        return subprocess.run([*program, *args], capture_output=True, text=True, env=full,
                              cwd=tmp_path, input=input, timeout=timeout)

    return run


@pytest.fixture
def run_devtools(run_cli: Callable[..., subprocess.CompletedProcess[str]]) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `python -m devtools` (evaluations and benchmarks, outside the package) as run_cli runs `assistant`."""

    def run(*args: str, env: dict[str, str] | None = None, **kw: object) -> subprocess.CompletedProcess[str]:
        return run_cli(*args, env=env, program=(sys.executable, "-m", "devtools"), **kw)

    return run
