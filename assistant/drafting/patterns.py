"""The patterns the guard reads facts by: links, hosts, e-mail addresses, phone numbers,
money, quantities, percentages, codes, numbers and dates (one place, for the guard, its
blocking checks and the policy suggestions)."""

from __future__ import annotations

import re

# Content words (four letters or more) and the common ones that say nothing about a post.
CONTENT_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)
COMMON_WORDS = {"this", "that", "with", "your", "have", "from", "they", "will", "what", "when", "were", "been",
                "there", "their", "would", "could", "about", "just", "like", "some", "more", "very", "really",
                "thank", "thanks", "sorry", "please", "here", "much", "also", "know", "time", "great", "good"}

URL = re.compile(r"https?://[^\s)>\]]+|www\.[^\s)>\]]+", re.I)
# A bare host name: "evil-coffee.shop/win". Common top-level domains only, so "e.g." or
# "9.5" are not hosts.
DOMAIN = re.compile(r"(?<![\w@.-])[a-z0-9][\w-]*(?:\.[\w-]+)*\.(?:com|net|org|shop|store|online|site|info|biz|"
                    r"xyz|io|co|app|link|click|top|win|example|fi|de|nl|fr|es|se|lv|gr|ir|eu|uk|us|ru|cn)"
                    r"(?![\w-])(?:/[^\s)>\]]*)?", re.I)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
# Not an ISO date ("2026-12-07", "2026-12-07 17:00"): a date is checked as a date.
PHONE = re.compile(r"(?<![\w-])(?!\d{4}-\d{2}-\d{2}(?:[ T]\d{1,2}(?::\d{2})?)?(?!\d))\+?\d[\d ()-]{6,}\d")
MONEY = re.compile(r"(?:[€$£]\s?\d+(?:[.,]\d+)?|\d+(?:[.,]\d+)?\s?(?:€|eur|euros?|usd|\$|£|kr|sek|ευρω|ευρώ|یورو|"
                   r"eiro|cents?|snt|senttiä)(?!\w))", re.I)
# A number with its unit: "1 kg", "30 days", "24h" must be said as such by the policy or the post.
QUANTITY = re.compile(r"\d+(?:[.,]\d+)?\s?(?:kg|g|gr|ml|l|h|hours?|days?|weeks?|months?|years?|päivä\w*|"
                      r"viiko\w*|tage?n?|wochen?|dagen?|weken|jours?|semaines?|días|dias|semanas|dagar|veckor|"
                      r"dien\w*|nedēļ\w*|ημέρ\w*|ημερ\w*|εβδομ\w*|روز|هفته)(?!\w)", re.I)
PERCENT = re.compile(r"\d+(?:[.,]\d+)?\s?%")
# "use code FREECOFFEE": a code need not contain a digit when it is called one.
NAMED_CODE = re.compile(r"\b(?:code|codes|koodi|koodilla|código|codigo|gutschein|kod|kods|κωδικ[οό]ς?|کد)\s*:?\s*"
                        r"([A-Za-z0-9][A-Za-z0-9-]{3,})\b", re.I)
CODE = re.compile(r"(?<![\w-])(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9]{2,}(?:-[A-Z0-9]+)*(?![\w-])")
NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)?(?:st|nd|rd|th)?(?![\w])")
DATE = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[./]\d{1,2}(?:[./]\d{2,4})?\b|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?\b|\b\d{1,2}(?:st|nd|rd|th)? "
    r"(?:of )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.I)
