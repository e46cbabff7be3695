"""The consolidated statement's checks before it is queued: the versions to post (drafted
now, or as a person edited them, with the update time due now), whether an edit carries
exactly the languages the storm calls for, and the one line that says why a version
cannot go out. What the guard refuses cannot be overridden: there is no "post anyway"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from assistant.domain.models import GuardCheck
from assistant.storms.spike import Spike
from assistant.storms.statement import (
    check_statement,
    draft_statement,
    promised_at,
    statement_languages,
    update_due,
)

if TYPE_CHECKING:
    from assistant.policy.models import Policy

Versions = dict[str, tuple[str, list[GuardCheck]]]  # language -> (text, guard checks)
Problems = Callable[[str, dict[str, Any]], list[str]]  # the accounts' own limits (length)


def drafts(spike: Spike, policy: Policy, now: datetime | None = None) -> tuple[list[Any], list[str]]:
    """(the statement in each language the storm speaks, most spoken first; the storm's
    languages the crisis playbook has no text for)."""
    languages, missing = statement_languages(spike, policy)
    return [draft_statement(spike, policy, lang, now=now) for lang in languages], missing


def edited(spike: Spike, policy: Policy, language: str, text: str, promised: str | None,
           now: datetime) -> tuple[str, list[GuardCheck]]:
    body = text.strip()
    if promised and promised in body:  # the update time the form offered: the one due now
        body = body.replace(promised, promised_at(update_due(spike, policy, now)))
    return body, check_statement(body, spike, policy, language, now=now)


def why_not(body: str, checks: list[GuardCheck], accounts: dict[str, Any], problems: Problems,
            language: str = "", several: bool = False) -> str | None:
    """One line saying why this statement cannot go on the brand's accounts, or None."""
    which = f" ({language} version)" if several and language else ""
    too_long = problems(body, accounts)
    if too_long:
        return f"Not posted{which}: {too_long[0]}."
    # each account's own limit is the length that counts (checked just above)
    bad = [c for c in checks if not c.passed and c.name != "length"]
    if not bad:
        return None
    first = " ".join((bad[0].detail or bad[0].name).split())
    more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
    line = f"Not posted{which}: the guard refuses it ({bad[0].name}: {first}){more}"
    return line if len(line) <= 190 else line[:188] + "…)"


def versions_to_post(spike: Spike, policy: Policy, texts: dict[str, str] | None, promised: str | None,
                     now: datetime) -> tuple[Versions, list[str]]:
    """Each version to post, language -> (text, guard checks): drafted now, or as edited."""
    if texts is None:
        drafted, missing = drafts(spike, policy, now=now)
        return {d.language: (d.text.strip(), d.guard) for d in drafted}, missing
    _, missing = statement_languages(spike, policy)
    return {lang: edited(spike, policy, lang, text, promised, now) for lang, text in texts.items()}, missing


def first_refusal(versions: Versions, accounts: dict[str, Any], problems: Problems) -> str | None:
    for lang, (body, checks) in versions.items():
        why = why_not(body, checks, accounts, problems, lang, several=len(versions) > 1)
        if why:
            return why
    return None


def languages_changed(spike: Spike, policy: Policy, texts: dict[str, str]) -> str | None:
    """An edit must carry exactly the versions the storm calls for at approval: a form
    opened before another language joined, or one with a block removed or added, is
    refused (a person sees every version that goes out)."""
    wanted, _ = statement_languages(spike, policy)
    if list(texts) == wanted or set(texts) == set(wanted):
        return None
    return (f"Not posted: the statement now needs versions in {', '.join(wanted)} and this form has "
            f"{', '.join(texts) or 'none'}. Open Edit statement again.")
