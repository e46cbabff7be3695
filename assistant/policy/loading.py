"""Reading a YAML policy file safely, with one line per problem and never a traceback.

``read_policy_file`` refuses, before any parsing, a file over ``MAX_BYTES`` (a runaway
paste would otherwise take minutes and gigabytes to load) and a file that is not UTF-8.
``parse_yaml`` refuses nesting deeper than ``MAX_DEPTH`` (PyYAML composes recursively:
a few thousand brackets raise RecursionError) and a key given twice in one mapping
(YAML would silently keep the second). Every problem is one line:
``file:line: what is wrong: how to fix it``.

On top of those, ``check_policy_text`` validates a policy's text (the pydantic models, then
the checks that span fields) and ``load_policy`` reads one file into a ``Policy``: what
`assistant policy check`, the registry and the suggestions' self-check all go through.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from assistant.domain.errors import PolicyError
from assistant.policy.models import Policy

MAX_BYTES = 1_000_000  # the shipped policy is about 90 kB
MAX_DEPTH = 32  # the deepest part of a real policy (playbooks.x.examples[n].reply) is 5 levels


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def read_policy_file(path: Path) -> tuple[str | None, list[str]]:
    """The file's text, or None and one line saying why it cannot be used."""
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            return None, [f"{path}:1: file: not a regular file: a policy is one .yaml file"]
        if st.st_size > MAX_BYTES:
            return None, [_too_big(path, st.st_size)]
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)  # the file may have grown since stat()
    except OSError as exc:
        return None, [f"{path}:1: file: {exc.strerror or exc}"]
    if len(raw) > MAX_BYTES:
        return None, [_too_big(path, max(len(raw), st.st_size))]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [f"{path}:{line}: file: not UTF-8 (byte 0x{raw[exc.start]:02x} at column {column}): "
                      "save it as UTF-8 (most editors: Save with encoding, UTF-8)"]
    return text.removeprefix("\ufeff"), []


def _too_big(path: Path | str, size: int) -> str:
    return (f"{path}:1: file: {size / 1_000_000:.1f} MB, over the {MAX_BYTES / 1_000_000:g} MB limit for a "
            "policy: remove pasted or generated text (a whole policy is usually under 0.1 MB)")


class _TooDeep(yaml.MarkedYAMLError):
    pass


class PolicyLoader(yaml.SafeLoader):
    """PyYAML's safe loader with a nesting limit and duplicate keys recorded (not overwritten)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self.duplicates: list[tuple[int, Any, int]] = []  # (line, key, line of the first one)

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeep(problem=f"nested more than {MAX_DEPTH} levels deep: a policy needs about 5; "
                                       "look for unclosed brackets or runaway indentation",
                               problem_mark=self.peek_event().start_mark)
            return super().compose_node(parent, index)  # type: ignore[misc,return-value]
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            first: dict[Any, int] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node)
                line = key_node.start_mark.line + 1
                try:
                    if key in first:
                        self.duplicates.append((line, key, first[key]))
                    else:
                        first[key] = line
                except TypeError:  # an unhashable key: the base class says so
                    continue
        return super().construct_mapping(node, deep)


def parse_yaml(text: str, path: str) -> tuple[yaml.Node | None, Any, list[str]]:
    """(root node, data, problems): the document composed once, then constructed from its nodes."""
    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_BYTES:
        return None, None, [_too_big(path, size)]
    loader = PolicyLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        return None, None, [f"{path}:{line}: yaml: character U+{exc.character:04X} is not allowed in YAML "
                            "(a control character): delete it"]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc)
        return None, None, [f"{path}:{line}: yaml: {one_line(problem)}"]
    except RecursionError:  # not expected past the depth limit; never a traceback all the same
        return None, None, [f"{path}:1: yaml: nested too deeply: a policy needs about 5 levels"]
    finally:
        loader.dispose()
    if loader.duplicates:
        return root, None, [
            f"{path}:{line}: duplicate key {one_line(repr(key))} (first at line {first}): "
            "keep one (YAML would silently use the last)"
            for line, key, first in sorted(loader.duplicates, key=lambda d: d[0])]
    return root, data, []


def line_of(node: yaml.Node | None, path: tuple[Any, ...]) -> int:
    """The 1-based line of the YAML node at ``path`` (or of its nearest parent)."""
    line = node.start_mark.line + 1 if node is not None else 1
    for key in path:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == str(key)), None)
            if match is None:
                # the key itself may be the problem (an unknown field): point at it
                key_node = next((k for k, _ in node.value if k.value == str(key)), None)
                return key_node.start_mark.line + 1 if key_node else line
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
        line = node.start_mark.line + 1
    return line


# -- a policy from its text or its file ------------------------------------------------------


def check_policy_text(text: str, path: str) -> tuple[Policy | None, list[str]]:
    """Parse and validate a policy. Returns the policy, or None and one line per error."""
    # size cap, nesting limit and duplicate keys first: one line each, never a traceback
    root, data, yaml_problems = parse_yaml(text, path)
    if yaml_problems:
        return None, yaml_problems
    if not isinstance(data, dict):
        return None, [f"{path}:1: policy: expected a mapping with brand, languages, playbooks, ..."]
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            message = err["msg"].removeprefix("Value error, ")
            field = ".".join(str(p) for p in loc) or "policy"
            if err["type"] == "extra_forbidden":
                message = "unknown field (check the spelling)"
            problems.append(f"{path}:{line_of(root, loc)}: {field}: {message}")
        return None, problems
    cross = policy.cross_field_problems()
    if cross:
        return None, [f"{path}:{line_of(root, loc)}: {'.'.join(loc)}: {message}" for loc, message in cross]
    policy.id = Path(path).stem
    policy.path = path
    return policy, []


def policy_warnings(policy: Policy, text: str) -> list[str]:
    """``Policy.warnings()`` as file:line: field: warning: message lines."""
    root, _, _ = parse_yaml(text, policy.path or "")
    return [f"{policy.path}:{line_of(root, loc)}: {'.'.join(loc)}: warning: {message}"
            for loc, message in policy.warnings()]


def load_policy(path: str | Path) -> Policy:
    """Read, parse and validate one policy file; PolicyError (one line per problem) if it is not usable."""
    p = Path(path)
    text, problems = read_policy_file(p)  # size cap and UTF-8 check before any parsing
    if text is None:
        raise PolicyError(str(p), problems)
    policy, problems = check_policy_text(text, str(p))
    if policy is None:
        raise PolicyError(str(p), problems)
    return policy


def policy_files(target: str | Path) -> list[Path]:
    p = Path(target)
    if p.is_dir():
        return sorted([*p.glob("*.yaml"), *p.glob("*.yml")])
    return [p]
