"""Sentences and template variables: the two text operations drafting and the guard share."""

from __future__ import annotations

import re
import string

_SENTENCES = re.compile(r"(?<=[.!?…。؟])\s+|\n+")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCES.split(text) if s.strip()]


class _Values(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"  # an unknown variable stays as written


def fill(text: str, values: dict[str, str]) -> str:
    """``text`` with its ``{variables}`` filled in; one it lacks a value for stays as written."""
    return string.Formatter().vformat(text, (), _Values(values))
