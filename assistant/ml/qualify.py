"""Which mode the configured model drafts in, per language, decided by measurement.

``assistant model check`` drafts the draft-eval rows three ways and records here, per
model and language, which mode the model has earned:

* ``writer``: the model writes the whole reply from a brief (drafting/writer.py), when its
  whole replies pass the guard and meet the notes at least as often as the composed
  replies do in that language (and at least one was kept);
* ``sentence``: the composed reply with the model's one sentence, when that meets the
  notes at least as often as the composed reply alone AND the sentence was kept in at
  least 20% of the drafts;
* ``compose``: the policy's composed reply only. The product does not ask a model for
  what it never delivers.

The file is ``<ASSISTANT_MODEL_CACHE_DIR>/model-check.json``::

    {"version": 1, "models": {"openai:Qwen/Qwen2.5-7B-Instruct": {"en": {
        "mode": "writer", "why": "...", "pass": {"writer": 0.85, "sentence": 0.7, "compose": 0.7},
        "kept": {"writer": 0.9, "sentence": 0.35}, "n": 20, "device": "...", "date": "2026-11-02",
        "set": "eval/drafts.jsonl", "brand": "aurora-roasters"}}}}

For the embedded model a measured default ships in ``assistant/data/model-check-embedded.json``;
``mode_for`` uses it when the user's file says nothing about that model.
"""

from __future__ import annotations

import json
import os
import platform
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from assistant.settings import Settings

MODES = ("writer", "sentence", "compose")
SENTENCE_KEPT_MIN = 0.20  # the model's sentence must be kept in at least this share of drafts
CHECK_FILE = "model-check.json"
EMBEDDED_DEFAULT = Path(__file__).resolve().parents[1] / "data" / "model-check-embedded.json"
NOT_CHECKED = "not checked: run `assistant model check`"
VERSION = 1
# Backends that run the embedded model's weights themselves (its shipped check holds for each).
LOCAL_BACKENDS = ("transformers", "llamacpp")


def model_key(backend_name: str, model_name: str) -> str:
    return f"{backend_name}:{model_name}"


def check_file(settings: Settings) -> Path:
    return Path(settings.model_cache_dir) / CHECK_FILE


@dataclass
class Measurement:
    """Drafts of one language, drafted once per mode.

    ``passed[mode]``: drafts that exist, pass the guard, are in the post's language and
    meet their notes; for ``writer`` only those where the writer's own reply was kept
    (a writer-mode draft that fell back to the composed reply does not count).
    ``kept[mode]``: drafts where the model's text was kept: origin ``writer`` in writer
    mode, ``model`` (its sentence) in sentence mode."""

    n: int
    passed: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)

    def rate(self, mode: str) -> float:
        return self.passed.get(mode, 0) / self.n if self.n else 0.0

    def kept_rate(self, mode: str) -> float:
        return self.kept.get(mode, 0) / self.n if self.n else 0.0


def choose_mode(m: Measurement) -> tuple[str, str]:
    """The qualification rule: (mode, why)."""
    writer, sentence, compose = m.rate("writer"), m.rate("sentence"), m.rate("compose")
    if m.n and m.kept.get("writer", 0) > 0 and writer > 0 and writer >= compose:
        return "writer", (f"its whole replies passed {writer:.0%} of {m.n} drafts, the composed ones "
                          f"{compose:.0%}")
    if m.n and sentence >= compose and m.kept_rate("sentence") >= SENTENCE_KEPT_MIN:
        return "sentence", (f"with its sentence {sentence:.0%} of {m.n} drafts passed (composed alone "
                            f"{compose:.0%}) and its sentence was kept in {m.kept_rate('sentence'):.0%}; "
                            f"its whole replies passed {writer:.0%}")
    reasons = [f"its whole replies passed {writer:.0%} of {m.n} drafts (composed {compose:.0%})"]
    if sentence < compose:
        reasons.append(f"with its sentence {sentence:.0%} passed")
    if m.kept_rate("sentence") < SENTENCE_KEPT_MIN:
        reasons.append(f"its sentence was kept in {m.kept_rate('sentence'):.0%} "
                       f"(at least {SENTENCE_KEPT_MIN:.0%} needed)")
    return "compose", "; ".join(reasons)


# -- reading ---------------------------------------------------------------------------------

_CACHE: dict[Path, tuple[tuple[int, int], dict[str, Any]]] = {}


def _read(path: Path) -> dict[str, Any]:
    """The file's models (an empty dict when it is missing or unreadable); cached until it changes."""
    try:
        st = path.stat()
    except OSError:
        return {}
    stamp = (st.st_mtime_ns, st.st_size)
    hit = _CACHE.get(path)
    if hit and hit[0] == stamp:
        return hit[1]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        models = data.get("models") if isinstance(data, dict) else None
        models = models if isinstance(models, dict) else {}
    except (OSError, ValueError, UnicodeDecodeError):
        models = {}
    _CACHE[path] = (stamp, models)
    return models


def _entry(models: dict[str, Any], key: str, language: str) -> dict[str, Any] | None:
    per_language = models.get(key)
    if not isinstance(per_language, dict):
        return None
    entry = per_language.get(language)
    if isinstance(entry, dict) and entry.get("mode") in MODES:
        return entry
    return None


def _why(entry: dict[str, Any], where: str) -> str:
    found = entry.get("pass")
    rates: dict[str, Any] = found if isinstance(found, dict) else {}
    shown = ", ".join(f"{m} {rates[m]:.0%}" for m in MODES
                      if isinstance(rates.get(m), (int, float)) and not isinstance(rates.get(m), bool))
    said = entry.get("why") or f"{shown} of {entry.get('n', '?')} drafts pass"
    return f"{said} (measured {entry.get('date', '?')} on {entry.get('device', '?')}; {where})"


def _is_embedded(backend_name: str, model_name: str) -> bool:
    from assistant.ml.generation import embedded

    return backend_name in LOCAL_BACKENDS and model_name in ("", embedded.NAME)


def mode_for(settings: Settings, backend_name: str, model_name: str, language: str) -> tuple[str, str]:
    """(mode, why) for this model in ``language``: what `assistant model check` recorded,
    else the shipped measurement of the embedded model, else ("sentence", not checked)."""
    key = model_key(backend_name, model_name)
    path = check_file(settings)
    models = _read(path)
    entry = _entry(models, key, language)
    if entry is not None:
        return entry["mode"], _why(entry, f"`assistant model check`, {path}")
    if _is_embedded(backend_name, model_name):
        from assistant.ml.generation import embedded

        # The same weights on any local backend: the shipped figures hold for each.
        shipped = _read(EMBEDDED_DEFAULT)
        entry = _entry(shipped, model_key(backend_name, embedded.NAME), language) or next(
            (e for k in shipped if (e := _entry(shipped, k, language)) is not None), None)
        if entry is not None:
            return entry["mode"], _why(entry, "the embedded model's shipped check")
    if key in models:
        return "sentence", f"not checked in {language}: run `assistant model check --languages {language}`"
    return "sentence", NOT_CHECKED


# -- writing ---------------------------------------------------------------------------------

def device_label(settings: Settings, backend_name: str) -> str:
    """Where the model ran: the server for a remote backend, else the device or the CPU."""
    if backend_name == "openai":
        return f"server at {settings.openai_base_url}"
    if backend_name not in LOCAL_BACKENDS:  # a plugin: where it runs is its own business
        return f"{backend_name} backend"
    if settings.device and settings.device != "cpu":
        return settings.device
    name = ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{name or platform.processor() or platform.machine()}, {os.cpu_count()} cores"


def record(settings: Settings, backend_name: str, model_name: str, language: str, measurement: Measurement,
           device: str | None = None, *, set_name: str = "", brand: str = "", when: str | None = None,
           path: Path | None = None) -> dict[str, Any]:
    """Choose the mode from ``measurement`` and write it for this model and language
    (into ``path``, default the user's check file); returns the entry written."""
    mode, why = choose_mode(measurement)
    entry = {
        "mode": mode,
        "why": why,
        "pass": {m: round(measurement.rate(m), 4) for m in MODES},
        "kept": {m: round(measurement.kept_rate(m), 4) for m in ("writer", "sentence")},
        "n": measurement.n,
        "device": device or device_label(settings, backend_name),
        "date": when or date.today().isoformat(),
        "set": set_name,
        "brand": brand,
    }
    target = path or check_file(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("models"), dict):
            data = {}
    except (OSError, ValueError, UnicodeDecodeError):
        data = {}
    data = {"version": VERSION, "models": data.get("models", {})}
    data["models"].setdefault(model_key(backend_name, model_name), {})[language] = entry
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    partial.replace(target)  # atomic: a reader never sees half a file
    _CACHE.pop(target, None)
    return entry
