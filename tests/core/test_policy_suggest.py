"""`assistant policy suggest`: sentences the team keeps adding to or removing from
drafts become a diff of the policy file, through a real SQLite file written with the
Store's own methods (save_triage with the draft, approve(..., edited=True)). The diff
must apply to the policy file and load; the policy file itself is never written; a
suggestion never carries a member of the public's handle, a foreign link or a number
the policy's facts lack."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.domain.models import Draft, DraftPart, Intent, Mention, Triage
from assistant.insights.learning.suggest import suggest
from assistant.insights.learning.suggestion import suggestion_lines
from assistant.policy.loading import load_policy
from assistant.policy.models import Policy
from assistant.store import Store
from assistant.text.sentences import fill

from .conftest import POLICY_FILE, make_mention, make_triage

ADDED = "Lähetä tilausnumerosi, niin tarkistamme asian."
RESPONSIBLE = "Tämä on meidän vastuullamme."  # the first sentence of complaint.parts.next_step.fi


def composed(policy: Policy, intent: Intent, language: str, variant: int = 0,
             author: str = "@ann") -> list[DraftPart]:
    """The parts a composed complaint draft has, as drafting/compose.py stores them:
    an opener (the ``variant``-th phrasing) and the first next step, filled in, each
    with its policy source."""
    book = policy.playbook(intent)
    assert book is not None
    values = {"author": author, "brand": policy.brand.name, **policy.facts_in(language)}
    parts = []
    for kind in ("opener", "next_step"):
        options = book.parts.of(kind, language)
        pick = options[variant % len(options)] if kind == "opener" else options[0]
        parts.append(DraftPart(kind=kind, text=fill(pick, values),
                               source=f"policy: playbooks.{intent.value}.parts.{kind}"))
    return parts


def approve(store: Store, policy: Policy, n: int, edit: Callable[[str], str], author: str = "@ann",
            intent: Intent = Intent.COMPLAINT, language: str = "fi", variant: int = 0,
            triage: Triage | None = None, post: str = "Tilaukseni on taas myöhässä.") -> str:
    """One mention, triaged and drafted (save_triage), approved as ``edit(draft)``."""
    m: Mention = make_mention(f"{post} ({n})", external_id=f"m{n}", author=author)
    store.add_mention(m, brand="aurora-roasters")
    parts = composed(policy, intent, language, variant, author)
    draft = Draft(text=" ".join(p.text for p in parts), language=language, origin="composed",
                  backend="composed", model="aurora-roasters policy", parts=parts)
    draft_id = store.save_triage(m.key, triage or make_triage(intent, language), draft)
    assert draft_id is not None
    text = edit(draft.text or "")
    store.approve(m.key, "U_TEAM", text, connector="mastodon", draft_id=draft_id, edited=text != draft.text)
    return m.key


def apply_diff(text: str, diff: str) -> str:
    """Apply a unified diff to ``text``: every context and removed line must match."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    at = 0
    hunks = [h for h in diff.splitlines(keepends=True)]
    i = next(n for n, line in enumerate(hunks) if line.startswith("@@"))
    while i < len(hunks):
        head = re.match(r"@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@", hunks[i])
        assert head, hunks[i]
        start = int(head.group(1)) - 1 if head.group(2) != "0" else int(head.group(1))
        out += lines[at:start]
        at = start
        i += 1
        while i < len(hunks) and not hunks[i].startswith("@@"):
            tag, body = hunks[i][0], hunks[i][1:]
            if tag in " -":
                assert lines[at] == body, f"line {at + 1}: {lines[at]!r} != {body!r}"
                at += 1
            if tag in " +":
                out.append(body)
            i += 1
    return "".join(out + lines[at:])


def applied(stdout: str, policy: Policy, tmp_path: Path) -> Policy:
    """The diff in the command's output applied to a copy of the policy file (with
    `patch` where the machine has it, else by hand), loaded as the assistant loads it."""
    diff = stdout[stdout.index("--- a/"):]
    source = Path(policy.path)
    copy = tmp_path / "applied" / source.name
    copy.parent.mkdir(exist_ok=True)
    shutil.copy(source, copy)
    if shutil.which("patch"):
        done = subprocess.run(["patch", "--silent", str(copy)], input=stdout, text=True, capture_output=True)
        assert done.returncode == 0, done.stdout + done.stderr
        assert copy.read_text(encoding="utf-8") == apply_diff(source.read_text(encoding="utf-8"), diff)
    else:
        copy.write_text(apply_diff(source.read_text(encoding="utf-8"), diff), encoding="utf-8")
    return load_policy(copy)


@pytest.fixture
def policy(policies_dir: Path) -> Policy:
    """The shipped policy as copied for this test (the one the command reads): the
    policy in the source tree may change while tests run."""
    return load_policy(policies_dir / POLICY_FILE.name)


@pytest.fixture
def two_sentence_policy(policies_dir: Path) -> Policy:
    """The copy with complaint.parts.next_step.fi's first phrasing opening with
    RESPONSIBLE, so people can drop one sentence of a phrasing."""
    path = policies_dir / POLICY_FILE.name
    first = load_policy(path).playbook(Intent.COMPLAINT).parts.of("next_step", "fi")[0]  # type: ignore[union-attr]
    text = path.read_text(encoding="utf-8")
    for written in (first, f'"{first}"', f"'{first}'"):
        line = f"        - {written}\n"
        if line in text:
            path.write_text(text.replace(line, f'        - "{RESPONSIBLE} {first}"\n', 1), encoding="utf-8")
            break
    else:
        pytest.fail(f"complaint.parts.next_step.fi's phrasing {first!r} not found as one line")
    return load_policy(path)


def test_a_sentence_four_people_appended_is_suggested_as_a_diff_that_applies(
        run_cli, tmp_path: Path, policy: Policy, policies_dir: Path) -> None:
    store = Store(tmp_path / "cli.db")  # the database run_cli points the command at
    try:
        for n in range(4):
            approve(store, policy, n, lambda d: f"{d} {ADDED}", author=f"@asiakas{n}", variant=n)
    finally:
        store.close()
    before = Path(policy.path).read_bytes()
    result = run_cli("policy", "suggest", "--since", "90d", "--min-count", "3")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "4 edits read" in out
    line = next(x for x in out.splitlines() if ADDED in x and x.startswith("#"))
    where = re.search(r"playbooks\.complaint\.parts\.(\w+)\.fi", line)
    assert where, line
    kind = where.group(1)
    assert "(4 approvals, after the next_step)" in line
    assert f'+        - "{ADDED}"' in out
    assert Path(policy.path).read_bytes() == before  # never written
    changed = applied(out, policy, tmp_path)
    book = changed.playbook(Intent.COMPLAINT)
    assert book is not None and ADDED in book.parts.of(kind, "fi")
    # Nothing else moved: every other phrasing is as it was.
    assert book.parts.of(kind, "fi")[:-1] == policy.playbook(Intent.COMPLAINT).parts.of(kind, "fi")  # type: ignore[union-attr]


def test_a_sentence_added_twice_is_not_suggested_at_min_count_three(store: Store, policy: Policy) -> None:
    twice = "Toivottavasti kahvi maistuu taas pian."
    for n in range(2):
        approve(store, policy, n, lambda d: f"{d} {twice}", author=f"@kaksi{n}")
    result = suggest(store, policy, since="90d", min_count=3)
    assert result.added == [] and result.removed == [] and result.diff == ""
    lines = suggestion_lines(result)
    assert len(lines) == 1 and "No phrasing to suggest" in lines[0] and "2 edits read" in lines[0]
    # A third approval with the same sentence (other case and accents, a word changed) makes it one.
    approve(store, policy, 9, lambda d: f"{d} TOIVOTTAVASTI kahvi maistuu taas pian!", author="@kolmas")
    result = suggest(store, policy, since="90d", min_count=3)
    assert [s.approvals for s in result.added] == [3]
    assert result.added[0].text == twice and result.added[0].path.endswith(".fi")
    # ...and with --min-count 2 the two were enough.
    assert len(suggest(store, policy, since="90d", min_count=2).added) == 1


def test_a_phrase_removed_from_three_drafts_is_suggested_for_removal_with_its_path(
        store: Store, two_sentence_policy: Policy, tmp_path: Path) -> None:
    policy = two_sentence_policy
    for n in range(3):
        approve(store, policy, n, lambda d: d.replace(RESPONSIBLE + " ", ""), author=f"@poisto{n}", variant=n)
    approve(store, policy, 7, lambda d: d + " Kiitos.", author="@muu")  # kept it: not counted
    result = suggest(store, policy, since="90d", min_count=3)
    assert result.edits == 4 and result.added == []
    [removed] = result.removed
    assert removed.path == "playbooks.complaint.parts.next_step.fi"
    assert removed.text == RESPONSIBLE and removed.approvals == 3 and removed.placed
    assert removed.phrasing is not None and removed.phrasing.startswith(RESPONSIBLE)
    assert removed.keep == removed.phrasing.removeprefix(RESPONSIBLE + " ")
    out = "\n".join(suggestion_lines(result)) + "\n"  # as the command prints it
    assert f'playbooks.complaint.parts.next_step.fi: "{RESPONSIBLE}" (3 drafts; kept as' in out
    assert f'# suggested: people removed "{RESPONSIBLE}" from 3 drafts' in out
    changed = applied(out, policy, tmp_path)
    book = changed.playbook(Intent.COMPLAINT)
    assert book is not None
    assert book.parts.of("next_step", "fi") == [removed.keep, *policy.playbook(  # type: ignore[union-attr]
        Intent.COMPLAINT).parts.of("next_step", "fi")[1:]]
    assert not any(RESPONSIBLE in p for p in book.parts.of("next_step", "fi"))


def test_a_whole_phrasing_removed_is_commented_out(store: Store, policy: Policy, tmp_path: Path) -> None:
    opener = policy.playbook(Intent.COMPLAINT).parts.of("opener", "fi")[0]  # type: ignore[union-attr]
    for n in range(3):
        approve(store, policy, n, lambda d: d.replace(opener + " ", ""), author=f"@avaaja{n}", variant=0)
    [removed] = suggest(store, policy, since="90d").removed
    assert removed.path == "playbooks.complaint.parts.opener.fi" and removed.keep == ""
    out = "\n".join(suggestion_lines(suggest(store, policy, since="90d"))) + "\n"
    assert f"-        - {opener}\n" in out and f"+        # - {opener}" in out
    book = applied(out, policy, tmp_path).playbook(Intent.COMPLAINT)
    assert book is not None and opener not in book.parts.of("opener", "fi")
    assert book.parts.of("opener", "fi") == policy.playbook(  # type: ignore[union-attr]
        Intent.COMPLAINT).parts.of("opener", "fi")[1:]  # the others stay


def test_a_suggestion_never_carries_a_handle_a_foreign_link_or_a_number(
        store: Store, policy: Policy, tmp_path: Path) -> None:
    signed = make_triage(Intent.COMPLAINT, "fi").model_copy(update={"signed": "Raili", "people": ["Pertti"]})
    for n in range(4):
        author = f"@raili_{n}x"
        approve(store, policy, n, lambda d, a=author, n=n: (
            f"Hei {a}! {d} Kiitos myös @naapuri{n}. Katso https://evil.example/tarjous{n}. "
            f"Saat 5 € alennuksen. Soita 040 123 456{n}. Terveisiä Pertille ja Pertti! Hei Raili!"),
            author=author, triage=signed)
    result = suggest(store, policy, since="90d", min_count=3)
    out = "\n".join(suggestion_lines(result))
    texts = [s.text for s in result.added]
    assert "Hei {author}!" in texts  # the handle and the signed name became {author}
    assert "Kiitos myös." in texts  # another handle left out
    for leak in ("@raili", "raili_", "Raili", "@naapuri", "evil.example", "tarjous", "040", "5 €", "Pertti"):
        assert leak not in out, leak
    # The link, the price and the phone number (4 times each): never suggested, and counted.
    assert result.unsafe == 12
    assert "12 added sentences held a link, e-mail, price or number the policy facts lack" in out
    assert result.named == 4 and "4 named a person the post named" in out
    # The brand's own address is the policy's: it becomes its variable.
    store2 = Store(tmp_path / "own.db")
    try:
        for n in range(3):
            approve(store2, policy, n, lambda d: f"{d} Voit myös kirjoittaa osoitteeseen hello@auroraroasters.example.",
                    author=f"@oma{n}")
        [own] = suggest(store2, policy, since="90d").added
        assert own.text == "Voit myös kirjoittaa osoitteeseen {support_email}."
    finally:
        store2.close()


def test_the_command_says_when_nothing_qualifies(run_cli, tmp_path: Path, policy: Policy) -> None:
    store = Store(tmp_path / "cli.db")
    try:
        approve(store, policy, 1, lambda d: f"{d} Katso https://evil.example/x", author="@yksi")
        approve(store, policy, 2, lambda d: d)  # unchanged: not an edit
    finally:
        store.close()
    result = run_cli("policy", "suggest")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("No phrasing to suggest for aurora-roasters: 1 edit read since ")
    assert "1 added sentence held a link" in lines[0]


def test_what_a_sentence_may_carry_into_the_policy(policy: Policy) -> None:
    from assistant.insights.learning.edits import Safety
    from assistant.insights.learning.outcomes import ApprovedReply

    reply = ApprovedReply(decision_id=1, mention_id="m", brand=None, author="@mika_k@mastodon.example", post="",
                          intent="complaint", language="fi", text="", edited=True, decided_at="", draft_id=None,
                          draft_text=None, reading={"signed": "Aino Virtanen", "people": ["Pekka"]})
    clean = Safety(policy).clean
    assert clean("Kiitos @mika_k@mastodon.example ja Mika!", reply) == ("Kiitos {author} ja {author}!", None)
    assert clean("Hei Aino Virtanen, kiitos @toinen.", reply) == ("Hei {author}, kiitos.", None)
    assert clean("Kirjoita osoitteeseen hello@auroraroasters.example.", reply) == (
        "Kirjoita osoitteeseen {support_email}.", None)
    assert clean("Katso {website} ja {support_email}.", reply) == ("Katso (website) ja (support_email).", None)
    for unsafe in ("Katso https://auroraroasters.example/ale", "Katso evil-coffee.shop/win", "Saat 10 % alennusta.",
                   "Saat 5 € hyvitystä.", "Soita 040 1234 567.", "Kirjoita osoitteeseen apu@evil.example.",
                   "Katso evil[.]com", "Koodi on KAHVI24."):
        assert clean(unsafe, reply) == ("", "unsafe"), unsafe
    assert clean("Tervehdi Pekkaa ja Pekka!", reply) == ("", "named")
    assert clean("Tilaukset lähtevät 1-2 arkipäivässä.", reply) == ("Tilaukset lähtevät 1-2 arkipäivässä.", None)
