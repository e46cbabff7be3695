"""How many CPU threads a model gets by default (ASSISTANT_THREADS=0).

One per physical core, less one on a machine with two or more, so the web server
(Slack's three-second acknowledgement) and the triage encoder always have a core.
Measured on a 2-core machine (issue 9): llama.cpp on two threads fell from ~75 to
1-4 tokens/s whenever the other core was busy, and torch behaves the same way; one
thread per model is both faster and kinder there.
"""

from __future__ import annotations

import os
from pathlib import Path


def usable_cpus() -> list[int]:
    try:
        return sorted(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return list(range(os.cpu_count() or 1))


def physical_cores() -> int:
    """Cores we may run on, counting a core's hyper-threads once."""
    cpus = usable_cpus()
    cores = set()
    for cpu in cpus:
        topology = Path(f"/sys/devices/system/cpu/cpu{cpu}/topology")
        try:
            cores.add(((topology / "physical_package_id").read_text().strip(),
                       (topology / "core_id").read_text().strip()))
        except OSError:
            cores.add(("?", str(cpu)))
    return max(1, len(cores))


def default_threads() -> int:
    cores = physical_cores()
    return max(1, cores - 1) if cores >= 2 else 1
