"""Fixtures for the interaction log, super-fan and report tests: the shipped policy, a
real SQLite file, and a small history built through the Store's own API (each
mention ingested, triaged, drafted, decided and posted as the app does)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from assistant.domain.models import Action, Draft, Intent, Mention, Severity, Triage, utcnow
from assistant.policy.loading import load_policy
from assistant.policy.models import Policy
from assistant.store import Store
from devtools.fakes import FAKE_MODEL, PYTHONPATH

ROOT = Path(__file__).resolve().parents[2]
POLICY_FILE = ROOT / "policies" / "aurora-roasters.yaml"
ASSISTANT = Path(sys.executable).parent / "assistant"
SQLITE_UTILS = Path(sys.executable).parent / "sqlite-utils"


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy(POLICY_FILE)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "assistant.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    s = Store(db_path)
    yield s
    s.close()


def iso(when: datetime) -> str:
    return when.isoformat(timespec="seconds").replace("+00:00", "Z")


def triage(intent: Intent, language: str = "en", severity: Severity = Severity.LOW,
           action: Action = Action.REPLY, team: str | None = None) -> Triage:
    return Triage(language=language, intent=intent, severity=severity, action=action,
                  reasons=[f"rule: {intent.value}", "classifier: 0.91"], team=team)


def draft(text: str, origin: str = "composed") -> Draft:
    return Draft(text=text, language="en", origin=origin, backend="composed", model="aurora-roasters policy")


def add(store: Store, external_id: str, text: str, when: datetime, author: str = "@ann",
        source: str = "mastodon", t: Triage | None = None, d: Draft | None = None) -> tuple[str, int | None]:
    """Ingest, triage and (when given) draft one mention; returns its id and draft id."""
    m = Mention(source=source, external_id=external_id, author=author, text=text, created_at=iso(when),
                url=f"https://{source}.example/@{author.lstrip('@')}/{external_id}")
    store.add_mention(m, brand="aurora-roasters")
    draft_id = store.save_triage(m.key, t or triage(Intent.PRAISE), d) if (t or d) else None
    return m.key, draft_id


def post(store: Store, outbox_id: int, posted_id: str) -> None:
    """What the outbox worker does for a reply that went out."""
    assert store.claim_outbox(outbox_id)
    store.mark_posted(outbox_id, posted_id, f"https://mastodon.example/@aurora/{posted_id}")


@dataclass
class History:
    """The ids of a small history, one mention per way a mention can end."""

    now: datetime
    received: datetime
    unchanged: str
    light_edit: str
    rewritten: str
    rejected: str
    escalated: str
    failed: str
    waiting: str
    old: str
    drafts: dict[str, str]


PRAISE_DRAFT = "Thank you so much for the kind words! Great that you're here ☕"
QUESTION_DRAFT = "Thanks for asking! We ship to every EU country within 3-5 working days."
COMPLAINT_DRAFT = "We're so sorry your order arrived late. Could you send us your order number?"
SUGGESTION_DRAFT = "Thank you for the idea! We'll share it with the team."


def build_history(store: Store) -> History:
    """Eight mentions, received two hours ago (one 40 days ago), decided now."""
    now = utcnow()
    received = now - timedelta(hours=2)
    unchanged, d1 = add(store, "1", "Best flat white in Kallio!", received, author="@mika",
                        t=triage(Intent.PRAISE), d=draft(PRAISE_DRAFT))
    approval = store.approve(unchanged, "U_ANNA", PRAISE_DRAFT, connector="mastodon", draft_id=d1)
    post(store, approval.outbox_id, "r-1")

    light, d2 = add(store, "2", "Do you ship to Germany?", received, author="@ben", source="bluesky",
                    t=triage(Intent.QUESTION, language="en"), d=draft(QUESTION_DRAFT))
    approval = store.approve(light, "U_BEN", QUESTION_DRAFT.replace("Thanks", "Thank you"), connector="bluesky",
                             draft_id=d2, edited=True)
    post(store, approval.outbox_id, "r-2")

    rewritten, d3 = add(store, "3", "My order is two weeks late. Again.", received, author="@chi",
                        t=triage(Intent.COMPLAINT, severity=Severity.MEDIUM), d=draft(COMPLAINT_DRAFT, "model"))
    written = "Hi Chi, that's not good enough and we're on it: a person from our team will DM you today."
    approval = store.approve(rewritten, "U_ANNA", written, connector="mastodon", draft_id=d3, edited=True)
    post(store, approval.outbox_id, "r-3")

    rejected, _ = add(store, "4", "You should sell oat milk in bigger cartons", received, author="@dee",
                      t=triage(Intent.SUGGESTION, language="nl"), d=draft(SUGGESTION_DRAFT, "template"))
    store.decide(rejected, "reject", "U_CARL", reason="sounds like a robot")

    escalated, _ = add(store, "5", "I found mould in the beans and my kid is sick", received, author="@eve",
                       t=triage(Intent.COMPLAINT, severity=Severity.HIGH, action=Action.ESCALATE,
                                team="Quality"))
    # Escalation keeps the mention open for the team it went to (older stores closed it).
    store.decide(escalated, "escalate", "U_ANNA", reason="to <@U_QA> and Quality: call her today",
                 status="awaiting")

    failed, d6 = add(store, "6", "Are you open on Sundays?", received, author="@fay",
                     t=triage(Intent.QUESTION, language="fi"), d=draft("Thanks for asking! We're open 9-17 on Sundays."))
    approval = store.approve(failed, "U_BEN", "Thanks for asking! We're open 9-17 on Sundays.", connector="mastodon",
                             draft_id=d6)
    assert store.claim_outbox(approval.outbox_id)
    store.mark_failed(approval.outbox_id, "401 Unauthorized: token revoked")

    waiting, _ = add(store, "7", "❤️", received, author="@gus", t=triage(Intent.REACTION), d=draft("Thank you! ☕"))
    old, _ = add(store, "8", "Lovely beans", now - timedelta(days=40), author="@hal", t=triage(Intent.PRAISE),
                 d=draft(PRAISE_DRAFT))
    return History(now=now, received=received, unchanged=unchanged, light_edit=light, rewritten=rewritten,
                   rejected=rejected, escalated=escalated, failed=failed, waiting=waiting, old=old,
                   drafts={"unchanged": PRAISE_DRAFT, "light": QUESTION_DRAFT, "rewritten": COMPLAINT_DRAFT,
                           "written": written})


@pytest.fixture
def history(store: Store) -> History:
    return build_history(store)


@pytest.fixture
def run_cli(tmp_path: Path, db_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the real `assistant` console script on ``db_path`` with the shipped policy."""

    def run(*args: str, timeout: float = 180,
            program: tuple[str, ...] = (str(ASSISTANT),)) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "SLACK_"))}
        env.update({"ASSISTANT_DB_PATH": str(db_path), "ASSISTANT_POLICIES_DIR": str(POLICY_FILE.parent),
                    "ASSISTANT_BACKEND": FAKE_MODEL, "PYTHONPATH": PYTHONPATH, "HF_HUB_OFFLINE": "1", "COLUMNS": "120"})
        return subprocess.run([*program, *args], capture_output=True, text=True, env=env, cwd=tmp_path,
                              timeout=timeout)

    return run


@pytest.fixture
def run_devtools(run_cli: Callable[..., subprocess.CompletedProcess[str]]) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `python -m devtools` (the report benchmark, outside the package) as run_cli runs `assistant`."""

    def run(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        return run_cli(*args, timeout=timeout, program=(sys.executable, "-m", "devtools"))

    return run
