"""The reply plan, as a community manager reads the drafts it gives.

Every post goes through the real engine: the real triage (read in parts, names,
signature), the real drafter composing from the policy's phrasings (plan.py,
compose.py), the real guard, a real SQLite file and the multilingual encoder; the
model is the fake one or left out (``mode="compose"``). Both example brands are
loaded at once: Aurora Roasters (ten languages) and the bike shop De Spaak
(nl en de fr).

Where a draft is checked for "thanks", "an apology" or "the answer", the check
reads where each part of the draft came from (``draft.parts[i].source``), so a
reworded policy phrasing does not break it, and a phrasing from the wrong
playbook (an apology to a fan) cannot hide.
"""

from __future__ import annotations

import hashlib

import pytest

from assistant.domain.models import Action, Draft, Intent, Triage
from assistant.engine import Engine
from assistant.policy.models import Policy

from .conftest import make_mention

AURORA = "aurora-roasters"
SPAAK = "de-spaak"


@pytest.fixture(scope="module")
def engine(two_brand_engine: Engine) -> Engine:
    return two_brand_engine


def reply(engine: Engine, text: str, brand: str = AURORA, mode: str | None = "compose",
          variant: int = 0) -> tuple[Triage, Draft]:
    """Triage ``text`` for ``brand`` and draft the reply (policy phrasings only, unless mode=None).
    The post's id comes from its text, so the phrasings picked do not depend on test order."""
    mention = make_mention(text, external_id=_id(text, brand), author="@ann")
    triage = engine.triage(mention, brand)
    assert triage.action is Action.REPLY, (text, triage.action, triage.reasons)
    draft = engine.drafter(brand).draft(mention, triage, mode=mode, variant=variant)
    assert draft.text, (text, draft)
    return triage, draft


def _id(text: str, brand: str) -> str:
    return "plan-" + hashlib.sha256(f"{brand}/{text}".encode()).hexdigest()[:12]


def shown(d: Draft) -> str:
    """The draft and where each part came from, for an assertion message."""
    return (d.text or "") + "\n" + "\n".join(f"  {p.kind}: {p.source}" for p in d.parts)


def from_playbook(d: Draft, intent: str) -> list[str]:
    """The kinds of the draft's parts written from ``intent``'s playbook."""
    return [p.kind for p in d.parts if f"playbooks.{intent}." in p.source]


def apologises(d: Draft) -> bool:
    """An opener or an apology from the complaint playbook (its next step is no apology)."""
    return any(p.kind in ("opener", "apology") and "playbooks.complaint.parts." in p.source for p in d.parts)


def thanks_for_praise(d: Draft) -> bool:
    """An opener, a thanks or an acknowledgement from the praise playbook."""
    return any(p.kind != "greeting" and "playbooks.praise.parts." in p.source for p in d.parts)


def say(policy: Policy, entry_id: str, language: str) -> str:
    """How a reply names a catalog entry in ``language``."""
    entry = next(e for e in policy.catalog if e.id == entry_id)
    return entry.say[language]


def says_we_will_check(policy: Policy, language: str, d: Draft) -> bool:
    """The question playbook's "we'll find out" part, by source or by its first sentence."""
    book = policy.playbook(Intent.QUESTION)
    assert book is not None
    firsts = [t.split(".")[0] for t in book.parts.of("unanswered", language)]
    return any(p.kind == "unanswered" for p in d.parts) or any(f and f in d.text for f in firsts)


# -- 1. a mixed post: every part answered ------------------------------------------------------------------------

MIXED = [
    ("en", "Love the Kallio café and the cinnamon buns, but the beans I bought last week were stale. "
           "Do you ship to Riga?"),
    ("fi", "Kallion kahvila on ihana ja korvapuustit ovat parhaita, mutta viime viikolla ostamani pavut olivat "
           "huonoja. Toimitatteko Riikaan?"),
    ("de", "Euer Café in Kallio ist toll und die Zimtschnecken sind super, aber die Bohnen, die ich letzte Woche "
           "gekauft habe, waren leider nicht mehr frisch. Versendet ihr nach Lettland?"),
    # The plain translations of the English post: "stale" as Finnish and German say it.
    ("fi", "Rakastan Kallion kahvilaa ja korvapuusteja, mutta viime viikolla ostamani pavut olivat "
                       "vanhentuneita. Toimitatteko Riikaan?"),
    ("fi", "Kallion kahvila on ihana ja korvapuustit ovat parhaita, mutta viime viikolla ostamani "
                       "pavut olivat vanhoja ja mauttomia. Toimitatteko Riikaan?"),
    ("de", "Ich liebe euer Café in Kallio und die Zimtschnecken, aber die Bohnen, die ich letzte "
                       "Woche gekauft habe, waren abgestanden. Liefert ihr nach Riga?"),
]


@pytest.mark.parametrize("language, text", MIXED)
def test_a_mixed_post_is_thanked_apologised_to_and_answered(engine, language, text):
    policy = engine.policy(AURORA)
    _, d = reply(engine, text)
    assert d.language == language and d.origin == "composed" and d.passed, shown(d)
    # praise: thanked, naming what was praised
    assert thanks_for_praise(d), shown(d)
    assert say(policy, "kallio-cafe", language) in d.text or say(policy, "cinnamon-bun", language) in d.text, shown(d)
    # the stale beans: an apology from the complaint playbook, then its next step
    assert apologises(d), shown(d)
    assert "next_step" in from_playbook(d, "complaint"), shown(d)
    # the question: the shipping fact in the post's language, not "we'll check"
    assert policy.fact("shipping", language) in d.text, shown(d)
    assert not says_we_will_check(policy, language, d), shown(d)


def test_the_default_mode_answers_every_part_of_a_mixed_post_too(engine):
    """Through engine.draft (the model as qualified: the fake one here), the plan's parts stand."""
    policy = engine.policy(AURORA)
    text = MIXED[0][1]
    mention = make_mention(text, external_id=_id(text, "default"))
    d = engine.draft(mention, engine.triage(mention, AURORA), AURORA)
    assert d is not None and d.passed, d
    assert thanks_for_praise(d) and apologises(d), shown(d)
    assert policy.fact("shipping", "en") in d.text and "we'll check" not in d.text.lower(), shown(d)


# -- 2. names ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, person, thing", [
    ("Mika at the Kallio café made me the best flat white I've had all year, and the Midnight Sun espresso "
     "blend is fantastic!", "Mika", "our Midnight Sun espresso blend"),
    ("Aino was so friendly and the cinnamon buns were delicious!", "Aino", "our cinnamon buns"),
])
def test_praise_names_the_staff_member_and_the_product(engine, text, person, thing):
    _, d = reply(engine, text)
    assert person in d.text and thing in d.text, shown(d)
    assert "acknowledge_person" in from_playbook(d, "praise"), shown(d)


@pytest.mark.parametrize("text, base, inflected", [
    ("Kiitos Mikalle ihanasta palvelusta Kallion kahvilassa!", "Mika", "Mikalle"),
    ("Kiitos Ainolle, Midnight Sun on paras espresso!", "Aino", "Ainolle"),
])
def test_a_finnish_name_in_a_case_is_said_in_its_base_form(engine, text, base, inflected):
    _, d = reply(engine, text)
    assert d.language == "fi", shown(d)
    assert base in d.text and inflected not in d.text, shown(d)


@pytest.mark.parametrize("text, brand, person", [
    ("Mika at the Kallio café was rude to me and ignored my order for twenty minutes.", AURORA, "Mika"),
    ("Mika oli tänään todella epäystävällinen Kallion kahvilassa, en tule enää.", AURORA, "Mika"),
    ("Joost was vandaag erg onvriendelijk tegen me in de winkel aan de Oudegracht.", SPAAK, "Joost"),
    ("Ilse in the De Pijp shop was rude and refused to look at my brakes.", SPAAK, "Ilse"),
])
def test_a_complaint_never_names_the_staff_member_back(engine, text, brand, person):
    _, d = reply(engine, text, brand)
    assert apologises(d), shown(d)
    assert person not in d.text, shown(d)


# -- 3. signed names -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, brand, name", [
    ("Got charged twice for my last order. — Laura", AURORA, "Laura"),
    ("Mijn bestelling is na twee weken nog steeds niet aangekomen.\n\nGroetjes, Sanne", AURORA, "Sanne"),
    ("De huurfiets had na een uur al een lekke band, balen.\nGroetjes, Sanne", SPAAK, "Sanne"),
])
def test_a_signed_post_is_greeted_by_name(engine, text, brand, name):
    t, d = reply(engine, text, brand)
    assert t.signed == name
    first = d.parts[0]
    assert first.kind == "greeting" and name in first.text and d.text.startswith(first.text.strip()), shown(d)
    assert d.text.count(name) == 1, shown(d)


def test_the_reply_greets_the_signer_not_the_staff_member_thanked(engine):
    _, d = reply(engine, "Love the cinnamon buns! Thanks, Mika and Aino. — Laura")
    assert d.parts[0].kind == "greeting" and "Laura" in d.parts[0].text, shown(d)
    assert "Mika" in d.text and "Aino" in d.text and "Mika!" not in d.parts[0].text, shown(d)


@pytest.mark.parametrize("text, brand", [
    ("Got charged twice for my last order, please fix this.", AURORA),
    ("The Midnight Sun espresso blend is amazing, best coffee I've had in years!", AURORA),
    ("De huurfiets had na een uur al een lekke band, balen.", SPAAK),
])
def test_an_unsigned_post_gets_no_greeting(engine, text, brand):
    t, d = reply(engine, text, brand)
    assert t.signed is None
    assert "greeting" not in [p.kind for p in d.parts], shown(d)


# -- 4. a product's name is not a place ----------------------------------------------------------------------------


def test_kallio_in_a_coffees_name_is_not_the_kallio_cafe(engine):
    _, d = reply(engine, "The Kallio Blend tastes more bitter lately, did you change the roast?")
    assert "café" not in d.text.lower(), shown(d)
    assert not any("kallio-cafe" in p.source for p in d.parts), shown(d)


def test_the_kallio_cafe_is_named_when_the_post_means_it(engine):
    _, d = reply(engine, "The Kallio café was cosy and the staff were lovely!")
    assert "our Kallio café" in d.text, shown(d)
    assert any("catalog: kallio-cafe" in p.source for p in d.parts), shown(d)


# -- 5. questions inside complaints and praise ---------------------------------------------------------------------


def test_a_question_inside_a_complaint_is_answered_with_the_fact(engine):
    policy = engine.policy(AURORA)
    _, d = reply(engine, "My order hasn't arrived yet and it's been a week. Do you ship to Latvia at all?")
    assert apologises(d), shown(d)
    assert policy.fact("shipping", "en") in d.text, shown(d)
    assert not says_we_will_check(policy, "en", d), shown(d)


@pytest.mark.parametrize("text, language, not_this_fact", [
    ("Your cinnamon buns are the best in Helsinki! Are they gluten-free?", "en", None),
    ("Lovely afternoon at the harbour café! Are you open on Christmas Eve?", "en", "opening_hours"),
    ("Mika was super helpful at the Kallio café and the Lapland Light is lovely. Do you have it in decaf?", "en",
     None),
    ("Kallion kahvila on ihana ja korvapuustit ovat parhaita. Onko teillä siellä lasten "
                 "syöttötuoleja?", "fi", "cafes"),
])
def test_a_question_no_fact_answers_inside_praise_is_found_out_and_still_thanked(engine, text, language,
                                                                                  not_this_fact):
    policy = engine.policy(AURORA)
    _, d = reply(engine, text)
    assert d.language == language, shown(d)
    assert thanks_for_praise(d), shown(d)
    assert says_we_will_check(policy, language, d), shown(d)
    assert "fact" not in [p.kind for p in d.parts], shown(d)
    if not_this_fact:
        assert policy.fact(not_this_fact, language) not in d.text, shown(d)
    assert not apologises(d), shown(d)


# -- 6. never apologise to a fan, never thank a complaint as praise ------------------------------------------------


@pytest.mark.parametrize("text, brand", [
    ("The Midnight Sun espresso blend is amazing, best coffee I've had in years!", AURORA),
    ("Kallion kahvilan korvapuustit ovat aivan parhaita, kiitos!", AURORA),
    ("Jullie kaneelbroodjes zijn echt heerlijk, en de koffie ook!", AURORA),
    ("Eure Zimtschnecken sind die besten, und der Kaffee ist großartig!", AURORA),
    ("Vos brioches à la cannelle sont délicieuses, merci pour l'accueil chaleureux !", AURORA),
    ("Kanelbullarna på ert kafé i Tammerfors är de bästa jag ätit!", AURORA),
    ("Joost in de werkplaats heeft mijn fiets als nieuw gemaakt, topper!", SPAAK),
    # a turn that is no problem: the clause before "but" is no complaint to apologise for
    ("I usually drink tea, but your Midnight Sun espresso blend converted me!", AURORA),
    ("Normalerweise trinke ich Tee, aber eure Zimtschnecken sind einfach genial!", AURORA),
    ("I wasn't sure about the light roast at first, but the Lapland Light won me over. Thanks Aino!", AURORA),
    ("Joost in de werkplaats heeft mijn fiets weer als nieuw gemaakt, topper!", SPAAK),
])
def test_a_fan_is_never_apologised_to(engine, text, brand):
    _, d = reply(engine, text, brand)
    assert not from_playbook(d, "complaint"), shown(d)
    assert thanks_for_praise(d), shown(d)


@pytest.mark.parametrize("text", [
    "Great, another week without my order. Love the silence from your support team.",
    "Korvapuustit olivat tänään kuivia ja mauttomia, todella pettymys.",
    "Die Zimtschnecken waren heute trocken und alt, echt enttäuschend.",
    "Les brioches à la cannelle étaient sèches aujourd'hui, très déçu.",
    "De kaneelbroodjes waren vandaag droog en oud, echt een teleurstelling.",
])
def test_a_complaint_is_never_thanked_as_praise(engine, text):
    _, d = reply(engine, text)
    assert not from_playbook(d, "praise"), shown(d)
    assert apologises(d), shown(d)


# -- 7. composed in every language of both brands ------------------------------------------------------------------

# (brand, language, praise naming a catalog entry, that entry, a complaint, an answerable question, its fact)
EVERY_LANGUAGE = [
    (AURORA, "en", "Your cinnamon buns are the best in town, we come back every weekend!", "cinnamon-bun",
     "My order arrived with the bag torn open and half the beans spilled everywhere.",
     "Do you ship to Germany?", "shipping"),
    (AURORA, "fi", "Teidän korvapuustit ovat kaupungin parhaita, tulemme joka viikonloppu uudestaan!", "cinnamon-bun",
     "Tilaukseni saapui pussi revenneenä ja puolet pavuista oli levinnyt pitkin pakettia.",
     "Toimitatteko Saksaan?", "shipping"),
    (AURORA, "nl", "Jullie kaneelbroodjes zijn de lekkerste van de stad, we komen elk weekend terug!", "cinnamon-bun",
     "Mijn bestelling kwam aan met een gescheurde zak en de helft van de bonen lag los in de doos.",
     "Verzenden jullie ook naar Duitsland?", "shipping"),
    (AURORA, "el", "Τα ρολά κανέλας σας είναι τα καλύτερα της πόλης, ερχόμαστε κάθε Σαββατοκύριακο!", "cinnamon-bun",
     "Η παραγγελία μου έφτασε με σκισμένη σακούλα και οι μισοί κόκκοι είχαν χυθεί.",
     "Κάνετε αποστολές στη Γερμανία;", "shipping"),
    (AURORA, "fa", "رول دارچینی شما بهترین در شهر است، هر آخر هفته برمی‌گردیم!", "cinnamon-bun",
     "سفارشم با کیسه پاره رسید و نصف دانه‌های قهوه ریخته بود.",
     "به آلمان هم ارسال دارید؟", "shipping"),
    (AURORA, "lv", "Jūsu kanēļmaizītes ir labākās pilsētā, mēs atnākam katru nedēļas nogali!", "cinnamon-bun",
     "Mans pasūtījums pienāca ar saplēstu maisiņu, un puse pupiņu bija izbirušas.",
     "Vai jūs sūtāt uz Vāciju?", "shipping"),
    (AURORA, "de", "Eure Zimtschnecken sind die besten der Stadt, wir kommen jedes Wochenende wieder!", "cinnamon-bun",
     "Meine Bestellung kam mit zerrissener Tüte an und die Hälfte der Bohnen lag lose im Karton.",
     "Liefert ihr auch nach Deutschland?", "shipping"),
    (AURORA, "es", "¡Vuestros rollos de canela son los mejores de la ciudad, volvemos cada fin de semana!",
     "cinnamon-bun", "Mi pedido llegó con la bolsa rota y la mitad de los granos desparramados por la caja.",
     "¿Hacéis envíos a Alemania?", "shipping"),
    (AURORA, "fr", "Vos brioches à la cannelle sont les meilleures de la ville, on revient chaque week-end !",
     "cinnamon-bun", "Ma commande est arrivée avec le sachet déchiré et la moitié des grains répandus dans le carton.",
     "Vous livrez en Allemagne ?", "shipping"),
    (AURORA, "sv", "Era kanelbullar är de bästa i stan, vi kommer tillbaka varje helg!", "cinnamon-bun",
     "Min beställning kom med en trasig påse och hälften av bönorna låg lösa i kartongen.",
     "Skickar ni till Tyskland?", "shipping"),
    (SPAAK, "nl", "Mijn Grachtloper rijdt als een zonnetje, echt de beste fiets die ik ooit had.", "grachtloper",
     "De huurfiets die ik kreeg had na twee kilometer een lekke band, echt balen.",
     "Hoe laat gaan jullie open op zaterdag?", "opening_hours"),
    (SPAAK, "en", "The Grachtloper is the best bike I've ever owned, rides like a dream!", "grachtloper",
     "The rental bike I got had a flat after 2 km and nobody answered the phone.",
     "Can I just walk in with a flat tyre or do I need to book?", "repairs"),
    (SPAAK, "de", "Die Werkstatt hat mein Rad super repariert, vielen Dank!", "workshop",
     "Das Leihrad hatte nach 5 km einen Platten, echt ärgerlich.",
     "Wann habt ihr samstags offen?", "opening_hours"),
    (SPAAK, "fr", "Merci à l'atelier, mon vélo roule comme neuf !", "workshop",
     "Le vélo de location avait un pneu crevé après 2 km, vraiment décevant.",
     "Vous êtes ouverts le dimanche ?", "opening_hours"),
]


def test_the_table_covers_every_language_of_both_brands(engine):
    for brand in (AURORA, SPAAK):
        assert sorted(r[1] for r in EVERY_LANGUAGE if r[0] == brand) == sorted(engine.policy(brand).languages)


@pytest.mark.parametrize("brand, language, praise, entry, complaint, question, fact", EVERY_LANGUAGE,
                         ids=[f"{r[0]}-{r[1]}" for r in EVERY_LANGUAGE])
def test_every_language_is_composed_from_the_policy(engine, brand, language, praise, entry, complaint, question,
                                                    fact):
    policy = engine.policy(brand)
    drafts = {kind: reply(engine, text, brand)[1] for kind, text in
              (("praise", praise), ("complaint", complaint), ("question", question))}
    for d in drafts.values():
        assert d.language == language and d.origin == "composed" and d.passed, shown(d)
        assert "{" not in d.text and "}" not in d.text, shown(d)
    # praise: thanks naming the catalog entry as the policy says it in this language, no apology
    assert say(policy, entry, language) in drafts["praise"].text, shown(drafts["praise"])
    assert thanks_for_praise(drafts["praise"]) and not from_playbook(drafts["praise"], "complaint"), \
        shown(drafts["praise"])
    # complaint: an apology and the next step, no thanks for kind words
    assert apologises(drafts["complaint"]) and "next_step" in from_playbook(drafts["complaint"], "complaint"), \
        shown(drafts["complaint"])
    assert not from_playbook(drafts["complaint"], "praise"), shown(drafts["complaint"])
    # question: the fact that answers it, in this language
    assert policy.fact(fact, language) in drafts["question"].text, shown(drafts["question"])


# -- 8. Regenerate -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, brand, entry, language", [
    ("The Midnight Sun espresso blend is amazing, best coffee I've had in years!", AURORA, "midnight-sun", "en"),
    ("Eure Zimtschnecken sind die besten, und der Kaffee ist großartig!", AURORA, "cinnamon-bun", "de"),
    ("Mijn Grachtloper rijdt als een zonnetje, echt de beste fiets die ik ooit had.", SPAAK, "grachtloper", "nl"),
])
def test_the_next_variant_of_a_praise_reply_reads_differently(engine, text, brand, entry, language):
    policy = engine.policy(brand)
    _, first = reply(engine, text, brand, variant=0)
    _, second = reply(engine, text, brand, variant=1)
    assert first.text != second.text, shown(first)
    for d in (first, second):
        assert d.passed and d.origin == "composed" and say(policy, entry, language) in d.text, shown(d)
        assert not from_playbook(d, "complaint"), shown(d)


def test_regenerate_through_the_engine_gives_another_reply(engine):
    mention = make_mention("Kallion kahvilan korvapuustit ovat aivan parhaita, kiitos!", external_id="plan-regen")
    [mention_id] = engine.ingest([mention], AURORA)
    first = engine.process(mention_id)
    again = engine.regenerate(mention_id)
    assert first.draft is not None and again.draft is not None
    assert first.draft.text != again.draft.text, first.draft.text
    assert again.draft.passed and "korvapuustimme" in again.draft.text, again.draft.text


# -- what a complaint is told: only facts that answer it -----------------------------------------------------------


@pytest.mark.parametrize("text, language, not_this_fact", [
    ("Aino was really rude to us at the harbour café today. Not acceptable.", "en", "cafes"),
    ("Mika oli tänään todella epäystävällinen Kallion kahvilassa, en tule enää.", "fi", "cafes"),
    ("Mijn bestelling is na twee weken nog steeds niet aangekomen.", "nl", "returns"),
    ("Η παραγγελία μου δεν έχει φτάσει ακόμα.", "el", "support_email"),
    ("Η παραγγελία μου έφτασε με σκισμένη σακούλα και οι μισοί κόκκοι είχαν χυθεί.", "el", "website"),
    ("The cinnamon buns at the Kallio café were dry and stale today, really disappointing.", "en", "cafes"),
    ("My order arrived with the bag torn open and half the beans spilled everywhere.", "en", "returns"),
])
def test_a_complaint_that_asks_nothing_is_not_told_an_unrelated_fact(engine, text, language, not_this_fact):
    """A problem that asks without asking is matched to the facts too (plan.ASKS_WITHOUT_ASKING), but a fact that does not
    answer it reads as a brush-off: where the cafés are, for a rude barista."""
    _, d = reply(engine, text)
    assert d.language == language and apologises(d), shown(d)
    assert not any(p.kind == "fact" and f"facts.{not_this_fact}." in p.source for p in d.parts), shown(d)
