"""The policy's crisis section: defaults that work with no section, and clear one-line
errors from `assistant policy check` for bad values."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assistant.policy.loading import check_policy_text

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = (ROOT / "policies" / "aurora-roasters.yaml").read_text(encoding="utf-8")
ASSISTANT = Path(sys.executable).parent / "assistant"


def _without_crisis(text: str) -> str:
    start = text.index("\n# Shitstorms (000/001)")
    end = text.find("\n# ", start + 5)
    rest = text[end:] if end != -1 and "\ncrisis:" not in text[end:] else ""
    return text[:start] + "\n" + rest


def test_shipped_policy_has_a_crisis_playbook_in_the_brands_languages() -> None:
    policy, problems = check_policy_text(SHIPPED, "aurora-roasters.yaml")
    assert problems == [] and policy is not None
    for lang in ("en", "de", "fr", "es", "fi", "sv", "nl"):
        text, written = policy.crisis.playbook.text("when_we_update", lang)
        assert written == lang and "{update_time}" in text


def test_a_policy_without_the_section_loads_with_working_defaults() -> None:
    policy, problems = check_policy_text(_without_crisis(SHIPPED), "aurora-roasters.yaml")
    assert problems == [] and policy is not None
    assert policy.crisis.min_posts == 12 and policy.crisis.window_minutes == 60
    assert policy.crisis.playbook.text("acknowledge", "de")[1] == "en"  # falls back to English


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("  min_posts: 12\n", "  min_posts: 0\n", "crisis.min_posts: Input should be greater than or equal to 3"),
    ("  similarity: 0.35\n", "  similarity: 1.5\n", "crisis.similarity: Input should be less than 1"),
    ("  calm_posts: 3\n", "  calm_posts: 20\n", "calm_posts (20) must be below min_posts (12)"),
    ("by {update_time}.\"", "by {update_tiem}.\"", "crisis.playbook.when_we_update.en: unknown variable {update_tiem}"),
    ("  window_minutes: 60\n", "  window_minuts: 30\n", "crisis.window_minuts: unknown field (check the spelling)"),
])
def test_bad_values_are_one_line_errors(old: str, new: str, expected: str) -> None:
    policy, problems = check_policy_text(_crisis_replace(SHIPPED, old, new), "p.yaml")
    assert policy is None
    assert any(expected in p for p in problems), problems
    assert all("\n" not in p and p.startswith("p.yaml:") for p in problems)


def _crisis_replace(text: str, old: str, new: str) -> str:
    start = text.index("\ncrisis:")
    return text[:start] + text[start:].replace(old, new, 1)


def test_a_language_the_brand_does_not_answer_in_is_an_error() -> None:
    text = _crisis_replace(SHIPPED, '      nl: "Ons team zoekt', '      pt: "O nosso equipa"\n      nl: "Ons team zoekt')
    _, problems = check_policy_text(text, "p.yaml")
    assert any("crisis.playbook.what_we_are_doing.pt: 'pt' is not in `languages`" in p for p in problems), problems


def test_policy_check_names_the_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "aurora-roasters.yaml"
    bad.write_text(_crisis_replace(SHIPPED, "  growth: 4.0\n", "  growth: lots\n"), encoding="utf-8")
    result = subprocess.run([str(ASSISTANT), "policy", "check", str(bad)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 1
    line = next(x for x in result.stdout.splitlines() if "crisis.growth" in x)
    number = int(line.split(":")[1])
    assert bad.read_text(encoding="utf-8").splitlines()[number - 1].strip() == "growth: lots"
    assert "valid number" in line
