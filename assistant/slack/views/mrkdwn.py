"""Text from outside inside ``mrkdwn``: escaping, Slack's own markup read back, people and links.

Everything a member of the public wrote (the mention, the author's name) and everything a
model wrote (the draft) is untrusted: it goes into ``plain_text`` objects, which Slack never
renders as markup or links, or through ``escape()`` where it must sit inside ``mrkdwn``. So
no mention can ping ``@channel`` or smuggle in a link.
"""

from __future__ import annotations

import json
import re

from assistant.slack.views.elements import short


def escape(text: str | None) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unslack(text: str) -> str:
    """Slack's message markup as a person reads it: ``<url|label>`` -> ``label (url)``,
    ``<url>`` -> ``url``, and ``&lt; &gt; &amp;`` unescaped (``&amp;`` last, so "&amp;lt;" stays "&lt;")."""
    text = re.sub(r"<(https?://[^|>]+)\|([^>]*)>", r"\2 (\1)", text)
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def who(actor: str | None) -> str:
    """A Slack user id as a mention; anything else (a CLI user name) escaped."""
    if actor and re.fullmatch(r"[UW][A-Z0-9]{2,}", actor):
        return f"<@{actor}>"
    return escape(actor or "someone")


def safe_url(url: str | None) -> str | None:
    """Only http(s) links without characters that would break out of ``<url|label>``."""
    if url and re.fullmatch(r"https?://[^\s<>|]+", url):
        return url
    return None


# A credential inside an error (a header, a query parameter, a token by its shape): everyone in
# the channel reads the card, so the value is hidden; the log keeps the full error for the admin.
_SECRET = re.compile(
    r"(?i)\b(\w*token|api[_-]?key|\w*secret|password|authorization)\s*[:=]\s*(?:bearer\s+)?[^\s,;&]+"
    r"|\b(bearer)\s+[^\s,;&]+|\b(?:xox[abposr]|xapp|sk|ghp|glpat)-[\w-]{6,}")


def readable_error(error: str | None) -> str:
    """An outbox error as a person reads it: no URLs, a JSON body reduced to its message."""
    text = error or "unknown error"
    match = re.search(r"\{.*\}", text, re.S)
    if match:
        try:
            body = json.loads(match.group(0))
        except ValueError:
            body = None
        message = next((str(body[k]) for k in ("error_description", "error", "message", "detail")
                        if isinstance(body, dict) and body.get(k)), None) if isinstance(body, dict) else None
        text = text.replace(match.group(0), message or "").strip()
    text = re.sub(r"\s*https?://\S+", "", text)
    text = _SECRET.sub(lambda m: f"{m.group(1) or m.group(2)}: [hidden]" if m.group(1) or m.group(2) else "[hidden]",
                       text)
    text = re.sub(r"\s*\((fix|check|run)[^)]*\)\s*$", "", text)  # the admin's fix goes to the log, not the card
    text = " ".join(text.replace(" :", ":").split()).strip(" :")
    text = text[:1].upper() + text[1:]
    return short(text, 300) or "Unknown error"
