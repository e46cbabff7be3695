"""A crisis section written carelessly: variables with a format (a crash, or a 100 MB
statement, at the worst moment), a language some parts have and others lack (a
statement in two languages), an empty {}. Each is one line from `assistant policy check`,
and a running assistant keeps the last good policy. A storm in a language the playbook
does not have gets the statement in English, saying so."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.policy.loading import check_policy_text
from assistant.policy.models import Policy
from assistant.policy.registry import PolicyRegistry
from assistant.storms import draft_statement
from assistant.storms.spike import Spike

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = (ROOT / "policies" / "aurora-roasters.yaml").read_text(encoding="utf-8")
ASSISTANT = Path(sys.executable).parent / "assistant"


def _crisis_replace(old: str, new: str) -> str:
    start = SHIPPED.index("\ncrisis:")
    assert old in SHIPPED[start:], old
    return SHIPPED[:start] + SHIPPED[start:].replace(old, new, 1)


WHERE_FI = '      fi: "Löydätte kaikki päivitykset {channel}."\n'


@pytest.mark.parametrize(("new", "expected"), [
    ('by {update_time:d}."', "{update_time:d} has a format; write the variable alone, as {update_time}"),
    ('by {update_time:>99999999}."', "{update_time:>99999999} has a format"),
    ('by {update_time!r}."', "{update_time!r} has a format"),
    ('by {}."', "unknown variable {}"),
])
def test_a_variable_with_a_format_is_one_line(new: str, expected: str) -> None:
    policy, problems = check_policy_text(_crisis_replace('by {update_time}."', new), "p.yaml")
    assert policy is None
    assert any(expected in p and "crisis.playbook.when_we_update.en" in p for p in problems), problems
    assert all("\n" not in p for p in problems)


def test_a_language_missing_from_one_part_is_one_line() -> None:
    policy, problems = check_policy_text(_crisis_replace(WHERE_FI, ""), "p.yaml")
    assert policy is None
    assert len(problems) == 1, problems
    assert "crisis.playbook.where: no 'fi' text" in problems[0] and "add where.fi" in problems[0]


def test_policy_check_names_the_line_and_a_running_assistant_keeps_the_last_good(tmp_path: Path) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    path = folder / "aurora-roasters.yaml"
    path.write_text(SHIPPED, encoding="utf-8")
    registry = PolicyRegistry(folder)
    registry.reload()
    good = registry.get("aurora-roasters")

    path.write_text(_crisis_replace('by {update_time}."', 'by {update_time:>99999999}."'), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    done = subprocess.run([str(ASSISTANT), "policy", "check", str(path)], capture_output=True, text=True,
                          timeout=120, env=env)
    assert done.returncode == 1
    [line] = [x for x in done.stdout.splitlines() if "crisis" in x]
    number = int(line.split(":")[1])
    assert "{update_time:>99999999}" in path.read_text(encoding="utf-8").splitlines()[number - 1]

    os.utime(path, ns=(1, 1))  # a change the registry sees, whatever the clock's resolution
    errors = registry.reload()
    assert "aurora-roasters" in errors
    kept = registry.get("aurora-roasters")
    assert kept is good
    assert kept.crisis.playbook.text("when_we_update", "en")[0] == "We will post our next update by {update_time}."


def test_a_storm_in_a_language_the_playbook_lacks_is_answered_in_english(tmp_path: Path) -> None:
    policy: Policy
    # the shipped policy without its Greek crisis texts (it has them in all its languages)
    head, crisis = SHIPPED.split("\ncrisis:\n", 1)
    crisis = "".join(line for line in crisis.splitlines(keepends=True) if not line.lstrip().startswith("el: "))
    policy, problems = check_policy_text(head + "\ncrisis:\n" + crisis, "aurora-roasters.yaml")  # type: ignore[assignment]
    assert problems == [] and "el" in policy.languages
    assert "el" not in policy.crisis.playbook.languages()
    spike = Spike(id=1, group_id=1, status="active", opened_at="2026-05-04T09:30:00",
                  updated_at="2026-05-04T09:30:00", calmed_at=None, members=20, posts_in_window=20,
                  first_at="2026-05-04T09:02:00", last_at="2026-05-04T09:30:00",
                  languages={"el": 20}, networks={"mastodon": 20}, common_words=["locker", "broken"])
    statement = draft_statement(spike, policy, "el")
    assert statement.language == "en"
    assert statement.notes == ["the crisis playbook has no el text: written in en"]
    assert "20 of you" in statement.text and "10:30 UTC" in statement.text
    assert statement.passed, [(c.name, c.detail) for c in statement.guard if not c.passed]


def test_a_channel_missing_in_a_language_its_texts_use_is_one_line() -> None:
    text = _crisis_replace('    de: "unserer Statusseite https://auroraroasters.example/status und unseren eigenen Kanälen"\n', "")
    policy, problems = check_policy_text(text, "p.yaml")
    assert policy is None and len(problems) == 1, problems
    assert "crisis.channel: no 'de' text" in problems[0] and "add channel.de" in problems[0]
