"""The guard: a draft that invents facts, offers what the policy does not, or sounds wrong is flagged."""

from __future__ import annotations

import pytest

from assistant.domain.models import Intent
from assistant.drafting.guard import check_draft, failed
from assistant.policy.loading import load_policy

from .conftest import POLICY_FILE, make_mention, make_triage

GOOD_EN = "Thanks for asking! We ship within the EU, and orders arrive in 2-5 working days."


def _failed(text, mention_text="Do you ship to Germany?", intent=Intent.QUESTION, language="en",
            network="mastodon", policy=None):
    mention = make_mention(mention_text, source=network)
    checks = check_draft(text, mention, make_triage(intent, language), policy)
    return {c.name: c.detail for c in failed(checks)}


POLICY = load_policy(POLICY_FILE)


def bad(text, **kw):
    return _failed(text, policy=POLICY, **kw)


def test_a_good_reply_passes_every_check(policy):
    mention = make_mention("Do you ship to Germany?")
    checks = check_draft(GOOD_EN, mention, make_triage(), policy)
    names = {c.name for c in checks}
    assert {"not_empty", "language", "length", "we_voice", "forbidden_phrases", "facts", "gestures",
            "emoji", "not_a_copy", "no_prompt_trace", "links", "prices", "staff_named", "contradicts_policy",
            "other_language"} <= names
    assert failed(checks) == []


@pytest.mark.parametrize("text, invented", [
    ("We ship to Germany for just 4.90 EUR!", "4.90"),
    ("We ship within the EU, see https://aurora-deals.example/germany for details.", "https://aurora-deals.example"),
    ("We ship within the EU. Use code AURORA20 at checkout!", "AURORA20"),
    ("We ship within the EU, write to orders@aurora-mail.example for help.", "orders@aurora-mail.example"),
    ("We ship within the EU and deliver to 37 countries.", "37"),
    ("We ship within the EU, call us on +358 40 123 4567.", "+358 40 123 4567"),
    ("We ship within the EU, and everything restarts on March 8th.", "March 8th"),
    ("We ship within the EU from the 3rd of next month.", "3rd"),
])
def test_facts_not_in_the_policy_are_flagged(text, invented):
    problems = bad(text)
    assert "facts" in problems, problems
    assert invented.split("/germany")[0] in problems["facts"]


def test_facts_from_the_policy_and_the_mention_are_allowed():
    text = ("Yes! We ship within the EU; orders arrive in 2-5 working days and shipping is free over 49 EUR. "
            "Questions? hello@auroraroasters.example")
    assert "facts" not in bad(text)
    # a number the customer wrote may be repeated back
    assert "facts" not in bad("We're sorry order 55123 is late, we're on it.", mention_text="Order 55123 is late!",
                              intent=Intent.COMPLAINT)


def test_i_voice_is_flagged():
    problems = bad("Thanks! I will check whether my colleagues ship to Germany.")
    assert "we_voice" in problems and "'I'" in problems["we_voice"]
    assert "we_voice" in bad("Thanks for asking, shipping takes 2-5 working days.")  # no "we" at all


def test_length_limit_depends_on_the_network():
    text = ("Thank you so much for asking! We ship within the EU, Germany included, and our community there "
            "is growing fast. Orders leave our roastery in 1-2 working days and arrive in 2-5 working days; "
            "shipping is free over 49 EUR. If anything is unclear, write to hello@auroraroasters.example and "
            "we'll help. Great that you're here ☕")
    assert 300 < len(text) <= 500
    assert "length" in bad(text, network="bluesky")
    assert "300" in bad(text, network="bluesky")["length"]
    assert "length" not in bad(text, network="mastodon")


def test_forbidden_phrase_is_flagged():
    problems = bad("We apologize for any inconvenience, we ship within the EU.", intent=Intent.COMPLAINT,
                   mention_text="Why did my order take so long?")
    assert "forbidden_phrases" in problems


@pytest.mark.parametrize("text", [
    "We're so sorry! We'd like to offer you a 20% discount on your next order.",
    "We're so sorry, we'll give you a full refund right away.",
    "We're so sorry! Here is a voucher for your next visit.",
])
def test_gestures_beyond_the_policy_are_flagged(text):
    problems = bad(text, mention_text="My beans arrived stale and the bag was torn.", intent=Intent.COMPLAINT)
    assert "gestures" in problems, problems


def test_allowed_gesture_passes_for_a_complaint_but_not_for_praise():
    text = "We're really sorry about the torn bag. We'd like to offer free shipping on your next order."
    complaint = bad(text, mention_text="My bag arrived torn.", intent=Intent.COMPLAINT)
    assert "gestures" not in complaint, complaint
    praise = bad("Thanks so much! We'd like to offer free shipping on your next order.",
                 mention_text="Love your coffee!", intent=Intent.PRAISE)
    assert "gestures" in praise


def test_too_many_emoji():
    assert "emoji" in bad("Thanks for asking! We ship within the EU ☕💛🎉")
    assert "emoji" not in bad("Thanks for asking! We ship within the EU ☕")


def test_a_copy_of_the_mention_is_flagged():
    mention = "We love the Kallio café, we go there every morning!"
    assert "not_a_copy" in bad("We love the Kallio café, we go there every morning!!", mention_text=mention,
                               intent=Intent.PRAISE)


@pytest.mark.parametrize("text", [
    "<|im_start|>assistant We ship within the EU.",
    "Reply: We ship within the EU.",
    "We ship within the EU. MESSAGE>>>",
    "As an AI language model we cannot say.",
])
def test_prompt_traces_are_flagged(text):
    assert "no_prompt_trace" in bad(text)


def test_empty_draft_is_flagged():
    assert "not_empty" in bad("   ")


def test_wrong_language_is_flagged():
    finnish = "Kiitos kysymyksestä! Toimitamme tilaukset kaikkialle EU:n alueelle, myös Saksaan."
    assert "language" in bad(finnish)  # the mention is English
    assert "language" not in bad(finnish, mention_text="Toimitatteko Saksaan?", language="fi")


def test_finnish_we_forms_count_as_we_voice():
    # -mme marks "we/our" in Finnish in every case: tiimiämme, yhteisössämme, korjaamme
    text = "Kiitos paljon ihanista sanoista! Ne ilahduttavat koko tiimiämme. Mahtavaa, että olet mukana yhteisössämme ☕"
    assert "we_voice" not in bad(text, mention_text="Ihana kahvila!", intent=Intent.PRAISE, language="fi")
    # ...but a Finnish reply with no "we" at all is still flagged
    assert "we_voice" in bad("Kiitos paljon ihanista sanoista! Mahtavaa, että olet mukana.",
                             mention_text="Ihana kahvila!", intent=Intent.PRAISE, language="fi")
    # and a French "comme" is not a Finnish "we"
    assert "we_voice" in bad("Merci, comme toujours !", mention_text="Super café", intent=Intent.PRAISE,
                             language="fr")
