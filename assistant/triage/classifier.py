"""Intent and high severity from the meaning of a post: classifiers over encoder embeddings.

Keyword lexicons fitted to the posts we had did not carry over to posts written
apart from them (blind intent accuracy 68-85% per new set). A classifier over a
multilingual encoder's embeddings learns from every labelled post in every
language at once, and "my kid's lips swelled up" lands near "allergic reaction"
without sharing a word with it.

Two small models, both softmax regressions over standardised embeddings, trained
deterministically on the labelled posts in ``assistant/data/labelled/`` (and any a
brand adds there): one for the seven intents, one for high severity. The trained
model is a cache keyed by the encoder and a digest of the labelled files: a copy
made with the shipped data and the default encoder lies in ``assistant/data/``
(``assistant train`` rebuilds it); when the labelled files change, it is retrained
at first use and kept in the cache folder. The embeddings of the labelled posts
are kept too: every decision names the nearest labelled examples.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.domain.models import CrisisKind, Intent
from assistant.ml.embeddings import Encoder, get_encoder
from assistant.settings import model_cache_dir
from assistant.triage.thresholds import HIGH_THRESHOLD

log = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parents[1] / "data"
LABELLED = DATA / "labelled"
INTENTS = [i.value for i in Intent]
CRISIS_KINDS = tuple(k.value for k in CrisisKind)
# Bump when training changes, so cached models are rebuilt.
TRAINING_VERSION = "7"
# Units in the heads' hidden layer. In 5-fold cross-validation on the labelled posts
# (eval/calibrate_triage.py --heads) a hidden layer of 256 read intents 88.4% right,
# the softmax regression it replaced 85.3%.
HIDDEN = 256


def labelled_rows(folder: Path = LABELLED) -> list[dict[str, Any]]:
    """The labelled posts triage learns from. A bad line is skipped with a warning that
    names its file and line (a user's own file must not stop triage)."""
    rows = []
    for path in sorted(folder.glob("*.jsonl")):
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("%s: cannot read it as UTF-8 text (%s); skipped", path, exc)
            continue
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                log.warning("%s:%d: not JSON (%s); skipped", path, n, exc.msg)
                continue
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                log.warning("%s:%d: needs a string `text`; skipped", path, n)
                continue
            if not row["text"].strip():
                continue  # an empty post is decided by a rule, not learned
            if row.get("intent") not in INTENTS:
                log.warning("%s:%d: intent %r is not one of %s; skipped", path, n, row.get("intent"), INTENTS)
                continue
            if row.get("crisis") not in (None, "", *CRISIS_KINDS):
                log.warning("%s:%d: crisis %r is not one of %s; the post is learned without a kind", path, n,
                            row.get("crisis"), list(CRISIS_KINDS))
                row = {k: v for k, v in row.items() if k != "crisis"}
            rows.append(row)
            rows.extend(_segments(row))
    return rows


def _segments(row: dict[str, Any]) -> list[dict[str, Any]]:
    """A post's labelled sentences (``segments``: text and intent each), as training rows
    for intent only: a part of a post is read by the same classifier, and "the price
    stings a bit" alone is a gripe even inside praise. A post of one segment adds none."""
    segments = row.get("segments")
    if not isinstance(segments, list) or len(segments) < 2:
        return []
    return [{"text": s["text"], "intent": s["intent"], "severity": "", "action": "", "segment": True,
             "parent": row["text"]}
            for s in segments if isinstance(s, dict) and isinstance(s.get("text"), str) and s["text"].strip()
            and s.get("intent") in INTENTS]


def put_right_labels(rows: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """Rows that teach the put-right head, and their labels: 1 for a problem the brand
    must put right, 0 for a passing gripe. A complaint post is 1 at severity medium or
    high, 0 at low. A complaint sentence takes its post's reading: inside a complaint of
    medium or high severity it is the problem (1); inside praise, a question or a
    suggestion of low severity it is a passing remark ("the price stings a bit", 0)."""
    posts = {r["text"]: r for r in rows if not r.get("segment")}
    which, label = [], []
    for i, r in enumerate(rows):
        if r["intent"] != "complaint":
            continue
        post = posts.get(r.get("parent") or "") if r.get("segment") else r
        if post is None or post.get("severity") not in ("low", "medium", "high"):
            continue
        if post is not r and post["intent"] not in ("complaint", "praise", "question", "suggestion"):
            continue
        which.append(i)
        label.append(0 if post["severity"] == "low" else 1)
    return np.array(which, dtype=int), np.array(label, dtype=int)


def digest(rows: list[dict[str, str]], encoder_name: str) -> str:
    h = hashlib.sha256(f"{TRAINING_VERSION}\x1f{encoder_name}".encode())
    for r in rows:
        h.update(f"\x1e{r['text']}\x1f{r['intent']}\x1f{r.get('severity', '')}\x1f{r.get('action', '')}"
                 f"\x1f{r.get('crisis') or ''}\x1f{int(bool(r.get('segment')))}".encode())
    return h.hexdigest()[:16]


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


@dataclass
class Head:
    """A classifier over standardised embeddings: one hidden ReLU layer (``w1``, ``b1``)
    then a softmax layer (``w2`` with the bias as its last row). ``w1`` is None for a
    plain softmax regression (models saved before the hidden layer)."""

    w2: np.ndarray
    w1: np.ndarray | None = None
    b1: np.ndarray | None = None

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        h = x if self.w1 is None else np.maximum(x @ self.w1 + self.b1, 0)
        return _softmax(np.hstack([h, np.ones((len(h), 1), dtype=np.float32)]) @ self.w2)

    def arrays(self, name: str) -> dict[str, np.ndarray]:
        out = {f"{name}_w2": self.w2}
        if self.w1 is not None and self.b1 is not None:
            out |= {f"{name}_w1": self.w1, f"{name}_b1": self.b1}
        return out

    @classmethod
    def from_arrays(cls, f: Any, name: str, old: str) -> Head:
        if f"{name}_w2" in f:
            return cls(f[f"{name}_w2"], f[f"{name}_w1"] if f"{name}_w1" in f else None,
                       f[f"{name}_b1"] if f"{name}_b1" in f else None)
        # A plain regression saved by an earlier version (its bias row is last).
        return cls(f[old]) if old in f else cls(np.zeros((f["mean"].shape[0] + 1, 2), np.float32))


def _mlp(x: np.ndarray, y: np.ndarray, classes: int, l2: float, hidden: int = HIDDEN,
         steps: int = 300, lr: float = 1e-3) -> Head:
    """One hidden layer trained with Adam on the full batch, class-balanced, from a fixed
    seed: the same data gives the same weights on every machine of the same numpy."""
    rng = np.random.RandomState(0)
    n, d = x.shape
    w1 = rng.normal(0, 1 / np.sqrt(d), (d, hidden)).astype(np.float32)
    b1 = np.zeros(hidden, np.float32)
    w2 = rng.normal(0, 1 / np.sqrt(hidden), (hidden + 1, classes)).astype(np.float32)
    onehot = np.eye(classes, dtype=np.float32)[y]
    counts = np.bincount(y, minlength=classes).astype(np.float32)
    weight = (n / (classes * np.maximum(counts, 1)))[y][:, None].astype(np.float32)
    params = [w1, b1, w2]
    m1 = [np.zeros_like(q) for q in params]
    m2 = [np.zeros_like(q) for q in params]
    for t in range(1, steps + 1):
        h = np.maximum(x @ w1 + b1, 0)
        hb = np.hstack([h, np.ones((n, 1), dtype=np.float32)])
        g = (_softmax(hb @ w2) - onehot) * weight / n
        gw2 = hb.T @ g
        gw2[:-1] += l2 * w2[:-1]
        gh = (g @ w2[:-1].T) * (h > 0)
        grads = [x.T @ gh + l2 * w1, gh.sum(0), gw2]
        for j, (q, grad) in enumerate(zip(params, grads, strict=True)):
            m1[j] = 0.9 * m1[j] + 0.1 * grad
            m2[j] = 0.999 * m2[j] + 0.001 * grad * grad
            q -= lr * (m1[j] / (1 - 0.9 ** t)) / (np.sqrt(m2[j] / (1 - 0.999 ** t)) + 1e-8)
    return Head(w2, w1, b1)


@dataclass
class Nearest:
    text: str
    intent: str
    severity: str
    similarity: float


class MeaningModel:
    """The trained classifiers plus the labelled embeddings they were trained on."""

    # L2 strength of the heads, chosen by 5-fold cross-validation on the labelled posts
    # (eval/calibrate_triage.py, `assistant train --cv`). Constants, not settings: the
    # shipped model was trained with them, and a cached model's key does not hold them, so
    # a changed value would train models that other runs load as if it had not changed.
    # To try another, pass train(l2=..., l2_high=...).
    L2 = 1e-2
    L2_HIGH = 1e-2

    def __init__(self, embeddings: np.ndarray, rows: list[dict[str, Any]], mean: np.ndarray, scale: np.ndarray,
                 intent: Head, high: Head, hide: Head, encoder_name: str, key: str,
                 put_right: Head | None = None) -> None:
        self.embeddings = embeddings.astype(np.float32)
        self.rows = rows
        self.mean, self.scale = mean, scale
        self.intent, self.high, self.hide = intent, high, hide
        self.put_right = put_right
        self.encoder_name, self.key = encoder_name, key
        self.high_mask = np.array([r.get("severity") == "high" for r in rows])
        self.whole_mask = np.array([not r.get("segment") for r in rows])

    # -- training ------------------------------------------------------------------------

    @classmethod
    def train(cls, rows: list[dict[str, str]], embeddings: np.ndarray, encoder_name: str,
              l2: float | None = None, l2_high: float | None = None) -> MeaningModel:
        l2 = cls.L2 if l2 is None else l2
        l2_high = cls.L2_HIGH if l2_high is None else l2_high
        # Trained on the embeddings exactly as the model file stores them (float16), so a
        # rebuild from the shipped file gives the same weights (tests/core/test_reading.py).
        embeddings = embeddings.astype(np.float16).astype(np.float32)
        mean = embeddings.mean(axis=0)
        scale = embeddings.std(axis=0) + 1e-6
        x = ((embeddings - mean) / scale).astype(np.float32)
        y = np.array([INTENTS.index(r["intent"]) for r in rows])
        # Severity and hiding are learned from whole posts only: a sentence of a crisis
        # post is not itself a crisis.
        whole = np.array([not r.get("segment") for r in rows])
        high = np.array([1 if r.get("severity") == "high" else 0 for r in rows])
        intent = _mlp(x, y, len(INTENTS), l2)
        w_high = _mlp(x[whole], high[whole], 2, l2_high)
        # Whether a person would hide the post: abuse with nothing a customer needs
        # answered. Abuse wrapped around a real complaint is labelled "escalate".
        hide = np.array([1 if r.get("action") == "hide" else 0 for r in rows])
        w_hide = _mlp(x[whole], hide[whole], 2, l2_high)
        which, label = put_right_labels(rows)
        w_put = _mlp(x[which], label, 2, l2_high) if len(set(label.tolist())) == 2 else None
        return cls(embeddings, rows, mean, scale, intent, w_high, w_hide, encoder_name,
                   digest(rows, encoder_name), w_put)

    # -- inference -----------------------------------------------------------------------

    def _x(self, vectors: np.ndarray) -> np.ndarray:
        return ((vectors - self.mean) / self.scale).astype(np.float32)

    def intent_probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """(n, 7) probabilities in the order of ``INTENTS``."""
        return self.intent.probabilities(self._x(vectors))

    def high_probability(self, vectors: np.ndarray) -> np.ndarray:
        return self.high.probabilities(self._x(vectors))[:, 1]

    def hide_probability(self, vectors: np.ndarray) -> np.ndarray:
        return self.hide.probabilities(self._x(vectors))[:, 1]

    def put_right_probability(self, vectors: np.ndarray) -> np.ndarray:
        """How surely a complaint (a post or a sentence) is a problem the brand must put
        right, rather than a passing gripe. 0.5 where the model has no such head."""
        if self.put_right is None:
            return np.full(len(vectors), 0.5, dtype=np.float32)
        return self.put_right.probabilities(self._x(vectors))[:, 1]

    def crisis_share(self, vector: np.ndarray, k: int = 10) -> float:
        """The share of crises among the ``k`` labelled posts nearest to ``vector``."""
        sims = np.where(self.whole_mask, self.embeddings @ vector, -1.0)
        return float(self.high_mask[np.argsort(-sims, kind="stable")[:k]].mean())

    def nearest(self, vector: np.ndarray, k: int = 3, high_only: bool = False) -> list[Nearest]:
        sims = np.where(self.whole_mask, self.embeddings @ vector, -1.0)  # posts, not their sentences
        if high_only:
            sims = np.where(self.high_mask, sims, -1.0)
        order = np.argsort(-sims, kind="stable")[:k]
        return [Nearest(self.rows[i]["text"], self.rows[i]["intent"], self.rows[i].get("severity", "low"),
                        float(sims[i])) for i in order if sims[i] > -1.0]

    # -- files ---------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        arrays: dict[str, np.ndarray] = {
            "embeddings": self.embeddings.astype(np.float16), "mean": self.mean, "scale": self.scale,
            **self.intent.arrays("intent"), **self.high.arrays("high"), **self.hide.arrays("hide"),
            **(self.put_right.arrays("put_right") if self.put_right is not None else {}),
            "meta": np.array(json.dumps({"encoder": self.encoder_name, "key": self.key})),
            "rows": np.array(json.dumps([{k: r.get(k) or "" for k in ("text", "intent", "severity", "action", "crisis",
                                                                      "segment", "parent")}
                                         for r in self.rows], ensure_ascii=False))}
        np.savez_compressed(tmp, **arrays)  # type: ignore[arg-type]
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> MeaningModel:
        with np.load(path) as f:
            meta = json.loads(str(f["meta"]))
            rows = json.loads(str(f["rows"]))
            return cls(f["embeddings"].astype(np.float32), rows, f["mean"], f["scale"],
                       Head.from_arrays(f, "intent", "w_intent"), Head.from_arrays(f, "high", "w_high"),
                       Head.from_arrays(f, "hide", "w_hide"),
                       meta["encoder"], meta["key"],  # an older file: its key no longer matches
                       Head.from_arrays(f, "put_right", "") if "put_right_w2" in f else None)


def shipped_path(encoder_name: str) -> Path:
    return DATA / f"triage-model-{encoder_name}.npz"


def cache_path(encoder_name: str, key: str) -> Path:
    return model_cache_dir() / f"triage-model-{encoder_name}-{key}.npz"


def build(encoder: Encoder, rows: list[dict[str, str]] | None = None,
          known: MeaningModel | None = None) -> MeaningModel:
    """Train on ``rows`` (the labelled files by default). Posts ``known`` already holds
    embedded by the same encoder are not embedded again."""
    rows = rows if rows is not None else labelled_rows()
    have: dict[str, np.ndarray] = {}
    if known is not None and known.encoder_name == encoder.name:
        have = {r["text"]: v for r, v in zip(known.rows, known.embeddings, strict=True)}
    missing = [r["text"] for r in rows if r["text"] not in have]
    if missing:
        have.update(zip(missing, encoder.encode(missing, query=True), strict=True))
    vectors = np.stack([have[r["text"]] for r in rows]).astype(np.float32)
    return MeaningModel.train(rows, vectors, encoder.name)


def cross_validate(model: MeaningModel, folds: int = 5) -> dict[str, float]:
    """Intent accuracy and high-severity recall / false alarms in k-fold cross-validation
    over the model's own labelled posts (a check on training, not a blind figure)."""
    # A post's labelled sentences fall in its fold: testing on a post whose sentences were
    # trained on would flatter the figure. Only whole posts are scored.
    post_fold: dict[str, int] = {}
    draw = np.random.RandomState(0)
    for r in model.rows:
        if not r.get("segment"):
            post_fold[r["text"]] = int(draw.randint(0, folds))
    fold_of = np.array([post_fold.get(r.get("parent") or r["text"], 0) for r in model.rows])
    y = np.array([INTENTS.index(r["intent"]) for r in model.rows])
    whole = model.whole_mask
    right, caught, alarms = 0, 0, 0
    for f in range(folds):
        train = fold_of != f
        test = ~train & whole
        m = MeaningModel.train([r for r, t in zip(model.rows, train, strict=True) if t],
                               model.embeddings[train], model.encoder_name)
        right += int((m.intent_probabilities(model.embeddings[test]).argmax(1) == y[test]).sum())
        flagged = m.high_probability(model.embeddings[test]) >= HIGH_THRESHOLD
        caught += int((flagged & model.high_mask[test]).sum())
        alarms += int((flagged & ~model.high_mask[test]).sum())
    high = int((model.high_mask & whole).sum())
    posts = int(whole.sum())
    return {"intent_accuracy": right / posts, "high_recall": caught / max(high, 1),
            "high_false_alarm_rate": alarms / max(posts - high, 1)}


_models: dict[str, MeaningModel] = {}
_lock = threading.Lock()


def meaning_model(encoder: Encoder | None = None) -> MeaningModel:
    """The model for this encoder and the labelled files as they are now: the shipped
    copy if it matches, else a cached one, else trained now (and cached)."""
    encoder = encoder or get_encoder()
    with _lock:
        if encoder.name in _models:
            return _models[encoder.name]
        rows = labelled_rows()
        key = digest(rows, encoder.name)
        for path in (shipped_path(encoder.name), cache_path(encoder.name, key)):
            if path.exists():
                try:
                    model = MeaningModel.load(path)
                except (OSError, ValueError, KeyError) as exc:
                    log.warning("ignoring unreadable triage model %s: %s", path, exc)
                    continue
                if model.key == key:
                    _models[encoder.name] = model
                    return model
        log.info("training the triage model on %d labelled posts (%s)", len(rows), encoder.name)
        model = build(encoder, rows)
        # An encoder may say its models are not worth a file (a stand-in quick to retrain).
        if getattr(encoder, "cache_models", True):
            try:
                model.save(cache_path(encoder.name, key))
            except OSError as exc:
                log.warning("could not cache the triage model: %s", exc)
        _models[encoder.name] = model
        return model


def reset() -> None:
    with _lock:
        _models.clear()
