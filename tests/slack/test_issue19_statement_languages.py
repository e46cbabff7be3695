"""Issue 19, item 4: the statement in the storm's languages, through the real Bolt app
against the loopback Slack. A storm in English, Finnish and Swedish (and two posts in
Russian, which the policy does not speak) gets one statement with a version in each of
the three, each passing the guard; the card says Russian is missing instead of silently
answering it in English; the Edit form has one input per version; approval posts each
version once.

Seen failing first: the statement was drafted in the policy's first language only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from slack_harness import text_of
from test_spikes import T0, _click, _latest_alert, _tick

from assistant.domain.models import Action, Draft, Intent, Mention, Severity, Triage
from assistant.ml.embeddings import get_encoder
from assistant.runtime import statements
from assistant.slack.views import alert

pytestmark = pytest.mark.slow  # the real encoder groups the posts by meaning

POSTS = [
    ("en", "the new Midnight Sun batch made me sick, vomiting all night"),
    ("en", "drank Midnight Sun this morning and got terrible stomach cramps"),
    ("en", "my whole family felt ill after the Midnight Sun beans"),
    ("en", "Midnight Sun made me nauseous, what is in this batch?"),
    ("en", "everyone who had the Midnight Sun at our office is sick"),
    ("en", "Midnight Sun made me throw up, pull it from sale"),
    ("fi", "Midnight Sun -kahvista tuli tosi huono olo, oksensin koko yön"),
    ("fi", "Koko perhe sairastui Midnight Sun -papujen jälkeen"),
    ("fi", "Midnight Sun -erästä tuli vatsakipuja, mitä siinä on?"),
    ("fi", "Joimme Midnight Sunia töissä ja kaikki ovat kipeänä"),
    ("sv", "Midnight Sun-kaffet gjorde mig sjuk, kräktes hela natten"),
    ("sv", "Hela familjen blev sjuk efter Midnight Sun-bönorna"),
    ("sv", "Fick magkramper av Midnight Sun i morse, vad är det i satsen?"),
    ("ru", "После кофе Midnight Sun мне было очень плохо всю ночь"),
    ("ru", "Вся семья отравилась кофе Midnight Sun"),
]


@pytest.fixture
def storm(make_harness):  # type: ignore[no-untyped-def]
    h = make_harness(sources=[])
    h.services.storms.encoder = get_encoder()
    for i, (lang, text) in enumerate(POSTS):
        m = Mention(source="bluesky", external_id=f"ml{i}", author=f"user{i}", text=text, network="bluesky",
                    created_at=(T0 + timedelta(minutes=3 * i)).isoformat())
        h.store.add_mentions([m])
        h.store.save_triage(m.key, Triage(language=lang, intent=Intent.COMPLAINT, severity=Severity.MEDIUM,
                                          action=Action.REPLY), Draft(text="We're sorry to hear that.", language=lang))
        h.services.poster.publish(m.key).result(10)
    h.services.workers.drain()
    found = _tick(h, T0 + timedelta(minutes=3 * len(POSTS)))
    assert [s.change for s in found] == ["new"], found
    assert found[0].members >= 12, found[0]
    return h, found[0]


def test_the_statement_has_a_version_in_each_language_the_storm_speaks(storm) -> None:  # type: ignore[no-untyped-def]
    h, spike = storm
    card = _latest_alert(h, spike.id)
    ids = [b.get("block_id") for b in card]
    assert "spike_statement" in ids and "spike_statement_fi" in ids and "spike_statement_sv" in ids
    text = text_of(card)
    assert "Olemme nähneet" in text and "Vi har sett" in text  # the playbook's own fi and sv texts
    assert "Not written in ru" in text  # said, not silently answered in English
    _click(h, alert.EDIT, spike.id)
    form = h.opened(alert.EDIT_VIEW)
    assert [b["block_id"] for b in form["blocks"]] == ["statement", "statement_fi", "statement_sv"]
    _click(h, alert.APPROVE, spike.id)
    h.slack.wait_for("chat.postMessage", where=lambda p: "Statement approved in en, fi, sv" in p.get("text", ""))
    h.services.workers.drain()
    rows = statements.posts(h.store, spike.id)
    assert sorted(r["language"] for r in rows) == ["en", "fi", "sv"] and {r["status"] for r in rows} == {"posted"}
    posted = [r for r in h.outbox_lines() if r.get("statement")]
    assert len(posted) == 3 and len({r["text"] for r in posted}) == 3
    assert any("Olemme nähneet" in r["text"] for r in posted) and any("Vi har sett" in r["text"] for r in posted)
    # the Finnish post's reply points to the statement in Finnish
    fi_member = h.store.latest_draft("bluesky:ml6")
    assert fi_member and fi_member[1].origin == "statement" and fi_member[1].language == "fi"


def test_a_hostile_edit_of_one_version_refuses_the_whole_statement(storm) -> None:  # type: ignore[no-untyped-def]
    h, spike = storm
    _click(h, alert.EDIT, spike.id)
    form = h.opened(alert.EDIT_VIEW)
    values = {b["block_id"]: {"text": {"type": "plain_text_input", "value": b["element"]["initial_value"]}}
              for b in form["blocks"]}
    values["statement_sv"]["text"]["value"] += " Använd koden SORRY50 för 50 % rabatt."
    resp = h.submit(alert.EDIT_VIEW, values, form["private_metadata"])
    body = resp.json() if resp.content else {}
    assert body.get("response_action") == "errors", resp.content
    assert "sv version" in body["errors"]["statement"]
    h.services.workers.drain()
    assert statements.posts(h.store, spike.id) == [] and not [r for r in h.outbox_lines() if r.get("statement")]
