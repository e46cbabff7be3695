"""The wheel works on its own: built, installed into a fresh virtual environment outside
the source tree, and run from a folder outside it (issue 20, "packaging proven").

The new environment sees the third-party packages through a .pth file that lists this
environment's site-packages folders. Plain path lines do not run the .pth files found
there, so this checkout's editable install of `assistant` stays out: what is imported is
the wheel's copy, with only the data files the wheel carries. A second .pth file in the
new environment refuses every connection that is not to this machine, so the commands
are also shown to reach no network. Slow: a draft loads the embedded model.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]

# Imported at start-up in the new environment (through a .pth file): a connection to
# anything but this machine fails, and is written to the file named by the variable.
NO_NETWORK = '''
import os
import socket

_LOG = os.environ.get("ASSISTANT_TEST_NETWORK_LOG")
_LOCAL = {None, "", "localhost", "127.0.0.1", "::1", "0.0.0.0"}


def _refuse(what):
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as f:
            f.write(repr(what) + "\\n")
    raise OSError("tests/test_wheel.py: no network here: %r" % (what,))


def _local(address):
    return not isinstance(address, tuple) or address[0] in _LOCAL


_connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex
_getaddrinfo = socket.getaddrinfo


def connect(self, address):
    if not _local(address):
        _refuse(address)
    return _connect(self, address)


def connect_ex(self, address):
    if not _local(address):
        _refuse(address)
    return _connect_ex(self, address)


def getaddrinfo(host, *args, **kwargs):
    if isinstance(host, bytes):
        host = host.decode()
    if host not in _LOCAL:
        _refuse(host)
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
'''


def _run(argv: list[str], cwd: Path, env: dict[str, str] | None = None,
         timeout: float = 600) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{argv} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done


def _data_files() -> list[str]:
    """Every file the package reads at runtime besides its code, as the wheel names it:
    the files under assistant/ that are not Python, and the top-level prompts."""
    found = [p.relative_to(ROOT).as_posix() for p in (ROOT / "assistant").rglob("*")
             if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
             and not p.name.startswith(".")]
    found += [f"assistant/prompts/{p.name}" for p in (ROOT / "prompts").glob("*.txt")]
    return sorted(found)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel installed; returns its bin folder."""
    tmp = tmp_path_factory.mktemp("wheel")
    # setuptools' build folders go to the temporary folder too: the source tree stays as
    # it is, and no module left in an old build/ can slip into the wheel.
    setup_cfg = tmp / "build.cfg"
    setup_cfg.write_text(f"[build]\nbuild_base = {tmp / 'build'}\n[egg_info]\negg_base = {tmp}\n")
    env = {**os.environ, "DIST_EXTRA_CONFIG": str(setup_cfg)}
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
          "-q", "-w", str(tmp / "dist"), str(ROOT)], cwd=tmp, env=env)
    (wheel,) = (tmp / "dist").glob("assistant-*.whl")
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
    missing = [f for f in _data_files() if f not in names]
    assert not missing, f"data files the package reads but the wheel lacks: {missing}"
    assert not [n for n in names if n.startswith(("devtools/", "tests/"))], "the wheel carries tooling"

    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp)
    python = venv / "bin" / "python"
    # Installed before the third-party packages are made visible, so pip sees an empty
    # environment (this checkout's editable `assistant` is not there to replace).
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q",
          str(wheel)], cwd=tmp)
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     cwd=tmp).stdout.strip())
    ours = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (site / "zz_third_party.pth").write_text("".join(f"{p}\n" for p in ours))
    (site / "_no_network.py").write_text(NO_NETWORK)
    (site / "_no_network.pth").write_text("import _no_network\n")
    return venv / "bin"


@pytest.fixture
def outside(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A working folder outside the source tree, and an environment that points nowhere
    into it (no PYTHONPATH, no settings but the policies folder)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
           and (not k.startswith("ASSISTANT_") or k == "ASSISTANT_MODEL_CACHE_DIR")}
    env["ASSISTANT_POLICIES_DIR"] = str(ROOT / "policies")
    env["ASSISTANT_TEST_NETWORK_LOG"] = str(tmp_path / "network.log")
    work = tmp_path / "work"
    work.mkdir()
    return work, env


def test_the_wheel_is_what_runs(installed: Path, outside: tuple[Path, dict[str, str]]) -> None:
    work, env = outside
    code = ("import assistant, importlib.util, socket; from assistant.drafting import prompt; "
            "print(assistant.__file__); print(prompt.PROMPTS_DIR); print(importlib.util.find_spec('devtools')); "
            "print(socket.socket.connect.__module__)")
    out = _run([str(installed / "python"), "-c", code], cwd=work, env=env).stdout.split("\n")
    module, prompts, devtools, connect = out[:4]
    assert connect == "_no_network", "the network guard is not in place"
    venv = installed.parent.resolve()
    assert Path(module).resolve().is_relative_to(venv), module
    assert Path(prompts).resolve().is_relative_to(venv), prompts
    assert devtools == "None", "devtools is not shipped"


def test_policy_check_from_the_wheel(installed: Path, outside: tuple[Path, dict[str, str]]) -> None:
    work, env = outside
    done = _run([str(installed / "assistant"), "policy", "check", f"{ROOT}/policies/"], cwd=work, env=env)
    assert "aurora-roasters.yaml: ok" in done.stdout
    assert not Path(env["ASSISTANT_TEST_NETWORK_LOG"]).exists()


def test_draft_from_the_wheel(installed: Path, outside: tuple[Path, dict[str, str]]) -> None:
    work, env = outside
    done = _run([str(installed / "assistant"), "draft", "Hi! Do you have oat milk at the Kallio café?", "--json"],
                cwd=work, env=env)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["intent"] == "question" and out["action"] == "reply"
    assert "oat milk" in out["draft"]  # answered from the policy's facts
    # The embedded model's measured qualification ships in the wheel (data/model-check-embedded.json)
    # and says to compose in English; without that file the model would be asked for a sentence
    # ("transformers"), so "composed" shows the wheel's data was read.
    assert out["backend"] == "composed", out
    assert not Path(env["ASSISTANT_TEST_NETWORK_LOG"]).exists(), "a command reached for the network"
