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

import importlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import SettingsError
from . import base

BUILTIN = ("file", "webhook", "mastodon", "bluesky", "feeds")


def ensure_registered() -> list[str]:
    """Import the built-in connector modules so they register themselves."""
    for module in BUILTIN:
        name = f"{__package__}.{module}"
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a connector module left out of a build
            if exc.name != name:
                raise
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
    return parse_sources(p.read_text(encoding="utf-8"), str(p))


def check_sources(path: str | Path) -> list[str]:
    """Every problem in a sources file, one line each (empty when it is fine)."""
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
        SourcesFile.model_validate({"sources": data} if isinstance(data, list) else data or {})
    except ValidationError as exc:
        return [f"{p}: {line}" for line in problems(exc)]
    except (OSError, yaml.YAMLError) as exc:
        return [f"{p}: {exc}"]
    return []
