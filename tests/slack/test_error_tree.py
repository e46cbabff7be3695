"""One error tree: every error a person may read has a stable code and its placeholders
(params, people by user id); the terminal prints it as before, Slack escapes every part of
it and shows its people as mentions. An escalation names its person by plain id in the
store, and the card shows it as a mention (old rows, stored with Slack's markup, too)."""

from __future__ import annotations

import pytest
from slack_harness import QUESTION

from assistant import review
from assistant.cli.errors import error_line
from assistant.connectors.base import PostError
from assistant.domain.errors import AssistantError, BackendError, PolicyError, SettingsError, StoreError
from assistant.domain.status import InvalidMove, check_move
from assistant.review.core import Refused
from assistant.slack.views.card import reason_text
from assistant.slack.views.errors import error_text
from assistant.store import StaleDecision
from assistant.store import slack_sql as tables
from assistant.storms.ports import StatementRefused

HOSTILE = "<!channel> *x*"


def _tree(cls: type[AssistantError]) -> list[type[AssistantError]]:
    return [cls] + [c for sub in cls.__subclasses__() for c in _tree(sub)]


def test_every_error_class_has_its_own_dotted_code():
    classes = _tree(AssistantError)
    for expected in (SettingsError, PolicyError, BackendError, StoreError, StaleDecision, InvalidMove, PostError,
                     Refused, StatementRefused):
        assert expected in classes, expected
    codes = [c.code for c in classes]
    assert len(codes) == len(set(codes)), codes
    assert all("." in code and code == code.lower() for code in codes), codes
    assert StaleDecision.code == "review.stale" and Refused.code == "review.refused"
    assert PolicyError.code == "policy.invalid" and PostError.code == "post.failed"
    assert SettingsError.code == "settings.invalid"


def test_a_raise_may_refine_its_class_code_and_the_text_stays_as_it_was():
    exc = Refused("Not posted: {problem}. Use Edit to fix it.", code="review.refused.reply_problem",
                  params={"problem": "too long"})
    assert exc.code == "review.refused.reply_problem" and Refused.code == "review.refused"
    assert str(exc) == exc.message == "Not posted: too long. Use Edit to fix it."
    stale = StaleDecision("m1", "approved", "U123ABC")
    assert str(stale) == "mention m1 was already approved by U123ABC (nothing was changed)"
    assert stale.params == {"mention_id": "m1", "status": "approved", "by": "U123ABC"}
    assert stale.people == {"by": "U123ABC"}
    policy = PolicyError("brand.yaml", ["first problem", "second"])
    assert str(policy) == "first problem (and 1 more) (run `assistant policy check brand.yaml` to list every error)"
    assert policy.params["path"] == "brand.yaml"
    with pytest.raises(InvalidMove) as moved:
        check_move("posted", "awaiting")
    assert moved.value.params == {"current": "posted", "target": "awaiting"}
    answer = 'HTTP 422 {"error": "bad {thing}"}'  # a network's answer: braces are not placeholders
    assert str(PostError(answer, permanent=True)) == answer
    assert str(AssistantError("no {placeholder} here", "fix {it}")) == "no {placeholder} here (fix {it})"


def test_the_terminal_line_is_the_error_as_before():
    exc = PolicyError("brand.yaml", ["unknown key"])
    assert error_line(exc) == f"error: {exc}"
    stale = StaleDecision("m1", "approved", "U123ABC")
    assert error_line(stale) == "error: mention m1 was already approved by U123ABC (nothing was changed)"


def test_slack_escapes_every_param_and_shows_people_as_mentions():
    exc = Refused("Not posted: {problem}; {by} decided.", "fix {problem}", params={"problem": HOSTILE},
                  people={"by": "U123ABC"})
    text = error_text(exc)
    assert "<!channel>" not in text and "&lt;!channel&gt; *x*" in text, text
    assert "<@U123ABC> decided" in text, text
    assert text.endswith("(fix &lt;!channel&gt; *x*)"), text
    assert str(exc) == f"Not posted: {HOSTILE}; U123ABC decided. (fix {HOSTILE})"
    # a sentence with no placeholders (a network's answer) is escaped as a whole
    assert error_text(PostError(f"HTTP 400: {HOSTILE}")) == "HTTP 400: &lt;!channel&gt; *x*"
    # a person who is not a Slack user (a CLI name) is escaped, not a mention
    by_name = StatementRefused("approved by {by}", people={"by": "<!here>"})
    assert error_text(by_name) == "approved by &lt;!here&gt;"


def test_slack_says_a_stale_decision_in_its_own_words_from_the_params():
    assert error_text(StaleDecision("m1", "approved", "U123ABC")) == \
        "This mention was already approved by <@U123ABC>; nothing was changed."
    assert error_text(StaleDecision("m1", "closed", None)) == "This mention was already closed; nothing was changed."
    assert error_text(StaleDecision("m1", HOSTILE, None)) == \
        "This mention was already &lt;!channel&gt; *x*; nothing was changed."


@pytest.fixture
def r(h):
    return review.Review(h.engine, h.runtime)


def test_an_escalation_is_stored_by_plain_id_and_the_card_shows_a_mention(h, r):
    mention_id = h.add(QUESTION, external_id="tree")
    h.engine.process(mention_id)
    review.escalate(r, mention_id, "U1", "ULEGAL1", "Legal", f"note {HOSTILE}")
    reason = tables.last_decision(h.store, mention_id)["reason"]
    assert reason == f"to ULEGAL1 and Legal: note {HOSTILE}", reason
    assert reason_text("escalate", reason) == "to <@ULEGAL1> and Legal: note &lt;!channel&gt; *x*"
    assert reason_text("escalate", "to ULEGAL1") == "to <@ULEGAL1>"
    assert reason_text("escalate", "to ULEGAL1: call back") == "to <@ULEGAL1>: call back"


def test_an_old_escalation_row_with_slack_markup_still_shows_a_mention():
    assert reason_text("escalate", "to <@U123ABC>: call her") == "to <@U123ABC>: call her"
    assert reason_text("escalate", "to <@U123ABC> and Quality") == "to <@U123ABC> and Quality"


def test_only_an_escalation_names_a_person_and_a_team_is_never_a_mention():
    assert reason_text("escalate", "to Sales") == "to Sales"
    assert reason_text("escalate", "to UXTEAMS of the web") == "to UXTEAMS of the web"  # no delimiter: not an id
    assert reason_text("reject", "to U123ABC") == "to U123ABC"
    assert reason_text("reject", "to <@U123ABC>") == "to &lt;@U123ABC&gt;"
