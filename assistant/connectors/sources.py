"""The ``sources`` YAML: which connector, which account, credentials from the
environment, how often to poll. Example (see examples/sources.yaml)::

    sources:
      - name: acme-mastodon
        connector: mastodon
        brand: acme
        poll_every: 60
        options:
          api_base_url: https://mastodon.social
          access_token_env: ACME_MASTODON_TOKEN   # read from the environment

Any option whose name ends in ``_env`` names an environment variable; its value
is passed under the name without the suffix (``access_token``). Secrets never
live in the file. Every problem is reported as one line: ``file: sources[1].poll_every: ...``.
"""

from __future__ import annotations

import difflib
import inspect
import os
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assistant.connectors import base
from assistant.domain.errors import SettingsError


def ensure_registered() -> list[str]:
    """Import the built-in connector modules so they register themselves (here, not at
    the top: each pulls in its network's client library)."""
    from assistant.connectors import bluesky, feeds, file, mastodon, webhook  # noqa: F401

    return base.known()


class SourceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$",
                      description="the source's id: lowercase letters, digits, - and _")
    connector: str
    brand: str | None = None
    poll_every: float = Field(60.0, ge=0, description="seconds between polls; 0 never polls (push sources)")
    enabled: bool = True
    options: dict[str, Any] = Field(default_factory=dict)

    @field_validator("connector")
    @classmethod
    def _known(cls, value: str) -> str:
        names = ensure_registered()
        if value not in names:
            raise ValueError(f"unknown connector {value!r}: use one of {', '.join(names)}")
        return value

    def resolved_options(self, env: Mapping[str, str] | None = None) -> dict[str, Any]:
        """Options with every ``*_env`` name replaced by that variable's value."""
        env = os.environ if env is None else env
        out: dict[str, Any] = {}
        for key, value in self.options.items():
            if key.endswith("_env"):
                if not isinstance(value, str) or not value:
                    raise SettingsError(f"source {self.name}: options.{key} must name an environment variable",
                                        f"write e.g. {key}: MY_SECRET_VAR")
                if not env.get(value):
                    raise SettingsError(f"source {self.name}: environment variable {value} is not set",
                                        f"export {value}=... (it holds options.{key[:-4]})")
                out[key[:-4]] = env[value]
            else:
                out[key] = value
        return out

    def create(self, env: Mapping[str, str] | None = None, **extra: Any):  # -> base.Connector
        options = {"source": self.name, **extra, **self.resolved_options(env)}
        try:
            return base.create(self.connector, **options)
        except TypeError as exc:
            raise SettingsError(f"source {self.name}: {exc}",
                                f"see the README, 'Sources', for the options of the {self.connector} connector") from None


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sources: list[SourceConfig] = Field(default_factory=list)

    @field_validator("sources")
    @classmethod
    def _unique(cls, value: list[SourceConfig]) -> list[SourceConfig]:
        seen: set[str] = set()
        for s in value:
            if s.name in seen:
                raise ValueError(f"two sources are named {s.name!r}: names must be unique")
            seen.add(s.name)
        return value


def problems(exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        path = ""
        for part in err["loc"]:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        msg = err["msg"].removeprefix("Value error, ")
        out.append(f"{path or 'sources'}: {msg}")
    return out


def parse_sources(text: str, where: str = "sources.yaml") -> list[SourceConfig]:
    try:
        data = yaml.safe_load(text)
    except RecursionError:
        raise SettingsError(f"{where}: nested too deeply", "run `assistant sources` to find the line") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise SettingsError(f"{where}{line}: not valid YAML ({getattr(exc, 'problem', exc)})",
                            "fix the YAML syntax") from None
    if data is None:
        return []
    if isinstance(data, list):
        data = {"sources": data}
    if not isinstance(data, dict):
        raise SettingsError(f"{where}: expected a mapping with a `sources:` list", "see examples/sources.yaml")
    try:
        return SourcesFile.model_validate(data).sources
    except ValidationError as exc:
        found = problems(exc)
        more = f" (and {len(found) - 1} more: run `assistant sources` to list them)" if len(found) > 1 else ""
        raise SettingsError(f"{where}: {found[0]}{more}", "fix the sources file; see examples/sources.yaml") from None


def load_sources(path: str | Path | None) -> list[SourceConfig]:
    if path is None:
        return []
    p = Path(path)
    if not p.exists():
        raise SettingsError(f"sources file {p} not found", "set ASSISTANT_SOURCES_FILE to an existing YAML file")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SettingsError(f"sources file {p} is not UTF-8", "save it as UTF-8; `assistant sources` shows the line") from None
    return parse_sources(text, str(p))


# Constructor parameters that are not options: the runtime passes them itself.
_NOT_OPTIONS = {"source", "transport"}


def connector_options(connector: str) -> list[str] | None:
    """The options a connector takes (each may also be given as NAME_env), or None when its
    factory does not say (then any option is let through)."""
    ensure_registered()
    factory = base._REGISTRY.get(connector)
    if factory is None:
        return None
    try:
        made = typing.get_type_hints(factory).get("return")
        params = inspect.signature(made).parameters.values() if inspect.isclass(made) else None
    except (NameError, TypeError, ValueError):
        return None
    if params is None or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return None
    return sorted(p.name for p in params if p.name not in _NOT_OPTIONS and p.kind is not inspect.Parameter.VAR_POSITIONAL)


def option_problems(source: SourceConfig, env: Mapping[str, str] | None) -> list[tuple[str, str]]:
    """(option, problem) for what `assistant fetch` would trip over: an option the connector does
    not take, an ``_env`` option that names no variable, or (for an enabled source, when ``env``
    is given) a variable that is not set."""
    known = connector_options(source.connector)
    out: list[tuple[str, str]] = []
    for key, value in source.options.items():
        name = key[:-4] if key.endswith("_env") else key
        if known is not None and name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" (did you mean {close[0]}{'_env' if key.endswith('_env') else ''}?)" if close else ""
            out.append((key, f"unknown option for the {source.connector} connector{hint}: it takes "
                             f"{', '.join(known)} (any of them as NAME_env to read it from the environment)"))
        elif key.endswith("_env"):
            if not isinstance(value, str) or not value:
                out.append((key, f"must name an environment variable: write e.g. {key}: MY_SECRET_VAR"))
            elif env is not None and source.enabled and not env.get(value):
                out.append((key, f"environment variable {value} is not set: export {value}=... "
                                 "where `assistant fetch` and `assistant serve` run"))
    return out


def check_sources(path: str | Path, env: Mapping[str, str] | None = None) -> list[str]:
    """Every problem in a sources file, one line each (empty when it is fine): ``file:line: where: what``.
    With ``env`` (``assistant sources`` passes the environment) an enabled source's ``_env``
    variables must be set there."""
    from assistant.policy.loading import line_of, one_line, parse_yaml, read_policy_file

    p = Path(path)
    text, found = read_policy_file(p)  # size cap and UTF-8 check, one line each
    if text is None:
        return found
    root, data, found = parse_yaml(text, str(p))  # nesting limit, duplicate keys
    if found:
        return found

    def at(loc: tuple[Any, ...]) -> int:
        if isinstance(root, yaml.SequenceNode) and loc[:1] == ("sources",):
            loc = loc[1:]
        return line_of(root, loc)

    try:
        sources = SourcesFile.model_validate({"sources": data} if isinstance(data, list) else data or {}).sources
    except ValidationError as exc:
        return [f"{p}:{at(tuple(err['loc']))}: {line}" for err, line in zip(exc.errors(), problems(exc), strict=True)]
    except (TypeError, ValueError) as exc:  # not a mapping at all
        return [f"{p}:1: sources: {one_line(str(exc))}: expected a mapping with a `sources:` list"]
    out = []
    for i, source in enumerate(sources):
        for key, problem in option_problems(source, env):
            out.append(f"{p}:{at(('sources', i, 'options', key))}: sources[{i}].options.{key}: "
                       f"source {source.name}: {problem}")
    return out
