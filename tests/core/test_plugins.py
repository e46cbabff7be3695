"""ASSISTANT_BACKEND and ASSISTANT_ENCODER take a plugin, ``module:attribute``: a team's own
model backend or sentence encoder, built by a factory in its own package (the tests' fakes
are plugged in this way, from devtools/). A value that is neither a built-in name nor
module:attribute, and a plugin that cannot be imported, stop the program with one line."""

from __future__ import annotations

import pytest

from assistant.domain.errors import BackendError, SettingsError
from assistant.ml.embeddings import get_encoder, registry
from assistant.ml.generation import create_backend
from assistant.settings import is_plugin, load_settings
from devtools.fakes import FAKE_ENCODER, FAKE_MODEL
from devtools.fakes.encoder import FakeEncoder
from devtools.fakes.model import FakeBackend

from .test_bad_input_ingest import one_line_error


def not_a_backend(settings: object) -> str:
    return "hello"


def not_an_encoder() -> int:
    return 42


@pytest.mark.parametrize("value, plugin", [
    ("devtools.fakes.model:create", True), ("acme:make", True), ("acme.models:Factory.build", True),
    ("fake", False), ("acme.models", False), ("acme models:create", False), (":create", False),
    ("acme:", False), ("acme:make:more", False), ("1acme:make", False),
])
def test_a_plugin_is_module_colon_attribute(value, plugin):
    assert is_plugin(value) is plugin


def test_a_backend_plugin_is_built_by_its_factory_with_the_settings(tmp_path):
    backend = create_backend(load_settings(db_path=tmp_path / "a.db", backend=FAKE_MODEL))
    assert isinstance(backend, FakeBackend) and backend.name == "fake"


@pytest.fixture
def no_loaded_encoders(monkeypatch):
    """The registry's per-process cache, empty for this test and put back after it."""
    monkeypatch.setattr(registry, "_loaded", {})


def test_an_encoder_plugin_is_built_by_its_factory(monkeypatch, no_loaded_encoders):
    encoder = get_encoder(FAKE_ENCODER)
    assert isinstance(encoder.inner, FakeEncoder) and encoder.name == "fake"
    assert get_encoder(FAKE_ENCODER) is encoder  # once per process, like the built-in ones
    monkeypatch.setenv("ASSISTANT_ENCODER", FAKE_ENCODER)
    assert get_encoder() is encoder


def test_a_value_that_is_neither_a_name_nor_a_plugin_is_one_line(tmp_path):
    with pytest.raises(SettingsError) as err:
        load_settings(db_path=tmp_path / "a.db", backend="acme models")
    msg = str(err.value)
    assert "ASSISTANT_BACKEND" in msg and "module:attribute" in msg and "\n" not in msg


@pytest.mark.parametrize("variable", ["ASSISTANT_BACKEND", "ASSISTANT_ENCODER"])
def test_a_plugin_whose_module_is_missing_stops_at_start_with_one_line(run_cli, variable):
    r = run_cli("draft", "Do you ship to Germany?", env={variable: "acme_nowhere.models:create"})
    assert r.returncode == 1
    line = one_line_error(r)
    assert f"{variable}: cannot import the plugin module 'acme_nowhere.models'" in line, line
    assert "PYTHONPATH" in line and "install the package" in line, line


def test_the_fake_model_is_not_found_without_the_checkout_on_the_path(run_cli):
    """The product does not know devtools: outside the source tree, the tests' fake is a
    plugin like any other, found only where PYTHONPATH says."""
    r = run_cli("draft", "Do you ship to Germany?", env={"PYTHONPATH": ""})
    assert r.returncode == 1
    line = one_line_error(r)
    assert "ASSISTANT_BACKEND: cannot import the plugin module 'devtools.fakes.model'" in line, line


@pytest.mark.parametrize("variable", ["ASSISTANT_BACKEND", "ASSISTANT_ENCODER"])
def test_a_plugin_module_without_the_factory_is_one_line(run_cli, variable):
    r = run_cli("draft", "Do you ship to Germany?", env={variable: "devtools.fakes:nothing_here"})
    assert r.returncode == 1
    line = one_line_error(r)
    assert f"{variable}: the plugin module 'devtools.fakes' has no factory 'nothing_here'" in line, line


def test_a_backend_plugin_that_returns_no_backend_is_refused(tmp_path):
    settings = load_settings(db_path=tmp_path / "a.db", backend=f"{__name__}:not_a_backend")
    with pytest.raises(BackendError) as err:
        create_backend(settings)
    assert "not a model backend" in str(err.value) and "\n" not in str(err.value)


def test_an_encoder_plugin_that_returns_no_encoder_is_refused(no_loaded_encoders):
    with pytest.raises(SettingsError) as err:
        get_encoder(f"{__name__}:not_an_encoder")
    assert "not an encoder" in str(err.value) and "\n" not in str(err.value)


def test_settings_knows_every_built_in_backend_the_registry_has():
    from assistant.ml.generation import (  # noqa: F401  (importing the adapters registers them)
        llamacpp_backend,
        openai_compat,
        transformers_backend,
    )
    from assistant.ml.generation.base import REGISTRY
    from assistant.settings import BACKENDS

    assert sorted(REGISTRY) == sorted(BACKENDS)
