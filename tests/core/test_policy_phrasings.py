"""The shipped policy's phrasings, as a reader of a reply would notice them: a mixed post
gets a greeting and an answer to each of its parts in every language; a phrasing that
names something reads right with the catalog's name in it; a complaint reply apologises
without admitting fault; a fan is never apologised to."""

from __future__ import annotations

import re

import pytest

from assistant.domain.models import Intent
from assistant.policy.models import Parts, Policy
from assistant.text.sentences import fill

# Every kind of part the schema has (opener, acknowledge_thing, greeting, also_named...).
KINDS = list(Parts.model_fields)
PEOPLE = "Mika"  # a first name, as the plan passes a person (in its base form)


def _phrasings(policy: Policy, intent: Intent, language: str) -> list[tuple[str, str]]:
    book = policy.playbook(intent)
    assert book is not None
    return [(kind, t) for kind in KINDS for t in book.parts.of(kind, language)]


@pytest.mark.parametrize("intent", [Intent.PRAISE, Intent.COMPLAINT, Intent.SUGGESTION])
def test_every_language_answers_each_part_of_a_mixed_post(policy: Policy, intent: Intent) -> None:
    """A post that praises, complains and has an idea gets a greeting for the name it was
    signed with and a move for each part, in each of the brand's languages."""
    book = policy.playbook(intent)
    assert book is not None
    for kind in ("greeting", "also", "also_named"):
        lacking = [lang for lang in policy.languages if not book.parts.of(kind, lang)]
        assert not lacking, f"playbooks.{intent.value}.parts.{kind} lacks {lacking}"
    for lang in policy.languages:
        assert all("{name}" in t for t in book.parts.of("greeting", lang) + book.parts.of("also_named", lang))
        assert not any("{name}" in t for t in book.parts.of("also", lang))
    question = policy.playbook(Intent.QUESTION)
    assert question is not None and all(question.parts.of("greeting", lang) for lang in policy.languages)


# A name in its base form right after a word that needs another case shows as an article
# that cannot follow that word: "mit das Kaffee-Abo", "für der Abend", "à le moulin",
# "para el", "για η συνδρομή". (word before the name, first word of the name)
MISMATCH = {
    "de": [({"mit", "von", "zu", "bei", "aus", "nach", "seit"}, {"das", "die", "unser", "unsere", "ein", "eine"}),
           ({"für", "über", "um", "durch", "gegen", "ohne"}, {"der"})],
    "fr": [({"à", "de"}, {"le", "les"})],
    "es": [({"a", "de"}, {"el"})],
    "el": [({"για", "με", "σε", "από"}, {"ο", "η", "οι"})],
}


def _mismatch(text: str, variable: str, name: str, language: str) -> bool:
    before = re.search(r"(\w+)\W*\{" + variable + r"\}", text)
    first = name.split()[0].lower()
    return bool(before) and any(before.group(1).lower() in words and first in articles
                                for words, articles in MISMATCH.get(language, []))


def test_every_phrasing_reads_right_with_every_name_the_catalog_says(policy: Policy) -> None:
    """Each {name} phrasing filled with each catalog name (and a first name, which the plan
    passes for praised people): nothing left unfilled, no article that cannot follow the
    word before it."""
    problems: list[str] = []
    for lang in policy.languages:
        names = [e.say[lang] for e in policy.catalog if lang in e.say] + [PEOPLE]
        for intent in policy.playbooks:
            for kind, text in _phrasings(policy, intent, lang):
                if "{name}" not in text:
                    continue
                # acknowledge_person is said only of people; every other part also of things.
                for name in [PEOPLE] if kind == "acknowledge_person" else names:
                    filled = fill(text, {"name": name, **policy.facts_in(lang)})
                    if "{" in filled or "}" in filled or _mismatch(text, "name", name, lang):
                        problems.append(f"{lang} {intent.value}.{kind}: {filled}")
    # The crisis statement names its topic with the catalog's `say` too.
    for lang, text in policy.crisis.texts():
        for entry in policy.catalog:
            if "{topic}" in text and lang in entry.say and _mismatch(text, "topic", entry.say[lang], lang):
                problems.append(f"{lang} crisis: {text.replace('{topic}', entry.say[lang])}")
    assert not problems, "\n".join(problems[:20])


def test_catalog_says_are_base_forms(policy: Policy) -> None:
    """Accusative forms the phrasings cannot take ("unseren Midnight Sun Espresso",
    "mūsu firmas maisījumu", "τον Ethiopia Guji μας") are gone from `say`."""
    says = {lang: [e.say[lang] for e in policy.catalog if lang in e.say] for lang in policy.languages}
    assert not [s for s in says["de"] if re.match(r"(?:unseren|den|einen)\b", s)]
    assert not [s for s in says["el"] if re.match(r"(?:τον|την|τη|τους)\b", s)]
    # Latvian: the nouns end in the nominative (-s, -š, -a, -e), not the accusative -u.
    assert not [s for s in says["lv"] if [w for w in s.split() if w.endswith("u") and w not in ("mūsu", "Guji")]]


# What the complaint parts used to say: an admission of fault (the policy apologises for
# the trouble and gives a next step, it does not say whose fault it was).
ADMISSIONS = ["that's on us", "tämä on meidän vastuullamme", "dit ligt bij ons", "είναι δική μας ευθύνη",
              "این مسئولیت ماست", "tā ir mūsu atbildība", "das liegt bei uns", "es responsabilidad nuestra",
              "c'est de notre responsabilité", "det är vårt ansvar"]


def test_no_complaint_reply_admits_fault(policy: Policy) -> None:
    book = policy.playbook(Intent.COMPLAINT)
    assert book is not None
    texts = [t for lang in policy.languages for _kind, t in _phrasings(policy, Intent.COMPLAINT, lang)]
    texts += list(book.templates.values()) + [e.reply for e in book.examples]
    said = [t for t in texts for a in ADMISSIONS if a in t.lower()]
    assert not said, said
    # The next step stays: write to our support e-mail.
    for lang in policy.languages:
        assert all("{support_email}" in t for t in book.parts.of("next_step", lang)), lang
        assert "{support_email}" in book.templates[lang]


APOLOGIES = re.compile(r"sorry|apolog|pahoillamme|pahoittel|anteeksi|spijt|excuses|λυπ|συγγνώμ|متأسف|متاسف|"
                       r"عذرخواه|žēl|atvaino|leid|entschuldig|sentimos|lament|perdón|disculp|désolé|pardon|"
                       r"ledsen|ledsna|beklagar|ursäkt", re.I)


@pytest.mark.parametrize("intent", [Intent.PRAISE, Intent.QUESTION, Intent.REACTION])
def test_a_fan_or_a_question_is_never_apologised_to(policy: Policy, intent: Intent) -> None:
    book = policy.playbook(intent)
    assert book is not None
    texts = [t for lang in policy.languages for _kind, t in _phrasings(policy, intent, lang)]
    texts += list(book.templates.values())
    assert not [t for t in texts if APOLOGIES.search(t)]
