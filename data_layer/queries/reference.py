"""Reference data the page shell needs: the date range of the data and the teams to filter on.

The shell asks these once per page load (cached), so the default as-at date follows the data
("the latest date present in the data", docs/ARCHITECTURE.md) and the filter menus list the authority's own
teams. Both are single aggregate queries; no child-level rows leave the database.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import func, select, union_all

from ..coverage import requires
from ..dialect import orders_as_dates, try_date
from ..engine import Database

#: Event dates that say "something happened on this day". End dates are left out on purpose: an
#: authority may record a planned end in the future, which is not data "present" yet. Assessment
#: starts are left out too: an assessment follows a referral and may be booked days ahead (the
#: demo has a few starting after its last day), while referrals, allocations, plan starts and
#: visits are recorded on the day they happen.
_EVENT_DATES = (
    ("referrals", "referral_date"),
    ("allocations", "start_date"),
    ("cin_plans", "start_date"),
    ("cp_plans", "start_date"),
    ("cla_episodes", "start_date"),
    ("visits", "visit_date"),
)


#: What the shell and check-db say when :func:`date_range` finds nothing to default the as-at date to.
NO_DATED_RECORDS = (
    "The database holds no dated records: no referral, allocation, plan, looked-after episode or visit "
    "has a date that can be read"
)


def date_range(db: Database) -> tuple[date | None, date | None]:
    """Earliest and latest event date in the data (one query over the event tables).

    Values that cannot be read as dates (text such as 'not a date') are ignored here and counted by
    the data-quality checks (``unreadable_date``). ``(None, None)`` for a database without any
    readable event date: the callers say so (:data:`NO_DATED_RECORDS`) rather than guess a date.
    """
    tb = db.tables
    parts = []
    for table, col in _EVENT_DATES:
        if tb.has(table, col):  # a partial database: the tables it has
            column = tb[table].c[col]
            value = try_date(column)
            if orders_as_dates(db.dialect, column):  # read off the column's index (72 ms -> under 1 ms at 5k)
                parts.append(select(_first(value, column.asc()).label("lo"), _first(value, column.desc()).label("hi")))
            else:
                parts.append(select(func.min(value).label("lo"), func.max(value).label("hi")))
    if not parts:
        return None, None
    u = union_all(*parts).subquery("event_dates")
    df = db.read(select(func.min(u.c.lo).label("lo"), func.max(u.c.hi).label("hi")))
    if df.empty:
        return None, None
    return df.iloc[0]["lo"], df.iloc[0]["hi"]


def _first(value, order):
    """The first readable date in ``order`` (a walk of the column's index that skips unreadable values)."""
    return select(value).where(value.is_not(None)).order_by(order).limit(1).scalar_subquery()


def latest_date(db: Database) -> date | None:
    """The latest event date in the data: the dashboard's default as-at date."""
    return date_range(db)[1]


@requires("team_options")
def team_options(db: Database) -> pd.DataFrame:
    """Every team with its service, for the filter menus: ``team_id``, ``team_name``, ``service``.

    Sorted by service then name; ``team_name`` falls back to the id and ``service`` to
    "Unknown service" so a half-filled teams table still gives usable menus.
    """
    teams = db.tables.teams
    q = select(teams.c.team_id, teams.c.team_name, teams.c.service).order_by(
        teams.c.service, teams.c.team_name, teams.c.team_id
    )
    df = db.read(q)
    df["team_id"] = df["team_id"].astype(str)
    df["team_name"] = df["team_name"].where(df["team_name"].notna(), df["team_id"]).astype(str)
    df["service"] = df["service"].where(df["service"].notna(), "Unknown service").astype(str)
    return df.drop_duplicates("team_id").reset_index(drop=True)


__all__ = ["NO_DATED_RECORDS", "date_range", "latest_date", "team_options"]
