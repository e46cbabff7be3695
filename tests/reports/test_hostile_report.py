"""The report over what a hostile or quiet period gives it: markup, TeX and a
3,000-character name from a webhook in the labels; no reply, no mention, one mention.
Labels stay escaped and short; axes count whole posts and show no scale where there is
nothing to measure."""

from __future__ import annotations

import re
from datetime import timedelta

from assistant.domain.models import Action, Intent, utcnow
from assistant.insights.report import render_html
from assistant.policy.models import Policy
from assistant.store import Store

from .conftest import add, triage

EVIL_NETWORK = "</svg><script>alert(1)</script>"


def _texts(html: str) -> list[str]:
    """What the charts write (matplotlib keeps SVG text as text)."""
    return re.findall(r"<text[^>]*>([^<]*)</text>", html)


def _fractions(texts: list[str]) -> list[str]:
    return [t for t in texts if re.fullmatch(r"[−-]?\d+\.\d+", t)]


def test_hostile_names_stay_escaped_short_labels(store: Store, policy: Policy) -> None:
    received = utcnow() - timedelta(hours=1)
    for i, source in enumerate([EVIL_NETWORK, "$\\foo{$", "n" * 3000, "mastodon"]):
        add(store, f"n{i}", "The parcel locker broke again", received, source=source, t=triage(Intent.COMPLAINT))
    html, headline = render_html(store, utcnow() - timedelta(days=30), policy=policy)
    assert headline["mentions"] == 4
    assert "<script" not in html and "&lt;/svg&gt;&lt;script&gt;" in html
    texts = _texts(html)
    assert "$\\foo{$" in texts  # TeX is off: shown as written
    assert max(len(t) for t in texts) <= 60, max(texts, key=len)[:80]
    assert "n" * 39 + "…" in texts
    assert _fractions(texts) == []  # 4 mentions: no "3.5" on any axis


def test_a_quiet_period_shows_no_empty_scale(store: Store, policy: Policy) -> None:
    add(store, "1", "buy followers cheap", utcnow() - timedelta(hours=1),
        t=triage(Intent.SPAM, action=Action.IGNORE))  # a day with only spam
    html, headline = render_html(store, utcnow() - timedelta(days=30), policy=policy)
    assert headline["mentions"] == 1 and headline["answered"] == 0 and headline["answer_rate"] is None
    texts = _texts(html)
    assert "no replies posted in this period" in texts
    assert _fractions(texts) == []  # was "−0.04 ... 0.04" drafts and "57 ... 63" minutes
    assert not [t for t in texts if t.startswith(("−", "-"))]
    section = re.search(r'<section id="response-times".*?</section>', html, re.S)
    assert section is not None
    assert not [t for t in _texts(section.group(0)) if re.search(r"\d", t)]  # no scale around nothing
    html, headline = render_html(store, utcnow() - timedelta(seconds=1), policy=policy)
    assert headline["mentions"] == 0 and _fractions(_texts(html)) == []
