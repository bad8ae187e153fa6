"""Caseloads page figures (DESIGN 5.1): workers against their FTE target, spread, trend, unallocated.

Each chart has a table builder (DataFrame -> the exact DataFrame the chart draws and the CSV
downloads) and a figure builder (that table -> ``go.Figure``). Presentation mode is an argument:
it replaces worker names by "Worker 1..n" and shows counts of children under the suppression
threshold as "<5" in hover text, labels and CSVs.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.theme import BLUE, GREY, ROSE, STANDARD_COLOUR, STATUS_COLOURS, STATUS_LABELS, TEMPLATE_NAME

from .common import add_standard_line, aria_summary, base_figure, empty_figure, plural, standard_label, suppress

#: Case statuses in stacking order (most intensive first), as columns of ``data_layer.caseloads``.
STATUSES = ("cla", "cp", "cin", "care_leaver", "assessment", "other")
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


def worker_table(df: pd.DataFrame, *, presentation: bool = False, threshold: int = 5) -> pd.DataFrame:
    """One row per worker, most over target first: what the workers chart draws and downloads.

    Sorted by ``excess`` (cases - target) descending, then cases descending, then name, so the
    workers furthest over the 25-per-FTE standard are at the top whatever their FTE.
    Columns: ``worker`` (unique label), ``team``, ``role``, ``fte``, ``target``, ``cases``, one
    column per status, ``excess``, ``over_target``. In presentation mode ``worker`` is
    "Worker n", no worker id is kept, and the count columns are text with "<threshold".
    """
    cols = ["worker", "team", "role", "fte", "target", "cases", *STATUSES, "excess", "over_target"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    t = df.copy()
    for s in STATUSES:
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
    t = t[cols].reset_index(drop=True)
    if presentation:
        t = anonymise_workers(t)
        for c in ("cases", *STATUSES):
            t[c] = [suppress(v, threshold) for v in t[c]]
    return t


def _count(v) -> float:
    """Numeric value of a count that may be suppressed text (bars keep their length)."""
    if isinstance(v, str):
        return float("nan") if v.startswith("<") else float(v.replace(",", ""))
    return float(v)


#: Most worker bars drawn (an authority has ~40-400 workers; beyond this, the top of the list).
MAX_WORKER_BARS = 80


def workers_title(table: pd.DataFrame, per_fte: float = 25) -> str:
    n = len(table)
    over = int(table["over_target"].astype(bool).sum()) if n else 0
    return f"{over} of {plural(n, 'worker')} are over their caseload target ({_fmt(per_fte)} children per FTE)"


def workers_figure(table: pd.DataFrame, raw_counts: pd.DataFrame | None = None, *, per_fte: float = 25,
                   source: str = SOURCE, max_bars: int = MAX_WORKER_BARS) -> go.Figure:
    """Horizontal bars per worker stacked by status, a target marker each, over-target workers marked.

    ``table`` comes from :func:`worker_table`. ``raw_counts`` (same rows, numeric counts) gives
    bar lengths when the table's counts are suppressed text; without it the table's counts are used.
    Over-target workers get a "▲ over by n" label beside the bar (never colour alone). Above
    ``max_bars`` workers (a region, the country) only the ``max_bars`` furthest above their target
    are drawn, and the title says so: a bar per worker for thousands of workers is unreadable and
    megabytes to send; the distribution chart shows everyone.
    """
    title = workers_title(table, per_fte)
    if table.empty:
        return empty_figure(title, "No workers in post for the selected teams on this date")
    if len(table) > max_bars:
        title += f"; the {max_bars} furthest above their target are shown"
        table = table.head(max_bars)
        raw_counts = raw_counts.loc[table.index] if raw_counts is not None else None
    lengths = raw_counts if raw_counts is not None else table
    labels = table["worker"].tolist()
    height = max(320, 22 * len(labels) + 150)
    fig = base_figure(title, height=height)
    for s in STATUSES:
        shown = table[s].astype(str).tolist()
        fig.add_trace(go.Bar(
            x=[_count(v) for v in lengths[s]], y=labels, orientation="h", name=STATUS_LABELS[s],
            marker=dict(color=STATUS_COLOURS[s], line=dict(color="white", width=0.5)),
            customdata=np.column_stack([shown, table["team"].astype(str)]),
            hovertemplate=f"%{{y}} (%{{customdata[1]}})<br>{STATUS_LABELS[s]}: %{{customdata[0]}}<extra></extra>",
        ))
    fig.add_trace(go.Scatter(
        x=table["target"].astype(float), y=labels, mode="markers", name=f"FTE target ({_fmt(per_fte)} × FTE)",
        marker=dict(symbol="line-ns-open", size=16, color=STANDARD_COLOUR, line=dict(width=3, color=STANDARD_COLOUR)),
        hovertemplate="%{y}<br>Target: %{x:.1f}<extra></extra>",
    ))
    over = table[table["over_target"].astype(bool)]
    if not over.empty:
        over_len = lengths.loc[over.index, "cases"].map(_count)
        fig.add_trace(go.Scatter(
            x=over_len.fillna(over["target"].astype(float)), y=over["worker"], mode="markers+text",
            name=f"{OVER_SYMBOL} Over target", text=[f"{OVER_SYMBOL} over by {_fmt(e)}" for e in over["excess"]],
            textposition="middle right", textfont=dict(color=STANDARD_COLOUR, size=11),
            marker=dict(symbol="triangle-left", size=9, color=ROSE, line=dict(color=STANDARD_COLOUR, width=1)),
            hovertemplate="%{y}: %{text}<extra></extra>",
        ))
    xmax = max(float(np.nanmax([_count(v) for v in lengths["cases"]] + [0])), float(table["target"].max()), per_fte)
    fig.update_layout(barmode="stack", bargap=0.25, legend_traceorder="normal")
    fig.update_xaxes(title_text="Children allocated (key worker)", range=[0, xmax * 1.18 + 1], rangemode="tozero")
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed", title_text=None,
                     automargin=True)
    fig.add_annotation(text=standard_label(per_fte, "children per FTE", source), xref="paper", yref="paper",
                       x=1, y=1.0, xanchor="right", yanchor="bottom", showarrow=False,
                       font=dict(color=STANDARD_COLOUR, size=12))
    return fig


def workers_summary(table: pd.DataFrame, per_fte: float = 25) -> str:
    title = workers_title(table, per_fte)
    if table.empty:
        return aria_summary("Bar chart", title, "No workers in post for the selected teams")
    top = table.iloc[0]
    facts = [f"Each bar is a worker's allocated children stacked by status, with a marker at their target of "
             f"{_fmt(per_fte)} children per full-time equivalent",
             f"Highest against target: {top['worker']} with {top['cases']} children against a target of "
             f"{_fmt(float(top['target']))}"]
    return aria_summary("Bar chart", title, *facts)


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
    out["label"] = [f"{_fmt(a)}–{_fmt(b)}" for a, b in zip(out["from"], out["to"])]
    out["over_standard"] = out["from"] >= per_fte
    return out[cols]


def distribution_title(df: pd.DataFrame, per_fte: float = 25) -> str:
    ok = df[df["fte"].astype(float) > 0] if not df.empty else df
    n = len(ok)
    over = int(((ok["cases"] / ok["fte"]) > per_fte).sum()) if n else 0
    return f"{over} of {plural(n, 'worker')} carry more than {_fmt(per_fte)} children per full-time equivalent"


def distribution_figure(dist: pd.DataFrame, title: str, *, per_fte: float = 25, source: str = SOURCE) -> go.Figure:
    """Histogram of caseload per FTE (pre-binned), bins over the standard hatched and labelled."""
    if dist.empty or int(dist["workers"].sum()) == 0:
        return empty_figure(title)
    fig = base_figure(title, height=360)
    centres = (dist["from"] + dist["to"]) / 2
    width = float(dist["to"].iloc[0] - dist["from"].iloc[0])
    for over, name, colour, pattern in ((False, "At or under the standard", BLUE, ""),
                                        (True, f"{OVER_SYMBOL} Over the standard", ROSE, "/")):
        part = dist["over_standard"] == over
        if not part.any():
            continue
        fig.add_trace(go.Bar(x=centres[part], y=dist.loc[part, "workers"], width=width * 0.95, name=name,
                             marker=dict(color=colour, pattern=dict(shape=pattern), line=dict(color="white", width=1)),
                             customdata=dist.loc[part, ["label"]],
                             hovertemplate="%{customdata[0]} children per FTE: %{y} workers<extra></extra>"))
    add_standard_line(fig, per_fte, standard_label(per_fte, "per FTE", source), axis="x")
    fig.update_xaxes(title_text="Children per full-time equivalent", tickmode="array",
                     tickvals=list(dist["from"]) + [float(dist["to"].iloc[-1])], rangemode="tozero")
    fig.update_yaxes(title_text="Workers", rangemode="tozero", tickformat=",d",
                     dtick=1 if int(dist["workers"].max()) <= 8 else None)
    fig.update_layout(bargap=0.05)
    return fig


def distribution_summary(dist: pd.DataFrame, title: str, per_fte: float = 25) -> str:
    if dist.empty:
        return aria_summary("Histogram", title, "No workers with an FTE recorded")
    busiest = dist.loc[dist["workers"].idxmax()]
    return aria_summary("Histogram", title,
                        f"Most workers ({int(busiest['workers'])}) carry {busiest['label']} children per FTE",
                        f"The standard is {_fmt(per_fte)} children per FTE")


# --------------------------------------------------------------------------- trend

def trend_table(trend: pd.DataFrame) -> pd.DataFrame:
    """The weekly trend as downloaded: week-ending date, workers, average, over target, %."""
    cols = ["as_at", "workers", "average_caseload", "over_target", "pct_over_target"]
    out = trend[cols].copy()
    out["average_caseload"] = out["average_caseload"].round(2)
    out["pct_over_target"] = out["pct_over_target"].round(1)
    return out


TREND_TITLE = "Average caseload and workers over target, weekly for 12 months"


def trend_title(trend: pd.DataFrame) -> str:
    """The finding, shown as the chart's subtitle: direction of the average and the latest % over."""
    valid = trend.dropna(subset=["average_caseload"])
    if valid.empty:
        return "No workers in post in the period"
    first, last = valid.iloc[0], valid.iloc[-1]
    change = float(last["average_caseload"]) - float(first["average_caseload"])
    direction = "rose" if change > 0.05 else "fell" if change < -0.05 else "held steady"
    amount = f" by {abs(change):.1f}" if direction != "held steady" else ""
    return (f"Average caseload {direction}{amount} to {float(last['average_caseload']):.1f}; "
            f"{float(last['pct_over_target'] or 0):.0f}% of workers are now over target")


def trend_figure(trend: pd.DataFrame, finding: str, *, per_fte: float = 25, source: str = SOURCE) -> go.Figure:
    """Two panels sharing weekly dates: average caseload (with the standard) and % over target.

    The title names the subject (:data:`TREND_TITLE`); ``finding`` (from :func:`trend_title`) is
    the subtitle.
    """
    if trend.empty or trend["average_caseload"].isna().all():
        return empty_figure(TREND_TITLE)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.12, row_heights=[0.55, 0.45],
                        subplot_titles=("Average caseload per worker", "% of workers over their target"))
    dates = pd.to_datetime(trend["as_at"])
    fig.add_trace(go.Scatter(x=dates, y=trend["average_caseload"], mode="lines+markers", name="Average caseload",
                             line=dict(color=BLUE, width=3), marker=dict(size=5, symbol="circle"),
                             hovertemplate="Week to %{x|%d %b %Y}: %{y:.1f} children<extra></extra>"), row=1, col=1)
    fig.add_trace(go.Scatter(x=dates, y=trend["pct_over_target"], mode="lines+markers", name="% over target",
                             line=dict(color=ROSE, width=3, dash="dot"), marker=dict(size=6, symbol="triangle-up"),
                             customdata=trend[["over_target", "workers"]],
                             hovertemplate="Week to %{x|%d %b %Y}: %{y:.0f}% (%{customdata[0]} of %{customdata[1]})"
                                           "<extra></extra>"), row=2, col=1)
    add_standard_line(fig, per_fte, standard_label(per_fte, "children per FTE", source), row=1, col=1,
                      position="bottom right")
    top = max(float(trend["average_caseload"].max()), per_fte) * 1.15
    fig.update_yaxes(title_text="Children", range=[0, top], row=1, col=1)
    fig.update_yaxes(title_text="%", range=[0, max(100.0, float(trend["pct_over_target"].max() or 0))], row=2, col=1)
    fig.update_xaxes(title_text="Week ending", row=2, col=1)
    fig.update_layout(template=TEMPLATE_NAME, title=dict(text=TREND_TITLE, subtitle=dict(text=finding)),
                      height=500, showlegend=True, margin=dict(t=110),
                      legend=dict(orientation="h", yanchor="top", y=-0.18, xanchor="left", x=0))
    return fig


def trend_summary(trend: pd.DataFrame, finding: str, per_fte: float = 25) -> str:
    valid = trend.dropna(subset=["average_caseload"])
    if valid.empty:
        return aria_summary("Line chart", TREND_TITLE, "No workers in post in the period")
    lo, hi = valid["average_caseload"].min(), valid["average_caseload"].max()
    return aria_summary("Line chart", TREND_TITLE, finding,
                        f"Weekly from {valid['as_at'].iloc[0]:%d %B %Y} to {valid['as_at'].iloc[-1]:%d %B %Y}",
                        f"Average caseload ranged from {lo:.1f} to {hi:.1f} against a standard of {_fmt(per_fte)} per FTE",
                        f"Workers over target ranged from {valid['pct_over_target'].min():.0f}% to "
                        f"{valid['pct_over_target'].max():.0f}%")


# --------------------------------------------------------------------------- unallocated

def unallocated_rows(df: pd.DataFrame, team_names: dict[str, str] | None = None) -> pd.DataFrame:
    """Child-level rows for the grid (managers only): longest waiting first, readable labels."""
    team_names = team_names or {}
    out = pd.DataFrame({
        "child_id": df["child_id"].astype(str),
        "team": [team_names.get(str(t), str(t)) if t is not None and not pd.isna(t) else "No team recorded"
                 for t in df["team_id"]],
        "status": [STATUS_LABELS.get(s, str(s)) for s in df["status"]],
        "days_unallocated": df["days_unallocated"].astype(int),
    })
    return out.sort_values(["days_unallocated", "child_id"], ascending=[False, True], kind="mergesort") \
              .reset_index(drop=True)


def unallocated_by_status(df: pd.DataFrame, *, presentation: bool = False, threshold: int = 5) -> pd.DataFrame:
    """Unallocated children per status (all statuses listed), counts suppressed in presentation mode."""
    counts = df["status"].value_counts() if not df.empty else pd.Series(dtype=int)
    out = pd.DataFrame({"status": [STATUS_LABELS[s] for s in STATUSES],
                        "children": [int(counts.get(s, 0)) for s in STATUSES]})
    out = out[out["children"] > 0].reset_index(drop=True) if not out["children"].eq(0).all() else out.iloc[0:0]
    if presentation:
        out["children"] = [suppress(v, threshold) for v in out["children"]]
    return out


def unallocated_count_text(n: int, *, presentation: bool = False, threshold: int = 5) -> str:
    return suppress(n, threshold) if presentation else f"{n:,}"


__all__ = [
    "STATUSES", "anonymise_workers", "worker_table", "workers_figure", "workers_title", "workers_summary",
    "distribution_table", "distribution_title", "distribution_figure", "distribution_summary",
    "trend_table", "trend_title", "TREND_TITLE", "trend_figure", "trend_summary",
    "unallocated_rows", "unallocated_by_status", "unallocated_count_text", "GREY",
]
