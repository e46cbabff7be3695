"""The llamacpp backend (xllamacpp wheel) on the embedded SmolLM2 GGUF: the transformers
backend's prompts and rules, and real drafts through the Engine. Skipped with the reason
when the optional xllamacpp package is not installed."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.domain.errors import BackendError
from assistant.domain.models import Action, Intent, Mention
from assistant.drafting.guard import SINGULAR_I, SINGULAR_WORDS, failed
from assistant.drafting.prompt import build_sentence_messages
from assistant.engine import Engine
from assistant.ml.generation import create_backend
from assistant.ml.generation.chat_prompt import ChatPrompt, tokenizer_dir
from assistant.ml.generation.llamacpp_backend import STOP_CHARACTERS, LlamaCppBackend
from assistant.policy.registry import PolicyRegistry
from assistant.settings import load_settings
from assistant.store import Store

from .conftest import POLICY_FILE

NOT_INSTALLED = "the llamacpp backend needs the optional xllamacpp package: pip install -e '.[llamacpp]'"

# A question the small model answers in the first person when left alone (greedy).
MESSAGES = [
    {"role": "system", "content": "You reply for Aurora Roasters, a coffee roaster. "
                                  "Write one short friendly sentence, speak as we."},
    {"role": "user", "content": "Do you ship to Germany? Your beans are great!"},
]


@pytest.fixture(scope="module")
def llama() -> LlamaCppBackend:
    pytest.importorskip("xllamacpp", reason=NOT_INSTALLED)
    backend = LlamaCppBackend(threads=1)
    backend.load()
    return backend


@pytest.fixture
def fresh(llama: LlamaCppBackend) -> Iterator[LlamaCppBackend]:
    """The shared model with the drafting defaults restored after each test."""
    yield llama
    llama.stop_at_sentence_end = True
    llama.reuse_prefix = True


def new_text(text: str, prefix: str = "") -> str:
    assert text.startswith(prefix)
    return text[len(prefix):]


# -- errors a user can act on (no model loaded) --------------------------------------------


def test_without_xllamacpp_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "xllamacpp", None)  # `import xllamacpp` now fails
    backend = create_backend(load_settings(backend="llamacpp", model=None))
    with pytest.raises(BackendError) as err:
        backend.load()
    message = str(err.value)
    assert "needs the xllamacpp package" in message and "pip install -e '.[llamacpp]'" in message
    assert "\n" not in message


def test_a_missing_or_non_gguf_model_is_named_with_the_fix(tmp_path: Path):
    pytest.importorskip("xllamacpp", reason=NOT_INSTALLED)
    missing = create_backend(load_settings(backend="llamacpp", model=str(tmp_path / "nowhere.gguf")))
    with pytest.raises(BackendError, match=r"nowhere\.gguf not found .*ASSISTANT_MODEL"):
        missing.load()
    folder = create_backend(load_settings(backend="llamacpp", model=str(tmp_path)))
    with pytest.raises(BackendError, match=r"is not a \.gguf file .*ASSISTANT_MODEL"):
        folder.load()


def test_a_broken_gguf_file_is_a_clear_error(tmp_path: Path):
    pytest.importorskip("xllamacpp", reason=NOT_INSTALLED)
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(BackendError) as err:
        LlamaCppBackend(model=str(broken), cache_dir=tmp_path / "cache").load()
    assert "broken.gguf" in str(err.value) and "\n" not in str(err.value)


# -- the embedded model ----------------------------------------------------------------------


@pytest.mark.slow
def test_it_writes_one_sentence_from_the_embedded_gguf(fresh):
    out = fresh.generate(MESSAGES, max_new_tokens=40, temperature=0)
    assert fresh.model_name.startswith("SmolLM2") and fresh.load_seconds and fresh.load_seconds > 0
    assert out.text.strip() and out.tokens > 0
    assert 0 < out.prefill_seconds <= out.seconds and out.prompt_tokens > 0
    # It stopped at its first sentence end: one stop character, at the very end.
    if out.tokens < 40:
        assert out.text.rstrip(" \"')")[-1] in STOP_CHARACTERS
    inner = out.text.rstrip()[:-1]
    assert not any(ch in inner for ch in STOP_CHARACTERS), out.text
    # Without the stop (as the benchmark runs it) the same prompt goes on to the token limit.
    fresh.stop_at_sentence_end = False
    longer = fresh.generate(MESSAGES, max_new_tokens=40, temperature=0)
    assert longer.tokens == 40 and longer.text.startswith(out.text) and len(longer.text) > len(out.text)


@pytest.mark.slow
def test_the_reply_starts_with_the_prefix(fresh):
    prefix = "Thanks so much for the kind words,"
    out = fresh.generate(MESSAGES, max_new_tokens=30, temperature=0, prefix=prefix)
    assert out.text.startswith(prefix) and new_text(out.text, prefix).strip()


@pytest.mark.slow
def test_avoided_words_never_appear(fresh):
    # Left alone the model answers "I'm sorry ..."; forbidden, it must find other words.
    free = fresh.generate(MESSAGES, max_new_tokens=30, temperature=0)
    assert SINGULAR_I.search(free.text), free.text
    for seed in range(4):
        out = fresh.generate(MESSAGES, max_new_tokens=30, temperature=0.7 if seed else 0, seed=seed,
                             avoid=SINGULAR_WORDS)
        assert out.text.strip() and not SINGULAR_I.search(out.text), out.text


@pytest.mark.slow
def test_greedy_output_is_deterministic_with_or_without_the_prompt_cache(fresh):
    first = fresh.generate(MESSAGES, max_new_tokens=30, temperature=0, prefix="We")
    again = fresh.generate(MESSAGES, max_new_tokens=30, temperature=0, prefix="We")
    assert again.prompt_tokens < first.prompt_tokens or first.prompt_tokens <= 2  # the cached prompt was reused
    fresh.reuse_prefix = False
    cold = fresh.generate(MESSAGES, max_new_tokens=30, temperature=0, prefix="We")
    assert first.text == again.text == cold.text
    # Sampling with a seed repeats too.
    a = fresh.generate(MESSAGES, max_new_tokens=30, temperature=0.9, seed=7)
    b = fresh.generate(MESSAGES, max_new_tokens=30, temperature=0.9, seed=7)
    assert a.text == b.text


@pytest.mark.slow
def test_it_reads_exactly_the_transformers_backends_prompt(fresh, policy):
    from transformers import AutoTokenizer

    from assistant.ml.generation import embedded

    # What the transformers backend tokenizes with (its converted copy of the same GGUF).
    hf = AutoTokenizer.from_pretrained(embedded.cached_model_dir(load_settings().model_cache_dir))
    mention = Mention(source="mastodon", external_id="t1", author="@ann",
                      text="Your Kallio café's oat flat white is the best in Helsinki! Any plans for Tampere? ☕🙂")
    messages = build_sentence_messages(policy, mention, Intent.PRAISE, "en",
                                       "Thank you so much for the kind words about our café in Kallio!", [])
    # What the llamacpp backend sends llama.cpp: its chat template over the GGUF's tokenizer.
    reads = ChatPrompt(tokenizer_dir(fresh.gguf(), fresh.cache_dir))
    fresh.reuse_prefix = False  # llama.cpp then reports every token it read
    for prefix in (None, "We're so glad"):
        if prefix:
            chat = [*messages, {"role": "assistant", "content": prefix}]
            expected = hf.apply_chat_template(chat, continue_final_message=True, tokenize=True, return_dict=True)
        else:
            expected = hf.apply_chat_template(messages, add_generation_prompt=True, tokenize=True, return_dict=True)
        ids = list(expected["input_ids"])
        assert len(ids) > 200  # the drafter's real prompt, policy and examples included
        assert reads.ids(messages, prefix) == ids
        out = fresh.generate(messages, max_new_tokens=4, temperature=0, prefix=prefix)
        assert out.prompt_tokens == len(ids)  # llama.cpp's own count of what it read


@pytest.mark.slow
def test_the_engine_drafts_with_llamacpp_and_the_draft_passes_the_guard(tmp_path, llama):
    settings = load_settings(backend="llamacpp", model=None, db_path=tmp_path / "llama.db",
                             policies_dir=POLICY_FILE.parent)
    registry = PolicyRegistry(settings.policies_dir)
    registry.reload()
    store = Store(settings.db_path)
    try:
        engine = Engine(settings, store, registry)  # the backend named by the settings
        assert isinstance(engine.backend, LlamaCppBackend)
        mention = Mention(source="mastodon", external_id="p1", author="@ann",
                          text="The Kallio café makes the best flat white in Helsinki! Thank you!")
        triage = engine.triage(mention)
        assert triage.intent is Intent.PRAISE and triage.action is Action.REPLY
        # The embedded model's shipped check says compose (it is not asked by default):
        # asked for its sentence, the llama.cpp backend writes it.
        draft = engine.drafter().draft(mention, triage, mode="sentence")
    finally:
        store.close()
    assert draft is not None and draft.text
    assert draft.backend == "llamacpp" and "SmolLM2" in draft.model and draft.attempts >= 1
    assert failed(draft.guard) == [], draft.guard
    assert draft.passed


def test_the_stop_rule_is_the_transformers_backends():
    torch_prepare = pytest.importorskip("assistant.ml.generation.torch_prepare", reason="needs torch")
    assert STOP_CHARACTERS == torch_prepare.STOP_CHARACTERS


@pytest.mark.slow
def test_the_embedded_model_runs_from_a_faithful_q8_0_copy_made_once(llama):
    import numpy as np
    from gguf import GGUFReader
    from gguf.quants import dequantize

    from assistant.ml.generation import embedded
    from assistant.ml.generation.gguf_convert import q8_0_copy

    folder, name = embedded.gguf_location()
    cache = load_settings().model_cache_dir
    copy = q8_0_copy(folder / name, cache)  # the module's model loaded from it already
    made = copy.stat().st_mtime_ns
    assert q8_0_copy(folder / name, cache) == copy and copy.stat().st_mtime_ns == made  # not made again
    original, q8 = GGUFReader(folder / name), GGUFReader(copy)
    assert [t.name for t in original.tensors] == [t.name for t in q8.tensors]
    assert {t.tensor_type.name for t in q8.tensors} <= {"Q8_0", "F32", "F16"}
    tokens = original.fields["tokenizer.ggml.tokens"]
    assert [bytes(tokens.parts[i]) for i in tokens.data[:500]] == [
        bytes(q8.fields["tokenizer.ggml.tokens"].parts[i]) for i in q8.fields["tokenizer.ggml.tokens"].data[:500]]
    before = next(t for t in original.tensors if t.tensor_type.name == "Q4_1")
    after = next(t for t in q8.tensors if t.name == before.name)
    a = dequantize(before.data, before.tensor_type).ravel()
    b = dequantize(after.data, after.tensor_type).ravel()
    assert np.abs(a - b).max() <= 0.01 * np.abs(a).max()  # the same weights, to 8 bits
