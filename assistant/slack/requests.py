"""What a Slack request says, read once: where the clicked card lives and who clicked
(``ref_from_action``), which mention and draft a card's button names (``parse_value``), what a
modal remembers about its card (``metadata_for``), and what a submitted modal names
(``ref_from_view``). A ``Ref`` is a plain dict: {"user", "channel", "ts", "ephemeral",
"response_url"}, the parts a request has."""

from __future__ import annotations

import json
from typing import Any

MAX_VALUE = 2000  # Slack's limit on a button value


def ref_from_action(body: dict[str, Any]) -> dict[str, Any]:
    """Where the clicked card lives, and who clicked."""
    container = body.get("container") or {}
    return {
        "user": (body.get("user") or {}).get("id"),
        "channel": container.get("channel_id") or (body.get("channel") or {}).get("id"),
        "ts": container.get("message_ts"),
        "ephemeral": bool(container.get("is_ephemeral")),
        "response_url": body.get("response_url"),
    }


def metadata_for(ref: dict[str, Any]) -> dict[str, Any]:
    """What a modal must remember about the card it was opened from (kept in private_metadata)."""
    return {"r": {k: ref.get(k) for k in ("channel", "ts", "ephemeral", "response_url") if ref.get(k)}}


def ref_from_view(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(metadata, ref) for a view_submission. ValueError, one line, for metadata that is not
    ours (a form from an older version, or a hand-made request): no JSON object, no mention id,
    a draft id that is not a number."""
    try:
        meta = json.loads((body.get("view") or {}).get("private_metadata") or "{}")
    except (ValueError, RecursionError):
        raise ValueError("its data is not JSON") from None
    if not isinstance(meta, dict) or not isinstance(meta.get("m"), str) or not meta["m"]:
        raise ValueError("it names no mention")
    draft_id = meta.get("d")
    if draft_id is not None and (isinstance(draft_id, bool) or not isinstance(draft_id, int)):
        raise ValueError("its draft id is not a number")
    where = meta.get("r") if isinstance(meta.get("r"), dict) else {}
    ref = {**{k: v for k, v in where.items() if k in ("channel", "ts", "ephemeral", "response_url")},
           "user": (body.get("user") or {}).get("id")}
    return meta, ref


def parse_value(value: Any) -> tuple[str, int | None]:
    """(mention id, draft id or None) from one of our button values. ValueError, one line,
    for anything else: not JSON, nested too deeply, no mention id, no draft id key."""
    if not isinstance(value, str) or not value:
        raise ValueError("no value")
    if len(value) > MAX_VALUE:
        raise ValueError(f"over {MAX_VALUE} characters")
    try:
        data = json.loads(value)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except ValueError:
        raise ValueError("not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("m"), str) or not data["m"]:
        raise ValueError("no mention id")
    if "d" not in data:
        raise ValueError("no draft id")
    draft_id = data["d"]
    if draft_id is not None and (isinstance(draft_id, bool) or not isinstance(draft_id, int)):
        raise ValueError("the draft id is not a number")
    return data["m"], draft_id
