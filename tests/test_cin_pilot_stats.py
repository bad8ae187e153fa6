"""Pilot statistics (pure): Wilson intervals, difference-in-differences, verdicts, checked by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from data_layer.metrics.cin_pilot_stats import (
    COHORTS,
    DiD,
    did_means,
    did_medians,
    did_proportions,
    km_median,
    mean_interval,
    verdict,
    wilson,
)
from data_layer.metrics.survival import median_duration
from tests.test_survival import _exact_median

PB, PD, CB, CD = COHORTS


def test_wilson_by_hand():
    e = wilson(3, 10)
    # p = .3, z = 1.96: (p + z^2/2n -/+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)
    assert (e.value, e.n, e.count) == (0.3, 10, 3)
    assert e.ci_low == pytest.approx(0.1078, abs=1e-4) and e.ci_high == pytest.approx(0.6032, abs=1e-4)


def test_wilson_edges():
    zero = wilson(0, 10)
    assert (
        zero.value == 0
        and zero.ci_low == pytest.approx(0, abs=1e-12)
        and zero.ci_high == pytest.approx(0.2775, abs=1e-4)
    )
    full = wilson(10, 10)
    assert full.ci_low == pytest.approx(0.7225, abs=1e-4) and full.ci_high == pytest.approx(1.0)
    empty = wilson(0, 0)
    assert empty.n == 0 and math.isnan(empty.value) and math.isnan(empty.ci_low)
    assert wilson(3, 10, level=0.9).ci_high < wilson(3, 10).ci_high


def test_did_proportions_by_hand():
    # pilot 8/10 -> 1/12, comparison 2/10 -> 2/10: DiD = (1/12 - .8) - 0 = -0.716667
    # variance = .8*.2/10 + (1/12)(11/12)/12 + .2*.8/10 + .2*.8/10 = 0.0543657, sd 0.233164
    d = did_proportions({PB: (8, 10), PD: (1, 12), CB: (2, 10), CD: (2, 10)})
    assert d.estimate == pytest.approx(-0.716667, abs=1e-6)
    assert d.ci_low == pytest.approx(-0.716667 - 1.959964 * 0.233164, abs=1e-5)
    assert d.ci_high == pytest.approx(-0.716667 + 1.959964 * 0.233164, abs=1e-5)
    assert "normal approximation" in d.method


def test_did_proportions_empty_cohort_has_no_estimate():
    d = did_proportions({PB: (0, 0), PD: (1, 12), CB: (2, 10), CD: (2, 10)})
    assert math.isnan(d.estimate) and math.isnan(d.ci_low)


def test_mean_interval_and_did_means():
    e = mean_interval([10, 12, 14, 16, 18])
    # mean 14, sd 3.1623, se 1.4142, t(4, .975) = 2.7764
    assert e.value == 14 and e.ci_low == pytest.approx(14 - 2.7764 * 1.41421, abs=1e-3)
    d = did_means({PB: [20, 22, 24], PD: [14, 16, 18], CB: [20, 21, 22], CD: [20, 21, 22]})
    # (16 - 22) - (21 - 21) = -6; var = 4/3 + 4/3 + 1/3 + 1/3 = 10/3
    assert d.estimate == pytest.approx(-6)
    assert d.ci_high == pytest.approx(-6 + 1.959964 * math.sqrt(10 / 3), abs=1e-5)
    assert math.isnan(mean_interval([]).value) and math.isnan(mean_interval([3]).ci_low)


def test_km_median_matches_the_displayed_median_and_the_exact_curve():
    # km_median is the displayed median on bare arrays; the exact fraction calculation of
    # tests/test_survival.py is the independent check (ties on few days make exact halves common)
    rng = np.random.default_rng(7)
    for _ in range(20):
        d = rng.integers(1, 400, 40).astype(float)
        e = rng.random(40) < 0.7
        ours, theirs = km_median(d, e), median_duration(d, e).value
        assert (math.isnan(ours) and math.isnan(theirs)) or ours == theirs
    for _ in range(40):
        d = rng.integers(1, 12, 16).astype(float)
        e = rng.random(16) < 0.7
        ours, exact = km_median(d, e), _exact_median(list(d), list(e))
        assert (math.isnan(ours) and math.isnan(exact)) or ours == exact
    assert math.isnan(km_median([], []))


def test_did_medians_bootstrap_is_reproducible():
    days = {
        PB: np.arange(10, 110, 10),
        PD: np.arange(10, 130, 10),
        CB: np.arange(10, 110, 10),
        CD: np.arange(10, 110, 10),
    }
    cells = {c: (d, np.ones(len(d), bool)) for c, d in days.items()}
    a, b = did_medians(cells, n_resamples=199), did_medians(cells, n_resamples=199)
    assert a == b and a.estimate == 10 and a.ci_low < a.ci_high
    assert "bootstrap" in a.method and "seed" in a.method


def test_did_medians_not_reached_gives_no_estimate():
    open_plans = (np.array([10.0, 20, 30, 40]), np.array([True, False, False, False]))
    cells = {c: open_plans for c in COHORTS}
    assert math.isnan(did_medians(cells, n_resamples=99).estimate)


NS = {c: 20 for c in COHORTS}


def test_verdict_refuses_small_cohorts():
    v = verdict("Escalations", DiD(-0.5, -0.8, -0.2, "m"), {**NS, PD: 9}, 10, lower_is_better=True)
    assert v.status == "too_small" and "pilot teams during the pilot (9)" in v.text


def test_verdict_refuses_interval_spanning_zero():
    v = verdict("Escalations", DiD(-0.1, -0.3, 0.1, "m"), NS, 10, lower_is_better=True)
    assert v.status == "inconclusive" and v.text.startswith("No clear difference")
    touching = verdict("Escalations", DiD(-0.1, -0.2, 0.0, "m"), NS, 10, lower_is_better=True)
    assert touching.status == "inconclusive"
    # four cohorts at 100% give a DiD of 4e-16 with an "interval" of 2e-16 to 1e-15: noise, not "worse"
    noise = verdict("Closed in 12 months", DiD(4.4e-16, 2.2e-16, 1.1e-15, "m"), NS, 10, lower_is_better=False)
    assert noise.status == "inconclusive"
    assert verdict("Closed", DiD(2e-6, 1e-6, 3e-6, "m"), NS, 10, lower_is_better=False).status == "better"


def test_verdict_direction():
    fmt = lambda v: f"{100 * v:.1f} points"  # noqa: E731
    better = verdict("Escalations", DiD(-0.2, -0.3, -0.1, "m"), NS, 10, lower_is_better=True, fmt=fmt)
    assert better.status == "better" and "20.0 points lower" in better.text and "-30.0 points to -10.0" in better.text
    worse = verdict("Reviews on time", DiD(-0.2, -0.3, -0.1, "m"), NS, 10, lower_is_better=False)
    assert worse.status == "worse" and worse.text.startswith("Worse in the pilot")


def test_verdict_without_interval_is_not_measurable():
    v = verdict("Median", DiD(5, float("nan"), float("nan"), "m"), NS, 10, lower_is_better=True)
    assert v.status == "not_measurable"


# --------------------------------------------------------------------------- the cells, split once


def _plans_with_gaps(seed: int, categorical: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 300
    flags = rng.choice(np.array([True, False, None], dtype=object), n)
    plans = pd.DataFrame(
        {
            "cohort": rng.choice(["pilot", "comparison"], n),
            "period": rng.choice(["before", "during", "after"], n),  # "after" is in no cell
            "reviews_on_time": flags,
            "observable_12m": rng.random(n) < 0.7,
            "closed_within_12m": rng.choice(np.array([True, False, None], dtype=object), n),
            "days": rng.integers(1, 700, n),
        }
    )
    if categorical:
        plans["cohort"] = plans["cohort"].astype("category")
        plans["period"] = plans["period"].astype("category")
    return plans


@pytest.mark.parametrize("categorical", [False, True])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cells_split_once_equal_selecting_each_cell_and_counting_its_rows(seed, categorical):
    from data_layer.metrics.cin_pilot_measures import _share_cell, cohort_parts

    plans = _plans_with_gaps(seed, categorical)
    parts = cohort_parts(plans)
    for cohort, period in COHORTS:
        selected = plans[(plans["cohort"] == cohort) & (plans["period"] == period)]
        pd.testing.assert_frame_equal(parts[(cohort, period)], selected)
        for flag, among in (("reviews_on_time", None), ("closed_within_12m", "observable_12m")):
            base = selected[selected[among]] if among else selected
            base = base[base[flag].notna()]
            assert _share_cell(selected, flag, among) == (int(base[flag].sum()), len(base))
    assert all(len(p) == 0 for p in cohort_parts(plans.iloc[0:0]).values())
