"""Stand-ins for the model and the sentence encoder, for tests and benchmarks (not shipped).

The product takes them as plugins, like any team's own backend or encoder: set
ASSISTANT_BACKEND to FAKE_MODEL, ASSISTANT_ENCODER to FAKE_ENCODER. A process started
outside the source tree imports them only with the repository root on its path:
PYTHONPATH below is that, ahead of what the environment already had.
"""

from __future__ import annotations

import os

from devtools.paths import ROOT

FAKE_MODEL = "devtools.fakes.model:create"
FAKE_ENCODER = "devtools.fakes.encoder:create"
PYTHONPATH = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
