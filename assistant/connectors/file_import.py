"""Read mentions from JSON lines or CSV. A bad line is reported by number; the rest go in.

What counts as bad, each with a one-line reason naming its line:

* a line that is not valid UTF-8 (the bytes are read with ``surrogateescape`` so the
  good lines around it survive) or that holds a lone surrogate (``"\\ud800"`` in
  JSON: half of a character, usually an emoji cut in two). Such a line is rejected,
  not repaired: the user has the file in front of them and can fix it, while a
  silent U+FFFD would change what the customer wrote;
* a CSV quote that never closes, or closes rows later: CSV is read in strict mode,
  so the rows it would swallow are not merged into one mention; reading resumes on
  the line after the bad one;
* a ``created_at`` that is no date: ``2026-02-30``, a bare number (``0``, ``2461000``),
  a year before 1990 (the rule, with naive and future times, is in store/dates.py);
* an ``id``, ``author`` or other field that is a JSON object, list or true/false;
  a ``text`` that is empty or only spaces, or longer than ``MAX_TEXT``.

A whole file that is binary (a NUL byte, or mostly bytes that are not UTF-8) is
one error, raised by ``decode_input``, instead of a line-by-line flood.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from assistant.domain.errors import AssistantError
from assistant.domain.models import Mention, stable_id
from assistant.store import dates

MAX_TEXT = 50_000  # characters in one mention's text: far above any network's post
MAX_RECORD_LINES = 100  # one CSV record spanning more lines than this is a quote left open
_CSV_FIELD_LIMIT = csv.field_size_limit()  # the csv module's own limit (131,072 characters)
_FIELDS = ("id", "external_id", "source", "author", "url", "created_at", "network", "in_reply_to")
_SURROGATE = re.compile("[\ud800-\udfff]")
_BAD_BYTE = re.compile("[\udc80-\udcff]")  # a byte that was not UTF-8, kept by surrogateescape
_CONTROL = re.compile(b"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_SNIFF = 65_536  # bytes looked at to tell text from binary


@dataclass
class Parsed:
    mentions: list[Mention] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "line N: why"


def decode_input(data: bytes, name: str) -> str:
    """The text of a file or stdin. Bytes that are not UTF-8 are kept as lone surrogates
    (``surrogateescape``) so each line that holds one is rejected on its own; a binary
    file, or one mostly in another encoding, raises one AssistantError. A byte-order
    mark (Excel's CSV) is dropped."""
    head = data[:_SNIFF]
    hint = "give a JSONL or CSV file saved as UTF-8"
    nul = head.find(b"\x00")
    if nul >= 0:
        raise AssistantError(f"{name} is binary, not UTF-8 text (a NUL byte at byte {nul}; a UTF-16 file "
                             "has them too)", hint)
    sample = head.decode("utf-8", errors="surrogateescape")
    if len(data) > _SNIFF:  # the sample may end inside a character
        sample = sample[:-3]
    controls = len(_CONTROL.findall(head))
    bad = len(_BAD_BYTE.findall(sample))
    if controls > max(8, len(head) // 100) or bad > max(8, len(sample) // 3):
        raise AssistantError(f"{name} is binary, not UTF-8 text ({controls + bad} of its first {len(head)} "
                             "bytes are not text)", hint)
    lines = [line for line in sample.split("\n") if line.strip()]
    bad_lines = sum(1 for line in lines if _BAD_BYTE.search(line))
    if len(lines) > 1 and bad_lines * 2 > len(lines):
        raise AssistantError(f"{name} is not UTF-8 text ({bad_lines} of its first {len(lines)} lines are not "
                             "UTF-8; it looks like Latin-1 or Windows-1252)", hint)
    text = data.decode("utf-8", errors="surrogateescape")
    return text[1:] if text.startswith("\ufeff") else text


def _bad_utf8(text: str) -> str | None:
    m = _BAD_BYTE.search(text)
    if m is None:
        return None
    byte = ord(m.group()) - 0xDC00
    return (f"not valid UTF-8 (byte 0x{byte:02x} at character {m.start() + 1}); save the file as UTF-8 "
            "(it looks like Latin-1 or Windows-1252)")


def _surrogate(name: str, value: str) -> str | None:
    m = _SURROGATE.search(value)
    if m is None:
        return None
    return (f"`{name}` holds a lone surrogate \\u{ord(m.group()):04x} at character {m.start() + 1} "
            "(half of a character, often an emoji cut in two); fix or remove it")


def _scalar(record: dict[str, Any], name: str) -> str | None:
    value = record.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        kind = {dict: "an object", list: "a list", bool: "true/false"}.get(type(value), type(value).__name__)
        raise ValueError(f"`{name}` is {kind}, expected text or a number")
    text = str(value)
    if (why := _surrogate(name, text)) is not None:
        raise ValueError(why)
    return text


def mention_from_record(record: dict[str, Any], default_source: str = "import") -> Mention:
    if not isinstance(record, dict):
        raise ValueError("expected a JSON object with at least a `text` field")
    text = record.get("text")
    if not isinstance(text, str):
        raise ValueError("`text` is missing or not a string")
    if not text.strip():
        raise ValueError("`text` is empty (a mention needs its words)")
    if len(text) > MAX_TEXT:
        raise ValueError(f"`text` is too long ({len(text)} characters, at most {MAX_TEXT}); "
                         "check for a missing closing quote")
    if (why := _surrogate("text", text)) is not None:
        raise ValueError(why)
    values = {name: _scalar(record, name) for name in _FIELDS}
    source = values["source"] or default_source
    author = values["author"] or ""
    created = values["created_at"]
    external = values["id"] or values["external_id"]
    data = {
        "source": source,
        # the id from the time as written: ingesting the same file again finds the same mentions
        "external_id": external or stable_id(source, author, text, created),
        "author": author,
        "text": text,
        "url": values["url"],
        "created_at": dates.check(created),  # an impossible date rejects the line (store/dates.py)
        "network": values["network"],
        "in_reply_to": values["in_reply_to"],
    }
    try:
        return Mention(**data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ValueError(f"{'.'.join(map(str, err['loc']))}: {err['msg']}") from None


class _RecordTooLong(Exception):
    pass


class _Lines:
    """Feeds the csv reader one line at a time from ``begin``, counting them, and stops a
    record that spans more than MAX_RECORD_LINES lines (a quote left open)."""

    def __init__(self, lines: list[str], begin: int) -> None:
        self.lines = lines
        self.begin = begin
        self.consumed = 0
        self.record_start = 0

    def __iter__(self) -> Iterator[str]:
        for line in itertools.islice(self.lines, self.begin, None):
            if self.consumed - self.record_start >= MAX_RECORD_LINES:
                raise _RecordTooLong
            self.consumed += 1
            yield line


def _csv_error(exc: csv.Error, start: int, end: int) -> str:
    msg = str(exc)
    if "field larger than field limit" in msg:
        return (f"a field is too long (over {_CSV_FIELD_LIMIT} characters; a post is at most {MAX_TEXT}); "
                "check for a missing closing quote")
    if "unexpected end of data" in msg:
        return ("a quote opened on this line is never closed (it runs to the end of the file); close it, "
                'or double a quote inside a field ("")')
    if "expected after" in msg and end > start:
        return (f"a quote opened on this line only closes on line {end}, swallowing the rows between; "
                'close it on this line, or double a quote inside a field ("")')
    if "expected after" in msg:
        return 'text follows a closing quote; put the whole field in quotes and double each quote inside it ("")'
    return f"not valid CSV ({msg})"


def _csv_records(text: str) -> Iterator[tuple[int, dict[str, Any] | Exception]]:
    """CSV rows as dicts, by the line each starts on. Strict quoting: a quote left open
    is one rejected line, and reading starts again on the line after it."""
    lines = io.StringIO(text, newline="").readlines()
    header_reader = csv.reader(lines[:1], strict=True)
    try:
        header = next(header_reader)
    except (StopIteration, csv.Error):
        return
    ncols = len(header)
    pos = 1  # index of the next line to read
    while pos < len(lines):
        feed = _Lines(lines, pos)
        reader = csv.reader(iter(feed), strict=True)
        restart = None
        while True:
            feed.record_start = feed.consumed
            start = pos + feed.consumed + 1  # 1-based number of the record's first line
            try:
                row = next(reader)
            except StopIteration:
                break
            except _RecordTooLong:
                yield start, ValueError(f"a quoted field runs over more than {MAX_RECORD_LINES} lines; "
                                        "probably a missing closing quote on this line")
                restart = start  # 0-based index of the line after the bad one
                break
            except csv.Error as exc:
                yield start, ValueError(_csv_error(exc, start, pos + feed.consumed))
                restart = start
                break
            if not row:
                continue
            if (why := _bad_utf8("".join(row))) is not None:
                yield start, ValueError(why)
                continue
            if len(row) > ncols:
                yield start, ValueError(f"{len(row)} fields, but the header has {ncols}: put a text that holds "
                                        "a comma in double quotes")
                continue
            yield start, dict(zip(header, row, strict=False))
        if restart is None:
            return
        pos = restart


def _records(text: str, fmt: str) -> Iterator[tuple[int, dict[str, Any] | Exception]]:
    if fmt == "csv":
        yield from _csv_records(text)
        return
    # Split on newlines only: str.splitlines() also splits on U+2028 and other
    # separators that JSON allows inside a string, and would number lines unlike an editor.
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        if (why := _bad_utf8(line)) is not None:
            yield n, ValueError(why)
            continue
        try:
            yield n, json.loads(line)
        except json.JSONDecodeError as exc:
            yield n, ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})")
        except RecursionError:
            yield n, ValueError("not valid JSON (nested too deeply)")


def guess_format(text: str) -> str:
    return "jsonl" if text.lstrip().startswith(("{", "[")) else "csv"


def iter_mentions(text: str, fmt: str | None = None,
                  default_source: str = "import") -> Iterator[tuple[int, Mention | str]]:
    """Each record by line number: its Mention, or why it was rejected."""
    if text.startswith("\ufeff"):
        text = text[1:]
    for n, record in _records(text, fmt or guess_format(text)):
        if isinstance(record, Exception):
            yield n, str(record)
            continue
        try:
            yield n, mention_from_record(record, default_source)
        except ValueError as exc:
            yield n, str(exc)


def parse_mentions(text: str, fmt: str | None = None, default_source: str = "import") -> Parsed:
    out = Parsed()
    for n, item in iter_mentions(text, fmt, default_source):
        if isinstance(item, str):
            out.errors.append(f"line {n}: {item}")
        else:
            out.mentions.append(item)
    return out
