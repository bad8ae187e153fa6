"""Drift flags on open CIN and CP plans (docs/DEFINITIONS.md "Plan durations and drift"), computed in SQL.

One row per (open plan, flag) on the as-at date D; a plan can carry several flags. "Open on D" is
``start_date <= D`` and ``end_date`` NULL or after D; teams filter on the plan's own ``team_id``.

Flags and ``days_over`` (days past the moment the standard was breached, always >= 1):

* ``cin_review_overdue``: the plan's last review (``plan_reviews`` with ``plan_type = 'cin'``, the
  plan's ``plan_id`` and ``start_date <= review_date <= D``) or, before its first review, its start
  date was more than ``cin_review_days`` (42) days before D. A review exactly 42 days before D is not
  overdue; 43 days is, by 1. ``days_over = (D - last review or start) - 42``. Reviews dated before the
  plan started cannot belong to it and are ignored (like reviews after D, which have not happened).
* ``cin_9_month_review`` / ``cin_over_12_months``: open more than 9 / 12 calendar months, i.e.
  ``start + N months < D`` (month ends clamped: 31 May + 9 months = 28/29 Feb), tested against one
  bound date from :func:`~data_layer.filters.months_cutoff`. ``days_over = D - (start + N months)``.
* ``step_down_over_12_weeks``: CIN plan with origin ``cp_step_down`` open more than
  ``step_down_max_days`` (84) days: ``D - start > 84``; ``days_over = D - start - 84`` (day 85 is 1 over).
* ``cin_visit_overdue`` / ``cp_visit_overdue``: no visit in the last ``cin_visit_days`` (21) /
  ``cp_visit_days`` (10) days. Visits match a plan by child and type: ``visits`` of the plan's child
  with ``plan_type`` 'cin' / 'cp' dated from the plan's start to D inclusive (a visit under an earlier
  plan of the child does not count for this one). Before any visit the clock runs from the plan
  start. ``days_over = (D - last visit or start) - 21`` (or 10): a visit 21 days ago is on time.
* ``cp_over_2_years``: CP plan open more than ``cp_max_months`` (24) calendar months, as the 9/12-month
  flags; ``days_over = D - (start + 24 months)``. (The national indicator counts plans lasting "2 years
  or more"; a plan on its exact second anniversary is not flagged yet, consistent with the CIN flags.)

``worker_name`` is the child's current key worker: the open ``key_worker`` allocation to a named
worker on D, latest start first (then highest allocation id) when there are several; NULL if none.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from dateutil.relativedelta import relativedelta
from sqlalchemy import Date, Integer, String, and_, case, cast, func, literal, null, select, union_all

from ..coverage import requires
from ..dialect import add_months, days_between
from ..engine import Database, text_or_none
from ..filters import Filters, months_cutoff
from ..vocabulary import DRIFT_FLAGS
from .predicates import key_allocations, open_during, open_on, reviews_available, visits_available

#: Every flag, in the order pages show them, as (flag, plan type, standard): read from the vocabulary.
FLAGS: tuple[tuple[str, str, str], ...] = tuple((f.code, f.plan_type, f.standard) for f in DRIFT_FLAGS)
FLAG_NAMES = DRIFT_FLAGS.codes
STEP_DOWN_ORIGIN = "cp_step_down"


# ---------------------------------------------------------------------------------------------
# Open plans with their last review and visit dates, and the flag rows


def _last_review(tb, t, plan_type: str, d: date):
    if not reviews_available(tb, plan_type):
        return cast(null(), Date)
    plan_reviews = tb.plan_reviews
    return (
        select(func.max(plan_reviews.c.review_date))
        .where(
            plan_reviews.c.plan_type == plan_type,
            plan_reviews.c.plan_id == t.c.plan_id,
            plan_reviews.c.review_date >= t.c.start_date,
            plan_reviews.c.review_date <= d,
        )
        .scalar_subquery()
    )


def _last_visit(tb, t, plan_type: str, d: date):
    if not visits_available(tb):
        return cast(null(), Date)
    visits = tb.visits
    return (
        select(func.max(visits.c.visit_date))
        .where(
            visits.c.child_id == t.c.child_id,
            visits.c.plan_type == plan_type,
            visits.c.visit_date >= t.c.start_date,
            visits.c.visit_date <= d,
        )
        .scalar_subquery()
    )


def _open_plans(tb, t, plan_type: str, f: Filters):
    """CTE of the plans open on D in the selected teams, with last review and last visit dates."""
    d = f.as_at
    origin = t.c.origin if plan_type == "cin" and tb.has("cin_plans", "origin") else cast(null(), String)
    return (
        select(
            t.c.plan_id,
            t.c.child_id,
            t.c.team_id,
            t.c.start_date,
            origin.label("origin"),
            _last_review(tb, t, plan_type, d).label("last_review_date"),
            _last_visit(tb, t, plan_type, d).label("last_visit_date"),
        )
        .where(open_on(t.c.start_date, t.c.end_date, d), f.team_clause(t.c.team_id, tb.teams))
        .cte(f"open_{plan_type}")
    )


def _flag_row(base, plan_type: str, flag: str, days_over, condition):
    return select(
        base.c.plan_id,
        literal(plan_type, String).label("plan_type"),
        base.c.child_id,
        base.c.team_id,
        literal(flag, String).label("flag"),
        cast(days_over, Integer).label("days_over"),
        base.c.start_date,
        base.c.last_review_date,
        base.c.last_visit_date,
    ).where(condition)


def unserved_flags(tb) -> dict[str, tuple[str, ...]]:
    """Flags this database cannot judge -> the contract ``table.column`` names they lack.

    A flag whose inputs are missing is left out of :func:`plan_drift` and :func:`drift_counts`
    (never raised as if nothing were overdue); :func:`data_layer.coverage.coverage` reports it.
    """
    out: dict[str, tuple[str, ...]] = {}
    if not reviews_available(tb, "cin"):
        out["cin_review_overdue"] = ("plan_reviews.plan_type='cin'",)
    if not visits_available(tb):
        out["cin_visit_overdue"] = out["cp_visit_overdue"] = ("visits.visit_date",)
    if not tb.has("cin_plans", "origin"):
        out["step_down_over_12_weeks"] = ("cin_plans.origin",)
    return out


def unserved_drift_flags(db) -> dict[str, str]:
    """Drift flags this database cannot judge -> the sentence saying why (e.g. on an SSD
    ``{"cin_review_overdue": "CIN plan reviews are not in the SSD: review drift cannot be shown"}``).

    :func:`plan_drift` and :func:`drift_counts` leave these flags out, so a page or tile counting
    one of them must show the sentence instead of a count of 0.
    """
    tb = db.tables
    consequence = {
        "cin_review_overdue": "review drift cannot be shown",
        "cin_visit_overdue": "visit drift cannot be shown",
        "cp_visit_overdue": "visit drift cannot be shown",
        "step_down_over_12_weeks": "CP step-downs cannot be flagged",
    }
    out = {}
    for flag, needs in unserved_flags(tb).items():
        table, col = needs[0].split(".", 1)
        reason = tb.reason(table, "*") or tb.reason(table, col) or f"{needs[0]} is not in this database"
        out[flag] = f"{reason}: {consequence.get(flag, 'this flag cannot be shown')}"
    return out


def served_flags(tb) -> tuple[str, ...]:
    skip = unserved_flags(tb)
    return tuple(name for name in FLAG_NAMES if name not in skip)


def drift_rows(db: Database, f: Filters):
    """UNION ALL of one SELECT per flag over the open-plan CTEs (a selectable; no worker names).

    Flags whose inputs this database lacks (:func:`unserved_flags`) are left out."""
    s, d = db.standards, f.as_at
    tb = db.tables
    dd = literal(d, Date)
    cin = _open_plans(tb, tb.cin_plans, "cin", f)
    cp = _open_plans(tb, tb.cp_plans, "cp", f)

    since_review = days_between(dd, func.coalesce(cin.c.last_review_date, cin.c.start_date))
    since_cin_visit = days_between(dd, func.coalesce(cin.c.last_visit_date, cin.c.start_date))
    since_cp_visit = days_between(dd, func.coalesce(cp.c.last_visit_date, cp.c.start_date))
    cin_age = days_between(dd, cin.c.start_date)

    def over_months(base, plan_type: str, flag: str, n: int):
        """The row of a "open more than ``n`` calendar months" flag (one bound cut-off date)."""
        days_over = days_between(dd, add_months(base.c.start_date, n))
        return _flag_row(base, plan_type, flag, days_over, base.c.start_date < months_cutoff(d, n))

    rows = {
        "cin_review_overdue": _flag_row(
            cin, "cin", "cin_review_overdue", since_review - s.cin_review_days, since_review > s.cin_review_days
        ),
        "cin_visit_overdue": _flag_row(
            cin, "cin", "cin_visit_overdue", since_cin_visit - s.cin_visit_days, since_cin_visit > s.cin_visit_days
        ),
        "cin_9_month_review": over_months(cin, "cin", "cin_9_month_review", s.cin_sm_review_months),
        "cin_over_12_months": over_months(cin, "cin", "cin_over_12_months", s.cin_max_months),
        "step_down_over_12_weeks": _flag_row(
            cin,
            "cin",
            "step_down_over_12_weeks",
            cin_age - s.step_down_max_days,
            and_(cin.c.origin == STEP_DOWN_ORIGIN, cin_age > s.step_down_max_days),
        ),
        "cp_visit_overdue": _flag_row(
            cp, "cp", "cp_visit_overdue", since_cp_visit - s.cp_visit_days, since_cp_visit > s.cp_visit_days
        ),
        "cp_over_2_years": over_months(cp, "cp", "cp_over_2_years", s.cp_max_months),
    }
    chosen = [rows[name] for name in served_flags(tb)]
    if len(chosen) == 1:
        return chosen[0].subquery("drift")
    return union_all(*chosen).subquery("drift")


def _current_key_worker(tb, child_col, d: date):
    allocations, workers = tb.allocations, tb.workers
    return (
        select(workers.c.worker_name)
        .select_from(allocations.join(workers, workers.c.worker_id == allocations.c.worker_id))
        .where(allocations.c.child_id == child_col, key_allocations(tb, d))
        .order_by(allocations.c.start_date.desc(), allocations.c.allocation_id.desc())
        .limit(1)
        .scalar_subquery()
    )


DRIFT_COLUMNS = [
    "plan_id",
    "plan_type",
    "child_id",
    "team_id",
    "team_name",
    "worker_name",
    "flag",
    "days_over",
    "start_date",
    "last_review_date",
    "last_visit_date",
]


@requires("plan_drift")
def plan_drift(db: Database, f: Filters) -> pd.DataFrame:
    """One row per (open plan, flag) breaching a standard on ``f.as_at`` (definitions: module docstring).

    Columns ``plan_id``, ``plan_type``, ``child_id``, ``team_id``, ``team_name``, ``worker_name``,
    ``flag``, ``days_over``, ``start_date``, ``last_review_date`` (CIN and CP reviews of the plan),
    ``last_visit_date`` (visits of the plan's type); most overdue first.
    """
    dr = drift_rows(db, f)
    teams = db.tables.teams
    q = (
        select(
            dr.c.plan_id,
            dr.c.plan_type,
            dr.c.child_id,
            dr.c.team_id,
            teams.c.team_name,
            _current_key_worker(db.tables, dr.c.child_id, f.as_at).label("worker_name"),
            dr.c.flag,
            dr.c.days_over,
            dr.c.start_date,
            dr.c.last_review_date,
            dr.c.last_visit_date,
        )
        .select_from(dr.outerjoin(teams, teams.c.team_id == dr.c.team_id))
        .order_by(dr.c.days_over.desc(), dr.c.plan_id, dr.c.flag)
    )
    df = db.read(q)
    df.columns = DRIFT_COLUMNS
    for col in ("plan_id", "child_id", "team_id"):
        df[col] = text_or_none(df[col])
    df["days_over"] = df["days_over"].astype(int)
    return df


@requires("drift_counts")
def drift_counts(db: Database, f: Filters) -> pd.DataFrame:
    """Plans carrying each flag, by team, grouped in SQL: ``team_id``, ``team_name``, ``flag``, ``n``.

    Only (team, flag) pairs with at least one plan are returned; the figure fills the rest with 0.
    """
    dr = drift_rows(db, f)
    teams = db.tables.teams
    counts = (
        select(dr.c.team_id, dr.c.flag, func.count().label("n")).group_by(dr.c.team_id, dr.c.flag).subquery("counts")
    )
    q = (
        select(counts.c.team_id, teams.c.team_name, counts.c.flag, counts.c.n)
        .select_from(counts.outerjoin(teams, teams.c.team_id == counts.c.team_id))
        .order_by(counts.c.team_id, counts.c.flag)
    )
    df = db.read(q)
    df.columns = ["team_id", "team_name", "flag", "n"]
    df["team_id"] = text_or_none(df["team_id"])
    df["n"] = df["n"].astype(int)
    return df


# ---------------------------------------------------------------------------------------------
# Monthly trend of the duration flags, one query


TREND_COLUMNS = [
    "as_at",
    "open_cin",
    "cin_9_month_review",
    "cin_over_12_months",
    "step_down_over_12_weeks",
    "open_cp",
    "cp_over_2_years",
    "pct_cin_over_12_months",
]


def trend_dates(as_at: date, months: int) -> list[date]:
    """``as_at`` and the same day in each of the ``months`` months before it (clamped), oldest first."""
    return [as_at - relativedelta(months=k) for k in range(months, -1, -1)]


def _cutoffs_table(dates: list[date], s):
    """Bound-parameter table: each date with the start-date cut-offs of the duration flags on it."""
    rows = [
        select(
            literal(d, Date).label("d"),
            literal(months_cutoff(d, s.cin_sm_review_months), Date).label("c_sm"),
            literal(months_cutoff(d, s.cin_max_months), Date).label("c_max"),
            literal(d - timedelta(days=s.step_down_max_days), Date).label("c_step"),
            literal(months_cutoff(d, s.cp_max_months), Date).label("c_cp"),
        )
        for d in dates
    ]
    return (union_all(*rows) if len(rows) > 1 else rows[0]).subquery("cut")


@requires("drift_trend")
def drift_trend(db: Database, f: Filters, months: int = 12) -> pd.DataFrame:
    """Open plans and the duration flags on D and on the same day of each of the 12 months before.

    One query: a bound table of dates (and each date's cut-offs) joined to the plans open on that
    date and grouped by date. Duration flags only (9/12 months, step-down 12 weeks, CP 2 years):
    review and visit flags would need a correlated look-up per plan per date. Columns
    ``as_at``, ``open_cin``, ``cin_9_month_review``, ``cin_over_12_months``, ``step_down_over_12_weeks``,
    ``open_cp``, ``cp_over_2_years``, ``pct_cin_over_12_months`` (of open CIN plans; NaN with none open).
    ``c_step`` is D - 84 days: ``D - start > 84`` exactly when ``start < c_step``.
    """
    s = db.standards
    tb = db.tables
    cin_plans, cp_plans = tb.cin_plans, tb.cp_plans
    has_origin = tb.has("cin_plans", "origin")
    dates = trend_dates(f.as_at, months)
    cut = _cutoffs_table(dates, s)

    def flag(cond):
        return func.sum(case((cond, 1), else_=0))

    first, last = dates[0], dates[-1]

    def maybe_open(t):
        """Plans open on some date of the table (prunes the join before the per-date test)."""
        return and_(open_during(t.c.start_date, t.c.end_date, first, last), f.team_clause(t.c.team_id, tb.teams))

    cin = (
        select(
            cut.c.d,
            func.count().label("open_cin"),
            flag(cin_plans.c.start_date < cut.c.c_sm).label("cin_9_month_review"),
            flag(cin_plans.c.start_date < cut.c.c_max).label("cin_over_12_months"),
            (
                flag(and_(cin_plans.c.origin == STEP_DOWN_ORIGIN, cin_plans.c.start_date < cut.c.c_step))
                if has_origin
                else cast(null(), Integer)
            ).label("step_down_over_12_weeks"),
        )
        .select_from(cut.join(cin_plans, open_on(cin_plans.c.start_date, cin_plans.c.end_date, cut.c.d)))
        .where(maybe_open(cin_plans))
        .group_by(cut.c.d)
        .subquery("cin_t")
    )
    cp = (
        select(
            cut.c.d, func.count().label("open_cp"), flag(cp_plans.c.start_date < cut.c.c_cp).label("cp_over_2_years")
        )
        .select_from(cut.join(cp_plans, open_on(cp_plans.c.start_date, cp_plans.c.end_date, cut.c.d)))
        .where(maybe_open(cp_plans))
        .group_by(cut.c.d)
        .subquery("cp_t")
    )
    q = (
        select(
            cut.c.d,
            cin.c.open_cin,
            cin.c.cin_9_month_review,
            cin.c.cin_over_12_months,
            cin.c.step_down_over_12_weeks,
            cp.c.open_cp,
            cp.c.cp_over_2_years,
        )
        .select_from(cut.outerjoin(cin, cin.c.d == cut.c.d).outerjoin(cp, cp.c.d == cut.c.d))
        .order_by(cut.c.d)
    )
    df = db.read(q)
    df.columns = TREND_COLUMNS[:-1]
    for col in TREND_COLUMNS[1:-1]:
        df[col] = pd.to_numeric(df[col]).fillna(0).astype(int)
    df["pct_cin_over_12_months"] = (100.0 * df["cin_over_12_months"] / df["open_cin"].where(df["open_cin"] > 0)).astype(
        float
    )
    return df


__all__ = ["plan_drift", "drift_counts", "drift_trend", "unserved_drift_flags", "FLAGS", "FLAG_NAMES"]
