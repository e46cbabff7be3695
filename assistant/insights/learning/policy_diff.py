"""The policy file with the suggestions in it, edited as text, and the diff a person reviews.

The file is edited line by line, keys found by indentation, so its comments and layout
stay as they are: an added phrasing is appended to its list under a comment that says
why, a removed one is commented out with the reason (or replaced by what of it was kept).
A suggestion that cannot be placed, or with which the policy would no longer load, is
left out of the diff and says why. Nothing here writes the file.
"""

from __future__ import annotations

import difflib
import re

import yaml

from assistant.domain.models import Intent
from assistant.insights.learning.edits import spaces
from assistant.insights.learning.suggestion import Suggestion, quoted, shown_path
from assistant.policy.loading import check_policy_text
from assistant.policy.models import Policy
from assistant.text.sentences import sentences


def _significant(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


class _PolicyText:
    """The policy file's lines and the blocks of its keys, found by indentation."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines(keepends=True)
        if self.lines and not self.lines[-1].endswith("\n"):
            self.lines[-1] += "\n"

    def text(self) -> str:
        return "".join(self.lines)

    def end(self, start: int) -> int:
        """One past the last significant line of the block the key at ``start`` opens."""
        own = _indent(self.lines[start])
        last = start
        for i in range(start + 1, len(self.lines)):
            line = self.lines[i]
            if not _significant(line):
                continue
            ind = _indent(line)
            if ind < own or (ind == own and not line.lstrip().startswith("- ") and line.strip() != "-"):
                break
            last = i
        return last + 1

    def child(self, start: int, stop: int, key: str) -> int | None:
        """The line of ``key:`` directly inside lines (start, stop)."""
        pattern = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*:(?:\s|$)""")
        inner = None
        for i in range(start, stop):
            line = self.lines[i]
            if not _significant(line):
                continue
            inner = _indent(line) if inner is None else inner
            if _indent(line) == inner and pattern.match(line):
                return i
        return None

    def find(self, keys: list[str]) -> tuple[int | None, list[int]]:
        """The line of the last key, and the lines of those found on the way."""
        start, stop = 0, len(self.lines)
        found: list[int] = []
        for key in keys:
            at = self.child(start, stop, key)
            if at is None:
                return None, found
            found.append(at)
            start, stop = at + 1, self.end(at)
        return found[-1], found

    def inline(self, at: int) -> bool:
        """Whether the key's value is written on its own line (`fi: [a, b]`)."""
        rest = self.lines[at].split(":", 1)[1].strip()
        return bool(rest) and not rest.startswith("#")

    def items(self, at: int) -> list[tuple[int, int]]:
        """(first line, one past the last) of each list item under the key at ``at``."""
        stop = self.end(at)
        starts = [i for i in range(at + 1, stop) if self.lines[i].lstrip().startswith("- ")
                  and _indent(self.lines[i]) == self._item_indent(at)]
        out = []
        for n, first in enumerate(starts):
            last = (starts[n + 1] if n + 1 < len(starts) else stop)
            while last > first + 1 and not _significant(self.lines[last - 1]):
                last -= 1
            out.append((first, last))
        return out

    def _item_indent(self, at: int) -> int:
        for i in range(at + 1, self.end(at)):
            if self.lines[i].lstrip().startswith("- "):
                return _indent(self.lines[i])
        return _indent(self.lines[at])

    def insert(self, index: int, lines: list[str]) -> None:
        self.lines[index:index] = lines


def _add(doc: _PolicyText, s: Suggestion) -> str | None:
    """Append an added phrasing to its list; None, or why it could not be placed."""
    _, book, _, kind, language = s.path.split(".")
    comment = f"# suggested: people added this in {s.approvals} approvals ({s.relation})"
    at, found = doc.find(["playbooks", book, "parts", kind, language])
    if at is not None:
        if doc.inline(at):
            return f"{s.path} is written on one line: add it by hand"
        ind = doc._item_indent(at)
        doc.insert(doc.end(at), [f"{' ' * ind}{comment}\n", f"{' ' * ind}- {quoted(s.text)}\n"])
        return None
    if len(found) < 2:
        return f"the policy has no playbook for {book}"
    parent = found[-1]
    step = 2
    missing = ["parts", kind, language][len(found) - 2:]
    inner = next((_indent(doc.lines[i]) for i in range(parent + 1, doc.end(parent))
                  if _significant(doc.lines[i])), _indent(doc.lines[parent]) + step)
    lines = []
    for n, key in enumerate(missing):
        lines.append(f"{' ' * (inner + n * step)}{key}:\n")
    ind = inner + (len(missing) - 1) * step
    lines += [f"{' ' * ind}{comment}\n", f"{' ' * ind}- {quoted(s.text)}\n"]
    doc.insert(doc.end(parent), lines)
    return None


def _remove(doc: _PolicyText, s: Suggestion, sentences_gone: list[str], approvals: int) -> str | None:
    """Comment a phrasing out (or keep what of it was not removed); None, or why not."""
    at, _ = doc.find(s.path.split("."))
    if at is None:
        return f"{s.path} was not found in the file"
    said = "; ".join(quoted(t) for t in sentences_gone)
    reason = f"# suggested: people removed {said} from {approvals} drafts"
    if s.phrasing is None:
        doc.insert(at, [f"{' ' * _indent(doc.lines[at])}{reason}\n"])
        return None
    if doc.inline(at):
        return f"{s.path} is written on one line: change it by hand"
    items = doc.items(at)
    for first, last in items:
        block = doc.lines[first:last]
        ind = _indent(block[0])
        try:
            value = yaml.safe_load("".join(line[ind:] if len(line) > ind else line for line in block))
        except yaml.YAMLError:
            continue
        if not (isinstance(value, list) and len(value) == 1 and isinstance(value[0], str)):
            continue
        if spaces(value[0]) != spaces(s.phrasing):
            continue
        if not s.keep and len(items) == 1:
            doc.insert(first, [f"{' ' * ind}{reason}: the only phrasing here, so kept: reword it\n"])
            return None
        new = [f"{' ' * ind}{reason}\n"] + [f"{' ' * ind}# {line[ind:] if len(line) > ind else line.lstrip()}"
                                            for line in block]
        if s.keep:
            new.append(f"{' ' * ind}- {quoted(s.keep)}\n")
        doc.lines[first:last] = new
        return None
    return f"the phrasing was not found under {s.path} in the file"


def _apply(text: str, suggestions: list[Suggestion],
           removals: dict[tuple[str, str], list[Suggestion]]) -> tuple[str, dict[int, str]]:
    """The file with every suggestion; index -> why one could not be placed."""
    doc = _PolicyText(text)
    why: dict[int, str] = {}
    done: set[tuple[str, str]] = set()
    for n, s in enumerate(suggestions):
        if s.action == "add":
            problem = _add(doc, s)
        elif s.phrasing is None:
            problem = _remove(doc, s, [s.text], s.approvals)
        elif (s.path, s.phrasing) in done:
            continue  # the first of a phrasing's removed sentences edits it for all of them
        else:
            done.add((s.path, s.phrasing))
            same = removals[(s.path, s.phrasing)]
            problem = _remove(doc, s, [x.text for x in same], max(x.approvals for x in same))
        if problem:
            why[n] = problem
    return doc.text(), why


def _loads(text: str, path: str, suggestions: list[Suggestion]) -> bool:
    policy, problems = check_policy_text(text, path)
    if policy is None or problems:
        return False
    for s in suggestions:
        if s.action == "add":
            _, book, _, kind, language = s.path.split(".")
            try:
                playbook = policy.playbook(Intent(book))
            except ValueError:
                return False
            if playbook is None or s.text not in playbook.parts.of(kind, language):
                return False
    return True


def policy_diff(policy: Policy, text: str, added: list[Suggestion], removed: list[Suggestion]) -> str:
    """The unified diff of the policy file with every suggestion that can be placed and
    still loads; each suggestion says whether it is in it."""
    removals: dict[tuple[str, str], list[Suggestion]] = {}
    for s in removed:
        if s.phrasing is not None:
            removals.setdefault((s.path, s.phrasing), []).append(s)
            # Every removed sentence of a phrasing leaves the same rest of it.
    for same in removals.values():
        gone = {x.text for x in same}
        mine = sentences(same[0].phrasing or "")
        keep = " ".join(x for x in mine if x not in gone) if any(x in gone for x in mine) else same[0].keep
        for x in same:
            x.keep = keep
    candidates = [s for s in [*added, *removed] if not s.note and (s.action == "add" or s.path)]
    new, why = _apply(text, candidates, removals)
    for n, problem in why.items():
        candidates[n].note = problem
    placed = [s for n, s in enumerate(candidates) if n not in why]
    if not _loads(new, policy.path, placed):
        # One at a time: keep those that load with the ones before them.
        fine: list[Suggestion] = []
        for s in placed:
            one, problems = _apply(text, [*fine, s], removals)
            if not problems and _loads(one, policy.path, [*fine, s]):
                fine.append(s)
            else:
                s.note = "the policy would not load with it: change it by hand"
        placed = fine
        new, _ = _apply(text, placed, removals)
    for s in placed:
        s.placed = True
    for same in removals.values():  # a phrasing's other removed sentences ride with the first
        for x in same[1:]:
            x.placed, x.note = same[0].placed, same[0].note
    if new == _PolicyText(text).text():
        return ""
    name = shown_path(policy.path)
    return "".join(difflib.unified_diff(_PolicyText(text).lines, new.splitlines(keepends=True),
                                        f"a/{name}", f"b/{name}"))
