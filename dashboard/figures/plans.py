"""Plan durations page figures (DESIGN 5.2): duration bands, Kaplan-Meier curves, drift by team, trend.

Each chart has a table builder (data-layer frame -> the exact frame the chart draws and the CSV
downloads) and a figure builder (that table -> ``go.Figure``): pure functions, no Dash, no queries.
Presentation mode is an argument: counts of plans (children) under the suppression threshold
become "<5" in labels, hover text and CSVs, and are not drawn as bar heights or line points.
"""
from __future__ import annotations

import math
from typing import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.theme import BLUE, GREY, ROSE, SAFE

from .common import add_standard_line, aria_summary, base_figure, empty_figure, plural, suppress

#: Average month length, to draw day durations on a month axis.
MONTH_DAYS = 365.25 / 12
PLAN_LABELS = {"cin": "CIN", "cp": "CP"}
PLAN_COLOURS = {"cin": BLUE, "cp": ROSE}
ORIGIN_LABELS = {"assessment": "After assessment", "cp_step_down": "CP step-down", "lac_step_down": "Looked-after step-down",
                 "supervision_order": "Supervision order", "court_report": "Court report"}

#: Flag -> (plain label, standard setting, unit) for headings, axis labels and the drift list.
FLAG_INFO: dict[str, tuple[str, str, str]] = {
    "cin_review_overdue": ("CIN review overdue", "cin_review_days", "days"),
    "cin_visit_overdue": ("CIN visit overdue", "cin_visit_days", "days"),
    "cin_9_month_review": ("CIN open over 9 months (SM review)", "cin_sm_review_months", "months"),
    "cin_over_12_months": ("CIN open over 12 months", "cin_max_months", "months"),
    "step_down_over_12_weeks": ("CP step-down CIN over 12 weeks", "step_down_max_days", "days"),
    "cp_visit_overdue": ("CP visit overdue", "cp_visit_days", "days"),
    "cp_over_2_years": ("CP open over 2 years", "cp_max_months", "months"),
}
FLAGS = tuple(FLAG_INFO)
#: Duration flags the monthly trend counts (review and visit flags are point-in-time only).
TREND_FLAGS = ("cin_over_12_months", "cin_9_month_review", "step_down_over_12_weeks", "cp_over_2_years")
TREND_STYLES = {"cin_over_12_months": (BLUE, "solid", "circle"), "cin_9_month_review": (SAFE[7], "dot", "square"),
                "step_down_over_12_weeks": (SAFE[2], "dash", "diamond"), "cp_over_2_years": (ROSE, "dashdot",
                                                                                               "triangle-up")}


def flag_label(flag: str, standards=None) -> str:
    """'CIN review overdue', or with the standard: 'CIN review overdue (over 42 days)'."""
    label, setting, unit = FLAG_INFO.get(flag, (flag.replace("_", " ").capitalize(), None, ""))
    if standards is None or setting is None:
        return label
    if unit == "months":
        return label
    return f"{label} (over {getattr(standards, setting)} {unit})"


def _source(standards, name: str) -> str:
    from data_layer.standards import source_of

    try:
        return source_of(name)
    except StopIteration:
        return "configuration"


def _count(v) -> float:
    """Numeric value of a count that may be suppressed text ("<5" -> NaN: not drawn)."""
    if isinstance(v, str):
        return float("nan") if v.startswith("<") or not v else float(v.replace(",", ""))
    return float(v)


def _with_alpha(colour: str, alpha: float) -> str:
    """A translucent version of a palette colour ('rgb(r, g, b)' or '#rrggbb') for interval bands."""
    if colour.startswith("rgb("):
        return colour.replace("rgb(", "rgba(").replace(")", f", {alpha})")
    h = colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r}, {g}, {b}, {alpha})"


def _legend_below(fig: go.Figure, y: float = -0.28) -> go.Figure:
    """Legend under the plot, so it never covers the title or subplot headings."""
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=y, xanchor="left", x=0, traceorder="normal"))
    return fig


def count_text(n, presentation: bool = False, threshold: int = 5) -> str:
    """A count for titles and notes: "<5" for 1-4 in presentation mode, else with thousands commas."""
    return suppress(n, threshold) if presentation else f"{int(n):,}"


# --------------------------------------------------------------------------- duration bands

def bands_table(bands: pd.DataFrame, *, presentation: bool = False, threshold: int = 5) -> pd.DataFrame:
    """Plans by type, duration band and open/closed, as drawn and downloaded.

    Columns ``plan_type`` (CIN/CP), ``band``, ``band_order``, ``status`` ("Open on the date" /
    "Closed in the 12 months"), ``plans`` (text "<5" for 1-4 in presentation mode).
    """
    cols = ["plan_type", "band", "band_order", "status", "plans"]
    if bands.empty:
        return pd.DataFrame(columns=cols)
    t = bands.sort_values(["plan_type", "band_order", "open"]).copy()
    t["plan_type"] = t["plan_type"].map(PLAN_LABELS)
    t["status"] = np.where(t["open"], "Open on the date", "Closed in the 12 months")
    t["plans"] = t["n"].astype(int)
    t = t[cols].reset_index(drop=True)
    if presentation:
        t["plans"] = [suppress(v, threshold) for v in t["plans"]]
    return t


def bands_title(bands: pd.DataFrame, edges: tuple[int, ...], cin_max_months: int = 12, *,
                presentation: bool = False, threshold: int = 5) -> str:
    """The finding: how many open CIN plans are past the 12-month expectation."""
    if bands.empty or cin_max_months not in edges:
        return "How long CIN and CP plans last, in bands of the practice standards"
    beyond = edges.index(cin_max_months) + 1
    cin_open = bands[(bands["plan_type"] == "cin") & bands["open"]]
    n_open = int(cin_open["n"].sum())
    over = int(cin_open.loc[cin_open["band_order"] >= beyond, "n"].sum())
    if n_open == 0:
        return "How long CIN and CP plans last: no CIN plans open on the date"
    of = count_text(n_open, presentation, threshold)
    return (f"{count_text(over, presentation, threshold)} of {of} open CIN plan{'s' if n_open != 1 else ''} "
            f"{'have' if n_open != 1 else 'has'} lasted more than {cin_max_months} months")


def _band_standards(standards, edges: tuple[int, ...]) -> list[tuple[str, int, str, str]]:
    """(plan type, edge, short label, source) of each standard drawn on the bands chart."""
    out = []
    for name, plan_type, text in (("cin_tm_review_first_months", "cin", "TM review"),
                                  ("cin_tm_review_second_months", "cin", "TM review"),
                                  ("cin_sm_review_months", "cin", "SM review"),
                                  ("cin_max_months", "cin", "CIN limit"),
                                  ("cp_max_months", "cp", "CP 2-year indicator")):
        value = getattr(standards, name)
        if value in edges:
            source = _source(standards, name)
            out.append((plan_type, value, f"{value}m {text}" + (f" ({source})" if len(source) <= 8 else ""), name))
    return out


def bands_figure(table: pd.DataFrame, title: str, edges: tuple[int, ...], standards) -> go.Figure:
    """CIN and CP side by side: plans per duration band, closed solid and open hatched, standards dashed.

    The bands' edges *are* the standards (3/6-month Team Manager reviews, 9-month Service Manager
    review, 12-month CIN expectation, 2-year CP indicator), so each is drawn as a dashed line on
    the boundary between the two bands it separates.
    """
    if table.empty or not any(str(v).startswith("<") or _count(v) > 0 for v in table["plans"]):
        return empty_figure(title, "No plans open or closed in the 12 months for the selected teams")
    fig = make_subplots(rows=1, cols=2, shared_yaxes=False, horizontal_spacing=0.08,
                        subplot_titles=("CIN plans", "CP plans"), figure=base_figure(title, height=500))
    bands_in_order = list(table.sort_values("band_order")["band"].drop_duplicates())
    for col, plan_type in enumerate(("cin", "cp"), start=1):
        label = PLAN_LABELS[plan_type]
        part = table[table["plan_type"] == label]
        for status, pattern, opacity in (("Closed in the 12 months", "", 1.0), ("Open on the date", "/", 0.65)):
            rows = part[part["status"] == status].set_index("band").reindex(bands_in_order)
            shown = rows["plans"].fillna(0).tolist()
            fig.add_trace(go.Bar(
                x=bands_in_order, y=[_count(v) for v in shown], name=f"{label} {status.lower()}",
                marker=dict(color=PLAN_COLOURS[plan_type], opacity=opacity, pattern=dict(shape=pattern),
                            line=dict(color="white", width=0.5)),
                customdata=np.array([[str(v)] for v in shown], dtype=object),
                hovertemplate=f"{label} %{{x}}, {status.lower()}: %{{customdata[0]}} plans<extra></extra>",
            ), row=1, col=col)
    for plan_type, value, text, _ in _band_standards(standards, edges):
        col = 1 if plan_type == "cin" else 2
        add_standard_line(fig, edges.index(value) + 0.5, text, axis="x", row=1, col=col, position="top")
        fig.layout.annotations[-1].update(textangle=-90, yanchor="top", xanchor="right", font=dict(size=11),
                                          bgcolor="rgba(255, 255, 255, 0.85)")
    fig.update_layout(barmode="stack", bargap=0.15, margin=dict(t=90, b=150))
    _legend_below(fig, -0.42)
    fig.update_xaxes(title_text="How long the plan has lasted (calendar months)", tickangle=-30)
    fig.update_yaxes(title_text="Plans", rangemode="tozero", row=1, col=1)
    return fig


def bands_summary(table: pd.DataFrame, title: str) -> str:
    if table.empty:
        return aria_summary("Bar chart", title, "No plans for the selected teams")
    facts = ["Two panels, CIN and CP plans, counting plans by how long they have lasted, closed plans solid "
             "and open plans hatched",
             "Dashed lines mark the 3 and 6 month Team Manager reviews, the 9 month Service Manager review, "
             "the 12 month CIN expectation and the 2 year CP indicator"]
    return aria_summary("Bar chart", title, *facts)


# --------------------------------------------------------------------------- Kaplan-Meier

def group_label(group: str, by: str | None) -> str:
    if by == "plan_type":
        return PLAN_LABELS.get(group, group) + " plans"
    if by == "origin":
        return ORIGIN_LABELS.get(group, group)
    return group


def km_table(curves: pd.DataFrame, by: str | None = None, *, presentation: bool = False,
             threshold: int = 5) -> pd.DataFrame:
    """The survival curves as downloaded: group, days, months, share still open and its interval."""
    cols = ["group", "days", "months", "share_still_open", "ci_low", "ci_high", "at_risk"]
    if curves.empty:
        return pd.DataFrame(columns=cols)
    t = pd.DataFrame({
        "group": [group_label(g, by) for g in curves["group"]],
        "days": curves["days"].astype(float).round(0).astype(int),
        "months": (curves["days"].astype(float) / MONTH_DAYS).round(2),
        "share_still_open": curves["survival"].astype(float).round(4),
        "ci_low": curves["ci_low"].astype(float).round(4),
        "ci_high": curves["ci_high"].astype(float).round(4),
        "at_risk": curves["at_risk"].astype(int),
    })
    if presentation:
        t["at_risk"] = [suppress(v, threshold) for v in t["at_risk"]]
    return t[cols]


def _months(days: float) -> str:
    return f"{days / MONTH_DAYS:.1f} months"


def median_text(row: Mapping) -> str:
    """'7.2 months (95% CI 6.1 to 8.0)'; 'not reached' when over half the plans are still open."""
    med = row["median_days"]
    if med is None or (isinstance(med, float) and math.isnan(med)):
        return "not reached (over half still open)"
    lo, hi = row["ci_low"], row["ci_high"]
    lo_t = "?" if lo is None or math.isnan(lo) else f"{lo / MONTH_DAYS:.1f}"
    hi_t = "not reached" if hi is None or math.isnan(hi) else f"{hi / MONTH_DAYS:.1f}"
    return f"{_months(med)} (95% CI {lo_t} to {hi_t})"


def km_title(medians: pd.DataFrame, by: str | None) -> str:
    if medians.empty:
        return "How long plans stay open (Kaplan-Meier)"
    if by == "plan_type":
        parts = []
        for row in medians.to_dict("records"):
            name = PLAN_LABELS.get(row["group"], row["group"])
            med = row["median_days"]
            parts.append(f"{name} plans: median {_months(med)}" if not math.isnan(med)
                         else f"{name} plans: over half still open")
        return "How long plans stay open — " + "; ".join(parts)
    by_text = {"origin": "by how the plan started", None: ""}.get(by, "by team")
    return f"How long plans stay open {by_text}".strip() + " (median per group in the legend)"


def km_note(medians: pd.DataFrame, by: str | None) -> str:
    """Why the median differs from an average of closed plans, with this view's numbers."""
    parts = []
    for row in medians.to_dict("records"):
        mean = row["closed_mean_days"]
        mean_t = "no closed plans" if math.isnan(mean) else f"average of closed plans only {_months(mean)}"
        parts.append(f"{group_label(row['group'], by)}: median {median_text(row)}; {mean_t}")
    why = ("Plans still open are counted as open up to the as-at date (censored) rather than ignored, so the "
           "curve and median include the long plans that are still running. An average of closed plans leaves "
           "those out and so understates how long plans last.")
    return why + (" " + " · ".join(parts) + "." if parts else "")


def km_figure(curves: pd.DataFrame, medians: pd.DataFrame, title: str, by: str | None, standards,
              plan_types: tuple[str, ...] = ("cin", "cp")) -> go.Figure:
    """Share of plans still open against time open, a step line per group with its 95% band.

    The median (where the curve crosses one half) is marked with its interval as a horizontal
    error bar. Standards drawn: the 12-month CIN expectation, the 2-year CP indicator and, for
    the origin view, the 12-week step-down limit. The chart's note (:func:`km_note`, shown under
    it on the page) says why this is not an average of closed plans, with this view's numbers.
    """
    if curves.empty:
        return empty_figure(title, "No plans for the selected teams")
    fig = base_figure(title, height=480)
    groups = list(medians["group"])
    for i, group in enumerate(groups):
        colour = PLAN_COLOURS.get(group) if by == "plan_type" else SAFE[i % len(SAFE)]
        c = curves[curves["group"] == group].sort_values("days")
        x = (c["days"].astype(float) / MONTH_DAYS).tolist()
        name = group_label(group, by)
        fig.add_trace(go.Scatter(x=x, y=c["ci_high"], mode="lines", line=dict(width=0, shape="hv"),
                                 showlegend=False, hoverinfo="skip", legendgroup=name))
        fig.add_trace(go.Scatter(x=x, y=c["ci_low"], mode="lines", line=dict(width=0, shape="hv"), fill="tonexty",
                                 fillcolor=_with_alpha(colour, 0.18), showlegend=False, hoverinfo="skip",
                                 legendgroup=name))
        fig.add_trace(go.Scatter(
            x=x, y=c["survival"], mode="lines", name=name, legendgroup=name,
            line=dict(color=colour, width=3, shape="hv", dash=["solid", "dash", "dot", "dashdot"][i % 4]),
            customdata=np.column_stack([c["days"].round(0).astype(int), c["at_risk"].astype(int)]),
            hovertemplate=f"{name}<br>%{{customdata[0]}} days: %{{y:.0%}} still open<extra></extra>",
        ))
        row = medians[medians["group"] == group].iloc[0]
        med = row["median_days"]
        if not math.isnan(med):
            lo = row["ci_low"] if not math.isnan(row["ci_low"]) else med
            hi = row["ci_high"] if not math.isnan(row["ci_high"]) else float(curves["days"].max())
            fig.add_trace(go.Scatter(
                x=[med / MONTH_DAYS], y=[0.5], mode="markers", name=f"{name} median", legendgroup=name,
                showlegend=False, marker=dict(color=colour, size=11, symbol="diamond", line=dict(color="white", width=1)),
                error_x=dict(type="data", symmetric=False, array=[(hi - med) / MONTH_DAYS],
                             arrayminus=[(med - lo) / MONTH_DAYS], color=colour, thickness=2, width=6),
                hovertemplate=f"{name}: median {median_text(row)}<extra></extra>",
            ))
    if medians["median_days"].notna().any():
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name="◆ Median with its 95% interval",
                                 marker=dict(symbol="diamond", size=10, color=GREY)))
    fig.add_hline(y=0.5, line=dict(color=GREY, dash="dot", width=1))
    lines = []
    if "cin" in plan_types:
        lines.append((standards.cin_max_months, f"Standard: CIN {standards.cin_max_months} months "
                                                f"({_source(standards, 'cin_max_months')})"))
    if "cp" in plan_types:
        lines.append((standards.cp_max_months, f"CP indicator: {standards.cp_max_months} months "
                                               f"({_source(standards, 'cp_max_months')})"))
    if by == "origin":
        weeks = standards.step_down_max_days / 7
        lines.append((standards.step_down_max_days / MONTH_DAYS,
                      f"Standard: step-downs {weeks:g} weeks ({_source(standards, 'step_down_max_days')})"))
    for i, (value, label) in enumerate(sorted(lines)):
        add_standard_line(fig, value, label, axis="x", position="top right")
        fig.layout.annotations[-1].update(yref="paper", y=0.98 - 0.07 * i, yanchor="top", font=dict(size=11),
                                          bgcolor="rgba(255, 255, 255, 0.8)")
    fig.update_xaxes(title_text="Months since the plan started", rangemode="tozero")
    fig.update_yaxes(title_text="Share of plans still open", tickformat=".0%", range=[0, 1.02])
    fig.update_layout(margin=dict(t=70, b=120))
    _legend_below(fig, -0.2)
    return fig


def km_summary(medians: pd.DataFrame, title: str, by: str | None) -> str:
    if medians.empty:
        return aria_summary("Survival curve", title, "No plans for the selected teams")
    facts = [f"{group_label(r['group'], by)}: median {median_text(r)} from {plural(int(r['n']), 'plan')}"
             for r in medians.to_dict("records")]
    return aria_summary("Survival curve (Kaplan-Meier)", title, *facts,
                        "Open plans are censored at the as-at date")


# --------------------------------------------------------------------------- drift by team

def drift_matrix(counts: pd.DataFrame, team_names: Mapping[str, str] | None = None, *,
                 presentation: bool = False, threshold: int = 5) -> pd.DataFrame:
    """Teams x flags: plans carrying each flag (0 where none), one row per team, as downloaded.

    Columns ``team`` then one per flag in :data:`FLAGS` order, then ``total``; teams with the most
    flags first. Counts are "<5" text for 1-4 in presentation mode.
    """
    team_names = dict(team_names or {})
    if counts.empty:
        return pd.DataFrame(columns=["team", *FLAGS, "total"])
    c = counts.copy()
    names = {str(r.team_id): (r.team_name or team_names.get(str(r.team_id)) or str(r.team_id))
             for r in c.itertuples()}
    c["team"] = [names[str(t)] if t is not None else "No team recorded" for t in c["team_id"]]
    wide = c.pivot_table(index="team", columns="flag", values="n", aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=list(FLAGS), fill_value=0)
    wide["total"] = wide.sum(axis=1)
    wide = wide.sort_values(["total"], ascending=False, kind="mergesort").reset_index()
    wide.columns.name = None
    for col in (*FLAGS, "total"):
        wide[col] = wide[col].astype(int)
        if presentation:
            wide[col] = [suppress(v, threshold) for v in wide[col]]
    return wide


def drift_title(counts: pd.DataFrame, *, presentation: bool = False, threshold: int = 5) -> str:
    """The most common flag and how many plans carry it (from the unsuppressed counts)."""
    if counts.empty:
        return "No open plan breaches a standard on this date"
    totals = counts.groupby("flag")["n"].sum()
    top = max(FLAGS, key=lambda f: (int(totals.get(f, 0)), -FLAGS.index(f)))
    teams = counts.loc[counts["flag"] == top, "team_id"].nunique()
    return (f"{flag_label(top)} is the most common drift: {count_text(int(totals[top]), presentation, threshold)} "
            f"plans across {plural(teams, 'team')}")


def drift_figure(matrix: pd.DataFrame, title: str, standards) -> go.Figure:
    """Heatmap of flags (rows, each labelled with its standard) by team (columns), counts written in."""
    if matrix.empty:
        return empty_figure(title, "No drift flags for the selected teams on this date")
    y = [flag_label(f, standards) for f in FLAGS]
    text = [[str(v) for v in matrix[f]] for f in FLAGS]
    z = [[_count(v) for v in matrix[f]] for f in FLAGS]
    fig = base_figure(title, height=430)
    fig.add_trace(go.Heatmap(
        x=matrix["team"].astype(str), y=y, z=np.array(z, dtype=float), text=np.array(text, dtype=object),
        texttemplate="%{text}", colorscale="Blues", xgap=2, ygap=2, colorbar=dict(title="Plans"),
        hovertemplate="%{x}<br>%{y}: %{text} plans<extra></extra>", zmin=0,
    ))
    fig.update_yaxes(autorange="reversed", title_text=None, automargin=True)
    fig.update_xaxes(side="bottom", title_text=None, tickangle=-20, automargin=True)
    return fig


def drift_summary(matrix: pd.DataFrame, title: str) -> str:
    if matrix.empty:
        return aria_summary("Heatmap", title, "No drift flags")
    top = matrix.iloc[0]
    return aria_summary("Heatmap", title, "Rows are teams, columns are drift flags with their standards, "
                                          "cells count open plans carrying the flag",
                        f"Most flags: {top['team']} with {top['total']}")


def drift_note(standards) -> str:
    return ("Standards: CIN reviews every {r} days and 9 and 12 month reviews (001); CIN visits every {v} days "
            "(001; 000 uses 15); CP step-down CIN plans close within {s} days (000); CP visits every {c} days (000); "
            "CP plans over {m} months (national indicator). A plan can carry several flags."
            ).format(r=standards.cin_review_days, v=standards.cin_visit_days, s=standards.step_down_max_days,
                     c=standards.cp_visit_days, m=standards.cp_max_months)


# --------------------------------------------------------------------------- trend

def trend_table(trend: pd.DataFrame, *, presentation: bool = False, threshold: int = 5) -> pd.DataFrame:
    """Monthly counts as downloaded: date, open CIN and CP plans, each duration flag, % of CIN over 12 months."""
    cols = ["as_at", "open_cin", *TREND_FLAGS[:3], "open_cp", "cp_over_2_years", "pct_cin_over_12_months"]
    out = trend[cols].copy()
    out["pct_cin_over_12_months"] = out["pct_cin_over_12_months"].astype(float).round(1)
    if presentation:
        for c in cols[1:-1]:
            out[c] = [suppress(v, threshold) for v in out[c]]
    return out


def trend_title(trend: pd.DataFrame, *, presentation: bool = False, threshold: int = 5) -> str:
    """Where open CIN plans past 12 months stand now against the first month shown."""
    if trend.empty:
        return "Open plans past their time limits, monthly over the year"
    first, last = trend.iloc[0], trend.iloc[-1]
    a, b = int(first["cin_over_12_months"]), int(last["cin_over_12_months"])
    direction = "up" if b > a else "down" if b < a else "unchanged"
    change = f" from {count_text(a, presentation, threshold)}" if direction != "unchanged" else ""
    return (f"Open CIN plans past 12 months: {count_text(b, presentation, threshold)} on the date, "
            f"{direction}{change} a year earlier")


def trend_figure(table: pd.DataFrame, title: str, standards) -> go.Figure:
    """A line per duration flag, monthly; the standard (no CIN plan past 12 months) dashed at zero."""
    if table.empty:
        return empty_figure(title)
    fig = base_figure(title, height=400)
    dates = pd.to_datetime(table["as_at"])
    top = 0.0
    for flag in TREND_FLAGS:
        colour, dash, symbol = TREND_STYLES[flag]
        y = [_count(v) for v in table[flag]]
        top = max([top] + [v for v in y if not math.isnan(v)])
        fig.add_trace(go.Scatter(x=dates, y=y, mode="lines+markers", name=flag_label(flag),
                                 line=dict(color=colour, dash=dash, width=3), marker=dict(symbol=symbol, size=7),
                                 customdata=np.array([[str(v)] for v in table[flag]], dtype=object),
                                 hovertemplate=f"{flag_label(flag)}<br>%{{x|%d %b %Y}}: %{{customdata[0]}} plans"
                                               "<extra></extra>"))
    add_standard_line(fig, 0, f"Standard: no CIN plan beyond {standards.cin_max_months} months "
                              f"(source {_source(standards, 'cin_max_months')})", position="bottom right")
    fig.update_yaxes(title_text="Open plans", range=[-max(top, 1) * 0.12, max(top, 1) * 1.1])
    # No axis title: the tick labels are dates, and a title would collide with the legend below.
    fig.update_xaxes(title_text=None, tickvals=list(dates), ticktext=[f"{d:%d %b %Y}" for d in dates],
                     tickangle=-30)
    fig.update_layout(margin=dict(b=140))
    _legend_below(fig, -0.35)
    return fig


def trend_summary(table: pd.DataFrame, title: str) -> str:
    if table.empty:
        return aria_summary("Line chart", title, "No plans in the period")
    return aria_summary("Line chart", title,
                        f"Monthly from {table['as_at'].iloc[0]:%d %B %Y} to {table['as_at'].iloc[-1]:%d %B %Y}",
                        "Lines: CIN plans over 12 months, CIN plans over 9 months, CP step-down CIN plans over "
                        "12 weeks and CP plans over 2 years; the standard is none over 12 months")


# --------------------------------------------------------------------------- drift list

DRIFT_GRID_COLUMNS = [
    {"field": "child_id", "headerName": "Child"},
    {"field": "plan_id", "headerName": "Plan"},
    {"field": "plan_type", "headerName": "Plan type", "maxWidth": 120},
    {"field": "team", "headerName": "Team", "minWidth": 170},
    {"field": "worker", "headerName": "Key worker"},
    {"field": "flag", "headerName": "Flag", "minWidth": 280},
    {"field": "days_over", "headerName": "Days over", "type": "numericColumn", "sort": "desc"},
    {"field": "start_date", "headerName": "Plan start"},
    {"field": "last_review_date", "headerName": "Last review"},
    {"field": "last_visit_date", "headerName": "Last visit"},
]


def drift_list(drift: pd.DataFrame, standards=None) -> pd.DataFrame:
    """Rows for the drift grid (managers only): most overdue first, readable labels, ISO dates."""
    fields = [c["field"] for c in DRIFT_GRID_COLUMNS]
    if drift.empty:
        return pd.DataFrame(columns=fields)
    out = pd.DataFrame({
        "child_id": drift["child_id"].astype(str),
        "plan_id": drift["plan_id"].astype(str),
        "plan_type": drift["plan_type"].map(PLAN_LABELS).fillna(drift["plan_type"]),
        "team": drift["team_name"].fillna(drift["team_id"]).fillna("No team recorded").astype(str),
        "worker": drift["worker_name"].fillna("No key worker").astype(str),
        "flag": [flag_label(f, standards) for f in drift["flag"]],
        "days_over": drift["days_over"].astype(int),
    })
    for col in ("start_date", "last_review_date", "last_visit_date"):
        out[col] = [d.isoformat() if d is not None and not pd.isna(d) else "" for d in drift[col]]
    return out.sort_values(["days_over", "child_id", "flag"], ascending=[False, True, True], kind="mergesort") \
              .reset_index(drop=True)[fields]


def exclusion_text(exclusions: pd.DataFrame) -> str | None:
    """'3 rows excluded: 2 CIN plans with end date before start date; ...' or None when nothing was."""
    if exclusions is None or exclusions.empty:
        return None
    parts, n_out = [], 0
    for r in exclusions.to_dict("records"):
        what = f"{r['n']:,} {PLAN_LABELS.get(r['plan_type'], r['plan_type'])} plan{'s' if r['n'] != 1 else ''}"
        if r["reason"] == "unrecognised origin code":
            parts.append(f"{what} with an unrecognised origin (left out of the by-origin curves and the step-down check)")
        else:
            parts.append(f"{what}: {r['reason']}")
            n_out += int(r["n"])
    head = f"{n_out:,} row{'s' if n_out != 1 else ''} excluded from the figures" if n_out else "Data quality"
    return head + ": " + "; ".join(parts) + "."


__all__ = [
    "FLAG_INFO", "FLAGS", "TREND_FLAGS", "MONTH_DAYS", "flag_label",
    "bands_table", "bands_title", "bands_figure", "bands_summary",
    "km_table", "km_title", "km_note", "km_figure", "km_summary", "median_text", "group_label",
    "drift_matrix", "drift_title", "drift_figure", "drift_summary", "drift_note",
    "trend_table", "trend_title", "trend_figure", "trend_summary",
    "DRIFT_GRID_COLUMNS", "drift_list", "exclusion_text",
]
