"""Read mentions from JSON lines or CSV. A bad line is reported by number; the rest go in."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from .domain import Mention, stable_id


@dataclass
class Parsed:
    mentions: list[Mention] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "line N: why"


def mention_from_record(record: dict[str, Any], default_source: str = "import") -> Mention:
    if not isinstance(record, dict):
        raise ValueError("expected a JSON object with at least a `text` field")
    if not isinstance(record.get("text"), str):
        raise ValueError("`text` is missing or not a string")
    source = str(record.get("source") or default_source)
    author = str(record.get("author") or "")
    created = record.get("created_at")
    external = record.get("id") or record.get("external_id")
    data = {
        "source": source,
        "external_id": str(external) if external else stable_id(source, author, record["text"], created),
        "author": author,
        "text": record["text"],
        "url": record.get("url") or None,
        "created_at": str(created) if created else None,
        "network": record.get("network") or None,
        "in_reply_to": record.get("in_reply_to") or None,
    }
    try:
        return Mention(**data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ValueError(f"{'.'.join(map(str, err['loc']))}: {err['msg']}") from None


def _records(text: str, fmt: str) -> Iterator[tuple[int, dict[str, Any] | Exception]]:
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text))
        for row in reader:
            yield reader.line_num, dict(row)
        return
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield n, json.loads(line)
        except json.JSONDecodeError as exc:
            yield n, ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})")


def parse_mentions(text: str, fmt: str | None = None, default_source: str = "import") -> Parsed:
    fmt = fmt or ("jsonl" if text.lstrip().startswith(("{", "[")) else "csv")
    out = Parsed()
    for n, record in _records(text, fmt):
        if isinstance(record, Exception):
            out.errors.append(f"line {n}: {record}")
            continue
        try:
            out.mentions.append(mention_from_record(record, default_source))
        except ValueError as exc:
            out.errors.append(f"line {n}: {exc}")
    return out
