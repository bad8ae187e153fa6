"""CIN pilot page figures (DESIGN 5.3, seed 002): scorecard, DiD panels, trend, closure routes, workload.

Pure builders: tidy frames from ``data_layer.pilot`` in, display tables and ``go.Figure`` out.
Each chart has a table builder (the exact frame the chart draws and its CSV downloads) and a
figure builder. Presentation mode is an argument: counts of plans under the suppression
threshold become "<5" and values resting on them are withheld.

Pilot and comparison are told apart by colour *and* by marker and line style (circle/solid vs
square/dashed), never by colour alone; verdicts carry a word and a symbol.
"""
from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.theme import (BROWN, GREEN, GREY, INDIGO, ROSE, SAND, STANDARD_COLOUR, TEAL,
                             TEMPLATE_NAME)

from .common import aria_summary, base_figure, empty_figure, plural, standard_label, suppress

COHORT_LABELS = {"pilot": "Pilot team", "comparison": "Comparison teams"}
PERIOD_LABELS = {"before": "Before", "during": "During"}
COHORT_STYLE = {
    "pilot": dict(color=TEAL, symbol="circle", dash="solid"),
    "comparison": dict(color=INDIGO, symbol="square", dash="dash"),
}
ROUTE_LABELS = {
    "plan_achieved": "Plan achieved", "consent_withdrawn": "Consent withdrawn",
    "step_down_eh": "Stepped down to early help", "escalated_cp": "Escalated to CP",
    "became_lac": "Became looked after", "moved_away": "Moved away", "other": "Other",
}
ROUTE_COLOURS = {
    "plan_achieved": GREEN, "consent_withdrawn": SAND, "step_down_eh": TEAL, "escalated_cp": ROSE,
    "became_lac": INDIGO, "moved_away": GREY, "other": BROWN,
}
#: Verdict status -> (symbol, word), shown beside the sentence (never colour alone).
VERDICT_BADGES = {
    "better": ("✔", "Better"), "worse": ("✖", "Worse"), "inconclusive": ("≈", "No clear difference"),
    "too_small": ("…", "Too small to judge"), "not_measurable": ("⏳", "Not measurable yet"),
}
WORKLOAD_LABELS = {
    "closed_within_12m": "% of plans closed within 12 months",
    "escalated_cp": "% of plans escalated to child protection",
    "reviews_on_time": "% of plans reviewed on time throughout",
    "rereferred_12m": "% re-referred within 12 months of closure",
}
#: Short names of the workload outcomes, for the page's selector.
WORKLOAD_CHOICES = {
    "closed_within_12m": "Closed within 12 months", "escalated_cp": "Escalated to CP",
    "reviews_on_time": "Reviewed on time", "rereferred_12m": "Re-referred within 12 months",
}
#: Panel titles of the DiD chart (the scorecard uses the data layer's full labels).
PANEL_TITLES = {
    "median_days": "Median plan duration", "closed_within_12m": "Closed within 12 months",
    "escalated_cp": "Escalated to CP", "became_lac": "Became looked after",
    "rereferred_12m": "Re-referred within 12 months", "reviews_on_time": "Reviewed on time",
    "holder_caseload": "Worker's caseload",
}
COHORTS = (("pilot", "before"), ("pilot", "during"), ("comparison", "before"), ("comparison", "during"))


def _d(x: date) -> str:
    return f"{x.day} {x:%b %Y}"


def period_text(before: tuple[date, date], during: tuple[date, date]) -> dict[str, str]:
    """"Before (7 Aug 2021 to 6 Feb 2022)" etc. from half-open periods [first, day after last)."""
    from datetime import timedelta

    return {"before": f"Before ({_d(before[0])} to {_d(before[1] - timedelta(days=1))})",
            "during": f"During ({_d(during[0])} to {_d(during[1] - timedelta(days=1))})"}


def _scale(unit: str) -> float:
    return 100.0 if unit == "share" else 1.0


def _axis_title(unit: str) -> str:
    return {"share": "%", "days": "days", "children": "children"}.get(unit, unit)


def _did_text(row, presentation: bool) -> str:
    if row is None or pd.isna(row["did"]):
        return "n/a"
    s = _scale(row["unit"])
    unit = {"share": " pts", "days": " days", "children": ""}.get(row["unit"], "")
    digits = 0 if row["unit"] == "days" else 1
    est = f"{s * row['did']:+.{digits}f}{unit}"
    if pd.isna(row["ci_low"]):
        return f"{est} (no interval)"
    return f"{est} ({s * row['ci_low']:+.{digits}f} to {s * row['ci_high']:+.{digits}f})"


def _cell_text(row, presentation: bool, threshold: int) -> str:
    n = int(row["n"])
    if presentation and 0 < n < threshold:
        return f"suppressed (<{threshold} plans)"
    return f"{row['label']}; n = {suppress(n, threshold) if presentation else n}"


def verdict_badge(status: str) -> str:
    symbol, word = VERDICT_BADGES.get(status, ("?", status))
    return f"{symbol} {word}"


# --------------------------------------------------------------------------- scorecard

def scorecard_table(measures: pd.DataFrame, did: pd.DataFrame, *, presentation: bool = False,
                    threshold: int = 5) -> pd.DataFrame:
    """One display row per measure: the four cohorts (value, interval, n), the DiD and the verdict."""
    cols = ["Measure", "Pilot team, before", "Pilot team, during", "Comparison teams, before",
            "Comparison teams, during", "Difference-in-differences (95% interval)", "Verdict", "status"]
    if measures.empty:
        return pd.DataFrame(columns=cols)
    did_by = did.set_index("measure") if not did.empty else pd.DataFrame()
    rows = []
    for key in dict.fromkeys(measures["measure"]):
        part = measures[measures["measure"] == key].set_index(["cohort", "period"])
        d = did_by.loc[key] if key in did_by.index else None
        row = {"Measure": part["measure_label"].iloc[0]}
        for cohort, period in COHORTS:
            name = f"{COHORT_LABELS[cohort]}, {period}"
            present = (cohort, period) in part.index
            row[name] = _cell_text(part.loc[(cohort, period)], presentation, threshold) if present else "n/a"
        row["Difference-in-differences (95% interval)"] = _did_text(d, presentation)
        status = d["status"] if d is not None else "not_measurable"
        row["Verdict"] = f"{verdict_badge(status)}: {d['verdict'].split(': ', 1)[-1]}" if d is not None else ""
        row["status"] = status
        rows.append(row)
    return pd.DataFrame(rows, columns=cols)


def scorecard_csv(measures: pd.DataFrame, did: pd.DataFrame, *, presentation: bool = False,
                  threshold: int = 5) -> pd.DataFrame:
    """The tidy numbers behind the scorecard (what its CSV downloads); small counts suppressed in
    presentation mode, and the values resting on them withheld."""
    out = measures.merge(did[["measure", "did", "ci_low", "ci_high", "method", "status", "verdict"]]
                         .rename(columns={"ci_low": "did_ci_low", "ci_high": "did_ci_high"}), on="measure", how="left")
    if presentation:
        small = (out["n"] > 0) & (out["n"] < threshold)
        for col in ("value", "ci_low", "ci_high"):
            out[col] = out[col].where(~small)
        out["label"] = out["label"].where(~small, f"suppressed (<{threshold} plans)")
        out["n"] = [suppress(v, threshold) for v in out["n"]]
        out["count"] = [suppress(v, threshold) if v is not None and not pd.isna(v) else "" for v in out["count"]]
    return out


def scorecard_title(did: pd.DataFrame) -> str:
    """The headline finding: how many measures show a clear difference either way."""
    if did.empty:
        return "No CIN plans in the pilot's cohorts"
    better, worse = int((did["status"] == "better").sum()), int((did["status"] == "worse").sum())
    judged = int(did["status"].isin(["better", "worse", "inconclusive"]).sum())
    if judged == 0:
        return "The pilot cannot be judged yet: the cohorts are too small or not yet measurable"
    if better == worse == 0:
        return f"No clear pilot effect on any of the {plural(judged, 'measure')} that can be judged"
    return (f"Pilot team compared with comparison teams: {better} of {judged} judged measures better, "
            f"{worse} worse")


# --------------------------------------------------------------------------- DiD panels

def did_figure(measures: pd.DataFrame, did: pd.DataFrame, *, periods: dict[str, str] | None = None,
               presentation: bool = False, threshold: int = 5, caseload_standard: float | None = None) -> go.Figure:
    """One small panel per measure: pilot and comparison, before and during, with 95% intervals.

    The dashed grey line is the reference: where the pilot team would have been had it changed
    exactly as the comparison teams did; the gap between it and the pilot's "during" point is the
    difference-in-differences. Cohorts under the minimum size are drawn hollow. In presentation
    mode, points resting on fewer plans than the suppression threshold are not drawn.
    """
    finding = scorecard_title(did)
    title = f"Before and during the pilot, measure by measure: {finding[0].lower()}{finding[1:]}"
    if measures.empty:
        return empty_figure(title)
    keys = list(dict.fromkeys(measures["measure"]))
    labels = [PANEL_TITLES.get(k) or measures.loc[measures["measure"] == k, "measure_label"].iloc[0] for k in keys]
    cols = 4
    rows = math.ceil(len(keys) / cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=labels, horizontal_spacing=0.07, vertical_spacing=0.2)
    x = [PERIOD_LABELS["before"], PERIOD_LABELS["during"]]
    for i, key in enumerate(keys):
        r, c = i // cols + 1, i % cols + 1
        part = measures[measures["measure"] == key].set_index(["cohort", "period"])
        unit = part["unit"].iloc[0]
        s = _scale(unit)
        for cohort in ("pilot", "comparison"):
            pts = [part.loc[(cohort, p)] for p in ("before", "during")]
            hide = [presentation and 0 < int(p["n"]) < threshold for p in pts]
            y = [np.nan if h else s * p["value"] for p, h in zip(pts, hide)]
            hi = [np.nan if h else s * (p["ci_high"] - p["value"]) for p, h in zip(pts, hide)]
            lo = [np.nan if h else s * (p["value"] - p["ci_low"]) for p, h in zip(pts, hide)]
            style = COHORT_STYLE[cohort]
            fig.add_trace(go.Scatter(
                x=x, y=y, mode="lines+markers", name=COHORT_LABELS[cohort], legendgroup=cohort, showlegend=i == 0,
                line=dict(color=style["color"], dash=style["dash"], width=2),
                marker=dict(symbol=[style["symbol"] + ("-open" if p["too_small"] else "") for p in pts], size=10,
                            color=style["color"], line=dict(color=style["color"], width=2)),
                error_y=dict(type="data", array=hi, arrayminus=lo, visible=True, thickness=1.2, width=4),
                customdata=[[p["label"], suppress(int(p["n"]), threshold) if presentation else int(p["n"])]
                            for p in pts],
                hovertemplate=f"{COHORT_LABELS[cohort]}, %{{x}}: %{{customdata[0]}}; n = %{{customdata[1]}}"
                              "<extra></extra>",
            ), row=r, col=c)
        pb, cb = part.loc[("pilot", "before")], part.loc[("comparison", "before")]
        cd = part.loc[("comparison", "during")]
        expected = pb["value"] + (cd["value"] - cb["value"])
        known = not any(pd.isna(v) for v in (pb["value"], cb["value"], cd["value"]))
        disclosive = presentation and min(int(pb["n"]), int(cb["n"]), int(cd["n"])) < threshold
        if known and not disclosive:
            fig.add_trace(go.Scatter(
                x=x, y=[s * pb["value"], s * expected], mode="lines",
                name="Pilot if it had changed like the comparison",
                legendgroup="expected", showlegend=i == 0, line=dict(color=STANDARD_COLOUR, dash="dot", width=1.5),
                hovertemplate="Expected without a pilot effect: %{y:.1f}<extra></extra>"), row=r, col=c)
        if key == "holder_caseload" and caseload_standard:
            fig.add_hline(y=caseload_standard, row=r, col=c, line=dict(color=STANDARD_COLOUR, dash="dash", width=1),
                          annotation_text=f"{caseload_standard:g} per FTE (000)", annotation_position="top",
                          annotation_font=dict(size=10, color=STANDARD_COLOUR))
        fig.update_yaxes(title_text=_axis_title(unit), row=r, col=c, rangemode="tozero")
    fig.update_layout(template=TEMPLATE_NAME, title=dict(text=title, subtitle=dict(
        text="Dots: cohort value with 95% interval; dotted line: the pilot had it changed like the comparison "
             "teams; hollow: fewer plans than the minimum to judge")),
                      height=330 * rows + 120, margin=dict(t=130),
                      legend=dict(orientation="h", yanchor="top", y=-0.08, xanchor="left", x=0))
    if periods:
        fig.add_annotation(text=f"{periods['before']}; {periods['during']}", xref="paper", yref="paper", x=0,
                           y=-0.16 if rows > 1 else -0.3, showarrow=False, xanchor="left", font=dict(size=11))
    return fig


def did_summary(did: pd.DataFrame) -> str:
    facts = [f"{r.measure_label}: {verdict_badge(r.status)}" for r in did.itertuples()]
    return aria_summary("Panel of dot charts", scorecard_title(did),
                        "Each panel shows one measure for the pilot team and the comparison teams before and "
                        "during the pilot, with 95% intervals", *facts)


# --------------------------------------------------------------------------- trend

TREND_TITLE = "CIN plans started, closed and open, pilot team vs comparison teams, by month"


def trend_table(trend: pd.DataFrame, team_counts: dict[str, int], *, presentation: bool = False,
                threshold: int = 5) -> pd.DataFrame:
    """Month x cohort: counts, per-team averages (comparison has several teams) and median open-plan age."""
    cols = ["month", "cohort", "teams", "starts", "closures", "open_plans", "starts_per_team",
            "closures_per_team", "median_open_age"]
    if trend.empty:
        return pd.DataFrame(columns=cols)
    t = trend.copy()
    t["teams"] = t["cohort"].map(team_counts).fillna(0).astype(int)
    per = t["teams"].where(t["teams"] > 0)
    t["starts_per_team"] = (t["starts"] / per).round(2)
    t["closures_per_team"] = (t["closures"] / per).round(2)
    t["median_open_age"] = t["median_open_age"].round(1)
    t = t[cols]
    if presentation:
        small = (t["open_plans"] > 0) & (t["open_plans"] < threshold)
        t["median_open_age"] = t["median_open_age"].where(~small)
        for c in ("starts", "closures", "open_plans"):
            t[c] = [suppress(v, threshold) for v in t[c]]
    return t


def _date_marker(fig, x: date, text: str, rows: int, anchor: str = "left"):
    """A vertical reference line across every panel, labelled once inside the top panel."""
    for r in range(1, rows + 1):
        fig.add_shape(type="line", x0=x, x1=x, y0=0, y1=1, xref=f"x{'' if r == 1 else r}",
                      yref=f"y{'' if r == 1 else r} domain", line=dict(color=STANDARD_COLOUR, dash="dash", width=1.5))
    fig.add_annotation(x=x, y=1.0, xref="x", yref="y domain", text=text, showarrow=False, yanchor="top",
                       xanchor=anchor, xshift=4 if anchor == "left" else -4, bgcolor="rgba(255,255,255,0.85)",
                       font=dict(size=11, color=STANDARD_COLOUR))


def trend_figure(table: pd.DataFrame, *, pilot_start: date, evaluation_end: date, raw: pd.DataFrame | None = None,
                 presentation: bool = False) -> go.Figure:
    """Three panels over months: CIN starts and closures per team, and the median age of open plans.

    The pilot's start and the end of its evaluation period are drawn as dashed vertical lines,
    with the evaluation period shaded. ``raw`` (numeric counts, same rows) gives line values
    when ``table`` holds suppressed text; hover text always comes from ``table``.
    """
    if table.empty:
        return empty_figure(TREND_TITLE)
    values = raw if raw is not None else table
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.09,
                        subplot_titles=("CIN plans started per team", "CIN plans closed per team",
                                        "Median age of open CIN plans (days)"))
    for cohort in ("pilot", "comparison"):
        sel = table["cohort"] == cohort
        shown, num = table[sel], values[sel]
        months = pd.to_datetime(shown["month"])
        style = COHORT_STYLE[cohort]
        common = dict(mode="lines+markers", legendgroup=cohort,
                      line=dict(color=style["color"], dash=style["dash"], width=2),
                      marker=dict(symbol=style["symbol"], size=6, color=style["color"]))
        fig.add_trace(go.Scatter(x=months, y=num["starts_per_team"], name=COHORT_LABELS[cohort],
                                 customdata=np.column_stack([shown["starts"].astype(str), shown["teams"]]),
                                 hovertemplate="%{x|%b %Y}: %{y:.1f} per team (%{customdata[0]} started, "
                                               "%{customdata[1]} team(s))<extra>" + COHORT_LABELS[cohort] + "</extra>",
                                 **common), row=1, col=1)
        fig.add_trace(go.Scatter(x=months, y=num["closures_per_team"], name=COHORT_LABELS[cohort], showlegend=False,
                                 customdata=np.column_stack([shown["closures"].astype(str), shown["teams"]]),
                                 hovertemplate="%{x|%b %Y}: %{y:.1f} per team (%{customdata[0]} closed)<extra>"
                                               + COHORT_LABELS[cohort] + "</extra>", **common), row=2, col=1)
        fig.add_trace(go.Scatter(x=months, y=shown["median_open_age"], name=COHORT_LABELS[cohort], showlegend=False,
                                 customdata=shown["open_plans"].astype(str),
                                 hovertemplate="%{x|%b %Y}: median %{y:.0f} days (%{customdata} open)<extra>"
                                               + COHORT_LABELS[cohort] + "</extra>", **common), row=3, col=1)
    fig.add_vrect(x0=pilot_start, x1=evaluation_end, fillcolor=GREY, opacity=0.12, line_width=0, row="all", col=1)
    _date_marker(fig, pilot_start, f"Pilot start {_d(pilot_start)}", 3, "right")
    _date_marker(fig, evaluation_end, f"Evaluation period ends {_d(evaluation_end)}", 3, "left")
    fig.update_yaxes(rangemode="tozero")
    fig.update_xaxes(title_text="Month", row=3, col=1)
    fig.update_layout(template=TEMPLATE_NAME, title=dict(text=TREND_TITLE, subtitle=dict(
        text="Shaded: the pilot's evaluation period. Starts and closures per team, as the comparison group has "
             "several teams.")), height=640, margin=dict(t=120),
                      legend=dict(orientation="h", yanchor="top", y=-0.1, xanchor="left", x=0))
    return fig


def trend_summary(table: pd.DataFrame, pilot_start: date, evaluation_end: date) -> str:
    facts = [f"Vertical lines mark the pilot start on {_d(pilot_start)} and the end of its evaluation period "
             f"on {_d(evaluation_end)}"]
    if not table.empty:
        facts.append(f"{len(table['month'].unique())} months from {_d(pd.Timestamp(table['month'].min()).date())}")
    return aria_summary("Line charts", TREND_TITLE, *facts)


# --------------------------------------------------------------------------- closure routes

def routes_table(routes: pd.DataFrame, *, periods: dict[str, str] | None = None, presentation: bool = False,
                 threshold: int = 5) -> pd.DataFrame:
    """Cohort x end reason: plans, the cohort's closed plans and the share (percent)."""
    cols = ["cohort", "period", "end_reason", "route", "plans", "closed", "percent"]
    if routes.empty:
        return pd.DataFrame(columns=cols)
    t = routes.copy()
    t["route"] = t["end_reason"].map(ROUTE_LABELS)
    t["percent"] = (100 * t["share"]).round(1)
    t = t[cols]
    if presentation:
        small = (t["plans"] > 0) & (t["plans"] < threshold)
        t["percent"] = t["percent"].where(~small)
        for c in ("plans", "closed"):
            t[c] = [suppress(v, threshold) for v in t[c]]
    return t


def _cohort_name(cohort: str, period: str) -> str:
    return f"{COHORT_LABELS[cohort]}, {period}"


def routes_title(routes: pd.DataFrame) -> str:
    if routes.empty or routes["closed"].sum() == 0:
        return "How CIN plans closed: no closed plans in the cohorts"
    achieved = routes[(routes["end_reason"] == "plan_achieved") & (routes["cohort"] == "pilot")
                      & (routes["period"] == "during")]
    if achieved.empty or pd.isna(achieved["share"].iloc[0]):
        return "How CIN plans closed, by cohort"
    share = 100 * achieved["share"].iloc[0]
    return f"How CIN plans closed: {share:.0f}% of the pilot team's closed plans were achieved"


def routes_figure(table: pd.DataFrame, title: str, *, reference: float | None = None) -> go.Figure:
    """100% stacked bars, one per cohort, split by closure route, each segment labelled with its %.

    ``reference`` (percent) draws the comparison teams' "plan achieved" share during the pilot as
    a dashed line, the yardstick for the pilot team's bar.
    """
    if table.empty or table["percent"].isna().all():
        return empty_figure(title, "No closed CIN plans in the cohorts")
    fig = base_figure(title, height=400)
    order = [_cohort_name(c, p) for c, p in COHORTS]
    for reason in ROUTE_LABELS:
        part = table[table["end_reason"] == reason]
        names = [_cohort_name(c, p) for c, p in zip(part["cohort"], part["period"])]
        fig.add_trace(go.Bar(
            y=names, x=part["percent"], orientation="h", name=ROUTE_LABELS[reason],
            marker=dict(color=ROUTE_COLOURS[reason], line=dict(color="white", width=0.5)),
            text=[f"{v:.0f}%" if pd.notna(v) and v >= 6 else "" for v in part["percent"]], textposition="inside",
            customdata=np.column_stack([part["plans"].astype(str), part["closed"].astype(str)]),
            hovertemplate=f"%{{y}}<br>{ROUTE_LABELS[reason]}: %{{x:.1f}}% (%{{customdata[0]}} of %{{customdata[1]}} "
                          "closed plans)<extra></extra>"))
    if reference is not None and not pd.isna(reference):
        fig.add_vline(x=reference, line=dict(color=STANDARD_COLOUR, dash="dash", width=2))
        fig.add_annotation(x=reference, y=1.0, xref="x", yref="paper", yanchor="bottom", showarrow=False,
                           text=f"Comparison teams during the pilot: {reference:.0f}% plan achieved",
                           font=dict(size=11, color=STANDARD_COLOUR))
    fig.update_layout(barmode="stack", legend=dict(orientation="h", yanchor="top", y=-0.24, x=0, traceorder="normal"),
                      margin=dict(t=90, l=20, b=110))
    fig.update_xaxes(title_text="% of the cohort's closed plans", range=[0, 100])
    fig.update_yaxes(categoryorder="array", categoryarray=order, autorange="reversed", automargin=True)
    return fig


def routes_summary(table: pd.DataFrame, title: str) -> str:
    facts = []
    for cohort, period in COHORTS:
        part = table[(table["cohort"] == cohort) & (table["period"] == period)].dropna(subset=["percent"])
        if not part.empty:
            top = part.sort_values("percent", ascending=False).iloc[0]
            facts.append(f"{_cohort_name(cohort, period)}: most often {top['route'].lower()} ({top['percent']:.0f}%)")
    return aria_summary("Stacked bar chart", title, *facts)


# --------------------------------------------------------------------------- workload

def workload_table(df: pd.DataFrame, outcome: str, *, presentation: bool = False, threshold: int = 5) -> pd.DataFrame:
    """Caseload band x cohort for one outcome: plans, with the outcome, percent and 95% interval."""
    cols = ["band", "cohort", "plans", "with_outcome", "percent", "ci_low", "ci_high"]
    part = df[df["outcome"] == outcome].sort_values(["band_order", "cohort"], ascending=[True, False])
    if part.empty:
        return pd.DataFrame(columns=cols)
    t = pd.DataFrame({"band": part["band"], "cohort": part["cohort"], "plans": part["n"],
                      "with_outcome": part["count"], "percent": (100 * part["value"]).round(1),
                      "ci_low": (100 * part["ci_low"]).round(1), "ci_high": (100 * part["ci_high"]).round(1)})
    if presentation:
        small = (t["plans"] > 0) & (t["plans"] < threshold)
        for c in ("percent", "ci_low", "ci_high"):
            t[c] = t[c].where(~small)
        for c in ("plans", "with_outcome"):
            t[c] = [suppress(v, threshold) for v in t[c]]
    return t.reset_index(drop=True)


def workload_title(table: pd.DataFrame, outcome: str) -> str:
    label = WORKLOAD_LABELS.get(outcome, outcome)
    return f"{label[0].upper()}{label[1:]} by the caseload per FTE of the plan's worker"


def workload_figure(table: pd.DataFrame, outcome: str, *, overall: float | None = None,
                    caseload_standard: float = 25, source: str = "000") -> go.Figure:
    """Bars per caseload band (worker's children per FTE when they took the plan), pilot vs
    comparison, with 95% Wilson intervals; the dashed line is the rate over all plans."""
    title = workload_title(table, outcome)
    if table.empty or table["percent"].isna().all():
        return empty_figure(title, "No plans with a key worker to band (or not yet measurable)")
    fig = base_figure(title, height=420)
    for cohort in ("pilot", "comparison"):
        part = table[table["cohort"] == cohort]
        style = COHORT_STYLE[cohort]
        fig.add_trace(go.Bar(
            x=part["band"], y=part["percent"], name=COHORT_LABELS[cohort],
            marker=dict(color=style["color"], pattern=dict(shape="" if cohort == "pilot" else "/")),
            error_y=dict(type="data", array=part["ci_high"] - part["percent"],
                         arrayminus=part["percent"] - part["ci_low"], visible=True),
            customdata=np.column_stack([part["with_outcome"].astype(str), part["plans"].astype(str)]),
            hovertemplate="%{x}: %{y:.0f}% (%{customdata[0]} of %{customdata[1]} plans)<extra>"
                          + COHORT_LABELS[cohort] + "</extra>"))
    if overall is not None and not pd.isna(overall):
        fig.add_hline(y=overall, line=dict(color=STANDARD_COLOUR, dash="dash", width=2),
                      annotation_text=f"All plans: {overall:.0f}%", annotation_position="top left",
                      annotation_font=dict(color=STANDARD_COLOUR, size=12))
    fig.update_layout(barmode="group", margin=dict(t=100))
    fig.update_xaxes(title_text=f"Worker's caseload per FTE when taking the plan "
                                f"({standard_label(caseload_standard, 'children per FTE', source)})")
    fig.update_yaxes(title_text="%", range=[0, 105])
    return fig


def workload_summary(table: pd.DataFrame, outcome: str) -> str:
    facts = [f"{COHORT_LABELS[r.cohort]}, caseload {r.band}: {r.percent:.0f}% of {r.plans} plans"
             for r in table.dropna(subset=["percent"]).itertuples()]
    return aria_summary("Bar chart", workload_title(table, outcome), *facts)


__all__ = ["scorecard_table", "scorecard_csv", "scorecard_title", "did_figure", "did_summary", "trend_table",
           "trend_figure", "trend_summary", "routes_table", "routes_title", "routes_figure", "routes_summary",
           "workload_table", "workload_title", "workload_figure", "workload_summary", "period_text",
           "verdict_badge", "COHORT_LABELS", "ROUTE_LABELS", "WORKLOAD_LABELS", "WORKLOAD_CHOICES", "TREND_TITLE"]
