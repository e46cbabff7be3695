"""The report as ONE self-contained HTML file: styles and SVG charts inline, no
script, and a Content-Security-Policy that forbids any request, so opening it
(offline, from a mail attachment) fetches nothing. Every text that is not ours is
escaped (html.escape); the SVG comes from matplotlib, which escapes its text."""

from __future__ import annotations

from html import escape
from typing import Any

from assistant.insights.learning.outcomes import EDITED_AT, OUTCOMES
from assistant.insights.report import charts
from assistant.insights.report.data import ReportData

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 980px;
       color: #222; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; }
.period { color: #666; margin-top: 0; }
.headline { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: .8rem;
            margin: 1.5rem 0; }
.figure { border: 1px solid #ddd; border-radius: 8px; padding: .7rem .9rem; }
.figure .value { display: block; font-size: 1.6rem; font-weight: 600; }
.figure .label { color: #555; font-size: .85rem; }
section { margin: 2rem 0; }
section svg { width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; border-bottom: 1px solid #eee; padding: .35rem .5rem; vertical-align: top; }
.none { color: #666; font-style: italic; }
footer { color: #888; font-size: .8rem; margin-top: 3rem; }
"""


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def headline_figures(h: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(key, shown value, label) for the boxes at the top."""
    approved = h["approved"]
    return [
        ("mentions", f"{h['mentions']}", "mentions"),
        ("answered", f"{h['answered']}", f"replies posted ({_share(h['answer_rate'])} of those needing one)"),
        ("median_response", duration(h["median_response_s"]), "median time to reply"),
        ("within_target", _share(h["within_target_share"]), f"replies within {h['target_minutes']} min"),
        ("approved_unchanged", f"{h['approved_unchanged']}",
         f"drafts approved unchanged ({_share(h['approved_unchanged'] / approved if approved else None)})"),
        ("rejected", f"{h['rejected']}", "drafts rejected"),
        ("spikes", f"{h['spikes']}", "spikes"),
    ]


def _spikes_table(spikes: list[dict[str, Any]]) -> str:
    if not spikes:
        return '<p class="none" id="no-spikes">No spikes in this period.</p>'
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in (
            s["started_at"] or "", s["ended_at"] or "", "" if s["posts"] is None else s["posts"],
            s["summary"] or "", s["status"] or "")) + "</tr>"
        for s in spikes)
    return ("<table id=\"spikes\"><thead><tr><th>started</th><th>calmed</th><th>posts</th><th>about</th>"
            f"<th>status</th></tr></thead><tbody>{rows}</tbody></table>")


def _clip(value: Any, width: int = 40) -> str:
    text = str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _approvals_table(rows: list[dict[str, Any]]) -> str:
    """How drafts were approved, per intent and language (learning/outcomes.py)."""
    if not rows:
        return '<p class="none" id="no-approvals">No replies approved in this period.</p>'
    keys = ("intent", "language", "approved", *OUTCOMES)
    body = "".join("<tr>" + "".join(f"<td>{escape(_clip(r[k]))}</td>" for k in keys) + "</tr>" for r in rows)
    return (f"<p>Replies approved in this period, by the post's intent and language: unchanged, edited "
            f"(similarity to the draft, difflib's ratio, of {EDITED_AT} or more) or rewritten (less, or no draft). "
            "The Drafts chart counts posts received in the period and measures edits another way.</p>"
            '<table id="approvals"><thead><tr>' + "".join(f"<th>{k}</th>" for k in keys)
            + f"</tr></thead><tbody>{body}</tbody></table>")


def render(data: ReportData, generated_at: str) -> str:
    """The whole report, one string of HTML."""
    h = data.headline
    boxes = "".join(
        f'<div class="figure" data-key="{key}"><span class="value">{escape(value)}</span>'
        f'<span class="label">{escape(label)}</span></div>'
        for key, value, label in headline_figures(h))
    sections = [
        ("volume-intent", "Volume by intent", charts.volume(data, "intent")),
        ("volume-language", "Volume by language", charts.volume(data, "language")),
        ("volume-network", "Volume by network", charts.volume(data, "network")),
        ("response-times", "Response times", charts.response_times(data)),
        ("outcomes", "Drafts", charts.outcomes(data)),
        ("topics", "Top topics", charts.topics(data)),
    ]
    body = "".join(f'<section id="{sid}" class="chart"><h2>{escape(title)}</h2>{charts.svg(fig)}</section>'
                   for sid, title, fig in sections if fig is not None)
    title = f"Community report{': ' + data.brand if data.brand else ''}"
    period = f"{h['since'][:16].replace('T', ' ')} to {h['until'][:16].replace('T', ' ')} UTC"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1><p class=\"period\">{escape(period)}</p>"
        f'<div class="headline">{boxes}</div>{body}'
        f'<section id="approvals-section"><h2>How drafts were approved</h2>{_approvals_table(data.approvals)}</section>'
        f'<section id="spikes-section"><h2>Spikes</h2>{_spikes_table(data.spikes)}</section>'
        f"<footer>Written by `assistant report` at {escape(generated_at)}. Every figure comes from the"
        " interaction_log view of the assistant's database.</footer></body></html>\n"
    )
