"""Moved to ``assistant.orchestration.outbox`` (orchestration is not a network adapter);
this name stays for existing imports and is the same module object."""

import sys
from typing import TYPE_CHECKING

from .orchestration import outbox as _moved

if TYPE_CHECKING:
    from .orchestration.outbox import *  # noqa: F403

sys.modules[__name__] = _moved
