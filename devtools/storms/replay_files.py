"""Storm replays kept as data (eval/storms/*.jsonl), not as code: each file is one storm,
written by people who had not read the detector, and is replayed on top of the folder's
``background.jsonl`` (two ordinary days).

A file's first line is its metadata (``replay``, ``brand``, ``start``,
``storm_start_minute``, ``storm_topic``, ``languages``); every other line is a post:
``minute`` (from ``start``), ``network``, ``author``, ``language``, ``text``, ``intent``,
and the writer's labels ``storm``, ``crisis`` and ``abusive``. eval/storms/README.md says more.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from assistant.domain.errors import SettingsError
from assistant.domain.models import Intent, Mention
from devtools.storms.replay import Replay, ReplayPost

BACKGROUND = "background.jsonl"
REQUIRED = ("minute", "text", "intent")


def _lines(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise SettingsError(f"{path}:{n}: not JSON ({exc.msg})", "fix the line or remove it") from exc
    if not rows or "replay" not in rows[0]:
        raise SettingsError(f"{path}: the first line must be the replay's metadata (with a 'replay' key)",
                            "see eval/storms/README.md for the format")
    for n, row in enumerate(rows[1:], 2):
        missing = [k for k in REQUIRED if k not in row]
        if missing:
            raise SettingsError(f"{path}: post {n} lacks {', '.join(missing)}", "see eval/storms/README.md")
    return rows[0], rows[1:]


def _post(name: str, n: int, start: datetime, row: dict[str, Any]) -> ReplayPost:
    at = start + timedelta(minutes=float(row["minute"]))
    network = row.get("network") or "mastodon"
    author = row.get("author") or f"someone{n}"
    mention = Mention(source=network, external_id=f"{name}-{n:05d}", author=author, text=row["text"],
                      created_at=at.isoformat(timespec="seconds"), network=network,
                      url=f"https://{network}.example/{name}/{n}")
    return ReplayPost(mention, at, row.get("language") or "", Intent(row["intent"]), bool(row.get("storm")),
                      bool(row.get("abusive")), "storm" if row.get("storm") else "", bool(row.get("crisis")),
                      row.get("brand"))


def load(path: Path, background: Path | None = None) -> tuple[dict[str, Any], Replay]:
    """(the storm file's metadata, the replay of it on top of the background days)."""
    meta, rows = _lines(path)
    start = datetime.fromisoformat(meta["start"])
    posts = [_post(meta["replay"], n, start, {**r, "brand": r.get("brand") or meta.get("brand")})
             for n, r in enumerate(rows)]
    background = background if background is not None else path.with_name(BACKGROUND)
    if background.exists() and background != path:
        bmeta, brows = _lines(background)
        bstart = datetime.fromisoformat(bmeta["start"])
        posts += [_post("background", n, bstart, {**r, "brand": r.get("brand") or bmeta.get("brand"), "storm": False})
                  for n, r in enumerate(brows)]
    posts.sort(key=lambda p: (p.at, p.mention.external_id))
    storm_start = start + timedelta(minutes=float(meta["storm_start_minute"])) \
        if meta.get("storm_start_minute") is not None else None
    end = max(p.at for p in posts) + timedelta(minutes=max(60, _calm_minutes(meta)))
    return meta, Replay(posts, storm_start, end)


def _calm_minutes(meta: dict[str, Any]) -> float:
    return float(meta.get("replay_after_minutes") or 120)


def storm_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.jsonl") if p.name != BACKGROUND)


def storm_brands(paths: list[Path]) -> list[str]:
    """The brands the files' posts are about (their metadata's, and the background's)."""
    brands = set()
    for path in paths:
        for file in (path, path.with_name(BACKGROUND)):
            if file.exists():
                meta, _ = _lines(file)
                if meta.get("brand"):
                    brands.add(meta["brand"])
    return sorted(brands)
