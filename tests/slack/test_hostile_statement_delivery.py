"""Hostile tests of a storm's consolidated statement and its delivery (README "Shitstorms:
one alert, one statement"), through the real Bolt app over HTTP against the loopback Slack,
with the statement posted by the real Mastodon connector to mastodon-mock behind a
FaultProxy (500/422/429/lost answers), or to the local outbox file.

Each break confirmed here was first a strict xfail naming what went wrong; ten were fixed in
024e6be, and their tests now guard the fix (each says what broke). The other tests document
what was tried and held."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_harness import APPROVER, APPROVER2, text_of
from test_spikes import ESCALATE, STORM, T0, _alert, _click, _latest_alert, _storm, _tick, _told

from assistant.connectors.sources import SourceConfig
from assistant.domain.models import Action, Draft, Intent, Mention, Severity, Triage
from assistant.ml.embeddings import get_encoder
from assistant.runtime import statements
from assistant.slack.views import alert

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "connectors"))
from servers import FaultProxy  # noqa: E402
from test_issue19_statement_languages import POSTS as ML_POSTS  # noqa: E402

mock_server = pytest.importorskip("mastodon_mock.testing.server")
pytestmark = pytest.mark.slow  # the real encoder groups the posts by meaning

POSTS = [p for p in ML_POSTS if p[0] != "ru"]  # a storm in en, fi and sv


@pytest.fixture(scope="module")
def masto() -> Iterator[Any]:
    with mock_server.MockServer() as server:
        yield server


def _multilingual(h) -> tuple[list[str], Any]:  # type: ignore[no-untyped-def]
    ids = []
    for i, (lang, text) in enumerate(POSTS):
        m = Mention(source="bluesky", external_id=f"ml{i}", author=f"user{i}", text=text, network="bluesky",
                    created_at=(T0 + timedelta(minutes=3 * i)).isoformat())
        h.store.add_mentions([m])
        h.store.save_triage(m.key, Triage(language=lang, intent=Intent.COMPLAINT, severity=Severity.MEDIUM,
                                          action=Action.REPLY), Draft(text="We're sorry to hear that.", language=lang))
        h.services.poster.publish(m.key).result(10)
        ids.append(m.key)
    h.services.workers.drain()
    found = _tick(h, T0 + timedelta(minutes=3 * len(POSTS)))
    assert [s.change for s in found] == ["new"], found
    return ids, found[0]


@pytest.fixture
def local_storm(make_harness):  # type: ignore[no-untyped-def]
    h = make_harness(sources=[])
    h.services.storms.encoder = get_encoder()
    ids = _storm(h)
    found = _tick(h, T0 + timedelta(minutes=3 * len(ids)))
    assert [s.change for s in found] == ["new"], found
    return h, ids, found[0]


@pytest.fixture
def ml_local(make_harness):  # type: ignore[no-untyped-def]
    h = make_harness(sources=[])
    h.services.storms.encoder = get_encoder()
    ids, spike = _multilingual(h)
    return h, ids, spike


def _masto_harness(masto, make_harness):  # type: ignore[no-untyped-def]
    masto.reset()
    proxy = FaultProxy(masto.base_url)
    source = SourceConfig(name="masto", connector="mastodon", poll_every=0,
                          options={"api_base_url": proxy.url, "access_token_env": "MASTO_TOKEN", "search": False})
    h = make_harness(sources=[source], env={"MASTO_TOKEN": "bob_token"})
    h.runtime.worker.base_delay, h.runtime.worker.jitter = 0.0, 0.0
    h.services.storms.encoder = get_encoder()
    return h, proxy


@pytest.fixture
def masto_storm(masto, make_harness):  # type: ignore[no-untyped-def]
    h, proxy = _masto_harness(masto, make_harness)
    ids = _storm(h)
    found = _tick(h, T0 + timedelta(minutes=3 * len(ids)))
    assert [s.change for s in found] == ["new"], found
    yield h, ids, found[0], proxy
    proxy.close()


@pytest.fixture
def masto_ml(masto, make_harness):  # type: ignore[no-untyped-def]
    h, proxy = _masto_harness(masto, make_harness)
    ids, spike = _multilingual(h)
    yield h, ids, spike, proxy
    proxy.close()


def _ours(masto: Any, text: str = "") -> list[dict[str, Any]]:
    bob = masto.client("bob")
    return [s for s in bob.account_statuses(bob.account_verify_credentials()["id"]) if text in s["content"]]


def _thread_says(h, words: str) -> None:  # type: ignore[no-untyped-def]
    h.slack.wait_for("chat.postMessage", where=lambda p: p.get("thread_ts") and words in p.get("text", ""))


def _form_values(form: dict[str, Any]) -> dict[str, Any]:
    return {b["block_id"]: {"text": {"type": "plain_text_input", "value": b["element"]["initial_value"]}}
            for b in form["blocks"]}


def _said(h) -> int:  # type: ignore[no-untyped-def]
    return len(h.slack.calls_to("chat.postEphemeral")) + sum(
        1 for p in h.slack.calls_to("chat.postMessage") if p.get("thread_ts"))


def _answered(h, before: int, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    """Wait until a click or submit was answered (a note in a thread or a message to the
    person: more than ``before`` of them), then for the background work it started."""
    import time
    end = time.monotonic() + timeout
    while time.monotonic() < end and _said(h) <= before:
        time.sleep(0.05)
    h.services.workers.drain()


def _thread_texts(h) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(p.get("text", "") for p in h.slack.calls_to("chat.postMessage") if p.get("thread_ts"))


# -- the group answer ------------------------------------------------------------------------


def test_a_forged_answer_form_cannot_approve_a_draft_outside_the_spike(local_storm) -> None:  # type: ignore[no-untyped-def]
    """A strict xfail until 024e6be (confirmed failing at 92edb65): answer_group approved any draft id in the
    form's private_metadata: a draft of a post outside the spike was approved and posted."""
    h, ids, spike = local_storm
    other = Mention(source="bluesky", external_id="outsider1", author="calm_customer",
                    text="do you ship to Norway?", network="bluesky", created_at=T0.isoformat())
    h.store.add_mentions([other])
    h.store.save_triage(other.key, Triage(language="en", intent=Intent.QUESTION, severity=Severity.LOW,
                                          action=Action.REPLY), Draft(text="Yes, we do.", language="en"))
    h.services.workers.drain()
    _click(h, alert.APPROVE, spike.id)
    _thread_says(h, "Statement approved")
    h.services.workers.drain()
    draft_id = h.store.latest_draft(other.key)[0]
    row = _alert(h, spike.id)
    meta = json.dumps({"s": spike.id, "d": [draft_id], "r": {"channel": row["channel"], "ts": row["ts"]}})
    h.submit(alert.ANSWER_VIEW, {}, meta)
    _told(h, "Each is posted once")
    h.services.workers.drain()
    assert h.store.get_mention(other.key)["status"] not in ("approved", "posted")
    assert not [r for r in h.outbox_lines() if r.get("mention") == other.key]


def test_answer_form_opened_then_statement_retry_pending_and_double_submit(local_storm) -> None:  # type: ignore[no-untyped-def]
    """Held: the group's form submitted twice (and by two people) posts each reply once."""
    h, ids, spike = local_storm
    _click(h, alert.APPROVE, spike.id)
    _click(h, alert.APPROVE, spike.id)
    _thread_says(h, "Statement approved")
    h.services.workers.drain()
    _click(h, alert.ANSWER, spike.id)
    form = h.opened(alert.ANSWER_VIEW)
    h.submit(alert.ANSWER_VIEW, {}, form["private_metadata"])
    h.submit(alert.ANSWER_VIEW, {}, form["private_metadata"], user=APPROVER2)
    _told(h, "Each is posted once", 2)
    h.services.workers.drain()
    replies = [r["mention"] for r in h.outbox_lines() if not r.get("statement")]
    assert len(replies) == len(set(replies)) > 0
    assert len([r for r in h.outbox_lines() if r.get("statement")]) == 1


def test_replies_wait_for_their_own_language_version(masto_ml, masto) -> None:  # type: ignore[no-untyped-def]
    """A strict xfail until 024e6be (confirmed failing at 92edb65): pointer replies went out once ANY version
    was posted: the English version failed (422) yet the English posts got replies pointing to it."""
    h, ids, spike, proxy = masto_ml
    proxy.inject("422", "POST", "/api/v1/statuses")  # the first version (en) is refused; fi, sv go out
    _click(h, alert.APPROVE, spike.id)
    _thread_says(h, "was not posted on masto")
    h.services.workers.drain()
    rows = {r["language"]: r["status"] for r in statements.posts(h.store, spike.id)}
    assert rows["en"] == "failed" and rows["fi"] == "posted"
    en_member = ids[0]
    latest = h.store.latest_draft(en_member)
    assert latest[1].origin != "statement"  # it would point to an English statement that is not out


def test_retry_after_a_partial_failure_posts_the_rest_once(masto_ml, masto) -> None:  # type: ignore[no-untyped-def]
    """Held: en refused, fi and sv posted; Retry (double-clicked) posts en once, nothing twice."""
    h, ids, spike, proxy = masto_ml
    proxy.inject("422", "POST", "/api/v1/statuses")
    _click(h, alert.APPROVE, spike.id)
    _thread_says(h, "was not posted on masto")
    h.services.workers.drain()
    assert len(_ours(masto)) == 2
    proxy.inject("lost", "POST", "/api/v1/statuses")  # the retry lands, but its answer is lost
    _click(h, alert.RETRY, spike.id)
    _click(h, alert.RETRY, spike.id)
    h.services.workers.drain()
    for _ in range(3):
        h.runtime.deliver_statements()
        h.services.workers.drain()
    rows = statements.posts(h.store, spike.id)
    assert {r["status"] for r in rows} == {"posted"}, rows
    posted = _ours(masto)
    assert len(posted) == 3, [p["content"][:40] for p in posted]


# -- delivery: lost answers, 429, races --------------------------------------------------------


def test_a_lost_bluesky_statement_is_found_after_a_hundred_other_posts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Broke before: find_status read only the account's newest 100 records, so a statement
    whose answer was lost was posted again once the brand had posted 100 other things."""
    from servers import serve_asgi
    from xrpc_fake import HANDLE, PASSWORD, XrpcFake

    from assistant.connectors.bluesky import BlueskyConnector
    from assistant.store import Store

    store = Store(tmp_path / "s.db")
    fake = XrpcFake()
    text = "We have seen your posts about the Midnight Sun blend. Next update by 12:00 UTC."
    with serve_asgi(fake.app()) as url:
        proxy = FaultProxy(url)
        try:
            sky = BlueskyConnector(source="sky", handle=HANDLE, app_password=PASSWORD, base_url=proxy.url,
                                   timeout=10, terms=[])
            assert statements.approve(store, 7, text, "en", APPROVER, ["sky"])
            proxy.inject("lost", "POST", "/xrpc/com.atproto.repo.createRecord")
            [row] = statements.deliver(store, 7, {"sky": sky}, backoff=lambda a, r: 0.0)
            assert row["status"] == "pending"  # it landed; the answer was lost
            for i in range(100):  # the account goes on posting (other replies, other news)
                sky.post_status(f"Other news number {i} from the roastery.", f"other-{i}")
            statements.run_due(store, {"sky": sky}, backoff=lambda a, r: 0.0)
            ours = [p for p in fake.posts.values() if p["author"]["did"] == fake.did and p["record"]["text"] == text]
            assert len(ours) == 1, len(ours)
        finally:
            proxy.close()
            store.close()


def test_a_lost_answer_on_bluesky_is_not_posted_twice(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A strict xfail until 024e6be (confirmed failing at 92edb65): Bluesky takes no idempotency key and no
    connector had find_status: a statement that landed but whose answer was lost was posted again by the
    worker's round."""
    from servers import serve_asgi
    from xrpc_fake import HANDLE, PASSWORD, XrpcFake

    from assistant.connectors.bluesky import BlueskyConnector
    from assistant.store import Store

    store = Store(tmp_path / "s.db")
    fake = XrpcFake()
    text = "We have seen your posts about the Midnight Sun blend. Next update by 12:00 UTC."
    with serve_asgi(fake.app()) as url:
        proxy = FaultProxy(url)
        try:
            sky = BlueskyConnector(source="sky", handle=HANDLE, app_password=PASSWORD, base_url=proxy.url,
                                   timeout=10, terms=[])
            assert statements.approve(store, 7, text, "en", APPROVER, ["sky"])
            proxy.inject("lost", "POST", "/xrpc/com.atproto.repo.createRecord")
            [row] = statements.deliver(store, 7, {"sky": sky}, backoff=lambda a, r: 0.0)
            ours = [p for p in fake.posts.values() if p["author"]["did"] == fake.did]
            assert len(ours) == 1 and row["status"] == "pending", (row, ours)  # it landed; the answer was lost
            statements.run_due(store, {"sky": sky}, backoff=lambda a, r: 0.0)
            [row] = statements.posts(store, 7)
            ours = [p for p in fake.posts.values() if p["author"]["did"] == fake.did]
            assert row["status"] == "posted"
            assert len(ours) == 1, [p["record"]["text"] for p in ours]
        finally:
            proxy.close()
            store.close()


def test_a_lost_answer_is_not_posted_twice_by_the_worker(masto_storm, masto) -> None:  # type: ignore[no-untyped-def]
    h, ids, spike, proxy = masto_storm
    proxy.inject("lost", "POST", "/api/v1/statuses")
    _click(h, alert.APPROVE, spike.id)
    _thread_says(h, "Statement approved")
    h.services.workers.drain()
    [row] = statements.posts(h.store, spike.id)
    assert row["status"] == "pending" and row["last_error"]
    assert len(_ours(masto, "Midnight Sun")) == 1  # it landed
    h.runtime.deliver_statements()
    h.services.workers.drain()
    [row] = statements.posts(h.store, spike.id)
    assert row["status"] == "posted"
    assert len(_ours(masto, "Midnight Sun")) == 1


def test_a_429_waits_for_retry_after(masto_storm, masto) -> None:  # type: ignore[no-untyped-def]
    h, ids, spike, proxy = masto_storm
    proxy.inject("429", "POST", "/api/v1/statuses", retry_after="120")
    _click(h, alert.APPROVE, spike.id)
    _thread_says(h, "Statement approved")
    h.services.workers.drain()
    [row] = statements.posts(h.store, spike.id)
    assert row["status"] == "pending" and row["next_attempt_at"]
    assert h.runtime.deliver_statements() == 0  # not due for two minutes
    assert _ours(masto, "Midnight Sun") == []
    assert "trying again" in text_of(_latest_alert(h, spike.id))


def test_retry_racing_the_worker_round_posts_once(masto_storm, masto) -> None:  # type: ignore[no-untyped-def]
    h, ids, spike, proxy = masto_storm
    proxy.inject("422", "POST", "/api/v1/statuses")
    _click(h, alert.APPROVE, spike.id)
    _thread_says(h, "was not posted on masto")
    h.services.workers.drain()
    statements.retry(h.store, spike.id, APPROVER)  # someone else's Retry already put it back
    start = threading.Barrier(3)

    def worker() -> None:
        start.wait()
        h.runtime.deliver_statements()

    def click() -> None:
        start.wait()
        h.services.spikes._deliver(spike.id, h.services.spikes.accounts(spike.id))

    threads = [threading.Thread(target=worker), threading.Thread(target=click), threading.Thread(target=worker)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    h.services.workers.drain()
    assert len(_ours(masto, "Midnight Sun")) == 1
    [row] = statements.posts(h.store, spike.id)
    assert row["status"] == "posted"


def test_two_approvals_at_the_same_instant_queue_once(local_storm) -> None:  # type: ignore[no-untyped-def]
    h, ids, spike = local_storm
    start = threading.Barrier(4)
    results: list[Any] = []

    def approve(n: int) -> None:
        start.wait()
        try:
            results.append(statements.approve(h.store, spike.id, "We are looking into it.", "en", f"U{n}", ["local"]))
        except Exception as exc:  # noqa: BLE001
            results.append(exc)

    threads = [threading.Thread(target=approve, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(map(repr, results)) == ["False", "False", "False", "True"], results
    assert len(statements.posts(h.store, spike.id)) == 1


# -- versions: hostile edits and forged forms --------------------------------------------------


def test_an_edit_form_missing_a_language_block_still_posts_every_version(ml_local) -> None:  # type: ignore[no-untyped-def]
    """A strict xfail until 024e6be (confirmed failing at 92edb65): the Edit form's languages came from
    private_metadata 'l' unchecked: a form naming only 'en' posted no fi or sv version."""
    h, ids, spike = ml_local
    _click(h, alert.EDIT, spike.id)
    form = h.opened(alert.EDIT_VIEW)
    meta = json.loads(form["private_metadata"])
    assert meta["l"] == ["en", "fi", "sv"]
    meta["l"] = ["en"]
    values = {"statement": _form_values(form)["statement"]}
    before = _said(h)
    h.submit(alert.EDIT_VIEW, values, json.dumps(meta))
    _answered(h, before)
    rows = statements.posts(h.store, spike.id)
    assert rows == [] or sorted(r["language"] for r in rows) == ["en", "fi", "sv"], rows


def test_an_edit_form_with_an_extra_language_block_in_the_wrong_language_is_refused(ml_local) -> None:  # type: ignore[no-untyped-def]
    """Held: a forged extra 'ru' block whose text is English is refused by the guard's language check."""
    h, ids, spike = ml_local
    _click(h, alert.EDIT, spike.id)
    form = h.opened(alert.EDIT_VIEW)
    meta = json.loads(form["private_metadata"])
    values = _form_values(form)
    meta["l"] = [*meta["l"], "ru"]
    values["statement_ru"] = {"text": {"type": "plain_text_input", "value": values["statement"]["text"]["value"]}}
    resp = h.submit(alert.EDIT_VIEW, values, json.dumps(meta))
    assert resp.json()["response_action"] == "errors"
    assert "Not posted" in resp.json()["errors"]["statement"]
    h.services.workers.drain()
    assert statements.posts(h.store, spike.id) == []


def test_an_edit_form_with_an_extra_language_the_storm_does_not_speak_posts_no_such_version(ml_local) -> None:  # type: ignore[no-untyped-def]
    """A strict xfail until 024e6be (confirmed failing at 92edb65): a forged edit form adding a 'de' block (a
    language the storm does not speak) posted a German version."""
    from assistant.domain.models import utcnow
    from assistant.storms import draft_statement
    h, ids, spike = ml_local
    _click(h, alert.EDIT, spike.id)
    form = h.opened(alert.EDIT_VIEW)
    meta = json.loads(form["private_metadata"])
    values = _form_values(form)
    german = draft_statement(spike, h.services.spikes.policy(spike.id), "de", now=utcnow()).text
    meta["l"] = [*meta["l"], "de"]
    values["statement_de"] = {"text": {"type": "plain_text_input", "value": german}}
    before = _said(h)
    h.submit(alert.EDIT_VIEW, values, json.dumps(meta))
    _answered(h, before)
    rows = statements.posts(h.store, spike.id)
    assert "de" not in {r["language"] for r in rows}, rows


def test_an_edit_form_opened_before_a_language_joined_the_storm(make_harness) -> None:  # type: ignore[no-untyped-def]
    # A strict xfail until 024e6be (confirmed failing at 92edb65): an Edit form opened before
    # Swedish joined the storm, submitted after the card showed a Swedish version, posted only en, fi.
    """The form lists en and fi; then Swedish posts join (sv reaches 10%); the old form is
    submitted. What is posted must cover the storm's languages at approval, or be refused."""
    h = make_harness(sources=[])
    h.services.storms.encoder = get_encoder()
    first = [p for p in POSTS if p[0] != "sv"] + [("en", t) for t in STORM[7:12] if "Kaffee" not in t
                                                 and "kahvista" not in t]
    ids = []
    for i, (lang, text) in enumerate(first):
        m = Mention(source="bluesky", external_id=f"ml{i}", author=f"user{i}", text=text, network="bluesky",
                    created_at=(T0 + timedelta(minutes=3 * i)).isoformat())
        h.store.add_mentions([m])
        h.store.save_triage(m.key, Triage(language=lang, intent=Intent.COMPLAINT, severity=Severity.MEDIUM,
                                          action=Action.REPLY), Draft(text="We're sorry to hear that.", language=lang))
        h.services.poster.publish(m.key).result(10)
    h.services.workers.drain()
    end = T0 + timedelta(minutes=3 * len(first))
    [spike] = _tick(h, end)
    _click(h, alert.EDIT, spike.id)
    form = h.opened(alert.EDIT_VIEW)
    assert json.loads(form["private_metadata"])["l"] == ["en", "fi"]
    sv = [p for p in POSTS if p[0] == "sv"] + [("sv", "Midnight Sun gav mig ont i magen hela dagen, vad hände?"),
                                               ("sv", "Min fru blev också sjuk av Midnight Sun-kaffet")]
    for j, (lang, text) in enumerate(sv):
        m = Mention(source="bluesky", external_id=f"sv{j}", author=f"sv{j}", text=text, network="bluesky",
                    created_at=(end + timedelta(minutes=1 + j)).isoformat())
        h.store.add_mentions([m])
        h.store.save_triage(m.key, Triage(language=lang, intent=Intent.COMPLAINT, severity=Severity.MEDIUM,
                                          action=Action.REPLY), Draft(text="Vi beklagar.", language=lang))
        h.services.poster.publish(m.key).result(10)
    h.services.workers.drain()
    [grown] = _tick(h, end + timedelta(minutes=len(sv) + 1))
    ids = [b.get("block_id") for b in _latest_alert(h, spike.id)]
    values = _form_values(form)  # the person keeps the figures up to date by hand
    for v in values.values():
        v["text"]["value"] = v["text"]["value"].replace(str(spike.members), str(grown.members))
    if "spike_statement_sv" not in ids:
        pytest.skip(f"the Swedish posts did not make sv a statement language here: {ids}")
    before = _said(h)
    h.submit(alert.EDIT_VIEW, values, form["private_metadata"])
    _answered(h, before)
    rows = statements.posts(h.store, spike.id)
    assert rows == [] or "sv" in {r["language"] for r in rows}, [r["language"] for r in rows]


def test_a_forged_language_name_is_not_slack_markup_in_the_thread(ml_local) -> None:  # type: ignore[no-untyped-def]
    h, ids, spike = ml_local
    _click(h, alert.EDIT, spike.id)
    form = h.opened(alert.EDIT_VIEW)
    meta = json.loads(form["private_metadata"])
    values = _form_values(form)
    meta["l"] = [*meta["l"], "<!channel>"]
    values["statement_<!channel>"] = {"text": {"type": "plain_text_input", "value": values["statement_fi"]["text"]["value"]}}
    h.submit(alert.EDIT_VIEW, values, json.dumps(meta))
    h.services.workers.drain()
    assert "<!channel>" not in _thread_texts(h)
    assert "<!channel>" not in json.dumps(_latest_alert(h, spike.id))
    assert h.slack.violations == []


def test_a_hostile_finnish_version_is_refused_on_the_form(ml_local) -> None:  # type: ignore[no-untyped-def]
    h, ids, spike = ml_local
    _click(h, alert.EDIT, spike.id)
    form = h.opened(alert.EDIT_VIEW)
    for hostile in (" Lue lisää: https://evil.example/info", " Soita numeroon +358 40 123 4567.",
                    " We are very sorry, this is the English text.", " <!channel> <script>alert(1)</script>"):
        values = _form_values(form)
        values["statement_fi"]["text"]["value"] += hostile
        resp = h.submit(alert.EDIT_VIEW, values, form["private_metadata"])
        body = resp.json() if resp.content else {}
        h.services.workers.drain()
        if body.get("response_action") != "errors":  # posted: then at least escaped
            assert "<!channel>" not in json.dumps(_latest_alert(h, spike.id)), hostile
            assert "<!channel>" not in _thread_texts(h)
            break
        assert "fi version" in body["errors"]["statement"], (hostile, body)
    assert statements.posts(h.store, spike.id) == [] or "<!channel>" in hostile
    assert h.slack.violations == []


def test_a_hostile_version_that_passes_is_escaped_on_the_card(ml_local) -> None:  # type: ignore[no-untyped-def]
    h, ids, spike = ml_local
    _click(h, alert.EDIT, spike.id)
    form = h.opened(alert.EDIT_VIEW)
    values = _form_values(form)
    values["statement_sv"]["text"]["value"] = "<!channel> " + values["statement_sv"]["text"]["value"] + " <@U123> &"
    resp = h.submit(alert.EDIT_VIEW, values, form["private_metadata"])
    body = resp.json() if resp.content else {}
    if body.get("response_action") == "errors":
        assert "sv version" in body["errors"]["statement"]
        return
    _thread_says(h, "Statement approved")
    h.services.workers.drain()
    card = json.dumps(_latest_alert(h, spike.id))
    assert "<!channel>" not in card and "<@U123>" not in card
    assert h.slack.violations == []


# -- per brand ---------------------------------------------------------------------------------


def test_a_user_not_approving_for_the_brand_cannot_approve_retry_or_answer(local_storm) -> None:  # type: ignore[no-untyped-def]
    from slack_harness import OUTSIDER
    h, ids, spike = local_storm
    for action in (alert.APPROVE, alert.RETRY, alert.ANSWER, alert.HIDE):
        _click(h, action, spike.id, user=OUTSIDER)
    _click(h, alert.EDIT, spike.id, user=OUTSIDER)
    h.slack.wait_for("chat.postEphemeral", 4, timeout=30)
    h.services.workers.drain()
    if h.slack.calls_to("views.open"):
        form = h.opened(alert.EDIT_VIEW)
        h.submit(alert.EDIT_VIEW, _form_values(form), form["private_metadata"], user=OUTSIDER)
        h.services.workers.drain()
    assert statements.posts(h.store, spike.id) == []
    assert not h.outbox_lines()


def test_a_click_with_another_spikes_value_on_this_card_changes_nothing(local_storm) -> None:  # type: ignore[no-untyped-def]
    from devtools.loopback import block_actions
    h, ids, spike = local_storm
    row = _alert(h, spike.id)
    h.driver.interact(block_actions(alert.APPROVE, alert.value(spike.id + 1), APPROVER, row["channel"],
                                    row["ts"], h.slack.response_url("alert")))
    h.driver.interact(block_actions(alert.APPROVE, alert.value(spike.id), APPROVER, ESCALATE,
                                    "1.000", h.slack.response_url("alert")))
    _told(h, "not this spike's alert card", 2)
    assert statements.posts(h.store, spike.id) == []


# -- detection ---------------------------------------------------------------------------------

UNRELATED = [
    "my order from last week still has not arrived, tracking says nothing",
    "the barista at Kallio was really rude to me this morning",
    "your website checkout keeps crashing when I pay with card",
    "why did the price of a bag of beans go up again?? too expensive now",
    "the grinder I bought from you broke after two weeks",
    "the Tampere cafe was closed at 10 even though it says open",
    "I was charged twice for my subscription this month",
    "the oat milk in my latte tasted sour today",
    "your newsletter spams me every day, unsubscribe does not work",
    "the wifi in the harbour cafe never works, useless for working",
    "delivery driver left my parcel in the rain, beans soaked",
    "the app logs me out every time I open it",
    "croissants were stale and hard at the Kallio cafe",
    "customer support has not answered my email for a week",
    "the loyalty card stamps disappeared from my account",
    "music in the cafe is way too loud, cannot hear my friend",
]


def _add_complaints(h, texts: list[str], start, step_minutes: float, prefix: str) -> None:  # type: ignore[no-untyped-def]
    for i, text in enumerate(texts):
        m = Mention(source="bluesky", external_id=f"{prefix}{i}", author=f"{prefix}{i}", text=text, network="bluesky",
                    created_at=(start + timedelta(minutes=step_minutes * i)).isoformat())
        h.store.add_mentions([m])
        h.store.save_triage(m.key, Triage(language="en", intent=Intent.COMPLAINT, severity=Severity.MEDIUM,
                                          action=Action.REPLY), Draft(text="We're sorry to hear that.", language="en"))


def test_a_burst_of_unrelated_complaints_on_a_busy_day_raises_no_alert(make_harness) -> None:  # type: ignore[no-untyped-def]
    """Held: sixteen complaints about sixteen things in one hour (usually three) raise no alert."""
    h = make_harness(sources=[])
    h.services.storms.encoder = get_encoder()
    # the day before: the same kinds of complaints, about three an hour (the usual rate)
    _add_complaints(h, UNRELATED * 4, T0 - timedelta(hours=22), 20.0, "usual")
    _add_complaints(h, UNRELATED, T0, 3.5, "busy")  # then sixteen in one hour, each about something else
    found = _tick(h, T0 + timedelta(minutes=58))
    assert found == [], [(s.members, s.common_words) for s in found]


def test_a_storm_with_no_created_at_still_raises_one_alert(make_harness) -> None:  # type: ignore[no-untyped-def]
    from assistant.domain.models import utcnow
    h = make_harness(sources=[])
    h.services.storms.encoder = get_encoder()
    for i, text in enumerate(STORM):
        m = Mention(source="bluesky", external_id=f"nodate{i}", author=f"n{i}", text=text, network="bluesky",
                    created_at=None)
        h.store.add_mentions([m])
        h.store.save_triage(m.key, Triage(language="en", intent=Intent.COMPLAINT, severity=Severity.MEDIUM,
                                          action=Action.REPLY), Draft(text="We're sorry to hear that.", language="en"))
    found = _tick(h, utcnow() + timedelta(minutes=1))
    assert [s.change for s in found] == ["new"], found
    assert found[0].members >= 10
    assert _tick(h, utcnow() + timedelta(minutes=2)) == [] or all(
        s.change != "new" for s in _tick(h, utcnow() + timedelta(minutes=3)))


# -- more delivery: an HTTP-date Retry-After, a worker killed mid-post ---------------------------


def test_a_429_with_an_http_date_retry_after_waits(masto_storm, masto) -> None:  # type: ignore[no-untyped-def]
    import email.utils
    import time
    h, ids, spike, proxy = masto_storm
    proxy.inject("429", "POST", "/api/v1/statuses", retry_after=email.utils.formatdate(time.time() + 180, usegmt=True))
    _click(h, alert.APPROVE, spike.id)
    _thread_says(h, "Statement approved")
    h.services.workers.drain()
    assert h.runtime.deliver_statements() == 0
    assert _ours(masto, "Midnight Sun") == []
    [row] = statements.posts(h.store, spike.id)
    assert row["status"] == "pending" and row["next_attempt_at"]


class _Killed(BaseException):
    pass


class _DiesAfter:
    """The real connector, but the worker 'dies' right after the n-th post landed (before it is recorded)."""

    def __init__(self, real: Any, n: int) -> None:
        self.real, self.n, self.name = real, n, real.name

    def capabilities(self) -> Any:
        return self.real.capabilities()

    def post_status(self, text: str, idempotency_key: str) -> Any:
        posted = self.real.post_status(text, idempotency_key)
        self.n -= 1
        if self.n == 0:
            raise _Killed()
        return posted


def test_a_worker_killed_mid_post_with_three_versions_posts_each_once(masto_ml, masto) -> None:  # type: ignore[no-untyped-def]
    from assistant.domain.models import utcnow
    h, ids, spike, proxy = masto_ml
    accounts = h.services.spikes.accounts(spike.id)
    assert list(accounts) == ["masto"]
    drafted, _ = h.services.spikes.drafts(spike, h.services.spikes.policy(spike.id), now=utcnow())
    assert len(drafted) == 3
    first, *others = drafted
    assert statements.approve(h.store, spike.id, first.text, first.language, APPROVER, ["masto"],
                              also={d.language: d.text for d in others})
    with pytest.raises(_Killed):
        statements.deliver(h.store, spike.id, {"masto": _DiesAfter(accounts["masto"], 2)})
    assert [r["status"] for r in statements.posts(h.store, spike.id)] == ["posted", "sending", "pending"]
    h.runtime.deliver_statements()  # a new worker, before the lease ends: the third goes, the second waits
    assert [r["status"] for r in statements.posts(h.store, spike.id)] == ["posted", "sending", "posted"]
    statements.run_due(h.store, accounts, now=utcnow() + timedelta(seconds=statements.LEASE_SECONDS + 5))
    rows = statements.posts(h.store, spike.id)
    assert [r["status"] for r in rows] == ["posted"] * 3, rows
    assert len(_ours(masto)) == 3, [s["content"][:50] for s in _ours(masto)]


# -- the group: a late member, a crisis member in a forged form, brands --------------------------


def test_a_post_joining_after_the_statement_is_listed_with_a_pointer_reply(local_storm) -> None:  # type: ignore[no-untyped-def]
    h, ids, spike = local_storm
    _click(h, alert.APPROVE, spike.id)
    _thread_says(h, "Statement approved")
    h.services.workers.drain()
    late = Mention(source="bluesky", external_id="late1", author="latecomer", network="bluesky",
                   text="just drank the Midnight Sun batch and now I am sick too, vomiting",
                   created_at=(T0 + timedelta(minutes=3 * len(ids) + 2)).isoformat())
    h.store.add_mentions([late])
    h.store.save_triage(late.key, Triage(language="en", intent=Intent.COMPLAINT, severity=Severity.MEDIUM,
                                         action=Action.REPLY), Draft(text="We're sorry to hear that.", language="en"))
    h.services.poster.publish(late.key).result(10)
    h.services.workers.drain()
    _tick(h, T0 + timedelta(minutes=3 * len(ids) + 4))
    from assistant.storms import spike_for_mention
    if spike_for_mention(h.store, late.key) != spike.id:
        pytest.skip("the late post did not join the spike")
    _click(h, alert.ANSWER, spike.id)
    form = h.opened(alert.ANSWER_VIEW)
    listed = json.loads(form["private_metadata"])["d"]
    latest = h.store.latest_draft(late.key)
    assert latest[1].origin == "statement" and latest[0] in listed


def test_a_forged_answer_form_with_a_crisis_members_draft_is_refused(local_storm) -> None:  # type: ignore[no-untyped-def]
    h, ids, spike = local_storm
    crisis = ids[1]
    h.store.db.execute("UPDATE triage SET severity = 'high' WHERE mention_id = ?", [crisis])
    h.store.db.conn.commit()
    _click(h, alert.APPROVE, spike.id)
    _thread_says(h, "Statement approved")
    h.services.workers.drain()
    row = _alert(h, spike.id)
    meta = json.dumps({"s": spike.id, "d": [h.store.latest_draft(crisis)[0]],
                       "r": {"channel": row["channel"], "ts": row["ts"]}})
    h.submit(alert.ANSWER_VIEW, {}, meta)
    _told(h, "Each is posted once")
    assert h.store.get_mention(crisis)["status"] not in ("approved", "posted")


def test_an_approver_of_one_brand_cannot_approve_another_brands_reply_through_the_group_form(
        make_harness, slack, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A strict xfail until 024e6be (confirmed failing at 92edb65): a person who approves for the roaster
    approved and posted the bike shop's reply through a forged group form."""
    import shutil
    root = Path(__file__).resolve().parents[2]
    folder = tmp_path / "policies"
    folder.mkdir()
    shutil.copy(root / "policies" / "aurora-roasters.yaml", folder)
    shutil.copy(root / "examples" / "policies" / "de-spaak.yaml", folder)
    slack.channels.update({"spaak-escalaties": "CSPAAKESC", "spaak-replies": "CSPAAKREV"})
    slack.members["CSPAAKREV"] = ["UAPPROVER1"]
    slack.members["CSPAAKESC"] = ["UAPPROVER1"]
    # each brand's approvers are its own review channel's members (no deployment-wide channel)
    h = make_harness(sources=[], policies_dir=folder, brand="aurora-roasters", review_channel=None)
    h.services.storms.encoder = get_encoder()
    if not h.services.access.is_approver(APPROVER2, "aurora-roasters") or h.services.access.is_approver(APPROVER2, "de-spaak"):
        pytest.skip("the loopback directory does not make APPROVER2 a roaster-only approver")
    for i, text in enumerate(STORM):
        m = Mention(source="bluesky", external_id=f"coffee{i}", author=f"c{i}", text=text, network="bluesky",
                    created_at=(T0 + timedelta(minutes=3 * i)).isoformat())
        h.store.add_mentions([m], brand="aurora-roasters")
        h.store.save_triage(m.key, Triage(language="en", intent=Intent.COMPLAINT, severity=Severity.MEDIUM,
                                          action=Action.REPLY), Draft(text="We're sorry to hear that.", language="en"))
        h.services.poster.publish(m.key).result(10)
    bike = Mention(source="bluesky", external_id="bike1", author="fietser", network="bluesky",
                   text="Wanneer is mijn fiets klaar?", created_at=T0.isoformat())
    h.store.add_mentions([bike], brand="de-spaak")
    h.store.save_triage(bike.key, Triage(language="nl", intent=Intent.QUESTION, severity=Severity.LOW,
                                         action=Action.REPLY), Draft(text="Morgen is hij klaar.", language="nl"))
    h.services.workers.drain()
    found = [s for s in _tick(h, T0 + timedelta(minutes=3 * len(STORM))) if s.brand == "aurora-roasters"]
    assert found, "no roaster spike"
    spike = found[0]
    _click(h, alert.APPROVE, spike.id, user=APPROVER2)
    _thread_says(h, "Statement approved")
    h.services.workers.drain()
    row = _alert(h, spike.id)
    meta = json.dumps({"s": spike.id, "d": [h.store.latest_draft(bike.key)[0]],
                       "r": {"channel": row["channel"], "ts": row["ts"]}})
    h.submit(alert.ANSWER_VIEW, {}, meta, user=APPROVER2)
    _told(h, "Each is posted once")
    h.services.workers.drain()
    assert h.store.get_mention(bike.key)["status"] not in ("approved", "posted")


def test_a_brand_posting_on_the_local_outbox_is_retried_by_the_worker_beside_another_brands_mastodon(
        masto, make_harness, slack, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A strict xfail until 024e6be (confirmed failing at 92edb65): the worker's round looked accounts up for no
    brand, where another brand's Mastodon hid 'local': a timeout became 'no account named local' (failed)."""
    import shutil

    from assistant.connectors.base import PostError
    root = Path(__file__).resolve().parents[2]
    folder = tmp_path / "policies"
    folder.mkdir()
    shutil.copy(root / "policies" / "aurora-roasters.yaml", folder)
    shutil.copy(root / "examples" / "policies" / "de-spaak.yaml", folder)
    slack.channels.update({"spaak-escalaties": "CSPAAKESC", "spaak-replies": "CSPAAKREV"})
    slack.members["CSPAAKREV"] = ["UAPPROVER1"]
    masto.reset()
    source = SourceConfig(name="masto", connector="mastodon", brand="aurora-roasters", poll_every=0,
                          options={"api_base_url": masto.base_url, "access_token_env": "MASTO_TOKEN", "search": False})
    h = make_harness(sources=[source], env={"MASTO_TOKEN": "bob_token"}, policies_dir=folder, brand="aurora-roasters")
    h.runtime.worker.base_delay, h.runtime.worker.jitter = 0.0, 0.0
    h.services.storms.encoder = get_encoder()
    from test_issue19_two_brands import BIKES, _add
    _add(h, "de-spaak", BIKES, "bike", "nl")
    h.services.workers.drain()
    found = [s for s in _tick(h, T0 + timedelta(minutes=3 * len(BIKES))) if s.brand == "de-spaak"]
    assert found, "no bike shop spike"
    spike = found[0]
    assert list(h.services.spikes.accounts(spike.id)) == ["local"]
    real = h.runtime.local.post_status
    calls = []

    def flaky(text: str, key: str) -> Any:
        calls.append(key)
        if len(calls) == 1:
            raise PostError("local outbox: disk busy", permanent=False)
        return real(text, key)

    h.runtime.local.post_status = flaky
    _click(h, alert.APPROVE, spike.id)
    _thread_says(h, "Statement approved")
    h.services.workers.drain()
    assert {r["status"] for r in statements.posts(h.store, spike.id)} == {"pending"}
    h.runtime.deliver_statements()
    h.services.workers.drain()
    rows = statements.posts(h.store, spike.id)
    assert {r["status"] for r in rows} == {"posted"}, [(r["status"], r["last_error"]) for r in rows]


def test_a_merged_spikes_card_posts_no_second_statement(local_storm) -> None:  # type: ignore[no-untyped-def]
    """A strict xfail until 024e6be (confirmed failing at 92edb65): a spike closed as 'merged' kept its card's
    Approve, and approving posted a second statement for the same storm."""
    h, ids, spike = local_storm
    # what _merge_spikes does when two spikes' groups become one: the younger is closed as 'merged'
    with h.store.transaction() as db:
        db.execute("UPDATE spikes SET status = 'merged', calmed_at = updated_at WHERE id = ?", [spike.id])
    before = _said(h)
    _click(h, alert.APPROVE, spike.id)
    _answered(h, before)
    assert statements.posts(h.store, spike.id) == []
    assert not [r for r in h.outbox_lines() if r.get("statement")]


def test_a_storm_of_only_questions_raises_no_alert_as_documented(make_harness) -> None:  # type: ignore[no-untyped-def]
    """Documents the README's rule (questions join a storm, never start one): thirty people asking
    within the hour whether the Midnight Sun batch is safe raise no alert on their own."""
    h = make_harness(sources=[])
    h.services.storms.encoder = get_encoder()
    asks = ["is the Midnight Sun batch safe to drink?", "anyone else feel sick after Midnight Sun??",
            "should I throw away my Midnight Sun beans?", "is there a recall on Midnight Sun?",
            "what is going on with the Midnight Sun batch?", "did Midnight Sun make anyone else ill?"] * 5
    for i, text in enumerate(asks):
        m = Mention(source="bluesky", external_id=f"ask{i}", author=f"a{i}", text=text, network="bluesky",
                    created_at=(T0 + timedelta(minutes=2 * i)).isoformat())
        h.store.add_mentions([m])
        h.store.save_triage(m.key, Triage(language="en", intent=Intent.QUESTION, severity=Severity.MEDIUM,
                                          action=Action.REPLY), Draft(text="We are looking into it.", language="en"))
    assert _tick(h, T0 + timedelta(minutes=59)) == []


def test_the_group_answer_does_not_answer_a_missing_language_in_english(make_harness) -> None:  # type: ignore[no-untyped-def]
    """A strict xfail until 024e6be (confirmed failing at 92edb65): the group answer posted an English pointer
    reply to each Russian post (the playbook has no ru pointer)."""
    h = make_harness(sources=[])
    h.services.storms.encoder = get_encoder()
    ru = [("ru", "После кофе Midnight Sun мне было очень плохо всю ночь"),
          ("ru", "Вся семья отравилась кофе Midnight Sun")]
    for i, (lang, text) in enumerate(POSTS + ru):
        m = Mention(source="bluesky", external_id=f"ml{i}", author=f"user{i}", text=text, network="bluesky",
                    created_at=(T0 + timedelta(minutes=3 * i)).isoformat())
        h.store.add_mentions([m])
        h.store.save_triage(m.key, Triage(language=lang, intent=Intent.COMPLAINT, severity=Severity.MEDIUM,
                                          action=Action.REPLY), Draft(text="We're sorry to hear that.", language=lang))
        h.services.poster.publish(m.key).result(10)
    h.services.workers.drain()
    [spike] = _tick(h, T0 + timedelta(minutes=3 * len(POSTS + ru)))
    from assistant.storms import members
    russian = [m.mention_id for m in members(h.store, spike.id) if m.language == "ru"]
    if not russian:
        pytest.skip("no Russian post joined the spike")
    assert "Not written in ru" in text_of(_latest_alert(h, spike.id))
    _click(h, alert.APPROVE, spike.id)
    _thread_says(h, "Statement approved")
    h.services.workers.drain()
    _click(h, alert.ANSWER, spike.id)
    form = h.opened(alert.ANSWER_VIEW)
    h.submit(alert.ANSWER_VIEW, {}, form["private_metadata"])
    _told(h, "Each is posted once")
    h.services.workers.drain()
    sent = [r for r in h.outbox_lines() if not r.get("statement") and r.get("mention") in russian]
    assert not [r for r in sent if "Thank you for telling us" in r["text"]], [r["text"][:60] for r in sent]


def test_plain_approve_posts_only_the_versions_the_card_shows(make_harness) -> None:  # type: ignore[no-untyped-def]
    """The card is redrawn at most every 10 minutes (unless the group grows 20%): Swedish posts
    that make sv a statement language in between are not on the card yet. Approve must post
    what the card shows (or refuse and redraw), not a version nobody saw. Broke before: the
    Swedish version was drafted at the click and posted unseen."""
    h = make_harness(sources=[])
    h.services.storms.encoder = get_encoder()
    first = [p for p in POSTS if p[0] != "sv"] + [("en", t) for t in STORM[7:12] if "Kaffee" not in t
                                                 and "kahvista" not in t]
    for i, (lang, text) in enumerate(first):
        m = Mention(source="bluesky", external_id=f"ml{i}", author=f"user{i}", text=text, network="bluesky",
                    created_at=(T0 + timedelta(minutes=3 * i)).isoformat())
        h.store.add_mentions([m])
        h.store.save_triage(m.key, Triage(language=lang, intent=Intent.COMPLAINT, severity=Severity.MEDIUM,
                                          action=Action.REPLY), Draft(text="We're sorry to hear that.", language=lang))
        h.services.poster.publish(m.key).result(10)
    h.services.workers.drain()
    end = T0 + timedelta(minutes=3 * len(first))
    [spike] = _tick(h, end)
    shown = {b.get("block_id") for b in _latest_alert(h, spike.id)}
    assert "spike_statement_sv" not in shown
    sv = [("sv", "Midnight Sun-kaffet gjorde mig sjuk, kräktes hela natten"),
          ("sv", "Hela familjen blev sjuk efter Midnight Sun-bönorna")]
    for j, (lang, text) in enumerate(sv):
        m = Mention(source="bluesky", external_id=f"sv{j}", author=f"sv{j}", text=text, network="bluesky",
                    created_at=(end + timedelta(minutes=1 + j)).isoformat())
        h.store.add_mentions([m])
        h.store.save_triage(m.key, Triage(language=lang, intent=Intent.COMPLAINT, severity=Severity.MEDIUM,
                                          action=Action.REPLY), Draft(text="Vi beklagar.", language=lang))
        h.services.poster.publish(m.key).result(10)
    h.services.workers.drain()
    _tick(h, end + timedelta(minutes=3))  # within 10 minutes, under 20% growth: not redrawn
    from assistant.storms import get_spike
    from assistant.storms.statement import statement_languages
    langs, _ = statement_languages(get_spike(h.store, spike.id), h.services.spikes.policy(spike.id))
    if "sv" not in langs:
        pytest.skip(f"sv did not become a statement language: {langs}")
    card = _latest_alert(h, spike.id)
    if "spike_statement_sv" in {b.get("block_id") for b in card}:
        pytest.skip("the card was redrawn with the Swedish version")
    before = _said(h)
    _click(h, alert.APPROVE, spike.id)
    _answered(h, before)
    posted = {r["language"] for r in statements.posts(h.store, spike.id)}
    assert "sv" not in posted, posted


def test_an_approver_of_one_brand_clicking_another_brands_alert_changes_nothing(make_harness, slack, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Held: a roaster-only approver's Approve, Edit (submit), Retry, Answer and Hide on the bike
    shop's alert card are refused; nothing is posted."""
    import shutil
    root = Path(__file__).resolve().parents[2]
    folder = tmp_path / "policies"
    folder.mkdir()
    shutil.copy(root / "policies" / "aurora-roasters.yaml", folder)
    shutil.copy(root / "examples" / "policies" / "de-spaak.yaml", folder)
    slack.channels.update({"spaak-escalaties": "CSPAAKESC", "spaak-replies": "CSPAAKREV"})
    slack.members["CSPAAKREV"] = ["UAPPROVER1"]
    h = make_harness(sources=[], policies_dir=folder, brand="aurora-roasters", review_channel=None)
    h.services.storms.encoder = get_encoder()
    if not h.services.access.is_approver(APPROVER2, "aurora-roasters") or h.services.access.is_approver(APPROVER2, "de-spaak"):
        pytest.skip("the loopback directory does not make APPROVER2 a roaster-only approver")
    from test_issue19_two_brands import BIKES, _add
    _add(h, "de-spaak", BIKES, "bike", "nl")
    h.services.workers.drain()
    found = [s for s in _tick(h, T0 + timedelta(minutes=3 * len(BIKES))) if s.brand == "de-spaak"]
    assert found, "no bike shop spike"
    spike = found[0]
    for action in (alert.APPROVE, alert.RETRY, alert.ANSWER, alert.HIDE):
        _click(h, action, spike.id, user=APPROVER2)
    h.slack.wait_for("chat.postEphemeral", 4, timeout=30)
    _click(h, alert.EDIT, spike.id, user=APPROVER2)
    h.services.workers.drain()
    if h.slack.calls_to("views.open"):
        form = h.opened(alert.EDIT_VIEW)
        before = _said(h)
        h.submit(alert.EDIT_VIEW, _form_values(form), form["private_metadata"], user=APPROVER2)
        _answered(h, before)
    assert statements.posts(h.store, spike.id) == []
    assert not h.outbox_lines()
