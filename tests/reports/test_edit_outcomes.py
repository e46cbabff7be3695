"""How drafts were approved (assistant/insights/learning/outcomes.py): each approved reply is
unchanged, edited or rewritten against the draft a person saw, tallied per intent and
language, for `python -m devtools eval --drafts` (outcome_lines, devtools/drafts_eval.py) and
the HTML report's section, through a real SQLite file written with the Store's own methods."""

from __future__ import annotations

import re
from datetime import timedelta

from assistant.domain.models import Intent, utcnow
from assistant.insights.learning import (
    EDITED,
    EDITED_AT,
    REWRITTEN,
    UNCHANGED,
    approved_replies,
    classify,
)
from assistant.insights.report import render_html
from assistant.policy.models import Policy
from assistant.store import Store
from devtools.drafts_eval import outcome_lines

from .conftest import add, draft, triage

DRAFT = "Olemme todella pahoillamme, ja kiitos kun kerroit. Lähetäthän tilausnumerosi, niin korjaamme asian."


def build(store: Store) -> dict[str, str]:
    """Four Finnish complaints: two approved unchanged (one saved from the editor with
    only its spacing changed), one edited (a sentence added), one rewritten; and one
    English question approved unchanged. Returns the mention ids by outcome."""
    received = utcnow() - timedelta(hours=1)
    ids = {}
    for n, (name, text, edited) in enumerate([
            ("unchanged", DRAFT, False),
            ("spaces", DRAFT.replace(". ", ".  \n"), True),
            ("edited", DRAFT + " Tarkistamme asian tänään.", True),
            ("rewritten", "Hei! Välitimme viestisi tiimillemme, joka ottaa sinuun yhteyttä yksityisviestillä.", True)]):
        key, draft_id = add(store, f"c{n}", "Tilaukseni on myöhässä.", received, author=f"@asiakas{n}",
                            t=triage(Intent.COMPLAINT, language="fi"), d=draft(DRAFT))
        store.approve(key, "U_TEAM", text, connector="mastodon", draft_id=draft_id, edited=edited)
        ids[name] = key
    key, draft_id = add(store, "q1", "Do you ship to Riga?", received, t=triage(Intent.QUESTION, language="en"),
                        d=draft("Thanks for asking! We ship within the EU."))
    store.approve(key, "U_TEAM", "Thanks for asking! We ship within the EU.", connector="mastodon",
                  draft_id=draft_id)
    ids["question"] = key
    return ids


def test_classify_by_the_documented_threshold() -> None:
    assert classify(DRAFT, "  " + DRAFT.replace(" ", "\n")) == (UNCHANGED, 1.0)
    outcome, ratio = classify(DRAFT, DRAFT + " Tarkistamme asian tänään.")
    assert outcome == EDITED and EDITED_AT <= ratio < 1
    outcome, ratio = classify(DRAFT, "Kiitos viestistä, palaamme asiaan.")
    assert outcome == REWRITTEN and ratio < EDITED_AT
    assert classify(None, "written from scratch") == (REWRITTEN, 0.0)


def test_outcomes_per_intent_and_language(store: Store) -> None:
    ids = build(store)
    by_id = {r.mention_id: r for r in approved_replies(store)}
    assert {name: by_id[key].outcome for name, key in ids.items()} == {
        "unchanged": UNCHANGED, "spaces": UNCHANGED, "edited": EDITED, "rewritten": REWRITTEN,
        "question": UNCHANGED}
    assert by_id[ids["edited"]].draft_text == DRAFT  # compared with the draft the decision names
    lines = outcome_lines(store, since=None)
    assert lines[1].split() == ["intent", "language", "approved", "unchanged", "edited", "rewritten"]
    rows = {tuple(line.split()[:2]): line.split()[2:] for line in lines[2:]}
    assert rows[("complaint", "fi")] == ["4", "2", "1", "1"]
    assert rows[("question", "en")] == ["1", "1", "0", "0"]
    assert lines[-1].split() == ["all", "5", "3", "1", "1"]
    assert lines[0].startswith("How drafts were approved (edited: similarity ≥ 0.6")


def test_the_window_counts_approvals_made_since(store: Store) -> None:
    ids = build(store)
    old = (utcnow() - timedelta(days=200)).isoformat(timespec="milliseconds")
    store.db.execute("UPDATE decisions SET created_at = ? WHERE mention_id = ?", [old, ids["rewritten"]])
    lines = outcome_lines(store, since="90d")
    assert re.match(r"How drafts were approved since \d{4}-\d\d-\d\d ", lines[0])
    rows = {tuple(line.split()[:2]): line.split()[2:] for line in lines[2:]}
    assert rows[("complaint", "fi")] == ["3", "2", "1", "0"]
    assert outcome_lines(store, since=utcnow() + timedelta(days=1)) == [
        f"How drafts were approved since {(utcnow() + timedelta(days=1)).strftime('%Y-%m-%d')}: no approved replies."]


def test_a_mention_approved_again_after_a_failed_post_counts_once(store: Store) -> None:
    ids = build(store)
    outbox = store.db.execute("SELECT id FROM outbox WHERE mention_id = ?", [ids["edited"]]).fetchone()[0]
    assert store.claim_outbox(outbox)
    store.mark_failed(outbox, "401 Unauthorized")
    store.approve(ids["edited"], "U_TEAM", DRAFT, connector="mastodon", edited=False)  # corrected: the draft
    rows = {tuple(line.split()[:2]): line.split()[2:] for line in outcome_lines(store)[2:]}
    assert rows[("complaint", "fi")] == ["4", "3", "0", "1"]


def test_the_report_shows_the_same_counts(store: Store, policy: Policy) -> None:
    build(store)
    html, _ = render_html(store, utcnow() - timedelta(days=30), policy=policy)
    section = re.search(r'<section id="approvals-section"><h2>How drafts were approved</h2>.*?</section>', html, re.S)
    assert section is not None
    cells = [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", section.group(0))]
    assert ["complaint", "fi", "4", "2", "1", "1"] in cells
    assert ["question", "en", "1", "1", "0", "0"] in cells
    # A quiet period says so.
    html, _ = render_html(store, utcnow() - timedelta(days=30), until=utcnow() - timedelta(days=20), policy=policy)
    assert 'id="no-approvals"' in html


def test_hostile_intent_and_language_stay_escaped(store: Store, policy: Policy) -> None:
    ids = build(store)
    # Triage writes a language code and an Intent; an old or hand-edited file could hold anything.
    store.db.execute("UPDATE triage SET language = ?, intent = ? WHERE mention_id = ?",
                     ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', ids["rewritten"]])
    store.db.execute("UPDATE triage SET language = ? WHERE mention_id = ?", ["x" * 300, ids["question"]])
    html, _ = render_html(store, utcnow() - timedelta(days=30), policy=policy)
    section = re.search(r'<section id="approvals-section">.*?</section>', html, re.S)
    assert section is not None
    body = section.group(0)
    assert "<script" not in body and "<img" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in body
    assert "x" * 100 not in body  # clipped
    # In a terminal: control characters shown as "?", long values clipped.
    store.db.execute("UPDATE triage SET language = ? WHERE mention_id = ?", ["\x1b[2J" + "x" * 300, ids["question"]])
    lines = outcome_lines(store)
    assert not any("\x1b" in line for line in lines)
    assert all(len(line) < 200 for line in lines[1:])
