"""Reports with charts: `assistant report` (one self-contained HTML file) and one
summary image with the headline numbers (for `/assistant report` in Slack).

    data.py    the figures, read once from the interaction_log view
    charts.py  matplotlib charts as inline SVG or PNG
    html.py    the HTML page, escaped, with no request allowed
    spikes.py  spikes_between: the spikes table, [] where there is none
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from assistant.domain.models import utcnow
from assistant.insights.report.data import ReportData, collect
from assistant.insights.report.spikes import spikes_between
from assistant.policy.models import Policy
from assistant.store import Store

__all__ = ["ReportData", "collect", "render_html", "render_png", "spikes_between", "write_report"]


def render_html(store: Store, since: datetime, until: datetime | None = None,
                policy: Policy | None = None) -> tuple[str, dict[str, Any]]:
    """The report's HTML and its headline numbers."""
    from assistant.insights.report.html import render

    data = collect(store, since, until, policy)
    return render(data, utcnow().strftime("%Y-%m-%d %H:%M UTC")), data.headline


def write_report(store: Store, since: datetime, path: Path, until: datetime | None = None,
                 policy: Policy | None = None) -> dict[str, Any]:
    """Write the report to ``path`` (through a temporary file: a half-written report
    never replaces a good one); returns the headline numbers."""
    html, headline = render_html(store, since, until, policy)
    if path.exists() and not path.is_file():
        # A device or a pipe (/dev/stdout, a FIFO): written to, never renamed over.
        with open(path, "w", encoding="utf-8") as out:
            out.write(html)
        return headline
    from assistant.insights.report.output import replacing

    with replacing(path) as out:  # a new file beside it (O_EXCL, no symlink followed), then renamed
        out.write(html)
    return headline


def render_png(store: Store, since: datetime, until: datetime | None = None,
               policy: Policy | None = None) -> tuple[bytes, dict[str, Any]]:
    """One summary chart as PNG bytes, and the headline numbers (mentions, answered,
    median_response_s, within_target_share, approved_unchanged, edited, rejected,
    spikes, ...): what `/assistant report` posts to Slack."""
    from assistant.insights.report import charts

    data = collect(store, since, until, policy)
    return charts.png(charts.summary_figure(data)), data.headline
