"""Plan durations (``/plans``): how long CIN and CP plans last, and which open plans are drifting.

Standards (docs/DEFINITIONS.md "Plan durations and drift"; seeds 000 and 001): CIN plans reviewed every 6 weeks, Team
Manager reviews
at 3 and 6 months, a Service Manager review at 9 months, not expected beyond 12 months; CIN plans
after a CP step-down close within 12 weeks; CIN visits every 3 weeks, CP visits every 10 days; CP
plans over 2 years are a national indicator.

Parts (each one callback on screen, all of them in the pack):

* ``body``: excluded-row notice, headline tiles, duration bands;
* ``km``: Kaplan-Meier curves, split by the ``split`` control;
* ``drift``: drift by team and the monthly trend of plans past their limits;
* ``drift_list``: the drift list (child level: not in presentation mode nor the pack), filtered by
  the ``flag`` control (``all`` or one drift flag; the Overview's drift tiles link to it filtered).

Disclosure (presentation mode): the page's counts are parts of the same open plans on the same
date, so one decision (:func:`dashboard.figures.plans.hidden_counts`, the same rule as the
Overview's tiles) says which of open CIN plans / over 9 months / over 12 months / step-downs over
12 weeks / open CP plans / over 2 years are hidden, and the bands chart, the tiles, the trend and
the drift matrix hide their cells against it (a hidden total keeps a hidden cell under it; a shown
total never has exactly one). Kaplan-Meier curves leave out groups under the threshold, stop where
fewer plans than the threshold are still followed, and hide a median or average resting on fewer
closed plans than that.
"""

from __future__ import annotations

import pandas as pd

from dashboard.cache import cached_call
from dashboard.figures import plans as fig
from dashboard.figures.common import empty_figure
from dashboard.sections.base import Chart, Note, PageSpec, Section, Table, Tile, View
from dashboard.sections.common import child_list
from dashboard.sections.methods import method_section, plans_method
from data_layer import drift_counts, drift_trend, duration_bands, plan_drift, plan_durations, plan_exclusions
from data_layer.metrics.plan_survival import band_edges, survival_by_group
from data_layer.queries.drift import unserved_drift_flags
from data_layer.queries.plans import CIN_ORIGINS
from data_layer.standards import source_of, years_text
from data_layer.vocabulary import DRIFT_FLAGS, flag_label

#: Months of the trend (and of "a year earlier" on the tiles).
TREND_MONTHS = 12
#: Split control value -> (radio label, plan types, grouping column).
KM_SPLITS = {
    "plan_type": ("CIN and CP plans", ("cin", "cp"), "plan_type"),
    "cin_origin": ("CIN plans by how they started", ("cin",), "origin"),
    "cin_team": ("CIN plans by team", ("cin",), "team"),
    "cp_team": ("CP plans by team", ("cp",), "team"),
}
#: The drift list's flag filter: every flag, or one flag's rows (``?flag=cin_review_overdue``).
ALL_FLAGS = "all"
FLAG_CHOICES = (ALL_FLAGS, *DRIFT_FLAGS.codes)


def flag_options(standards) -> list[dict[str, str]]:
    """The flag filter's choices in plain words: "All flags", then each flag's label in force."""
    return [{"label": "All flags", "value": ALL_FLAGS}] + [
        {"label": flag_label(code, standards, with_standard=True), "value": code} for code in DRIFT_FLAGS.codes
    ]


#: Most curves one chart can show legibly (the colour-blind-safe palette has 11 colours).
MAX_CURVES = 8
BANDS_NOTE = "Plans open on the as-at date (hatched) and plans closed in the {window} to it (solid)."
TREND_NOTE = (
    "Open plans on the same day of each month. Review and visit flags are shown for the as-at date only "
    "(in the drift list and by team)."
)


def _trend(db, view: View) -> pd.DataFrame:
    return cached_call(drift_trend, db, view.filters, TREND_MONTHS)


# --------------------------------------------------------------------------- body: notice, tiles, bands


def tiles(trend: pd.DataFrame, view: View, standards) -> list[Tile]:
    """Open CIN and CP plans and those past their limits, now and a year earlier (counts as the trend shows them)."""
    d = view.disclosure
    now, year_ago = trend.iloc[-1], trend.iloc[0]
    fate_now, fate_before = fig.hidden_counts(now, d), fig.hidden_counts(year_ago, d)

    def tile(tid: str, label: str, col: str, rag_if_any: bool = False) -> Tile:
        n, before = int(now[col]), int(year_ago[col])
        rag = ("red" if n > 0 else "green") if rag_if_any else None
        return Tile(
            id=f"plans-tile-{tid}",
            label=label,
            value=d.cell_text(n, fate_now[col]),
            detail=f"A year earlier: {d.cell_text(before, fate_before[col])}",
            rag=rag,
        )

    return [
        tile("open-cin", "Open CIN plans", "open_cin"),
        tile("cin-12", f"CIN plans open over {standards.cin_max_months} months", "cin_over_12_months", True),
        tile("open-cp", "Open CP plans", "open_cp"),
        tile("cp-2y", f"CP plans open over {years_text(standards.cp_max_months)}", "cp_over_2_years", True),
    ]


def bands_chart(bands: pd.DataFrame, view: View, standards) -> Chart:
    d = view.disclosure
    edges = band_edges(standards)
    table = fig.bands_table(bands, d, standards)
    title = fig.bands_title(bands, edges, standards.cin_max_months, d)
    note = BANDS_NOTE.format(window=standards.window)
    if d.active:
        note += (
            f" Counts under {d.threshold} are not drawn in presentation mode (their bars are left out and the "
            f"hover says {d.mark}). {d.note}"
        )
    empty = (
        f"No plans open on the date or closed in the {standards.window} to it for the selected teams"
        if fig.bands_empty(table)
        else None
    )
    return Chart(
        id="plans-bands",
        title=title,
        figure=fig.bands_figure(table, title, edges, standards),
        table=table,
        finding=empty or title,
        summary=fig.bands_summary(table, title, standards),
        note=note,
        standard=f"CIN plans not expected beyond {standards.cin_max_months} months ({source_of('cin_max_months')}); "
        f"CP plans over {years_text(standards.cp_max_months)} are a national indicator",
        filename="plan-duration-bands",
        empty=empty,
    )


def body(db, view: View) -> list[Section]:
    """Excluded-row notice, headline tiles and the duration bands for the view."""
    standards = db.standards
    exclusions = cached_call(plan_exclusions, db, view.filters)
    notice = fig.exclusion_text(exclusions, view.disclosure)
    trend = _trend(db, view)
    bands = cached_call(duration_bands, db, view.filters)
    items: list = [Note(id="plans-excluded", text=notice, kind="warning")] if notice else []
    items += tiles(trend, view, standards)
    items.append(bands_chart(bands, view, standards))
    return [Section(id="plans-summary", title="How long plans have lasted", items=tuple(items), card=False)]


# --------------------------------------------------------------------------- Kaplan-Meier


def durations(db, view: View, plan_types: tuple[str, ...]) -> pd.DataFrame:
    """``plan_durations`` of each plan type, with ``plan_type`` and a readable ``team``."""
    parts = [cached_call(plan_durations, db, view.filters, t).assign(plan_type=t) for t in plan_types]
    df = pd.concat(parts, ignore_index=True)
    df["team"] = df["team_name"].fillna(df["team_id"]).fillna("No team recorded").astype(str)
    return df


def largest_groups(df: pd.DataFrame, by: str, limit: int) -> tuple[pd.DataFrame, int]:
    """Keep the ``limit`` largest groups (teams) so the chart stays legible; count the plans left out."""
    sizes = df[by].value_counts()
    if len(sizes) <= limit:
        return df, 0
    keep = set(sizes.index[:limit])
    return df[df[by].isin(keep)], int(sizes.iloc[limit:].sum())


def km_chart(db, view: View, split: str) -> Chart:
    d = view.disclosure
    standards = db.standards
    _, plan_types, by = KM_SPLITS[split]
    df = durations(db, view, plan_types)
    df, left_out = largest_groups(df, by, MAX_CURVES) if by == "team" else (df, 0)
    # Plans the by-origin view cannot place, counted apart (the notice above counts the unrecognised ones).
    no_origin = unknown_origin = 0
    if by == "origin":
        no_origin = int(df["origin"].isna().sum())
        unknown_origin = int((df["origin"].notna() & ~df["origin"].isin(CIN_ORIGINS)).sum())
    level = db.standards.confidence_level
    result = survival_by_group(df, by=by, min_n=d.threshold if d.active else 1, confidence=level)
    small_groups = sum(n for reason, n in result.excluded.items() if reason.startswith("groups under"))
    medians = fig.km_medians(result.medians, result.curves, d)
    curves = fig.km_visible(result.curves, d)
    # Every plan of a type is in one of: a drawn group, a small group, a smaller team, no or an unknown origin;
    # they add up to all the plans of the type (open + closed), a total the bands chart shows. Where the tiles
    # hide a type's open plans that total is secret (closed plans are in the bands chart): the sizes must not
    # add up to it. Split by plan type, each group is its type's total.
    cells = [int(n) for n in medians["n"]] + [small_groups, left_out, no_origin, unknown_origin]
    fate = fig.hidden_counts(_trend(db, view).iloc[-1], d)
    secret_type = {"cin": fate["open_cin"], "cp": fate["open_cp"]}
    everything = list(range(len(cells)))
    known: list[list[int]]
    secret: list[list[int]]
    if by == "plan_type":
        known, secret = [], [[i] for i, g in enumerate(medians["group"]) if secret_type.get(g)]
    elif any(secret_type[t] for t in plan_types):
        known, secret = [], [everything]
    else:
        known, secret = [everything], []
    hidden = d.secondary_groups(cells, known, secret=secret)
    sizes = {
        g: d.cell_text(n, i in hidden) for i, (g, n) in enumerate(zip(medians["group"], medians["n"], strict=False))
    }
    k = len(medians)

    def plans(n: int, i: int) -> str:
        return f"{d.cell_text(n, True)} plans" if i in hidden else d.count_noun(n, "plan")

    title = fig.km_title(medians, by)
    notes = [fig.km_note(medians, by, d, level)]
    if left_out:
        notes.append(
            f"{plans(left_out, k + 1)} in smaller teams are not drawn (pick teams in the filters to compare them)."
        )
    if small_groups:
        notes.append(f"{plans(small_groups, k)} left out: groups under {d.threshold} plans.")
    if no_origin:
        notes.append(f"{plans(no_origin, k + 2)} left out: no origin recorded.")
    if unknown_origin:
        notes.append(f"{plans(unknown_origin, k + 3)} left out: unrecognised origin code.")
    empty = None
    if curves.empty:
        empty = (
            "No plans for the selected teams"
            if not len(df) and not left_out
            else f"No group has {d.threshold} or more plans to draw"
            if d.active
            else "No plans for the selected teams"
        )
    figure = (
        fig.km_figure(curves, medians, title, by, standards, plan_types) if not empty else empty_figure(title, empty)
    )
    return Chart(
        id="plans-km",
        title=title,
        figure=figure,
        table=fig.km_table(result.curves, by, d),
        finding=empty or title,
        summary=fig.km_summary(medians, title, by, sizes if d.active else None, level),
        note=" ".join(notes),
        filename=f"plan-survival-{split}",
        empty=empty,
        standard=f"CIN plans not expected beyond {standards.cin_max_months} months ({source_of('cin_max_months')})",
    )


def km(db, view: View) -> list[Section]:
    """Kaplan-Meier curves of plan duration (open plans censored on the as-at date), split by the control."""
    split = view.control("split", "plan_type")
    split = split if split in KM_SPLITS else "plan_type"
    return [
        Section(id="plans-km-curves", title="How long plans stay open", items=(km_chart(db, view, split),), card=False)
    ]


# --------------------------------------------------------------------------- drift


def hidden_totals(trend: pd.DataFrame, view: View) -> set[str]:
    """Flags whose total on the date the page hides (:func:`dashboard.figures.plans.hidden_counts`)."""
    fate = fig.hidden_counts(trend.iloc[-1], view.disclosure)
    return {f for f in fig.TREND_FLAGS if fate[f]}


def drift_chart(counts: pd.DataFrame, trend: pd.DataFrame, view: View, standards) -> Chart:
    d = view.disclosure
    secret = hidden_totals(trend, view)
    matrix = fig.drift_matrix(counts, d=d, hidden_totals=secret)
    title = fig.drift_title(counts, d, hidden_totals=secret, standards=standards)
    note = "A plan can carry several flags; each flag's standard is under 'How this is worked out'."
    if d.active:
        note += f" A cell under {d.threshold} has no colour and shows {d.mark}. {d.note}"
    empty = "No open plan breaches a standard on this date for the selected teams" if matrix.empty else None
    return Chart(
        id="plans-drift-teams",
        title=title,
        figure=fig.drift_figure(matrix, title, standards),
        table=matrix,
        finding=empty or title,
        summary=fig.drift_summary(matrix, title),
        note=note,
        filename="drift-by-team",
        empty=empty,
    )


def trend_chart(trend: pd.DataFrame, view: View, standards) -> Chart:
    d = view.disclosure
    table = fig.trend_table(trend, d)
    title = fig.trend_title(trend, d, standards.cin_max_months)
    empty = (
        "No CIN or CP plans were open in the year to the date for the selected teams"
        if fig.trend_empty(trend)
        else None
    )
    note = TREND_NOTE + (f" A count under {d.threshold} is a gap in its line. {d.note}" if d.active else "")
    figure = empty_figure(title, empty) if empty else fig.trend_figure(table, title, standards)
    return Chart(
        id="plans-trend",
        title=title,
        figure=figure,
        table=table,
        finding=empty or title,
        summary=fig.trend_summary(table, title, standards),
        note=note,
        filename="plans-past-limits-trend",
        empty=empty,
        standard=f"No CIN plan beyond {standards.cin_max_months} months ({source_of('cin_max_months')})",
    )


def drift_table(db, view: View) -> Table:
    """The drift list (managers only): every open plan breaching a standard, most overdue first; capped;
    only the rows of the ``flag`` control's flag unless it is ``all`` (the CSV is the same list)."""
    flag = view.control("flag", ALL_FLAGS)
    flag = flag if flag in FLAG_CHOICES else ALL_FLAGS
    which = (
        "breaching a standard"
        if flag == ALL_FLAGS
        else f"flagged '{flag_label(flag, db.standards, with_standard=True)}'"
    )
    title = f"Each open plan {which}, one row per flag, most overdue first"
    if view.presentation:
        rows = pd.DataFrame(columns=[c["field"] for c in fig.DRIFT_GRID_COLUMNS])
    else:
        drift = cached_call(plan_drift, db, view.filters)
        if flag != ALL_FLAGS and len(drift):
            drift = drift[drift["flag"] == flag]
        rows = fig.drift_list(drift, db.standards)
    return child_list("plans-drift-grid", rows, fig.DRIFT_GRID_COLUMNS, view, title=title, filename="drift-list")


def drift(db, view: View) -> list[Section]:
    """Drift flags by team and the monthly trend of plans past their limits."""
    standards = db.standards
    counts = cached_call(drift_counts, db, view.filters)
    trend = _trend(db, view)
    # A flag this source cannot judge (an SSD has no CIN plan reviews) is left out of the counts and
    # the list: say so, rather than let its absence read as "none overdue".
    gaps = tuple(
        Note(id=f"plans-drift-unserved-{flag.replace('_', '-')}", text=why + ".", kind="info")
        for flag, why in sorted(unserved_drift_flags(db).items())
    )
    return [
        Section(
            id="plans-drift-charts",
            title="Open plans drifting from the standards",
            card=False,
            items=(*gaps, drift_chart(counts, trend, view, standards), trend_chart(trend, view, standards)),
        ),
        method_section("plans", plans_method(standards)),
    ]


def drift_list(db, view: View) -> list[Section]:
    """The drift list, filtered by the ``flag`` control (its card and control are the page's)."""
    return [Section(id="plans-drift-list-card", title=None, items=(drift_table(db, view),), pack=False, card=False)]


PAGE = PageSpec(
    key="plans",
    path="/plans",
    name="Plan durations",
    parts=(("body", body), ("km", km), ("drift", drift), ("drift_list", drift_list)),
    controls={"split": ("plan_type", tuple(KM_SPLITS)), "flag": (ALL_FLAGS, FLAG_CHOICES)},
    lede="How long CIN and CP plans last against the practice standards, and which open plans are drifting: "
    "reviews, visits and time limits.",
)

__all__ = [
    "PAGE",
    "body",
    "km",
    "drift",
    "drift_list",
    "KM_SPLITS",
    "ALL_FLAGS",
    "FLAG_CHOICES",
    "flag_options",
    "MAX_CURVES",
    "tiles",
    "bands_chart",
    "km_chart",
    "drift_chart",
    "trend_chart",
    "drift_table",
    "hidden_totals",
]
