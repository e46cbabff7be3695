"""Issue 21, item 8: every setting is checked once, at start. A value that is no number
of seconds (nan, inf, negative, a word) stops `assistant serve` before it does anything,
with one line naming the setting and how to fix it. Through the real console script."""

from __future__ import annotations

import pytest

from .test_bad_input_ingest import one_line_error


@pytest.mark.parametrize("name, value, says", [
    ("ASSISTANT_SPIKE_TICK_SECONDS", "nan", "Input should be a finite number (got 'nan')"),
    ("ASSISTANT_SPIKE_TICK_SECONDS", "inf", "Input should be a finite number (got 'inf')"),
    ("ASSISTANT_SPIKE_TICK_SECONDS", "-5", "Input should be greater than or equal to 0 (got '-5')"),
    ("ASSISTANT_SPIKE_TICK_SECONDS", "soon", "Input should be a valid number"),
    ("ASSISTANT_SPIKE_CARD_MINUTES", "inf", "Input should be a finite number (got 'inf')"),
    ("ASSISTANT_OPENAI_TIMEOUT", "nan", "Input should be a finite number (got 'nan')"),
    ("ASSISTANT_OPENAI_TIMEOUT", "0", "Input should be greater than 0 (got '0')"),
    ("ASSISTANT_TEMPERATURE", "nan", "Input should be a finite number (got 'nan')"),
])
def test_a_bad_setting_stops_serve_with_one_line_naming_it(run_cli, name, value, says):
    r = run_cli("serve", "--port", "0", env={name: value, "SLACK_BOT_TOKEN": "xoxb-test",
                                              "SLACK_SIGNING_SECRET": "secret"}, timeout=60)
    assert r.returncode != 0
    line = one_line_error(r)
    assert f"{name}: {says}" in line, line
    assert f"set {name} to a valid value" in line and "unset it" in line, line


def test_the_spike_tick_accepts_zero_to_turn_detection_off(run_cli, tmp_path):
    # A good value is not refused: the command goes on.
    r = run_cli("ingest", "-", input='{"id": "1", "text": "hi"}\n', env={"ASSISTANT_SPIKE_TICK_SECONDS": "0"})
    assert r.returncode == 0, r.stderr
