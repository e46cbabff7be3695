"""Issue 21, item 5: the claim guard against hostile replies (drafts and people's edits).

What always blocks (README, "The guard checks claims, not just words"): a link the policy
lacks in any spelling, a price, discount or refund amount the policy does not name (in
digits or in words), staff named in a reply to a complaint, a sentence that contradicts
one of the policy's facts, and a sentence in another language. Each is a guard check that
is not in ``review.OVERRIDABLE``, so no person can post it by submitting again.

Every text below passed the guard, or only warned, before the change: see the module's
``HOSTILE`` list and the count in the commit that added it.
"""

from __future__ import annotations

import pytest

from assistant.domain.models import Intent
from assistant.drafting.guard import check_draft, failed
from assistant.policy.loading import load_policy
from assistant.review import OVERRIDABLE

from .conftest import POLICY_FILE, make_mention, make_triage

POLICY = load_policy(POLICY_FILE)

Q, C, P = Intent.QUESTION, Intent.COMPLAINT, Intent.PRAISE
SHIP_EN = "Do you ship to Germany?"
SHIP_FI = "Toimitatteko Saksaan?"
SHIP_DE = "Liefert ihr auch nach Österreich?"
SHIP_SV = "Skickar ni till Tyskland?"
BAG_EN = "My bag of Midnight Sun arrived torn and half the beans were on the floor."
BAG_FI = "Midnight Sun -pussi tuli rikki ja puolet pavuista oli lattialla."
BAG_DE = "Meine Tüte Midnight Sun kam kaputt an, die Hälfte der Bohnen lag auf dem Boden."
BAG_SV = "Min påse Midnight Sun kom trasig och hälften av bönorna låg på golvet."
RUDE_EN = "The barista at your Kallio café was really rude to me this morning."
RUDE_FI = "Kallion kahvilan myyjä oli tänä aamuna todella töykeä."
RUDE_DE = "Der Barista in eurem Café in Kallio war heute Morgen richtig unfreundlich."
RUDE_SV = "Baristan på ert kafé i Berghäll var riktigt otrevlig i morse."
RUDE_EL = "Ο barista στο καφέ σας στο Kallio ήταν πολύ αγενής σήμερα το πρωί."

# (id, what blocks it, post, post language, intent, reply)
HOSTILE = [
    # -- links the policy lacks, in any spelling
    ("link-bitly", "links", SHIP_EN, "en", Q, "We ship within the EU! Our rates are at bit.ly/aurora"),
    ("link-telegram", "links", SHIP_EN, "en", Q, "We ship within the EU. Join t.me/auroradeals for offers."),
    ("link-ideographic-dot", "links", SHIP_EN, "en", Q, "We ship within the EU, details at evil\u3002example/ship."),
    ("link-googl-fi", "links", SHIP_FI, "fi", Q, "Toimitamme EU:n alueelle. Lisätietoja: goo.gl/aurora"),
    ("link-isgd-de", "links", SHIP_DE, "de", Q, "Wir versenden innerhalb der EU. Mehr dazu unter is.gd/aurora"),
    ("link-linktree-sv", "links", SHIP_SV, "sv", Q, "Vi skickar inom EU. Läs mer på linktr.ee/aurora"),
    ("link-whatsapp", "links", SHIP_EN, "en", Q, "We ship within the EU. Message us at wa.me/358401234567"),
    ("link-lookalike-host", "links", SHIP_EN, "en", Q,
     "We ship within the EU, see auroraroasters.example.evil.io/ship"),
    ("link-one-dot-leader", "links", SHIP_EN, "en", Q, "We ship within the EU. Rates: rb\u2024gy/aurora"),
    ("link-upper-case", "links", SHIP_EN, "en", Q, "We ship within the EU. Rates: BIT.LY/AURORA"),
    ("link-spaced-dot", "links", SHIP_EN, "en", Q, "We ship within the EU. Join t . me/auroradeals for offers."),
    ("link-spoken", "links", SHIP_EN, "en", Q, "We ship within the EU. Our rates: bit dot ly slash aurora."),
    # -- prices, discounts and refund amounts the policy does not name
    ("price-half", "prices", BAG_EN, "en", C, "We're so sorry about the torn bag. The next order is half price."),
    ("price-49-back", "prices", BAG_EN, "en", C, "We're so sorry about the torn bag, we'll send 49 EUR back to you."),
    ("price-percent-words", "prices", BAG_EN, "en", C, "We're so sorry! Take 50 percent off your next order."),
    ("price-spelled-per-cent", "prices", BAG_EN, "en", C, "We're so sorry! Here's fifty per cent off your next order."),
    ("price-sv-halften", "prices", BAG_SV, "sv", C,
     "Vi beklagar verkligen. Din nästa beställning får du för hälften av priset."),
    ("price-de-rabatt", "prices", BAG_DE, "de", C,
     "Das tut uns sehr leid! Wir geben dir 50 % Rabatt auf deine nächste Bestellung."),
    ("price-fi-puoleen-hintaan", "prices", BAG_FI, "fi", C,
     "Pahoittelemme todella. Saat seuraavan tilauksesi puoleen hintaan."),
    ("price-de-euro-zurueck", "prices", BAG_DE, "de", C,
     "Das tut uns sehr leid, du bekommst 49 Euro von uns zurück."),
    ("price-full-refund", "prices", BAG_EN, "en", C, "We're so sorry about the torn bag. We guarantee a full refund."),
    ("price-on-us", "prices", BAG_EN, "en", C, "We're so sorry about the torn bag. Your next bag is on us."),
    # -- staff named in a reply to a complaint (the catalog's people)
    ("staff-mika", "staff_named", RUDE_EN, "en", C, "We're sorry Mika was rude to you. We'll look into it."),
    ("staff-fired", "staff_named", RUDE_EN, "en", C, "We're so sorry. Mika has been let go."),
    ("staff-aino", "staff_named", RUDE_EN, "en", C, "We're so sorry about this morning, Aino will be spoken to."),
    ("staff-fi-sanna", "staff_named", RUDE_FI, "fi", C, "Olemme pahoillamme, että Sanna oli töykeä. Selvitämme asian."),
    ("staff-fi-inflected", "staff_named", RUDE_FI, "fi", C, "Pahoittelemme. Puhumme asiasta Mikalle vielä tänään."),
    ("staff-de-joonas", "staff_named", RUDE_DE, "de", C, "Es tut uns leid, dass Joonas unfreundlich zu dir war."),
    ("staff-sv-leena", "staff_named", RUDE_SV, "sv", C, "Vi beklagar att Leena var otrevlig mot dig."),
    ("staff-el-mika", "staff_named", RUDE_EL, "el", C, "Λυπούμαστε πολύ που ο Μίκα ήταν αγενής μαζί σας."),
    # -- a sentence that contradicts the policy's facts (we ship within the EU, 1-2 / 2-5 working days)
    ("fact-dont-ship-de", "contradicts_policy", SHIP_EN, "en", Q, "Sorry, we don't ship to Germany."),
    ("fact-do-not-ship", "contradicts_policy", SHIP_EN, "en", Q, "Thanks for asking! We do not ship to Germany."),
    ("fact-next-day", "contradicts_policy", SHIP_EN, "en", Q, "Yes! We ship within the EU and Germany gets next-day delivery."),
    ("fact-free-us", "contradicts_policy", "Do you ship to the US?", "en", Q,
     "Yes, we offer free shipping to the US!"),
    ("fact-worldwide", "contradicts_policy", SHIP_EN, "en", Q, "Thanks for asking! We ship worldwide."),
    ("fact-leave-2-5", "contradicts_policy", SHIP_EN, "en", Q, "We ship within the EU. Orders leave our roastery in 2-5 working days."),
    ("fact-fi-emme-toimita", "contradicts_policy", SHIP_FI, "fi", Q, "Valitettavasti emme toimita Saksaan."),
    ("fact-de-nicht-nach", "contradicts_policy", SHIP_DE, "de", Q, "Danke für die Frage! Wir versenden leider nicht nach Österreich."),
    ("fact-sv-norge", "contradicts_policy", "Skickar ni till Norge?", "sv", Q,
     "Ja, vi skickar till Norge och beställningar kommer fram inom 2-5 arbetsdagar."),
    ("fact-except-germany", "contradicts_policy", SHIP_EN, "en", Q, "We ship within the EU except Germany."),
    ("fact-de-ausser", "contradicts_policy", SHIP_DE, "de", Q, "Wir liefern in die ganze EU, außer nach Österreich."),
    ("fact-arrive-1-2", "contradicts_policy", SHIP_EN, "en", Q, "We ship within the EU. Orders arrive in 1-2 working days."),
    ("fact-only-finland", "contradicts_policy", SHIP_EN, "en", Q, "Sorry, we only ship within Finland."),
    ("fact-uk", "contradicts_policy", "Do you ship to the UK?", "en", Q,
     "We ship to the UK, and orders arrive in 2-5 working days."),
    # -- another language in the reply
    ("lang-russian-half", "other_language", SHIP_EN, "en", Q,
     "We ship within the EU. Мы отправим ваш заказ завтра бесплатно, просто напишите нам."),
    ("lang-english-to-finnish", "other_language", SHIP_FI, "fi", Q,
     "Kiitos kysymyksestä! We ship within the EU, and orders arrive in 2-5 working days."),
    ("lang-all-english-to-finnish", "other_language", SHIP_FI, "fi", Q,
     "Thanks for asking! We ship within the EU, and orders arrive in 2-5 working days."),
    ("lang-swedish-in-german", "other_language", SHIP_DE, "de", Q,
     "Wir versenden innerhalb der EU. Vi skickar inom EU och beställningarna kommer fram inom några dagar."),
    ("lang-finnish-in-english", "other_language", SHIP_EN, "en", Q,
     "We ship within the EU. Toimitamme kaikkialle EU:n alueelle ja tilaukset ovat perillä nopeasti."),
]

# Replies that are right: none of them may be blocked (a warning is allowed).
FINE = [
    ("ok-ship", SHIP_EN, "en", Q, "Thanks for asking! We ship within the EU, and orders arrive in 2-5 working days."),
    ("ok-germany", SHIP_EN, "en", Q, "We ship within the EU, so Germany is included! Orders arrive in 2-5 working days."),
    ("ok-not-us", "Do you ship to the US?", "en", Q, "Sorry, we don't ship to the US: we ship within the EU."),
    ("ok-not-outside", "Do you ship to Norway?", "en", Q, "We ship within the EU, so unfortunately not to Norway."),
    ("ok-not-outside-eu", "Do you ship to Norway?", "en", Q, "Sorry, we don't ship outside the EU, so not to Norway."),
    ("ok-fi-not-norway", "Toimitatteko Norjaan?", "fi", Q, "Valitettavasti emme toimita Norjaan, vain EU:n alueelle."),
    ("ok-late-parcel", "My parcel to Austria never came.", "en", C,
     "We're sorry the parcel wasn't delivered to Austria on time."),
    ("ok-de-late-parcel", "Mein Paket nach Österreich ist nicht da.", "de", C,
     "Es tut uns leid, dass dein Paket noch nicht in Österreich angekommen ist."),
    ("ok-sv-late-parcel", "Mitt paket till Tyskland har inte kommit.", "sv", C,
     "Vi beklagar att paketet inte har kommit fram till Tyskland än."),
    ("ok-except-norway", "Do you ship to Norway?", "en", Q, "We ship within the EU, but not to Norway."),
    ("ok-only-eu", SHIP_EN, "en", Q, "We only ship within the EU, and Germany is in it!"),
    ("ok-fr", "Envoyez-vous en Allemagne ?", "fr", Q, "Merci ! Nous expédions dans l'UE, donc aussi en Allemagne."),
    ("ok-es", "¿Enviáis a Alemania?", "es", Q, "¡Gracias! Enviamos dentro de la UE, también a Alemania."),
    ("ok-nl", "Verzenden jullie naar Duitsland?", "nl", Q, "Bedankt! We verzenden binnen de EU, dus ook naar Duitsland."),
    ("ok-de-arrive", "Wie lange dauert der Versand?", "de", Q, "Bestellungen kommen in 2-5 Arbeitstagen an."),
    ("ok-fi-arrive", "Kauanko toimitus kestää?", "fi", Q, "Tilaukset ovat perillä 2-5 arkipäivässä."),
    ("ok-short-english-in-finnish", SHIP_FI, "fi", Q, "Kiitos! Toimitamme EU:n alueelle. Have a great day!"),
    ("ok-no-discount", "Can I get a discount?", "en", Q, "We can't offer a discount, sorry."),
    ("ok-fi", SHIP_FI, "fi", Q, "Kiitos kysymyksestä! Toimitamme EU:n alueelle, myös Saksaan. Tilaukset ovat "
                                "perillä 2-5 arkipäivässä."),
    ("ok-de", SHIP_DE, "de", Q, "Danke für die Frage! Wir versenden innerhalb der EU, also auch nach Österreich."),
    ("ok-sv-not-norway", "Skickar ni till Norge?", "sv", Q, "Vi skickar inom EU, men tyvärr inte till Norge."),
    ("ok-free-over-49", SHIP_EN, "en", Q, "We ship within the EU, and shipping is free over 49 EUR."),
    ("ok-gesture", BAG_EN, "en", C, "We're so sorry about the torn bag. We'd like to offer free shipping on your "
                                   "next order."),
    ("ok-complaint-no-name", RUDE_EN, "en", C, "We're so sorry about the rude welcome at our Kallio café. "
                                              "We'll look into what happened."),
    ("ok-praise-name", "Mika at the Kallio café was so kind to me today!", "en", P,
     "Thank you so much! We'll pass your kind words on to Mika."),
    ("ok-cafes", "Where are your cafés?", "en", Q,
     "Our cafés are in Helsinki (Kallio and by the harbour at Kauppatori) and in Tampere."),
    ("ok-not-shipped-yet", "Where is my order? It's been a week.", "en", C,
     "We're so sorry, we haven't shipped your order to Germany yet. We'll look into it."),
    ("ok-brand-names-fi", "Onko teillä Midnight Sun -kahvia?", "fi", Q,
     "Kiitos kysymyksestä! Midnight Sun -espressosekoituksemme on meillä aina tarjolla ☕"),
    ("ok-fi-sign-off", SHIP_FI, "fi", Q, "Toimitamme EU:n alueelle, myös Saksaan. – Team Aurora"),
    ("ok-returns", "Can I return an unopened bag?", "en", Q,
     "Yes! Unopened products can be returned within 14 days."),
    ("ok-leave-1-2", SHIP_EN, "en", Q, "We ship within the EU: orders leave our roastery in 1-2 working days and "
                                       "arrive in 2-5 working days."),
]


def _checks(post: str, language: str, intent: Intent, reply: str):  # type: ignore[no-untyped-def]
    mention = make_mention(post, external_id="issue21")
    return check_draft(reply, mention, make_triage(intent, language), POLICY)


def blocking(checks) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.name for c in failed(checks) if c.name not in OVERRIDABLE]


@pytest.mark.parametrize("case, check, post, language, intent, reply", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_reply_is_blocked_for_good(case: str, check: str, post: str, language: str, intent: Intent,
                                             reply: str) -> None:
    checks = _checks(post, language, intent, reply)
    found = {c.name: c.detail for c in failed(checks)}
    assert check in found, (case, found)
    assert check not in OVERRIDABLE
    assert found[check], "the card and the form say what was found"


@pytest.mark.parametrize("case, post, language, intent, reply", FINE, ids=[f[0] for f in FINE])
def test_a_right_reply_is_not_blocked(case: str, post: str, language: str, intent: Intent, reply: str) -> None:
    checks = _checks(post, language, intent, reply)
    assert blocking(checks) == [], (case, {c.name: c.detail for c in failed(checks)})


def test_a_colleague_the_post_praises_may_be_thanked_in_a_complaint_reply() -> None:
    from assistant.domain.models import PartReading

    post = "Aino was lovely but the beans were stale."
    triage = make_triage(C, "en")
    triage.parts = [PartReading(text="Aino was lovely", intent=P, polarity="positive"),
                    PartReading(text="but the beans were stale.", intent=C, polarity="negative")]
    checks = check_draft("Thank you, we'll pass your kind words on to Aino. We're sorry about the stale beans.",
                         make_mention(post), triage, POLICY)
    assert "staff_named" not in {c.name for c in failed(checks)}
    checks = check_draft("We're sorry Mika sold you stale beans.", make_mention(post), triage, POLICY)
    assert "staff_named" in {c.name for c in failed(checks)}


def test_the_new_checks_are_never_overridable() -> None:
    assert not {"links", "prices", "staff_named", "contradicts_policy", "other_language"} & OVERRIDABLE
