"""Links to cards are Slack's permalinks, on the workspace's own host: a hard-coded
``https://slack.com/archives/...`` does not open on Enterprise Grid or GovSlack. Only when
Slack gives no permalink is the archives URL built, on the URL auth.test answers."""

from __future__ import annotations

import re

import pytest
from slack_harness import APPROVER, QUESTION, REVIEW, text_of
from slack_sdk import WebClient

from assistant.slack.links import MessageLinks, archives_link
from assistant.store import slack_sql as tables
from devtools.loopback import slash_command

GRID = "https://acme.enterprise.slack.com/"
GOV = "https://acme.slack-gov.com/"
TS = "1700000000.000100"


def _links(slack) -> MessageLinks:  # type: ignore[no-untyped-def]
    return MessageLinks(WebClient(token="xoxb-test", base_url=slack.api_url))


@pytest.mark.parametrize("workspace", [GRID, GOV, "https://acme.slack.com/"])
def test_the_archives_url_is_built_on_the_workspace_host(workspace: str) -> None:
    assert archives_link(workspace, "C1", TS) == f"{workspace}archives/C1/p1700000000000100"


@pytest.mark.parametrize("workspace", [None, "", "javascript:alert(1)//", "https://a.example/x|y>", "http://a.example/"])
def test_no_archives_url_without_a_usable_workspace_url(workspace: str | None) -> None:
    assert archives_link(workspace, "C1", TS) is None


def test_the_permalink_is_slacks_and_asked_once(slack) -> None:  # type: ignore[no-untyped-def]
    slack.workspace_url = GRID
    links = _links(slack)
    assert links.link("C1", TS) == f"{GRID}archives/C1/p1700000000000100"
    assert links.link("C1", TS) == f"{GRID}archives/C1/p1700000000000100"
    assert len(slack.calls_to("chat.getPermalink")) == 1  # a message's permalink never changes
    assert slack.calls_to("auth.test") == []  # nothing is built while Slack gives the link


@pytest.mark.parametrize("workspace", [GRID, GOV])
def test_without_a_permalink_the_link_is_built_on_the_workspace_host(slack, workspace: str) -> None:  # type: ignore[no-untyped-def]
    slack.workspace_url = workspace
    slack.fail("chat.getPermalink", status=200, error="message_not_found", times=2)
    links = _links(slack)
    assert links.link("C1", TS) == f"{workspace}archives/C1/p1700000000000100"
    assert links.link("C2", TS) == f"{workspace}archives/C2/p1700000000000100"
    assert len(slack.calls_to("auth.test")) == 1  # the workspace's URL is asked once


def test_with_neither_there_is_no_link(slack) -> None:  # type: ignore[no-untyped-def]
    slack.fail("chat.getPermalink", status=200, error="channel_not_found")
    slack.fail("auth.test", status=200, error="invalid_auth")
    assert _links(slack).link("C1", TS) is None


def test_a_list_of_links_is_asked_in_parallel_within_its_budget(slack) -> None:  # type: ignore[no-untyped-def]
    slack.workspace_url = GRID
    links = _links(slack)
    assert links.workspace_url() == GRID
    slack.delay = 1.0  # Slack answers slowly: the page does not wait for it
    messages = {f"m{i}": ("C1", f"17000000{i:02d}.000100") for i in range(12)}
    found = links.links(messages, budget_s=0.2)
    assert found == {k: f"{GRID}archives/C1/p{ts.replace('.', '')}" for k, (_, ts) in messages.items()}
    slack.delay = 0.0
    slack.wait_for("chat.getPermalink", 12)  # the answers still come, and are remembered


def test_the_queue_links_each_card_on_the_enterprise_grid_host(h) -> None:  # type: ignore[no-untyped-def]
    h.slack.workspace_url = GRID
    mention_id, _ = h.card(QUESTION)
    card = tables.card(h.store, mention_id)
    queue = h.driver.command(slash_command("/assistant", "queue", APPROVER, h.slack.response_url())).json()
    text = text_of(queue["blocks"])
    assert f"<{GRID}archives/{REVIEW}/p{card['ts'].replace('.', '')}|card>" in text
    assert h.slack.calls_to("chat.getPermalink")  # Slack's own link
    assert not re.search(r"https://slack\.com/archives", text)


def test_the_queue_builds_the_link_on_the_workspace_host_when_slack_gives_no_permalink(h) -> None:  # type: ignore[no-untyped-def]
    h.slack.workspace_url = GOV
    mention_id, _ = h.card(QUESTION)
    card = tables.card(h.store, mention_id)
    h.slack.fail("chat.getPermalink", status=200, error="message_not_found", times=5)
    queue = h.driver.command(slash_command("/assistant", "queue", APPROVER, h.slack.response_url())).json()
    text = text_of(queue["blocks"])
    assert f"<{GOV}archives/{REVIEW}/p{card['ts'].replace('.', '')}|card>" in text
    assert "https://slack.com/archives" not in text
    assert h.slack.calls_to("chat.getPermalink:failed")  # so it was built, on the workspace's host
