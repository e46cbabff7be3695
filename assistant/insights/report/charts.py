"""The report's charts, drawn with matplotlib and written as inline SVG (or one PNG
for Slack): a file that needs nothing from the network to be read, no script, and
vector charts that stay sharp when printed. Plotly would add ~4 MB of JavaScript to
every report for hover tooltips the team does not need to read the figures.

Every label that came from the public (common words) is plain text to matplotlib:
math parsing is off, and its SVG writer escapes text for XML.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

import matplotlib

matplotlib.use("Agg")  # no display: files only

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullLocator  # noqa: E402

from assistant.insights.report.data import ReportData  # noqa: E402

plt.rcParams.update({
    "text.parse_math": False,  # "$5 off" in a post is text, not TeX
    "svg.fonttype": "none",  # text stays text in the SVG: smaller, selectable, searchable
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.axisbelow": True,
})

PALETTE = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#9d755d", "#bab0ac",
           "#eeca3b", "#ff9da6"]
INTENT_COLOURS = {"praise": "#54a24b", "complaint": "#e45756", "question": "#4c78a8", "suggestion": "#f58518",
                  "reaction": "#72b7b2", "abuse": "#9d755d", "spam": "#bab0ac", "unknown": "#cccccc"}
OUTCOME_COLOURS = {"approved unchanged": "#54a24b", "light edit": "#a0d39b", "rewritten": "#f58518",
                   "rejected": "#e45756"}


def _figure(width: float = 9.0, height: float = 3.2, left: float = 0.07, right: float = 0.97,
            bottom: float = 0.16) -> tuple[Figure, plt.Axes]:
    # Fixed margins rather than the constrained layout engine: it measures every label
    # again and costs about half of the drawing time for these simple charts.
    fig = Figure(figsize=(width, height), dpi=100)
    fig.subplots_adjust(left=left, right=right, bottom=bottom, top=1 - 0.32 / height)
    return fig, fig.add_subplot()


def _label_room(labels: list[str], width: float = 9.0) -> float:
    """The left margin (a share of the width) that horizontal bar labels need."""
    longest = max((len(label) for label in labels), default=0)
    return min(0.5, 0.03 + longest * 0.0085 * 9.0 / width)


def _top(series: dict[str, dict[str, int]], keep: int, order: Iterable[str] = ()) -> dict[str, dict[str, int]]:
    """The ``keep`` largest series (in ``order`` first when given); the rest as 'other'."""
    totals = {k: sum(v.values()) for k, v in series.items()}
    ordered = [k for k in order if k in series] + sorted((k for k in series if k not in order),
                                                         key=lambda k: -totals[k])
    out = {k: series[k] for k in ordered[:keep]}
    rest = ordered[keep:]
    if rest:
        other: dict[str, int] = {}
        for k in rest:
            for day, n in series[k].items():
                other[day] = other.get(day, 0) + n
        out["other"] = other
    return out


def volume(data: ReportData, which: str, ax: plt.Axes | None = None) -> Figure | None:
    """Mentions per day, stacked by intent, language or network."""
    from assistant.insights.report.data import INTENTS

    series = {"intent": data.by_intent, "language": data.by_language, "network": data.by_network}[which]
    series = _top(series, 8, INTENTS if which == "intent" else ())
    fig = None
    if ax is None:
        fig, ax = _figure(right=0.84)  # the legend goes on the right
    x = list(range(len(data.days)))
    bottom = [0] * len(x)
    for i, (name, per_day) in enumerate(series.items()):
        counts = [per_day.get(day, 0) for day in data.days]
        colour = INTENT_COLOURS.get(name) if which == "intent" else PALETTE[i % len(PALETTE)]
        # A network or language name can come from a webhook: a legend line, not a page.
        label = name if len(name) <= 40 else name[:39] + "…"
        ax.bar(x, counts, bottom=bottom, label=label, color=colour, width=0.85, linewidth=0)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    step = max(1, len(x) // 10)
    ax.set_xticks(x[::step], [d[5:] for d in data.days[::step]])
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # no "3.5 mentions"
    ax.set_ylabel("mentions")
    ax.set_title(f"Mentions per day by {which}", loc="left")
    if series:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
    return fig


def response_times(data: ReportData, ax: plt.Axes | None = None) -> Figure | None:
    """How long replies took (received to posted), in minutes on a log scale, with
    the policy's target as a line."""
    fig = None
    if ax is None:
        fig, ax = _figure(9.0, 3.0, bottom=0.17)
    minutes = [max(s / 60.0, 0.1) for s in data.response_seconds]
    target = data.target_minutes
    if minutes:
        # Bins grow by half each; the target is an edge, so no bin is half late.
        low, high = min(minutes), max(max(minutes), target) * 1.5
        k = 0
        while target * 1.5 ** k > low:
            k -= 1
        edges = [target * 1.5 ** k]
        while edges[-1] < high:
            edges.append(edges[-1] * 1.5)
        within = [m for m in minutes if m <= target]
        late = [m for m in minutes if m > target]
        ax.hist([within, late], bins=edges, stacked=True, color=["#54a24b", "#e45756"],
                label=[f"within {target} min", f"over {target} min"])
        ax.set_xscale("log")
        # Readable ticks ("30 min", "2 h"): the default ones are TeX, which is off.
        ticks = [t for t in _TICKS if edges[0] <= t <= edges[-1]]
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _minutes(v)))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.legend(frameon=False, fontsize=8)
    else:
        # No scale to read (it showed "57 ... 63" around the target line): the words only.
        ax.text(0.5, 0.5, "no replies posted in this period", ha="center", va="center", transform=ax.transAxes)
        ax.set_xticks([])
        ax.set_yticks([])
    if minutes:
        ax.axvline(target, color="#333333", linestyle="--", linewidth=1)
    ax.set_xlabel("time from the post to our reply (log scale)")
    ax.set_ylabel("replies")
    ax.set_title("Response times", loc="left")
    return fig


_TICKS = [0.5, 1, 5, 15, 30, 60, 120, 240, 480, 1440, 2880, 10080, 43200]


def _minutes(value: float) -> str:
    if value < 1:
        return f"{value * 60:.0f} s"
    if value < 60:
        return f"{value:.0f} min"
    if value < 1440:
        return f"{value / 60:.0f} h"
    return f"{value / 1440:.0f} d"


def outcomes(data: ReportData, ax: plt.Axes | None = None) -> Figure | None:
    """Drafts approved unchanged, lightly edited, rewritten, or rejected."""
    fig = None
    names = list(data.outcomes)
    if ax is None:
        fig, ax = _figure(9.0, 2.2, left=_label_room(names), right=0.95, bottom=0.22)
    counts = [data.outcomes[n] for n in names]
    bars = ax.barh(names[::-1], counts[::-1], color=[OUTCOME_COLOURS[n] for n in names[::-1]])
    ax.bar_label(bars, padding=3, fontsize=8)
    # Whole drafts (no "0.5 drafts"), and no negative axis when every count is 0.
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0, max(max(counts, default=0) * 1.1, 1))
    ax.set_xlabel("drafts")
    ax.set_title("What people did with the drafts", loc="left")
    ax.grid(axis="y", visible=False)
    return fig


def topics(data: ReportData, ax: plt.Axes | None = None) -> Figure | None:
    fig = None
    if ax is None:
        fig, ax = _figure(9.0, 3.0, left=_label_room([n for n, _ in data.topics]), right=0.95, bottom=0.17)
    if data.topics:
        names = [n for n, _ in data.topics][::-1]
        counts = [c for _, c in data.topics][::-1]
        bars = ax.barh(names, counts, color="#4c78a8")
        ax.bar_label(bars, padding=3, fontsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    else:
        ax.text(0.5, 0.5, "nothing named in this period", ha="center", va="center", transform=ax.transAxes)
        ax.set_xticks([])
        ax.set_yticks([])
    ax.set_xlabel("posts")
    what = ("What posts named most (the policy's catalog)" if data.topics_kind == "catalog"
            else "Most common words in complaints, questions and suggestions")
    ax.set_title(what, loc="left")
    ax.grid(axis="y", visible=False)
    return fig


def svg(fig: Figure) -> str:
    """The figure as an ``<svg>`` element to put inside HTML (no XML prologue)."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    text = buf.getvalue()
    return text[text.index("<svg"):]


def png(fig: Figure, dpi: int = 110) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def summary_figure(data: ReportData) -> Figure:
    """One image for Slack: volume by intent, response times, draft outcomes."""
    fig = Figure(figsize=(10, 7.5), dpi=100, layout="constrained")
    grid = fig.add_gridspec(3, 1, height_ratios=[1.3, 1.1, 0.8])
    volume(data, "intent", fig.add_subplot(grid[0]))
    response_times(data, fig.add_subplot(grid[1]))
    outcomes(data, fig.add_subplot(grid[2]))
    h = data.headline
    title = f"{h['mentions']} mentions, {h['answered']} answered"
    if h["within_target_share"] is not None:
        title += f", {h['within_target_share']:.0%} within {h['target_minutes']} min"
    fig.suptitle(title, x=0.01, ha="left", fontsize=12)
    return fig
