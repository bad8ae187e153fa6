"""Plan durations page figures (docs/DEFINITIONS.md "Plan durations and drift"): duration bands, Kaplan-Meier curves,
drift by team, trend.

Each chart has a table builder (data-layer frame -> the exact frame the chart draws and the CSV
downloads) and a figure builder (that table -> a ``PlainFigure``): pure functions, no Dash, no queries.
Presentation mode comes as the view's :class:`~dashboard.disclosure.Disclosure`; every count is
decided there (``<5``, or ``*`` for a count hidden so that a small one cannot be worked out from a
total), and a hidden count is never drawn (bars, heatmap cells and line points are left out and the
mark is in the hover text). The counts of this page are linked: the tiles, the bands chart, the
trend and the drift matrix all show parts of the same open plans on the same date, so the cells
each chart hides are chosen against the totals the others show (:func:`hidden_counts`,
:func:`bands_table`, :func:`drift_matrix`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta
from plotly.colors import get_colorscale

from dashboard.disclosure import Disclosure, is_mark
from dashboard.theme import GREY, SAFE
from data_layer import vocabulary
from data_layer.standards import Standards, source_of, years_text
from data_layer.vocabulary import CIN_ORIGINS, DRIFT_FLAGS, PLAN_TYPES

from .common import (
    SMALL_COUNT,
    Figure,
    add_spanning_line,
    add_standard_line,
    aria_summary,
    base_figure,
    count_axis,
    drawn_top,
    empty_figure,
    iso_dates,
    legend_below,
    level_text,
    plural,
    title_layout,
)
from .plain import merge, plain_subplots

EXACT = Disclosure()

#: Average month length, to draw day durations on a month axis.
MONTH_DAYS = 365.25 / 12
#: Drift flags in the order the page shows them (labels, colours and standards: the vocabulary).
FLAGS = DRIFT_FLAGS.codes
#: Duration flags the monthly trend counts (review and visit flags are point-in-time only).
TREND_FLAGS = ("cin_over_12_months", "cin_9_month_review", "step_down_over_12_weeks", "cp_over_2_years")
#: Line dash and marker per trend flag, so the lines differ by more than colour (the flag's colour).
TREND_STYLES = {
    "cin_over_12_months": ("solid", "circle"),
    "cin_9_month_review": ("dot", "square"),
    "step_down_over_12_weeks": ("dash", "diamond"),
    "cp_over_2_years": ("dashdot", "triangle-up"),
}
#: Counts of one date that are nested groups of the same plans, largest first.
CIN_CHAIN = ("open_cin", "cin_9_month_review", "cin_over_12_months")
CP_CHAIN = ("open_cp", "cp_over_2_years")
PLAN_COUNTS = (
    "open_cin",
    "cin_9_month_review",
    "cin_over_12_months",
    "step_down_over_12_weeks",
    "open_cp",
    "cp_over_2_years",
)


def flag_label(flag: str, standards=None) -> str:
    """'CIN review overdue', or given the standards in force: 'CIN review overdue (over 42 days)'."""
    return vocabulary.flag_label(flag, standards, with_standard=standards is not None)


def _source(standards, name: str) -> str:
    try:
        return source_of(name)
    except KeyError:
        return "configuration"


def _period(months: int, adjective: bool = False) -> str:
    """'2 years' ('2-year' before a noun), or '18 months' ('18-month') when not whole years."""
    text = years_text(months)
    return text.removesuffix("s").replace(" ", "-") if adjective else text


def _plotted(v) -> float | None:
    """The number to draw for a table cell: ``None`` for a mark or a blank (a hidden count is not drawn)."""
    if v is None or is_mark(v):
        return None
    if isinstance(v, str):
        v = v.replace(",", "").strip()
        if not v:
            return None
    x = float(v)
    return None if math.isnan(x) else x


def _with_alpha(colour: str, alpha: float) -> str:
    """A translucent version of a palette colour ('rgb(r, g, b)' or '#rrggbb') for interval bands."""
    if colour.startswith("rgb("):
        return colour.replace("rgb(", "rgba(").replace(")", f", {alpha})")
    h = colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r}, {g}, {b}, {alpha})"


# --------------------------------------------------------------------------- the counts of one date


def hidden_counts(row: Mapping, d: Disclosure = EXACT) -> dict[str, bool]:
    """Which plan counts of one date (a ``drift_trend`` row) presentation mode hides.

    Open CIN plans, those over 9 months and those over 12 months are nested groups, as are open
    CP plans and those over 2 years, and CP step-down plans over 12 weeks are part of the open CIN
    plans: a difference of two shown counts must not be a small count either
    (:meth:`Disclosure.nested`). The tiles, the trend, the bands chart and the drift matrix all
    use this decision, so one count has one fate on the page (and the same as on the Overview).
    """
    out = {c: False for c in PLAN_COUNTS}
    if not d.active:
        return out
    cin = d.nested([int(row[c]) for c in CIN_CHAIN])
    out.update({c: i in cin for i, c in enumerate(CIN_CHAIN)})
    cp = d.nested([int(row[c]) for c in CP_CHAIN])
    out.update({c: i in cp for i, c in enumerate(CP_CHAIN)})
    step, open_cin = int(row["step_down_over_12_weeks"]), int(row["open_cin"])
    out["step_down_over_12_weeks"] = d.small(step) or (not out["open_cin"] and d.small(open_cin - step))
    return out


# --------------------------------------------------------------------------- duration bands


def _suffix_starts(standards: Standards, edges: tuple[int, ...], plan_type: str) -> list[int]:
    """First band index of each nested count shown elsewhere (over 9 and 12 months; over 2 years)."""
    values = (
        (standards.cin_sm_review_months, standards.cin_max_months) if plan_type == "cin" else (standards.cp_max_months,)
    )
    return [edges.index(v) + 1 for v in values if v in edges]


def _band_groups(values: list[int], starts: list[int], d: Disclosure) -> tuple[list[range], list[range]]:
    """The groups of one open row of bands whose totals are shown (``known``) or hidden (``secret``).

    The row's total and each "over N months" count (its suffix from ``starts``) are shown on the
    page (tiles, title, trend) unless :meth:`Disclosure.nested` hides them: bands between two
    shown boundaries add up to a known difference; each hidden boundary must keep a hidden band
    on both sides, or the bands around it would give it back.
    """
    k = len(values)
    bounds = [0, *starts]
    totals = [sum(values[s:]) for s in bounds]
    hidden = d.nested(totals)
    shown = sorted({b for i, b in enumerate(bounds) if i not in hidden} | {k})
    known = [range(a, b) for a, b in zip(shown, shown[1:], strict=False)]
    secret = []
    for i, b in enumerate(bounds):
        if i in hidden:
            below = [s for s in shown if s < b]
            above = [s for s in shown if s > b]
            if below:
                secret.append(range(below[-1], b))
            secret.append(range(b, above[0] if above else k))
    return known, secret


OPEN_STATUS = "Open on the date"


def closed_status(standards=None) -> str:
    """The bands' status of a closed plan, naming the reporting window: "Closed in the 12 months"."""
    return f"Closed in the {(standards or Standards()).window}"


def bands_table(bands: pd.DataFrame, d: Disclosure = EXACT, standards=None) -> pd.DataFrame:
    """Plans by type, duration band and open/closed, as drawn and downloaded.

    Columns ``plan_type`` (CIN/CP), ``band``, ``band_order``, ``status`` ("Open on the date" /
    "Closed in the 12 months"), ``plans``. In presentation mode ``plans`` is display text: a
    band under the threshold is the mark, and ``*`` hides the next band where the totals shown on
    the page (open and closed plans of a type, plans over 9 and 12 months, over 2 years: pass
    ``standards``) would give a hidden band back.
    """
    cols = ["plan_type", "band", "band_order", "status", "plans"]
    if bands.empty:
        return pd.DataFrame(columns=cols)
    t = bands.sort_values(["plan_type", "band_order", "open"]).reset_index(drop=True)
    out = pd.DataFrame(
        {
            "plan_type": t["plan_type"].map(PLAN_TYPES.labels()),
            "band": t["band"],
            "band_order": t["band_order"].astype(int),
            "status": np.where(t["open"], OPEN_STATUS, closed_status(standards)),
            "plans": t["n"].astype(int),
        }
    )
    if not d.active:
        return out
    values = out["plans"].tolist()
    edges = None
    if standards is not None:
        from data_layer.metrics.plan_survival import band_edges

        edges = band_edges(standards)
    known, secret = [], []
    for plan_type in t["plan_type"].unique():
        of_type = t.index[t["plan_type"] == plan_type]
        known.append(list(of_type))
        closed = [i for i in of_type if not t.at[i, "open"]]
        known.append(closed)
        open_ = [i for i in of_type if t.at[i, "open"]]
        starts = _suffix_starts(standards, edges, plan_type) if edges else []
        k, s = _band_groups([values[i] for i in open_], starts, d)
        known += [[open_[j] for j in g] for g in k]
        secret += [[open_[j] for j in g] for g in s]
    hidden = d.secondary_groups(values, known, secret=secret)
    out["plans"] = [d.cell_text(v, i in hidden, commas=False) for i, v in enumerate(values)]
    return out


def bands_title(bands: pd.DataFrame, edges: tuple[int, ...], cin_max_months: int = 12, d: Disclosure = EXACT) -> str:
    """The finding: how many open CIN plans are past the 12-month expectation (as the tiles show it)."""
    if bands.empty or cin_max_months not in edges:
        return "How long CIN and CP plans last, in bands of the practice standards"
    beyond = edges.index(cin_max_months) + 1
    cin_open = bands[(bands["plan_type"] == "cin") & bands["open"]]
    n_open = int(cin_open["n"].sum())
    over = int(cin_open.loc[cin_open["band_order"] >= beyond, "n"].sum())
    if n_open == 0:
        return "How long CIN and CP plans last: no CIN plans open on the date"
    hidden = d.nested([n_open, over])
    one = n_open == 1 and 0 not in hidden
    return (
        f"{d.cell_text(over, 1 in hidden)} of {d.cell_text(n_open, 0 in hidden)} open CIN "
        f"plan{'' if one else 's'} {'has' if one else 'have'} lasted more than {cin_max_months} months"
    )


def _band_standards(standards: Standards, edges: tuple[int, ...]) -> list[tuple[str, int, str, str]]:
    """(plan type, edge, short label, source) of each standard drawn on the bands chart."""
    out = []
    s = standards
    for value, name, plan_type, text in (
        (s.cin_tm_review_first_months, "cin_tm_review_first_months", "cin", "TM review"),
        (s.cin_tm_review_second_months, "cin_tm_review_second_months", "cin", "TM review"),
        (s.cin_sm_review_months, "cin_sm_review_months", "cin", "SM review"),
        (s.cin_max_months, "cin_max_months", "cin", "CIN limit"),
        (s.cp_max_months, "cp_max_months", "cp", f"CP {_period(s.cp_max_months, adjective=True)} indicator"),
    ):
        if value in edges:
            source = _source(standards, name)
            out.append((plan_type, value, text, source))
    return out


def bands_empty(table: pd.DataFrame) -> bool:
    """No plan open or closed in the window (a hidden count is still a plan)."""
    return table.empty or not any(is_mark(v) or (_plotted(v) or 0) > 0 for v in table["plans"])


def bands_figure(table: pd.DataFrame, title: str, edges: tuple[int, ...], standards: Standards) -> Figure:
    """CIN and CP side by side: plans per duration band, closed solid and open hatched, standards dashed.

    The bands' edges *are* the standards (3/6-month Team Manager reviews, 9-month Service Manager
    review, 12-month CIN expectation, 2-year CP indicator), so each is drawn as a dashed line on
    the boundary between the two bands it separates. A hidden count has no bar (hover: the mark).
    """
    if bands_empty(table):
        return empty_figure(title, "No plans open or closed in the 12 months for the selected teams")
    fig = plain_subplots(
        rows=1, cols=2, shared_yaxes=False, horizontal_spacing=0.08, subplot_titles=("CIN plans", "CP plans")
    )
    fig.update_layout(title=title_layout(title), height=560)
    bands_in_order = list(table.sort_values("band_order")["band"].drop_duplicates())
    for col, plan_type in enumerate(("cin", "cp"), start=1):
        label = PLAN_TYPES.label(plan_type)
        part = table[table["plan_type"] == label]
        for status, pattern, opacity in ((closed_status(standards), "", 1.0), (OPEN_STATUS, "/", 0.65)):
            rows = part[part["status"] == status].set_index("band").reindex(bands_in_order)
            shown = [0 if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in rows["plans"]]
            fig.add_trace(
                dict(
                    type="bar",
                    x=bands_in_order,
                    y=[_plotted(v) for v in shown],
                    name=f"{label} {status.lower()}",
                    marker=dict(
                        color=PLAN_TYPES.colour(plan_type),
                        opacity=opacity,
                        pattern=dict(shape=pattern),
                        line=dict(color="white", width=0.5),
                    ),
                    customdata=[[str(v)] for v in shown],
                    hovertemplate=f"{label} %{{x}}, {status.lower()}: %{{customdata[0]}} plans<extra></extra>",
                ),
                row=1,
                col=col,
            )
    # Each standard's label sits above its panel, short and centred on its line: rotated labels in
    # white boxes inside the plot covered the bars' edges (the boxes hid what they labelled).
    sources: dict[int, set[str]] = {1: set(), 2: set()}
    for plan_type, value, text, source in _band_standards(standards, edges):
        col = 1 if plan_type == "cin" else 2
        sources[col].add(source)
        add_standard_line(fig, edges.index(value) + 0.5, f"{value}m<br>{text}", axis="x", row=1, col=col)
        merge(
            fig.layout_json["annotations"][-1],
            dict(
                y=1, yref="y domain" if col == 1 else "y2 domain", yanchor="bottom", xanchor="center", font={"size": 10}
            ),
        )
    annotations = fig.layout_json["annotations"]
    for col, heading in enumerate(annotations[:2], start=1):  # the panels' own titles, above the labels
        cited = ", ".join(sorted(sources[col]))
        heading.update(yshift=26, text=heading["text"] + (f" ({cited})" if cited else ""))
    fig.update_layout(barmode="stack", bargap=0.15, margin=dict(t=120, b=150))
    legend_below(fig)
    fig.update_xaxes({"title": {"text": "How long the plan has lasted (calendar months)"}, "tickangle": -30})
    for col, panel in ((1, "y"), (2, "y2")):  # each panel ticks on its own counts (axes not shared)
        fig.update_yaxes(count_axis(drawn_top(fig, yaxis=panel)), row=1, col=col)
    fig.update_yaxes({"title": {"text": "Plans"}}, row=1, col=1)
    return fig


def bands_summary(table: pd.DataFrame, title: str, standards=None) -> str:
    if table.empty:
        return aria_summary("Bar chart", title, "No plans for the selected teams")
    s = standards or Standards()
    facts = [
        "Two panels, CIN and CP plans, counting plans by how long they have lasted, closed plans solid "
        "and open plans hatched",
        f"Dashed lines mark the {s.cin_tm_review_first_months} and {s.cin_tm_review_second_months} month Team "
        f"Manager reviews, the {s.cin_sm_review_months} month Service Manager review, the {s.cin_max_months} month "
        f"CIN expectation and the {_period(s.cp_max_months, adjective=True)} CP indicator",
    ]
    return aria_summary("Bar chart", title, *facts)


# --------------------------------------------------------------------------- Kaplan-Meier


def group_label(group: str, by: str | None) -> str:
    if by == "plan_type":
        return (PLAN_TYPES.label(group) if group in PLAN_TYPES else group) + " plans"
    if by == "origin":
        return CIN_ORIGINS.label(group) if group in CIN_ORIGINS else group
    return group


def km_visible(curves: pd.DataFrame, d: Disclosure = EXACT) -> pd.DataFrame:
    """The curve points that may be shown: in presentation mode a curve stops where fewer plans than
    the threshold are still followed (each step there would be one or two children's plans)."""
    if not d.active or curves.empty:
        return curves
    return curves[curves["at_risk"].astype(float) >= d.threshold].reset_index(drop=True)


def _nan(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def km_medians(medians: pd.DataFrame, curves: pd.DataFrame, d: Disclosure = EXACT) -> pd.DataFrame:
    """The medians with what may be said of each: ``median_hidden``, ``lo_hidden``, ``hi_hidden``, ``mean_hidden``.

    In presentation mode a median (and its interval) resting on fewer closed plans than the
    threshold, or falling where the curve is no longer drawn (:func:`km_visible`), is not shown;
    nor is a bound of its interval that falls there, nor the average of fewer closed plans than
    the threshold.
    """
    out = medians.copy()
    for c in ("median_hidden", "lo_hidden", "hi_hidden", "mean_hidden"):
        out[c] = False
    if not d.active or out.empty:
        return out
    visible = km_visible(curves, d)
    last = visible.groupby("group")["days"].max().to_dict() if len(visible) else {}
    for i, r in out.iterrows():
        end = last.get(r["group"], -1.0)
        few = d.hides(r["closed"])
        med_hidden = few or (not _nan(r["median_days"]) and r["median_days"] > end)
        out.at[i, "median_hidden"] = med_hidden
        out.at[i, "lo_hidden"] = med_hidden or (not _nan(r["ci_low"]) and r["ci_low"] > end)
        out.at[i, "hi_hidden"] = med_hidden or (not _nan(r["ci_high"]) and r["ci_high"] > end)
        out.at[i, "mean_hidden"] = few
    return out


def km_table(curves: pd.DataFrame, by: str | None = None, d: Disclosure = EXACT) -> pd.DataFrame:
    """The survival curves as downloaded: group, days, months, share still open, its interval, plans at risk.

    In presentation mode only the points drawn (:func:`km_visible`), and without ``at_risk``:
    consecutive numbers at risk differ by the one or two plans that ended or were censored that day.
    """
    cols = ["group", "days", "months", "share_still_open", "ci_low", "ci_high", "at_risk"]
    if d.active:
        cols = cols[:-1]
    curves = km_visible(curves, d)
    if curves.empty:
        return pd.DataFrame(columns=cols)
    t = pd.DataFrame(
        {
            "group": [group_label(g, by) for g in curves["group"]],
            "days": curves["days"].astype(float).round(0).astype(int),
            "months": (curves["days"].astype(float) / MONTH_DAYS).round(2),
            "share_still_open": curves["survival"].astype(float).round(4),
            "ci_low": curves["ci_low"].astype(float).round(4),
            "ci_high": curves["ci_high"].astype(float).round(4),
            "at_risk": curves["at_risk"].astype(int),
        }
    )
    return t[cols]


def _months(days: float) -> str:
    return f"{days / MONTH_DAYS:.1f} months"


def median_text(row: Mapping, level: float = 0.95) -> str:
    """'7.2 months (95% CI 6.1 to 8.0)' at confidence ``level`` (the ``confidence_level`` standard);
    'not reached' when over half the plans are still open.

    With :func:`km_medians` flags: 'not shown (too few plans behind it)' for a hidden median, and
    a hidden bound of its interval reads 'not shown'.
    """
    if row.get("median_hidden", False):
        return "not shown (too few plans behind it)"
    med = row["median_days"]
    if _nan(med):
        return "not reached (over half still open)"
    lo, hi = row["ci_low"], row["ci_high"]
    lo_t = "not shown" if row.get("lo_hidden", False) else "?" if _nan(lo) else f"{lo / MONTH_DAYS:.1f}"
    hi_t = "not shown" if row.get("hi_hidden", False) else "not reached" if _nan(hi) else f"{hi / MONTH_DAYS:.1f}"
    return f"{_months(med)} ({level_text(level)} CI {lo_t} to {hi_t})"


def km_title(medians: pd.DataFrame, by: str | None) -> str:
    if medians.empty:
        return "How long plans stay open (Kaplan-Meier)"
    if by == "plan_type":
        parts = []
        for row in medians.to_dict("records"):
            name = PLAN_TYPES.label(row["group"]) if row["group"] in PLAN_TYPES else row["group"]
            if row.get("median_hidden", False):
                parts.append(f"{name} plans: median not shown")
            elif _nan(row["median_days"]):
                parts.append(f"{name} plans: over half still open")
            else:
                parts.append(f"{name} plans: median {_months(row['median_days'])}")
        return "How long plans stay open — " + "; ".join(parts)
    by_text = {"origin": "by how the plan started", None: ""}.get(by, "by team")
    return f"How long plans stay open {by_text}".strip() + " (median per group in the legend)"


def km_note(medians: pd.DataFrame, by: str | None, d: Disclosure = EXACT, level: float = 0.95) -> str:
    """Each group's median beside the average of closed plans, with this view's numbers (why they differ is
    in the page's method note, ``dashboard.sections.methods.plans_method``)."""
    parts = []
    for row in medians.to_dict("records"):
        mean = row["closed_mean_days"]
        if row.get("mean_hidden", False):
            mean_t = "average of closed plans not shown (too few)"
        else:
            mean_t = "no closed plans" if _nan(mean) else f"average of closed plans only {_months(mean)}"
        parts.append(f"{group_label(row['group'], by)}: median {median_text(row, level)}; {mean_t}")
    why = ""
    if d.active:
        why = (
            f"In presentation mode a group of fewer than {d.threshold} plans is not drawn, a curve stops where "
            f"fewer than {d.threshold} plans are still followed, and a median or average resting on fewer than "
            f"{d.threshold} closed plans is not shown."
        )
    return " ".join(t for t in (why, " · ".join(parts) + "." if parts else "") if t)


#: Decimals the survival curves are drawn to (months on x, shares on y); the CSV keeps every digit.
DRAWN_DIGITS = 4


def km_figure(
    curves: pd.DataFrame,
    medians: pd.DataFrame,
    title: str,
    by: str | None,
    standards,
    plan_types: tuple[str, ...] = ("cin", "cp"),
) -> Figure:
    """Share of plans still open against time open, a step line per group with its band (the confidence level).

    ``curves`` are the points to draw (:func:`km_visible`), ``medians`` those of :func:`km_medians`
    (a hidden median has no marker, a hidden bound no arm). The median (where the curve crosses
    one half) is marked with its interval as a horizontal error bar. Standards drawn: the
    12-month CIN expectation, the 2-year CP indicator and, for the origin view, the 12-week
    step-down limit. The chart's note (:func:`km_note`) says why this is not an average of closed
    plans, with this view's numbers.
    """
    if curves.empty:
        return empty_figure(title, "No plans for the selected teams")
    fig = base_figure(title, height=480)
    groups = list(medians["group"])
    for i, group in enumerate(groups):
        vocab = PLAN_TYPES if by == "plan_type" else CIN_ORIGINS if by == "origin" else None
        colour = vocab.colour(group) if vocab is not None and group in vocab else SAFE[i % len(SAFE)]
        c = curves[curves["group"] == group].sort_values("days")
        if c.empty:
            continue
        # Drawn to DRAWN_DIGITS decimals (of a month, of a share): 15 digits each were 80% of the
        # chart's JSON, and a thousandth of a month or of a percentage point is not a pixel.
        x = (c["days"].astype(float) / MONTH_DAYS).round(DRAWN_DIGITS).tolist()
        name = group_label(group, by)
        fig.add_trace(
            dict(
                type="scatter",
                x=x,
                y=c["ci_high"].round(DRAWN_DIGITS).tolist(),
                mode="lines",
                line=dict(width=0, shape="hv"),
                showlegend=False,
                hoverinfo="skip",
                legendgroup=name,
            )
        )
        fig.add_trace(
            dict(
                type="scatter",
                x=x,
                y=c["ci_low"].round(DRAWN_DIGITS).tolist(),
                mode="lines",
                line=dict(width=0, shape="hv"),
                fill="tonexty",
                fillcolor=_with_alpha(colour, 0.18),
                showlegend=False,
                hoverinfo="skip",
                legendgroup=name,
            )
        )
        fig.add_trace(
            dict(
                type="scatter",
                x=x,
                y=c["survival"].round(DRAWN_DIGITS).tolist(),
                mode="lines",
                name=name,
                legendgroup=name,
                line=dict(color=colour, width=3, shape="hv", dash=["solid", "dash", "dot", "dashdot"][i % 4]),
                customdata=[[v] for v in c["days"].round(0).astype(int).tolist()],
                hovertemplate=f"{name}<br>%{{customdata[0]}} days: %{{y:.0%}} still open<extra></extra>",
            )
        )
        row = medians[medians["group"] == group].iloc[0]
        med = row["median_days"]
        if not _nan(med) and not row.get("median_hidden", False):
            end = float(c["days"].max())
            lo = med if _nan(row["ci_low"]) or row.get("lo_hidden", False) else row["ci_low"]
            hi = end if _nan(row["ci_high"]) or row.get("hi_hidden", False) else row["ci_high"]
            fig.add_trace(
                dict(
                    type="scatter",
                    x=[med / MONTH_DAYS],
                    y=[0.5],
                    mode="markers",
                    name=f"{name} median",
                    legendgroup=name,
                    showlegend=False,
                    marker=dict(color=colour, size=11, symbol="diamond", line=dict(color="white", width=1)),
                    error_x=dict(
                        type="data",
                        symmetric=False,
                        array=[max(hi - med, 0) / MONTH_DAYS],
                        arrayminus=[max(med - lo, 0) / MONTH_DAYS],
                        color=colour,
                        thickness=2,
                        width=6,
                    ),
                    hovertemplate=f"{name}: median {median_text(row, standards.confidence_level)}<extra></extra>",
                )
            )
    if any((t.get("name") or "").endswith(" median") for t in fig.traces):
        fig.add_trace(
            dict(
                type="scatter",
                x=[None],
                y=[None],
                mode="markers",
                name=f"◆ Median with its {level_text(standards.confidence_level)} interval",
                marker=dict(symbol="diamond", size=10, color=GREY),
            )
        )
    add_spanning_line(fig, 0.5, line=dict(color=GREY, dash="dot", width=1))
    lines = []
    if "cin" in plan_types:
        lines.append(
            (
                standards.cin_max_months,
                f"Standard: CIN {standards.cin_max_months} months ({_source(standards, 'cin_max_months')})",
            )
        )
    if "cp" in plan_types:
        lines.append(
            (
                standards.cp_max_months,
                f"CP indicator: {standards.cp_max_months} months ({_source(standards, 'cp_max_months')})",
            )
        )
    if by == "origin":
        weeks = standards.step_down_max_days / 7
        lines.append(
            (
                standards.step_down_max_days / MONTH_DAYS,
                f"Standard: step-downs {weeks:g} weeks ({_source(standards, 'step_down_max_days')})",
            )
        )
    for i, (value, label) in enumerate(sorted(lines)):
        add_standard_line(fig, value, label, axis="x", position="top right")
        merge(
            fig.layout_json["annotations"][-1],
            dict(yref="paper", y=0.98 - 0.07 * i, yanchor="top", font={"size": 11}, bgcolor="rgba(255, 255, 255, 0.8)"),
        )
    fig.update_xaxes({"title": {"text": "Months since the plan started"}, "rangemode": "tozero"})
    fig.update_yaxes({"title": {"text": "Share of plans still open"}, "tickformat": ".0%", "range": [0, 1.02]})
    fig.update_layout(margin=dict(t=70, b=120))
    legend_below(fig)
    return fig


def km_summary(
    medians: pd.DataFrame, title: str, by: str | None, sizes: Mapping[str, str] | None = None, level: float = 0.95
) -> str:
    """The accessible summary; ``sizes`` (group -> displayed number of plans) replaces the exact sizes."""
    if medians.empty:
        return aria_summary("Survival curve", title, "No plans for the selected teams")
    facts = []
    for r in medians.to_dict("records"):
        size = f"{sizes[r['group']]} plans" if sizes is not None else plural(int(r["n"]), "plan")
        facts.append(f"{group_label(r['group'], by)}: median {median_text(r, level)} from {size}")
    return aria_summary("Survival curve (Kaplan-Meier)", title, *facts, "Open plans are censored at the as-at date")


# --------------------------------------------------------------------------- drift by team


def _drift_wide(counts: pd.DataFrame, team_names: Mapping[str, str] | None = None) -> pd.DataFrame:
    team_names = dict(team_names or {})
    c = counts.copy()
    names = {str(r.team_id): (r.team_name or team_names.get(str(r.team_id)) or str(r.team_id)) for r in c.itertuples()}
    c["team"] = [names[str(t)] if t is not None else "No team recorded" for t in c["team_id"]]
    wide = c.pivot_table(index="team", columns="flag", values="n", aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=list(FLAGS), fill_value=0)
    wide["total"] = wide.sum(axis=1)
    wide = wide.sort_values(["total"], ascending=False, kind="mergesort").reset_index()
    wide.columns.name = None
    for col in (*FLAGS, "total"):
        wide[col] = wide[col].astype(int)
    return wide


def drift_matrix(
    counts: pd.DataFrame,
    team_names: Mapping[str, str] | None = None,
    d: Disclosure = EXACT,
    *,
    hidden_totals: Iterable[str] = (),
) -> pd.DataFrame:
    """Teams x flags: plans carrying each flag (0 where none), one row per team, as downloaded.

    Columns ``team`` then one per flag in :data:`FLAGS` order, then ``total``; teams with the most
    flags first. In presentation mode the cells are display text: a count under the threshold
    is the mark, and ``*`` hides more cells until no hidden one can be worked out from a team's
    total, from a flag's total (shown in the title, the tiles or the trend) or, within a team,
    from plans over 9 months minus those over 12. ``hidden_totals``: flags whose total the page
    hides (:func:`hidden_counts`): their column keeps a hidden cell, or it would add up to it.
    """
    if counts.empty:
        return pd.DataFrame(columns=["team", *FLAGS, "total"])
    wide = _drift_wide(counts, team_names)
    if not d.active:
        return wide
    nf = len(FLAGS)
    cells = wide[list(FLAGS)].to_numpy().ravel().tolist()
    start = set()
    nine, twelve = FLAGS.index("cin_9_month_review"), FLAGS.index("cin_over_12_months")
    for r in range(len(wide)):
        if 0 in d.nested([cells[r * nf + nine], cells[r * nf + twelve]]):
            start.add(r * nf + nine)
    rows = [range(r * nf, (r + 1) * nf) for r in range(len(wide)) if not d.hides(wide.at[r, "total"])]
    hidden_totals = set(hidden_totals)
    columns = {f: [r * nf + j for r in range(len(wide))] for j, f in enumerate(FLAGS)}
    known = rows + [g for f, g in columns.items() if f not in hidden_totals]
    secret = [g for f, g in columns.items() if f in hidden_totals]
    hidden = d.secondary_groups(cells, known, secret=secret, hidden=start)
    out = wide[["team"]].copy()
    for j, f in enumerate(FLAGS):
        out[f] = [d.cell_text(cells[r * nf + j], r * nf + j in hidden, commas=False) for r in range(len(wide))]
    out["total"] = [d.cell_text(v, d.hides(v), commas=False) for v in wide["total"]]
    return out


def drift_title(
    counts: pd.DataFrame, d: Disclosure = EXACT, *, hidden_totals: Iterable[str] = (), standards=None
) -> str:
    """The most common flag and how many plans carry it; a plain title when that number is hidden."""
    if counts.empty:
        return "No open plan breaches a standard on this date"
    totals = counts.groupby("flag")["n"].sum()
    top = max(FLAGS, key=lambda f: (int(totals.get(f, 0)), -FLAGS.index(f)))
    n = int(totals.get(top, 0))
    if d.hides(n) or (d.active and top in set(hidden_totals)):
        return "Open plans breaching a standard on this date, by team and flag"
    teams = counts.loc[(counts["flag"] == top) & (counts["n"] > 0), "team_id"].nunique()
    label = vocabulary.flag_label(top, standards)
    return f"{label} is the most common drift: {d.count(n)} plans across {plural(teams, 'team')}"


def drift_figure(matrix: pd.DataFrame, title: str, standards) -> Figure:
    """Heatmap of flags (rows, each labelled with its standard) by team (columns), counts written in.

    A hidden cell has no colour (a gap) and shows its mark."""
    if matrix.empty:
        return empty_figure(title, "No drift flags for the selected teams on this date")
    y = [flag_label(f, standards) for f in FLAGS]
    text = [[str(v) for v in matrix[f]] for f in FLAGS]
    z = [[_plotted(v) for v in matrix[f]] for f in FLAGS]
    fig = base_figure(title, height=430)
    fig.add_trace(
        dict(
            type="heatmap",
            x=matrix["team"].astype(str).tolist(),
            y=y,
            z=z,
            text=text,
            texttemplate="%{text}",
            colorscale=get_colorscale("Blues"),  # as Plotly's validation spells it out
            xgap=2,
            ygap=2,
            colorbar=dict(title={"text": "Plans"}),
            hovertemplate="%{x}<br>%{y}: %{text} plans<extra></extra>",
            zmin=0,
        )
    )
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(side="bottom", tickangle=-20, automargin=True)
    return fig


def drift_summary(matrix: pd.DataFrame, title: str) -> str:
    if matrix.empty:
        return aria_summary("Heatmap", title, "No drift flags")
    top = matrix.iloc[0]
    return aria_summary(
        "Heatmap",
        title,
        "Rows are teams, columns are drift flags with their standards, cells count open plans carrying the flag",
        f"Most flags: {top['team']} with {top['total']}",
    )


# --------------------------------------------------------------------------- trend

TREND_COLUMNS = ["as_at", "open_cin", *TREND_FLAGS[:3], "open_cp", "cp_over_2_years", "pct_cin_over_12_months"]


def trend_table(trend: pd.DataFrame, d: Disclosure = EXACT) -> pd.DataFrame:
    """Monthly counts as downloaded: date, open CIN and CP plans, each duration flag, % of CIN over 12 months.

    In presentation mode each date's counts are display text decided by :func:`hidden_counts`,
    and the percentage is the mark when a count it comes from is hidden.
    """
    out = trend[TREND_COLUMNS].copy()
    out["pct_cin_over_12_months"] = out["pct_cin_over_12_months"].astype(float).round(1)
    if not d.active or out.empty:
        return out
    fates = [hidden_counts(r, d) for r in trend.to_dict("records")]
    for c in TREND_COLUMNS[1:-1]:
        out[c] = [d.cell_text(v, f[c], commas=False) for v, f in zip(trend[c], fates, strict=False)]
    out["pct_cin_over_12_months"] = [
        d.mark if f["cin_over_12_months"] or f["open_cin"] or d.hides_share(n, o) else ("" if _nan(p) else p)
        for p, f, n, o in zip(
            out["pct_cin_over_12_months"], fates, trend["cin_over_12_months"], trend["open_cin"], strict=False
        )
    ]
    return out


def trend_title(trend: pd.DataFrame, d: Disclosure = EXACT, max_months: int = 12) -> str:
    """Where open CIN plans past 12 months stand now against the first month shown.

    The direction is said only when the shown values say it too: not between two hidden counts
    (both "<5"), nor beside a count hidden to protect another.
    """
    if trend.empty:
        return "Open plans past their time limits, monthly over the year"
    first, last = trend.iloc[0], trend.iloc[-1]
    a, b = int(first["cin_over_12_months"]), int(last["cin_over_12_months"])
    ha, hb = hidden_counts(first, d)["cin_over_12_months"], hidden_counts(last, d)["cin_over_12_months"]
    at, bt = d.cell_text(a, ha), d.cell_text(b, hb)
    protected = (ha and not d.small(a)) or (hb and not d.small(b))
    if protected or (ha and hb):
        return f"Open CIN plans past {max_months} months: {bt} on the date; {at} a year earlier"
    direction = "up" if b > a else "down" if b < a else "unchanged"
    change = f" from {at}" if direction != "unchanged" else ""
    return f"Open CIN plans past {max_months} months: {bt} on the date, {direction}{change} a year earlier"


def trend_empty(trend: pd.DataFrame) -> bool:
    """No open CIN or CP plan on any date of the year: nothing to follow."""
    return trend.empty or not (trend["open_cin"].astype(int).sum() + trend["open_cp"].astype(int).sum())


def trend_figure(table: pd.DataFrame, title: str, standards: Standards) -> Figure:
    """A line per duration flag, monthly; the standard (no CIN plan past 12 months) dashed at zero.

    A hidden count is a gap in its line (hover: the mark); the axis is scaled on the drawn points."""
    if table.empty:
        return empty_figure(title)
    fig = base_figure(title, height=400)
    dates = pd.to_datetime(table["as_at"])
    days = iso_dates(dates)
    top = 0.0
    for flag in TREND_FLAGS:
        dash, symbol = TREND_STYLES[flag]
        colour, name = DRIFT_FLAGS.colour(flag), vocabulary.flag_label(flag, standards)
        y = [_plotted(v) for v in table[flag]]
        top = max([top] + [v for v in y if v is not None])
        fig.add_trace(
            dict(
                type="scatter",
                x=days,
                y=y,
                mode="lines+markers",
                name=name,
                line=dict(color=colour, dash=dash, width=3),
                marker=dict(symbol=symbol, size=7),
                customdata=[[str(v)] for v in table[flag]],
                hovertemplate=f"{name}<br>%{{x|%d %b %Y}}: %{{customdata[0]}} plans<extra></extra>",
            )
        )
    add_standard_line(
        fig,
        0,
        f"Standard: no CIN plan beyond {standards.cin_max_months} months ({_source(standards, 'cin_max_months')})",
        position="bottom right",
        layer="below",  # a flag at zero all year ("CP over 2 years") stays visible on the line
    )
    # Room below zero for the standard's label, never as far as a "-1" tick when the step is 1.
    low = max(top, 1) * 0.12
    low = min(low, 0.9) if top < SMALL_COUNT else low
    fig.update_yaxes({"title": {"text": "Open plans"}}, range=[-low, max(top, 1) * 1.1], **count_axis(top))
    # No axis title: the tick labels are dates, and a title would collide with the legend below.
    fig.update_xaxes(tickvals=list(dates), ticktext=[f"{d:%d %b %Y}" for d in dates], tickangle=-30)
    fig.update_layout(margin=dict(b=140))
    legend_below(fig)
    return fig


def trend_summary(table: pd.DataFrame, title: str, standards=None) -> str:
    if table.empty:
        return aria_summary("Line chart", title, "No plans in the period")
    s = standards or Standards()
    return aria_summary(
        "Line chart",
        title,
        f"Monthly from {table['as_at'].iloc[0]:%d %B %Y} to {table['as_at'].iloc[-1]:%d %B %Y}",
        f"Lines: CIN plans over {s.cin_max_months} months, CIN plans over {s.cin_sm_review_months} months, CP "
        f"step-down CIN plans over {s.step_down_max_days} days and CP plans over {_period(s.cp_max_months)}; the "
        f"standard is none over {s.cin_max_months} months",
    )


# --------------------------------------------------------------------------- drift list

DRIFT_GRID_COLUMNS: list[dict[str, Any]] = [
    {"field": "child_id", "headerName": "Child"},
    {"field": "plan_id", "headerName": "Plan"},
    {"field": "plan_type", "headerName": "Plan type"},
    {"field": "team", "headerName": "Team"},
    {"field": "worker", "headerName": "Key worker"},
    {"field": "flag", "headerName": "Flag"},  # widths and wrapping: dashboard.render.grid_columns
    {"field": "detail", "headerName": "How far over"},
    {"field": "days_over", "headerName": "Days over", "type": "numericColumn", "sort": "desc"},
    {"field": "start_date", "headerName": "Plan start"},
    {"field": "last_review_date", "headerName": "Last review"},
    {"field": "last_visit_date", "headerName": "Last visit"},
]


#: Flags that measure how long a plan has been open (the rest: a review or visit overdue): the
#: standard that sets the limit, and its limit in words (the flag labels' own formats).
DURATION_FLAGS: dict[str, tuple[str, str]] = {
    "cin_9_month_review": ("cin_sm_review_months", "{s.cin_sm_review_months:months}"),
    "cin_over_12_months": ("cin_max_months", "{s.cin_max_months:months}"),
    "step_down_over_12_weeks": ("step_down_max_days", "{s.step_down_max_days:weeks}"),
    "cp_over_2_years": ("cp_max_months", "{s.cp_max_months:years}"),
}


def _days(n: int) -> str:
    return f"{n:,} day{'' if n == 1 else 's'}"


def over_text(flag: str, days_over: int, start_date, standards: Standards | None = None) -> str:
    """How far past its standard a flag is, in words that say what kind of flag it is.

    A duration flag reads "Open 1,071 days, 796 days past 9 months": the plan's age against its time
    limit (a plan reviewed last week still carries it), never "overdue". A review or visit flag reads
    "796 days overdue". The limits come from the standards in force.
    """
    if flag not in DURATION_FLAGS:
        return f"{_days(days_over)} overdue"
    s = standards or Standards()
    name, words = DURATION_FLAGS[flag]
    limit = int(getattr(s, name))
    if name == "step_down_max_days":
        limit_days = limit
    else:  # the limit date is start + N calendar months (month ends clamped), as the data layer counts
        start = pd.Timestamp(start_date).date() if start_date is not None and not pd.isna(start_date) else None
        limit_days = (start + relativedelta(months=limit) - start).days if start else round(limit * MONTH_DAYS)
    return f"Open {_days(limit_days + days_over)}, {_days(days_over)} past {vocabulary.render(words, s)}"


def drift_list(drift: pd.DataFrame, standards=None) -> pd.DataFrame:
    """Rows for the drift grid (managers only): most overdue first, readable labels, ISO dates."""
    fields = [c["field"] for c in DRIFT_GRID_COLUMNS] + ["team_id"]  # team_id: a manager's rows, not shown
    if drift.empty:
        return pd.DataFrame(columns=fields)
    out = pd.DataFrame(
        {
            "child_id": drift["child_id"].astype(str),
            "plan_id": drift["plan_id"].astype(str),
            "plan_type": drift["plan_type"].map(PLAN_TYPES.labels()).fillna(drift["plan_type"]),
            "team": drift["team_name"].fillna(drift["team_id"]).fillna("No team recorded").astype(str),
            "team_id": drift["team_id"],
            "worker": drift["worker_name"].fillna("No key worker").astype(str),
            "flag": [flag_label(f, standards) for f in drift["flag"]],
            "detail": [
                over_text(f, int(n), start, standards)
                for f, n, start in zip(drift["flag"], drift["days_over"], drift["start_date"], strict=False)
            ],
            "days_over": drift["days_over"].astype(int),
        }
    )
    for col in ("start_date", "last_review_date", "last_visit_date"):
        out[col] = [d.isoformat() if d is not None and not pd.isna(d) else "" for d in drift[col]]
    return out.sort_values(
        ["days_over", "child_id", "flag"], ascending=[False, True, True], kind="mergesort"
    ).reset_index(drop=True)[fields]


def exclusion_text(exclusions: pd.DataFrame, d: Disclosure = EXACT) -> str | None:
    """'3 rows excluded: 2 CIN plans with end date before start date; ...' or None when nothing was.

    In presentation mode the total is left out: the board pack's appendix lists the same counts
    one by one (each only through the primary rule), so a total here would give a hidden one back.
    """
    if exclusions is None or exclusions.empty:
        return None
    parts, n_out = [], 0
    for r in exclusions.to_dict("records"):
        n = int(r["n"])
        label = PLAN_TYPES.label(r["plan_type"]) if r["plan_type"] in PLAN_TYPES else r["plan_type"]
        what = d.count_noun(n, f"{label} plan")
        if r["reason"] == "unrecognised origin code":
            parts.append(
                f"{what} with an unrecognised origin (left out of the by-origin curves and the step-down check)"
            )
        else:
            parts.append(f"{what}: {r['reason']}")
            n_out += n
    if not n_out:
        head = "Data quality"
    elif d.active:
        head = "Plan rows excluded from the figures"
    else:
        head = f"{n_out:,} row{'s' if n_out != 1 else ''} excluded from the figures"
    return head + ": " + "; ".join(parts) + "."


__all__ = [
    "FLAGS",
    "TREND_FLAGS",
    "MONTH_DAYS",
    "EXACT",
    "flag_label",
    "hidden_counts",
    "bands_table",
    "bands_title",
    "bands_figure",
    "bands_summary",
    "bands_empty",
    "km_visible",
    "km_medians",
    "km_table",
    "km_title",
    "km_note",
    "km_figure",
    "km_summary",
    "median_text",
    "group_label",
    "drift_matrix",
    "drift_title",
    "drift_figure",
    "drift_summary",
    "trend_table",
    "trend_title",
    "trend_figure",
    "trend_summary",
    "trend_empty",
    "TREND_COLUMNS",
    "DRIFT_GRID_COLUMNS",
    "drift_list",
    "over_text",
    "DURATION_FLAGS",
    "exclusion_text",
]
