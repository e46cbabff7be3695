"""Bolt listeners, one module per kind of request, each with ``register(app, services)``.

The callbacks are plain functions of (services, payload ...) so they can be
tested without an App; ``register`` binds them to Bolt with the argument names
Bolt injects (ack, body, action, view, command, event, client ...).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from slack_bolt import App

    from ..services import Services


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
    """(metadata, ref) for a view_submission."""
    meta = json.loads(body["view"].get("private_metadata") or "{}")
    ref = {**(meta.get("r") or {}), "user": body["user"]["id"]}
    return meta, ref


def register_all(app: App, services: Services) -> None:
    from . import actions, commands, events, home, shortcuts, spikes, views

    for module in (actions, views, commands, shortcuts, events, home, spikes):
        module.register(app, services)
