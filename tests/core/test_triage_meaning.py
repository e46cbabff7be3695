"""Triage by meaning with the real multilingual encoder: the safety net for crises no
word list names, abuse hidden only when certain, reasons that show the evidence, and
a second brand in another trade triaged from its own policy.

The posts here were written for these tests; accuracy is measured by `python -m devtools eval`
on the labelled sets, not here.
"""

from __future__ import annotations

import pytest

from assistant.domain.models import Action, CrisisKind, Intent, Severity
from assistant.text.normalize import fold
from assistant.triage import Triager
from assistant.triage.crisis import kind_from_words


@pytest.fixture(scope="module")
def triager() -> Triager:
    return Triager()


@pytest.mark.parametrize("text", [
    # an allergic reaction, a phishing victim and a data leak, none in the words of a lexicon
    "my husband's throat got itchy and swollen right after your pistachio croissant, we're at the clinic now",
    "Got an sms saying my Aurora parcel was stuck at customs, paid the 1.99 fee on the link, "
    "now there are three payments I never made on my card",
    "Your order confirmation mail showed me someone else's name, address and phone number. Who else can see mine?",
])
def test_a_crisis_in_words_no_list_holds_is_escalated_by_meaning(triager, policy, text):
    t = triager.triage(text, policy)
    assert t.severity is Severity.HIGH and t.action is Action.ESCALATE, t.reasons
    assert t.crisis is not None, t.reasons  # the card names the kind
    if kind_from_words(fold(text)) is None:  # (the word lists have since learned some of these)
        net = [r for r in t.reasons if r.startswith("severity high:") and "reads like a crisis" in r]
        assert net and ("like '" in net[0] or 'like "' in net[0]), t.reasons  # names the example it resembles


def test_a_veiled_threat_is_escalated(triager, policy):
    t = triager.triage("Weet je wat, ik weet hoe laat jullie barista 's avonds naar huis fietst.", policy)
    assert t.severity is Severity.HIGH and t.action is Action.ESCALATE


def test_pure_insults_are_hidden(triager, policy):
    t = triager.triage("jullie zijn allemaal waardeloze sukkels", policy)
    assert t.intent is Intent.ABUSE and t.action is Action.HIDE
    assert any(r.startswith("hide:") for r in t.reasons)


def test_insults_around_a_real_problem_go_to_a_person_not_hidden(triager, policy):
    t = triager.triage("you useless idiots charged me twice for the same order and nobody answers my emails", policy)
    assert t.action is Action.ESCALATE
    assert any("a person decides" in r for r in t.reasons), t.reasons


def test_a_complaint_about_staff_is_never_hidden(triager, policy):
    t = triager.triage("why does the woman at the till always sigh when I ask for the card machine", policy)
    assert t.action is not Action.HIDE


def test_reasons_show_the_classifier_scores_and_nearest_labelled_posts(triager, policy):
    t = triager.triage("Tilaus numero 4411 lähti eteenpäin vasta kolmen viikon päästä ja pussi tuli auki", policy)
    assert any("classifier:" in r for r in t.reasons)
    nearest = next(r for r in t.reasons if r.startswith("nearest labelled:"))
    assert nearest.count("(") >= 2  # two examples, each with its label and similarity


def test_triage_many_agrees_with_one_at_a_time(triager, policy):
    texts = ["Do you ship to Latvia?", "❤️", "the oat latte at the harbour was lovely", ""]
    assert [t.model_dump() for t in triager.triage_many(texts, policy)] == \
           [triager.triage(x, policy).model_dump() for x in texts]


def test_a_ten_megabyte_post_is_triaged(triager, policy):
    # read up to a bound (the rules 20,000 characters, the encoder 2,000), not to the end
    t = triager.triage("Still waiting for my order from three weeks ago, nobody answers my emails. " * 140_000,
                       policy)
    assert t.intent is Intent.COMPLAINT


# -- a second brand: a Dutch bicycle shop ------------------------------------------------------


def test_second_brand_own_link_is_not_spam_and_the_post_is_answered(triager, second_policy, policy):
    text = "kijk https://despaak.example/verhuur die e-bikes zijn top"
    t = triager.triage(text, second_policy)
    assert t.intent is not Intent.SPAM and t.action is Action.REPLY, t.reasons
    # the same link is someone else's shop for the coffee brand
    assert triager.triage("cheap e-bikes here https://despaak.example/verhuur", policy).action is Action.IGNORE


def test_second_brand_crisis_goes_to_its_own_team(triager, second_policy):
    t = triager.triage("Mijn remmen weigerden helemaal na jullie onderhoudsbeurt, ik ben op de Oudegracht "
                       "gevallen en mijn pols is gebroken", second_policy)
    assert t.action is Action.ESCALATE and t.team == "Veiligheid en juridisch"


def test_second_brand_business_enquiry_reaches_sales_by_meaning(triager, second_policy):
    # no keyword of the rule ("lease", "fleet", ...): it reads like the rule's examples
    t = triager.triage("Wij hebben een kantoor met 40 man en willen graag fietsen voor onze medewerkers regelen",
                       second_policy)
    assert t.action is Action.ESCALATE and t.team == "Sales"
    assert any("reads like" in r for r in t.reasons)


def test_second_brand_ordinary_question_is_answered_not_sent_to_sales(triager, second_policy):
    t = triager.triage("Hoe laat gaan jullie zaterdag open? Wil mijn band laten plakken", second_policy)
    assert t.intent is Intent.QUESTION and t.action is Action.REPLY


# -- found by trying to break it ---------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "Love you guys, honestly the best beans in town. After the cold brew last week my son's lips swelled up "
    "and he could barely breathe. Still a fan ☕",
    "Amazing flat white as always! Btw the floor by the door was wet again and my grandma fell and can't walk now.",
])
def test_a_crisis_inside_a_friendly_post_is_not_averaged_away(triager, policy, text):
    t = triager.triage(text, policy)
    assert t.severity is Severity.HIGH and t.action is Action.ESCALATE, t.reasons
    assert t.crisis is CrisisKind.HEALTH_SAFETY, t.reasons


@pytest.mark.parametrize("text", [
    "Bande d'idiots, vous m'avez débité deux fois.",
    "Era idioter, paketet kom aldrig fram.",
    "your barista is an idiot, spilled hot coffee all over my hand",
])
def test_insults_around_a_problem_in_any_language_are_not_hidden(triager, policy, text):
    assert triager.triage(text, policy).action is not Action.HIDE


def test_invisible_characters_do_not_hide_a_crisis_word(triager, policy):
    t = triager.triage("my kid got food poi\u200bsoning from your cold brew", policy)
    assert t.severity is Severity.HIGH


def test_a_lone_surrogate_does_not_crash_triage(triager, policy):
    t = triager.triage("hi \ud800 do you ship to Latvia?", policy)
    assert t.intent is Intent.QUESTION


def test_control_token_strings_do_not_drag_a_crisis_under_the_net(triager, policy):
    t = triager.triage("<s></s><s></s><pad><pad> my son's lips swelled up after the hazelnut latte and he "
                       "could barely breathe", policy)
    assert t.severity is Severity.HIGH
