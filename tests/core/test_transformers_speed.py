"""The transformers backend's speed work (issue 9): the number format chosen by measuring
this CPU and recorded, the system turn's key/value cache reused between drafts with the
same text as without it, and the thread default. The model tests load the real embedded
model (slow)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.domain.models import Intent, Mention
from assistant.drafting.guard import SINGULAR_WORDS
from assistant.drafting.prompt import build_sentence_messages
from assistant.ml.generation import threads, torch_prepare
from assistant.ml.generation.transformers_backend import TransformersBackend

# -- the thread default ----------------------------------------------------------------------


@pytest.mark.parametrize(("cores", "expected"), [(1, 1), (2, 1), (4, 3), (16, 15)])
def test_the_model_leaves_a_core_for_the_web_server(monkeypatch, cores, expected):
    monkeypatch.setattr(threads, "physical_cores", lambda: cores)
    assert threads.default_threads() == expected


def test_physical_cores_counts_what_this_process_may_use():
    assert 1 <= threads.physical_cores() <= len(threads.usable_cpus())


# -- the number format: measured once per CPU, recorded, forced by ASSISTANT_DTYPE --------------


class _Tokenizer:
    def __len__(self) -> int:
        return 8

    def batch_decode(self, ids):
        return ["a", "b.", "c", "!", "d", "\n", "e", "f?"]


@pytest.fixture
def measured(monkeypatch, tmp_path):
    """prepare() with the model loading and timing replaced by a CPU that finds ``speeds``
    (draft estimates in seconds per format): the choice and the record are prepare()'s own."""
    speeds = {"bfloat16": 3.0, "float32": 1.5, "int8": 0.8}
    calls: list[str] = []

    class Model:
        def __init__(self, name: str) -> None:
            self.name = name

    def load_plain(source, dtype):
        return Model(dtype)

    def time_format(model, vocab):
        calls.append(model.name)
        return {"prefill_s": 0.1, "per_token_s": 0.01, "draft_estimate_s": speeds[model.name]}

    monkeypatch.setattr(torch_prepare, "_load_plain", load_plain)
    monkeypatch.setattr(torch_prepare, "quantize_int8", lambda model: Model("int8"))
    monkeypatch.setattr(torch_prepare, "_time_format", time_format)
    monkeypatch.setattr(torch_prepare.torch, "save", lambda model, path: Path(path).write_bytes(b"int8"))
    monkeypatch.setattr("transformers.AutoTokenizer.from_pretrained", lambda source: _Tokenizer())
    return speeds, calls, tmp_path


def test_the_fastest_format_on_this_cpu_is_chosen_and_recorded(measured):
    speeds, calls, cache = measured
    record = torch_prepare.prepare("some/model", cache, echo=lambda line: None)
    assert calls == ["bfloat16", "float32", "int8"] and record["choice"] == "int8"
    saved = json.loads((torch_prepare.prepared_dir(cache, "some/model") / "prepared.json").read_text())
    assert saved["choice"] == "int8" and saved["cpu"] == torch_prepare.cpu_name()
    assert saved["stop_ids"] == [1, 3, 5, 7]  # tokens that end a sentence: ".", "!", newline, "?"
    assert (torch_prepare.prepared_dir(cache, "some/model") / "model-int8.pt").is_file()

    # A later start reads the record and measures nothing.
    speeds["bfloat16"] = 0.1
    assert torch_prepare.prepare("some/model", cache, echo=lambda line: None)["choice"] == "int8"
    assert len(calls) == 3


def test_another_cpu_measures_again(measured, monkeypatch):
    speeds, calls, cache = measured
    torch_prepare.prepare("some/model", cache, echo=lambda line: None)
    speeds["bfloat16"] = 0.1  # a CPU with fast bfloat16 (AMX)
    monkeypatch.setattr(torch_prepare, "cpu_name", lambda: "Another CPU with AMX")
    record = torch_prepare.prepare("some/model", cache, echo=lambda line: None)
    assert record["choice"] == "bfloat16" and len(calls) == 6


def test_a_forced_format_is_measured_alone(measured):
    speeds, calls, cache = measured
    record = torch_prepare.prepare("other/model", cache, forced="float32", echo=lambda line: None)
    assert calls == ["float32"] and record["choice"] == "float32"


def test_a_format_this_cpu_cannot_run_is_skipped_with_a_line(measured, monkeypatch):
    speeds, calls, cache = measured
    real = torch_prepare._time_format

    def no_bf16(model, vocab):
        if model.name == "bfloat16":
            raise RuntimeError("bfloat16 is not supported on this CPU\nmore")
        return real(model, vocab)

    lines: list[str] = []
    monkeypatch.setattr(torch_prepare, "_time_format", no_bf16)
    record = torch_prepare.prepare("third/model", cache, echo=lines.append)
    assert record["choice"] == "int8" and "bfloat16" not in record["kept"]
    assert any("bfloat16: not usable here (bfloat16 is not supported on this CPU)" in x for x in lines)


# -- the real model ---------------------------------------------------------------------------

slow = pytest.mark.slow


@pytest.fixture(scope="module")
def model() -> TransformersBackend:
    backend = TransformersBackend(None)  # default cache: prepared once, then reused
    backend.load()
    return backend


def _messages(policy, text: str, intent: Intent = Intent.PRAISE) -> list[dict[str, str]]:
    mention = Mention(source="mastodon", external_id="x", author="@ann", text=text)
    return build_sentence_messages(policy, mention, intent, "en", "Thank you so much for the kind words!", [])


@slow
def test_the_model_runs_in_the_recorded_format(model):
    record = json.loads((torch_prepare.prepared_dir(model.cache_dir, model._resolve()) / "prepared.json").read_text())
    assert model.running_dtype == record["choice"] in torch_prepare.FORMATS
    assert set(record["timings"]) <= set(torch_prepare.FORMATS) and record["cpu"] == torch_prepare.cpu_name()


@slow
def test_a_second_draft_reuses_the_system_turn_and_reads_as_without_it(model, policy):
    first = _messages(policy, "The oat flat white at the Kallio café made my morning!")
    second = _messages(policy, "Anna the barista remembered my name and my usual cortado.")
    assert first[0] == second[0]  # same brand, intent and language: the same system turn
    cache = model.prefix_cache
    assert cache is not None
    cache.clear()
    try:
        model.reuse_prefix = False
        alone = model.generate(second, max_new_tokens=24, temperature=0.0)
        model.reuse_prefix = True
        model.generate(first, max_new_tokens=24, temperature=0.0)  # fills the cache
        hits = cache.hits
        reused = model.generate(second, max_new_tokens=24, temperature=0.0)
    finally:
        model.reuse_prefix = True
    assert cache.hits == hits + 1
    assert reused.prompt_tokens < alone.prompt_tokens / 2  # only the post and its framing were read
    assert reused.text == alone.text and reused.text.strip()
    # Sampling too: the same seed gives the same sentence with or without the cache.
    model.reuse_prefix = False
    try:
        sampled = model.generate(second, max_new_tokens=24, temperature=0.7, seed=3)
    finally:
        model.reuse_prefix = True
    assert model.generate(second, max_new_tokens=24, temperature=0.7, seed=3).text == sampled.text


@slow
def test_another_intent_gets_its_own_cached_turn(model, policy):
    praise = _messages(policy, "Your Sumatra beans are lovely.")
    complaint = _messages(policy, "My Sumatra beans arrived a week late.", Intent.COMPLAINT)
    assert praise[0] != complaint[0]
    model.generate(praise, max_new_tokens=8, temperature=0.0)
    before = model.prefix_cache.misses if model.prefix_cache else 0
    model.generate(complaint, max_new_tokens=8, temperature=0.0)
    assert model.prefix_cache is not None and model.prefix_cache.misses == before + 1


@slow
def test_the_lean_loop_keeps_the_drafting_rules(model, policy):
    messages = _messages(policy, "Do you roast the beans yourselves? I love them.", Intent.QUESTION)
    out = model.generate(messages, max_new_tokens=36, temperature=0.0, avoid=SINGULAR_WORDS)
    words = out.text.replace(",", " ").replace(".", " ").split()
    assert not {"I", "me", "my", "I'm"} & set(words), out.text
    body = out.text.strip()
    assert body and not any(ch in body[:-1] for ch in ".!?\n"), out.text  # one sentence, stopped at its end
    assert out.tokens <= 36 and out.prefill_seconds > 0
    started = model.generate(messages, max_new_tokens=12, temperature=0.0, prefix="We roast")
    assert started.text.startswith("We roast")
    assert model.generate(messages, max_new_tokens=12, temperature=0.0).text == \
        model.generate(messages, max_new_tokens=12, temperature=0.0).text
