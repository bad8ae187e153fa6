"""Caseloads page figures (docs/DEFINITIONS.md "Caseloads"): workers against their FTE target, spread, trend,
unallocated.

Each chart has a table builder (DataFrame -> the exact DataFrame the chart draws and the CSV
downloads) and a figure builder (that table -> a ``PlainFigure``). Presentation mode comes as the
view's :class:`~dashboard.disclosure.Disclosure`: workers become "Worker 1..n" with nothing that
singles one out (no team, role, FTE, target or excess), a count under the threshold is never
drawn at its size, and every text is formatted by the disclosure rules.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from dashboard.disclosure import Disclosure
from dashboard.theme import BLUE, GREY, ROSE, STANDARD_COLOUR
from data_layer.vocabulary import STATUSES

from .common import (
    LEGEND_BELOW,
    Figure,
    add_standard_line,
    aria_summary,
    base_figure,
    count_axis,
    customdata_rows,
    empty_figure,
    iso_dates,
    standard_label,
    title_layout,
)
from .plain import plain_subplots

EXACT = Disclosure()

#: Right margin (px) holding the "▲ over by n" labels: inside the plot they were cut at 390 px.
OVER_LABEL_MARGIN = 100

SOURCE = "000"
OVER_SYMBOL = "▲"


def _fmt(x: float) -> str:
    return f"{x:g}" if float(x).is_integer() else f"{x:.1f}"


# --------------------------------------------------------------------------- workers chart


def anonymise_workers(table: pd.DataFrame) -> pd.DataFrame:
    """Replace worker names by "Worker 1..n" in the table's current order (presentation mode)."""
    out = table.copy()
    out["worker"] = [f"Worker {i}" for i in range(1, len(out) + 1)]
    return out


def worker_table(df: pd.DataFrame) -> pd.DataFrame:
    """One row per worker, most over target first: what the workers chart draws and downloads.

    Sorted by ``excess`` (cases - target) descending, then cases descending, then name, so the
    workers furthest over the 25-per-FTE standard are at the top whatever their FTE.
    Columns: ``worker`` (unique label), ``team``, ``role``, ``fte``, ``target``, ``cases``, one
    column per status, ``excess``, ``over_target``.
    """
    cols = ["worker", "team", "role", "fte", "target", "cases", *STATUSES.codes, "excess", "over_target"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    t = df.copy()
    for s in STATUSES.codes:
        if s not in t:
            t[s] = 0
    t["excess"] = (t["cases"] - t["target"]).round(2)
    # the data layer's flag (25 x FTE unrounded), so the chart agrees with the trend and the tiles
    t["over_target"] = t["over_target"].astype(bool) if "over_target" in t else t["cases"] > t["target"]
    names = t["worker_name"].fillna(t["worker_id"]).astype(str)
    dup = names.duplicated(keep=False)
    t["worker"] = np.where(dup, names + " (" + t["worker_id"].astype(str) + ")", names)
    t["team"] = t["team_name"].fillna(t["team_id"]).astype(str) if "team_name" in t else t["team_id"].astype(str)
    t = t.sort_values(["excess", "cases", "worker"], ascending=[False, False, True], kind="mergesort")
    return t[cols].reset_index(drop=True)


def presented_workers(table: pd.DataFrame, d: Disclosure) -> pd.DataFrame:
    """The workers table as presentation mode shows it: ``worker`` ("Worker n"), ``cases``, ``over_target``.

    Nothing else per worker (team, role, FTE, target, excess, status split) is kept: with a
    number instead of a name, any of those can single a worker out (the only 0.5 FTE, the only
    team manager), and target + excess give the hidden count back. Workers whose count is shown
    come first, most children first; those with a hidden count follow, then those with none, each
    group in an order that says nothing about size (the table's own order is by excess, which would).
    """
    cols = ["worker", "cases", "over_target"]
    if table.empty:
        return pd.DataFrame(columns=cols)
    hidden_rows = table["cases"].map(d.hides)
    shown = table[~hidden_rows & (table["cases"] > 0)].sort_values("cases", ascending=False, kind="mergesort")
    hidden = table[hidden_rows].sort_values("worker", kind="mergesort")
    none = table[table["cases"] == 0].sort_values("worker", kind="mergesort")
    out = pd.concat([shown, hidden, none])[["cases", "over_target"]].reset_index(drop=True)
    out.insert(0, "worker", d.worker_labels(len(out)))
    out["cases"] = [d.count(v) for v in out["cases"]]
    out["over_target"] = out["over_target"].astype(bool)
    return out[cols]


#: Most worker bars drawn (an authority has ~40-400 workers; beyond this, the top of the list).
MAX_WORKER_BARS = 80


def workers_title(table: pd.DataFrame, per_fte: float = 25, d: Disclosure = EXACT) -> str:
    n = len(table)
    over = int(table["over_target"].astype(bool).sum()) if n else 0
    verb = "is" if over == 1 and not d.hides(over) else "are"
    return (
        f"{d.of(over, n)} {'worker' if n == 1 else 'workers'} {verb} over their caseload target "
        f"({_fmt(per_fte)} children per FTE)"
    )


def workers_figure(
    table: pd.DataFrame, *, per_fte: float = 25, source: str = SOURCE, max_bars: int = MAX_WORKER_BARS
) -> Figure:
    """Horizontal bars per worker stacked by status, a target marker each, over-target workers marked.

    ``table`` comes from :func:`worker_table` (exact values: not for presentation mode, which
    draws :func:`presented_workers_figure`). Over-target workers get a "▲ over by n" label beside
    the bar (never colour alone). Above ``max_bars`` workers (a region, the country) only the
    ``max_bars`` furthest above their target are drawn, and the title says so: a bar per worker
    for thousands of workers is unreadable and megabytes to send; the distribution chart shows everyone.
    """
    title = workers_title(table, per_fte)
    if table.empty:
        return empty_figure(title, "No workers in post for the selected teams on this date")
    if len(table) > max_bars:
        title += f"; the {max_bars} furthest above their target are shown"
        table = table.head(max_bars)
    labels = table["worker"].tolist()
    height = max(320, 22 * len(labels) + 150)
    fig = base_figure(title, height=height)
    for s in STATUSES.codes:
        fig.add_trace(
            dict(
                type="bar",
                x=table[s].astype(float).tolist(),
                y=labels,
                orientation="h",
                name=STATUSES.label(s),
                marker=dict(color=STATUSES.colour(s), line=dict(color="white", width=0.5)),
                customdata=customdata_rows(table[s].astype(int).astype(str), table["team"].astype(str)),
                hovertemplate=f"%{{y}} (%{{customdata[1]}})<br>{STATUSES.label(s)}: %{{customdata[0]}}<extra></extra>",
            )
        )
    fig.add_trace(
        dict(
            type="scatter",
            x=table["target"].astype(float).tolist(),
            y=labels,
            mode="markers",
            name=f"FTE target ({_fmt(per_fte)} × FTE)",
            marker=dict(
                symbol="line-ns-open", size=16, color=STANDARD_COLOUR, line=dict(width=3, color=STANDARD_COLOUR)
            ),
            hovertemplate="%{y}<br>Target: %{x:.1f}<extra></extra>",
        )
    )
    over = table[table["over_target"].astype(bool)]
    if not over.empty:
        fig.add_trace(
            dict(
                type="scatter",
                x=over["cases"].astype(float).tolist(),
                y=over["worker"].tolist(),
                mode="markers+text",
                name=f"{OVER_SYMBOL} Over target",
                text=[f"{OVER_SYMBOL} over by {_fmt(e)}" for e in over["excess"]],
                textposition="middle right",
                cliponaxis=False,  # the label runs into the right margin kept for it (OVER_LABEL_MARGIN)
                textfont=dict(color=STANDARD_COLOUR, size=11),
                marker=dict(symbol="triangle-left", size=9, color=ROSE, line=dict(color=STANDARD_COLOUR, width=1)),
                hovertemplate="%{y}: %{text}<extra></extra>",
            )
        )
    xmax = max(float(table["cases"].astype(float).max()), float(table["target"].max()), per_fte)
    fig.update_layout(barmode="stack", bargap=0.25, legend={"traceorder": "normal"}, margin=dict(r=OVER_LABEL_MARGIN))
    fig.update_xaxes(
        {"title": {"text": "Children allocated (key worker)"}, "range": [0, xmax * 1.18 + 1]},
        **count_axis(xmax * 1.18 + 1),
    )
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed", automargin=True)
    fig.add_annotation(
        text=standard_label(per_fte, "children per FTE", source),
        xref="paper",
        yref="paper",
        x=1,
        y=1.0,
        xanchor="right",
        yanchor="bottom",
        showarrow=False,
        font=dict(color=STANDARD_COLOUR, size=12),
    )
    return fig


def presented_workers_figure(
    shown: pd.DataFrame, title: str, d: Disclosure, *, max_bars: int = MAX_WORKER_BARS
) -> Figure:
    """Presentation mode's workers chart: one bar of children per anonymous worker, over-target marked.

    ``shown`` comes from :func:`presented_workers`. A hidden count is not drawn: its worker's
    row carries the mark as a label at zero, and nothing in the figure (bar, hover, axis range)
    holds the number. No target marker: a target is 25 x the worker's FTE.
    """
    if shown.empty:
        return empty_figure(title, "No workers in post for the selected teams on this date")
    if len(shown) > max_bars:
        title += f"; the {max_bars} with most children are shown"
        shown = shown.head(max_bars)
    labels = shown["worker"].tolist()
    values = [None if v == d.mark else float(str(v).replace(",", "")) for v in shown["cases"]]
    fig = base_figure(title, height=max(320, 22 * len(labels) + 150))
    fig.add_trace(
        dict(
            type="bar",
            x=values,
            y=labels,
            orientation="h",
            name="Children allocated",
            marker=dict(color=BLUE),
            customdata=shown["cases"].tolist(),
            hovertemplate="%{y}: %{customdata} children<extra></extra>",
        )
    )
    hidden = [lbl for lbl, v in zip(labels, values, strict=False) if v is None]
    if hidden:
        fig.add_trace(
            dict(
                type="scatter",
                x=[0] * len(hidden),
                y=hidden,
                mode="text",
                text=[d.mark] * len(hidden),
                textposition="middle right",
                name=f"{d.mark} children (not drawn)",
                hovertemplate="%{y}: " + d.mark + " children<extra></extra>",
            )
        )
    over = shown[shown["over_target"].astype(bool) & (shown["cases"] != d.mark)]
    if not over.empty:
        fig.add_trace(
            dict(
                type="scatter",
                x=[float(str(v).replace(",", "")) for v in over["cases"]],
                y=over["worker"].tolist(),
                mode="markers+text",
                name=f"{OVER_SYMBOL} Over target",
                text=[f"{OVER_SYMBOL} over target"] * len(over),
                textposition="middle right",
                cliponaxis=False,  # the label runs into the right margin kept for it (OVER_LABEL_MARGIN)
                textfont=dict(color=STANDARD_COLOUR, size=11),
                marker=dict(symbol="triangle-left", size=9, color=ROSE, line=dict(color=STANDARD_COLOUR, width=1)),
                hovertemplate="%{y}: over target<extra></extra>",
            )
        )
    drawn = [v for v in values if v is not None]
    if not over.empty:
        fig.update_layout(margin=dict(r=OVER_LABEL_MARGIN))
    end = (max(drawn) if drawn else d.threshold) * 1.3 + 1
    fig.update_xaxes({"title": {"text": "Children allocated (key worker)"}, "range": [0, end]}, **count_axis(end))
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed", automargin=True)
    return fig


def workers_summary(table: pd.DataFrame, per_fte: float = 25) -> str:
    """Exact-mode summary (presentation mode writes its own: :func:`presented_workers_summary`)."""
    title = workers_title(table, per_fte)
    if table.empty:
        return aria_summary("Bar chart", title, "No workers in post for the selected teams")
    top = table.iloc[0]
    facts = [
        f"Each bar is a worker's allocated children stacked by status, with a marker at their target of "
        f"{_fmt(per_fte)} children per full-time equivalent",
        f"Highest against target: {top['worker']} with {top['cases']} children against a target of "
        f"{_fmt(float(top['target']))}",
    ]
    return aria_summary("Bar chart", title, *facts)


def presented_workers_summary(shown: pd.DataFrame, title: str, d: Disclosure) -> str:
    if shown.empty:
        return aria_summary("Bar chart", title, "No workers in post for the selected teams")
    top = shown.iloc[0]
    return aria_summary(
        "Bar chart",
        title,
        "Each bar is an anonymous worker's allocated children",
        f"Most children: {top['worker']} with {top['cases']}",
        d.note,
    )


# --------------------------------------------------------------------------- distribution


def distribution_table(df: pd.DataFrame, *, per_fte: float = 25, bin_width: float = 5) -> pd.DataFrame:
    """Workers counted by caseload per FTE in bins ``(lo, hi]`` (the first bin includes 0).

    Right-closed bins put a worker exactly on the standard (25.0 per FTE) in the 20-25 bin, so
    every bin from 25 up holds only workers over the standard (over = cases > target).
    Workers with no FTE recorded are left out (the chart note counts them).
    Columns: ``from``, ``to``, ``label``, ``workers``, ``over_standard``.
    """
    cols = ["from", "to", "label", "workers", "over_standard"]
    ok = df[(df["fte"].astype(float) > 0)] if not df.empty else df
    if ok.empty:
        return pd.DataFrame(columns=cols)
    per = ok["cases"].astype(float) / ok["fte"].astype(float)
    top = max(float(per.max()), per_fte + bin_width)
    n_bins = int(math.ceil(top / bin_width))
    edges = [i * bin_width for i in range(n_bins + 1)]
    idx = np.clip(np.ceil(per.to_numpy() / bin_width).astype(int) - 1, 0, n_bins - 1)
    counts = np.bincount(idx, minlength=n_bins)
    out = pd.DataFrame({"from": edges[:-1], "to": edges[1:], "workers": counts})
    out["label"] = [f"{_fmt(a)}–{_fmt(b)}" for a, b in zip(out["from"], out["to"], strict=False)]
    out["over_standard"] = out["from"] >= per_fte
    return out[cols]


def distribution_title(df: pd.DataFrame, per_fte: float = 25, d: Disclosure = EXACT) -> str:
    ok = df[df["fte"].astype(float) > 0] if not df.empty else df
    n = len(ok)
    over = int(((ok["cases"] / ok["fte"]) > per_fte).sum()) if n else 0
    verb = "carries" if over == 1 and not d.hides(over) else "carry"
    return (
        f"{d.of(over, n)} {'worker' if n == 1 else 'workers'} {verb} more than {_fmt(per_fte)} children per "
        "full-time equivalent"
    )


def presented_distribution(dist: pd.DataFrame, d: Disclosure) -> pd.DataFrame:
    """The bins as shown: ``workers`` as text, hidden bins (and, as the total is in the title, the
    next-smallest bin when only one is hidden) carrying a mark. Exact outside presentation mode."""
    if not d.active or dist.empty:
        return dist
    hidden = d.secondary(dist["workers"].tolist(), total_shown=True)
    out = dist.copy()
    out["workers"] = [
        d.mark if d.small(v) else (d.secondary_mark if i in hidden else f"{int(v)}")
        for i, v in enumerate(dist["workers"])
    ]
    return out


def distribution_figure(
    dist: pd.DataFrame, title: str, *, per_fte: float = 25, source: str = SOURCE, d: Disclosure = EXACT
) -> Figure:
    """Histogram of caseload per FTE (pre-binned), bins over the standard hatched and labelled.

    In presentation mode a hidden bin is not drawn at its size: its mark stands at zero.
    """
    if dist.empty or int(dist["workers"].sum()) == 0:
        return empty_figure(title)
    shown = presented_distribution(dist, d)
    heights = [None if isinstance(v, str) and not v.isdigit() else float(v) for v in shown["workers"]]
    fig = base_figure(title, height=360)
    centres = (dist["from"] + dist["to"]) / 2
    width = float(dist["to"].iloc[0] - dist["from"].iloc[0])
    for over, name, colour, pattern in (
        (False, "At or under the standard", BLUE, ""),
        (True, f"{OVER_SYMBOL} Over the standard", ROSE, "/"),
    ):
        part = (dist["over_standard"] == over).to_numpy()
        if not part.any():
            continue
        fig.add_trace(
            dict(
                type="bar",
                x=centres[part].tolist(),
                y=[h for h, p in zip(heights, part, strict=False) if p],
                width=width * 0.95,
                name=name,
                marker=dict(color=colour, pattern=dict(shape=pattern), line=dict(color="white", width=1)),
                customdata=customdata_rows(dist.loc[part, "label"], shown.loc[part, "workers"].astype(str)),
                hovertemplate="%{customdata[0]} children per FTE: %{customdata[1]} workers<extra></extra>",
            )
        )
    marks = [(c, v) for c, v, h in zip(centres, shown["workers"], heights, strict=False) if h is None]
    if marks:
        fig.add_trace(
            dict(
                type="scatter",
                x=[c for c, _ in marks],
                y=[0] * len(marks),
                mode="text",
                text=[str(v) for _, v in marks],
                textposition="top center",
                name="Not drawn (too few)",
                hoverinfo="skip",
            )
        )
    add_standard_line(fig, per_fte, standard_label(per_fte, "per FTE", source), axis="x")
    drawn = [h for h in heights if h is not None]
    top = max(drawn) if drawn else 0
    fig.update_xaxes(
        {"title": {"text": "Children per full-time equivalent"}},
        tickmode="array",
        tickvals=list(dist["from"]) + [float(dist["to"].iloc[-1])],
        rangemode="tozero",
    )
    fig.update_yaxes(
        {"title": {"text": "Workers"}, "range": [0, max(top, 1) * 1.15 + (0.5 if marks else 0)]},
        **count_axis(top),
    )
    fig.update_layout(bargap=0.05)
    return fig


def distribution_summary(dist: pd.DataFrame, title: str, per_fte: float = 25, d: Disclosure = EXACT) -> str:
    if dist.empty:
        return aria_summary("Histogram", title, "No workers with an FTE recorded")
    busiest = dist.loc[dist["workers"].idxmax()]
    return aria_summary(
        "Histogram",
        title,
        f"Most workers ({d.count(busiest['workers'])}) carry {busiest['label']} children per FTE",
        f"The standard is {_fmt(per_fte)} children per FTE",
    )


# --------------------------------------------------------------------------- trend


def trend_table(trend: pd.DataFrame, d: Disclosure = EXACT) -> pd.DataFrame:
    """The weekly trend as downloaded: week-ending date, workers, average, over target, %.

    In presentation mode a week's worker count or over-target count under the threshold is the
    mark, and so is the percentage over target when its part or complement is hidden, and the
    average when the workers or the children behind it are too few (average x workers is the
    number of children).
    """
    cols = ["as_at", "workers", "average_caseload", "over_target", "pct_over_target"]
    out = trend[cols].copy()
    out["average_caseload"] = out["average_caseload"].round(2)
    out["pct_over_target"] = out["pct_over_target"].round(1)
    if not d.active:
        return out
    children = (trend["average_caseload"].fillna(0) * trend["workers"]).round()
    shown = out.copy()
    shown["workers"] = [d.count(v) for v in trend["workers"]]
    shown["over_target"] = [d.count(v) for v in trend["over_target"]]
    shown["pct_over_target"] = [
        d.mark if d.hides_share(o, w) else ("" if pd.isna(p) else round(float(p), 1))
        for o, w, p in zip(trend["over_target"], trend["workers"], out["pct_over_target"], strict=False)
    ]
    shown["average_caseload"] = [
        d.mark if d.hides_any(w, c) else ("" if pd.isna(a) else a)
        for w, c, a in zip(trend["workers"], children, out["average_caseload"], strict=False)
    ]
    return shown


TREND_TITLE = "Average caseload and workers over target, weekly for 12 months"


def _number(v) -> float | None:
    """A drawn value from a (possibly disclosed) cell: ``None`` for a mark or a blank."""
    if v is None or isinstance(v, str):
        try:
            return float(v) if v not in (None, "") else None
        except ValueError:
            return None
    return None if pd.isna(v) else float(v)


def trend_title(table: pd.DataFrame) -> str:
    """The finding, shown as the chart's subtitle: direction of the average and the latest % over.

    Read from the trend *table* (:func:`trend_table`), so in presentation mode a hidden week's
    value never enters the sentence: the finding uses the first and last weeks that are shown.
    """
    avg = table["average_caseload"].map(_number)
    valid = table[avg.notna()]
    if valid.empty:
        hidden = table["average_caseload"].astype(str).str.startswith("<").any()
        return "Too few workers in the period to show an average" if hidden else "No workers in post in the period"
    first, last = _number(valid["average_caseload"].iloc[0]), _number(valid["average_caseload"].iloc[-1])
    assert first is not None and last is not None  # ``valid`` keeps only the weeks with an average
    change = last - first
    direction = "rose" if change > 0.05 else "fell" if change < -0.05 else "held steady"
    amount = f" by {abs(change):.1f}" if direction != "held steady" else ""
    pct = _number(valid["pct_over_target"].iloc[-1])
    tail = f"; {pct:.0f}% of workers are now over target" if pct is not None else ""
    return f"Average caseload {direction}{amount} to {last:.1f}{tail}"


def trend_figure(table: pd.DataFrame, finding: str, *, per_fte: float = 25, source: str = SOURCE) -> Figure:
    """Two panels sharing weekly dates: average caseload (with the standard) and % over target.

    Draws :func:`trend_table`'s values (a hidden week is a gap, never a point). The title names
    the subject (:data:`TREND_TITLE`); ``finding`` (from :func:`trend_title`) is the subtitle.
    """
    avg = table["average_caseload"].map(_number)
    pct = table["pct_over_target"].map(_number)
    if table.empty or avg.isna().all():
        return empty_figure(TREND_TITLE, finding or "No workers in post in the period")
    fig = plain_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12,
        row_heights=[0.55, 0.45],
        subplot_titles=("Average caseload per worker", "% of workers over their target"),
    )
    dates = iso_dates(table["as_at"])
    fig.add_trace(
        dict(
            type="scatter",
            x=dates,
            y=avg.tolist(),
            mode="lines+markers",
            name="Average caseload",
            line=dict(color=BLUE, width=3),
            marker=dict(size=5, symbol="circle"),
            hovertemplate="Week to %{x|%d %b %Y}: %{y:.1f} children per worker on average<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        dict(
            type="scatter",
            x=dates,
            y=pct.tolist(),
            mode="lines+markers",
            name="% over target",
            line=dict(color=ROSE, width=3, dash="dot"),
            marker=dict(size=6, symbol="triangle-up"),
            customdata=customdata_rows(table["over_target"].astype(str), table["workers"].astype(str)),
            hovertemplate="Week to %{x|%d %b %Y}: %{y:.0f}% (%{customdata[0]} of %{customdata[1]})<extra></extra>",
        ),
        row=2,
        col=1,
    )
    add_standard_line(
        fig, per_fte, standard_label(per_fte, "children per FTE", source), row=1, col=1, position="bottom right"
    )
    top = max(float(avg.max()), per_fte) * 1.15
    fig.update_yaxes({"title": {"text": "Children"}, "range": [0, top]}, row=1, col=1)
    pct_top = max(100.0, float(pct.max()) if pct.notna().any() else 0)
    fig.update_yaxes({"title": {"text": "%"}, "range": [0, pct_top]}, row=2, col=1)
    fig.update_xaxes({"title": {"text": "Week ending"}}, row=2, col=1)
    fig.update_layout(
        title=title_layout(TREND_TITLE, finding),
        height=500,
        showlegend=True,
        margin=dict(t=110),
        legend=LEGEND_BELOW,
    )
    return fig


def trend_summary(table: pd.DataFrame, finding: str, per_fte: float = 25) -> str:
    avg = table["average_caseload"].map(_number)
    pct = table["pct_over_target"].map(_number)
    valid = table[avg.notna()]
    if valid.empty:
        return aria_summary("Line chart", TREND_TITLE, finding)
    facts = [
        finding,
        f"Weekly from {pd.Timestamp(valid['as_at'].iloc[0]):%d %B %Y} to "
        f"{pd.Timestamp(valid['as_at'].iloc[-1]):%d %B %Y}",
        f"Average caseload ranged from {avg.min():.1f} to {avg.max():.1f} against a standard of "
        f"{_fmt(per_fte)} per FTE",
    ]
    if pct.notna().any():
        facts.append(f"Workers over target ranged from {pct.min():.0f}% to {pct.max():.0f}%")
    return aria_summary("Line chart", TREND_TITLE, *facts)


# --------------------------------------------------------------------------- unallocated


def unallocated_rows(df: pd.DataFrame, team_names: dict[str, str] | None = None) -> pd.DataFrame:
    """Child-level rows for the grid (managers only): longest waiting first, readable labels."""
    team_names = team_names or {}
    out = pd.DataFrame(
        {
            "child_id": df["child_id"].astype(str),
            "team": [
                team_names.get(str(t), str(t)) if t is not None and not pd.isna(t) else "No team recorded"
                for t in df["team_id"]
            ],
            "status": [STATUSES.label(s) if s in STATUSES else str(s) for s in df["status"]],
            "days_unallocated": df["days_unallocated"].astype(int),
            "team_id": [str(t) if t is not None and not pd.isna(t) else "" for t in df["team_id"]],  # for role scoping
        }
    )
    return out.sort_values(["days_unallocated", "child_id"], ascending=[False, True], kind="mergesort").reset_index(
        drop=True
    )


def unallocated_by_status(df: pd.DataFrame, d: Disclosure = EXACT) -> pd.DataFrame:
    """Unallocated children per status (statuses with any), disclosed: the total is shown on the
    page, so with one hidden status the next-smallest is hidden too."""
    counts = df["status"].value_counts() if not df.empty else pd.Series(dtype=int)
    out = pd.DataFrame(
        {
            "status": [STATUSES.label(s) for s in STATUSES.codes],
            "children": [int(counts.get(s, 0)) for s in STATUSES.codes],
        }
    )
    out = out[out["children"] > 0].reset_index(drop=True)
    if d.active and not out.empty:
        hidden = d.secondary(out["children"].tolist(), total_shown=True)
        out["children"] = [
            d.mark if d.small(v) else (d.secondary_mark if i in hidden else f"{v:,}")
            for i, v in enumerate(out["children"])
        ]
    return out


__all__ = [
    "STATUSES",
    "anonymise_workers",
    "worker_table",
    "presented_workers",
    "workers_figure",
    "presented_workers_figure",
    "workers_title",
    "workers_summary",
    "presented_workers_summary",
    "distribution_table",
    "distribution_title",
    "presented_distribution",
    "distribution_figure",
    "distribution_summary",
    "trend_table",
    "trend_title",
    "TREND_TITLE",
    "trend_figure",
    "trend_summary",
    "unallocated_rows",
    "unallocated_by_status",
    "GREY",
]
