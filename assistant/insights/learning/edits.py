"""What the team changed between a draft and its approval, sentence by sentence, grouped.

The draft and the approved text are split into sentences and compared folded (case and
accents out): an approved sentence with no draft sentence at ``SAME`` similarity or more
was added, a draft sentence with none in the approved text was removed, and a pair at
``SAME`` or more is one sentence lightly edited. An added sentence is placed beside the
nearest policy part of the draft (``place``); a removed one is tied to the part it came
from (``policy_source``). Near-same sentences of one intent and language are grouped, so
suggest.py can count the approvals that agree.

Before an added sentence may go into the policy, ``Safety.clean`` makes it fit: the author
becomes ``{author}``, other handles go, and a sentence naming a person the post named, or
holding a link, an e-mail, a price or a number the facts lack (disguised ones included),
is refused.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from assistant.domain.models import DraftPart
from assistant.drafting.claims import reveal
from assistant.drafting.patterns import DOMAIN, EMAIL, MONEY, PERCENT, URL
from assistant.insights.learning.outcomes import ApprovedReply
from assistant.policy.models import Parts, Policy
from assistant.text.normalize import fold
from assistant.text.sentences import sentences

# Folded sentences at or above this similarity (difflib's ratio) are the same phrasing.
SAME = 0.85
PART_KINDS = tuple(Parts.model_fields)
PARTS_PATH = re.compile(r"^playbooks\.([a-z_]+)\.parts\.([a-z_]+)$")

_HANDLE = re.compile(r"(?<![\w@.+-])@[\w](?:[\w.-]*\w)?(?:@[\w-]+(?:\.[\w-]+)+)?")
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
_DIGITS = re.compile(r"\d+")
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_MARKUP = re.compile(r"<[^>\s]*[^\w\s>][^>]*>|<\s*/?\s*[a-z!@#][^>]*>|&[a-z#0-9]+;", re.I)


def _ratio(a: str, b: str) -> float:
    """difflib's ratio 2·M/T, exact and fast (rapidfuzz); 0 below ``SAME``."""
    return 1.0 if a == b else fuzz.ratio(a, b, score_cutoff=SAME * 100) / 100.0


def printable(text: str) -> str:
    """Control characters out (ZWNJ stays: Persian words need it)."""
    text = _BIDI.sub("", text)
    return "".join(ch for ch in text if ch == "\u200c" or unicodedata.category(ch) not in ("Cc", "Cs"))


def spaces(text: str) -> str:
    return " ".join(text.split())


# -- what a sentence may carry into the policy -------------------------------------------------


class Safety:
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
        text = printable(sentence).replace("{", "(").replace("}", ")")
        text = anonymous(text, reply)
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


def anonymous(text: str, reply: ApprovedReply) -> str:
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
    text = re.sub(r"\s+([,.!?;:…])", r"\1", spaces(text))
    text = re.sub(r"^[\s,;:–—-]+", "", text)
    if text and text != original and original[:1].isupper() and text[:1].islower():
        text = text[:1].upper() + text[1:]
    return "" if not re.search(r"\w", _PLACEHOLDER.sub("", text)) else text


# -- what changed between a draft and its approval ---------------------------------------------


@dataclass
class EditedSentence:
    text: str
    part: DraftPart | None


def draft_sentences(reply: ApprovedReply) -> list[EditedSentence]:
    """The draft's sentences, each with the part it came from (None: not found)."""
    pieces = [(fold(s), p) for p in reply.draft_parts for s in sentences(p.text)]
    out = []
    for s in sentences(reply.draft_text or ""):
        f = fold(s)
        best = max(pieces, key=lambda piece: _ratio(piece[0], f), default=None)
        out.append(EditedSentence(s, best[1] if best is not None and _ratio(best[0], f) >= SAME else None))
    return out


def changes(draft: list[EditedSentence], approved: list[str]) -> tuple[
        list[tuple[str, list[tuple[str, DraftPart | None]]]], list[EditedSentence]]:
    """(added sentences, each with the draft parts beside it, nearest first), removed sentences."""
    old = [fold(s.text) for s in draft]
    new = [fold(s) for s in approved]
    added: list[tuple[str, list[tuple[str, DraftPart | None]]]] = []
    removed: list[EditedSentence] = []
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


def policy_source(part: DraftPart | None) -> str | None:
    """"playbooks.complaint.parts.next_step" from the part's source, if the policy's."""
    if part is None:
        return None
    source = part.source.split(" + ")[0].strip()
    return source.removeprefix("policy:").strip() if source.startswith("policy:") else None


def place(beside: list[tuple[str, DraftPart | None]], intent: str, at_start: bool) -> tuple[str, str, str]:
    """(intent, part kind, relation) where an added sentence goes: beside the nearest
    policy part of the draft; with none, an opener at the start, else a closing."""
    for relation, part in beside:
        match = PARTS_PATH.match(policy_source(part) or "")
        if match and match.group(2) in PART_KINDS:
            return match.group(1), match.group(2), f"{relation} the {match.group(2)}"
    kind = "opener" if at_start else "closing"
    return intent, kind, "where the draft had no policy part"


# -- grouping ----------------------------------------------------------------------------------


@dataclass
class Seen:
    decision_id: int
    text: str
    folded: str
    where: tuple[str, str, str]  # add: (intent, kind, relation); remove: (source path, language, part text)


@dataclass
class SentenceGroup:
    folded: str
    seen: list[Seen] = field(default_factory=list)

    @property
    def approvals(self) -> int:
        return len({s.decision_id for s in self.seen})

    def text(self) -> str:
        return Counter(s.text for s in self.seen).most_common(1)[0][0]

    def where(self) -> tuple[str, str, str]:
        return Counter(s.where for s in self.seen).most_common(1)[0][0]


def group_seen(seen: list[tuple[tuple[str, str], Seen]]) -> dict[tuple[str, str], list[SentenceGroup]]:
    groups: dict[tuple[str, str], list[SentenceGroup]] = {}
    for key, s in seen:
        bucket = groups.setdefault(key, [])
        home = next((g for g in bucket if g.folded == s.folded), None) or next(
            (g for g in bucket if _ratio(g.folded, s.folded) >= SAME), None)
        if home is None:
            home = SentenceGroup(s.folded)
            bucket.append(home)
        home.seen.append(s)
    return groups
