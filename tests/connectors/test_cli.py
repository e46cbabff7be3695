"""`assistant fetch`, `assistant outbox` and `assistant sources` through the real click group."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import _register, cli
from assistant.store import Store
from devtools.fakes import FAKE_MODEL

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    inbox = tmp_path / "in.jsonl"
    inbox.write_text(json.dumps({"id": "1", "author": "ann", "text": "Where is my order?"}) + "\n")
    (tmp_path / "s.yaml").write_text(json.dumps({"sources": [
        {"name": "demo", "connector": "file", "poll_every": 5,
         "options": {"inbox": str(inbox), "outbox": str(tmp_path / "replies.jsonl")}}]}))
    monkeypatch.chdir(tmp_path)
    for key, value in {"ASSISTANT_DB_PATH": str(tmp_path / "a.db"), "ASSISTANT_SOURCES_FILE": str(tmp_path / "s.yaml"),
                       "ASSISTANT_BACKEND": FAKE_MODEL, "ASSISTANT_POLICIES_DIR": str(ROOT / "policies")}.items():
        monkeypatch.setenv(key, value)
    _register()
    return tmp_path


def test_fetch_then_outbox(env: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(cli, ["fetch", "demo", "--no-process"], catch_exceptions=False)
    assert r.exit_code == 0 and "demo: 1 fetched, 1 new" in r.output
    r = runner.invoke(cli, ["fetch"], catch_exceptions=False)
    assert "demo: 0 fetched, 0 new" in r.output
    store = Store(env / "a.db")
    a = store.approve("demo:1", "U1", "It ships today!", "demo")
    r = runner.invoke(cli, ["outbox"], catch_exceptions=False)
    assert r.exit_code == 0 and f"#{a.outbox_id} demo:1: posted" in r.output
    assert json.loads((env / "replies.jsonl").read_text())["text"] == "It ships today!"
    r = runner.invoke(cli, ["outbox", "--failed"], catch_exceptions=False)
    assert "no failed replies" in r.output
    r = runner.invoke(cli, ["sources"], catch_exceptions=False)
    assert r.output.strip() == "demo: file (every 5s)"


def test_bad_sources_file_lists_every_problem(env: Path) -> None:
    (env / "bad.yaml").write_text("sources:\n  - {name: a, connector: nope}\n  - {name: b, connector: file, poll_every: x}\n")
    r = CliRunner().invoke(cli, ["sources", str(env / "bad.yaml")])
    assert r.exit_code == 1
    assert "sources[0].connector: unknown connector 'nope'" in r.output
    assert "sources[1].poll_every" in r.output


def test_fetch_triages_and_drafts_with_the_real_engine(env: Path) -> None:
    r = CliRunner().invoke(cli, ["fetch"], catch_exceptions=False)
    assert r.exit_code == 0 and "demo: 1 fetched, 1 new" in r.output and "  demo:1: " in r.output  # triage itself is tested elsewhere
    store = Store(env / "a.db")
    assert store.get_mention("demo:1")["status"] == "awaiting"
