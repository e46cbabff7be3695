"""The runtime's contract (assistant/domain/ports.py), checked the same way against the
real runtime and the tests' recording double: what the Slack app and the review core rely on."""

from __future__ import annotations

import inspect

import pytest
from slack_harness import QUESTION, RecordingRuntime

from assistant.connectors.base import Capabilities
from assistant.domain.ports import NetworkAction
from assistant.domain.ports import RuntimePort as Runtime
from assistant.runtime.service import Runtime as RealRuntime


@pytest.fixture(params=["real", "double"])
def made(request, make_harness):
    h = make_harness(sources=[]) if request.param == "real" else make_harness()
    return h


def test_both_runtimes_implement_every_method_with_the_protocols_signature():
    for cls in (RealRuntime, RecordingRuntime):
        for name, member in inspect.getmembers(Runtime, inspect.isfunction):
            if name.startswith("_"):
                continue
            impl = getattr(cls, name, None)
            assert impl is not None, f"{cls.__name__} lacks {name}"
            assert list(inspect.signature(impl).parameters) == list(inspect.signature(member).parameters), \
                f"{cls.__name__}.{name} differs from the protocol"


def test_the_runtime_answers_as_the_protocol_says(made):
    rt = made.runtime
    assert isinstance(rt, Runtime)
    mention_id = made.add(QUESTION, source="manual", external_id="c1")
    made.engine.process(mention_id)
    assert isinstance(rt.connector_name(mention_id), str)
    caps = rt.capabilities(mention_id)
    assert isinstance(caps, Capabilities) and caps.reply
    errors, warnings = rt.check_reply(mention_id, "Thanks!")
    assert errors == [] and isinstance(warnings, list)
    assert rt.check_reply(mention_id, "x" * 100_000)[0] or not made.real  # the real one measures the length
    assert isinstance(rt.is_local(rt.connector_name(mention_id)), bool)
    hidden = rt.hide(mention_id, "abuse")
    assert isinstance(hidden, NetworkAction) and not hidden.done and "not hidden" in hidden.detail
    sent = rt.send_private(mention_id, "Hello")
    assert isinstance(sent, NetworkAction) and not sent.done and "not sent" in sent.detail
    approval = made.store.approve(mention_id, "U1", "Thanks!", connector=rt.connector_name(mention_id))
    row = rt.deliver(approval.outbox_id)
    assert row["status"] == "posted"
    assert rt.retry(approval.outbox_id, "U1") is False  # it had not failed
    assert isinstance(rt.routes, list) and isinstance(rt.on_outcome, list) and isinstance(rt.on_processed, list)
