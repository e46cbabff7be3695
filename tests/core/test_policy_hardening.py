"""Hostile or careless policy files: each gets one line (file:line: what is wrong, how to fix it),
never a traceback, and a running process keeps the last good policy and says why."""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import assistant.policy.loading as loading_module
import assistant.policy.registry as registry_module
from assistant.cli import _register, cli
from assistant.domain.errors import PolicyError
from assistant.policy.loading import load_policy
from assistant.policy.registry import PolicyRegistry

from .conftest import POLICY_FILE

GOOD = POLICY_FILE.read_text(encoding="utf-8")
BRAND = POLICY_FILE.stem
DEEP = "deep: " + "[" * 3000 + "]" * 3000 + "\n"  # far past Python's recursion limit when composed


def _line_no(text: str, needle: str) -> int:
    for n, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(f"{needle!r} not in the text")


def _check(path: Path) -> tuple[int, list[str], BaseException | None]:
    """`assistant policy check PATH`: exit code, output lines, and any exception that escaped."""
    _register()
    result = CliRunner().invoke(cli, ["policy", "check", str(path)])
    escaped = result.exception if result.exception and not isinstance(result.exception, SystemExit) else None
    return result.exit_code, [line for line in result.output.splitlines() if line.strip()], escaped


def _touch(f: Path, seconds: float) -> None:
    """Move the file's mtime on, so a reload sees a change even within the clock's granularity."""
    os.utime(f, (f.stat().st_atime, f.stat().st_mtime + seconds))


def _loaded(policies_dir: Path, watch: bool = False) -> tuple[PolicyRegistry, object]:
    """A registry with the good policy loaded; without ``watch`` its background check is stopped,
    so only the test's own reload() calls read the files."""
    registry = PolicyRegistry(policies_dir)
    assert registry.reload() == {}
    good = registry.get(BRAND)
    if not watch:
        registry.close()
    return registry, good


# -- 1. tracebacks: deep nesting, not UTF-8 ------------------------------------------------------


def test_deeply_nested_policy_is_one_line_in_policy_check(tmp_path):
    f = tmp_path / "brand.yaml"
    f.write_text(GOOD + DEEP, encoding="utf-8")
    code, lines, escaped = _check(f)
    assert escaped is None, type(escaped).__name__
    assert code == 1
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{f}:{_line_no(GOOD + DEEP, 'deep: [[[')}: "), lines
    assert "nested more than" in lines[0]


def test_policy_that_is_not_utf8_is_one_line_in_policy_check(tmp_path):
    text = GOOD.replace('sign_off: "– Team Aurora"', 'sign_off: "– Café Aurora"')
    f = tmp_path / "brand.yaml"
    f.write_bytes(text.encode("utf-8").replace("Café".encode(), "Café".encode("latin-1")))
    code, lines, escaped = _check(f)
    assert escaped is None, type(escaped).__name__
    assert code == 1
    assert lines == [lines[0]] and lines[0].startswith(f"{f}:{_line_no(text, 'Café Aurora')}: "), lines
    assert "not UTF-8" in lines[0] and "save it as UTF-8" in lines[0]


@pytest.mark.parametrize("broken", ["deep", "latin-1"])
def test_running_registry_refuses_a_deep_or_non_utf8_file_and_keeps_the_last_good(policies_dir, broken):
    f = policies_dir / POLICY_FILE.name
    registry, good = _loaded(policies_dir)
    if broken == "deep":
        f.write_text(GOOD + DEEP, encoding="utf-8")
    else:
        f.write_bytes(GOOD.replace("Team Aurora", "Caf\xe9 Aurora").encode("latin-1", errors="replace"))
    _touch(f, 5)
    errors = registry.reload()  # the first reload after the break must not raise
    assert BRAND in errors and len(errors[BRAND]) == 1
    assert errors[BRAND][0].startswith(f"{f}:")
    assert registry.get(BRAND) is good
    with pytest.raises(PolicyError) as exc:
        load_policy(f)
    assert "\n" not in str(exc.value)


# -- 2. every later reload keeps saying why, and logs once per change -----------------------------


def test_every_reload_after_a_broken_file_keeps_the_error_and_logs_once_per_change(policies_dir, caplog):
    f = policies_dir / POLICY_FILE.name
    registry, good = _loaded(policies_dir)
    caplog.set_level(logging.WARNING, logger="assistant.policy.registry")
    f.write_text(GOOD + DEEP, encoding="utf-8")
    _touch(f, 5)
    for _ in range(3):  # three polls of the same broken file
        errors = registry.reload()
        assert BRAND in errors and "nested more than" in errors[BRAND][0]
        assert registry.errors == errors
        assert registry.get(BRAND) is good
    logged = [r for r in caplog.records if str(f) in r.getMessage()]
    assert len(logged) == 1, [r.getMessage() for r in caplog.records]
    assert "\n" not in logged[0].getMessage() and "keeping the last good version" in logged[0].getMessage()

    f.write_bytes(GOOD.replace("Team Aurora", "Caf\xe9 Aurora").encode("latin-1", errors="replace"))
    _touch(f, 10)  # a new change, still broken: one more line
    registry.reload()
    registry.reload()
    logged = [r for r in caplog.records if str(f) in r.getMessage()]
    assert len(logged) == 2 and "not UTF-8" in logged[1].getMessage()
    assert "not UTF-8" in registry.errors[BRAND][0]

    f.write_text(GOOD, encoding="utf-8")
    _touch(f, 15)
    assert registry.reload() == {} and registry.errors == {}


# -- 3. duplicate keys ---------------------------------------------------------------------------


def test_duplicate_key_is_refused_with_both_line_numbers(tmp_path):
    text = GOOD + "facts:\n  support_email: someone-else@example.com\n"
    f = tmp_path / "brand.yaml"
    f.write_text(text, encoding="utf-8")
    code, lines, escaped = _check(f)
    assert escaped is None and code == 1
    first, second = _line_no(GOOD, "facts:"), len(text.splitlines()) - 1
    assert any(line.startswith(f"{f}:{second}: duplicate key 'facts' (first at line {first})") for line in lines), lines


def test_every_duplicate_key_is_listed_nested_ones_too(tmp_path):
    text = GOOD.replace("  formality: friendly\n", "  formality: friendly\n  formality: formal\n")
    text += "facts:\n  hours: never\n"
    f = tmp_path / "brand.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as exc:
        load_policy(f)
    first = _line_no(text, "formality: friendly")
    want = f"{f}:{first + 1}: duplicate key 'formality' (first at line {first})"
    assert any(p.startswith(want) for p in exc.value.problems), exc.value.problems
    assert any("duplicate key 'facts'" in p for p in exc.value.problems), exc.value.problems


def test_a_duplicate_key_keeps_the_last_good_policy_running(policies_dir):
    f = policies_dir / POLICY_FILE.name
    registry, good = _loaded(policies_dir)
    f.write_text(GOOD.replace('sign_off: "– Team Aurora"', 'sign_off: "– Team Aurora"\n  sign_off: "bye"'),
                 encoding="utf-8")
    _touch(f, 5)
    assert "duplicate key 'sign_off'" in registry.reload()[BRAND][0]
    assert registry.get(BRAND) is good


# -- 4. size cap, and no parsing on the caller's (request) thread -----------------------------------


def test_a_policy_over_the_size_cap_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    f = tmp_path / "brand.yaml"
    f.write_text(GOOD + "# padding\n" * 200_000, encoding="utf-8")  # about 2 MB of valid YAML
    parsed: list[str] = []
    monkeypatch.setattr(loading_module, "check_policy_text", lambda text, path: parsed.append(path) or (None, ["x"]))
    with pytest.raises(PolicyError) as exc:
        load_policy(f)
    assert parsed == []
    [line] = exc.value.problems
    assert line.startswith(f"{f}:1: ") and "MB" in line and "limit" in line, line
    code, lines, escaped = _check(f)
    assert escaped is None and code == 1 and len(lines) == 1 and "limit" in lines[0], lines


def test_get_never_parses_on_the_calling_thread_once_loaded(policies_dir, monkeypatch):
    """get() runs on Slack request threads: it hands back the last good policy at once and leaves
    re-reading the files to the background."""
    f = policies_dir / POLICY_FILE.name
    registry, good = _loaded(policies_dir, watch=True)
    threads: list[str] = []
    real = registry_module.load_policy

    def recording(path):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread().name)
        return real(path)

    monkeypatch.setattr(registry_module, "load_policy", recording)
    monkeypatch.setattr(PolicyRegistry, "CHECK_EVERY", 0.05)
    f.write_text(GOOD.replace('sign_off: "– Team Aurora"', 'sign_off: "– The Aurora crew"'), encoding="utf-8")
    _touch(f, 5)
    deadline = time.monotonic() + 20
    while registry.get(BRAND).voice.sign_off != "– The Aurora crew":
        assert time.monotonic() < deadline, "the edit was never picked up"
        time.sleep(0.02)
    assert threads and threading.current_thread().name not in threads, threads


def test_get_returns_the_last_good_policy_while_a_reload_is_parsing(policies_dir, monkeypatch):
    f = policies_dir / POLICY_FILE.name
    registry, good = _loaded(policies_dir)
    entered, gate = threading.Event(), threading.Event()
    real = registry_module.load_policy

    def slow(path):  # type: ignore[no-untyped-def]
        entered.set()
        gate.wait(10)
        return real(path)

    monkeypatch.setattr(registry_module, "load_policy", slow)
    f.write_text(GOOD.replace('sign_off: "– Team Aurora"', 'sign_off: "– The Aurora crew"'), encoding="utf-8")
    _touch(f, 5)
    reloading = threading.Thread(target=registry.reload, daemon=True)
    reloading.start()
    try:
        assert entered.wait(10)
        monkeypatch.setattr(PolicyRegistry, "CHECK_EVERY", 0.0)
        got: list[object] = []
        getter = threading.Thread(target=lambda: got.append(registry.get(BRAND)), daemon=True)
        getter.start()
        getter.join(2)
        answered_in_time = not getter.is_alive()
    finally:
        gate.set()
        reloading.join(10)
    assert answered_in_time, "get() waited for a reload that was parsing a file"
    assert got == [good]
    assert registry.get(BRAND).voice.sign_off == "– The Aurora crew"
