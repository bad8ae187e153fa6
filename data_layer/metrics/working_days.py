"""Working days between dates, England and Wales (docs/DEFINITIONS.md "Transfers", 5.5).

Counts are ``numpy.busday_count`` (from the first date up to, not including, the second; same
day = 0) with Monday-Friday weekdays and England and Wales bank holidays from the maintained
``holidays`` package (subdivision ENG; Wales shares England's bank holidays), never a hand-typed list.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays
import holidays.countries  # the calendars (~50 ms) load with the app, not in a request
import numpy as np
import pandas as pd


@lru_cache(maxsize=32)
def bank_holidays(first_year: int, last_year: int) -> np.ndarray:
    """England and Wales bank holidays in the years given, as datetime64[D]."""
    cal = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    return np.array(sorted(cal.keys()), dtype="datetime64[D]")


def _as_days(values) -> np.ndarray:
    s = pd.to_datetime(pd.Series(values), errors="coerce")
    return s.to_numpy(dtype="datetime64[D]")


def working_days(start, end) -> np.ndarray:
    """Vectorised ``busday_count(start, end)`` with bank holidays; NaN where either date is missing.

    Negative when ``end`` is before ``start`` (callers exclude such rows as bad data).
    """
    s, e = _as_days(start), _as_days(end)
    ok = ~(np.isnat(s) | np.isnat(e))
    out = np.full(len(s), np.nan)
    if ok.any():
        years = np.concatenate([s[ok], e[ok]]).astype("datetime64[Y]").astype(int) + 1970
        hol = bank_holidays(int(years.min()) - 1, int(years.max()) + 1)
        out[ok] = np.busday_count(s[ok], e[ok], holidays=hol)
    return out


def working_days_between(start: date, end: date) -> int:
    """Scalar form of :func:`working_days`."""
    return int(working_days([start], [end])[0])


__all__ = ["bank_holidays", "working_days", "working_days_between"]
