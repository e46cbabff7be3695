"""What always blocks a reply, whoever wrote it (issue 21; README "The guard checks claims,
not just words"): a link the policy does not give in any spelling, a price, discount or
refund it does not name, a member of staff named in a reply to a complaint, a sentence that
contradicts the policy's facts, and a sentence in another language. ``guard.check_draft``
runs these as checks named outside ``review.OVERRIDABLE``: no person can post them anyway."""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from typing import Any

from assistant.domain.models import Intent, Mention, Triage
from assistant.drafting.claims import backed, claim_terms, support_index, terms_for
from assistant.drafting.patterns import COMMON_WORDS, CONTENT_WORD, DOMAIN, MONEY, URL
from assistant.policy.models import Policy
from assistant.text.normalize import fold
from assistant.text.sentences import sentences
from assistant.triage.language import UNDETERMINED

# Top-level domains a host is read by without a path: every country code and the generic
# ones links are made of. A lower-case name before one of these ("bit.ly", "t.me") is a
# link; "t.ex." (Swedish "for example") and "e.g." are not, "EU.Orders" is a missing space.
_COUNTRY_TLDS = set("""ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt
bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es et eu fi fj fk fm fo
fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp
ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu mv
mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc
sd se sg sh si sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz
va vc ve vg vi vn vu wf ws ye yt za zm zw""".split())
_GENERIC_TLDS = set("""com net org info biz xyz app dev link click top win site online store shop live example social
page art club vip pro tech cloud email news blog space website fun icu zip mov tel mobi name bio gift deals sale coffee
cafe gle gov edu int ink lol bet casino money cash cam loan work today world life group company plus one best buzz
rest bar menu pizza pub restaurant market gold pw""".split())
HOST = re.compile(r"(?<![\w@.\-/])((?:[\w-]+\.)+([A-Za-z]{2,24}))(?![\w-])((?:[/:?#][^\s)>\]]*)?)")


def links_not_given(revealed: str, policy: Policy) -> list[str]:
    """Links the policy does not give, however spelled: a full URL, a bare host with a path
    ("evil.example/ship"), or a short one ("bit.ly/aurora", "t.me/deals", "wa.me/358...")."""
    own = support_index(policy).folded
    found: list[str] = []
    candidates = [*URL.findall(revealed), *DOMAIN.findall(revealed)]
    for host, tld, path in HOST.findall(revealed):
        # "EU.Orders" is a missing space; "BIT.LY/AURORA" with its path is a link.
        if path.startswith("/") or (tld.islower() and (tld in _COUNTRY_TLDS or tld in _GENERIC_TLDS)):
            candidates.append(host + path)
    for link in candidates:
        value = fold(link).rstrip(".,!?:;/)")
        if value and value not in own and not any(value in fold(f) for f in found):
            found.append(link.rstrip(".,!?:;)"))
    return list(dict.fromkeys(found))


PERCENT_SIGN = re.compile(r"\d+(?:[.,]\d+)?\s?%")
_NUMBER_BEFORE = re.compile(r"(\d+(?:[.,]\d+)?)\s*$")


def _policy_sentences(policy: Policy) -> list[str]:
    return [fold(s) for t in support_index(policy).texts for s in sentences(t)]


def prices_not_given(revealed: str, policy: Policy) -> list[str]:
    """Prices, discounts and refunds the policy does not name: an amount it lacks, a
    percentage in signs or words ("50 percent off", "50 Prozent"), a share of the price or
    a free product ("half price", "puoleen hintaan", "is on us", "a full refund"), and an
    amount given back ("49 EUR back") that the policy names only for something else."""
    own = support_index(policy).folded
    found: list[str] = []
    discount, percent, refund = (claim_terms()[k] for k in ("discount", "percent", "refund"))
    for sentence in sentences(revealed):
        folded = fold(sentence)
        for term in (m.group(0).strip() for m in discount.finditer(folded)):
            if not backed(term, own):
                found.append(term)
        for m in percent.finditer(folded):
            number = _NUMBER_BEFORE.search(folded[:m.start()])
            if number and fold(f"{number.group(1)} {m.group(0)}") not in own:
                found.append(f"{number.group(1)} {m.group(0).strip()}")
        for match in PERCENT_SIGN.findall(sentence):
            if fold(match) not in own and fold(match).replace(" ", "") not in own.replace(" ", ""):
                found.append(match)
        amounts = [a for a in MONEY.findall(sentence)]
        for amount in amounts:
            value = fold(amount)
            if value not in own and value.replace(" ", "") not in own.replace(" ", ""):
                found.append(amount)
                continue
            # The policy's amount, given back or taken off: only where the policy says so.
            words = [m.group(0).strip() for m in refund.finditer(folded)]
            if words and not any(value in s and any(backed(w, s) for w in words) for s in _policy_sentences(policy)):
                found.append(f"{amount} {words[0]}")
    return list(dict.fromkeys(found))


def staff_named(text: str, mention: Mention, triage: Triage, policy: Policy, language: str) -> list[str]:
    """The policy's people (its catalog's persons) named in a reply to a complaint: a
    complaint about a person is answered for the team, never with a name. A person the
    post praises may still be thanked by name."""
    if triage.intent is not Intent.COMPLAINT:
        return []
    praised = fold(" ".join(p.text for p in triage.parts if p.intent is Intent.PRAISE))
    out = []
    for _, _, named in _catalog(policy).find_spans(text, language):
        if named.kind != "person":
            continue
        if praised and any(fold(n) in praised for n in _catalog(policy).entries_names(named.entry_id, named.say)):
            continue
        out.append(named.say)
    return list(dict.fromkeys(out))


class _CatalogCache:
    def __init__(self, policy: Policy) -> None:
        self.index = policy.catalog_index
        self.by_id = {e.id: e for e in policy.catalog}
        names = sorted({n for n in {policy.brand.name, *self.index.supported_names()} if len(n) > 2},
                       key=len, reverse=True)
        self.names = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")\w*", re.I)

    def find_spans(self, text: str, language: str):  # type: ignore[no-untyped-def]
        return self.index.find_spans(text, language)

    def entries_names(self, entry_id: str, say: str) -> list[str]:
        entry = self.by_id.get(entry_id)
        if entry is None or entry.kind != "person":
            return [say]
        return [n for n in entry.all_names() if fold(n).startswith(fold(say)[:3])] or [say]


_catalogs: dict[str, _CatalogCache] = {}


def _catalog(policy: Policy) -> _CatalogCache:
    if policy.digest not in _catalogs:
        _catalogs[policy.digest] = _CatalogCache(policy)
    return _catalogs[policy.digest]


# Clauses: a contradiction is read within one ("we ship within the EU, but not to Norway").
_CLAUSE = re.compile(r"\s*[,;:()–—]\s*|\s+(?:and|but|so|ja|mutta|joten|und|aber|also|och|men|sa|en|maar|dus|et|mais|"
                     r"donc|y|pero|asi que|un|bet|και|αλλα|و|اما)\s+")
_DURATION = re.compile(
    r"(\d+)(?:\s*(?:-|–|to|bis|till|tot|a|tai|η|εως|تا)\s*(\d+))?\s*(?:working days?|business days?|days?|"
    r"arkipaiv\w*|paiv\w*|arbeitstag\w*|werktag\w*|tag\w*|werkdag\w*|dag\w*|arbetsdag\w*|jours?(?: ouvres?)?|"
    r"dias?(?: laborables| habiles)?|εργασιμ\w*|ημερ\w*|روز(?: کاری)?|darba dien\w*|dien\w*)(?!\w)")


# "we only ship from Finland" says where from, not where to.
_FROM = re.compile(r"(?<!\w)(?:from|aus|von|fran|uit|vanuit|depuis|desde|da)\s+(?:\w+\s+){0,2}$")


def _stems(folded: str) -> set[str]:
    return {w[:5] for w in CONTENT_WORD.findall(folded) if w not in COMMON_WORDS and not w.isdigit()}


def _durations(folded: str) -> list[tuple[str, str]]:
    return [(a, b or a) for a, b in _DURATION.findall(folded)]


def _fact_clauses(policy: Policy, language: str) -> list[tuple[set[str], tuple[str, str]]]:
    """Each clause of the facts (in ``language``) that states a number of days, with its words."""
    key = (policy.digest, language)
    if key not in _FACT_CLAUSES:
        _FACT_CLAUSES[key] = _read_fact_clauses(policy, language)
    return _FACT_CLAUSES[key]


_FACT_CLAUSES: dict[tuple[str, str], list[tuple[set[str], tuple[str, str]]]] = {}


def _read_fact_clauses(policy: Policy, language: str) -> list[tuple[set[str], tuple[str, str]]]:
    out = []
    for fact in policy.facts_in(language).values():
        for sentence in sentences(fact):
            for clause in _CLAUSE.split(fold(sentence)):
                for duration in _durations(clause):
                    out.append((_stems(_DURATION.sub(" ", clause)), duration))
    return out


def contradictions(text: str, mention: Mention, policy: Policy, language: str) -> list[str]:
    """Sentences that say the opposite of a fact, read on the fact's own words: a fact that
    delivers within a region ("We ship within the EU") is contradicted by "we don't ship
    to Germany", "we ship worldwide", "free shipping to the US", "we only ship within
    Finland" or "next-day delivery" (faster than any fact says); a fact's number of days
    is contradicted by another number for the same thing ("Orders leave our roastery in
    2-5 working days" where the fact says 1-2)."""
    index = support_index(policy)
    facts = [fold(f) for f in policy.facts_in(language).values()]
    facts_corpus = "\n".join(facts)
    words = {k: terms_for(k, language) for k in ("delivery", "we_not", "negation", "only", "not_a_rule", "region",
                                                  "region_places", "outside_places", "fast_delivery",
                                                  "outside_words", "except_words")}
    # A fact that limits delivery to a region, in this language.
    scoped = any(words["region"].search(f) and words["delivery"].search(f) for f in facts)
    clauses_with_days = _fact_clauses(policy, language)
    post_numbers = set(re.findall(r"\d+", mention.text))
    out: list[str] = []
    for sentence in sentences(text):
        if index.is_policy_sentence(sentence):
            continue
        folded = fold(sentence)
        said = ""
        if scoped and words["delivery"].search(folded):
            leaves_out = words["except_words"].search(folded)
            if leaves_out and (place := words["region_places"].search(folded[leaves_out.start():])):
                said = f"says we do not deliver to {place.group(0)!r}"
            for clause in [] if said else _CLAUSE.split(folded):
                inside = words["region_places"].search(clause) or words["region"].search(clause)
                outside = words["outside_places"].search(clause)
                if (words["we_not"].search(clause) and inside and not words["not_a_rule"].search(clause)
                        and not words["outside_words"].search(clause)):
                    said = f"says we do not deliver to {inside.group(0)!r}"
                elif (words["only"].search(clause) and (place := words["region_places"].search(clause))
                      and not words["region"].search(clause) and not _FROM.search(clause[:place.start()])):
                    said = f"says we deliver only to {place.group(0)!r}"
                elif outside and not words["negation"].search(clause) and not backed(outside.group(0), facts_corpus):
                    said = f"says we deliver to {outside.group(0).strip()!r}"
                if said:
                    break
            fast = words["fast_delivery"].search(folded)
            if not said and fast and not words["negation"].search(folded) and not backed(fast.group(0),
                                                                                          facts_corpus):
                said = f"promises {fast.group(0)!r} delivery"
        if not said and clauses_with_days:
            for clause in _CLAUSE.split(folded):
                for duration in _durations(clause):
                    if set(duration) & post_numbers:
                        continue  # the post's own number ("it has been 9 days")
                    mine = _stems(_DURATION.sub(" ", clause))
                    scored = []
                    for theirs, stated in clauses_with_days:
                        if duration[0] == duration[1] and stated[0] != stated[1]:
                            continue  # "it left 2 days ago" is not a rule "1-2 working days" states
                        shared = len(mine & theirs)
                        if shared >= 2 or (theirs and shared == len(theirs)):
                            scored.append((shared / max(len(theirs), 1), stated))
                    if scored:
                        best = max(s for s, _ in scored)
                        stated_best = {d for s, d in scored if s == best}
                        if duration not in stated_best:
                            said = (f"says {'-'.join(dict.fromkeys(duration))} days where the policy says "
                                    f"{' or '.join('-'.join(dict.fromkeys(d)) for d in sorted(stated_best))}")
                            break
                if said:
                    break
        if said:
            out.append(f"{sentence[:80]!r} {said}")
    return out


# Scripts that settle a sentence's language alone, and the languages written in each.
_SCRIPT_LANGUAGES = {"LATIN": None, "GREEK": {"el"}, "ARABIC": {"fa", "ar"}, "CYRILLIC": {"ru", "uk", "bg", "sr"},
                     "HEBREW": {"he"}, "CJK": {"zh", "ja"}, "HIRAGANA": {"ja"}, "KATAKANA": {"ja"}, "HANGUL": {"ko"},
                     "THAI": {"th"}, "DEVANAGARI": {"hi"}}
_SCRIPT_NAMES = {"el": "Greek", "fa": "Persian", "ru": "Russian", "zh": "Chinese", "ja": "Japanese", "ko": "Korean",
                 "he": "Hebrew", "th": "Thai", "hi": "Hindi"}
# A sentence must be at least this long (letters, words) for its language to be judged.
_MIN_LETTERS, _MIN_WORDS, _CONFIDENT = 20, 4, 0.995


def _script(ch: str) -> str | None:
    name = unicodedata.name(ch, "")
    for script in _SCRIPT_LANGUAGES:
        if name.startswith(script) or (script == "CJK" and "CJK" in name):
            return script
    return None


def _strip_names(text: str, policy: Policy, language: str) -> str:
    """The sentence without the words every language shares: links, handles, numbers, the
    brand, the catalog's names and any capitalised name."""
    text = URL.sub(" ", text)
    text = HOST.sub(" ", text)
    text = re.sub(r"[@#][\w.@-]+", " ", text)
    text = _catalog(policy).names.sub(" ", text)
    return re.sub(r"(?<=[\s(])[A-ZÀ-ÖØ-Þ][\w-]+", " ", text)  # a name inside a sentence


def _language_scores(text: str, languages: list[str]) -> list[tuple[str, float]]:
    """Each of ``languages`` (and English) with its probability for ``text``, best first."""
    with _IDENTIFIER_LOCK:
        ident = _identifier(frozenset([*languages, "en"]))
        return [(str(lang), float(p)) for lang, p in ident.rank(text)]


_IDENTIFIER_LOCK = threading.Lock()


@lru_cache(maxsize=16)
def _identifier(candidates: frozenset[str]) -> Any:
    """An identifier with normalised probabilities limited to ``candidates`` (a copy each:
    the limit is per-instance state)."""
    import copy

    base = _base_identifier()
    ident = copy.copy(base)
    ident.set_languages(sorted(candidates & set(base.nb_classes)))
    return ident


@lru_cache(maxsize=1)
def _base_identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def sentence_language(sentence: str, policy: Policy, language: str) -> tuple[str, str] | None:
    """(language, why) where a sentence is clearly written in one language, else None.
    Short sentences, names and brand terms never decide."""
    letters = [ch for ch in sentence if ch.isalpha()]
    scripts: dict[str, int] = {}
    for ch in letters:
        script = _script(ch)
        if script:
            scripts[script] = scripts.get(script, 0) + 1
    own = "GREEK" if language == "el" else "ARABIC" if language == "fa" else "LATIN"
    for script, count in scripts.items():
        words = re.findall(r"[^\W\d_]{2,}", "".join(ch if ch.isalpha() and _script(ch) == script else " "
                                                     for ch in sentence))
        if script not in (own, "LATIN") and count >= 8 and len(words) >= 2:
            langs = _SCRIPT_LANGUAGES[script] or set()
            if language not in langs:
                name = next((_SCRIPT_NAMES[x] for x in sorted(langs) if x in _SCRIPT_NAMES), script.title())
                return (sorted(langs)[0] if langs else script.lower(), f"{name} script")
    if own != "LATIN":
        return None  # Latin words in a Greek or Persian reply are names and brand terms
    stripped = _strip_names(sentence, policy, language)
    words = re.findall(r"[^\W\d_]{2,}", stripped)
    if len(words) < _MIN_WORDS or sum(len(w) for w in words) < _MIN_LETTERS:
        return None
    ranked = _language_scores(" ".join(words), policy.languages)
    top, p = ranked[0]
    theirs = dict(ranked).get(language, 0.0)
    if top != language and p >= _CONFIDENT and theirs < 1 - _CONFIDENT:
        return top, "words"
    return None


def other_language(text: str, mention: Mention, policy: Policy, language: str) -> list[str]:
    """Sentences clearly in a language other than the reply's (and the post's): a reply half
    in Russian, or in English to a Finnish post. The policy's own sentences in the reply's
    language, names, brand terms and short sentences never count."""
    if language == UNDETERMINED:
        return []
    index = support_index(policy)
    own = index.by_language.get(language, "")
    key = (policy.digest, language, mention.text)
    if key not in _POST_LANGUAGES:
        if len(_POST_LANGUAGES) > 512:
            _POST_LANGUAGES.clear()
        _POST_LANGUAGES[key] = {found[0] for s in sentences(mention.text)
                                if (found := sentence_language(s, policy, language))}
    post_languages = _POST_LANGUAGES[key]
    signs = [line.strip() for line in (policy.voice.sign_off or "").split("\n") if line.strip()]
    out = []
    for sentence in sentences(text):
        for sign in signs:
            sentence = sentence.replace(sign, " ")
        if not sentence.strip() or _bare_fold(sentence) in own:
            continue
        found = sentence_language(sentence, policy, language)
        if found and found[0] not in post_languages:
            out.append(f"{sentence.strip()[:60]!r} is in {found[0]}, the reply in {language}")
    return out


# The languages a post is clearly written in, per post: a draft is checked many times.
_POST_LANGUAGES: dict[tuple[str, str, str], set[str]] = {}


def _bare_fold(sentence: str) -> str:
    return re.sub(r"[\W_]+$", "", fold(sentence))
