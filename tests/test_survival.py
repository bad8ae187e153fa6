"""The scipy Kaplan-Meier (data_layer.metrics.survival) against lifelines, and its medians by hand.

lifelines' ``KaplanMeierFitter`` was the estimator until issue 17 and stays the oracle: the same
points, survival, exponential Greenwood interval and at-risk counts, on random samples with many
ties (whole days, as plans have) and on the edge cases a team's small sample gives. Medians are
also checked against an exact Kaplan-Meier in fractions, since lifelines' own median can move to
the next time where floating-point noise leaves the curve a hair above one half.
"""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
from lifelines import KaplanMeierFitter
from lifelines.utils import median_survival_times

from data_layer.metrics.survival import fit, kaplan_meier, median_duration


def _lifelines(d, e, alpha=0.05):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        k = KaplanMeierFitter(alpha=alpha).fit(np.asarray(d, float), event_observed=np.asarray(e, bool))
    sf = k.survival_function_.iloc[:, 0]
    ci = k.confidence_interval_survival_function_
    return k, sf, ci


def _exact_median(d, e) -> float:
    """First time the exact (fraction) Kaplan-Meier curve is at or below one half."""
    s = Fraction(1)
    for t in sorted(set(d)):
        at_risk = sum(1 for x in d if x >= t)
        deaths = sum(1 for x, ev in zip(d, e, strict=True) if x == t and ev)
        s *= Fraction(at_risk - deaths, at_risk)
        if s <= Fraction(1, 2):
            return float(t)
    return math.nan


def _samples():
    rng = np.random.default_rng(17)
    for n in (1, 2, 3, 5, 8, 13, 40, 200, 1500):
        for share_closed in (0.0, 0.3, 0.7, 1.0):
            d = rng.integers(0, max(3, n // 2), n).astype(float)
            yield d, rng.random(n) < share_closed
    yield np.array([0.0, 0.0, 3.0]), np.array([True, False, True])  # closures on day 0
    yield np.array([2.0, 2.0, 2.0]), np.array([True, True, True])  # all at once: the curve drops to 0
    yield np.array([5.0, 7.0]), np.array([False, False])  # none closed: never reaches one half
    yield np.array([10.0, 10.0, 20.0, 30.0]), np.array([True, True, False, True])  # exactly one half on day 10


SAMPLES = list(_samples())
IDS = [f"n{len(d)}-{int(e.sum())}closed-{i}" for i, (d, e) in enumerate(SAMPLES)]


@pytest.mark.parametrize("d, e", SAMPLES, ids=IDS)
def test_curve_equals_lifelines(d, e):
    k, sf, ci = _lifelines(d, e, alpha=0.1)
    ours = kaplan_meier(d, e, alpha=0.1)
    assert list(ours["days"]) == list(sf.index.to_numpy(dtype=float))
    np.testing.assert_allclose(ours["survival"], sf.to_numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours["ci_low"], ci.iloc[:, 0].to_numpy(), rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours["ci_high"], ci.iloc[:, 1].to_numpy(), rtol=0, atol=1e-9)
    assert list(ours["at_risk"]) == list(k.event_table["at_risk"].reindex(sf.index).to_numpy(dtype=float))


@pytest.mark.parametrize("d, e", SAMPLES, ids=IDS)
def test_median_and_interval_equal_lifelines_and_the_exact_curve(d, e):
    k, _sf, _ci = _lifelines(d, e)
    m = median_duration(d, e)
    exact = _exact_median(list(d), list(e))
    assert (math.isnan(m.value) and math.isnan(exact)) or m.value == exact
    lib = float(k.median_survival_time_)
    if not math.isclose(lib, exact) and not (math.isinf(lib) and math.isnan(exact)):
        # lifelines stepped past a curve value within noise of one half: that is the only difference allowed
        at = k.survival_function_.iloc[:, 0].loc[exact]
        assert abs(at - 0.5) < 1e-12
    ci = median_survival_times(k.confidence_interval_)
    for ours, theirs in ((m.ci_low, float(ci.iloc[0, 0])), (m.ci_high, float(ci.iloc[0, 1]))):
        if math.isinf(theirs):
            assert math.isnan(ours)
        else:
            assert ours == theirs
    assert (m.n, m.events) == (len(d), int(e.sum()))


def test_exactly_one_half_is_the_median_by_hand():
    # 4 plans: two close on day 10 (S = 2/4), one open at 20, one closes at 30 (S = 0)
    m = median_duration([10, 10, 20, 30], [True, True, False, True])
    assert m.value == 10.0
    # 3 plans closing on days 4, 6, 9: S = 2/3, 1/3, 0 -> median day 6
    assert median_duration([9, 4, 6], [True, True, True]).value == 6.0


def test_one_fit_gives_the_curve_and_the_median():
    d, e = [10, 10, 20, 30, 35, 40], [True, True, False, True, False, True]
    one = fit(d, e)
    assert one.curve().equals(kaplan_meier(d, e))
    assert one.median() == median_duration(d, e)
    assert one.median().value == 30.0  # S = 4/6 after day 10, 4/6 x 2/3 = 4/9 after day 30


@pytest.mark.parametrize(
    "d, e, message",
    [
        ([], [], "no plans"),
        ([3.0, -1.0], [True, True], "negative"),
        ([3.0, float("nan")], [True, True], "finite"),
        ([3.0, 4.0], [True], "length"),
    ],
)
def test_bad_input_is_refused_with_a_reason(d, e, message):
    with pytest.raises(ValueError, match=message):
        fit(d, e)
