"""`assistant policy init`: a new brand's tone policy, ready to edit.

The scaffold passes `assistant policy check` as written: a brand block whose
placeholders say TODO, a voice, the languages asked for, an example facts block
(with example questions), an empty catalog with a commented example, and a
playbook for every intent a reply is drafted for, each with `parts` (README "How a
draft is made") and a template in every language. So a brand drafts replies
composed from its own parts from the first run, and the file shows where each
brand-specific line goes.

The parts' phrasings come from phrasebook.py; a language it lacks gets the English
ones, marked ``# TODO: translate``. Here: the brand's name and languages as given on
the command line, the playbooks' goals and steps, the example facts, and the file's
text in the order a person fills it in.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from assistant.domain.errors import AssistantError
from assistant.policy.loading import check_policy_text
from assistant.policy.phrasebook import INTENTS, PHRASES, TEMPLATE_PARTS, WRITTEN, phrasings

# Every ISO 639-1 code: a two-letter code outside this list is a typo.
ISO_639_1 = frozenset("""
aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz
ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik
io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml
mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd
se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi
vo wa wo xh yi yo za zh zu
""".split())

PLAYBOOK_TEXT = {
    "praise": ("002 moment of truth 1; 000/001 answer everyone",
               "Thank them warmly and specifically, and make them feel part of our community.",
               ["Thank them for the specific thing they liked.", "Say what it means to the team.",
                "Invite them back or into the community."]),
    "reaction": ("000/001: a lone heart or a short 'I like it' gets a warm line",
                 "Answer a small reaction with one short, warm line. Match its length.",
                 ["One short line of thanks in our voice."]),
    "question": ("002 moment of truth 3; 004 answer publicly in the channel used",
                 "Answer the question from our facts only, publicly and specifically. If the facts do not "
                 "cover it, say we will find out and how to reach us.",
                 ["Thank them for asking.", "Answer from the facts, and only the facts.",
                  "If the facts do not answer it, say we will check and point to our support e-mail."]),
    "suggestion": ("002 moment of truth 4; 000/001 constructive feedback is free market research",
                   "Thank them for the idea, say honestly what happens with it, and invite more.",
                   ["Thank them for the idea.",
                    "Say we will pass it to the team that decides (no promise that it will happen).",
                    "Invite them to keep sharing ideas with our community."]),
    "complaint": ("004 root causes 1-2; 000/001 stay calm and objective",
                  "Acknowledge the problem, apologise sincerely for the trouble, take responsibility for "
                  "putting it right, address every point raised, and give a concrete next step. Never argue, "
                  "and never admit fault in public before we know what happened.",
                  ["Acknowledge what went wrong, in their words.",
                   "Apologise sincerely for the trouble (no \"for any inconvenience\", no \"that's on us\").",
                   "Address every point they raised.",
                   "Give one concrete next step (for example, e-mail us the details).",
                   "Offer a gesture only if it is one of the allowed gestures."]),
}

# An example fact in every language: replace it with the brand's own.
OPENING_HOURS = {
    "en": "We are open Monday to Friday, 9:00-17:00.",
    "fi": "Olemme avoinna maanantaista perjantaihin klo 9-17.",
    "nl": "We zijn open van maandag tot en met vrijdag, 9.00-17.00 uur.",
    "el": "Είμαστε ανοιχτά Δευτέρα έως Παρασκευή, 9:00-17:00.",
    "fa": "ما از دوشنبه تا جمعه، ساعت ۹ تا ۱۷ باز هستیم.",
    "lv": "Mēs esam atvērti no pirmdienas līdz piektdienai, 9:00-17:00.",
    "de": "Wir haben Montag bis Freitag von 9 bis 17 Uhr geöffnet.",
    "es": "Abrimos de lunes a viernes, de 9:00 a 17:00.",
    "fr": "Nous sommes ouverts du lundi au vendredi, de 9 h à 17 h.",
    "sv": "Vi har öppet måndag till fredag kl. 9-17.",
}

# How people ask for each example fact (matched by meaning, in any language).
FACT_QUESTIONS = {
    "opening_hours": {
        "en": ["what are your opening hours", "what time do you open"],
        "fi": ["mihin aikaan olette auki"], "nl": ["wat zijn jullie openingstijden"],
        "el": ["ποιες είναι οι ώρες λειτουργίας σας"], "fa": ["ساعت کاری شما چیست"],
        "lv": ["kāds ir jūsu darba laiks"], "de": ["wann habt ihr geöffnet"],
        "es": ["¿cuál es vuestro horario?"], "fr": ["quels sont vos horaires d'ouverture"],
        "sv": ["vilka öppettider har ni"],
    },
    "support_email": {
        "en": ["what's your email address", "how can I contact you"],
        "fi": ["mikä on sähköpostiosoitteenne"], "nl": ["wat is jullie e-mailadres"],
        "el": ["ποιο είναι το email σας"], "fa": ["آدرس ایمیل شما چیست"],
        "lv": ["kāda ir jūsu e-pasta adrese"], "de": ["wie lautet eure E-Mail-Adresse"],
        "es": ["¿cuál es vuestro correo electrónico?"], "fr": ["quelle est votre adresse e-mail"],
        "sv": ["vilken e-postadress har ni"],
    },
    "website": {
        "en": ["do you have a website"], "fi": ["onko teillä nettisivut"], "nl": ["hebben jullie een website"],
        "el": ["έχετε ιστοσελίδα"], "fa": ["وب‌سایت دارید"], "lv": ["vai jums ir mājaslapa"],
        "de": ["habt ihr eine Webseite"], "es": ["¿tenéis página web?"], "fr": ["vous avez un site internet"],
        "sv": ["har ni en webbplats"],
    },
}

TRANSLATE = "  # TODO: translate"


@dataclass
class Scaffold:
    brand_id: str
    text: str
    untranslated: list[str] = field(default_factory=list)  # languages given the English phrasings


def parse_languages(value: str) -> list[str]:
    """``"en, fi,DE"`` -> ["en", "fi", "de"]; AssistantError (one line) for a code that is not ISO 639-1."""
    codes: list[str] = []
    for raw in re.split(r"[,\s]+", value.strip()):
        if not raw:
            continue
        code = raw.lower()
        if not re.fullmatch(r"[a-z]{2}", code):
            raise AssistantError(f"{raw!r} is not a language code",
                                 "give two-letter ISO 639-1 codes separated by commas, such as --languages en,fi,de")
        if code not in ISO_639_1:
            raise AssistantError(f"{raw!r} is not an ISO 639-1 language code",
                                 "give two-letter codes such as en, fi, de, nl, fr, es, sv")
        if code not in codes:
            codes.append(code)
    if not codes:
        raise AssistantError("no languages given", "name at least one, such as --languages en")
    return codes


def brand_id(name: str) -> str:
    """The brand's id and file name: "Acme Bikes" -> "acme-bikes"."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    if not slug:
        raise AssistantError(f"{name!r} makes no file name",
                             "give the brand's name in letters or digits, such as `assistant policy init acme`")
    if len(slug) > MAX_ID:
        raise AssistantError(f"the brand name makes a file name of {len(slug)} characters (at most {MAX_ID})",
                             "give a shorter name, or --out with a shorter file name")
    return slug


MAX_ID = 100  # file systems allow 255 bytes for a name; a brand id is also typed in commands


def display_name(name: str) -> str:
    """How the brand writes its name: as given, or "acme-bikes" -> "Acme Bikes"."""
    name = " ".join(name.split())
    if re.fullmatch(r"[a-z0-9]+(?:[-_][a-z0-9]+)*", name):
        return " ".join(w.capitalize() for w in re.split(r"[-_]", name))
    return name


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _list(items: list[str]) -> str:
    return "[" + ", ".join(_q(i) for i in items) + "]"


def render(name: str, languages: list[str], path: str | None = None) -> Scaffold:
    """The policy file's text for brand ``name`` answering in ``languages`` (first: the default);
    ``path``: where it will be written (named in its first lines)."""
    bid = brand_id(name)
    shown = display_name(name)
    domain = f"{bid}.example"
    untranslated = [lang for lang in languages if lang not in WRITTEN]
    out: list[str] = []
    add = out.append

    add(f"# Tone policy for {shown}, made by `assistant policy init`. Fill in every line marked TODO,")
    add(f"# then check it with:  assistant policy check {path or f'policies/{bid}.yaml'}")
    add("# The sections are described in README.md, \"Writing a tone policy\"; policies/aurora-roasters.yaml")
    add("# and examples/policies/de-spaak.yaml are complete examples.")
    if untranslated:
        add(f"# Languages with English stand-ins marked TODO: translate: {', '.join(untranslated)}.")
    add("")
    add("brand:")
    add(f"  name: {_q(shown)}  # TODO: your brand's name, as you write it")
    add(f"  website: {_q('TODO: your website, e.g. https://' + domain)}")
    add("  # TODO: your accounts, so posts by them are read as the brand's own, e.g.")
    add(f"  #   mastodon: \"@{bid}@mastodon.social\"")
    add(f"  #   bluesky: {bid}.bsky.social")
    add("  handles: {}")
    add("  # Names people use for you, and common misspellings (to find indirect mentions).")
    add(f"  aliases: [{_q(shown)}]  # TODO: other names people use")
    add("  misspellings: []  # TODO: e.g. a missing letter, a joined-up name")
    add("")
    add("voice:")
    add("  # Speak as \"we\", build a bond with \"our community\" (000/001, 003).")
    add("  person: we")
    add("  community_phrases: [our community]  # TODO: your own, in each language")
    add("  formality: friendly  # casual, friendly or formal")
    add("  emoji:")
    add("    max: 1")
    add("    preferred: []  # TODO: one or two that fit the brand")
    add("  # Phrases that sound like a soapbox or a brush-off, or admit fault before anyone knows what")
    add("  # happened. TODO: add them in each of your languages.")
    add("  forbidden_phrases:")
    for phrase in ("as per our policy", "we apologize for any inconvenience", "calm down", "you're wrong",
                   "per my last message", "that's on us", "as an AI", "language model"):
        add(f"    - {_q(phrase)}")
    add("  max_length: {default: 500, mastodon: 500, bluesky: 300, x: 280}")
    add("")
    add(f"# A post in a language not listed here is answered in the first one ({languages[0]}).")
    add(f"languages: [{', '.join(languages)}]")
    add("")
    add("# The only facts a reply may state. Anything else (a price, a date, a link, a code) that is")
    add("# neither here nor in the post is refused by the guard. One string when it reads the same in")
    add("# every language (an e-mail, a link), else one text per language. TODO: your own facts.")
    add("facts:")
    add(f"  support_email: hello@{domain}  # TODO: your support e-mail")
    add(f"  website: https://{domain}  # TODO: your website")
    add("  opening_hours:  # TODO: your hours, or remove this fact")
    for lang in languages:
        add(f"    {lang}: {_q(OPENING_HOURS.get(lang, OPENING_HOURS['en']))}"
            + (TRANSLATE if lang not in OPENING_HOURS else ""))
    add("")
    add("# How people ask for each fact, in any language and register: a question is matched to")
    add("# these by meaning. The more languages and phrasings, the better.")
    add("fact_questions:")
    for key, by_lang in FACT_QUESTIONS.items():
        add(f"  {key}:")
        for lang in dict.fromkeys(["en", *languages]):
            for question in by_lang.get(lang, []):
                add(f"    - {_q(question)}")
    add("")
    add("# Questions near the facts that the facts do NOT answer, by topic: a question closest to")
    add("# one of these gets \"we'll find out\", never a neighbouring fact. For example:")
    add("#   holiday_opening:")
    add("#     - are you open on Christmas Eve")
    add("unanswered_questions: {}")
    add("")
    add("# What posts name: products, places, people and events. A draft acknowledges what a post")
    add("# names, as `say` puts it in that language: the base (nominative) form, singular, so it reads")
    add("# right wherever a phrasing puts {name}. A complaint never names a member of staff. For example:")
    add("#   - id: flagship")
    add("#     kind: product  # product, place, person or event")
    add("#     names: [Flagship, the flagship]  # as people write it; or per language, with `any`")
    add(f"#     say: {{{languages[0]}: \"our Flagship\"}}")
    add("#   - id: anna")
    add("#     kind: person")
    add("#     names: [Anna]")
    add("catalog: []")
    add("")
    add("# Per intent: what a reply is composed from (`parts`, several phrasings per language; a")
    add("# draft picks one by the post, Regenerate the next) and a template per language (the")
    add("# fallback). {name} is what the post named, in its base form; {brand} and every fact")
    add("# ({support_email}, ...) are variables. greeting: for a post its author signed. also /")
    add("# also_named: what this intent says when it is a smaller part of a post. TODO: make them")
    add("# sound like you.")
    add("playbooks:")
    for intent in INTENTS:
        source, goal, steps = PLAYBOOK_TEXT[intent]
        add(f"  {intent}:")
        add(f"    source: {_q(source)}")
        add(f"    goal: {_q(goal)}")
        add("    steps:")
        for step in steps:
            add(f"      - {_q(step)}")
        add("    parts:")
        for kind in PHRASES[intent]:
            add(f"      {kind}:")
            for lang in languages:
                texts, stand_in = phrasings(intent, kind, lang)
                add(f"        {lang}: {_list(texts)}" + (TRANSLATE if stand_in else ""))
        add("    templates:")
        for lang in languages:
            stand_in = False
            sentences = []
            for kind in TEMPLATE_PARTS[intent]:
                texts, missing = phrasings(intent, kind, lang)
                sentences.append(texts[-1] if kind == "closing" else texts[0])
                stand_in = stand_in or missing
            add(f"      {lang}: {_q(' '.join(sentences))}" + (TRANSLATE if stand_in else ""))
    add("")
    add("# High severity (safety, legal, fraud, press...) goes to people, with no draft (004).")
    add("escalation:")
    add("  - name: crisis")
    add("    severity: [high]")
    add(f"    team: {_q('TODO: who handles crises (PR, legal)')}")
    add("    # channel: \"#escalations\"  # TODO: the Slack channel for them")
    add("    source: \"004 severity decides the response\"")
    add("")
    add("# The only gestures a reply may offer; any other offer is refused by the guard. For example:")
    add("#   - id: free-shipping")
    add("#     offer: free shipping on your next order")
    add("#     intents: [complaint]")
    add("#     keywords: [free shipping]")
    add("gestures: []")
    add("")
    add("moderation:")
    add("  abuse: hide")
    add("  spam: ignore")
    add("")
    add("review:")
    add("  # channel: \"#replies\"  # TODO: the Slack channel where drafts wait for approval")
    add("  approvers: []")
    add("  response_target_minutes: 60")
    return Scaffold(brand_id=bid, text="\n".join(out) + "\n", untranslated=untranslated)


def write_scaffold(name: str, languages: list[str], path: Path) -> Scaffold:
    """Write the scaffold to ``path``, never over an existing file; it is checked as
    `assistant policy check` would first, so what is written loads."""
    if path.exists() or path.is_symlink():
        raise AssistantError(f"{path} already exists; nothing was written",
                             "give another --out, or remove the file first")
    scaffold = render(name, languages, str(path))
    policy, problems = check_policy_text(scaffold.text, str(path))
    if policy is None:  # a bug here, not the user's: say so rather than write a broken file
        raise AssistantError(f"the scaffold for {name!r} does not pass the policy check: {problems[0]}",
                             "please report it; nothing was written")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as f:  # "x": a file made meanwhile is not overwritten
            f.write(scaffold.text)
    except FileExistsError:
        raise AssistantError(f"{path} already exists; nothing was written",
                             "give another --out, or remove the file first") from None
    except OSError as exc:
        raise AssistantError(f"cannot write {path}: {exc.strerror}", "give another --out") from None
    return scaffold
