"""A deterministic replay of a brand's mentions: normal days, and one injected storm.

Used by `python -m devtools eval --storms` and the tests; it also wrote the posts of
`assistant demo --storm` (assistant/data/storm_demo.jsonl, see ``write_storm_demo``). The
same seed gives the same posts, times and labels. Each post carries the generator's own
label (intent, storm or not, abusive) so figures can be computed without a person.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from assistant.domain.models import Intent, Mention
from devtools.storms.replay_texts import ABUSE, COMPLAINTS, NORMAL, SLOTS, STORM

# Share of each language on a normal day (the brand's biggest markets first).
LANGUAGE_MIX = {"en": 0.36, "fi": 0.22, "de": 0.1, "sv": 0.08, "nl": 0.08, "fr": 0.08, "es": 0.08}
# Share of each intent on a normal day: mostly praise and questions (000/001: the 99 of 100).
INTENT_MIX = {"praise": 0.36, "question": 0.26, "reaction": 0.1, "suggestion": 0.07, "complaint": 0.15,
              "abuse": 0.02, "spam": 0.04}
NETWORKS = {"mastodon": 0.5, "bluesky": 0.4, "webhook": 0.1}
STORM_LANGUAGES = {"en": 0.55, "fi": 0.25, "de": 0.2}
START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday
# The storm demo's day: 24 hours with the storm 20 hours in (four hours before the end).
DEMO_STORM_AT_HOURS = 20.0
# The hour the demo's data file was written for: its day runs from 16:00 UTC on 2 March 2026,
# the storm at noon the next day. Chosen because that day's posts raise exactly one spike,
# the storm's, two minutes in, when replayed at their own times (the generator's day written
# from midnight has a false alarm at 07:37 on its normal day; from 04:00 another at 08:56).
DEMO_NOW = datetime(2026, 3, 3, 16, tzinfo=UTC)
DEMO_FILE = Path(__file__).resolve().parents[2] / "assistant" / "data" / "storm_demo.jsonl"


@dataclass(frozen=True)
class ReplayPost:
    mention: Mention
    at: datetime
    language: str
    intent: Intent
    storm: bool = False
    abusive: bool = False
    topic: str = ""  # what a complaint is about (the storm's is "storm")
    crisis: bool = False  # the writer's label: goes to PR and legal (health harm, lawyers, authorities)
    brand: str | None = None  # whose mention it is (None: the deployment's one brand)


@dataclass
class Replay:
    posts: list[ReplayPost]
    storm_start: datetime | None
    end: datetime

    @property
    def start(self) -> datetime:
        return self.posts[0].at if self.posts else self.end


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _fill(rng: random.Random, template: str, language: str) -> str:
    slots = SLOTS[language]
    values = {k: rng.choice(v) for k, v in slots.items() if k not in ("open", "close")}
    values["n"] = str(rng.choice([3, 4, 5, 6, 7, 8, 10, 12, 15, 20]))
    return template.format(**values)


def _dress(rng: random.Random, text: str, language: str) -> str:
    """An opener, a closer, and sometimes a capital letter: the same sentence is not
    written the same way twice."""
    slots = SLOTS[language]
    text = rng.choice(slots["open"]) + text + rng.choice(slots["close"])
    if rng.random() < 0.5:
        text = text[0].upper() + text[1:]
    return text


def _normal_post(rng: random.Random) -> tuple[str, str, Intent, str]:
    language = _pick(rng, LANGUAGE_MIX)
    intent = _pick(rng, INTENT_MIX)
    topic = ""
    if intent == "complaint":
        topic = rng.choice(list(COMPLAINTS[language]))
        text = _fill(rng, rng.choice(COMPLAINTS[language][topic]), language)
    elif intent == "abuse":
        text = rng.choice(ABUSE[language])
    else:
        text = _fill(rng, rng.choice(NORMAL[language][intent]), language)
    if intent not in ("reaction", "spam"):
        text = _dress(rng, text, language)
    return text, language, Intent(intent), topic


def _storm_post(rng: random.Random) -> tuple[str, str, bool]:
    language = _pick(rng, STORM_LANGUAGES)
    parts = STORM[language]
    hook, symptom, ask = (_fill(rng, rng.choice(parts[k]), language) for k in ("hook", "symptom", "ask"))
    order = rng.random()
    text = f"{hook} {symptom}. {ask}" if order < 0.6 else (
        f"{symptom[0].upper() + symptom[1:]} - {hook[0].lower() + hook[1:]} {ask}" if order < 0.8
        else f"{ask[0].upper() + ask[1:]} {hook} {symptom}")
    abusive = rng.random() < 0.15
    if abusive:
        text = f"{text} {rng.choice(parts['abuse'])}"
    return _dress(rng, text, language), language, abusive


def generate(days: float = 7.0, per_hour: float = 50.0, storm_at_hours: float | None = None,
             storm_posts: int = 200, seed: int = 7, start: datetime = START, prefix: str = "replay") -> Replay:
    """Normal posts for ``days`` at about ``per_hour`` an hour, plus ``storm_posts``
    complaints about one thing within an hour starting ``storm_at_hours`` after ``start``
    (none when None). Storm posts come fast at first and thin out (a pile-on)."""
    rng = random.Random(seed)
    posts: list[ReplayPost] = []
    hours = int(days * 24)
    for hour in range(hours):
        # Busier by day than by night, about ``per_hour`` on average.
        local = (start + timedelta(hours=hour)).hour
        shape = 0.35 if local < 6 else (1.3 if 8 <= local < 20 else 0.9)
        count = max(0, round(rng.gauss(per_hour * shape / 1.04, (per_hour * shape) ** 0.5)))
        for _ in range(count):
            at = start + timedelta(hours=hour, seconds=rng.uniform(0, 3600))
            text, language, intent, topic = _normal_post(rng)
            posts.append(_post(rng, len(posts), at, text, language, intent, topic=topic,
                               abusive=intent is Intent.ABUSE, prefix=prefix))
    storm_start = None
    if storm_at_hours is not None:
        storm_start = start + timedelta(hours=storm_at_hours)
        for _ in range(storm_posts):
            # Half the storm in its first 20 minutes, all of it within the hour.
            minute = min(59.9, rng.expovariate(1 / 22.0))
            at = storm_start + timedelta(minutes=minute)
            text, language, abusive = _storm_post(rng)
            posts.append(_post(rng, len(posts), at, text, language, Intent.ABUSE if abusive and rng.random() < 0.4
                               else Intent.COMPLAINT, storm=True, abusive=abusive, topic="storm", prefix=prefix))
    posts.sort(key=lambda p: (p.at, p.mention.external_id))
    return Replay(posts, storm_start, start + timedelta(hours=hours))


def _post(rng: random.Random, n: int, at: datetime, text: str, language: str, intent: Intent, *,
          storm: bool = False, abusive: bool = False, topic: str = "", prefix: str = "replay") -> ReplayPost:
    network = _pick(rng, NETWORKS)
    author = f"{rng.choice(['ana', 'mikko', 'lena', 'jo', 'sam', 'eva', 'tom', 'aino', 'lars', 'ines'])}{rng.randrange(1000)}"
    mention = Mention(source=network, external_id=f"{prefix}-{n:06d}", author=author, text=text,
                      created_at=at.isoformat(timespec="seconds"), network=network,
                      url=f"https://{network}.example/@{author}/{n}")
    return ReplayPost(mention, at, language, intent, storm, abusive, topic)


def storm_demo_mentions(seed: int = 12, now: datetime | None = None) -> Iterator[Mention]:
    """A normal day and then a storm (about 200 complaints within an hour, in English,
    Finnish and German), as the mentions `assistant demo --storm` replays, in time order.

    Dated relative to ``now``: the day ends at the start of the current hour and the storm
    began four hours before, so `assistant log` and `report` show them. The ids carry that
    hour: a demo run again later adds a fresh day rather than colliding with the old one."""
    end = (now or datetime.now(UTC)).astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(days=1)
    replay = generate(days=1.0, per_hour=50, storm_at_hours=DEMO_STORM_AT_HOURS, storm_posts=200, seed=seed,
                      start=start, prefix=f"storm-demo-{start:%Y%m%d%H}")
    for post in replay.posts:
        yield post.mention


def storm_demo_rows(now: datetime = DEMO_NOW) -> list[dict[str, object]]:
    """The storm demo's posts as the data file keeps them, in time order: ``seconds`` from
    the storm's start (negative before it), ``n`` (the post's number, in its id and url),
    ``network``, ``author`` and ``text``. The demo dates them relative to the hour it runs
    (assistant/cli/storm_demo.py)."""
    end = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    storm = end - timedelta(days=1) + timedelta(hours=DEMO_STORM_AT_HOURS)
    rows: list[dict[str, object]] = []
    for m in storm_demo_mentions(now=now):
        at = datetime.fromisoformat(m.created_at or "")
        rows.append({"seconds": int((at - storm).total_seconds()), "n": int(m.external_id.rsplit("-", 1)[1]),
                     "network": m.network, "author": m.author, "text": m.text})
    return rows


def write_storm_demo(path: Path = DEMO_FILE) -> int:
    """Write the storm demo's data file (once; run again only to change the demo):
    ``python -c "from devtools.storms.replay import write_storm_demo; write_storm_demo()"``."""
    rows = storm_demo_rows()
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return len(rows)
