"""`assistant demo --storm` on a fresh database shows the storm it replays.

Seen failing first: the demo stored its posts as arriving when it ran, and the detector
counts a post a few hours old from its arrival, so the storm (four hours before the
demo's day ends) was never seen in its day: "no spike: the storm was not detected"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from devtools.fakes import FAKE_MODEL, PYTHONPATH

ROOT = Path(__file__).resolve().parents[2]
ASSISTANT = Path(sys.executable).with_name("assistant")


@pytest.mark.slow
def test_the_storm_demo_raises_the_storm_and_only_it(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "SLACK_"))}
    env.update({"ASSISTANT_DB_PATH": str(tmp_path / "demo.db"), "ASSISTANT_POLICIES_DIR": str(ROOT / "policies"),
                "ASSISTANT_BACKEND": FAKE_MODEL, "PYTHONPATH": PYTHONPATH, "HF_HUB_OFFLINE": "1", "COLUMNS": "120"})
    done = subprocess.run([str(ASSISTANT), "demo", "--storm"], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=900)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "not detected" not in out
    assert out.count("Spike at ") == 1, out[:2000]  # one alert: the storm's, not a normal day's
    assert "Midnight Sun" in out  # what the storm is about, named on the alert card
    assert "passes the guard" in out
