"""Kaplan-Meier estimates of plan duration (docs/DEFINITIONS.md "Plan durations and drift"), via scipy.

Open plans are right-censored: a plain mean of closed plans over-weights short plans (long ones
are still open), so every duration distribution that mixes open and closed plans goes through
here. Pure functions on arrays; callers pass durations computed in SQL.

The estimator is scipy's ``stats.ecdf`` on censored data with its ``log-log`` interval: the
exponential Greenwood interval (Sawyer 2003), the one lifelines' ``KaplanMeierFitter`` gives,
which this module used until issue 17. lifelines built pandas frames for every fit (about 8 ms
for 800 plans against 0.5 ms), and a page fits dozens of curves. The output keeps lifelines'
shape and conventions, and ``tests/test_survival.py`` checks it against lifelines on random and
edge-case samples:

* the curve has a point at day 0 and at every distinct duration, closed or open;
* where the interval is undefined (the curve at 1 before the first closure, or at 0 after the
  last) it is 1 or 0, as lifelines fills it;
* a median is the first time a curve is at or below one half. Where the true value is exactly
  one half (2 of 4 plans closed), floating-point noise can put a computed value a hair above it.
  lifelines then takes the next time; here a value within 1e-12 of one half counts as one half,
  which is what a hand calculation gives.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

#: A survival value at or below this is at one half (see the module docstring); the pilot's bootstrap
#: medians (``cin_pilot_stats``) use the same bound.
AT_HALF = 0.5 + 1e-12


@dataclass(frozen=True)
class Median:
    """Median duration with its confidence interval; NaN where the curve never falls to 0.5."""

    value: float
    ci_low: float
    ci_high: float
    n: int
    events: int


@dataclass(frozen=True)
class KaplanMeier:
    """One fitted curve: values at each point of ``days`` (0 and every distinct duration)."""

    days: np.ndarray
    survival: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    at_risk: np.ndarray
    n: int
    events: int

    def curve(self) -> pd.DataFrame:
        """``days``, ``survival`` (share of plans still open), ``ci_low``, ``ci_high``, ``at_risk``."""
        return pd.DataFrame(
            {
                "days": self.days,
                "survival": self.survival,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
                "at_risk": self.at_risk,
            }
        )

    def median(self) -> Median:
        """The median and its interval: where the curve and its upper and lower bounds reach one half.

        The lower bound reaches one half first, so it gives the interval's low end."""
        return Median(
            _first_at_half(self.days, self.survival),
            _first_at_half(self.days, self.ci_low),
            _first_at_half(self.days, self.ci_high),
            n=self.n,
            events=self.events,
        )


def _first_at_half(days: np.ndarray, values: np.ndarray) -> float:
    at = np.flatnonzero(values <= AT_HALF)
    return float(days[at[0]]) if len(at) else math.nan


def fit(durations, observed, alpha: float = 0.05) -> KaplanMeier:
    """Fit the curve once; ``observed`` is True for closed plans (the event), False for open ones."""
    d = np.asarray(durations, dtype=float)
    e = np.asarray(observed, dtype=bool)
    if len(d) == 0:
        raise ValueError("no plans to estimate from")
    if not np.isfinite(d).all():
        raise ValueError("durations must be finite numbers: exclude rows without dates first")
    if (d < 0).any():
        raise ValueError("negative durations: exclude end-before-start rows first")
    if d.shape != e.shape:
        raise ValueError("durations and observed differ in length")
    days = np.unique(np.concatenate(([0.0], d)))
    result = stats.ecdf(stats.CensoredData(uncensored=d[e], right=d[~e])).sf
    survival = result.evaluate(days)
    with warnings.catch_warnings():  # scipy warns where the interval is undefined; filled below
        warnings.simplefilter("ignore", RuntimeWarning)
        interval = result.confidence_interval(1 - alpha, method="log-log")
        low, high = interval.low.evaluate(days), interval.high.evaluate(days)
    undefined = np.where(survival >= 1.0, 1.0, np.where(survival <= 0.0, 0.0, np.nan))
    low = np.where(np.isnan(low), undefined, low)
    high = np.where(np.isnan(high), undefined, high)
    at_risk = len(d) - np.searchsorted(np.sort(d), days, side="left")
    return KaplanMeier(days, survival, low, high, at_risk.astype(float), n=len(d), events=int(e.sum()))


def kaplan_meier(durations, observed, alpha: float = 0.05) -> pd.DataFrame:
    """Survival curve: ``days``, ``survival`` (share of plans still open), ``ci_low``, ``ci_high``,
    ``at_risk``. ``observed`` is True for closed plans (the event), False for open (censored) ones."""
    return fit(durations, observed, alpha).curve()


def median_duration(durations, observed, alpha: float = 0.05) -> Median:
    """Kaplan-Meier median with its confidence interval (NaN where a curve never reaches one half)."""
    return fit(durations, observed, alpha).median()


__all__ = ["AT_HALF", "fit", "kaplan_meier", "median_duration", "KaplanMeier", "Median"]
