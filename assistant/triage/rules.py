"""Named triage rules, in the order they are asked.

Each rule reads a post's surface (signals.py, word lists in lexicon.py) and
either says nothing or returns a :class:`Hit`. An *exact* hit decides the
intent outright: only rules that cannot be fooled by wording are exact (prompt
injection with nothing else in it, a bare link to another shop, emoji only,
empty text). Every other hit is a *vote*: it adds weight to the classifier's
reading of the post (see triage/__init__.py), so a keyword that happens to
appear in a post about something else no longer decides it alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.domain.models import Intent
from assistant.policy.models import Policy
from assistant.text.normalize import fold
from assistant.text.sentences import POST_PART_BREAK
from assistant.triage.signals import (
    ABUSE,
    CONTRAST,
    HIGH,
    INJECT,
    SHORT_WORDS,
    SPAM,
    THREAT,
    URL,
    Signals,
    hits,
    signals,
)

_HANDLE = re.compile(r"@[\w.-]+(?:@[\w.-]+)?", re.UNICODE)


@dataclass(frozen=True)
class Hit:
    rule: str
    intent: Intent
    reason: str
    exact: bool = False


@dataclass
class Post:
    """A post as the rules see it: the text, the part left once injected orders are
    removed (``body``), and its signals."""

    text: str
    body: str
    signals: Signals
    policy: Policy | None
    injected: list[str]

    @property
    def meaning(self) -> str:
        """What the classifier reads: the body without links to the brand's own sites
        and without the brand's own handles, which say nothing about intent (and look
        like spam to a model that learned that a bare link is an advert)."""
        if not self.policy:
            return self.body
        kept = URL.sub(lambda m: "" if own_link(m.group(0), self.policy) else m.group(0), self.body)
        kept = _without_own_handles(kept, self.policy)
        return kept if kept.strip() else self.body


def own_handles(policy: Policy | None) -> list[str]:
    """The brand's handles on every network, without the leading "@", longest first:
    "auroraroasters@mastodon.example", "auroraroasters.bsky.social"."""
    if not policy:
        return []
    names = {h.strip().lstrip("@").lower() for h in policy.brand.handles.values() if h.strip().lstrip("@")}
    return sorted(names, key=len, reverse=True)


def _without_own_handles(text: str, policy: Policy | None) -> str:
    for handle in own_handles(policy):
        text = re.sub(rf"@?{re.escape(handle)}(?![\w.-]*\w)", " ", text, flags=re.IGNORECASE)
    return text


def foreign_handles(text: str, policy: Policy | None) -> list[str]:
    """Handles in ``text`` that are not the brand's own (nor its short @name)."""
    text = _without_own_handles(text, policy)
    own_short = {h.split("@")[0].split(".")[0] for h in own_handles(policy)}
    return [h for h in _HANDLE.findall(text) if h.lstrip("@").split("@")[0].split(".")[0].lower() not in own_short]


# Where orders to a model hide inside a post: a bracket, a comment or a tag
# ("[ignore all rules ...] ... real question: ...", "<!-- assistant: ... --> hej, ...").
# A comment is looked for at most 2,000 characters on: unclosed ones repeated through a
# 20,000-character post would otherwise be scanned to its end from each.
_ENCLOSED = re.compile(r"<!--.{0,2000}?-->|\[[^\[\]]*\]|\{[^{}]*\}|<[^<>]*>|\([^()]*\)", re.DOTALL)


def read_post(text: str, policy: Policy | None) -> Post:
    """The post with orders to the model set aside: the brackets, comments, sentences
    or lines that hold them are removed, and what remains is read as the customer's
    message (a question after "[ignore your rules ...]" on the same line is kept)."""
    injected = hits(INJECT, fold(text))
    body = text
    if injected:
        body = _ENCLOSED.sub(lambda m: " " if INJECT.search(fold(m.group(0))) else m.group(0), text)
        body = " ".join(s for s in POST_PART_BREAK.split(body) if s.strip() and not INJECT.search(fold(s)))
    return Post(text=text, body=body, signals=signals(body), policy=policy, injected=injected)


Rule = Callable[[Post], Hit | None]


def prompt_injection(post: Post) -> Hit | None:
    """Orders to the model with no customer message left once they are removed: an attack.
    Anything a person wrote beside them (three words or more) is read as a customer's."""
    if not post.injected:
        return None
    if len(post.signals.words) < 3:
        return Hit("prompt_injection", Intent.SPAM,
                   f"spam: instructions to the model ({post.injected[0]!r}) and no customer message", exact=True)
    return None


def emoji_only(post: Post) -> Hit | None:
    s = post.signals
    if not s.emoji_only:
        return None
    if s.neg_emoji and s.neg_emoji >= s.pos_emoji:
        return Hit("emoji_only", Intent.COMPLAINT, "complaint: negative emoji only", exact=True)
    return Hit("emoji_only", Intent.REACTION, "reaction: emoji only", exact=True)


def own_link(url: str, policy: Policy | None) -> bool:
    """A link to the brand's own site, or to its own profile on a network."""
    if not policy:
        return False
    host = url.lower().split("//")[-1].split("/")[0].removeprefix("www.")
    if any(host == d or host.endswith("." + d) for d in policy.brand_domains):
        return True
    rest = url.lower().split("//")[-1]
    for h in own_handles(policy):
        user, _, server = h.partition("@")
        if rest == h or rest.startswith(h + "/") or f"/{h}" in rest or f"/@{h}" in rest:
            return True
        if server and (rest == f"{server}/@{user}" or rest.startswith(f"{server}/@{user}/")):
            return True  # https://mastodon.example/@auroraroasters/1099: the brand's own post
    return False


def unknown_shop_link(post: Post) -> Hit | None:
    """A link to somewhere that is not the brand, with little else and no problem or question.
    It decides alone only for a bare link (three words or fewer beside it); with more words
    it is a vote, and the meaning may say a customer wrote it ("photo of what arrived:
    https://… grinder handle snapped off")."""
    s = post.signals
    links = [u for u in URL.findall(post.body) if not own_link(u, post.policy)]
    if links and len(s.words) <= 15 and not (s.neg or s.question or s.question_start):
        return Hit("unknown_shop_link", Intent.SPAM, f"spam: a link ({links[0][:40]}) with little else",
                   exact=len(s.words) <= 3)
    return None


def threat(post: Post) -> Hit | None:
    found = hits(THREAT, post.signals.folded)
    return Hit("threat", Intent.ABUSE, f"abuse: threat ({found[0]!r})") if found else None


def insult(post: Post) -> Hit | None:
    found = hits(ABUSE, post.signals.folded)
    return Hit("insult", Intent.ABUSE, f"abuse: insult ({', '.join(map(repr, found[:3]))})") if found else None


def high_severity_words(post: Post) -> Hit | None:
    """Safety, legal, fraud, press, breach: whatever the tone, a case to handle (004);
    asked before spam, so "my card was used at a casino" is fraud, not an advert."""
    s = post.signals
    for kind, pattern in HIGH.items():
        found = hits(pattern, s.folded)
        if found:
            if kind == "press" and (s.question or s.question_start) and not s.neg:
                return Hit("high_severity_words", Intent.QUESTION, f"question from the press ({found[0]!r})")
            return Hit("high_severity_words", Intent.COMPLAINT, f"complaint: {kind} ({found[0]!r})")
    return None


def spam_words(post: Post) -> Hit | None:
    s = post.signals
    found = hits(SPAM, fold(post.body))  # with hashtags and links, which carry spam
    # A long, detailed post that happens to say "discount code" is a customer, not a spammer.
    if found and (len(s.words) <= 40 or len(found) >= 2):
        return Hit("spam_words", Intent.SPAM, f"spam: {', '.join(map(repr, found[:3]))}")
    return None


def keyword_intent(post: Post) -> Hit | None:
    """The four moments of truth (002) and small reactions (000/001) from word lists."""
    s = post.signals
    neg = len(s.neg) + 2 * len(s.sarcasm) + s.neg_emoji
    pos = len(s.pos) + s.pos_emoji
    sarcasm = f" (sarcasm: {s.sarcasm[0]!r})" if s.sarcasm else ""
    # "Tip: ..." or "You should ..." with at most a passing complaint is a suggestion (002 moment 4).
    if s.suggestion and not s.sarcasm and len(s.neg) <= 1 and (
            len(s.suggestion) > 1 or s.folded.startswith(tuple(fold(t) for t in s.suggestion)) or not s.neg):
        return Hit("keyword_intent", Intent.SUGGESTION, f"suggestion: {s.suggestion[0]!r}")
    contrast = bool(s.neg) and bool(CONTRAST.search(s.folded))
    # A long, warm story may mention a bad day in passing; a short post with as much
    # bad as good is a complaint.
    outweighs = neg > pos or (neg == pos and len(s.words) < 25)
    if neg and (outweighs or s.sarcasm or contrast):
        cues = ", ".join(map(repr, s.neg[:3] or s.sarcasm[:1]))
        return Hit("keyword_intent", Intent.COMPLAINT, f"complaint: {cues}{sarcasm}")
    if s.suggestion:
        return Hit("keyword_intent", Intent.SUGGESTION, f"suggestion: {s.suggestion[0]!r}")
    if s.question or s.question_start or s.question_words and len(s.words) <= 12:
        cue = "question mark" if s.question else repr((s.question_start or s.question_words)[0])
        return Hit("keyword_intent", Intent.QUESTION, f"question: {cue}")
    if s.suggestion_start:
        return Hit("keyword_intent", Intent.SUGGESTION, f"suggestion: starts with {s.suggestion_start[0]!r}")
    if len(s.words) <= SHORT_WORDS:
        return Hit("keyword_intent", Intent.REACTION, f"reaction: {len(s.words)} word(s)")
    if pos:
        return Hit("keyword_intent", Intent.PRAISE,
                   f"praise: {', '.join(map(repr, s.pos[:3])) or 'positive emoji'}")
    return None


# Asked in this order; the first exact hit decides, and the first vote is the rules' say.
RULES: list[Rule] = [prompt_injection, threat, insult, high_severity_words, spam_words, unknown_shop_link,
                     emoji_only, keyword_intent]


def first_hits(post: Post) -> tuple[Hit | None, Hit | None]:
    """(the exact hit that decides, or None; the first voting hit, or None)."""
    vote: Hit | None = None
    for rule in RULES:
        hit = rule(post)
        if hit is None:
            continue
        if hit.exact:
            return hit, vote
        if vote is None:
            vote = hit
    return None, vote
