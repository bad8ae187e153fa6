"""Kaplan-Meier estimates of plan duration (docs/DEFINITIONS.md "Plan durations and drift"), via lifelines.

Open plans are right-censored: a plain mean of closed plans over-weights short plans (long ones
are still open), so every duration distribution that mixes open and closed plans goes through
here. Pure functions on arrays; callers pass durations computed in SQL.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.utils import median_survival_times


@dataclass(frozen=True)
class Median:
    """Median duration with its confidence interval; NaN where the curve never falls to 0.5."""

    value: float
    ci_low: float
    ci_high: float
    n: int
    events: int


def _fit(durations, observed, alpha: float) -> KaplanMeierFitter:
    d = np.asarray(durations, dtype=float)
    e = np.asarray(observed, dtype=bool)
    if len(d) == 0:
        raise ValueError("no plans to estimate from")
    if (d < 0).any():
        raise ValueError("negative durations: exclude end-before-start rows first")
    return KaplanMeierFitter(alpha=alpha).fit(d, event_observed=e)


def kaplan_meier(durations, observed, alpha: float = 0.05) -> pd.DataFrame:
    """Survival curve: ``days``, ``survival`` (share of plans still open), ``ci_low``, ``ci_high``,
    ``at_risk``. ``observed`` is True for closed plans (the event), False for open (censored) ones."""
    kmf = _fit(durations, observed, alpha)
    sf = kmf.survival_function_.iloc[:, 0]
    ci = kmf.confidence_interval_survival_function_
    table = kmf.event_table
    return pd.DataFrame(
        {
            "days": sf.index.to_numpy(dtype=float),
            "survival": sf.to_numpy(),
            "ci_low": ci.iloc[:, 0].to_numpy(),
            "ci_high": ci.iloc[:, 1].to_numpy(),
            "at_risk": table["at_risk"].reindex(sf.index).to_numpy(),
        }
    )


def median_duration(durations, observed, alpha: float = 0.05) -> Median:
    """Kaplan-Meier median with lifelines' confidence interval (NaN bounds where undefined)."""
    kmf = _fit(durations, observed, alpha)
    med = float(kmf.median_survival_time_)
    ci = median_survival_times(kmf.confidence_interval_)
    lo, hi = (float(ci.iloc[0, 0]), float(ci.iloc[0, 1]))
    clean = lambda x: float("nan") if math.isinf(x) else x  # noqa: E731 - inf means "not reached"
    return Median(clean(med), clean(lo), clean(hi), n=len(kmf.durations), events=int(np.sum(kmf.event_observed)))


def share_closed_within(durations, observed, days: float, alpha: float = 0.05) -> tuple[float, float, float]:
    """Kaplan-Meier estimate (and interval) of the share of plans closed within ``days``: 1 - S(days)."""
    kmf = _fit(durations, observed, alpha)
    s = float(kmf.survival_function_at_times(days).iloc[0])
    ci = kmf.confidence_interval_survival_function_
    idx = ci.index[ci.index <= days]
    lo_s, hi_s = (ci.loc[idx[-1]].iloc[0], ci.loc[idx[-1]].iloc[1]) if len(idx) else (1.0, 1.0)
    return 1 - s, 1 - float(hi_s), 1 - float(lo_s)


__all__ = ["kaplan_meier", "median_duration", "share_closed_within", "Median"]
