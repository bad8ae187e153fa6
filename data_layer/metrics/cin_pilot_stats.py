"""Statistics of the pilot evaluation (docs/DEFINITIONS.md "CIN pilot evaluation"): intervals,
difference-in-differences, verdicts.

Pure functions on counts and arrays, no database: the cohort queries live in ``pilot.py``.
Every interval comes from a maintained library (statsmodels' Wilson interval, statsmodels'
t-interval of a mean, statsmodels' OLS difference-in-differences regression with robust errors,
scipy's bootstrap and Kaplan-Meier, for the displayed medians too), so a reviewer checks
our *choices*, not our arithmetic.

Difference-in-differences (DiD) is always ``(pilot during - pilot before) - (comparison during
- comparison before)``: the change in the pilot teams beyond the change the comparison teams
saw over the same two periods. It removes anything that changed for everyone (seasonality,
thresholds, the follow-up time the later cohorts have not had yet); it does not remove
differences in which cases each team received, which is why the page calls it evidence, not
proof.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats
from statsmodels.regression.linear_model import OLS
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from .survival import AT_HALF, median_duration

#: The four cohorts of a DiD, in the order tables and charts show them.
COHORTS: tuple[tuple[str, str], ...] = (
    ("pilot", "before"),
    ("pilot", "during"),
    ("comparison", "before"),
    ("comparison", "during"),
)
#: Fixed bootstrap seed: the page must show the same interval every time it is drawn.
BOOTSTRAP_SEED = 20220207
BOOTSTRAP_RESAMPLES = 999
BOOTSTRAP_BATCH = 100

NAN = float("nan")


@dataclass(frozen=True)
class Estimate:
    """A cohort's value with its interval; NaN where the data cannot support one."""

    value: float
    ci_low: float
    ci_high: float
    n: int
    count: int | None = None  # numerator of a proportion / events of a survival estimate


@dataclass(frozen=True)
class DiD:
    """A difference-in-differences with its interval and how the interval was made."""

    estimate: float
    ci_low: float
    ci_high: float
    method: str


def wilson(k: int, n: int, level: float = 0.95) -> Estimate:
    """Share ``k / n`` with its Wilson score interval (statsmodels). NaN when ``n`` is 0.

    Wilson rather than the textbook normal interval because cohorts are small and shares near
    0 or 1 are common (escalations): the normal interval then collapses or leaves [0, 1].
    """
    k, n = int(k), int(n)
    if n <= 0:
        return Estimate(NAN, NAN, NAN, 0, k)
    lo, hi = proportion_confint(k, n, alpha=1 - level, method="wilson")
    return Estimate(k / n, float(lo), float(hi), n, k)


def mean_interval(values: Sequence[float], level: float = 0.95) -> Estimate:
    """Mean with its t-interval (statsmodels ``DescrStatsW.tconfint_mean``); NaN bounds for n < 2."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return Estimate(NAN, NAN, NAN, 0)
    if len(x) < 2:
        return Estimate(float(x.mean()), NAN, NAN, 1)
    lo, hi = DescrStatsW(x).tconfint_mean(alpha=1 - level)
    return Estimate(float(x.mean()), float(lo), float(hi), len(x))


def _did_point(values: Mapping[tuple[str, str], Any]) -> Any:
    """The difference in differences of four medians (floats, or arrays of resampled medians)."""
    return (values[("pilot", "during")] - values[("pilot", "before")]) - (
        values[("comparison", "during")] - values[("comparison", "before")]
    )


def _did_regression(
    cells: Mapping[tuple[str, str], np.ndarray], cov_type: str, level: float
) -> tuple[float, float, float]:
    """The textbook DiD regression ``y ~ pilot + during + pilot x during`` (statsmodels OLS).

    The interaction coefficient is the DiD. The model is saturated (one mean per cohort), so
    its heteroscedasticity-robust covariance is exactly the sum of the four cohorts' variances
    of the mean: HC0 gives ``p(1 - p) / n`` per cohort of 0/1 outcomes (the Wald contrast of
    proportions), HC2 gives ``s^2 / n`` with the sample variance. Normal (z) interval.
    """
    ys, xs = [], []
    for (cohort, period), values in cells.items():
        a, b = float(cohort == "pilot"), float(period == "during")
        ys.append(values)
        xs.append(np.tile([1.0, a, b, a * b], (len(values), 1)))
    fit = OLS(np.concatenate(ys), np.vstack(xs)).fit(cov_type=cov_type, use_t=False)
    lo, hi = fit.conf_int(alpha=1 - level)[3]
    return float(fit.params[3]), float(lo), float(hi)


def did_proportions(cells: Mapping[tuple[str, str], tuple[int, int]], level: float = 0.95) -> DiD:
    """DiD of four shares ``{(cohort, period): (k, n)}`` with a normal-approximation interval.

    Fitted as a linear probability DiD regression with HC0 errors (:func:`_did_regression`),
    which equals ``DiD +/- z * sqrt(sum of p(1 - p) / n)`` over the four independent cohorts:
    the usual Wald interval for a contrast of proportions. With a cohort at 0% or 100% its
    variance is 0, which is why the verdict also requires every cohort to reach the minimum size.
    """
    method = "normal approximation (four binomial variances)"
    if any(cells[c][1] <= 0 for c in COHORTS):
        return DiD(NAN, NAN, NAN, method)
    outcomes = {c: np.repeat([1.0, 0.0], [int(cells[c][0]), int(cells[c][1]) - int(cells[c][0])]) for c in COHORTS}
    return DiD(*_did_regression(outcomes, "HC0", level), method)


def did_means(cells: Mapping[tuple[str, str], Sequence[float]], level: float = 0.95) -> DiD:
    """DiD of four means with a normal-approximation interval from the four variances of the mean.

    The DiD regression with HC2 errors (:func:`_did_regression`): ``sum of s^2 / n`` over the cohorts.
    """
    arrays = {c: np.asarray(cells[c], dtype=float) for c in COHORTS}
    arrays = {c: a[~np.isnan(a)] for c, a in arrays.items()}
    method = "normal approximation (four variances of the mean)"
    if any(len(a) < 2 for a in arrays.values()):
        return DiD(NAN, NAN, NAN, method)
    return DiD(*_did_regression(arrays, "HC2", level), method)


def km_median(durations, observed) -> float:
    """Kaplan-Meier median of bare arrays: the displayed medians' value
    (:func:`data_layer.metrics.survival.median_duration`), NaN for no plans or when the curve never
    falls to one half (more than half the plans still open at their last follow-up)."""
    d = np.asarray(durations, dtype=float)
    if len(d) == 0:
        return NAN
    return median_duration(d, np.asarray(observed, dtype=bool)).value


def km_medians(durations: np.ndarray, observed: np.ndarray, rows_per_step: int = 64) -> np.ndarray:
    """:func:`km_median` of each row of 2-D arrays (one bootstrap resample a row), vectorised.

    Why: calling scipy's ``ecdf`` once per resample made the pilot page's bootstrap take seconds
    (issue 9). Sorting each row by time, deaths before losses at a tied time, each death at
    position ``i`` multiplies S by ``(n - i - 1) / (n - i)``; over a tied group of deaths that
    telescopes to Kaplan-Meier's ``(n - d) / n``, so S after each distinct time is the estimator's
    and the first death time where S <= 0.5 is the same median as :func:`km_median` (``tests/test_benchmarks.py``
    checks row by row). Rows are processed in steps so memory stays bounded at national size.
    """
    d_all = np.atleast_2d(np.asarray(durations, dtype=float))
    e_all = np.atleast_2d(np.asarray(observed, dtype=bool))
    n = d_all.shape[-1]
    out = np.full(d_all.shape[0], NAN)
    if n == 0:
        return out
    at_risk = np.arange(n, 0, -1, dtype=float)
    step_factor = (at_risk - 1.0) / at_risk
    for lo in range(0, d_all.shape[0], rows_per_step):
        d, e = d_all[lo : lo + rows_per_step], e_all[lo : lo + rows_per_step]
        order = np.lexsort((~e, d), axis=-1)
        d, e = np.take_along_axis(d, order, -1), np.take_along_axis(e, order, -1)
        sf = np.cumprod(np.where(e, step_factor, 1.0), axis=-1)
        hit = e & (sf <= AT_HALF)
        first = hit.argmax(axis=-1)
        out[lo : lo + len(d)] = np.where(hit.any(axis=-1), d[np.arange(len(d)), first], NAN)
    return out


def km_medians_of_resamples(durations, observed, indices: np.ndarray, rows_per_step: int = 32) -> np.ndarray:
    """:func:`km_median` of each bootstrap resample ``durations[indices[r]]``, without sorting each one.

    The sample is sorted once (time, deaths before losses) and its plans grouped by (time,
    closed): plan durations are whole days, so a national cohort of ~36,000 plans has a few
    hundred groups. A resample is then a count ``w`` per group, the number at risk a reverse
    cumulative sum of the counts, and a group of ``w`` deaths at risk ``R`` multiplies S by
    ``(R - w) / R``: Kaplan-Meier's factor, which :func:`km_medians` reaches as the product over
    the tied deaths one by one. Linear in the groups per resample instead of ``n log n`` in the
    plans; grouping took the 1,000,000-children pilot page's bootstrap from ~40% of its time to a
    few per cent (issue 17).
    """
    d = np.asarray(durations, dtype=float)
    e = np.asarray(observed, dtype=bool)
    indices = np.atleast_2d(indices)
    n = d.size
    out = np.full(indices.shape[0], NAN)
    if n == 0:
        return out
    order = np.lexsort((~e, d))
    d, e = d[order], e[order]
    first = np.r_[True, (d[1:] != d[:-1]) | (e[1:] != e[:-1])]  # a plan that starts a group
    starts = np.flatnonzero(first)
    group = np.empty(n, dtype=np.intp)
    group[order] = np.cumsum(first) - 1  # each original plan's group
    g_days, g_dies, groups = d[starts], e[starts], len(starts)
    for lo in range(0, indices.shape[0], rows_per_step):
        pos = group[indices[lo : lo + rows_per_step]]
        rows = pos.shape[0]
        w = np.bincount((pos + groups * np.arange(rows)[:, None]).ravel(), minlength=rows * groups)
        w = w.reshape(rows, groups)
        at_risk = w[:, ::-1].cumsum(axis=1)[:, ::-1]
        dies = g_dies & (w > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            sf = np.cumprod(np.where(dies, (at_risk - w) / at_risk, 1.0), axis=1)
        hit = dies & (sf <= AT_HALF)
        out[lo : lo + rows] = np.where(hit.any(axis=1), g_days[hit.argmax(axis=1)], NAN)
    return out


def did_medians(
    cells: Mapping[tuple[str, str], tuple[Sequence[float], Sequence[bool]]],
    level: float = 0.95,
    n_resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> DiD:
    """DiD of four Kaplan-Meier medians with a percentile bootstrap interval (scipy ``bootstrap``).

    Each cohort is resampled independently (plans with their censoring flag), ``n_resamples``
    times with a fixed seed so the page is reproducible. No closed-form variance of a DiD of
    medians exists; the bootstrap is the standard answer. Where a median is not reached in the
    data the estimate is NaN; where it is not reached in some resamples the interval is NaN
    (shown as "no interval"), and the verdict then refuses to conclude.
    """
    method = f"percentile bootstrap of Kaplan-Meier medians ({n_resamples} resamples, seed {seed})"
    data = {c: (np.asarray(cells[c][0], dtype=float), np.asarray(cells[c][1], dtype=bool)) for c in COHORTS}
    if any(len(d) < 2 for d, _ in data.values()):
        return DiD(NAN, NAN, NAN, method)
    point = _did_point({c: km_median(*data[c]) for c in COHORTS})
    if math.isnan(point):
        return DiD(NAN, NAN, NAN, method)

    def statistic(*indices, axis=-1):
        meds = {
            c: km_medians_of_resamples(data[c][0], data[c][1], idx) for c, idx in zip(COHORTS, indices, strict=False)
        }
        return _did_point(meds)

    samples = tuple(np.arange(len(data[c][0])) for c in COHORTS)
    # vectorized=True draws the same resamples as the one-at-a-time call (scipy resamples first).
    # batch: resamples drawn and reduced BOOTSTRAP_BATCH at a time, so memory is O(batch x plans)
    # rather than O(999 x plans): ~1.5 GB less for the country's CIN plans.
    res = stats.bootstrap(
        samples,
        statistic,
        n_resamples=n_resamples,
        vectorized=True,
        paired=False,
        confidence_level=level,
        method="percentile",
        rng=np.random.default_rng(seed),
        batch=BOOTSTRAP_BATCH,
    )
    lo, hi = float(res.confidence_interval.low), float(res.confidence_interval.high)
    return DiD(point, lo, hi, method)


#: A difference or bound this close to 0 is floating-point noise (four cohorts all at 100%: an interval
#: of 2e-16 to 1e-15), not a difference: it counts as "no change" so the verdict does not flip on noise.
NOISE = 1e-9

#: Verdict statuses, from "cannot say" to "can say".
VERDICTS = ("not_measurable", "too_small", "inconclusive", "better", "worse")


@dataclass(frozen=True)
class Verdict:
    status: str
    text: str


def verdict(
    label: str,
    did: DiD,
    ns: Mapping[tuple[str, str], int],
    min_cohort: int,
    lower_is_better: bool,
    fmt=lambda v: f"{v:.1f}",
    level: float = 0.95,
) -> Verdict:
    """A plain-English verdict that only concludes when the data allow it.

    Refuses (``too_small``) when any of the four cohorts has fewer than ``min_cohort`` plans,
    (``not_measurable``) when there is no estimate or no interval, and (``inconclusive``) when
    the interval includes zero. Otherwise says which way the pilot moved the measure, relative
    to the comparison teams, in the measure's own units (``fmt``).
    """
    small = [
        f"{cohort} teams {period} the pilot ({ns.get((cohort, period), 0)})"
        for cohort, period in COHORTS
        if ns.get((cohort, period), 0) < min_cohort
    ]
    if small:
        return Verdict("too_small", f"Too small to judge: fewer than {min_cohort} plans in " + "; ".join(small) + ".")
    if any(math.isnan(x) for x in (did.estimate, did.ci_low, did.ci_high)):
        return Verdict(
            "not_measurable",
            f"Cannot be measured yet: {label.lower()} has no estimate "
            "or no interval for every cohort (often: not enough follow-up).",
        )
    interval = f"{level:.0%} interval {fmt(did.ci_low)} to {fmt(did.ci_high)}"
    if did.ci_low <= NOISE and did.ci_high >= -NOISE:
        return Verdict(
            "inconclusive",
            f"No clear difference: the pilot teams changed by {fmt(did.estimate)} "
            f"relative to the comparison teams, but the {interval} includes no change.",
        )
    improved = (did.estimate < 0) == lower_is_better
    direction = "lower" if did.estimate < 0 else "higher"
    return Verdict(
        "better" if improved else "worse",
        f"{'Better' if improved else 'Worse'} in the pilot: {label.lower()} moved {fmt(abs(did.estimate))} "
        f"{direction} in the pilot teams than in the comparison teams ({interval}).",
    )


__all__ = [
    "Estimate",
    "DiD",
    "Verdict",
    "VERDICTS",
    "COHORTS",
    "wilson",
    "mean_interval",
    "did_proportions",
    "did_means",
    "did_medians",
    "km_median",
    "verdict",
    "BOOTSTRAP_SEED",
    "BOOTSTRAP_RESAMPLES",
]
