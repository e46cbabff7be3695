"""Fact lookup by meaning: which policy fact answers a question, in any language.

Matching a question straight to the fact *statements* is weak (the right fact
14 times in 22, with tiny margins, and unanswerable questions scored as high as
answerable ones). Matching it to example *questions* is where the encoder is
strong, so a policy lists how people ask for each fact (``fact_questions``) and
which nearby questions the facts do not answer (``unanswered_questions``). The
question takes the label of its nearest examples; it gets a fact only when that
match is close and clearly ahead of every other fact. A wrong fact is worse than
none: below the threshold, or nearest an unanswered topic, the draft says we
will find out.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from assistant.ml.embeddings import Encoder, get_encoder
from assistant.policy.models import Policy

# Chosen on eval/fact_questions.jsonl (170 questions written apart from the policy's
# examples, so these two choices are tuned on it): scoring a label by its single
# closest example gave precision 82% / recall 59% at 0.86; the mean of its two
# closest, 88% / 83% at 0.85. `make eval` prints the current figures.
THRESHOLD = 0.85
# Ahead of the runner-up by at least this. Leave-one-out over the policy's own examples
# (no test set involved): margin 0.002 gave precision 84.5% / recall 84.1%, 0.005 88.0%
# / 80.9%, 0.01 92.4% / 73.1%; a wrong fact is worse than none, recall still matters.
MARGIN = 0.005
TOP = 2
UNANSWERED = "unanswered"


@dataclass(frozen=True)
class FactMatch:
    key: str | None  # the fact that answers the question, or None
    score: float  # similarity to the nearest example of the winning label
    label: str  # fact key, or "unanswered:<topic>", or "" when nothing is near
    example: str  # the example question it matched
    reason: str

    @property
    def found(self) -> bool:
        return self.key is not None


class FactIndex:
    """The example questions of one policy, embedded once."""

    def __init__(self, policy: Policy, encoder: Encoder, threshold: float = THRESHOLD,
                 margin: float = MARGIN) -> None:
        self.threshold, self.margin = threshold, margin
        labels: list[str] = []
        texts: list[str] = []
        for key, examples in policy.fact_questions.items():
            for q in examples:
                labels.append(key)
                texts.append(q)
        for key in policy.facts:
            if key not in policy.fact_questions:  # no examples: its own text stands in
                for t in {policy.fact(key, lang) for lang in policy.languages}:
                    labels.append(key)
                    texts.append(t)
        for topic, examples in policy.unanswered_questions.items():
            for q in examples:
                labels.append(f"{UNANSWERED}:{topic}")
                texts.append(q)
        self.labels = labels
        self.texts = texts
        self.vectors = encoder.encode(texts, query=True) if texts else np.zeros((0, encoder.dim), np.float32)
        self.encoder = encoder

    def match_vector(self, vector: np.ndarray, exclude: int | None = None) -> FactMatch:
        if not self.labels:
            return FactMatch(None, 0.0, "", "", "the policy has no facts")
        sims = self.vectors @ vector
        if exclude is not None:
            sims = sims.copy()
            sims[exclude] = -1.0
        # A label scores the mean of its two closest examples: one lucky neighbour
        # (a question about the same city, say) is not enough to win.
        by_label: dict[str, list[tuple[float, int]]] = {}
        for i, label in enumerate(self.labels):
            by_label.setdefault(label, []).append((float(sims[i]), i))
        best: dict[str, tuple[float, int]] = {}
        for label, scored in by_label.items():
            top = sorted(scored, reverse=True)[:TOP]
            best[label] = (sum(s for s, _ in top) / len(top), top[0][1])
        ranked = sorted(best.items(), key=lambda kv: -kv[1][0])
        label, (score, i) = ranked[0]
        runner = ranked[1][1][0] if len(ranked) > 1 else -1.0
        example = self.texts[i]
        if label.startswith(UNANSWERED + ":"):
            return FactMatch(None, score, label, example,
                             f"nearest a question the facts do not answer ({label.split(':', 1)[1]}, {score:.2f})")
        if score < self.threshold:
            return FactMatch(None, score, label, example,
                             f"no fact close enough (best {label} {score:.2f} < {self.threshold:.2f})")
        if score - runner < self.margin:
            return FactMatch(None, score, label, example,
                             f"two facts equally close ({label} {score:.2f}, next {runner:.2f})")
        return FactMatch(label, score, label, example, f"fact {label} ({score:.2f}, like {example!r})")

    def lookup(self, question: str) -> FactMatch:
        return self.match_vector(self.encoder.encode([question], query=True)[0])


_indexes: dict[tuple[str, str], FactIndex] = {}
_lock = threading.Lock()


def fact_index(policy: Policy, encoder: Encoder | None = None) -> FactIndex:
    """One index per policy version and encoder; an edited policy gets a new one."""
    encoder = encoder or get_encoder()
    key = (encoder.name, policy.digest)
    with _lock:
        if key not in _indexes:
            _indexes[key] = FactIndex(policy, encoder)
        return _indexes[key]
