"""CIN pilot page figures (docs/DEFINITIONS.md "CIN pilot evaluation", seed 002): the director's table, the full
statistics (scorecard), DiD panels, trend, closure routes, workload.

Pure builders: tidy frames from ``data_layer.queries.cin_pilot`` and ``data_layer.metrics.cin_pilot_measures``
in, display tables and a ``PlainFigure`` out.
Each chart has a table builder (the exact frame the chart draws and its CSV downloads) and a
figure builder that draws only that table. Presentation mode comes as the view's
:class:`~dashboard.disclosure.Disclosure`: a cohort, band or month resting on a count under the
threshold (its plans, the plans with the outcome, or those without) shows the mark, is not drawn,
and nothing computed from it (interval, difference-in-differences, verdict figures, reference
line) is shown either; where a split's total is known (closure routes, caseload bands, the months
of a cohort) more cells are hidden until none can be worked back (:meth:`Disclosure.stack`).

Pilot and comparison are told apart by colour *and* by marker and line style (circle/solid vs
square/dashed), never by colour alone; verdicts carry a word and a symbol.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, timedelta

import pandas as pd

from dashboard.disclosure import Disclosure, is_mark
from dashboard.theme import GREY, INDIGO, STANDARD_COLOUR, TEAL
from data_layer.standards import Standards
from data_layer.vocabulary import CIN_END_REASONS

from .common import (
    LEGEND_BELOW,
    MIN_HEIGHT,
    Figure,
    add_band,
    add_spanning_line,
    aria_summary,
    base_figure,
    customdata_rows,
    empty_figure,
    iso_dates,
    level_text,
    plural,
    standard_label,
    title_layout,
)
from .plain import plain_subplots

EXACT = Disclosure()

COHORT_LABELS = {"pilot": "Pilot team", "comparison": "Comparison teams"}
PERIOD_LABELS = {"before": "Before", "during": "During"}
COHORT_STYLE = {
    "pilot": dict(color=TEAL, symbol="circle", dash="solid"),
    "comparison": dict(color=INDIGO, symbol="square", dash="dash"),
}
#: The segment that stands for a row's hidden routes together (presentation mode): hatched, so it
#: is not read as one more route.
HIDDEN_ROUTES = "Not shown (small numbers)"
#: Verdict status -> (symbol, word), shown beside the sentence (never colour alone).
VERDICT_BADGES = {
    "better": ("✔", "Better"),
    "worse": ("✖", "Worse"),
    "inconclusive": ("≈", "No clear difference"),
    "too_small": ("…", "Too small to judge"),
    "not_measurable": ("⏳", "Not measurable yet"),
}
_WORKLOAD_LABELS = {
    "closed_within_12m": "% of plans closed within {max_months} months",
    "escalated_cp": "% of plans escalated to child protection",
    "reviews_on_time": "% of plans reviewed on time throughout",
    "rereferred_12m": "% re-referred within {rereferral} months of closure",
}
_WORKLOAD_CHOICES = {
    "closed_within_12m": "Closed within {max_months} months",
    "escalated_cp": "Escalated to CP",
    "reviews_on_time": "Reviewed on time",
    "rereferred_12m": "Re-referred within {rereferral} months",
}
_PANEL_TITLES = {
    "median_days": "Median plan duration",
    "closed_within_12m": "Closed within {max_months} months",
    "escalated_cp": "Escalated to CP",
    "became_lac": "Became looked after",
    "rereferred_12m": "Re-referred within {rereferral} months",
    "reviews_on_time": "Reviewed on time",
    "holder_caseload": "Worker's caseload (context)",
}


def _with_standards(texts: Mapping[str, str], standards: Standards | None = None) -> dict[str, str]:
    """``texts`` with the follow-up periods in force filled in (the defaults when ``standards`` is None)."""
    s = standards or Standards()
    return {k: v.format(max_months=s.cin_max_months, rereferral=s.pilot_rereferral_months) for k, v in texts.items()}


def workload_labels(standards: Standards | None = None) -> dict[str, str]:
    """Each workload outcome's label, e.g. "% of plans closed within 12 months"."""
    return _with_standards(_WORKLOAD_LABELS, standards)


def workload_choices(standards: Standards | None = None) -> dict[str, str]:
    """Short names of the workload outcomes, for the page's selector."""
    return _with_standards(_WORKLOAD_CHOICES, standards)


#: The labels at the default standards (keys are the outcomes; texts come from the functions above).
WORKLOAD_LABELS = workload_labels()
WORKLOAD_CHOICES = workload_choices()
#: Panel titles of the DiD chart (the scorecard uses the data layer's full labels).
PANEL_TITLES = _with_standards(_PANEL_TITLES)
COHORTS = (("pilot", "before"), ("pilot", "during"), ("comparison", "before"), ("comparison", "during"))


def did_column(level: float = 0.95) -> str:
    """The scorecard's DiD header, stating the confidence level in force."""
    return f"Difference-in-differences ({level_text(level)} interval)"


def scorecard_columns(level: float = 0.95) -> list[str]:
    cohorts = ["Pilot team, before", "Pilot team, during", "Comparison teams, before", "Comparison teams, during"]
    return ["Measure", *cohorts, did_column(level), "Verdict", "status"]


#: The headers at the default confidence level (tests, and callers without standards).
SCORECARD_COLUMNS = scorecard_columns()
DID_COLUMN = did_column()
SUPPRESSED = "suppressed"


def _d(x: date) -> str:
    return f"{x.day} {x:%b %Y}"


def period_text(before: tuple[date, date], during: tuple[date, date]) -> dict[str, str]:
    """ "Before (7 Aug 2021 to 6 Feb 2022)" etc. from half-open periods [first, day after last)."""
    return {
        "before": f"Before ({_d(before[0])} to {_d(before[1] - timedelta(days=1))})",
        "during": f"During ({_d(during[0])} to {_d(during[1] - timedelta(days=1))})",
    }


def _number(v) -> float | None:
    """A table cell as a number to draw: ``None`` for a mark, blank or missing value."""
    if v is None or isinstance(v, bool) or is_mark(v):
        return None
    if isinstance(v, str):
        try:
            return float(v.replace(",", ""))
        except ValueError:
            return None
    return None if pd.isna(v) else float(v)


def _scale(unit: str) -> float:
    return 100.0 if unit == "share" else 1.0


def _axis_title(unit: str) -> str:
    return {"share": "%", "days": "days", "children": "children"}.get(unit, unit)


def verdict_badge(status: str) -> str:
    symbol, word = VERDICT_BADGES.get(status, ("?", status))
    return f"{symbol} {word}"


# --------------------------------------------------------------------------- disclosure of cohort cells


def cell_parts(row) -> tuple:
    """The counts a cohort value is computed from: a share's plans with and without the outcome and
    its plans; a median's plans and closures (events); a mean's plans."""
    n = int(row["n"])
    count = row["count"]
    count = None if count is None or pd.isna(count) else int(count)
    if row["unit"] == "share":
        return (n, count, None if count is None else n - count)
    if row["unit"] == "days":
        return (n, count)
    return (n,)


def cell_hidden(row, d: Disclosure) -> bool:
    """True when presentation mode must not show this cohort value (nor its interval)."""
    return d.active and int(row["n"]) > 0 and d.hides_any(*[p for p in cell_parts(row) if p is not None])


def _count_cell(row, d: Disclosure) -> str:
    """The numerator (or events) as shown: the mark, ``*`` when the plans without it are a small
    count (45 of 46 says 1 is not), else the count."""
    count = row["count"]
    if count is None or pd.isna(count):
        return ""
    n, count = int(row["n"]), int(count)
    if d.active and not d.hides(count) and not d.hides(n) and d.small(n - count):
        return d.secondary_mark
    return d.count(count)


def cell_text(row, d: Disclosure = EXACT) -> str:
    """A scorecard cell: "40% (22% to 61%); n = 20", or why it is suppressed (never the hidden count)."""
    n = int(row["n"])
    if d.hides(n):
        return f"{SUPPRESSED} ({d.mark} plans)"
    if cell_hidden(row, d):
        return f"{SUPPRESSED} (worked out from a count {d.mark}); n = {d.count(n)}"
    return f"{row['label']}; n = {d.count(n)}"


def _hidden_measures(measures: pd.DataFrame, d: Disclosure) -> set[str]:
    """Measures with a cohort value hidden: their difference-in-differences and its interval are too."""
    if not d.active or measures.empty:
        return set()
    return {r["measure"] for _, r in measures.iterrows() if cell_hidden(r, d)}


def _did_text(row, hidden: bool) -> str:
    if row is None or pd.isna(row["did"]):
        return "n/a"
    if hidden:
        return SUPPRESSED
    s = _scale(row["unit"])
    unit = {"share": " pts", "days": " days", "children": ""}.get(row["unit"], "")
    digits = 0 if row["unit"] == "days" else 1
    est = f"{s * row['did']:+.{digits}f}{unit}"
    if pd.isna(row["ci_low"]):
        return f"{est} (no interval)"
    return f"{est} ({s * row['ci_low']:+.{digits}f} to {s * row['ci_high']:+.{digits}f})"


_HIDDEN_VERDICTS = {
    "better": "Better in the pilot",
    "worse": "Worse in the pilot",
    "inconclusive": "No clear difference",
}


def verdict_text(drow, ns: dict, d: Disclosure = EXACT, *, min_cohort: int = 10, hidden: bool = False) -> str:
    """The verdict sentence as this view may show it.

    The data layer's sentence names cohort sizes ("fewer than 10 plans in pilot teams during the
    pilot (2)") and the difference with its interval. In presentation mode a size goes through the
    disclosure rules (``(<5)``), and when the difference rests on a hidden count only the verdict's
    word is kept: which way, never by how much.
    """
    status = drow["status"]
    if not d.active:
        return drow["verdict"]
    if status == "too_small":
        small = [
            f"{cohort} teams {period} the pilot ({d.count(ns.get((cohort, period), 0))})"
            for cohort, period in COHORTS
            if ns.get((cohort, period), 0) < min_cohort
        ]
        return f"Too small to judge: fewer than {min_cohort} plans in " + "; ".join(small) + "."
    if hidden and status in _HIDDEN_VERDICTS:
        return (
            f"{_HIDDEN_VERDICTS[status]}: the size of the difference is not shown, as it is worked out "
            f"from a count under {d.threshold}."
        )
    return drow["verdict"]


def _ns(part: pd.DataFrame) -> dict:
    return {(c, p): int(n) for c, p, n in zip(part["cohort"], part["period"], part["n"], strict=False)}


# --------------------------------------------------------------------------- scorecard


def scorecard_table(
    measures: pd.DataFrame, did: pd.DataFrame, d: Disclosure = EXACT, *, min_cohort: int = 10, level: float = 0.95
) -> pd.DataFrame:
    """One display row per measure: the four cohorts (value, interval, n), the DiD and the verdict."""
    columns = scorecard_columns(level)
    if measures.empty:
        return pd.DataFrame(columns=columns)
    did_by = did.set_index("measure") if not did.empty else pd.DataFrame()
    hidden = _hidden_measures(measures, d)
    rows = []
    for key in dict.fromkeys(measures["measure"]):
        sub = measures[measures["measure"] == key]
        part = sub.set_index(["cohort", "period"])
        drow = did_by.loc[key] if key in did_by.index else None
        row = {"Measure": part["measure_label"].iloc[0]}
        for cohort, period in COHORTS:
            name = f"{COHORT_LABELS[cohort]}, {period}"
            present = (cohort, period) in part.index
            row[name] = cell_text(part.loc[(cohort, period)], d) if present else "n/a"
        row[did_column(level)] = _did_text(drow, key in hidden)
        status = drow["status"] if drow is not None else "not_measurable"
        if drow is not None:
            text = verdict_text(drow, _ns(sub), d, min_cohort=min_cohort, hidden=key in hidden)
            context = drow.get("role", "outcome") != "outcome"  # its statistics, but never a verdict
            badge = CONTEXT_VERDICT if context else verdict_badge(status)
            row["Verdict"] = f"{badge}: {text.split(': ', 1)[-1]}"
        else:
            row["Verdict"] = ""
        row["status"] = status
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def scorecard_csv(
    measures: pd.DataFrame, did: pd.DataFrame, d: Disclosure = EXACT, *, min_cohort: int = 10
) -> pd.DataFrame:
    """The tidy numbers behind the scorecard (the DiD chart's CSV).

    In presentation mode exactly what the page shows: counts through the disclosure rules, a
    hidden cohort's value and interval as the mark, the difference-in-differences of a measure with
    a hidden cohort as the mark, and the verdict and label as the scorecard prints them.
    """
    out = measures.merge(
        did[
            [c for c in ("measure", "did", "ci_low", "ci_high", "method", "status", "verdict", "role") if c in did]
        ].rename(columns={"ci_low": "did_ci_low", "ci_high": "did_ci_high"}),
        on="measure",
        how="left",
    )
    if not d.active or out.empty:
        return out
    hidden_measures = _hidden_measures(measures, d)
    did_by = did.set_index("measure") if not did.empty else pd.DataFrame()
    ns = {key: _ns(measures[measures["measure"] == key]) for key in dict.fromkeys(measures["measure"])}
    shown = out.astype(object).copy()
    for i, r in out.iterrows():
        hide = d.hides(r["n"]) or cell_hidden(r, d)
        for col in ("value", "ci_low", "ci_high"):
            if hide:
                shown.at[i, col] = d.mark
        shown.at[i, "label"] = cell_text(r, d)
        shown.at[i, "count"] = _count_cell(r, d)
        shown.at[i, "n"] = d.count(r["n"])
        if r["measure"] in hidden_measures:
            for col in ("did", "did_ci_low", "did_ci_high"):
                shown.at[i, col] = d.mark
        if r["measure"] in did_by.index:
            shown.at[i, "verdict"] = verdict_text(
                did_by.loc[r["measure"]],
                ns[r["measure"]],
                d,
                min_cohort=min_cohort,
                hidden=r["measure"] in hidden_measures,
            )
    return shown


def outcomes_only(did: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``did`` that are outcomes (``role`` from the measures registry; context rows are never judged)."""
    if "role" not in did.columns:
        return did
    return did[did["role"] == "outcome"]


def scorecard_title(did: pd.DataFrame) -> str:
    """The headline finding: how many *outcomes* show a clear difference either way (context is not counted)."""
    if did.empty:
        return "No CIN plans in the pilot's cohorts"
    out = outcomes_only(did)
    better, worse = int((out["status"] == "better").sum()), int((out["status"] == "worse").sum())
    judged = int(out["status"].isin(["better", "worse", "inconclusive"]).sum())
    if judged == 0:
        return "The pilot cannot be judged yet: the cohorts are too small or not yet measurable"
    if better == worse == 0:
        return f"No clear pilot effect on any of the {plural(judged, 'outcome')} that can be judged"
    return (
        f"Pilot team compared with comparison teams: better on {better}, worse on {worse}, of the "
        f"{plural(judged, 'outcome')} that can be judged"
    )


# --------------------------------------------------------------------------- the director's table

#: The verdict of a row in words (a context row is never judged, whatever its statistics say).
VERDICT_WORDS = {status: word for status, (_, word) in VERDICT_BADGES.items()}
CONTEXT_VERDICT = "Context, not judged"
#: No number: the row cannot be judged (a cohort too small, or not measurable yet).
NO_DIFFERENCE = "–"
NOT_SHOWN = "not shown (small numbers)"
#: (field, header) of the director's table, in order.
DIRECTOR_COLUMNS = (
    ("measure", "Measure"),
    ("pilot", "Pilot team: before → during"),
    ("comparison", "Comparison teams: before → during"),
    ("difference", "Difference"),
    ("verdict", "Verdict"),
)
_NOT_YET = ("closed_within_12m", "rereferred_12m")


def _rounded(value: float, unit: str) -> float:
    """A cohort value as the table prints it (whole %, whole days, caseload to 0.1): changes are
    worked out from these, so each row adds up as printed."""
    return round(100 * value) if unit == "share" else round(value) if unit == "days" else round(value, 1)


def _amount(v: float, unit: str, signed: bool = False) -> str:
    """A cohort value ("40%", "120", "14.2") or a change ("+5 points", "-25 days", "+1.2")."""
    v = v + 0.0  # no "-0"
    sign = "+" if signed and v > 0 else ""
    if unit == "share":
        return f"{sign}{v:.0f} point{'' if abs(v) == 1 else 's'}" if signed else f"{v:.0f}%"
    if unit == "days":
        return f"{sign}{v:.0f} day{'' if abs(v) == 1 else 's'}" if signed else f"{v:.0f}"
    return f"{sign}{v:.1f}"


def _cohort_value(row, d: Disclosure, min_cohort: int) -> tuple[str, float | None]:
    """A cohort's value as the director's table prints it, and the rounded number (None: no number)."""
    n = int(row["n"])
    if n == 0:
        if row["unit"] == "children":
            return "no key worker recorded", None
        return ("not yet measurable" if row["measure"] in _NOT_YET else "no plans"), None
    if d.hides(n):  # no mark: "40% → <5" would read as a share of the hidden count
        return "too few plans to show", None
    if cell_hidden(row, d):
        return NOT_SHOWN, None
    if n < min_cohort:
        return f"too few plans ({d.count(n)})", None
    if pd.isna(row["value"]):
        return ("median not reached" if row["unit"] == "days" else "n/a"), None
    v = _rounded(float(row["value"]), row["unit"])
    return _amount(v, row["unit"]), v


def _change_cell(part: pd.DataFrame, cohort: str, d: Disclosure, min_cohort: int) -> tuple[str, float | None]:
    """ "40% → 5% (-35 points)": before, during and the change between them (only when both are numbers)."""
    before, during = part.loc[(cohort, "before")], part.loc[(cohort, "during")]
    unit = before["unit"]
    (b, bv), (a, av) = _cohort_value(before, d, min_cohort), _cohort_value(during, d, min_cohort)
    if bv is None or av is None:
        days = lambda text, v: f"{text} days" if unit == "days" and v is not None else text  # noqa: E731
        return f"{days(b, bv)} → {days(a, av)}", None
    change = round(av - bv, 1)
    return f"{b} → {a}{' days' if unit == 'days' else ''} ({_amount(change, unit, signed=True)})", change


def director_table(
    measures: pd.DataFrame, did: pd.DataFrame, d: Disclosure = EXACT, *, min_cohort: int = 10
) -> pd.DataFrame:
    """One row per measure a director reads in a minute: before -> during in the pilot team and in the
    comparison teams, the difference between those changes, and the verdict in one or two words.

    The difference is printed only where the verdict could be reached (better, worse, no clear
    difference): a row too small to judge or not measurable yet shows ``–``, and a difference resting
    on a count the view hides says so. It is the pilot's change minus the comparison's, as printed (the
    full statistics give it to one decimal with its interval). A context measure (``role``) has the
    verdict "Context, not judged". Columns: the fields of ``DIRECTOR_COLUMNS``, ``status``, ``role``.
    """
    fields = [f for f, _ in DIRECTOR_COLUMNS]
    if measures.empty:
        return pd.DataFrame(columns=[*fields, "status", "role"])
    did_by = did.set_index("measure") if not did.empty else pd.DataFrame()
    hidden = _hidden_measures(measures, d)
    rows = []
    for key in dict.fromkeys(measures["measure"]):
        part = measures[measures["measure"] == key].set_index(["cohort", "period"])
        drow = did_by.loc[key] if key in did_by.index else None
        status = drow["status"] if drow is not None else "not_measurable"
        role = drow.get("role", "outcome") if drow is not None else "outcome"
        unit = part["unit"].iloc[0]
        pilot, pc = _change_cell(part, "pilot", d, min_cohort)
        comparison, cc = _change_cell(part, "comparison", d, min_cohort)
        if status not in ("better", "worse", "inconclusive"):
            difference = NO_DIFFERENCE
        elif key in hidden:
            difference = NOT_SHOWN
        elif pc is None or cc is None:
            difference = NO_DIFFERENCE
        else:
            difference = _amount(round(pc - cc, 1), unit, signed=True)
        verdict = CONTEXT_VERDICT if role != "outcome" else VERDICT_WORDS.get(status, status)
        rows.append(
            dict(
                measure=part["measure_label"].iloc[0],
                pilot=pilot,
                comparison=comparison,
                difference=difference,
                verdict=verdict,
                status=status,
                role=role,
            )
        )
    return pd.DataFrame(rows, columns=[*fields, "status", "role"])


def director_key(min_cohort: int) -> str:
    """What the table's signs and dashes mean, said once under it (not on every row)."""
    return (
        "Difference: the pilot team's change minus the comparison teams' change; a minus means the measure "
        "fell further (or rose less) in the pilot team. Whether that is better depends on the measure: the "
        f"verdict says. {NO_DIFFERENCE} means no difference is given: a cohort has fewer than {min_cohort} plans "
        "(too small to judge) or the measure cannot be measured yet. The worker's caseload is context: an "
        "input the pilot may change, not an outcome for children, so it is not judged and not counted in the "
        "headline."
    )


# --------------------------------------------------------------------------- DiD panels

DID_TITLE = "Before and during the pilot, measure by measure"


def did_title(did: pd.DataFrame) -> str:
    finding = scorecard_title(did)
    return f"{DID_TITLE}: {finding[0].lower()}{finding[1:]}"


def did_figure(
    measures: pd.DataFrame,
    did: pd.DataFrame,
    d: Disclosure = EXACT,
    *,
    periods: dict[str, str] | None = None,
    caseload_standard: float | None = None,
    level: float = 0.95,
    standards: Standards | None = None,
) -> Figure:
    """One small panel per measure: pilot and comparison, before and during, with intervals at ``level``.

    The dashed grey line is the reference: where the pilot team would have been had it changed
    exactly as the comparison teams did; the gap between it and the pilot's "during" point is the
    difference-in-differences. Cohorts under the minimum size are drawn hollow. In presentation
    mode a point worked out from a hidden count is not drawn (nor its interval, nor a reference
    line resting on it), and its hover says "suppressed".
    """
    title = did_title(did)
    if measures.empty:
        return empty_figure(title)
    keys = list(dict.fromkeys(measures["measure"]))
    titles = _with_standards(_PANEL_TITLES, standards)
    labels = [titles.get(k) or measures.loc[measures["measure"] == k, "measure_label"].iloc[0] for k in keys]
    cols = 4
    rows = math.ceil(len(keys) / cols)
    fig = plain_subplots(rows=rows, cols=cols, subplot_titles=labels, horizontal_spacing=0.07, vertical_spacing=0.2)
    x = [PERIOD_LABELS["before"], PERIOD_LABELS["during"]]
    for i, key in enumerate(keys):
        r, c = i // cols + 1, i % cols + 1
        part = measures[measures["measure"] == key].set_index(["cohort", "period"])
        unit = part["unit"].iloc[0]
        s = _scale(unit)

        def val(p, v, s=s):
            return None if cell_hidden(p, d) or pd.isna(v) else s * v

        for cohort in ("pilot", "comparison"):
            pts = [part.loc[(cohort, p)] for p in ("before", "during")]
            y = [val(p, p["value"]) for p in pts]
            hi = [
                None if yy is None or pd.isna(p["ci_high"]) else s * (p["ci_high"] - p["value"])
                for p, yy in zip(pts, y, strict=False)
            ]
            lo = [
                None if yy is None or pd.isna(p["ci_low"]) else s * (p["value"] - p["ci_low"])
                for p, yy in zip(pts, y, strict=False)
            ]
            style = COHORT_STYLE[cohort]
            fig.add_trace(
                dict(
                    type="scatter",
                    x=x,
                    y=y,
                    mode="lines+markers",
                    name=COHORT_LABELS[cohort],
                    legendgroup=cohort,
                    showlegend=i == 0,
                    line=dict(color=style["color"], dash=style["dash"], width=2),
                    marker=dict(
                        symbol=[style["symbol"] + ("-open" if p["too_small"] else "") for p in pts],
                        size=10,
                        color=style["color"],
                        line=dict(color=style["color"], width=2),
                    ),
                    error_y=dict(type="data", array=hi, arrayminus=lo, visible=True, thickness=1.2, width=4),
                    customdata=[[cell_text(p, d).rsplit("; n = ", 1)[0], d.count(p["n"])] for p in pts],
                    hovertemplate=f"{COHORT_LABELS[cohort]}, %{{x}}: %{{customdata[0]}}; n = %{{customdata[1]}}"
                    "<extra></extra>",
                ),
                row=r,
                col=c,
            )
        pb, cb = part.loc[("pilot", "before")], part.loc[("comparison", "before")]
        cd = part.loc[("comparison", "during")]
        known = not any(pd.isna(v) for v in (pb["value"], cb["value"], cd["value"]))
        disclosive = any(cell_hidden(p, d) for p in (pb, cb, cd))
        if known and not disclosive:
            expected = pb["value"] + (cd["value"] - cb["value"])
            fig.add_trace(
                dict(
                    type="scatter",
                    x=x,
                    y=[s * pb["value"], s * expected],
                    mode="lines",
                    name="Pilot if it had changed like the comparison",
                    legendgroup="expected",
                    showlegend=i == 0,
                    line=dict(color=STANDARD_COLOUR, dash="dot", width=1.5),
                    hovertemplate="Expected without a pilot effect: %{y:.1f}<extra></extra>",
                ),
                row=r,
                col=c,
            )
        if key == "holder_caseload" and caseload_standard:
            add_spanning_line(
                fig,
                caseload_standard,
                row=r,
                col=c,
                line=dict(color=STANDARD_COLOUR, dash="dash", width=1),
                annotation_text=f"{caseload_standard:g} per FTE",
                position="top",
                annotation_font=dict(size=10, color=STANDARD_COLOUR),
            )
        fig.update_yaxes({"title": {"text": _axis_title(unit)}, "rangemode": "tozero"}, row=r, col=c)
    fig.update_layout(
        title=title_layout(
            title,
            f"Dots: cohort value with {level_text(level)} interval; dotted line: the pilot had it changed "
            "like the comparison teams; hollow: fewer plans than the minimum to judge",
        ),
        height=max(330 * rows + 120, MIN_HEIGHT),
        margin=dict(t=130),
        legend=LEGEND_BELOW,
    )
    if periods:
        fig.add_annotation(
            text=f"{periods['before']}; {periods['during']}",
            xref="paper",
            yref="paper",
            x=0,
            y=-0.16 if rows > 1 else -0.3,
            showarrow=False,
            xanchor="left",
            font=dict(size=11),
        )
    return fig


def did_summary(did: pd.DataFrame, level: float = 0.95) -> str:
    facts = [
        f"{r.measure_label}: "
        + (verdict_badge(r.status) if getattr(r, "role", "outcome") == "outcome" else CONTEXT_VERDICT.lower())
        for r in did.itertuples()
    ]
    return aria_summary(
        "Panel of dot charts",
        scorecard_title(did),
        "Each panel shows one measure for the pilot team and the comparison teams before and "
        f"during the pilot, with {level_text(level)} intervals",
        *facts,
    )


# --------------------------------------------------------------------------- trend

TREND_TITLE = "CIN plans started, closed and open, pilot team vs comparison teams, by month"
TREND_COLUMNS = [
    "month",
    "cohort",
    "teams",
    "starts",
    "closures",
    "open_plans",
    "starts_per_team",
    "closures_per_team",
    "median_open_age",
]


def _period_of(month: date, periods: dict[str, tuple[date, date]] | None) -> str | None:
    for name, (first, end) in (periods or {}).items():
        if first <= month < end:
            return name
    return None


def trend_table(
    trend: pd.DataFrame,
    team_counts: dict[str, int],
    d: Disclosure = EXACT,
    *,
    periods: dict[str, tuple[date, date]] | None = None,
) -> pd.DataFrame:
    """Month x cohort: counts, per-team averages (comparison has several teams) and median open-plan age.

    In presentation mode (what the trend chart draws and its CSV gives): a month's starts or closures
    under the threshold are the mark and so is its per-team average (one pilot team: the average *is*
    the count); the months of each cohort period (``periods``: name -> [first, end)) add up to the
    cohort's size, which the scorecard shows, so their starts are suppressed as a split with a known
    total (:meth:`Disclosure.stack`); the open-plan count is left out (month to month, open = open
    before + started - closed gives a hidden start back) and the median age of fewer than threshold
    open plans (one child's plan) is the mark.
    """
    if trend.empty:
        return pd.DataFrame(columns=TREND_COLUMNS if not d.active else [c for c in TREND_COLUMNS if c != "open_plans"])
    t = trend.copy()
    t["teams"] = t["cohort"].map(team_counts).fillna(0).astype(int)
    per = t["teams"].where(t["teams"] > 0)
    t["starts_per_team"] = (t["starts"] / per).round(2)
    t["closures_per_team"] = (t["closures"] / per).round(2)
    t["median_open_age"] = t["median_open_age"].round(1)
    t = t[TREND_COLUMNS].reset_index(drop=True)
    if not d.active:
        return t
    hide_starts = t["starts"].map(d.small)
    if periods:
        group = [
            (_period_of(pd.Timestamp(m).date(), periods), c) for m, c in zip(t["month"], t["cohort"], strict=False)
        ]
        for key in {g for g in group if g[0]}:
            idx = [i for i, g in enumerate(group) if g == key]
            hidden, _ = d.stack(t.loc[idx, "starts"].tolist())
            for j in hidden:
                hide_starts.iloc[idx[j]] = True
    hide_closures = t["closures"].map(d.small)
    out = t.drop(columns=["open_plans"]).astype(object)
    out["starts"] = [
        (d.mark if d.small(v) else d.secondary_mark) if h else str(int(v))
        for v, h in zip(t["starts"], hide_starts, strict=False)
    ]
    out["closures"] = [d.mark if h else str(int(v)) for v, h in zip(t["closures"], hide_closures, strict=False)]
    out["starts_per_team"] = t["starts_per_team"].astype(object).where(~hide_starts, d.mark)
    out["closures_per_team"] = t["closures_per_team"].astype(object).where(~hide_closures, d.mark)
    out["median_open_age"] = t["median_open_age"].astype(object).where(~t["open_plans"].map(d.small), d.mark)
    return out


def _date_marker(fig, x: date, text: str, anchor: str = "left"):
    """A vertical reference line across every panel, labelled once inside the top panel."""
    add_spanning_line(fig, x, axis="x", line=dict(color=STANDARD_COLOUR, dash="dash", width=1.5))
    fig.add_annotation(
        x=x,
        y=1.0,
        xref="x",
        yref="y domain",
        text=text,
        showarrow=False,
        yanchor="top",
        xanchor=anchor,
        xshift=4 if anchor == "left" else -4,
        bgcolor="rgba(255,255,255,0.85)",
        font=dict(size=11, color=STANDARD_COLOUR),
    )


def _text(values) -> list[str]:
    return [
        "" if v is None or (not isinstance(v, str) and pd.isna(v)) else (v if isinstance(v, str) else f"{int(v):,}")
        for v in values
    ]


def trend_figure(table: pd.DataFrame, *, pilot_start: date, evaluation_end: date) -> Figure:
    """Three panels over months: CIN starts and closures per team, and the median age of open plans.

    Draws :func:`trend_table` as it is: a cell that is a mark is a gap in its line (never drawn at
    its size) and its hover says the mark. The pilot's start and the end of its evaluation period are
    dashed vertical lines, with the evaluation period shaded.
    """
    if table.empty:
        return empty_figure(TREND_TITLE)
    fig = plain_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.09,
        subplot_titles=(
            "CIN plans started per team",
            "CIN plans closed per team",
            "Median age of open CIN plans (days)",
        ),
    )
    has_open = "open_plans" in table.columns
    for cohort in ("pilot", "comparison"):
        shown = table[table["cohort"] == cohort]
        months = iso_dates(shown["month"])
        style = COHORT_STYLE[cohort]
        common = dict(
            mode="lines+markers",
            legendgroup=cohort,
            line=dict(color=style["color"], dash=style["dash"], width=2),
            marker=dict(symbol=style["symbol"], size=6, color=style["color"]),
        )
        teams = shown["teams"].astype(int).astype(str).tolist()
        fig.add_trace(
            dict(
                type="scatter",
                x=months,
                y=[_number(v) for v in shown["starts_per_team"]],
                name=COHORT_LABELS[cohort],
                customdata=customdata_rows(_text(shown["starts"]), teams),
                hovertemplate="%{x|%b %Y}: %{y:.1f} per team (%{customdata[0]} started, "
                "%{customdata[1]} team(s))<extra>" + COHORT_LABELS[cohort] + "</extra>",
                **common,
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            dict(
                type="scatter",
                x=months,
                y=[_number(v) for v in shown["closures_per_team"]],
                name=COHORT_LABELS[cohort],
                showlegend=False,
                customdata=customdata_rows(_text(shown["closures"]), teams),
                hovertemplate="%{x|%b %Y}: %{y:.1f} per team (%{customdata[0]} closed)<extra>"
                + COHORT_LABELS[cohort]
                + "</extra>",
                **common,
            ),
            row=2,
            col=1,
        )
        if has_open:
            age = dict(
                customdata=_text(shown["open_plans"]),
                hovertemplate="%{x|%b %Y}: median %{y:.0f} days (%{customdata} open)<extra>"
                + COHORT_LABELS[cohort]
                + "</extra>",
            )
        else:
            age = dict(hovertemplate="%{x|%b %Y}: median %{y:.0f} days<extra>" + COHORT_LABELS[cohort] + "</extra>")
        fig.add_trace(
            dict(
                type="scatter",
                x=months,
                y=[_number(v) for v in shown["median_open_age"]],
                name=COHORT_LABELS[cohort],
                showlegend=False,
                **age,
                **common,
            ),
            row=3,
            col=1,
        )
    # the evaluation period shaded on every panel
    add_band(fig, pilot_start, evaluation_end, fillcolor=GREY, opacity=0.12, line={"width": 0})
    _date_marker(fig, pilot_start, f"Pilot start {_d(pilot_start)}", "right")
    _date_marker(fig, evaluation_end, f"Evaluation period ends {_d(evaluation_end)}", "left")
    fig.update_yaxes(rangemode="tozero")
    fig.update_xaxes({"title": {"text": "Month"}}, row=3, col=1)
    fig.update_layout(
        title=title_layout(
            TREND_TITLE,
            "Shaded: the pilot's evaluation period. Starts and closures per team, as the comparison group has "
            "several teams.",
        ),
        height=640,
        margin=dict(t=120),
        legend=LEGEND_BELOW,
    )
    return fig


def trend_finding(
    trend: pd.DataFrame, team_counts: dict[str, int], periods: dict[str, tuple[date, date]], d: Disclosure = EXACT
) -> str:
    """CIN plans started a month per team, before and during the pilot, for each cohort.

    Worked out from the period's total starts (a cohort's size, which the scorecard shows): when
    that total is hidden, the sentence says "fewer than 5" instead of an average.
    """
    if trend.empty:
        return "No CIN plans in the pilot and comparison teams over these months"
    out = []
    period_of = pd.Series([_period_of(pd.Timestamp(m).date(), periods) for m in trend["month"]], index=trend.index)
    for cohort in ("pilot", "comparison"):
        teams = team_counts.get(cohort, 0)
        if not teams:
            continue
        said = []
        for period in ("during", "before"):
            rows = trend[(trend["cohort"] == cohort) & (period_of == period)]
            if rows.empty:
                continue
            total = int(rows["starts"].sum())
            if d.hides(total):
                said.append(f"fewer than {d.threshold} plans started {period} the pilot")
            else:
                said.append(f"{total / teams / len(rows):.1f} a month {period} the pilot")
        if said:
            name = COHORT_LABELS[cohort] + (" (per team)" if teams > 1 else "")
            out.append(f"{name}: {', '.join(said)}")
    if not out:
        return "No CIN plans in the pilot and comparison teams over these months"
    return "CIN plans started: " + "; ".join(out)


def trend_summary(table: pd.DataFrame, pilot_start: date, evaluation_end: date, finding: str = "") -> str:
    facts = [
        finding,
        f"Vertical lines mark the pilot start on {_d(pilot_start)} and the end of its evaluation "
        f"period on {_d(evaluation_end)}",
    ]
    if not table.empty:
        facts.append(f"{len(table['month'].unique())} months from {_d(pd.Timestamp(table['month'].min()).date())}")
    return aria_summary("Line charts", TREND_TITLE, *facts)


# --------------------------------------------------------------------------- closure routes

ROUTE_COLUMNS = ["cohort", "period", "end_reason", "route", "plans", "closed", "percent"]


def routes_table(routes: pd.DataFrame, d: Disclosure = EXACT) -> pd.DataFrame:
    """Cohort x end reason: plans, the cohort's closed plans and the share (percent).

    In presentation mode each cohort's routes are a split of its closed plans, whose total is shown
    (and whose hidden part a 100% bar draws as the rest of the bar): :meth:`Disclosure.stack`
    decides which routes are hidden (``<5``, or ``*`` to protect one), and when nothing of a
    cohort's split can be shown safely its total is hidden too and the cohort is not drawn.
    """
    if routes.empty:
        return pd.DataFrame(columns=ROUTE_COLUMNS)
    t = routes.copy()
    t["route"] = t["end_reason"].map(CIN_END_REASONS.labels())
    t["percent"] = (100 * t["share"]).round(1)
    t = t[ROUTE_COLUMNS].reset_index(drop=True)
    if not d.active:
        return t
    out = t.astype(object)
    for idx in t.groupby(["cohort", "period"], sort=False).groups.values():
        idx = list(idx)
        plans = t.loc[idx, "plans"].tolist()
        hidden, total_hidden = d.stack(plans)
        closed = int(t.loc[idx[0], "closed"])
        for j, i in enumerate(idx):
            v = int(plans[j])
            out.at[i, "plans"] = (d.mark if d.small(v) else d.secondary_mark) if j in hidden else str(v)
            out.at[i, "closed"] = (d.mark if d.small(closed) else d.secondary_mark) if total_hidden else str(closed)
            if total_hidden or j in hidden:
                out.at[i, "percent"] = d.mark
    return out


def _cohort_name(cohort: str, period: str) -> str:
    return f"{COHORT_LABELS[cohort]}, {period}"


def routes_rows(table: pd.DataFrame) -> dict[tuple[str, str], dict]:
    """Per cohort: ``drawn`` (False when it has no closed plans or its split is hidden), ``reason``
    (why not) and ``hidden`` (the share, in percent, its hidden routes take together; 0 when none)."""
    out = {}
    for cohort, period in COHORTS:
        part = table[(table["cohort"] == cohort) & (table["period"] == period)]
        if part.empty:
            continue
        closed = part["closed"].iloc[0]
        if is_mark(closed):
            out[(cohort, period)] = dict(drawn=False, reason="too few closed plans to show", hidden=0.0)
            continue
        if not _number(closed):
            out[(cohort, period)] = dict(drawn=False, reason="no closed plans yet", hidden=0.0)
            continue
        marks = part["percent"].map(is_mark)
        hidden = 100.0 - sum(_number(v) or 0.0 for v in part["percent"][~marks]) if marks.any() else 0.0
        out[(cohort, period)] = dict(drawn=True, reason=None, hidden=round(hidden, 1))
    return out


def _percent_of(table: pd.DataFrame, cohort: str, period: str, reason: str) -> float | None:
    row = table[(table["cohort"] == cohort) & (table["period"] == period) & (table["end_reason"] == reason)]
    return _number(row["percent"].iloc[0]) if len(row) else None


def routes_title(table: pd.DataFrame) -> str:
    """The routes chart's title: the pilot team's "plan achieved" share during the pilot, when shown."""
    rows = routes_rows(table)
    if all(r["reason"] == "no closed plans yet" for r in rows.values()):
        return "How CIN plans closed: no closed plans in the cohorts"
    share = _percent_of(table, "pilot", "during", "plan_achieved")
    if share is None:
        return "How CIN plans closed, by cohort"
    return f"How CIN plans closed: {share:.0f}% of the pilot team's closed plans were achieved"


def routes_reference(table: pd.DataFrame) -> float | None:
    """The comparison teams' "plan achieved" share during the pilot (percent), when shown."""
    return _percent_of(table, "comparison", "during", "plan_achieved")


def routes_figure(table: pd.DataFrame, title: str, *, reference: float | None = None) -> Figure:
    """100% stacked bars, one per cohort, split by closure route, each segment labelled with its %.

    Draws :func:`routes_table` as it is. A route whose share is a mark is not drawn at its size: a
    cohort's hidden routes are drawn together as one hatched "not shown" segment, so every bar still
    runs to 100% with its segments in place (:meth:`Disclosure.stack` makes sure that combined share
    gives no hidden route back); a cohort whose split cannot be shown at all has no bar (the chart's
    note says which). ``reference`` (percent) draws the comparison teams' "plan achieved" share during
    the pilot as a dashed line, the yardstick for the pilot team's bar.
    """
    rows = routes_rows(table)
    drawn = [k for k, r in rows.items() if r["drawn"]]
    if table.empty or not drawn:
        message = (
            "No closed CIN plans in the cohorts"
            if not any(r["reason"] == "too few closed plans to show" for r in rows.values())
            else "Too few closed CIN plans in the cohorts to show"
        )
        return empty_figure(title, message)
    fig = base_figure(title, height=520)
    order = [_cohort_name(c, p) for c, p in COHORTS]
    keep = table[[(c, p) in drawn for c, p in zip(table["cohort"], table["period"], strict=False)]]
    for reason in CIN_END_REASONS.codes:
        part = keep[keep["end_reason"] == reason]
        part = part[[not is_mark(v) for v in part["percent"]]]
        if part.empty:
            continue
        x = [_number(v) for v in part["percent"]]
        names = [_cohort_name(c, p) for c, p in zip(part["cohort"], part["period"], strict=False)]
        fig.add_trace(
            dict(
                type="bar",
                y=names,
                x=x,
                orientation="h",
                name=CIN_END_REASONS.label(reason),
                marker=dict(color=CIN_END_REASONS.colour(reason), line=dict(color="white", width=0.5)),
                text=[f"{v:.0f}%" if v is not None and v >= 6 else "" for v in x],
                textposition="inside",
                customdata=customdata_rows(_text(part["plans"]), _text(part["closed"])),
                hovertemplate=f"%{{y}}<br>{CIN_END_REASONS.label(reason)}: %{{x:.1f}}% (%{{customdata[0]}} of "
                "%{customdata[1]} closed plans)<extra></extra>",
            )
        )
    grey = [(k, rows[k]["hidden"]) for k in drawn if rows[k]["hidden"] > 0]
    if grey:
        fig.add_trace(
            dict(
                type="bar",
                y=[_cohort_name(*k) for k, _ in grey],
                x=[v for _, v in grey],
                orientation="h",
                name=HIDDEN_ROUTES,
                marker=dict(color="white", line=dict(color=GREY, width=1), pattern=dict(shape="/", fgcolor=GREY)),
                hovertemplate="%{y}<br>Routes not shown (small numbers), together: %{x:.1f}%<extra></extra>",
            )
        )
    if reference is not None and not pd.isna(reference):
        add_spanning_line(fig, reference, axis="x", line=dict(color=STANDARD_COLOUR, dash="dash", width=2))
        fig.add_annotation(
            x=reference,
            y=1.0,
            xref="x",
            yref="paper",
            yanchor="bottom",
            showarrow=False,
            text=f"Comparison teams during the pilot: {reference:.0f}% plan achieved",
            font=dict(size=11, color=STANDARD_COLOUR),
        )
    fig.update_layout(
        barmode="stack",
        legend=LEGEND_BELOW,
        margin=dict(t=90, l=20, b=110),
    )
    fig.update_xaxes({"title": {"text": "% of the cohort's closed plans"}, "range": [0, 100]})
    fig.update_yaxes(categoryorder="array", categoryarray=order, autorange="reversed", automargin=True)
    return fig


def routes_note(table: pd.DataFrame) -> str:
    """Which cohorts have no bar, and why (the note under the routes chart)."""
    rows = routes_rows(table)
    out = []
    for reason in ("no closed plans yet", "too few closed plans to show"):
        names = [_cohort_name(*k) for k, r in rows.items() if r["reason"] == reason]
        if names:
            out.append(f"No bar for {', '.join(names)}: {reason}.")
    if any(r["drawn"] and r["hidden"] for r in rows.values()):
        out.append(f'Routes with small numbers of plans are drawn together as "{HIDDEN_ROUTES.lower()}".')
    return " ".join(out)


def routes_summary(table: pd.DataFrame, title: str) -> str:
    facts = []
    rows = routes_rows(table)
    for cohort, period in COHORTS:
        if not rows.get((cohort, period), {}).get("drawn"):
            continue
        part = table[(table["cohort"] == cohort) & (table["period"] == period)].copy()
        part["value"] = [_number(v) for v in part["percent"]]
        part = part.dropna(subset=["value"])
        if not part.empty:
            top = part.sort_values("value", ascending=False).iloc[0]
            facts.append(f"{_cohort_name(cohort, period)}: most often {top['route'].lower()} ({top['value']:.0f}%)")
    return aria_summary("Stacked bar chart", title, *facts)


# --------------------------------------------------------------------------- workload

WORKLOAD_COLUMNS = ["band", "cohort", "plans", "with_outcome", "percent", "ci_low", "ci_high"]


def _workload_hidden(plans: list, counts: list, d: Disclosure) -> tuple[set[int], set[int]]:
    """Bands of one cohort whose plans, and whose plans with the outcome, are hidden.

    The bands of a cohort add up to its plans in the scorecard, and so do their plans with (and
    without) the outcome: each is a split with a known total (:meth:`Disclosure.stack`). A band
    whose plans are hidden hides its count too, and a hidden count or complement hides the other
    (each is the plans less the other); repeated until nothing changes.
    """
    hide_plans, _ = d.stack(plans)
    hide_counts: set[int] = set()
    comps = [p - c for p, c in zip(plans, counts, strict=False)]
    while True:
        forced = hide_plans | hide_counts
        by_count, _ = d.stack(counts, hidden=forced)
        by_comp, _ = d.stack(comps, hidden=forced | by_count)
        new = {i for i in by_count | by_comp if counts[i] or comps[i]} | {i for i in hide_plans if counts[i]}
        if new <= hide_counts:
            return hide_plans, hide_counts
        hide_counts |= new


def workload_table(df: pd.DataFrame, outcome: str, d: Disclosure = EXACT) -> pd.DataFrame:
    """Caseload band x cohort for one outcome: plans, with the outcome, percent and 95% interval.

    In presentation mode a band's share and interval are the mark when its plans, its plans with the
    outcome or those without are hidden (:func:`_workload_hidden`).
    """
    part = df[df["outcome"] == outcome].sort_values(["band_order", "cohort"], ascending=[True, False])
    if part.empty:
        return pd.DataFrame(columns=WORKLOAD_COLUMNS)
    t = pd.DataFrame(
        {
            "band": part["band"],
            "cohort": part["cohort"],
            "plans": part["n"],
            "with_outcome": part["count"],
            "percent": (100 * part["value"]).round(1),
            "ci_low": (100 * part["ci_low"]).round(1),
            "ci_high": (100 * part["ci_high"]).round(1),
        }
    )
    t = t.reset_index(drop=True)
    if not d.active:
        return t
    out = t.astype(object)
    for cohort in ("pilot", "comparison"):
        idx = t.index[t["cohort"] == cohort].tolist()
        plans = [int(v) for v in t.loc[idx, "plans"]]
        counts = [int(v) for v in t.loc[idx, "with_outcome"]]
        hide_plans, hide_counts = _workload_hidden(plans, counts, d)
        for j, i in enumerate(idx):
            out.at[i, "plans"] = (
                (d.mark if d.small(plans[j]) else d.secondary_mark) if j in hide_plans else str(plans[j])
            )
            out.at[i, "with_outcome"] = (
                (d.mark if d.small(counts[j]) else d.secondary_mark) if j in hide_counts else str(counts[j])
            )
            if j in hide_plans or j in hide_counts:
                for c in ("percent", "ci_low", "ci_high"):
                    out.at[i, c] = d.mark if plans[j] else t.at[i, c]
    return out


def workload_title(outcome: str, standards: Standards | None = None) -> str:
    label = workload_labels(standards).get(outcome, outcome)
    return f"{label[0].upper()}{label[1:]} by the caseload per FTE of the plan's worker"


def workload_overall(
    df: pd.DataFrame, outcome: str, d: Disclosure = EXACT, table: pd.DataFrame | None = None
) -> float | None:
    """The outcome's rate over every banded plan (percent), or ``None`` when there is none or it is hidden.

    In presentation mode the overall rate gives the total of plans with the outcome back, and the
    total less the shown bands gives a hidden band: so it is only drawn when no band of ``table``
    (the presented :func:`workload_table`) hides a count.
    """
    part = df[df["outcome"] == outcome]
    if not len(part):
        return None
    if d.active and table is not None and any(is_mark(v) for c in ("plans", "with_outcome") for v in table[c]):
        return None
    return d.share_value(part["count"].sum(), part["n"].sum())


def workload_figure(
    table: pd.DataFrame,
    outcome: str,
    *,
    overall: float | None = None,
    caseload_standard: float = 25,
    source: str = "000",
    standards: Standards | None = None,
) -> Figure:
    """Bars per caseload band (worker's children per FTE when they took the plan), pilot vs
    comparison, with 95% Wilson intervals; the dashed line is the rate over all plans. Draws
    :func:`workload_table` as it is: a band whose share is a mark has no bar."""
    title = workload_title(outcome, standards)
    values = [_number(v) for v in table["percent"]] if len(table) else []
    if table.empty or all(v is None for v in values):
        return empty_figure(title, "No plans with a key worker to band (or not yet measurable)")
    fig = base_figure(title, height=420)
    for cohort in ("pilot", "comparison"):
        part = table[table["cohort"] == cohort]
        y = [_number(v) for v in part["percent"]]
        hi = [
            None if v is None or (high := _number(h)) is None else high - v
            for v, h in zip(y, part["ci_high"], strict=False)
        ]
        lo = [
            None if v is None or (low_v := _number(low)) is None else v - low_v
            for v, low in zip(y, part["ci_low"], strict=False)
        ]
        style = COHORT_STYLE[cohort]
        fig.add_trace(
            dict(
                type="bar",
                x=part["band"].tolist(),
                y=y,
                name=COHORT_LABELS[cohort],
                marker=dict(color=style["color"], pattern=dict(shape="" if cohort == "pilot" else "/")),
                error_y=dict(type="data", array=hi, arrayminus=lo, visible=True),
                customdata=customdata_rows(_text(part["with_outcome"]), _text(part["plans"])),
                hovertemplate="%{x}: %{y:.0f}% (%{customdata[0]} of %{customdata[1]} plans)<extra>"
                + COHORT_LABELS[cohort]
                + "</extra>",
            )
        )
    if overall is not None and not pd.isna(overall):
        add_spanning_line(
            fig,
            overall,
            line=dict(color=STANDARD_COLOUR, dash="dash", width=2),
            annotation_text=f"All plans: {overall:.0f}%",
            position="top left",
            annotation_font=dict(color=STANDARD_COLOUR, size=12),
        )
    fig.update_layout(barmode="group", margin=dict(t=100))
    standard = standard_label(caseload_standard, "children per FTE", source)
    axis = f"Worker's caseload per FTE when taking the plan ({standard})"
    fig.update_xaxes({"title": {"text": axis}})
    fig.update_yaxes({"title": {"text": "%"}}, range=[0, 105])
    return fig


def workload_finding(
    table: pd.DataFrame, outcome: str, overall: float | None, standards: Standards | None = None
) -> str:
    """The overall rate, and the lowest and highest band shown (only values the chart shows)."""
    label = workload_labels(standards).get(outcome, outcome).removeprefix("% of plans ").removeprefix("% ")
    shown = [(v, r.band, r.cohort) for r in table.itertuples() if (v := _number(r.percent)) is not None]
    if not shown:
        return "No caseload band has a rate that can be shown for these filters"
    parts = [f"{overall:.0f}% of all banded plans {label}"] if overall is not None else []
    lo, hi = min(shown), max(shown)
    if len(shown) > 1 and lo[0] != hi[0]:
        parts.append(
            f"by band, from {lo[0]:.0f}% ({COHORT_LABELS[lo[2]].lower()}, caseload {lo[1]}) to "
            f"{hi[0]:.0f}% ({COHORT_LABELS[hi[2]].lower()}, caseload {hi[1]})"
        )
    else:
        parts.append(f"{COHORT_LABELS[hi[2]]}, caseload {hi[1]}: {hi[0]:.0f}%")
    text = "; ".join(parts)
    return text[0].upper() + text[1:]


def workload_summary(table: pd.DataFrame, outcome: str, standards: Standards | None = None) -> str:
    facts = [
        f"{COHORT_LABELS[r.cohort]}, caseload {r.band}: {v:.0f}% of {r.plans} plans"
        for r in table.itertuples()
        if (v := _number(r.percent)) is not None
    ]
    return aria_summary("Bar chart", workload_title(outcome, standards), *facts)


__all__ = [
    "director_table",
    "director_key",
    "DIRECTOR_COLUMNS",
    "VERDICT_WORDS",
    "CONTEXT_VERDICT",
    "NO_DIFFERENCE",
    "outcomes_only",
    "scorecard_table",
    "scorecard_csv",
    "scorecard_title",
    "cell_text",
    "cell_hidden",
    "verdict_text",
    "did_figure",
    "did_title",
    "did_summary",
    "trend_table",
    "trend_figure",
    "trend_finding",
    "trend_summary",
    "routes_table",
    "routes_rows",
    "routes_title",
    "routes_reference",
    "routes_figure",
    "routes_note",
    "routes_summary",
    "workload_table",
    "workload_title",
    "workload_overall",
    "workload_figure",
    "workload_finding",
    "workload_summary",
    "period_text",
    "verdict_badge",
    "COHORT_LABELS",
    "WORKLOAD_LABELS",
    "workload_labels",
    "workload_choices",
    "WORKLOAD_CHOICES",
    "TREND_TITLE",
    "DID_TITLE",
    "HIDDEN_ROUTES",
    "SCORECARD_COLUMNS",
    "scorecard_columns",
    "did_column",
]
