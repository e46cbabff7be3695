"""`assistant sources` says what `assistant fetch` would trip over: an option the connector does not
take, a token variable that is not set. One line each, naming the source and the option or variable."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import _register, cli
from assistant.connectors.sources import check_sources

MASTODON = """\
sources:
  - name: acme-mastodon
    connector: mastodon
    poll_every: 60
    options:
      api_base_url: https://mastodon.example
      access_token_env: ACME_TOKEN_FOR_TEST
      serch: false
  - name: acme-hook
    connector: webhook
    poll_every: 0
    options:
      secret_env: ACME_HOOK_SECRET_FOR_TEST
  - name: old-feed
    connector: feed
    enabled: false
    options:
      url: https://example.com/feed.xml
      token_env: NEVER_SET_FOR_TEST
"""


@pytest.fixture
def sources_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("ACME_TOKEN_FOR_TEST", "ACME_HOOK_SECRET_FOR_TEST", "NEVER_SET_FOR_TEST"):
        monkeypatch.delenv(name, raising=False)
    f = tmp_path / "sources.yaml"
    f.write_text(MASTODON, encoding="utf-8")
    _register()
    return f


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_unknown_option_and_unset_variable_are_errors_one_line_each(sources_file: Path) -> None:
    r = CliRunner().invoke(cli, ["sources", str(sources_file)], env={"ACME_HOOK_SECRET_FOR_TEST": "s"})
    assert r.exit_code == 1, r.output
    lines = _lines(r.output)
    unknown = [line for line in lines if "serch" in line]
    unset = [line for line in lines if "ACME_TOKEN_FOR_TEST" in line]
    assert len(unknown) == 1 and len(unset) == 1, lines
    assert len(lines) == 3 and "old-feed" in lines[2], lines  # the disabled source: its unknown option only
    assert unknown[0].startswith(f"{sources_file}:8: ") and "acme-mastodon" in unknown[0], unknown
    assert "unknown option" in unknown[0] and "did you mean search" in unknown[0], unknown
    assert unset[0].startswith(f"{sources_file}:7: ") and "acme-mastodon" in unset[0], unset
    assert "is not set" in unset[0] and "export ACME_TOKEN_FOR_TEST=" in unset[0], unset


def test_a_disabled_source_is_checked_for_options_but_not_for_its_variables(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(MASTODON.replace("      serch: false\n", ""), encoding="utf-8")
    env = {"ACME_TOKEN_FOR_TEST": "t", "ACME_HOOK_SECRET_FOR_TEST": "s"}
    problems = check_sources(f, env=env)
    assert len(problems) == 1 and "old-feed" in problems[0] and "options.token_env" in problems[0], problems
    assert "NEVER_SET_FOR_TEST" not in problems[0]


def test_a_clean_file_passes_and_then_fetch_can_build_every_source(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(MASTODON.replace("      serch: false\n", "      search: false\n")
                 .replace("      token_env: NEVER_SET_FOR_TEST\n", ""), encoding="utf-8")
    env = {"ACME_TOKEN_FOR_TEST": "t", "ACME_HOOK_SECRET_FOR_TEST": "s"}
    r = CliRunner().invoke(cli, ["sources", str(f)], env=env)
    assert r.exit_code == 0, r.output
    assert "acme-mastodon: mastodon (every 60s)" in r.output
    from assistant.connectors.sources import load_sources

    for s in load_sources(f):
        s.create(env)  # what `assistant fetch` does for each enabled source
