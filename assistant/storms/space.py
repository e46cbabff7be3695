"""The space the detector compares posts in: what a post is about, with the directions
in which complaints of every kind differ anyway turned down.

e5 spreads any two complaints about a coffee shop over the same few directions (tone,
length, language, "something went wrong"), so a storm's posts written in other words or
another language sit as far from each other as from an ordinary complaint. Whitening
with the covariance of the labelled posts triage ships with (complaints, abuse,
questions and reactions in ten languages: the kinds of posts the pool holds, and none
of any storm) evens the directions out: on the six replay files of eval/storms/, the
cosine of a storm's posts to their own mean then separates them from the other posts
of the same hours far better (measured in the note of eval/storms/README.md).

The matrix comes from the triage model's stored embeddings (no encoding at tick time)
and is computed once per encoder and process. An encoder whose model cannot be had
(a plugin of another width) is compared unwhitened, as before.
"""

from __future__ import annotations

import logging
import threading

import numpy as np

from assistant.ml.embeddings import Encoder

log = logging.getLogger(__name__)

POOL_INTENTS = ("complaint", "abuse", "question", "reaction")
# Each direction's variance is shrunk towards the mean variance by this much of it: rare
# directions (mostly noise) are not blown up.
SHRINK = 1.0

_lock = threading.Lock()
_cache: dict[str, tuple[np.ndarray, np.ndarray] | None] = {}


def labelled_space(encoder: Encoder) -> tuple[np.ndarray, np.ndarray] | None:
    """(the labelled pool posts' mean vector, the whitening matrix) for this encoder, or
    None when the triage model's embeddings are not there for it."""
    with _lock:
        if encoder.name not in _cache:
            _cache[encoder.name] = _build(encoder)
        return _cache[encoder.name]


def _build(encoder: Encoder) -> tuple[np.ndarray, np.ndarray] | None:
    from assistant.triage.classifier import meaning_model

    try:
        model = meaning_model(encoder)  # type: ignore[arg-type]
    except Exception as exc:  # noqa: BLE001 - any failure: compare unwhitened
        log.warning("storm detection without whitening (%s): %s", encoder.name, exc)
        return None
    keep = np.array([r.get("intent") in POOL_INTENTS for r in model.rows], bool)
    x = np.asarray(model.embeddings, np.float32)[keep] if keep.any() else np.zeros((0, 0), np.float32)
    if x.ndim != 2 or x.shape[1] != encoder.dim or len(x) < encoder.dim:
        return None
    mean = x.mean(axis=0)
    _, s, vt = np.linalg.svd(x - mean, full_matrices=False)
    variance = s**2 / len(x)
    whiten = (vt / np.sqrt(variance + SHRINK * variance.mean())[:, None]).astype(np.float32)
    return mean.astype(np.float32), whiten
