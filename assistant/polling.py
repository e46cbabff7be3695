"""Moved to ``assistant.orchestration.polling`` (orchestration is not a network adapter);
this name stays for existing imports and is the same module object."""

import sys
from typing import TYPE_CHECKING

from .orchestration import polling as _moved

if TYPE_CHECKING:
    from .orchestration.polling import *  # noqa: F403

sys.modules[__name__] = _moved
