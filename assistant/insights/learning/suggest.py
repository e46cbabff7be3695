"""`assistant policy suggest`: the sentences the team keeps adding to drafts, and the
ones it keeps taking out, as a diff of the policy file for a person to review.
Nothing here writes the policy.

How it reads the edits (approvals outcomes.py calls edited or rewritten):

1. The draft and the approved text are split into sentences (drafting/text.py) and
   compared case- and accent-insensitively (triage/normalize.py ``fold``). A sentence
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
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from assistant.domain.models import DraftPart, Intent
from assistant.drafting.claims import reveal
from assistant.drafting.patterns import DOMAIN, EMAIL, MONEY, PERCENT, URL
from assistant.insights.learning.outcomes import UNCHANGED, ApprovedReply, approved_replies
from assistant.insights.log import parse_since
from assistant.policy.loading import check_policy_text
from assistant.policy.models import Parts, Policy
from assistant.store import Store
from assistant.text.normalize import fold
from assistant.text.sentences import sentences

# Folded sentences at or above this similarity (difflib's ratio) are the same phrasing.
SAME = 0.85
MIN_COUNT = 3
PART_KINDS = tuple(Parts.model_fields)

_PARTS_PATH = re.compile(r"^playbooks\.([a-z_]+)\.parts\.([a-z_]+)$")
_HANDLE = re.compile(r"(?<![\w@.+-])@[\w](?:[\w.-]*\w)?(?:@[\w-]+(?:\.[\w-]+)+)?")
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
_DIGITS = re.compile(r"\d+")
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


_MARKUP = re.compile(r"<[^>\s]*[^\w\s>][^>]*>|<\s*/?\s*[a-z!@#][^>]*>|&[a-z#0-9]+;", re.I)


def _ratio(a: str, b: str) -> float:
    """difflib's ratio 2·M/T, exact and fast (rapidfuzz); 0 below ``SAME``."""
    return 1.0 if a == b else fuzz.ratio(a, b, score_cutoff=SAME * 100) / 100.0


def _printable(text: str) -> str:
    """Control characters out (ZWNJ stays: Persian words need it)."""
    text = _BIDI.sub("", text)
    return "".join(ch for ch in text if ch == "\u200c" or unicodedata.category(ch) not in ("Cc", "Cs"))


def _spaces(text: str) -> str:
    return " ".join(text.split())


# -- what a sentence may carry into the policy -------------------------------------------------


class _Safety:
    """Makes a sentence of an edit fit for the policy, or says why it is not."""

    def __init__(self, policy: Policy) -> None:
        texts = [t for key in policy.facts for t in policy.all_texts_of_fact(key)]
        self.numbers = {m.group(0) for t in texts for m in _DIGITS.finditer(t)}
        # A price or a percentage is the facts' own only as an amount they give as one
        # ("5 €" is not "2-5 working days").
        self.amounts = {n for t in texts for p in (MONEY, PERCENT) for m in p.finditer(t)
                        for n in _DIGITS.findall(m.group(0))}
        self.links = {self._link(m.group(0)) for t in texts for p in (URL, DOMAIN, EMAIL) for m in p.finditer(t)}
        self.links |= {link.split("@", 1)[1] for link in self.links if "@" in link}
        # A fact that reads the same in every language (an e-mail, a web address): its variable.
        self.plain = sorted(((value, key) for key, value in policy.facts.items()
                             if isinstance(value, str) and value.strip()), key=lambda kv: -len(kv[0]))
        self.catalog = {fold(n) for entry in policy.catalog for n in entry.all_names()}

    @staticmethod
    def _link(text: str) -> str:
        return fold(text).rstrip(".,;:!?")

    def clean(self, sentence: str, reply: ApprovedReply) -> tuple[str, str | None]:
        """(the sentence as it could go into the policy, None) or ("", why not):
        why is "unsafe" (a link, e-mail, price or number the facts lack; a disguise)
        or "named" (a person the post named)."""
        # Braces a person typed are not template variables: only ours are.
        text = _printable(sentence).replace("{", "(").replace("}", ")")
        text = _anonymous(text, reply)
        if not text:
            return "", None
        folded = fold(text)
        for person in reply.reading.get("people") or []:
            name = fold(str(person))
            if name and name not in self.catalog and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", folded):
                return "", "named"
        revealed = reveal(_PLACEHOLDER.sub(" ", text))
        if revealed.disguises or _MARKUP.search(text):  # <script>, <!channel>: never a phrasing
            return "", "unsafe"
        for pattern in (URL, EMAIL, DOMAIN):
            if any(self._link(m.group(0)) not in self.links for m in pattern.finditer(revealed.text)):
                return "", "unsafe"
        if any(m.group(0) not in self.numbers for m in _DIGITS.finditer(revealed.text)):
            return "", "unsafe"
        if any(n not in self.amounts for p in (MONEY, PERCENT) for m in p.finditer(revealed.text)
               for n in _DIGITS.findall(m.group(0))):
            return "", "unsafe"
        # The brand's own address (checked above to be exactly the fact's): its variable.
        for value, key in self.plain:
            text = re.sub(re.escape(value), "{" + key + "}", text, flags=re.I)
        return text, None


def _author_names(reply: ApprovedReply) -> tuple[list[str], list[str]]:
    """The ways a reply may name its author: whole names (the handle with and without
    @ and instance, the name the post was signed with), and the words of them."""
    author = reply.author.strip()
    bare = author.lstrip("@")
    local = bare.split("@")[0]
    signed = str(reply.reading.get("signed") or "").strip()
    whole = {n.strip() for n in (author, bare, local, local.split(".")[0] if "." in local else "", signed)
             if len(n.strip()) >= 2}
    words = {w for n in (local, signed) for w in re.split(r"[\W\d_]+", n) if len(w) >= 3} - whole
    return sorted(whole, key=len, reverse=True), sorted(words, key=len, reverse=True)


def _anonymous(text: str, reply: ApprovedReply) -> str:
    """The author named as {author}; other @handles left out."""
    original = text
    whole, words = _author_names(reply)
    for name in whole:
        text = re.sub(rf"(?<![\w@]){re.escape(name)}(?!\w)", "{author}", text, flags=re.I)
    for word in words:
        # A word of a handle ("mika" of @mika_k) only where written as a name (capitalised).
        text = re.sub(rf"(?<![\w@]){re.escape(word[:1].upper() + word[1:])}(?!\w)", "{author}", text)
    text = _HANDLE.sub("", text)
    text = re.sub(r"\{author\}(?:\s*\{author\})+", "{author}", text)
    text = re.sub(r"\s+([,.!?;:…])", r"\1", _spaces(text))
    text = re.sub(r"^[\s,;:–—-]+", "", text)
    if text and text != original and original[:1].isupper() and text[:1].islower():
        text = text[:1].upper() + text[1:]
    return "" if not re.search(r"\w", _PLACEHOLDER.sub("", text)) else text


# -- what changed between a draft and its approval ---------------------------------------------


@dataclass
class _Sentence:
    text: str
    part: DraftPart | None


def _draft_sentences(reply: ApprovedReply) -> list[_Sentence]:
    """The draft's sentences, each with the part it came from (None: not found)."""
    pieces = [(fold(s), p) for p in reply.draft_parts for s in sentences(p.text)]
    out = []
    for s in sentences(reply.draft_text or ""):
        f = fold(s)
        best = max(pieces, key=lambda piece: _ratio(piece[0], f), default=None)
        out.append(_Sentence(s, best[1] if best is not None and _ratio(best[0], f) >= SAME else None))
    return out


def _changes(draft: list[_Sentence], approved: list[str]) -> tuple[
        list[tuple[str, list[tuple[str, DraftPart | None]]]], list[_Sentence]]:
    """(added sentences, each with the draft parts beside it, nearest first), removed sentences."""
    old = [fold(s.text) for s in draft]
    new = [fold(s) for s in approved]
    added: list[tuple[str, list[tuple[str, DraftPart | None]]]] = []
    removed: list[_Sentence] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        paired: set[int] = set()
        fresh = []
        for j in range(j1, j2):
            free = [i for i in range(i1, i2) if i not in paired]
            best = max(free, key=lambda i: _ratio(old[i], new[j]), default=None)  # noqa: B023
            if best is not None and _ratio(old[best], new[j]) >= SAME:
                paired.add(best)  # the same sentence, lightly edited
            else:
                fresh.append(j)
        gone = [i for i in range(i1, i2) if i not in paired]
        removed += [draft[i] for i in gone]
        beside = ([("in place of", draft[i].part) for i in gone]
                  + [("after", draft[i].part) for i in range(i1 - 1, -1, -1)]
                  + [("before", draft[i].part) for i in range(i2, len(draft))])
        added += [(approved[j], beside) for j in fresh]
    return added, removed


def _policy_source(part: DraftPart | None) -> str | None:
    """"playbooks.complaint.parts.next_step" from the part's source, if the policy's."""
    if part is None:
        return None
    source = part.source.split(" + ")[0].strip()
    return source.removeprefix("policy:").strip() if source.startswith("policy:") else None


def _place(beside: list[tuple[str, DraftPart | None]], intent: str, at_start: bool) -> tuple[str, str, str]:
    """(intent, part kind, relation) where an added sentence goes: beside the nearest
    policy part of the draft; with none, an opener at the start, else a closing."""
    for relation, part in beside:
        match = _PARTS_PATH.match(_policy_source(part) or "")
        if match and match.group(2) in PART_KINDS:
            return match.group(1), match.group(2), f"{relation} the {match.group(2)}"
    kind = "opener" if at_start else "closing"
    return intent, kind, "where the draft had no policy part"


# -- grouping ----------------------------------------------------------------------------------


@dataclass
class _Seen:
    decision_id: int
    text: str
    folded: str
    where: tuple[str, str, str]  # add: (intent, kind, relation); remove: (source path, language, part text)


@dataclass
class _Group:
    folded: str
    seen: list[_Seen] = field(default_factory=list)

    @property
    def approvals(self) -> int:
        return len({s.decision_id for s in self.seen})

    def text(self) -> str:
        return Counter(s.text for s in self.seen).most_common(1)[0][0]

    def where(self) -> tuple[str, str, str]:
        return Counter(s.where for s in self.seen).most_common(1)[0][0]


def _group(seen: list[tuple[tuple[str, str], _Seen]]) -> dict[tuple[str, str], list[_Group]]:
    groups: dict[tuple[str, str], list[_Group]] = {}
    for key, s in seen:
        bucket = groups.setdefault(key, [])
        home = next((g for g in bucket if g.folded == s.folded), None) or next(
            (g for g in bucket if _ratio(g.folded, s.folded) >= SAME), None)
        if home is None:
            home = _Group(s.folded)
            bucket.append(home)
        home.seen.append(s)
    return groups


# -- the suggestions ---------------------------------------------------------------------------


@dataclass
class Suggestion:
    action: str  # "add" or "remove"
    intent: str  # the posts' intent (triage)
    language: str
    text: str  # the sentence (added: as it would go into the policy)
    approvals: int  # how many different approvals added or removed it
    path: str  # where in the policy: playbooks.complaint.parts.next_step.fi
    relation: str = ""  # add: "after the next_step"
    phrasing: str | None = None  # remove: the policy's phrasing the sentence is (part of)
    keep: str | None = None  # remove: that phrasing without the removed sentences ("" for none)
    placed: bool = False  # the diff carries it
    note: str = ""  # why the diff does not


@dataclass
class Suggestions:
    policy_path: str
    brand: str
    since: datetime | None
    min_count: int
    edits: int  # edited and rewritten approvals read
    added: list[Suggestion]
    removed: list[Suggestion]
    unsafe: int  # added sentences with a link, e-mail, price or number the facts lack
    named: int  # added sentences naming a person the post named
    not_policy: int  # sentences removed in min_count drafts that no policy phrasing wrote
    diff: str


def suggest(store: Store, policy: Policy, since: datetime | str | None = None, min_count: int = MIN_COUNT,
            brand: str | None = None, unbranded: bool = False) -> Suggestions:
    """What the team's edits since ``since`` suggest for ``policy``. ``brand``: read only
    that brand's mentions (``unbranded``: and those stored with none)."""
    min_count = max(1, min_count)
    since = parse_since(since) if isinstance(since, str) else since
    replies = [r for r in approved_replies(store, since, brand=brand, unbranded=unbranded) if r.outcome != UNCHANGED]
    safety = _Safety(policy)
    adds: list[tuple[tuple[str, str], _Seen]] = []
    removes: list[tuple[tuple[str, str], _Seen]] = []
    unsafe = named = 0
    for r in replies:
        draft = _draft_sentences(r)
        approved = sentences(r.text)
        added, removed = _changes(draft, approved)
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
                         _Seen(r.decision_id, text, fold(text), _place(beside, r.intent, at_start))))
        for s in removed:
            shown = _anonymous(_printable(s.text), r) or "…"
            source = _policy_source(s.part) or ""
            removes.append(((r.intent, r.language), _Seen(
                r.decision_id, shown, fold(shown),
                (source, r.draft_language or r.language, _spaces(s.part.text) if s.part else ""))))

    added_out: list[Suggestion] = []
    for (intent, language), groups in _group(adds).items():
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
    for (intent, language), groups in _group(removes).items():
        for g in groups:
            if g.approvals < min_count:
                continue
            source, draft_language, part_text = g.where()
            if not source:
                not_policy += 1
                continue
            suggestion = Suggestion("remove", intent, language, g.text(), g.approvals, source)
            match = _PARTS_PATH.match(source)
            if match:
                _phrasing_of(suggestion, policy, match.group(1), match.group(2), draft_language, part_text, g)
            removed_out.append(suggestion)
    order = {"add": 0, "remove": 1}
    for out in (added_out, removed_out):
        out.sort(key=lambda s: (order[s.action], s.path, -s.approvals, s.text))
    text = Path(policy.path).read_text(encoding="utf-8") if policy.path else ""
    diff = _diff(policy, text, added_out, removed_out) if text else ""
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
    pieces = re.split(r"(\{[^{}]*\})", _spaces(phrasing))
    return re.compile("".join(".+?" if p.startswith("{") and p.endswith("}") else re.escape(p) for p in pieces)
                      + r"\Z", re.S | re.I)


def _phrasing_of(s: Suggestion, policy: Policy, book: str, kind: str, language: str, part_text: str,
                 group: _Group) -> None:
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
                        if any(_template(sentence).match(_spaces(seen.text)) or
                               fold(sentence) == seen.folded for seen in group.seen)}
                if not gone:  # the sentence read differently once filled in: the phrasing goes
                    gone = set(range(len(mine)))
                s.keep = " ".join(x for i, x in enumerate(mine) if i not in gone)
                s.text = " ".join(x for i, x in enumerate(mine) if i in gone) or s.text
                return
    s.path = f"playbooks.{book}.parts.{kind}.{language}"
    s.note = "the phrasing is no longer in the policy"


# -- the policy file, edited as text (comments and layout kept) ---------------------------------


def _significant(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


class _PolicyText:
    """The policy file's lines and the blocks of its keys, found by indentation."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines(keepends=True)
        if self.lines and not self.lines[-1].endswith("\n"):
            self.lines[-1] += "\n"

    def text(self) -> str:
        return "".join(self.lines)

    def end(self, start: int) -> int:
        """One past the last significant line of the block the key at ``start`` opens."""
        own = _indent(self.lines[start])
        last = start
        for i in range(start + 1, len(self.lines)):
            line = self.lines[i]
            if not _significant(line):
                continue
            ind = _indent(line)
            if ind < own or (ind == own and not line.lstrip().startswith("- ") and line.strip() != "-"):
                break
            last = i
        return last + 1

    def child(self, start: int, stop: int, key: str) -> int | None:
        """The line of ``key:`` directly inside lines (start, stop)."""
        pattern = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*:(?:\s|$)""")
        inner = None
        for i in range(start, stop):
            line = self.lines[i]
            if not _significant(line):
                continue
            inner = _indent(line) if inner is None else inner
            if _indent(line) == inner and pattern.match(line):
                return i
        return None

    def find(self, keys: list[str]) -> tuple[int | None, list[int]]:
        """The line of the last key, and the lines of those found on the way."""
        start, stop = 0, len(self.lines)
        found: list[int] = []
        for key in keys:
            at = self.child(start, stop, key)
            if at is None:
                return None, found
            found.append(at)
            start, stop = at + 1, self.end(at)
        return found[-1], found

    def inline(self, at: int) -> bool:
        """Whether the key's value is written on its own line (`fi: [a, b]`)."""
        rest = self.lines[at].split(":", 1)[1].strip()
        return bool(rest) and not rest.startswith("#")

    def items(self, at: int) -> list[tuple[int, int]]:
        """(first line, one past the last) of each list item under the key at ``at``."""
        stop = self.end(at)
        starts = [i for i in range(at + 1, stop) if self.lines[i].lstrip().startswith("- ")
                  and _indent(self.lines[i]) == self._item_indent(at)]
        out = []
        for n, first in enumerate(starts):
            last = (starts[n + 1] if n + 1 < len(starts) else stop)
            while last > first + 1 and not _significant(self.lines[last - 1]):
                last -= 1
            out.append((first, last))
        return out

    def _item_indent(self, at: int) -> int:
        for i in range(at + 1, self.end(at)):
            if self.lines[i].lstrip().startswith("- "):
                return _indent(self.lines[i])
        return _indent(self.lines[at])

    def insert(self, index: int, lines: list[str]) -> None:
        self.lines[index:index] = lines


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def _add(doc: _PolicyText, s: Suggestion) -> str | None:
    """Append an added phrasing to its list; None, or why it could not be placed."""
    _, book, _, kind, language = s.path.split(".")
    comment = f"# suggested: people added this in {s.approvals} approvals ({s.relation})"
    at, found = doc.find(["playbooks", book, "parts", kind, language])
    if at is not None:
        if doc.inline(at):
            return f"{s.path} is written on one line: add it by hand"
        ind = doc._item_indent(at)
        doc.insert(doc.end(at), [f"{' ' * ind}{comment}\n", f"{' ' * ind}- {_quoted(s.text)}\n"])
        return None
    if len(found) < 2:
        return f"the policy has no playbook for {book}"
    parent = found[-1]
    step = 2
    missing = ["parts", kind, language][len(found) - 2:]
    inner = next((_indent(doc.lines[i]) for i in range(parent + 1, doc.end(parent))
                  if _significant(doc.lines[i])), _indent(doc.lines[parent]) + step)
    lines = []
    for n, key in enumerate(missing):
        lines.append(f"{' ' * (inner + n * step)}{key}:\n")
    ind = inner + (len(missing) - 1) * step
    lines += [f"{' ' * ind}{comment}\n", f"{' ' * ind}- {_quoted(s.text)}\n"]
    doc.insert(doc.end(parent), lines)
    return None


def _remove(doc: _PolicyText, s: Suggestion, sentences_gone: list[str], approvals: int) -> str | None:
    """Comment a phrasing out (or keep what of it was not removed); None, or why not."""
    at, _ = doc.find(s.path.split("."))
    if at is None:
        return f"{s.path} was not found in the file"
    said = "; ".join(_quoted(t) for t in sentences_gone)
    reason = f"# suggested: people removed {said} from {approvals} drafts"
    if s.phrasing is None:
        doc.insert(at, [f"{' ' * _indent(doc.lines[at])}{reason}\n"])
        return None
    if doc.inline(at):
        return f"{s.path} is written on one line: change it by hand"
    items = doc.items(at)
    for first, last in items:
        block = doc.lines[first:last]
        ind = _indent(block[0])
        try:
            value = yaml.safe_load("".join(line[ind:] if len(line) > ind else line for line in block))
        except yaml.YAMLError:
            continue
        if not (isinstance(value, list) and len(value) == 1 and isinstance(value[0], str)):
            continue
        if _spaces(value[0]) != _spaces(s.phrasing):
            continue
        if not s.keep and len(items) == 1:
            doc.insert(first, [f"{' ' * ind}{reason}: the only phrasing here, so kept: reword it\n"])
            return None
        new = [f"{' ' * ind}{reason}\n"] + [f"{' ' * ind}# {line[ind:] if len(line) > ind else line.lstrip()}"
                                            for line in block]
        if s.keep:
            new.append(f"{' ' * ind}- {_quoted(s.keep)}\n")
        doc.lines[first:last] = new
        return None
    return f"the phrasing was not found under {s.path} in the file"


def _apply(text: str, suggestions: list[Suggestion],
           removals: dict[tuple[str, str], list[Suggestion]]) -> tuple[str, dict[int, str]]:
    """The file with every suggestion; index -> why one could not be placed."""
    doc = _PolicyText(text)
    why: dict[int, str] = {}
    done: set[tuple[str, str]] = set()
    for n, s in enumerate(suggestions):
        if s.action == "add":
            problem = _add(doc, s)
        elif s.phrasing is None:
            problem = _remove(doc, s, [s.text], s.approvals)
        elif (s.path, s.phrasing) in done:
            continue  # the first of a phrasing's removed sentences edits it for all of them
        else:
            done.add((s.path, s.phrasing))
            same = removals[(s.path, s.phrasing)]
            problem = _remove(doc, s, [x.text for x in same], max(x.approvals for x in same))
        if problem:
            why[n] = problem
    return doc.text(), why


def _loads(text: str, path: str, suggestions: list[Suggestion]) -> bool:
    policy, problems = check_policy_text(text, path)
    if policy is None or problems:
        return False
    for s in suggestions:
        if s.action == "add":
            _, book, _, kind, language = s.path.split(".")
            try:
                playbook = policy.playbook(Intent(book))
            except ValueError:
                return False
            if playbook is None or s.text not in playbook.parts.of(kind, language):
                return False
    return True


def _diff(policy: Policy, text: str, added: list[Suggestion], removed: list[Suggestion]) -> str:
    """The unified diff of the policy file with every suggestion that can be placed and
    still loads; each suggestion says whether it is in it."""
    removals: dict[tuple[str, str], list[Suggestion]] = {}
    for s in removed:
        if s.phrasing is not None:
            removals.setdefault((s.path, s.phrasing), []).append(s)
            # Every removed sentence of a phrasing leaves the same rest of it.
    for same in removals.values():
        gone = {x.text for x in same}
        mine = sentences(same[0].phrasing or "")
        keep = " ".join(x for x in mine if x not in gone) if any(x in gone for x in mine) else same[0].keep
        for x in same:
            x.keep = keep
    candidates = [s for s in [*added, *removed] if not s.note and (s.action == "add" or s.path)]
    new, why = _apply(text, candidates, removals)
    for n, problem in why.items():
        candidates[n].note = problem
    placed = [s for n, s in enumerate(candidates) if n not in why]
    if not _loads(new, policy.path, placed):
        # One at a time: keep those that load with the ones before them.
        fine: list[Suggestion] = []
        for s in placed:
            one, problems = _apply(text, [*fine, s], removals)
            if not problems and _loads(one, policy.path, [*fine, s]):
                fine.append(s)
            else:
                s.note = "the policy would not load with it: change it by hand"
        placed = fine
        new, _ = _apply(text, placed, removals)
    for s in placed:
        s.placed = True
    for same in removals.values():  # a phrasing's other removed sentences ride with the first
        for x in same[1:]:
            x.placed, x.note = same[0].placed, same[0].note
    if new == _PolicyText(text).text():
        return ""
    name = _shown_path(policy.path)
    return "".join(difflib.unified_diff(_PolicyText(text).lines, new.splitlines(keepends=True),
                                        f"a/{name}", f"b/{name}"))


def _shown_path(path: str) -> str:
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return p.name


# -- what the command prints --------------------------------------------------------------------


def suggestion_lines(result: Suggestions) -> list[str]:
    """What `assistant policy suggest` prints: a summary, then the diff (last, so the
    output can be given to `patch` as it is)."""
    when = f" since {result.since.strftime('%Y-%m-%d')}" if result.since else ""
    edits = f"{result.edits} edit{'s' if result.edits != 1 else ''}"
    skipped = []
    if result.unsafe:
        skipped.append(f"{result.unsafe} added sentence{'s' if result.unsafe != 1 else ''} held a link, e-mail, "
                       "price or number the policy facts lack and were never suggested")
    if result.named:
        skipped.append(f"{result.named} named a person the post named")
    if not result.added and not result.removed:
        tail = f" ({'; '.join(skipped)})" if skipped else ""
        return [f"No phrasing to suggest for {result.brand}: {edits} read{when}, no sentence added or removed in "
                f"{result.min_count} or more approvals{tail}."]
    lines = [f"# {edits} read{when} (approvals edited or rewritten) for {result.brand}; "
             f"suggested where {result.min_count} or more approvals agree. Nothing was written."]
    if result.added:
        lines.append("# Add: people added these sentences")
        lines += [f"#   {s.path}: {_quoted(s.text)} ({s.approvals} approvals, {s.relation})"
                  + (f" [not in the diff: {s.note}]" if not s.placed else "") for s in result.added]
    if result.removed:
        lines.append("# Remove: people removed these sentences from drafts")
        for s in result.removed:
            rest = ""
            if s.phrasing is not None:
                rest = f"; kept as {_quoted(s.keep)}" if s.keep else "; the whole phrasing"
            lines.append(f"#   {s.path}: {_quoted(s.text)} ({s.approvals} drafts{rest})"
                         + (f" [not in the diff: {s.note}]" if not s.placed else ""))
    if skipped:
        lines.append(f"# Skipped: {'; '.join(skipped)}.")
    if result.not_policy:
        lines.append(f"# {result.not_policy} sentence{'s' if result.not_policy != 1 else ''} removed as often came "
                     "from the model or an approved reply, not from a policy phrasing: nothing to change there.")
    if result.diff:
        lines.append("# Review the diff below; to apply it, save this output and run "
                     f"`patch {_shown_path(result.policy_path)} < saved-output`.")
        lines += result.diff.rstrip("\n").split("\n")
    return lines
