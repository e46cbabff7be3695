"""The policies in force: one per brand, read from a folder and re-read while the service runs.

``PolicyRegistry.reload()`` keeps the last good version of a brand's policy active and
records why the new one was refused, so a typo in a running deployment changes nothing
until it is fixed. A background thread looks at the files every few seconds; ``get()``
never parses.
"""

from __future__ import annotations

import logging
import threading
import weakref
from pathlib import Path

from assistant.domain.errors import PolicyError
from assistant.policy.loading import load_policy, policy_files
from assistant.policy.models import Policy

log = logging.getLogger(__name__)


class PolicyRegistry:
    """The policies in force, one per brand, reloaded from a folder.

    ``get()`` never parses once the folder has been loaded: it hands back the last good
    policy, and a background thread (started by the first ``get()`` or ``start()``) looks at
    the files every ``CHECK_EVERY`` seconds. A reload parses changed files outside the lock
    ``get()`` could wait on; a file that cannot be loaded keeps the last good version, logs
    one line per change of the file, and stays in ``errors`` until it is fixed.
    """

    # How often the background check looks at the files again: edits to the YAML take
    # effect in a running `assistant serve` within this many seconds, with no restart.
    CHECK_EVERY = 2.0

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._policies: dict[str, Policy] = {}
        self._seen: dict[Path, tuple[int, int]] = {}  # file -> (mtime_ns, size) when last read
        self.errors: dict[str, list[str]] = {}  # brand id -> why its file was not (re)loaded
        self._lock = threading.Lock()  # held only to swap in what a reload parsed
        self._reloading = threading.Lock()  # one reload at a time; get() never takes it
        self._loaded = False
        self._watcher: threading.Thread | None = None
        self._stop = threading.Event()

    def reload(self, force: bool = False) -> dict[str, list[str]]:
        """Load new or changed files. A broken file keeps the last good policy."""
        if not self.folder.is_dir():
            raise PolicyError(str(self.folder), [f"{self.folder}:1: folder: not found (set ASSISTANT_POLICIES_DIR)"])
        with self._reloading:
            files = policy_files(self.folder)
            changed: list[tuple[Path, tuple[int, int]]] = []
            for path in files:
                try:
                    st = path.stat()
                except OSError:  # removed since the folder was listed
                    continue
                if force or self._seen.get(path) != (st.st_mtime_ns, st.st_size):
                    changed.append((path, (st.st_mtime_ns, st.st_size)))
            parsed: list[tuple[Path, tuple[int, int], Policy | None, list[str]]] = []
            for path, signature in changed:
                try:
                    parsed.append((path, signature, load_policy(path), []))
                except PolicyError as exc:
                    parsed.append((path, signature, None, exc.problems))
                except Exception as exc:  # a bug, not the file: still one line, and the last good stays
                    log.debug("loading %s failed", path, exc_info=True)
                    parsed.append((path, signature, None,
                                   [f"{path}:1: policy: could not be loaded ({type(exc).__name__}: {exc}); "
                                    "run `assistant policy check` on it"]))
            with self._lock:
                policies, errors = dict(self._policies), dict(self.errors)
                for gone in [p for p in self._seen if p not in files]:
                    del self._seen[gone]
                    errors.pop(gone.stem, None)
                for path, signature, policy, problems in parsed:
                    self._seen[path] = signature
                    if policy is None:
                        problems = [" ".join(p.split()) for p in problems] or [f"{path}:1: policy: not loaded"]
                        if errors.get(path.stem) != problems:  # one line per new error, not per poll or save
                            kept = "keeping the last good version" if path.stem in policies else "not loaded"
                            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
                            log.warning("policy %s has errors, %s: %s%s", path, kept, problems[0], more)
                        errors[path.stem] = problems
                        continue
                    if policy.id in policies:
                        log.info("policy %s reloaded", path)
                    policies[policy.id] = policy
                    errors.pop(policy.id, None)
                # whole new dicts: a reader holds a consistent snapshot without any lock
                self._policies, self.errors, self._loaded = policies, errors, True
            return dict(errors)

    def start(self) -> PolicyRegistry:
        """Load the folder if it never was, and start the background check (once)."""
        if not self._loaded:
            self.reload()  # nothing to fall back on yet: the first load is the caller's
        if self._watcher is None:
            with self._lock:
                if self._watcher is None:
                    self._watcher = threading.Thread(target=_watch, args=(weakref.ref(self), self._stop),
                                                     name=f"policies-{self.folder.name}", daemon=True)
                    self._watcher.start()
        return self

    def close(self, timeout: float = 5.0) -> None:
        """Stop the background check (and wait up to ``timeout`` seconds for a reload in progress)."""
        self._stop.set()
        watcher = self._watcher
        if watcher is not None and watcher is not threading.current_thread():
            watcher.join(timeout)

    def brands(self) -> list[str]:
        """The brands with a policy in force (the folder is loaded first if it never was)."""
        self.start()
        return sorted(self._policies)

    def get(self, brand: str | None = None) -> Policy:
        """The policy in force: the last good one, never parsed here once the folder is loaded."""
        self.start()
        policies = self._policies
        if brand is None:
            if len(policies) == 1:
                return next(iter(policies.values()))
            if not policies:
                why = "; ".join(p for probs in self.errors.values() for p in probs[:1])
                raise PolicyError(str(self.folder), [why or f"{self.folder}:1: no policy files (*.yaml)"])
            raise PolicyError(
                str(self.folder),
                [f"several brands ({', '.join(sorted(policies))}): name one with --brand or ASSISTANT_BRAND"],
            )
        if brand not in policies:
            errors = self.errors
            if brand in errors:
                raise PolicyError(str(self.folder / f"{brand}.yaml"), errors[brand])
            raise PolicyError(str(self.folder), [f"unknown brand {brand!r}; known: {', '.join(sorted(policies)) or 'none'}"])
        return policies[brand]


def _watch(ref: weakref.ref[PolicyRegistry], stop: threading.Event) -> None:
    """The background check: reload every CHECK_EVERY seconds until the registry is closed or gone.
    The first check runs at once. Only a weak reference is held while waiting."""
    every, last_problem = 0.0, ""
    while not stop.wait(every):
        registry = ref()
        if registry is None:
            return
        every = max(float(registry.CHECK_EVERY), 0.05)
        try:
            registry.reload()
            last_problem = ""
        except Exception as exc:  # the folder went away, say: say so once, keep the policies in force
            if str(exc) != last_problem:
                log.warning("policies not re-read, keeping those in force: %s", " ".join(str(exc).split()))
                last_problem = str(exc)
        finally:
            del registry
