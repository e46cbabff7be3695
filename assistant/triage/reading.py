"""Reading a post the way a person does: its parts, and what it names.

A post is often several things at once ("cosy spot, lovely cinnamon buns. the price
stings a bit though. do you open on Sundays?"). This module splits it into parts
(sentences, and clauses at a "but") and extracts what a reply must name:

- the people it names: the policy's staff, and names the text gives a person
  ("the barista Mikko", "thanks Anni", "Mikko and Anni");
- the catalog items, with their kind: "Kallio Morning" is a coffee and "Kallio" a
  café; where names overlap the longest wins, and a place name followed by a
  coffee word ("Kallio Blend") is a product the catalog does not list;
- an order number ("order #A-20391", "tilaus 48213");
- the name the author signed with ("— Laura", "t. Jukka", "groetjes, Sanne").

Each part's intent is read by triage (triage/__init__.py) with the same classifier
and rules as a whole post.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.domain.models import NamedItem
from assistant.policy.catalog import Named
from assistant.policy.models import Policy
from assistant.text.normalize import fold
from assistant.text.sentences import POST_PART_BREAK

# At most this many parts per post: a long review is read in groups of sentences.
MAX_PARTS = 8
# A part needs this many words; shorter pieces ("hi!", "so yeah") join their neighbour.
MIN_PART_WORDS = 2

# A clause that turns ("..., but the price stings"): a new part starts at the word.
# "،" is the Persian comma; "mut" is how Finnish "mutta" is written in posts.
_TURN = re.compile(
    r"(?:[,،]\s*|\s+[-–—]\s+|\s+)(?=(?:but|though|however|except|only thing|mutta|mut|paitsi|maar|behalve|aber|"
    r"allerdings|pero|aunque|mais|sauf|par contre|men|förutom|bet|tikai|αλλά|αλλα|όμως|اما|ولی)\b)"
    # after a comma only: words that also start ordinary clauses
    r"|[,،]\s*(?=(?:only|just that|shame|pity|although|anyway|also|vaikka|tosin|harmi|vain|alleen|wel jammer|jammer|"
    r"nur|leider|schade|solo que|lástima|pena|seulement|dommage|cependant|fast|synd|bara att|gan|žēl|μόνο|κρίμα|"
    r"فقط|حیف|البته)\b)",
    re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")

# -- the signed name -------------------------------------------------------------------
_NAME = r"(?P<name>[A-ZÀ-ÖØ-ÞĀ-ŽΑ-ΩА-Я][\w'’-]{1,20}(?:\s[A-ZÀ-ÞΑ-Ω][\w'’-]{0,20}\.?)?|[\u0600-\u06FF]{2,20})"
_CLOSINGS = (r"un abrazo|abrazos|atentamente|saludos cordiales|bien à vous|à bientôt|hartelijke groet|"
             r"vriendelijke groet|beste grüße|mit freundlichen grüßen|ystävällisin terveisin|med vänlig hälsning|"
             r"ar labām vēlēm|με αγάπη|"
             r"t\.|terv\.?|terveisin|terkuin|kiittäen|groetjes|groeten|gr\.|mvg|met vriendelijke groet|"
             r"liebe grüße|lg|viele grüße|grüße|gruß|mfg|cordialement|bisous|bises|amicalement|merci|"
             r"saludos|un saludo|gracias|besos|mvh|hälsningar|vänliga hälsningar|hälsning|kram|ar cieņu|"
             r"paldies|sveicieni|με εκτίμηση|φιλικά|ευχαριστώ|χαιρετώ|با تشکر|با سپاس|ارادتمند|سپاس|"
             r"cheers|thanks|thank you|best|regards|kind regards|best regards|love|xoxo|xx")
_END = r"\s*[^\w\s]{0,6}\s*$"
_SIGNED = (
    # "— Laura": an em or en dash before the name anywhere; a hyphen, slash or tilde only
    # on a new line or after a sentence ("My order is late - Again" is no signature).
    re.compile(rf"(?:^|\s)[—–]\s*{_NAME}{_END}", re.UNICODE),
    re.compile(rf"(?:^|\n|[.!?…)]\s)\s*(?:--?|/|~)\s*{_NAME}{_END}", re.UNICODE),
    # "t. Jukka", "Groetjes, Sanne", "با تشکر، مریم": a closing, then a comma, a full stop
    # or a new line, then the name ("Thanks Mikko!" thanks Mikko, it is not signed by him).
    re.compile(rf"(?:^|[\s.!,])(?i:t\.|terv\.|gr\.)\s*{_NAME}{_END}", re.UNICODE),
    re.compile(rf"(?:^|[\s.!,])(?i:{_CLOSINGS})\s*(?:[,.:!،]\s*\n?|\n)\s*{_NAME}{_END}", re.UNICODE),
)
# -- order numbers ---------------------------------------------------------------------
_ORDER = re.compile(
    r"(?:(?<!\w)#\s?|(?<!\w)(?:order|tilaus(?:numero)?|tilauksen|bestelling|bestelnummer|bestellung|bestellnummer|"
    r"commande|pedido|beställning(?:en)?|ordernummer|ordern?|pasūtījum\w*|παραγγελία\w*|سفارش)\s*"
    r"(?:no\.?|nr\.?|number|numero|numéro|número|nummer|n°|nº|#|:|-)?\s*(?:is\s+|:\s*)?)"
    r"(?P<order>[A-Z]{0,4}-?\d{4,}[\w-]*)", re.IGNORECASE)

# -- people ----------------------------------------------------------------------------
_CAP = r"[A-ZÀ-ÖØ-ÞĀ-ŽΑ-Ω][a-zà-öø-ÿā-žα-ωάέήίόύώ'’-]{2,20}"
# Words before a person's name: roles and thanks, in the brand languages.
_PERSON_CUES = (r"barista|server|waiter|waitress|cashier|mechanic|colleague|staff member|guy|girl|lady|manager|"
                r"thanks|thank you|thx|shoutout to|shout out to|props to|kudos to|big up|"
                r"kiitos|kiitokset|myyjä|tarjoilija|mekaanikko|baristalle|baristamme|"
                r"dank|bedankt|dankjewel|monteur|medewerker|medewerkster|"
                r"danke|mitarbeiter|mitarbeiterin|mechaniker|"
                r"merci|serveur|serveuse|vendeur|vendeuse|"
                r"gracias|camarero|camarera|dependiente|dependienta|mecánico|"
                r"tack|servitör|mekaniker|kassör|"
                r"paldies|bārista|bāristai|pārdevēja|pārdevējs|"
                r"ευχαριστώ|ευχαριστούμε|μπαρίστα|σερβιτόρος|σερβιτόρα")
_CUED = re.compile(rf"(?<!\w)(?i:{_PERSON_CUES})\s*,?\s+(?:(?i:to)\s+)?(?P<name>{_CAP})(?!\w)")
_AND = r"(?:and|&|ja|sekä|en|und|et|y|och|un|και|و)"
_PAIR = re.compile(rf"(?<![.!?]\s)(?P<a>{_CAP})\s+{_AND}\s+(?P<b>{_CAP})(?!\w)")
# Capitalised words that are not people: days, months, places, greetings, and words that
# follow a dash or a closing ("My order is late - Again", "Regards, Customer Service").
_NOT_PEOPLE = frozenset(fold(w) for w in (
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July "
    "August September October November December Helsinki Tampere Kallio Kauppatori Utrecht Amsterdam Europe "
    "EU Finland Sweden Germany France Spain Latvia Greece Iran Netherlands Portugal Espoo Turku The This That "
    "Hi Hello Hey Moi Hei Hallo Hola Bonjour Salut Hej Sveiki Γεια Thanks Thank Kiitos Danke Merci Gracias Tack "
    "Again Disappointed Best Regards Customer Service Everyone Anyone Nobody Seriously Honestly Always Never "
    "Still Great Love Cheers Update Edit PS Sorry Please Help Bedankt "
    "Paldies Dank Team Aurora Roasters Spaak Coffee Cafe Café Oat Google Instagram Mastodon Bluesky").split())


@dataclass
class Extracted:
    people: list[str] = field(default_factory=list)
    items: list[NamedItem] = field(default_factory=list)
    order: str | None = None
    signed: str | None = None


def signed_name(text: str) -> tuple[str | None, str]:
    """(the name the author signed with, the text without the signature)."""
    m = next((m for pattern in _SIGNED if (m := pattern.search(text.strip()))), None)
    if not m:
        return None, text
    name = m.group("name") or ""
    first = fold(name.split()[0])
    if first in _NOT_PEOPLE or len(text.strip()) - m.start() > 60:
        return None, text
    return name, text.strip()[:m.start()].rstrip()


def split_parts(text: str) -> list[str]:
    """The post's sentences and turning clauses, short pieces joined to a neighbour,
    at most MAX_PARTS (the last ones grouped)."""
    pieces: list[str] = []
    for sentence in POST_PART_BREAK.split(text):
        for clause in _TURN.split(sentence):
            clause = clause.strip(" ,;–—-")
            if clause:
                pieces.append(clause)
    parts: list[str] = []
    for piece in pieces:
        if parts and (len(_WORD.findall(piece)) < MIN_PART_WORDS or len(_WORD.findall(parts[-1])) < MIN_PART_WORDS):
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            parts.append(piece)
    if len(parts) > MAX_PARTS:
        size = -(-len(parts) // MAX_PARTS)
        parts = [" ".join(parts[i:i + size]) for i in range(0, len(parts), size)]
    return parts


def order_number(text: str) -> str | None:
    m = _ORDER.search(text)
    return m.group("order") if m else None


# Words after a place's name that make it a coffee: "Kallio Blend", "Kallio-paahto".
_PRODUCT_AFTER = re.compile(
    r"[\s-]*(blend|roast|beans|espresso|coffee|sekoitus|paahto|kahvi(?!l)|papu|melange|mischung|rostung|bohnen|"
    r"assemblage|torrefaction|mezcla|tueste|cafe en grano|blandning|rost|bonor|maisijum|kafija|χαρμανι|"
    r"καφες|قهوه)\w*", re.IGNORECASE)


Spans = list[tuple[int, int, Named]]


def _spans(text: str, policy: Policy | None, language: str | None) -> Spans:
    return policy.catalog_index.find_spans(text, language) if policy is not None and policy.catalog else []


def named_items(text: str, policy: Policy | None, language: str | None, spans: Spans | None = None) -> list[NamedItem]:
    """Catalog entries a post names (longest name wins), with their kind."""
    folded = fold(text)
    out: list[NamedItem] = []
    for start, end, named in _spans(text, policy, language) if spans is None else spans:
        if named.kind == "person":
            continue
        after = _PRODUCT_AFTER.match(folded, end)
        if named.kind == "place" and after:
            # A place's name used for a coffee the catalog does not list: a product.
            name = text[start:after.end()] if len(text) == len(folded) else f"{named.matched} {after.group(1)}"
            out.append(NamedItem(name=name.strip(), kind="product", entry=None))
            continue
        out.append(NamedItem(name=named.matched, kind=named.kind, entry=named.entry_id))
    return out


_KNOWN: dict[str, tuple[frozenset[str], frozenset[str]]] = {}


def _known_words(policy: Policy | None) -> tuple[frozenset[str], frozenset[str]]:
    """The brand's name words and every catalog name's words, folded: not people. Worked
    out once per policy version (it was a fifth of triage's time outside the encoder)."""
    if policy is None:
        return frozenset(), frozenset()
    key = f"{policy.id}\x1f{policy.digest}"
    if key not in _KNOWN:
        if len(_KNOWN) > 64:  # edited policies leave old versions behind
            _KNOWN.clear()
        names = policy.catalog_index.supported_names() if policy.catalog else []
        _KNOWN[key] = (frozenset(fold(w) for w in policy.brand.name.split()),
                       frozenset(fold(w) for n in names for w in n.split()))
    return _KNOWN[key]


def people_named(text: str, policy: Policy | None, language: str | None, signed: str | None,
                 spans: Spans | None = None) -> list[str]:
    """Staff from the policy's catalog, then names the text gives a person."""
    found = [(start, named.say) for start, _end, named in (_spans(text, policy, language) if spans is None else spans)
             if named.kind == "person"]
    brand, catalog_words = _known_words(policy)

    def person(word: str) -> bool:
        f = fold(word)
        return f not in _NOT_PEOPLE and f not in brand and f not in catalog_words

    for m in _CUED.finditer(text):
        if person(m.group("name")):
            found.append((m.start("name"), m.group("name")))
    known = {fold(n) for _, n in found}
    for m in _PAIR.finditer(text):
        a, b = m.group("a"), m.group("b")
        # A pair is two people when one of them already is ("Mika and Anni").
        if (fold(a) in known or fold(b) in known) and all(fold(x) in known or person(x) for x in (a, b)):
            found += [(m.start("a"), a), (m.start("b"), b)]
    out: list[str] = []
    for _, name in sorted(found):
        if fold(name) not in {fold(n) for n in out} and (not signed or fold(name) != fold(signed)):
            out.append(name)
    return out


def _without_brand(text: str, policy: Policy | None) -> str:
    """The text with the brand's own names and handles blanked out (same length): "Aurora
    Roasters" is the brand, not "our roastery"."""
    if policy is None:
        return text
    names = [policy.brand.name, *policy.brand.aliases, *policy.brand.handles.values()]
    for name in sorted({n.strip().lstrip("@#") for n in names if n.strip()}, key=len, reverse=True):
        pattern = r"[@#]?" + r"[\W_]*".join(re.escape(w) for w in re.split(r"[\W_]+", name) if w)
        # "_" keeps the length (folding squeezes runs of spaces) and is no name.
        text = re.sub(pattern, lambda m: "_" * len(m.group(0)), text, flags=re.IGNORECASE)
    return text


def extract(text: str, policy: Policy | None, language: str | None) -> Extracted:
    signed, body = signed_name(text)
    body = _without_brand(body, policy)
    spans = _spans(body, policy, language)  # the catalog is read once per post
    return Extracted(people=people_named(body, policy, language, signed, spans),
                     items=named_items(body, policy, language, spans), order=order_number(body), signed=signed)
