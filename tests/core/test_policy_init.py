"""`assistant policy init` and the bike shop's composition parts, through the real click
group (click's CliRunner) with the fake model: a scaffold passes `policy check`, its drafts
are composed from its parts (not its templates), it never overwrites a file; the bike shop
drafts from its parts in nl, en, de and fr and names what a post praised from its catalog."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import _register, cli, main
from assistant.domain.models import Intent
from assistant.policy.loading import load_policy
from assistant.policy.models import REPLY_INTENTS
from assistant.policy.phrasebook import PHRASES, WRITTEN
from assistant.policy.scaffold import ISO_639_1, render
from devtools.fakes import FAKE_MODEL

from .conftest import SECOND_POLICY_FILE

# Every kind a scaffold writes, per intent (the plan in drafting/plan.py uses each).
KINDS = {
    "praise": {"greeting", "opener", "returning_fan", "acknowledge_person", "acknowledge_thing", "next_step",
               "closing", "also", "also_named"},
    "reaction": {"greeting", "opener", "returning_fan", "acknowledge_thing", "next_step", "closing", "also",
                 "also_named"},
    "question": {"greeting", "opener", "unanswered", "closing", "also", "also_named"},
    "suggestion": {"greeting", "opener", "acknowledge_thing", "next_step", "closing", "also", "also_named"},
    "complaint": {"greeting", "opener", "acknowledge_thing", "next_step", "closing", "also", "also_named"},
}


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean environment: no ASSISTANT_* settings but these, the fake model, and the
    model asked for no language, so every draft is composed from the policy alone."""
    for key in [k for k in os.environ if k.startswith(("ASSISTANT_", "SLACK_"))]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)  # no .env from the checkout
    for key, value in {"ASSISTANT_DB_PATH": str(tmp_path / "cli.db"), "ASSISTANT_BACKEND": FAKE_MODEL,
                       "ASSISTANT_POLICIES_DIR": str(tmp_path / "policies"),
                       "ASSISTANT_OUTBOX_FILE": str(tmp_path / "outbox.jsonl"),
                       "ASSISTANT_MODEL_LANGUAGES": "[]", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
                       "COLUMNS": "220"}.items():
        monkeypatch.setenv(key, value)
    _register()
    return tmp_path


def _invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args))


def _main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The console script's entry point, as a user runs it: exit code, stdout, stderr."""
    monkeypatch.setattr(sys, "argv", ["assistant", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def _draft(text: str, brand: str | None = None) -> tuple[dict, str]:  # type: ignore[type-arg]
    """`assistant draft TEXT`: its --json object and its review card."""
    brand_args = ["--brand", brand] if brand else []
    as_json = _invoke("draft", text, *brand_args, "--json")
    assert as_json.exit_code == 0, as_json.output
    shown = _invoke("draft", text, *brand_args)
    assert shown.exit_code == 0, shown.output
    return json.loads(as_json.output), shown.output


def _composed_from_parts(out: dict, card: str, intent: str) -> None:  # type: ignore[type-arg]
    assert out["draft"], out
    assert out["fallback"]["used"] is False, out
    assert f"policy: playbooks.{intent}.parts.opener" in card, card
    assert ".templates." not in card, card  # no sentence of the draft is the fallback's
    assert "composed ·" in card, card


# -- policy init ---------------------------------------------------------------------------------------


def test_init_writes_a_policy_that_passes_check_with_parts_in_every_language(env: Path) -> None:
    path = env / "policies" / "acme.yaml"
    r = _invoke("policy", "init", "Acme Home", "--languages", "en,fi,de", "--out", str(path))
    assert r.exit_code == 0, r.output
    assert f"wrote {path}" in r.output and "TODO" in r.output
    check = _invoke("policy", "check", str(path))
    assert check.exit_code == 0 and check.output.strip().splitlines()[-1] == f"{path}: ok", check.output
    assert "warning" not in check.output  # every fact has example questions and every language
    policy = load_policy(path)
    assert policy.languages == ["en", "fi", "de"] and policy.brand.name == "Acme Home"
    assert policy.catalog == [] and set(policy.facts) == {"support_email", "website", "opening_hours"}
    assert {i.value for i in REPLY_INTENTS} == {i.value for i in policy.playbooks}
    for intent, book in policy.playbooks.items():
        for kind in KINDS[intent.value]:
            for lang in ("en", "fi", "de"):
                assert book.parts.of(kind, lang), (intent, kind, lang)
        assert set(book.templates) == {"en", "fi", "de"}
    text = path.read_text(encoding="utf-8")
    assert re.search(r"website: \"TODO: your website", text)  # placeholders say so
    assert "# TODO: your support e-mail" in text and "TODO: who handles crises" in text
    assert "#   - id: flagship" in text  # the catalog's commented example
    assert "TODO: translate" not in text


def test_init_drafts_are_composed_from_its_parts_not_its_templates(env: Path) -> None:
    r = _invoke("policy", "init", "acme", "--languages", "en,fi,de")
    assert r.exit_code == 0, r.output
    assert (env / "policies" / "acme.yaml").is_file()  # the default: the policies folder, NAME.yaml
    posts = [
        ("Love this place, the team was so helpful! — Anna", "praise", "en"),
        ("What are your opening hours?", "question", "en"),
        ("My order arrived broken and nobody answers my messages.", "complaint", "en"),
        ("Kiitos ihanasta palvelusta, tiimi oli tosi avulias!", "praise", "fi"),
        ("Mihin aikaan olette auki?", "question", "fi"),
        ("Vielen Dank, das Team war super hilfsbereit!", "praise", "de"),
        ("Meine Bestellung kam kaputt an und niemand antwortet.", "complaint", "de"),
    ]
    for text, intent, lang in posts:
        out, card = _draft(text)
        assert (out["intent"], out["language"]) == (intent, lang), (text, out)
        _composed_from_parts(out, card, intent)
    out, card = _draft("What are your opening hours?")
    assert "We are open Monday to Friday" in out["draft"] and "facts.opening_hours.en" in card
    out, card = _draft("Love this place, the team was so helpful! — Anna")
    assert out["draft"].startswith("Hi Anna!") and "parts.greeting" in card


def test_a_second_init_to_the_same_path_is_refused_and_the_file_is_unchanged(
        env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    path = env / "acme.yaml"
    code, _, err = _main(monkeypatch, capsys, "policy", "init", "acme", "--languages", "en", "--out", str(path))
    assert code == 0, err
    before = path.read_bytes()
    code, out, err = _main(monkeypatch, capsys, "policy", "init", "other", "--languages", "de,fr", "--out",
                           str(path))
    assert code == 1 and not out
    assert len(err.strip().splitlines()) == 1, err  # one line: what is wrong and how to fix it
    assert "already exists" in err and "--out" in err and "remove the file" in err
    assert path.read_bytes() == before


def test_an_unsupported_language_gets_the_english_phrasings_marked_todo(
        env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    path = env / "acme.yaml"
    code, out, err = _main(monkeypatch, capsys, "policy", "init", "acme", "--languages", "en,pt", "--out",
                           str(path))
    assert code == 0, err
    assert len(err.strip().splitlines()) == 1 and "warning" in err and "pt" in err and "TODO: translate" in err
    assert f"wrote {path}" in out
    text = path.read_text(encoding="utf-8")
    pt_lines = [line for line in text.splitlines() if line.strip().startswith("pt:")]
    assert pt_lines and all(line.endswith("# TODO: translate") for line in pt_lines)
    assert not [line for line in text.splitlines() if line.strip().startswith("en:") and "TODO" in line]
    policy = load_policy(path)
    for book in policy.playbooks.values():
        assert book.parts.opener["pt"] == book.parts.opener["en"]
        assert book.templates["pt"] == book.templates["en"]
    assert _invoke("policy", "check", str(path)).exit_code == 0


@pytest.mark.parametrize("languages", ["en,xx", "eng", "en,e1", ",", "zz"])
def test_an_unknown_or_invalid_language_code_is_one_line_and_writes_nothing(
        env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], languages: str) -> None:
    path = env / "acme.yaml"
    code, out, err = _main(monkeypatch, capsys, "policy", "init", "acme", "--languages", languages, "--out",
                           str(path))
    assert code == 1 and not out
    assert len(err.strip().splitlines()) == 1 and err.startswith("error:"), err
    assert "ISO 639-1" in err or "language" in err
    assert not path.exists()


def test_the_phrasebook_is_complete_and_brand_neutral() -> None:
    assert set(WRITTEN) == {"en", "fi", "nl", "el", "fa", "lv", "de", "es", "fr", "sv"} <= ISO_639_1
    for intent, kinds in KINDS.items():
        assert set(PHRASES[intent]) == kinds, intent
        for kind, by_lang in PHRASES[intent].items():
            assert set(by_lang) == set(WRITTEN), (intent, kind)
            for lang, texts in by_lang.items():
                assert texts and all(t.strip() for t in texts), (intent, kind, lang)
                for t in texts:
                    # no trade, no emoji: the brand's own are the brand's to add
                    assert not re.search(r"coffee|café|cafe|kahvi|koffie|kaffee|bike|fiets|☕|🚲", t, re.I), t
                    if kind in ("acknowledge_person", "acknowledge_thing", "also_named"):
                        assert "{name}" in t, (intent, kind, lang, t)
                    if kind == "acknowledge_thing" or (kind == "also_named" and intent != "praise"):
                        # a thing's name ("our shop") would start a sentence in lower case
                        assert not t.startswith("{name}"), t
    # every written language, all at once, passes the checks a running process makes
    from assistant.policy.loading import check_policy_text

    policy, problems = check_policy_text(render("Zeta", list(WRITTEN)).text, "zeta.yaml")
    assert policy is not None, problems
    assert "TODO: translate" not in render("Zeta", list(WRITTEN)).text


# -- the bike shop's parts -------------------------------------------------------------------------------


@pytest.fixture
def bike_shop(env: Path) -> Path:
    folder = env / "policies"
    folder.mkdir(exist_ok=True)
    shutil.copy(SECOND_POLICY_FILE, folder / SECOND_POLICY_FILE.name)
    return folder


def test_the_bike_shop_has_parts_for_every_intent_in_every_language() -> None:
    policy = load_policy(SECOND_POLICY_FILE)
    assert policy.languages == ["nl", "en", "de", "fr"]
    for intent, book in policy.playbooks.items():
        for kind in KINDS[intent.value]:
            for lang in policy.languages:
                assert book.parts.of(kind, lang), (intent, kind, lang)
    complaint = policy.playbooks[Intent.COMPLAINT]
    said = " ".join(t for kind in KINDS["complaint"] for lang in policy.languages
                    for t in complaint.parts.of(kind, lang)) + " ".join(complaint.templates.values())
    for admits in ("that's on us", "ligt bij ons", "liegt bei uns", "notre responsabilité", "notre faute"):
        assert admits not in said.lower()
    assert all("{support_email}" in t for lang in policy.languages for t in complaint.parts.of("next_step", lang))
    assert "☕" not in SECOND_POLICY_FILE.read_text(encoding="utf-8")
    # how a reply names each catalog entry, in every language
    assert policy.catalog and all(set(e.say) == set(policy.languages) for e in policy.catalog)


@pytest.mark.parametrize("text, intent, language, names", [
    ("Joost in de werkplaats heeft mijn achterwiel weer perfect gemaakt, topper!", "praise", "nl",
     ["Joost", "onze werkplaats"]),
    ("Mijn Grachtloper rijdt als een zonnetje, echt de beste fiets die ik ooit had.", "praise", "nl",
     ["onze stadsfiets Grachtloper"]),
    ("Hoe laat gaan jullie open op zaterdag?", "question", "nl", ["za 10-17 uur"]),
    ("Big thanks to Ilse at the De Pijp shop, she sorted my gears in ten minutes!", "praise", "en",
     ["Ilse", "our shop in De Pijp"]),
    ("The rental bike I got had a flat after 2 km and nobody answered the phone. Not impressed.", "complaint",
     "en", ["our bike rental", "info@despaak.example"]),
    ("Can I just walk in with a flat tyre or do I need to book?", "question", "en", ["without an appointment"]),
    ("Mehmet in der Werkstatt hat mein Rad super repariert, vielen Dank!", "praise", "de",
     ["Mehmet", "unsere Werkstatt"]),
    ("Das Leihrad hatte nach 5 km einen Platten, echt ärgerlich.", "complaint", "de",
     ["unser Fahrradverleih", "info@despaak.example"]),
    ("Merci à Joost de l'atelier, mon vélo roule comme neuf !", "praise", "fr", ["Joost", "notre atelier"]),
    ("Vous êtes ouverts le dimanche ?", "question", "fr", ["fermés le dimanche"]),
])
def test_bike_shop_drafts_are_composed_from_its_parts(bike_shop: Path, text: str, intent: str, language: str,
                                                      names: list[str]) -> None:
    out, card = _draft(text, brand="de-spaak")
    assert (out["intent"], out["language"], out["action"]) == (intent, language, "reply"), out
    _composed_from_parts(out, card, intent)
    for name in names:  # what the post named, as the catalog says it (or the fact that answers it)
        assert name in out["draft"], (name, out["draft"])
    if intent == "complaint":
        assert "Joost" not in out["draft"] and "on us" not in out["draft"]
