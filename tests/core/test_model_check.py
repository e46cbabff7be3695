"""The qualification per language (ml/qualify.py) and `assistant model check`, run for
real against a scripted OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakes_openai import ScriptedOpenAI

from assistant.ml import qualify
from assistant.ml.generation import embedded
from assistant.ml.qualify import Measurement, choose_mode, mode_for, record
from assistant.settings import load_settings
from devtools.fakes import FAKE_MODEL

from .conftest import ROOT

DRAFT_SET = ROOT / "eval" / "drafts.jsonl"


@pytest.fixture
def cache_settings(tmp_path: Path):
    return load_settings(db_path=tmp_path / "a.db", backend=FAKE_MODEL, model_cache_dir=tmp_path / "cache")


# -- the rule --------------------------------------------------------------------------------

def test_writer_when_its_whole_replies_pass_as_often_as_the_composed_ones():
    m = Measurement(n=10, passed={"writer": 7, "sentence": 9, "compose": 7}, kept={"writer": 8, "sentence": 5})
    mode, why = choose_mode(m)
    assert mode == "writer" and "70%" in why
    # One draft fewer than composed: not the writer (the sentence qualifies instead).
    m.passed["writer"] = 6
    assert choose_mode(m)[0] == "sentence"


def test_writer_needs_at_least_one_reply_of_its_own():
    m = Measurement(n=5, passed={"writer": 0, "sentence": 0, "compose": 0}, kept={"writer": 0, "sentence": 0})
    assert choose_mode(m)[0] == "compose"


def test_sentence_needs_to_be_kept_in_a_fifth_of_drafts_and_not_to_cost_passes():
    kept_enough = Measurement(n=10, passed={"writer": 1, "sentence": 8, "compose": 8},
                              kept={"writer": 2, "sentence": 2})
    assert choose_mode(kept_enough)[0] == "sentence"
    rarely_kept = Measurement(n=10, passed={"writer": 1, "sentence": 8, "compose": 8},
                              kept={"writer": 2, "sentence": 1})
    mode, why = choose_mode(rarely_kept)
    assert mode == "compose" and "kept in 10%" in why and "20% needed" in why
    costs_passes = Measurement(n=10, passed={"writer": 1, "sentence": 7, "compose": 8},
                               kept={"writer": 2, "sentence": 9})
    mode, why = choose_mode(costs_passes)
    assert mode == "compose" and "with its sentence 70% passed" in why


# -- the file --------------------------------------------------------------------------------

def test_an_unchecked_model_drafts_as_today(cache_settings):
    assert mode_for(cache_settings, "openai", "qwen", "en") == ("sentence", "not checked: run `assistant model check`")


def test_record_then_mode_for(cache_settings):
    m = Measurement(n=20, passed={"writer": 18, "sentence": 15, "compose": 15}, kept={"writer": 19, "sentence": 6})
    entry = record(cache_settings, "openai", "qwen", "fi", m, "server at x", set_name="eval/drafts.jsonl",
                   brand="aurora-roasters", when="2026-11-02")
    assert entry["mode"] == "writer"
    data = json.loads((cache_settings.model_cache_dir / "model-check.json").read_text())
    saved = data["models"]["openai:qwen"]["fi"]
    assert saved["pass"] == {"writer": 0.9, "sentence": 0.75, "compose": 0.75}
    assert saved["kept"] == {"writer": 0.95, "sentence": 0.3}
    assert (saved["n"], saved["device"], saved["date"], saved["brand"]) == (20, "server at x", "2026-11-02",
                                                                            "aurora-roasters")
    mode, why = mode_for(cache_settings, "openai", "qwen", "fi")
    assert mode == "writer" and "2026-11-02" in why and "whole replies passed 90%" in why and "server at x" in why
    # Another language of the same model was not checked; another model not at all.
    assert mode_for(cache_settings, "openai", "qwen", "el") == (
        "sentence", "not checked in el: run `assistant model check --languages el`")
    assert mode_for(cache_settings, "llamacpp", "qwen", "fi")[1] == qualify.NOT_CHECKED
    # A second record keeps the first.
    record(cache_settings, "openai", "qwen", "el", Measurement(n=4, passed={"compose": 4}, kept={}), "x")
    assert mode_for(cache_settings, "openai", "qwen", "el")[0] == "compose"
    assert mode_for(cache_settings, "openai", "qwen", "fi")[0] == "writer"


def test_a_broken_file_is_as_if_unchecked(cache_settings):
    path = cache_settings.model_cache_dir / "model-check.json"
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    assert mode_for(cache_settings, "openai", "qwen", "en")[0] == "sentence"
    path.write_text(json.dumps({"models": {"openai:qwen": {"en": {"mode": "shout"}}}}))
    assert mode_for(cache_settings, "openai", "qwen", "en")[0] == "sentence"
    record(cache_settings, "openai", "qwen", "en", Measurement(n=1, passed={"compose": 1}, kept={}), "x")
    assert mode_for(cache_settings, "openai", "qwen", "en")[0] == "compose"


def test_the_embedded_model_falls_back_to_its_shipped_check(cache_settings):
    shipped = json.loads(qualify.EMBEDDED_DEFAULT.read_text())
    en = shipped["models"][f"transformers:{embedded.NAME}"]["en"]
    assert en["mode"] in qualify.MODES and en["n"] >= 5 and set(en["pass"]) == set(qualify.MODES)
    for backend in ("transformers", "llamacpp"):  # the same weights on either local backend
        mode, why = mode_for(cache_settings, backend, embedded.NAME, "en")
        assert mode == en["mode"] and "shipped" in why
    assert mode_for(cache_settings, "openai", embedded.NAME, "en")[1] == qualify.NOT_CHECKED  # not those weights
    # The user's own check wins.
    record(cache_settings, "transformers", embedded.NAME, "en",
           Measurement(n=3, passed={"writer": 3, "sentence": 3, "compose": 3}, kept={"writer": 3}), "here")
    assert mode_for(cache_settings, "transformers", embedded.NAME, "en")[0] == "writer"


# -- `assistant model check` against the scripted server -----------------------------------------

def _check(run_cli, tmp_path: Path, script: str, *args: str):
    cache = tmp_path / f"cache-{script}"
    with ScriptedOpenAI(script) as server:
        result = run_cli("model", "check", "--set", str(DRAFT_SET), *args, timeout=400, env={
            "ASSISTANT_BACKEND": "openai", "ASSISTANT_OPENAI_BASE_URL": server.base_url,
            "ASSISTANT_MODEL": f"scripted-{script}", "ASSISTANT_MODEL_CACHE_DIR": str(cache),
            "ASSISTANT_OPENAI_TIMEOUT": "20", "NO_PROXY": "127.0.0.1,localhost"})
    assert result.returncode == 0, result.stdout + result.stderr
    path = cache / "model-check.json"
    data = json.loads(path.read_text()) if path.is_file() else {"models": {}}
    return result.stdout, data, server


def test_model_check_records_the_writer_for_a_good_model(run_cli, tmp_path):
    out, data, server = _check(run_cli, tmp_path, "good", "--languages", "en", "--limit", "5")
    entry = data["models"]["openai:scripted-good"]["en"]
    assert entry["mode"] == "writer" and entry["n"] == 5 and entry["kept"]["writer"] == 1.0
    assert entry["pass"]["writer"] >= entry["pass"]["compose"]
    # The table: a row per mode, the choice and where it was recorded.
    lines = out.splitlines()
    assert any(line.split()[:1] == ["writer"] and "5/5" in line for line in lines)  # kept 5/5
    assert any(line.split()[:1] == ["sentence"] for line in lines)
    assert any(line.split()[:1] == ["compose"] for line in lines)
    assert "chosen: writer" in out and "model-check.json" in out and "openai:scripted-good / en" in out
    # Every writer request carried the post as delimited data.
    writer = server.writer_requests()
    assert len(writer) == 5
    assert all(b["messages"][1]["content"].count("<post>\n") == 1 for b in writer)


def test_model_check_does_not_record_the_writer_for_a_bad_model(run_cli, tmp_path):
    out, data, server = _check(run_cli, tmp_path, "bad", "--languages", "en", "--limit", "5")
    entry = data["models"]["openai:scripted-bad"]["en"]
    assert entry["mode"] == "compose"  # its whole replies and its sentences are all refused
    assert entry["kept"] == {"writer": 0.0, "sentence": 0.0} and entry["pass"]["writer"] == 0.0
    assert "chosen: compose" in out


def test_model_check_skips_a_language_the_model_does_not_write(run_cli, tmp_path):
    out, data, server = _check(run_cli, tmp_path, "good", "--languages", "fi", "--limit", "2")
    assert "fi: not checked" in out and "ASSISTANT_MODEL_LANGUAGES" in out
    assert data["models"] == {} and server.requests == []


def test_model_check_says_what_is_missing(run_cli, tmp_path):
    result = run_cli("model", "check", "--set", str(tmp_path / "nope.jsonl"))
    assert result.returncode == 1 and "no draft set" in result.stderr
