"""Tone policies: the shipped one loads; a broken one is explained line by line and never loaded."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import _register, cli
from assistant.domain.errors import PolicyError
from assistant.domain.models import Intent
from assistant.policy.loading import load_policy
from assistant.policy.models import REPLY_INTENTS
from assistant.policy.registry import PolicyRegistry

from .conftest import POLICY_FILE

GOOD = POLICY_FILE.read_text(encoding="utf-8")


def _line_no(text: str, needle: str) -> int:
    for n, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(f"{needle!r} not in the policy")


def _policy_check(path: Path) -> tuple[int, list[str]]:
    _register()
    result = CliRunner().invoke(cli, ["policy", "check", str(path)])
    return result.exit_code, [line for line in result.output.splitlines() if line.strip()]


def test_shipped_policy_loads_with_every_language_template(policy):
    assert policy.brand.name == "Aurora Roasters"
    assert policy.id == "aurora-roasters"
    assert set(policy.languages) >= {"en", "fi", "nl", "el", "fa", "lv", "de", "es", "fr", "sv"}
    for intent in REPLY_INTENTS:
        assert set(policy.playbooks[intent].templates) >= set(policy.languages)
    assert policy.voice.limit_for("bluesky") == 300
    assert policy.voice.limit_for("x") == 280
    assert policy.voice.limit_for("somewhere-new") == 500
    assert {g.id for g in policy.gestures} == {"free-shipping", "replacement-bag"}


def test_policy_check_passes_the_shipped_policies_folder():
    code, lines = _policy_check(POLICY_FILE.parent)
    assert code == 0, lines
    assert any(line.endswith(": ok") for line in lines)


def test_policy_check_unknown_field_points_at_its_line(tmp_path):
    broken = GOOD.replace("  formality: friendly\n", "  formality: friendly\n  formalty: casual\n")
    f = tmp_path / "brand.yaml"
    f.write_text(broken, encoding="utf-8")
    code, lines = _policy_check(f)
    assert code == 1
    want = f"{f}:{_line_no(broken, 'formalty:')}: voice.formalty: unknown field"
    assert any(line.startswith(want) for line in lines), lines


def test_policy_check_unknown_template_variable(tmp_path):
    # The template's sentence (the last place it appears, after the playbook's parts).
    head, sep, tail = GOOD.rpartition("You can also reach our team at {support_email}.")
    broken = head + "You can also reach our team at {support_phone}." + tail
    assert broken != GOOD
    f = tmp_path / "brand.yaml"
    f.write_text(broken, encoding="utf-8")
    code, lines = _policy_check(f)
    assert code == 1
    # The error names the variable and points into the question playbook's templates.
    hit = [line for line in lines if "{support_phone}" in line]
    assert hit, lines
    m = re.match(rf"{re.escape(str(f))}:(\d+): (\S+): ", hit[0])
    assert m, hit[0]
    assert m.group(2).startswith("playbooks.question.templates")
    assert int(m.group(1)) == _line_no(broken, "{support_phone}")
    assert m.group(2) == "playbooks.question.templates.en"
    assert "support_email" in hit[0]  # says which variables exist


def test_policy_check_missing_language_template(tmp_path):
    fi_line = '      fi: "Hyvä idea, kiitos!'
    broken = "\n".join(line for line in GOOD.splitlines() if not line.startswith(fi_line)) + "\n"
    assert broken != GOOD
    f = tmp_path / "brand.yaml"
    f.write_text(broken, encoding="utf-8")
    code, lines = _policy_check(f)
    assert code == 1
    hit = [line for line in lines if "playbooks.suggestion.templates" in line]
    assert hit and "fi" in hit[0], lines
    m = re.match(rf"{re.escape(str(f))}:(\d+): ", hit[0])
    assert m
    assert _line_no(broken, "  suggestion:") <= int(m.group(1)) <= _line_no(broken, "  complaint:")


def test_policy_check_yaml_syntax_error_gives_the_line(tmp_path):
    broken = GOOD.replace("  sign_off: \"– Team Aurora\"\n", "  sign_off: \"– Team Aurora\n    [broken: }\n")
    f = tmp_path / "brand.yaml"
    f.write_text(broken, encoding="utf-8")
    code, lines = _policy_check(f)
    assert code == 1
    m = re.match(rf"{re.escape(str(f))}:(\d+): yaml: ", lines[0])
    assert m, lines
    assert abs(int(m.group(1)) - _line_no(broken, "sign_off:")) <= 3


def test_policy_check_real_console_script_lists_every_error(run_cli, tmp_path):
    broken = GOOD.replace("  formality: friendly\n", "  formality: friendly\n  formalty: casual\n")
    broken = broken.replace("languages: [en, fi,", "languages: [EN, fi,")
    f = tmp_path / "many.yaml"
    f.write_text(broken, encoding="utf-8")
    result = run_cli("policy", "check", str(f))
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) >= 2, result.stdout + result.stderr
    for line in lines:
        assert re.match(rf"{re.escape(str(f))}:\d+: [\w.]+: \S", line), line
    assert any(line.startswith(f"{f}:{_line_no(broken, 'languages: [EN')}: languages:") for line in lines), lines


def test_load_policy_refuses_a_broken_file(tmp_path):
    f = tmp_path / "brand.yaml"
    f.write_text(GOOD.replace("  formality: friendly\n", "  formality: chummy\n"), encoding="utf-8")
    with pytest.raises(PolicyError) as exc:
        load_policy(f)
    assert "voice.formality" in str(exc.value)
    assert "assistant policy check" in str(exc.value)


def test_registry_keeps_last_good_policy_and_picks_up_the_fix(policies_dir):
    f = policies_dir / POLICY_FILE.name
    registry = PolicyRegistry(policies_dir)
    assert registry.reload() == {}
    good = registry.get()
    assert good.voice.sign_off == "– Team Aurora"

    f.write_text(GOOD.replace("  formality: friendly\n", "  formality: friendly\n  formalty: casual\n")
                 .replace('sign_off: "– Team Aurora"', 'sign_off: "– The Aurora crew"'), encoding="utf-8")
    os.utime(f, (f.stat().st_atime, f.stat().st_mtime + 5))
    errors = registry.reload()
    assert "aurora-roasters" in errors
    assert any("voice.formalty" in e and "unknown field" in e for e in errors["aurora-roasters"])
    # Nothing of the broken file is in force.
    assert registry.get().voice.sign_off == "– Team Aurora"
    assert registry.get("aurora-roasters") is good

    f.write_text(GOOD.replace('sign_off: "– Team Aurora"', 'sign_off: "– The Aurora crew"'), encoding="utf-8")
    os.utime(f, (f.stat().st_atime, f.stat().st_mtime + 10))
    assert registry.reload() == {}
    assert registry.errors == {}
    assert registry.get().voice.sign_off == "– The Aurora crew"


def test_registry_with_only_a_broken_file_says_why(policies_dir):
    (policies_dir / POLICY_FILE.name).write_text("brand: [unclosed\n", encoding="utf-8")
    registry = PolicyRegistry(policies_dir)
    registry.reload()
    with pytest.raises(PolicyError) as exc:
        registry.get()
    assert "yaml" in str(exc.value)
    with pytest.raises(PolicyError):
        registry.get("aurora-roasters")


def test_playbooks_cover_every_reply_intent(policy):
    assert Intent.ABUSE not in policy.playbooks and Intent.SPAM not in policy.playbooks
    for intent in REPLY_INTENTS:
        assert policy.playbook(intent) is not None


def _eventually(check, seconds: float = 20.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not picked up in time"
        time.sleep(0.02)


def test_a_running_engine_picks_up_an_edited_policy_without_a_restart(policies_dir, monkeypatch):
    """Edit the YAML while the process runs: the background check notices within CHECK_EVERY seconds,
    and get() hands out the new version (get() itself never parses)."""
    monkeypatch.setattr(PolicyRegistry, "CHECK_EVERY", 0.05)
    f = policies_dir / POLICY_FILE.name
    registry = PolicyRegistry(policies_dir)
    assert registry.get().voice.sign_off == "– Team Aurora"
    f.write_text(GOOD.replace('sign_off: "– Team Aurora"', 'sign_off: "– The Aurora crew"'), encoding="utf-8")
    os.utime(f, (f.stat().st_atime, f.stat().st_mtime + 5))
    _eventually(lambda: registry.get().voice.sign_off == "– The Aurora crew")  # no reload() call needed
    f.write_text("brand: [unclosed\n", encoding="utf-8")
    os.utime(f, (f.stat().st_atime, f.stat().st_mtime + 10))
    _eventually(lambda: "aurora-roasters" in registry.errors)
    assert registry.get().voice.sign_off == "– The Aurora crew"  # broken file: last good stays


def test_policy_check_lists_every_cross_field_problem_at_once(tmp_path):
    # The template's sentence (the last place it appears, after the playbook's parts).
    head, sep, tail = GOOD.rpartition("You can also reach our team at {support_email}.")
    broken = head + "You can also reach our team at {support_phone}." + tail
    broken = "\n".join(line for line in broken.splitlines()
                       if not line.startswith('      fi: "Hyvä idea, kiitos!')) + "\n"
    f = tmp_path / "brand.yaml"
    f.write_text(broken, encoding="utf-8")
    code, lines = _policy_check(f)
    assert code == 1
    assert any("playbooks.question.templates.en: unknown variable {support_phone}" in line for line in lines), lines
    assert any("playbooks.suggestion.templates: add a template for fi" in line for line in lines), lines


# -- facts in every language the brand answers in ----------------------------------------------


def test_shipped_facts_are_in_all_ten_languages_with_example_questions(policy):
    for key, value in policy.facts.items():
        if isinstance(value, dict):
            assert set(value) == set(policy.languages), key
        assert key in policy.fact_questions, key
    assert policy.fact("shipping", "fi") != policy.fact("shipping", "en")
    assert policy.fact("support_email", "el") == "hello@auroraroasters.example"  # one string for every language


def _with_shipping_only_in(languages: list[str]) -> str:
    lines = GOOD.splitlines()
    start = lines.index("  shipping:", next(i for i, line in enumerate(lines) if line.startswith("facts:")))
    end = start + 1
    while lines[end].startswith("    "):
        end += 1
    kept = [line for line in lines[start + 1:end] if line.strip().split(":")[0] in languages]
    return "\n".join(lines[:start + 1] + kept + lines[end:])


def test_a_fact_missing_a_language_is_a_warning_and_answers_in_the_first_language(tmp_path):
    path = tmp_path / "brand.yaml"
    path.write_text(_with_shipping_only_in(["en", "fi"]), encoding="utf-8")
    code, lines = _policy_check(path)
    assert code == 0, lines
    warning = next(line for line in lines if "warning" in line)
    assert re.match(rf"{re.escape(str(path))}:\d+: facts\.shipping: warning: no text for nl, el, fa, lv, de, es, fr, sv",
                    warning), warning
    p = load_policy(path)
    assert p.fact("shipping", "de") == p.fact("shipping", "en")


def _check_edited(tmp_path: Path, old: str, new: str) -> tuple[int, list[str]]:
    """`policy check` on the shipped policy with its first ``old`` replaced by ``new``."""
    path = tmp_path / "brand.yaml"
    assert old in GOOD
    path.write_text(GOOD.replace(old, new, 1), encoding="utf-8")
    return _policy_check(path)


def test_a_fact_in_a_language_the_brand_does_not_answer_in_is_an_error(tmp_path):
    code, lines = _check_edited(tmp_path, "  shipping:\n", "  shipping:\n    it: Spediamo in tutta l'UE.\n")
    assert code == 1 and any("facts.shipping.it: 'it' is not in `languages`" in line for line in lines), lines


def test_example_questions_for_a_fact_that_does_not_exist_are_an_error(tmp_path):
    code, lines = _check_edited(tmp_path, "fact_questions:\n", "fact_questions:\n  parking:\n    - where can I park\n")
    assert code == 1 and any("fact_questions.parking: no fact 'parking'" in line for line in lines), lines


def test_the_second_example_brand_passes_policy_check():
    from .conftest import SECOND_POLICY_FILE

    code, lines = _policy_check(SECOND_POLICY_FILE)
    assert code == 0 and lines[-1].endswith(": ok"), lines


def test_empty_example_questions_are_refused(tmp_path):
    code, lines = _check_edited(tmp_path, "fact_questions:\n  shipping:\n",
                                "fact_questions:\n  shipping:\n    - \"  \"\n")
    assert code == 1 and any("fact_questions.shipping: an example is empty" in line for line in lines), lines
