"""Issue 19, item 3: every brand watched from one deployment. Two brands storm at once
(the coffee roaster's Midnight Sun scare, the bike shop's e-bike battery scare), through
the real Bolt app against the loopback Slack: one alert each, in each brand's own
escalation channel, each group holding only that brand's posts, each statement drafted
from that brand's policy.

Seen failing first: detection read one brand's policy over every post, so the bike
shop's storm joined the roaster's alert or raised it in the roaster's channel."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from slack_harness import text_of
from test_spikes import STORM, T0, _members

from assistant.domain.models import Action, Draft, Intent, Mention, Severity, Triage
from assistant.ml.embeddings import get_encoder

pytestmark = pytest.mark.slow  # the real encoder groups the posts by meaning

ROOT = Path(__file__).resolve().parents[2]
BIKES = [
    "De accu van mijn e-bike van De Spaak werd gloeiend heet tijdens het laden, doodeng",
    "my e-bike battery from De Spaak started smoking in the hallway last night",
    "Onze e-bike accu van De Spaak rook naar verbrand plastic na het opladen",
    "is the De Spaak e-bike battery safe? mine got really hot while charging",
    "De Spaak e-bike accu opgezwollen, ik durf hem niet meer op te laden",
    "Der Akku meines E-Bikes von De Spaak wurde beim Laden extrem heiß",
    "e-bike accu van De Spaak smolt bijna, wat is er aan de hand met deze batch?",
    "our De Spaak e-bike battery overheated twice this week, scary",
    "Accu van De Spaak e-bike maakte een sissend geluid en werd heet",
    "De Spaak e-bike battery is swelling up, should I stop charging it?",
    "mijn buurman heeft hetzelfde: De Spaak e-bike accu wordt veel te heet",
    "E-bike accu van De Spaak oververhit, we hebben hem buiten gezet",
]


def _add(h, brand: str, texts: list[str], prefix: str, language: str) -> list[str]:  # type: ignore[no-untyped-def]
    ids = []
    for i, text in enumerate(texts):
        m = Mention(source="bluesky", external_id=f"{prefix}{i}", author=f"{prefix}{i}", text=text,
                    network="bluesky", created_at=(T0 + timedelta(minutes=3 * i)).isoformat())
        h.store.add_mentions([m], brand=brand)
        h.store.save_triage(m.key, Triage(language=language, intent=Intent.COMPLAINT, severity=Severity.MEDIUM,
                                          action=Action.REPLY), Draft(text="We're sorry to hear that.", language=language))
        h.services.poster.publish(m.key).result(10)
        ids.append(m.key)
    return ids


def test_two_brands_storming_at_once_get_one_alert_each_in_their_own_channels(make_harness, slack, tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "policies"
    folder.mkdir()
    shutil.copy(ROOT / "policies" / "aurora-roasters.yaml", folder)
    shutil.copy(ROOT / "examples" / "policies" / "de-spaak.yaml", folder)
    slack.channels.update({"spaak-escalaties": "CSPAAKESC", "spaak-replies": "CSPAAKREV"})
    slack.members["CSPAAKREV"] = ["UAPPROVER1"]
    h = make_harness(sources=[], policies_dir=folder, brand="aurora-roasters")
    h.services.storms.encoder = get_encoder()
    coffee = _add(h, "aurora-roasters", STORM, "coffee", "en")
    bikes = _add(h, "de-spaak", BIKES, "bike", "nl")
    h.services.workers.drain()
    found = h.services.spikes.tick(T0 + timedelta(minutes=3 * len(STORM)))
    h.services.workers.drain()
    assert sorted((s.brand, s.change) for s in found) == [("aurora-roasters", "new"), ("de-spaak", "new")]
    by_brand = {s.brand: s for s in found}
    coffee_group = {m.mention_id for m in _members(h, by_brand["aurora-roasters"].id)}
    bike_group = {m.mention_id for m in _members(h, by_brand["de-spaak"].id)}
    assert coffee_group <= set(coffee) and len(coffee_group) >= 10
    assert bike_group <= set(bikes) and len(bike_group) >= 10
    assert h.services.spikes.alert(by_brand["aurora-roasters"].id)["channel"] == "CESCALATE"
    assert h.services.spikes.alert(by_brand["de-spaak"].id)["channel"] == "CSPAAKESC"
    bike_card = text_of(next(p["blocks"] for p in h.slack.calls_to("chat.postMessage")
                             if p.get("channel") == "CSPAAKESC" and "blocks" in p))
    assert "Midnight Sun" not in bike_card and "Aurora" not in bike_card
    # a later tick: no new alert for either brand, each spike follows its own posts
    again = h.services.spikes.tick(T0 + timedelta(minutes=3 * len(STORM) + 1))
    assert all(s.change != "new" for s in again)
