"""What `assistant policy suggest` found, and how the command prints it.

A ``Suggestion`` is one phrasing to add to, or take out of, one list of the policy
(``playbooks.<intent>.parts.<kind>.<language>``), with how many approvals agree and, once
policy_diff.py has tried to place it, whether the diff carries it and why not.
``suggestion_lines`` is the command's output: a summary, then the diff.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


@dataclass
class Suggestion:
    action: str  # "add" or "remove"
    intent: str  # the posts' intent (triage)
    language: str
    text: str  # the sentence (added: as it would go into the policy)
    approvals: int  # how many different approvals added or removed it
    path: str  # where in the policy: playbooks.complaint.parts.next_step.fi
    relation: str = ""  # add: "after the next_step"
    phrasing: str | None = None  # remove: the policy's phrasing the sentence is (part of)
    keep: str | None = None  # remove: that phrasing without the removed sentences ("" for none)
    placed: bool = False  # the diff carries it
    note: str = ""  # why the diff does not


@dataclass
class Suggestions:
    policy_path: str
    brand: str
    since: datetime | None
    min_count: int
    edits: int  # edited and rewritten approvals read
    added: list[Suggestion]
    removed: list[Suggestion]
    unsafe: int  # added sentences with a link, e-mail, price or number the facts lack
    named: int  # added sentences naming a person the post named
    not_policy: int  # sentences removed in min_count drafts that no policy phrasing wrote
    diff: str


def quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def shown_path(path: str) -> str:
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return p.name


def suggestion_lines(result: Suggestions) -> list[str]:
    """What `assistant policy suggest` prints: a summary, then the diff (last, so the
    output can be given to `patch` as it is)."""
    when = f" since {result.since.strftime('%Y-%m-%d')}" if result.since else ""
    edits = f"{result.edits} edit{'s' if result.edits != 1 else ''}"
    skipped = []
    if result.unsafe:
        skipped.append(f"{result.unsafe} added sentence{'s' if result.unsafe != 1 else ''} held a link, e-mail, "
                       "price or number the policy facts lack and were never suggested")
    if result.named:
        skipped.append(f"{result.named} named a person the post named")
    if not result.added and not result.removed:
        tail = f" ({'; '.join(skipped)})" if skipped else ""
        return [f"No phrasing to suggest for {result.brand}: {edits} read{when}, no sentence added or removed in "
                f"{result.min_count} or more approvals{tail}."]
    lines = [f"# {edits} read{when} (approvals edited or rewritten) for {result.brand}; "
             f"suggested where {result.min_count} or more approvals agree. Nothing was written."]
    if result.added:
        lines.append("# Add: people added these sentences")
        lines += [f"#   {s.path}: {quoted(s.text)} ({s.approvals} approvals, {s.relation})"
                  + (f" [not in the diff: {s.note}]" if not s.placed else "") for s in result.added]
    if result.removed:
        lines.append("# Remove: people removed these sentences from drafts")
        for s in result.removed:
            rest = ""
            if s.phrasing is not None:
                rest = f"; kept as {quoted(s.keep)}" if s.keep else "; the whole phrasing"
            lines.append(f"#   {s.path}: {quoted(s.text)} ({s.approvals} drafts{rest})"
                         + (f" [not in the diff: {s.note}]" if not s.placed else ""))
    if skipped:
        lines.append(f"# Skipped: {'; '.join(skipped)}.")
    if result.not_policy:
        lines.append(f"# {result.not_policy} sentence{'s' if result.not_policy != 1 else ''} removed as often came "
                     "from the model or an approved reply, not from a policy phrasing: nothing to change there.")
    if result.diff:
        lines.append("# Review the diff below; to apply it, save this output and run "
                     f"`patch {shown_path(result.policy_path)} < saved-output`.")
        lines += result.diff.rstrip("\n").split("\n")
    return lines
