"""Dates as whole day numbers (days since 1970-01-01) so every step is vectorised numpy.

Open ends use ``OPEN`` (far future) so "still open" compares as later than anything; ``NA`` marks a
missing date. Both become NULL when written.
"""

from __future__ import annotations

import numpy as np

EPOCH = np.datetime64("1970-01-01", "D")
OPEN = 1_000_000
NA = -1_000_000


def day(iso: str) -> int:
    return int((np.datetime64(iso, "D") - EPOCH).astype(np.int64))


#: The demo authority's extract: activity from START to END (the last date present).
START = day("2020-01-01")
END = day("2023-03-31")
PILOT_START = day("2022-02-07")

#: England and Wales bank holidays, so generated working-day delays step over them as the
#: dashboard's own counting does (e.g. the Jubilee holidays of 2-3 June 2022).
BANK_HOLIDAYS = np.array(
    [
        "2018-01-01",
        "2018-03-30",
        "2018-04-02",
        "2018-05-07",
        "2018-05-28",
        "2018-08-27",
        "2018-12-25",
        "2018-12-26",
        "2019-01-01",
        "2019-04-19",
        "2019-04-22",
        "2019-05-06",
        "2019-05-27",
        "2019-08-26",
        "2019-12-25",
        "2019-12-26",
        "2020-01-01",
        "2020-04-10",
        "2020-04-13",
        "2020-05-08",
        "2020-05-25",
        "2020-08-31",
        "2020-12-25",
        "2020-12-28",
        "2021-01-01",
        "2021-04-02",
        "2021-04-05",
        "2021-05-03",
        "2021-05-31",
        "2021-08-30",
        "2021-12-27",
        "2021-12-28",
        "2022-01-03",
        "2022-04-15",
        "2022-04-18",
        "2022-05-02",
        "2022-06-02",
        "2022-06-03",
        "2022-08-29",
        "2022-09-19",
        "2022-12-26",
        "2022-12-27",
        "2023-01-02",
        "2023-04-07",
        "2023-04-10",
        "2023-05-01",
        "2023-05-08",
        "2023-05-29",
        "2023-08-28",
        "2023-12-25",
        "2023-12-26",
    ],
    dtype="datetime64[D]",
)


def as_dt(days: np.ndarray) -> np.ndarray:
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]")


def busday_add(days: np.ndarray, k: np.ndarray | int) -> np.ndarray:
    """The k-th working day after ``days`` (rolled forward to a working day first)."""
    out = np.busday_offset(as_dt(days), k, roll="forward", holidays=BANK_HOLIDAYS)
    return out.astype(np.int64)


def next_workday(days: np.ndarray) -> np.ndarray:
    return busday_add(days, 0)


def weekday(days: np.ndarray) -> np.ndarray:
    """Monday = 0 (1970-01-01 was a Thursday)."""
    return (np.asarray(days) + 3) % 7


def add_years(days: np.ndarray, years: int) -> np.ndarray:
    """Same calendar day ``years`` later (29 Feb becomes 1 Mar)."""
    d = as_dt(days)
    y = d.astype("datetime64[Y]")
    offset = d - y.astype("datetime64[D]")
    target = (y + years).astype("datetime64[D]") + offset
    return target.astype(np.int64)


def first_of_month(days: np.ndarray) -> np.ndarray:
    return as_dt(days).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def iso(days: np.ndarray) -> list:
    """ISO strings, with None for OPEN/NA (written as NULL)."""
    days = np.asarray(days, dtype=np.int64)
    missing = (days <= NA) | (days >= OPEN)
    out = np.datetime_as_string(as_dt(np.where(missing, 0, days))).astype(object)
    out[missing] = None
    return out.tolist()


def iso_ts(seconds: np.ndarray, missing: np.ndarray | None = None) -> list:
    """'YYYY-MM-DD HH:MM:SS' strings from seconds since the epoch (None where ``missing``)."""
    s = np.asarray(seconds, dtype=np.int64)
    out = np.char.replace(np.datetime_as_string(s.astype("datetime64[s]")), "T", " ").astype(object)
    if missing is not None:
        out[missing] = None
    return out.tolist()
