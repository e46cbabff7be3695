"""The alert card's buttons and forms: approve or edit the consolidated statement (and
retry it when it failed to post), answer the group with one approval, hide the abusive
posts (one confirmation, on the button)."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from assistant.slack.requests import ref_from_action
from assistant.slack.views.alert import (
    ANSWER,
    ANSWER_VIEW,
    APPROVE,
    EDIT,
    EDIT_VIEW,
    HIDE,
    RETRY,
    edit_view,
    spike_of,
    version_block,
)

if TYPE_CHECKING:
    from slack_bolt import Ack, App

    from assistant.slack.services import Services

log = logging.getLogger("assistant.slack")


def _spike(svc: Services, body: dict[str, Any], action: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
    ref = ref_from_action(body)
    try:
        spike_id = spike_of(action.get("value") or "")
    except (ValueError, KeyError, TypeError):
        log.warning("a spike button with a value that is not ours: %.80r", action.get("value"))
        svc.gateway.ephemeral(ref, "That button is not one of this app's; nothing was changed.")
        return None
    alert = svc.spikes.alert(spike_id)
    if alert is None or alert["ts"] != ref.get("ts"):  # a click acts only on its own spike's card
        svc.gateway.ephemeral(ref, "That card is not this spike's alert card; nothing was changed.")
        return None
    return spike_id, ref


def on_approve(svc: Services, body: dict[str, Any], action: dict[str, Any]) -> None:
    found = _spike(svc, body, action)
    if found:
        svc.workers.io_work(svc.spikes.approve_statement, found[0], found[1])


def on_edit(svc: Services, body: dict[str, Any], action: dict[str, Any]) -> None:
    found = _spike(svc, body, action)
    if not found:
        return
    spike_id, ref = found
    if svc.spikes.posted(spike_id):
        svc.gateway.ephemeral(ref, "The statement was already approved; it is posted once.")
        return
    texts, promised = svc.spikes.edit_text(spike_id)  # drafted now: the update time due now, with its date
    view = edit_view(spike_id, texts)
    view["private_metadata"] = json.dumps({"s": spike_id, "u": promised, "l": list(texts),
                                           "r": {"channel": ref["channel"], "ts": ref["ts"]}})
    _open(svc, body, view, ref)


def on_answer(svc: Services, body: dict[str, Any], action: dict[str, Any]) -> None:
    found = _spike(svc, body, action)
    if not found:
        return
    spike_id, ref = found
    if not svc.spikes.may_decide(spike_id, ref):
        return
    view = svc.spikes.answer_form(spike_id, ref)
    if view is not None:
        meta = json.loads(view["private_metadata"])
        view["private_metadata"] = json.dumps({**meta, "r": {"channel": ref["channel"], "ts": ref["ts"]}})
        _open(svc, body, view, ref)


def on_retry(svc: Services, body: dict[str, Any], action: dict[str, Any]) -> None:
    found = _spike(svc, body, action)
    if found:
        svc.workers.io_work(svc.spikes.retry_statement, found[0], found[1])


def on_hide(svc: Services, body: dict[str, Any], action: dict[str, Any]) -> None:
    found = _spike(svc, body, action)
    if found:
        svc.workers.io_work(svc.spikes.hide_abusive, found[0], found[1])


def _open(svc: Services, body: dict[str, Any], view: dict[str, Any], ref: dict[str, Any]) -> None:
    try:
        svc.gateway.open_view(body["trigger_id"], view)
    except SlackApiError as exc:
        svc.gateway.ephemeral(ref, f"Could not open the form ({exc.response.get('error')}); try again.")


def _submitted(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    meta = json.loads(body["view"].get("private_metadata") or "{}")
    return meta, {**(meta.get("r") or {}), "user": body["user"]["id"]}


def edit_submit(svc: Services, ack: Ack, body: dict[str, Any]) -> None:
    meta, ref = _submitted(body)
    values = body["view"]["state"]["values"]
    languages = [str(lang) for lang in meta.get("l") or [""]]
    texts: dict[str, str] = {}
    for i, language in enumerate(languages):
        block = version_block(language, i == 0)
        text = ((values.get(block) or {}).get("text") or {}).get("value") or ""
        if not text.strip():
            ack(response_action="errors", errors={block: "Write the statement, or close the form."})
            return
        texts[language] = text
    # The same guard as any draft, before the form closes: what it refuses is said on the
    # form in one line and cannot be overridden (approve_statement checks again).
    why = svc.spikes.check_edit(int(meta["s"]), texts, meta.get("u"))
    if why:
        ack(response_action="errors", errors={version_block(languages[0], True): why})
        return
    ack()
    svc.workers.io_work(svc.spikes.approve_statement, int(meta["s"]), ref, texts, meta.get("u"))


def answer_submit(svc: Services, ack: Ack, body: dict[str, Any]) -> None:
    meta, ref = _submitted(body)
    ack()
    if not svc.spikes.may_decide(int(meta["s"]), ref):
        return
    svc.workers.io_work(svc.spikes.answer_group, int(meta["s"]), [int(d) for d in meta.get("d") or []], ref)


def register(app: App, svc: Services) -> None:
    def bind(fn: Any) -> Any:
        def handler(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
            ack()
            fn(svc, body, action)
        return handler

    app.action(APPROVE)(bind(on_approve))
    app.action(EDIT)(bind(on_edit))
    app.action(ANSWER)(bind(on_answer))
    app.action(HIDE)(bind(on_hide))
    app.action(RETRY)(bind(on_retry))

    def edit(ack: Ack, body: dict[str, Any]) -> None:
        edit_submit(svc, ack, body)

    def answer(ack: Ack, body: dict[str, Any]) -> None:
        answer_submit(svc, ack, body)

    app.view(EDIT_VIEW)(edit)
    app.view(ANSWER_VIEW)(answer)
