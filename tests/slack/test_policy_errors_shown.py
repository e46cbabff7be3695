"""A policy file broken while the app runs: App Home and `/assistant policy` say which file, which
line and what is wrong (escaped for Slack), and the last good policy stays in force."""

from __future__ import annotations

import os
import shutil
import time

import pytest
from slack_harness import APPROVER, ROOT, text_of

from devtools.loopback import event_callback, slash_command

GOOD_FILE = ROOT / "policies" / "aurora-roasters.yaml"
GOOD = GOOD_FILE.read_text(encoding="utf-8")


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "policies"
    d.mkdir()
    shutil.copy(GOOD_FILE, d / GOOD_FILE.name)
    return d


def _break(f, text: str, seconds: float) -> None:
    f.write_text(text, encoding="utf-8")
    os.utime(f, (f.stat().st_atime, f.stat().st_mtime + seconds))


def _wait_for_error(h, needle: str) -> None:
    """The registry re-reads files in the background: wait until it has seen the broken one."""
    deadline = time.monotonic() + 20
    while not any(needle in p for probs in h.policies.errors.values() for p in probs):
        assert time.monotonic() < deadline, f"never reported: {needle} ({h.policies.errors})"
        time.sleep(0.05)


def _home_text(h, ts: str) -> str:
    before = len(h.slack.calls_to("views.publish"))
    h.driver.event(event_callback({"type": "app_home_opened", "user": APPROVER, "channel": "D1", "tab": "home",
                                   "event_ts": ts}))
    deadline = time.monotonic() + 20
    while len(h.slack.calls_to("views.publish")) <= before:
        assert time.monotonic() < deadline, "App Home was never published"
        time.sleep(0.02)
    return text_of(h.slack.calls_to("views.publish")[-1]["view"]["blocks"])


def _policy_command_text(h) -> str:
    r = h.driver.command(slash_command("/assistant", "policy", APPROVER, h.slack.response_url()))
    assert r.status_code == 200
    return text_of(r.json()["blocks"])


def test_a_deeply_nested_policy_shows_its_error_in_app_home_and_the_policy_command(make_harness, folder,
                                                                                   monkeypatch):
    from assistant.policy.registry import PolicyRegistry

    monkeypatch.setattr(PolicyRegistry, "CHECK_EVERY", 0.05)
    h = make_harness(policies_dir=folder)
    assert h.policies.get().brand.name == "Aurora Roasters"
    f = folder / GOOD_FILE.name
    _break(f, GOOD + "deep: " + "[" * 3000 + "]" * 3000 + "\n", 5)
    _wait_for_error(h, "nested more than")
    line = len(GOOD.splitlines()) + 1
    for text in (_home_text(h, "1700000500.000100"), _policy_command_text(h)):
        assert "Last reload failed" in text, text
        assert f"{f.name}:{line}: " in text and "nested more than" in text, text
        assert str(folder) not in text  # the file's name, never the server's folders
        assert "Aurora Roasters" in text  # the last good version is still in force
        assert "Last reload: OK" not in text and "could not load" not in text
    assert h.policies.get().brand.name == "Aurora Roasters"


def test_policy_errors_are_escaped_for_slack(make_harness, folder, monkeypatch):
    from assistant.policy.registry import PolicyRegistry

    monkeypatch.setattr(PolicyRegistry, "CHECK_EVERY", 0.05)
    h = make_harness(policies_dir=folder)
    h.policies.get()
    f = folder / GOOD_FILE.name
    _break(f, GOOD + '"a<b>&c": 1\n"a<b>&c": 2\n', 5)
    _wait_for_error(h, "duplicate key")
    for text in (_home_text(h, "1700000500.000200"), _policy_command_text(h)):
        assert "duplicate key 'a&lt;b&gt;&amp;c'" in text, text
        assert "a<b>&c" not in text
