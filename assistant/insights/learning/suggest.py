"""`assistant policy suggest`: the sentences the team keeps adding to drafts, and the
ones it keeps taking out, as a diff of the policy file for a person to review.
Nothing here writes the policy.

How it reads the edits (approvals outcomes.py calls edited or rewritten):

1. The draft and the approved text are split into sentences (text/sentences.py) and
   compared case- and accent-insensitively (text/normalize.py ``fold``). A sentence
   of the approved text with no sentence of the draft at ``SAME`` (0.85) similarity
   (difflib's ratio, computed by rapidfuzz) or more was **added**; a sentence of the
   draft with none in the approved text was **removed**; a pair at ``SAME`` or more is
   the same sentence, lightly edited.
2. Each sentence is tied to a **move**: a removed one to the draft part it came from
   (its ``kind`` and its ``source``, e.g. "policy: playbooks.complaint.parts.next_step",
   which with the draft's language names the phrasing exactly); an added one to the
   policy part it replaced or, failing that, sat after (or before, at the start).
3. Sentences are grouped per intent and language: the same or near-same sentence
   (folded, ratio >= ``SAME``). A group found in at least ``min_count`` different
   approvals is suggested: added ones appended to ``playbooks.<intent>.parts.<kind>.<lang>``,
   removed ones commented out of that list with the reason (a phrasing of which only
   some sentences were removed is kept without them).

Public text is only data here, and a suggestion never copies a member of the
public into the policy: the author's handle or name (and the name a post was signed
with) becomes ``{author}``, any other @handle is left out, a sentence naming a person
the post named (not a catalog name) is skipped, and so is a sentence holding a link,
an e-mail, a price or any number the policy's facts do not (disguised ones included:
drafting/claims.py ``reveal``). The brand's own e-mail or web address becomes its
``{fact}`` variable. The diff is checked to load as a policy before it is shown.

Here: counting what the approvals agree on and finding the phrasing a removed sentence
came from. Reading the edits is edits.py; the file edited as text and its diff,
policy_diff.py; what a suggestion is and what the command prints, suggestion.py.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from assistant.domain.models import Intent
from assistant.insights.learning.edits import (
    PART_KINDS,
    PARTS_PATH,
    Safety,
    Seen,
    SentenceGroup,
    anonymous,
    changes,
    draft_sentences,
    group_seen,
    place,
    policy_source,
    printable,
    spaces,
)
from assistant.insights.learning.outcomes import UNCHANGED, approved_replies
from assistant.insights.learning.policy_diff import policy_diff
from assistant.insights.learning.suggestion import Suggestion, Suggestions
from assistant.insights.log import parse_since
from assistant.policy.models import Policy
from assistant.store import Store
from assistant.text.normalize import fold
from assistant.text.sentences import sentences

MIN_COUNT = 3


def suggest(store: Store, policy: Policy, since: datetime | str | None = None, min_count: int = MIN_COUNT,
            brand: str | None = None, unbranded: bool = False) -> Suggestions:
    """What the team's edits since ``since`` suggest for ``policy``. ``brand``: read only
    that brand's mentions (``unbranded``: and those stored with none)."""
    min_count = max(1, min_count)
    since = parse_since(since) if isinstance(since, str) else since
    replies = [r for r in approved_replies(store, since, brand=brand, unbranded=unbranded) if r.outcome != UNCHANGED]
    safety = Safety(policy)
    adds: list[tuple[tuple[str, str], Seen]] = []
    removes: list[tuple[tuple[str, str], Seen]] = []
    unsafe = named = 0
    for r in replies:
        draft = draft_sentences(r)
        approved = sentences(r.text)
        added, removed = changes(draft, approved)
        for sentence, beside in added:
            text, why = safety.clean(sentence, r)
            if why == "unsafe":
                unsafe += 1
            elif why == "named":
                named += 1
            if not text:
                continue
            at_start = approved.index(sentence) == 0 if sentence in approved else False
            adds.append(((r.intent, r.language),
                         Seen(r.decision_id, text, fold(text), place(beside, r.intent, at_start))))
        for s in removed:
            shown = anonymous(printable(s.text), r) or "…"
            source = policy_source(s.part) or ""
            removes.append(((r.intent, r.language), Seen(
                r.decision_id, shown, fold(shown),
                (source, r.draft_language or r.language, spaces(s.part.text) if s.part else ""))))

    added_out: list[Suggestion] = []
    for (intent, language), groups in group_seen(adds).items():
        for g in groups:
            if g.approvals >= min_count:
                book, kind, relation = g.where()
                suggestion = Suggestion("add", intent, language, g.text(), g.approvals,
                                        f"playbooks.{book}.parts.{kind}.{language}", relation)
                if g.folded in {fold(p) for p in _phrasings(policy, book, kind, language)}:
                    suggestion.note = "already a phrasing there"
                added_out.append(suggestion)
    removed_out: list[Suggestion] = []
    not_policy = 0
    for (intent, language), groups in group_seen(removes).items():
        for g in groups:
            if g.approvals < min_count:
                continue
            source, draft_language, part_text = g.where()
            if not source:
                not_policy += 1
                continue
            suggestion = Suggestion("remove", intent, language, g.text(), g.approvals, source)
            match = PARTS_PATH.match(source)
            if match:
                _phrasing_of(suggestion, policy, match.group(1), match.group(2), draft_language, part_text, g)
            removed_out.append(suggestion)
    order = {"add": 0, "remove": 1}
    for out in (added_out, removed_out):
        out.sort(key=lambda s: (order[s.action], s.path, -s.approvals, s.text))
    text = Path(policy.path).read_text(encoding="utf-8") if policy.path else ""
    diff = policy_diff(policy, text, added_out, removed_out) if text else ""
    return Suggestions(policy.path, policy.id, since, min_count,
                       len(replies), added_out, removed_out, unsafe, named, not_policy, diff)


def _phrasings(policy: Policy, book: str, kind: str, language: str) -> list[str]:
    try:
        playbook = policy.playbook(Intent(book))
    except ValueError:
        return []
    return playbook.parts.of(kind, language) if playbook is not None and kind in PART_KINDS else []


def _template(phrasing: str) -> re.Pattern[str]:
    """A phrasing as a pattern its filled-in text matches ({support_email} matches the address)."""
    pieces = re.split(r"(\{[^{}]*\})", spaces(phrasing))
    return re.compile("".join(".+?" if p.startswith("{") and p.endswith("}") else re.escape(p) for p in pieces)
                      + r"\Z", re.S | re.I)


def _phrasing_of(s: Suggestion, policy: Policy, book: str, kind: str, language: str, part_text: str,
                 group: SentenceGroup) -> None:
    """Fill in the policy phrasing a removed sentence came from, and its path."""
    try:
        playbook = policy.playbook(Intent(book))
    except ValueError:
        playbook = None
    if playbook is None or kind not in PART_KINDS:
        s.note = "no such playbook part in the policy"
        return
    languages = [language, *[lang for lang in getattr(playbook.parts, kind) if lang != language]]
    for lang in languages:
        for phrasing in playbook.parts.of(kind, lang):
            if part_text and _template(phrasing).match(part_text):
                s.path, s.phrasing = f"playbooks.{book}.parts.{kind}.{lang}", phrasing
                mine = sentences(phrasing)
                gone = {i for i, sentence in enumerate(mine)
                        if any(_template(sentence).match(spaces(seen.text)) or
                               fold(sentence) == seen.folded for seen in group.seen)}
                if not gone:  # the sentence read differently once filled in: the phrasing goes
                    gone = set(range(len(mine)))
                s.keep = " ".join(x for i, x in enumerate(mine) if i not in gone)
                s.text = " ".join(x for i, x in enumerate(mine) if i in gone) or s.text
                return
    s.path = f"playbooks.{book}.parts.{kind}.{language}"
    s.note = "the phrasing is no longer in the policy"

