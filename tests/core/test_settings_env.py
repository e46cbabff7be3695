"""Issue 20: every ASSISTANT_* variable is read and checked in assistant/settings.py.
ASSISTANT_ENCODER and ASSISTANT_MODEL_CACHE_DIR, read deep in triage and drafting, go
through settings.encoder_name and settings.model_cache_dir: a bad encoder stops the program
at start with one line saying how to fix it, and the cache folder named is the one used."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.domain.errors import SettingsError
from assistant.settings import DEFAULT_MODEL_CACHE_DIR, ENCODERS, encoder_name, load_settings, model_cache_dir
from devtools.fakes import FAKE_ENCODER

from .test_bad_input_ingest import one_line_error


@pytest.mark.parametrize("args, stdin", [
    (("serve", "--port", "0"), None),
    (("ingest", "-"), '{"id": "1", "text": "hi"}\n'),
])
def test_a_bad_encoder_stops_the_command_with_one_line_naming_the_choices(run_cli, args, stdin):
    r = run_cli(*args, input=stdin, env={"ASSISTANT_ENCODER": "word2vec", "SLACK_BOT_TOKEN": "xoxb-test",
                                         "SLACK_SIGNING_SECRET": "secret"}, timeout=60)
    assert r.returncode != 0
    line = one_line_error(r)
    assert "ASSISTANT_ENCODER: unknown encoder 'word2vec'" in line, line
    assert ("set ASSISTANT_ENCODER to one of e5, torch-e5 or a plugin's factory as module:attribute, "
            "or unset it for the default, e5") in line, line


def test_load_settings_checks_the_encoder(monkeypatch):
    monkeypatch.setenv("ASSISTANT_ENCODER", "E5")  # names are exact
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert "ASSISTANT_ENCODER" in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("value, expected", [(None, "e5"), ("", "e5"), (FAKE_ENCODER, FAKE_ENCODER),
                                             ("torch-e5", "torch-e5")])
def test_the_encoder_is_named_by_its_variable_or_e5(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("ASSISTANT_ENCODER", raising=False)
    else:
        monkeypatch.setenv("ASSISTANT_ENCODER", value)
    assert encoder_name() == expected
    assert encoder_name("torch-e5") == "torch-e5"  # a name given in code wins


def test_the_registry_builds_every_encoder_settings_accepts():
    from assistant.ml.embeddings.registry import ENCODERS as BUILT

    assert tuple(BUILT) == ENCODERS


def test_the_model_cache_dir_is_honoured_by_triage_and_the_claim_check(monkeypatch, tmp_path: Path):
    from assistant.drafting.claims import _kept_vectors
    from assistant.triage.classifier import cache_path
    from devtools.fakes.encoder import FakeEncoder

    cache = tmp_path / "cache"
    monkeypatch.setenv("ASSISTANT_MODEL_CACHE_DIR", str(cache))
    assert model_cache_dir() == cache
    assert cache_path("fake", "k1").parent == cache
    _kept_vectors(FakeEncoder(), ["We roast on Mondays.", "Oat milk costs nothing extra."])
    assert list((cache / "policy-vectors").glob("*.npy"))  # the policy's sentence vectors are kept there


def test_an_empty_model_cache_dir_means_the_default(monkeypatch):
    monkeypatch.setenv("ASSISTANT_MODEL_CACHE_DIR", "")
    assert model_cache_dir() == DEFAULT_MODEL_CACHE_DIR


def test_no_module_but_settings_reads_an_assistant_variable_from_the_environment():
    # The triage tuning knobs ASSISTANT_CV_L2 / ASSISTANT_CV_L2_HIGH are constants now
    # (a cached model's key does not hold them); thread counts (OPENBLAS_NUM_THREADS) and
    # the *_env variables a user names in sources.yaml are no ASSISTANT_* settings.
    package = Path(__file__).resolve().parents[2] / "assistant"
    readers = [f"{path.relative_to(package)}:{n}" for path in package.rglob("*.py") if path.name != "settings.py"
               for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
               if ("environ" in line or "getenv" in line) and "ASSISTANT_" in line]
    assert readers == []
