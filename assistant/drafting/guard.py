"""The guard: every draft, from the model or a person's edit, is checked against
the policy before anyone is asked to approve it."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from assistant.domain.models import GuardCheck, Intent, Mention, Triage
from assistant.drafting.blocking import (
    contradictions,
    links_not_given,
    other_language,
    prices_not_given,
    staff_named,
)
from assistant.drafting.claims import reveal, support_index, unsupported_sentences
from assistant.drafting.patterns import (
    CODE,
    COMMON_WORDS,
    CONTENT_WORD,
    DATE,
    DOMAIN,
    EMAIL,
    MONEY,
    NAMED_CODE,
    NUMBER,
    PERCENT,
    PHONE,
    QUANTITY,
    URL,
)
from assistant.policy.models import Policy
from assistant.text.normalize import compile_terms, fold
from assistant.text.sentences import is_reply_emoji, reply_length, sentences
from assistant.triage.language import UNDETERMINED, detect_language

# "We" in each language the example brand answers in (000/001: speak as "we").
WE_WORDS = compile_terms([
    "we$", "we're", "we'll", "we've", "we'd", "our$", "ours$", "us$", "team$",
    "me$", "meidan", "meille", "meita", "meilla", "meihin", "olemme", "tiimimme", "viemme", "vastaamme",
    "selvitamme", "korjaamme", "ilahduttaa meita", "yhteisomme",
    "wij$", "we$", "ons$", "onze$", "εμεις", "μας$", "ευχαριστουμε", "λυπουμαστε", "χαιρομαστε", "θα ελεγξουμε",
    "ما$", "ماست", "می کنیم", "می‌کنیم", "سپاسگزاریم", "متاسفیم", "متأسفیم", "خوشحالیم",
    "mes$", "mums$", "musu$", "mus$", "musos$", "wir$", "uns$", "unser", "nosotros", "nuestr", "nos$",
    "sentimos", "nous$", "notre$", "nos$", "vi$", "oss$", "var$", "vart$", "vara$",
])
# Finnish marks "we" and "our" with the ending -mme on verbs and nouns alike, in any case:
# olemme, korjaamme, tiimiämme, yhteisössämme. Only for Finnish: "comme", "femme" are not "we".
FI_WE_SUFFIX = re.compile(r"(?<!\w)\w{2,}mme(?:kin|han|pa)?(?!\w)")
# First person singular in English: the brand speaks as "we" (000/001).
SINGULAR_WORDS = ["I", "I'm", "I'll", "I've", "I'd", "me", "my", "mine", "myself"]
SINGULAR_I = re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in SINGULAR_WORDS) + r")(?!\w)", re.I)
# Words that promise something of value; only the policy's gestures may do that.
GESTURE_WORDS = compile_terms([
    "refund", "discount", "voucher", "coupon", "gift card", "compensat", "free$", "for free", "on the house",
    "% off", "credit$", "promo", "hyvity", "alennu", "ilmai", "lahjakort", "korvaus", "korting", "gratis",
    "terugbetal", "cadeaubon", "εκπτωσ", "δωρεαν", "αποζημιω", "تخفیف", "رایگان", "بازپرداخت", "atlaid",
    "bezmaksas", "atmaks", "rabatt", "gutschein", "kostenlos", "erstatt", "descuento", "reembolso", "cupon",
    "remise", "rembourse", "bon d'achat", "offert", "rabatt", "gratis", "aterbetal", "presentkort",
    "hyvit", "bjuder", "bjuda", "برمی گردان", "پس می دهیم", "پس میدهیم", "regal",
])

PROMPT_TRACES = re.compile(
    r"<<<|>>>|MESSAGE>>>|<\|im_(?:start|end)\|>|\bas an ai\b|language model|\bsystem prompt\b|"
    r"^\s*(?:our )?reply\s*:|^\s*assistant\s*:|facts you may use|goal for this reply|never follow orders",
    re.I | re.M)
SLACK_PINGS = re.compile(r"@(?:channel|here|everyone)\b|<!(?:channel|here|everyone)>", re.I)


def _emoji_count(text: str) -> int:
    return sum(1 for ch in text if is_reply_emoji(ch))


def _facts_not_given(text: str, mention: Mention, policy: Policy) -> list[str]:
    """Exact claims nothing backs. Links, e-mails, phone numbers and codes must be the
    policy's own: copied from the post they may be a phishing link. Numbers, prices
    and dates may also come from the post ("your 3 bags")."""
    index = support_index(policy)
    post = fold(reveal(mention.text).text)
    own = (index.folded, index.folded_compact)
    known = (index.folded + "\n" + post, index.folded_compact + post.replace(" ", ""))
    found: list[str] = []
    # Any number too: "8 months", "3 times" are claims the policy has to back.
    for pattern in (URL, EMAIL, DOMAIN, PHONE, CODE, NAMED_CODE, MONEY, PERCENT, QUANTITY, DATE, NUMBER):
        # Prices and percentages too: a post that says "tell everyone it costs 1 euro"
        # must not get that repeated.
        where, compact = own if pattern in (URL, EMAIL, DOMAIN, PHONE, CODE, NAMED_CODE, MONEY, PERCENT) else known
        for match in pattern.findall(text):
            value = fold(match).rstrip(".,!/")
            if any(value in fold(f) for f in found):
                continue  # already reported as part of a longer match (a price, a date)
            if value and value not in where and value.replace(" ", "") not in compact:
                found.append(match)
    return list(dict.fromkeys(found))


def _gestures_not_allowed(text: str, intent: Intent, policy: Policy) -> list[str]:
    allowed = [fold(p) for g in policy.gestures if intent in g.intents for p in (g.offer, *g.keywords)]
    facts = [fold(f) for f in policy.all_fact_texts()]
    found: list[str] = []
    for sentence in sentences(text):
        remaining = fold(sentence)
        for phrase in allowed:
            remaining = remaining.replace(phrase, " ")
        stems = {w[:5] for w in CONTENT_WORD.findall(remaining)}
        for match in GESTURE_WORDS.finditer(remaining):
            word = match.group(0)
            # A fact may say something is free ("shipping is free over 49 EUR"): a sentence
            # that restates such a fact (the word and two more of its words) offers nothing.
            numbers = set(re.findall(r"\d+", remaining))
            if any(word in f and len(stems & {w[:5] for w in CONTENT_WORD.findall(f)}) >= 3
                   and numbers & set(re.findall(r"\d+", f)) for f in facts):
                continue
            found.append(word)
    return found


def about_the_post(added: str, mention: Mention) -> list[str]:
    """Content words the model's own text shares with the post. (Not the facts: they
    are long enough that almost any text shares a word with them.)"""
    source = set(CONTENT_WORD.findall(fold(mention.text))) - COMMON_WORDS
    return sorted({w for w in CONTENT_WORD.findall(fold(added)) if w in source})


def check_draft(text: str | None, mention: Mention, triage: Triage, policy: Policy,
                language: str | None = None, opener: str | None = None) -> list[GuardCheck]:
    """Every check, passed or not. ``opener``: for a model draft, the sentence we
    started it with; what the model added after it must be about this post."""
    text = text or ""
    checks: list[GuardCheck] = []

    def add(name: str, passed: bool, detail: str = "") -> None:
        checks.append(GuardCheck(name=name, passed=passed, detail=detail))

    add("not_empty", bool(text.strip()), "" if text.strip() else "the draft is empty")
    want = language or triage.language
    got, _ = detect_language(text, policy.languages) if text.strip() else (UNDETERMINED, "")
    add("language", want == UNDETERMINED or got in (want, UNDETERMINED),
        f"written in {got}, expected {want}" if got not in (want, UNDETERMINED) else f"{want}")
    limit = policy.voice.limit_for(mention.network_name)
    length = reply_length(text)
    add("length", length <= limit, f"{length}/{limit} characters for {mention.network_name}")
    folded = fold(text)
    speaks_we = bool(WE_WORDS.search(folded)) or (want == "fi" and bool(FI_WE_SUFFIX.search(folded)))
    singular = SINGULAR_I.findall(text) if want == "en" else []
    # A reply made of the policy's own sentences speaks as the policy does ("Every café
    # serves oat milk at no extra cost"); any other text must say "we", and none "I".
    if not speaks_we and text.strip():
        index = support_index(policy)
        speaks_we = all(index.is_policy_sentence(s) for s in sentences(text))
    add("we_voice", speaks_we and not singular,
        "speaks as we" if speaks_we and not singular else
        (f"says {singular[0]!r}: speak as we" if singular else "does not speak as we / our community"))
    forbidden = [p for p in policy.voice.forbidden_phrases if fold(p) in folded]
    add("forbidden_phrases", not forbidden, f"uses {forbidden[0]!r}" if forbidden else "")
    revealed = reveal(text)
    add("disguises", not revealed.disguises,
        f"contains {', '.join(revealed.disguises[:3])}: write it plainly" if revealed.disguises else "")
    unknown = _facts_not_given(revealed.text, mention, policy)
    add("facts", not unknown, f"states {', '.join(unknown[:3])}, not in the policy's facts" if unknown else "")
    claims = unsupported_sentences(text, mention, policy, want) if text.strip() else []
    add("claims", not claims,
        "; ".join(f"{c.sentence[:80]!r} {c.why}" for c in claims[:2]) if claims else "every sentence is backed")
    links = links_not_given(revealed.text, policy)
    add("links", not links, f"links to {', '.join(links[:2])}, which the policy does not give" if links else "")
    prices = prices_not_given(revealed.text, policy)
    add("prices", not prices, f"offers {', '.join(repr(p) for p in prices[:2])}: a price, discount or refund "
                              "the policy does not name" if prices else "")
    staff = staff_named(revealed.text, mention, triage, policy, want)
    add("staff_named", not staff, f"names {', '.join(staff[:2])} in a reply to a complaint: answer for the team, "
                                  "never name a colleague" if staff else "")
    contradicts = contradictions(revealed.text, mention, policy, want) if want != UNDETERMINED else []
    add("contradicts_policy", not contradicts,
        f"{contradicts[0]}: the policy's facts say otherwise" if contradicts else "")
    other = other_language(revealed.text, mention, policy, want) if text.strip() else []
    add("other_language", not other, f"{other[0]}: write the whole reply in one language" if other else "")
    gestures = _gestures_not_allowed(revealed.text, triage.intent, policy)
    add("gestures", not gestures, f"offers {gestures[0]!r}, not an allowed gesture" if gestures else "")
    emoji = _emoji_count(text)
    add("emoji", emoji <= policy.voice.emoji.max, f"{emoji} emoji, at most {policy.voice.emoji.max}")
    similar = SequenceMatcher(None, fold(mention.text), folded).ratio() if mention.text.strip() else 0.0
    add("not_a_copy", similar < 0.8, f"{similar:.0%} the same as the mention" if similar >= 0.8 else "")
    trace = PROMPT_TRACES.search(text) or SLACK_PINGS.search(text)
    add("no_prompt_trace", trace is None, f"contains {trace.group(0)!r}" if trace else "")
    if opener is not None and triage.intent is not Intent.REACTION:
        # A small model writes fluent text about nothing in particular; a reply must be
        # one-to-one and specific (002), so its own words must touch the post.
        added = text[len(opener):] if text.startswith(opener) else text
        shared = about_the_post(added, mention)
        add("specific", bool(shared),
            f"mentions {', '.join(shared[:3])}" if shared else "says nothing about this post")
    return checks


def failed(checks: list[GuardCheck]) -> list[GuardCheck]:
    return [c for c in checks if not c.passed]
