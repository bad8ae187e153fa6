"""CIN pilot measures, DiD table and workload views from cohort plan rows: pure, no database.

Inputs are :func:`data_layer.queries.cin_pilot.cohort_plans` frames (that module's docstring defines each
measure) and the standards in force, so the page, the figures and the tests share one calculation and
check it on hand-made rows. The statistics themselves are in :mod:`.cin_pilot_stats`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta

from ..standards import Standards
from ..vocabulary import CIN_END_REASONS
from .cin_pilot_stats import COHORTS, DiD, did_means, did_medians, did_proportions, mean_interval, verdict, wilson
from .survival import median_duration

END_REASONS = CIN_END_REASONS.codes


#: A measure's role: an ``outcome`` is judged and counted in the headline; ``context`` (an input the
#: pilot may change, such as the worker's caseload) is shown beside the outcomes but never judged.
ROLES = ("outcome", "context")


@dataclass(frozen=True)
class Measure:
    """One scorecard measure: its key in the frames, label, unit, which direction is better and its role."""

    key: str
    label: str
    unit: str  # "days", "share", "children"
    lower_is_better: bool
    why: str
    role: str = "outcome"  # one of ROLES

    @property
    def judged(self) -> bool:
        """Counted in the headline (an outcome), not shown only as context."""
        return self.role == "outcome"

    def label_for(self, standards: Standards) -> str:
        """The label with the standards in force ("Plans closed within 12 months")."""
        return self.label.format(max_months=standards.cin_max_months, rereferral=standards.pilot_rereferral_months)


MEASURES: tuple[Measure, ...] = (
    Measure("median_days", "Median CIN plan duration", "days", True, "Shorter, focused plans without drift (002)"),
    Measure(
        "closed_within_12m",
        "Plans closed within {max_months} months",
        "share",
        False,
        "Plans close within 12 months (002, 001)",
    ),
    Measure(
        "escalated_cp", "Plans escalated to child protection", "share", True, "Fewer CIN cases escalating to CP (002)"
    ),
    Measure(
        "became_lac",
        "Plans ending with the child looked after",
        "share",
        True,
        "Fewer CIN cases escalating to care (002)",
    ),
    Measure(
        "rereferred_12m",
        "Re-referred within {rereferral} months of closure",
        "share",
        True,
        "Re-referral rates decreasing: no stop/start interventions (002)",
    ),
    Measure(
        "reviews_on_time",
        "Plans reviewed on time throughout",
        "share",
        False,
        "Management oversight and plans reviewed every 6 weeks (001, 002)",
    ),
    Measure(
        "holder_caseload",
        "Average caseload of the plan's worker",
        "children",
        True,
        "Lower caseloads would increase impact (002)",
        role="context",  # an input (the workers' load), not a result for children: never judged
    ),
)
MEASURE_BY_KEY = {m.key: m for m in MEASURES}


def _share_cell(plans: pd.DataFrame, flag: str, among: str | None) -> tuple[int, int]:
    """(plans with the flag, plans that count) for a share: those in ``among`` (all when None) whose
    flag is known (unknown, e.g. no CIN reviews in the source, is not in the denominator).

    On the two columns as arrays: selecting rows of the whole plans frame copied every column."""
    values = plans[flag]
    counted = values.notna().to_numpy()
    if among:
        counted &= plans[among].to_numpy(dtype=bool)
    return int(values[counted].sum()), int(counted.sum())


def _share(plans: pd.DataFrame, flag: str, among: str | None, level: float):
    return wilson(*_share_cell(plans, flag, among), level)


#: For share measures: the flag column and the column restricting the denominator (None = all).
_SHARES = {
    "closed_within_12m": ("closed_within_12m", "observable_12m"),
    "escalated_cp": ("escalated_cp", None),
    "became_lac": ("became_lac", None),
    "rereferred_12m": ("rereferred_12m", "rereferral_observable"),
    "reviews_on_time": ("reviews_on_time", None),
}


def _estimate(plans: pd.DataFrame, key: str, level: float):
    if key == "median_days":
        if plans.empty:
            return None
        m = median_duration(plans["days"], plans["closed"], alpha=1 - level)
        return m.value, m.ci_low, m.ci_high, m.n, m.events
    if key == "holder_caseload":
        e = mean_interval(plans["holder_caseload"].dropna(), level)
        return e.value, e.ci_low, e.ci_high, e.n, None
    flag, among = _SHARES[key]
    e = _share(plans, flag, among, level)
    return e.value, e.ci_low, e.ci_high, e.n, e.count


def format_value(value: float, unit: str) -> str:
    """A measure's value as the scorecard writes it ("34%", "182 days", "18.2")."""
    if value is None or pd.isna(value):
        return "n/a"
    if unit == "share":
        return f"{100 * value:.0f}%"
    if unit == "days":
        return f"{value:.0f} days"
    return f"{value:.1f}"


def _label(value, lo, hi, n, unit, min_n, key) -> str:
    if n == 0:
        return "not yet measurable" if key in ("closed_within_12m", "rereferred_12m") else "no plans"
    if n < min_n:
        return f"too small to judge ({n} plan{'s' if n != 1 else ''}; minimum {min_n})"
    if pd.isna(value):
        return "median not reached (most plans still open)" if key == "median_days" else "n/a"
    if pd.isna(lo) or pd.isna(hi):
        return f"{format_value(value, unit)} (no interval)"
    strip = (lambda s: s.replace(" days", "")) if unit == "days" else (lambda s: s)
    return f"{format_value(value, unit)} ({strip(format_value(lo, unit))} to {strip(format_value(hi, unit))})"


def cohort_parts(plans: pd.DataFrame) -> dict[tuple[str, str], pd.DataFrame]:
    """The plans of each (cohort, period) of :data:`COHORTS`, split once (an empty frame for one with none).

    Why: each measure read its four cells by comparing the cohort and period text of every plan
    again (7 measures x 4 cells x 2 tables: 56 passes over ~100k plans at national size).
    """
    groups = dict(iter(plans.groupby(["cohort", "period"], sort=False, observed=True))) if len(plans) else {}
    empty = plans.iloc[0:0]
    return {c: groups.get(c, empty) for c in COHORTS}


def summarise_cohorts(plans: pd.DataFrame, standards: Standards) -> pd.DataFrame:
    """Measure x cohort x period rows from :func:`~data_layer.queries.cin_pilot.cohort_plans` output.

    Columns: ``measure``, ``measure_label``, ``unit``, ``cohort``, ``period``, ``n`` (the
    measure's denominator), ``count`` (numerator or events; None for means), ``value``,
    ``ci_low``, ``ci_high``, ``too_small`` (n < pilot_min_cohort), ``label``.
    """
    level, min_n = standards.confidence_level, standards.pilot_min_cohort
    parts = cohort_parts(plans)
    rows = []
    for m in MEASURES:
        for cohort, period in COHORTS:
            est = _estimate(parts[(cohort, period)], m.key, level)
            value, lo, hi, n, count = est if est else (np.nan, np.nan, np.nan, 0, 0)
            rows.append(
                dict(
                    measure=m.key,
                    measure_label=m.label_for(standards),
                    unit=m.unit,
                    cohort=cohort,
                    period=period,
                    n=int(n),
                    count=None if count is None else int(count),
                    value=float(value),
                    ci_low=float(lo),
                    ci_high=float(hi),
                    too_small=bool(n < min_n),
                    label=_label(value, lo, hi, n, m.unit, min_n, m.key),
                )
            )
    return pd.DataFrame(rows)


def _did(parts: dict[tuple[str, str], pd.DataFrame], key: str, level: float) -> tuple[DiD, dict]:
    if key == "median_days":
        ns = {c: len(p) for c, p in parts.items()}
        return did_medians({c: (p["days"], p["closed"]) for c, p in parts.items()}, level), ns
    if key == "holder_caseload":
        vals = {c: p["holder_caseload"].dropna() for c, p in parts.items()}
        return did_means(vals, level), {c: len(v) for c, v in vals.items()}
    flag, among = _SHARES[key]
    cells = {c: _share_cell(p, flag, among) for c, p in parts.items()}
    return did_proportions(cells, level), {c: n for c, (_, n) in cells.items()}


def _did_fmt(unit: str):
    if unit == "share":
        return lambda v: f"{100 * v:.1f} percentage points"
    if unit == "days":
        return lambda v: f"{v:.0f} days"
    return lambda v: f"{v:.1f} children"


def did_table(plans: pd.DataFrame, standards: Standards, measures: Iterable[str] | None = None) -> pd.DataFrame:
    """The headline: per measure, the DiD with its interval, its method and the verdict.

    ``measures`` (keys of :data:`MEASURES`) limits the rows to those, in :data:`MEASURES`' order:
    the Overview's tile reads one, and each measure's interval is its own work.

    Columns: ``measure``, ``measure_label``, ``unit``, ``did``, ``ci_low``, ``ci_high``,
    ``method``, ``lower_is_better``, ``status`` (one of ``pilot_stats.VERDICTS``), ``verdict``,
    ``min_n`` (smallest of the four cohort sizes behind it), ``role`` (``outcome`` or ``context``:
    only outcomes are counted in the headline).
    """
    level, min_n = standards.confidence_level, standards.pilot_min_cohort
    parts = cohort_parts(plans)
    wanted = None if measures is None else set(measures)
    unknown = sorted((wanted or set()) - {m.key for m in MEASURES})
    if unknown:
        raise ValueError(f"no such pilot measure: {', '.join(unknown)}")
    rows = []
    for m in MEASURES:
        if wanted is not None and m.key not in wanted:
            continue
        d, ns = _did(parts, m.key, level)
        v = verdict(m.label_for(standards), d, ns, min_n, m.lower_is_better, _did_fmt(m.unit), level)
        rows.append(
            dict(
                measure=m.key,
                measure_label=m.label_for(standards),
                unit=m.unit,
                did=d.estimate,
                ci_low=d.ci_low,
                ci_high=d.ci_high,
                method=d.method,
                lower_is_better=m.lower_is_better,
                status=v.status,
                verdict=v.text,
                min_n=int(min(ns.values())),
                role=m.role,
            )
        )
    return pd.DataFrame(rows)


def closure_routes(plans: pd.DataFrame) -> pd.DataFrame:
    """Share of each cohort's *closed* plans by end reason.

    Columns: ``cohort``, ``period``, ``end_reason``, ``plans``, ``closed`` (the cohort's closed
    plans), ``share``. Every reason appears for every cohort (0 when none). A reason outside the
    contract's codes is counted as ``other`` rather than guessed at.
    """
    closed = plans[plans["closed"]].copy()
    closed["end_reason"] = closed["end_reason"].where(closed["end_reason"].isin(END_REASONS), "other")
    rows = []
    for cohort, period in COHORTS:
        part = closed[(closed["cohort"] == cohort) & (closed["period"] == period)]
        counts = part["end_reason"].value_counts()
        for reason in END_REASONS:
            k = int(counts.get(reason, 0))
            rows.append(
                dict(
                    cohort=cohort,
                    period=period,
                    end_reason=reason,
                    plans=k,
                    closed=len(part),
                    share=k / len(part) if len(part) else np.nan,
                )
            )
    return pd.DataFrame(rows)


def caseload_bands(standards: Standards) -> list[tuple[str, float, float]]:
    """Caseload-per-FTE bands at 60%, 80% and 100% of the caseload standard (25: 15, 20, 25)."""
    t = float(standards.caseload_per_fte)
    a, b = 0.6 * t, 0.8 * t
    return [
        (f"under {a:g}", -np.inf, a),
        (f"{a:g} to under {b:g}", a, b),
        (f"{b:g} to {t:g}", b, t + 1e-9),
        (f"over {t:g}", t + 1e-9, np.inf),
    ]


#: Outcomes the workload view can show: (flag, denominator restriction, label, lower is better).
WORKLOAD_OUTCOMES = {
    "closed_within_12m": ("closed_within_12m", "observable_12m"),
    "escalated_cp": ("escalated_cp", None),
    "reviews_on_time": ("reviews_on_time", None),
    "rereferred_12m": ("rereferred_12m", "rereferral_observable"),
}


def outcomes_by_caseload(plans: pd.DataFrame, standards: Standards) -> pd.DataFrame:
    """Plan outcomes by the holding worker's caseload per FTE, pilot vs comparison.

    Both periods are pooled (the question is about workload, not the pilot's timing). Caseload
    per FTE = ``holder_caseload / holder_fte``; a missing or zero FTE counts as full time.
    Columns: ``outcome``, ``cohort``, ``band``, ``band_order``, ``n``, ``count``, ``value``,
    ``ci_low``, ``ci_high``.
    """
    level = standards.confidence_level
    held = plans[plans["holder_caseload"].notna()].copy()
    fte = held["holder_fte"].where(held["holder_fte"] > 0, 1.0).fillna(1.0)
    held["per_fte"] = held["holder_caseload"] / fte
    rows = []
    for outcome, (flag, among) in WORKLOAD_OUTCOMES.items():
        base = held[held[among]] if among else held
        for cohort in ("pilot", "comparison"):
            part = base[base["cohort"] == cohort]
            for order, (band, lo, hi) in enumerate(caseload_bands(standards)):
                sel = part[(part["per_fte"] >= lo) & (part["per_fte"] < hi)]
                e = wilson(int(sel[flag].sum()), len(sel), level)
                rows.append(
                    dict(
                        outcome=outcome,
                        cohort=cohort,
                        band=band,
                        band_order=order,
                        n=e.n,
                        count=e.count,
                        value=e.value,
                        ci_low=e.ci_low,
                        ci_high=e.ci_high,
                    )
                )
    return pd.DataFrame(rows)


class PilotPeriods(Protocol):
    """What :func:`trend_months` reads of a ``PilotDesign`` (kept in the query module, which resolves it)."""

    @property
    def before(self) -> tuple[date, date]: ...
    @property
    def during(self) -> tuple[date, date]: ...
    @property
    def as_at(self) -> date: ...


def trend_months(design: PilotPeriods) -> list[date]:
    """Month-end dates (the last one capped at as_at) from the first month of the ``before``
    period to 12 months after the evaluation end or as_at, whichever is earlier."""
    last = min(design.as_at, design.during[1] + relativedelta(months=12))
    month = design.before[0].replace(day=1)
    out = []
    while month <= last:
        month_end = month + relativedelta(months=1) - timedelta(days=1)
        out.append(min(month_end, design.as_at))
        month += relativedelta(months=1)
    return out


__all__ = [
    "Measure",
    "MEASURES",
    "MEASURE_BY_KEY",
    "ROLES",
    "END_REASONS",
    "WORKLOAD_OUTCOMES",
    "PilotPeriods",
    "summarise_cohorts",
    "did_table",
    "closure_routes",
    "outcomes_by_caseload",
    "caseload_bands",
    "trend_months",
    "format_value",
]
