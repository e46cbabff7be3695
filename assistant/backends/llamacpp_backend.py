"""llama.cpp through the xllamacpp wheel (optional extra `llamacpp`): the fastest CPU drafts.

Being written; see issue 9.
"""

from __future__ import annotations

from ..errors import BackendError
from ..settings import Settings
from . import register


@register("llamacpp")
def _create(settings: Settings) -> object:
    raise BackendError("the llamacpp backend is not ready yet", "use ASSISTANT_BACKEND=transformers")
