"""A seeded synthetic history for timing reports: N days of M posts an hour with
triage, drafts, decisions and posted replies, written in bulk (one transaction,
executemany) into a database the Store created, so the schema and views are the
real ones.

Used by `python -m devtools report-bench` and the report tests; the issue's target is the
report for 30 days of 50 posts an hour (36,000 mentions) in under 10 s.
"""

from __future__ import annotations

import itertools
import random
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from assistant.domain.models import mention_key, utcnow
from assistant.store import Store
from assistant.store.log_sql import edit_ratio

NETWORKS = {"mastodon": 40, "bluesky": 30, "feeds": 10, "webhook": 10, "slack": 10}
LANGUAGES = {"en": 45, "fi": 15, "nl": 10, "de": 8, "el": 4, "fa": 3, "lv": 3, "es": 5, "fr": 4, "sv": 3}
INTENTS = {"praise": 25, "complaint": 20, "question": 25, "suggestion": 8, "reaction": 14, "abuse": 3, "spam": 5}
THINGS = ["the Kallio café", "the cinnamon buns", "the oat flat white", "the grinder", "the Ethiopia roast",
          "the subscription", "delivery", "the Tampere café", "Mika", "the espresso blend", "the new cups"]
POSTS = {
    "praise": ["Loving {t} today, thank you!", "{t} is the best in town", "Such a good morning with {t}"],
    "complaint": ["{t} was a letdown this week", "Still waiting on {t}, not happy", "{t} arrived broken"],
    "question": ["Do you still have {t}?", "When is {t} back?", "How long does {t} take?"],
    "suggestion": ["Please bring {t} to Espoo", "Could {t} come in a bigger size?"],
    "reaction": ["😍 {t}", "nice", "❤️"],
    "abuse": ["you are all clowns"],
    "spam": ["cheap followers at example.test"],
}
REPLIES = {"praise": "Thank you so much for the kind words! Great that you're here ☕",
           "complaint": "We're sorry about this. We'd like to put it right: please send us your order number.",
           "question": "Thanks for asking! We'll find out and get back to you.",
           "suggestion": "Thank you for the idea! We'll share it with the team.",
           "reaction": "Thank you! ☕"}


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="milliseconds")


def _history(rng: random.Random, start: datetime, hours: int, per_hour: int,
             now: datetime) -> Iterator[tuple[str, dict[str, Any]]]:
    """(table, row) in an order the foreign keys accept."""
    # A few thousand authors, some far more active than others (so there are super-fans).
    authors = [f"@fan{i}" for i in range(3000)]
    cumulative = list(itertools.accumulate(1.0 / (i + 1) ** 0.8 for i in range(len(authors))))
    draft_id = decision_id = outbox_id = 0
    for hour in range(hours):
        for n in range(per_hour):
            created = start + timedelta(hours=hour, seconds=rng.uniform(0, 3600))
            network = _pick(rng, NETWORKS)
            intent = _pick(rng, INTENTS)
            language = _pick(rng, LANGUAGES)
            external = f"{hour}-{n}"
            mid = mention_key(network, external)
            text = rng.choice(POSTS[intent]).format(t=rng.choice(THINGS))
            author = rng.choices(authors, cum_weights=cumulative)[0]
            delay = timedelta(minutes=rng.lognormvariate(3.0, 1.1))  # median about 20 minutes
            decided = created + delay
            decides = decided < now
            status = "awaiting"
            yield "mentions", {
                "id": mid, "source": network, "external_id": external, "network": network,
                "brand": "aurora-roasters", "author": author, "text": text,
                "url": f"https://{network}.example/{external}", "in_reply_to": None,
                "created_at": _iso(created), "ingested_at": _iso(created + timedelta(seconds=30)),
                "status": status, "updated_at": _iso(created)}
            severity = "high" if intent == "complaint" and rng.random() < 0.05 else "low"
            action = {"abuse": "hide", "spam": "ignore"}.get(intent, "escalate" if severity == "high" else "reply")
            yield "triage", {"mention_id": mid, "language": language, "intent": intent, "severity": severity,
                             "action": action, "team": "Support" if action == "escalate" else None,
                             "reasons": '["synthetic"]', "created_at": _iso(created + timedelta(seconds=31))}
            draft = None
            if action == "reply":
                draft_id += 1
                draft = REPLIES[intent]
                yield "drafts", {"id": draft_id, "mention_id": mid, "version": 1, "text": draft,
                                 "language": language, "passed": True, "guard": "[]", "fallback": False,
                                 "backend": "composed", "model": "policy", "seconds": 0.2, "attempts": 0,
                                 "created_at": _iso(created + timedelta(seconds=31)), "origin": "composed",
                                 "parts": "[]", "notes": "[]"}
            if not decides:
                continue
            roll = rng.random()
            decision_id += 1
            base = {"id": decision_id, "mention_id": mid, "actor": rng.choice(["U01ANNA", "U02BEN", "U03CHI"]),
                    "created_at": _iso(decided), "edited": False}
            if action != "reply":
                verb = action
                yield "decisions", {**base, "action": verb, "reason": "synthetic"}
                status = {"hide": "hidden", "ignore": "ignored", "escalate": "escalated"}[verb]
            elif roll < 0.1:
                yield "decisions", {**base, "action": "reject", "reason": "not our voice", "draft_id": draft_id}
                status = "rejected"
            else:
                assert draft is not None
                edit = rng.random()
                reply = (draft if edit < 0.6 else draft.replace("Thank", "Many thanks") if edit < 0.85
                         else f"Hi {author}, we hear you and we are on it today.")
                yield "decisions", {**base, "action": "approve" if reply == draft else "edit", "text": reply,
                                    "edited": reply != draft, "draft_id": draft_id}
                if reply != draft:  # what the store records with an edited approval
                    yield "reply_edits", {"decision_id": decision_id, "draft_id": draft_id,
                                          "ratio": edit_ratio(draft, reply), "computed_at": _iso(decided)}
                outbox_id += 1
                failed = rng.random() < 0.02
                posted = decided + timedelta(seconds=rng.uniform(1, 20))
                yield "outbox", {"id": outbox_id, "mention_id": mid, "decision_id": decision_id,
                                 "idempotency_key": f"assistant-{mid}-{decision_id}", "connector": network,
                                 "text": reply, "status": "failed" if failed else "posted", "attempts": 1,
                                 "last_error": "synthetic failure" if failed else None,
                                 "next_attempt_at": _iso(decided),
                                 "posted_id": None if failed else f"r{outbox_id}",
                                 "posted_url": None if failed else f"https://{network}.example/r{outbox_id}",
                                 "created_at": _iso(decided), "updated_at": _iso(posted)}
                status = "failed" if failed else "posted"
            yield "status", {"id": mid, "status": status}


def history_start(now: datetime, days: int) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0) - timedelta(days=days)


def make_database(path: str | Path, days: int = 30, per_hour: int = 50, seed: int = 0,
                  now: datetime | None = None) -> int:
    """Fill a new database at ``path`` with ``days`` of history ending in the hour
    before ``now`` (from ``history_start``); returns the number of mentions."""
    now = now or utcnow()
    rng = random.Random(seed)
    hours = days * 24
    start = history_start(now, days)
    store = Store(path)
    try:
        tables: dict[str, list[dict[str, Any]]] = {t: [] for t in ("mentions", "triage", "drafts", "decisions",
                                                                     "reply_edits", "outbox")}
        statuses: dict[str, str] = {}
        for table, row in _history(rng, start, hours, per_hour, now):
            if table == "status":
                statuses[row["id"]] = row["status"]
            else:
                tables[table].append(row)
        for row in tables["mentions"]:
            row["status"] = statuses.get(row["id"], "awaiting")
        with store.transaction() as db:
            for table, rows in tables.items():
                # executemany on sqlite-utils' connection: its insert_all checks and converts
                # every value (most of the time for rows we built ourselves).
                columns = sorted({c for row in rows for c in row})
                db.conn.executemany(
                    f"INSERT INTO [{table}] ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                    ([row.get(c) for c in columns] for row in rows))
        return len(tables["mentions"])
    finally:
        store.close()


def bench_report(output: str | None = None, days: int = 30, per_hour: int = 50) -> Iterator[str]:
    """Build the synthetic history, then time the report on it (first run, which also
    computes the edit distances, and a second run). Yields lines to print."""
    from assistant.insights.report import render_png, write_report
    from assistant.policy.loading import load_policy

    root = Path(__file__).resolve().parents[1]
    policy_file = root / "policies" / "aurora-roasters.yaml"
    policy = load_policy(policy_file) if policy_file.exists() else None
    now = utcnow()
    since = history_start(now, days)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        began = time.perf_counter()
        count = make_database(db, days, per_hour, now=now)
        yield f"synthetic history: {count} mentions ({days} days x {per_hour} an hour) in " \
              f"{time.perf_counter() - began:.1f} s"
        out = Path(output) if output else Path(tmp) / "report.html"
        for run in ("first", "second"):
            store = Store(db)
            began = time.perf_counter()
            headline = write_report(store, since, out, policy=policy)
            seconds = time.perf_counter() - began
            store.close()
            yield (f"report ({run} run): {seconds:.2f} s, {out.stat().st_size / 1024:.0f} KiB, "
                   f"{headline['mentions']} mentions, {headline['answered']} answered")
        store = Store(db)
        began = time.perf_counter()
        image, _ = render_png(store, since, policy=policy)
        store.close()
        yield f"summary PNG for Slack: {time.perf_counter() - began:.2f} s, {len(image) / 1024:.0f} KiB"
        if output:
            yield f"report written to {output}"
