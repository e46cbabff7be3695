"""Moved to ``assistant.orchestration.runtime`` (orchestration is not a network adapter);
this name stays for existing imports and is the same module object."""

import sys
from typing import TYPE_CHECKING

from ..orchestration import runtime as _moved

if TYPE_CHECKING:
    from ..orchestration.runtime import *  # noqa: F403

sys.modules[__name__] = _moved
