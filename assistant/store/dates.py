"""When a post was written (``created_at``): checked once, where mentions come in.

The rule, for every source (files, webhooks, pollers):

* A time is ISO 8601 (``2026-03-02T20:02:00Z``, ``2026-03-02 20:02``, a date alone is
  midnight) or an e-mail style date (``Mon, 02 Mar 2026 20:02:00 GMT``, as feeds write).
* **A time with no zone is UTC.** ``2026-03-02T20:02`` is 20:02 UTC, whatever the
  sender's own clock says; give an offset (``+02:00``) for local times.
* An impossible or unreadable date is refused: ``2026-02-30``, a bare number such as
  ``0`` or ``2461000`` (SQLite would read it as a Julian day), a year before 1990.
  ``assistant ingest`` rejects the line, naming it; a webhook or poller's post is kept
  with no time of its own (it counts from when it was received), its text kept in an
  event.
* A time in the future (a sender's clock ahead, or a naive local time east of UTC) is
  stored as the time it was received; the original stays in the mention's
  ``date_clamped`` event. So no response time is ever negative.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

__all__ = ["MIN_YEAR", "at_insert", "check", "parse"]

MIN_YEAR = 1990
HOW = "write it as ISO 8601 with a zone, e.g. 2026-03-02T20:02:00Z"
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?$")
# What SQLite's date functions read as it is (the views compute times with julianday).
_SQLITE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?$")


def parse(value: str) -> datetime:
    """The UTC time ``value`` names; ValueError with a one-line reason when it names none."""
    text = value.strip()
    if _NUMBER.match(text):
        raise ValueError(f"`created_at` {value!r} is a number, not a date; {HOW}")
    try:
        when = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError as exc:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            why = str(exc) if "range" in str(exc) else "not a date"
            raise ValueError(f"`created_at` {value!r} is not a valid date ({why}); {HOW}") from None
    if when.year < MIN_YEAR:
        raise ValueError(f"`created_at` {value!r} is before {MIN_YEAR}; check the date, or leave it out "
                         "to use the time it is stored")
    when = when if when.tzinfo else when.replace(tzinfo=UTC)  # no zone: UTC
    try:
        return when.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"`created_at` {value!r} is out of range; {HOW}") from None


def _text(when: datetime) -> str:
    return when.isoformat(timespec="milliseconds") if when.microsecond else when.isoformat(timespec="seconds")


def check(value: str | None) -> str | None:
    """A file's ``created_at`` as stored: the same text when SQLite reads it as it is, else
    the time in ISO 8601 UTC. Raises ValueError (the line's reason) for an impossible date."""
    if value is None or not value.strip():
        return None
    when = parse(value)
    return value.strip() if _SQLITE.match(value.strip()) else _text(when)


def at_insert(value: str | None, now: datetime) -> tuple[str | None, dict[str, Any] | None]:
    """What to store for a post's ``created_at`` received ``now``, and the event detail
    that keeps the original when it was changed (None when it was stored as given)."""
    if value is None or not value.strip():
        return None, None
    try:
        when = parse(value)
    except ValueError as exc:
        return None, {"field": "created_at", "original": value, "stored": None,
                      "reason": f"{exc}; counted from when it was received"}
    if when > now:
        return _text(now), {"field": "created_at", "original": value, "stored": _text(now),
                            "reason": "in the future (the sender's clock is ahead, or a local time with no zone); "
                                      "stored as the time it was received"}
    text = value.strip()
    return (text if _SQLITE.match(text) else _text(when)), None
