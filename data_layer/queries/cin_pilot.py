"""CIN pilot evaluation (docs/DEFINITIONS.md "CIN pilot evaluation", seed 002): cohorts, measures and trend, counted
in SQL.

A pilot (``standards.Pilot``) names its teams (ids, else every team of ``team_service``), a start
date, an evaluation length and comparison teams (ids, else every team of ``comparison_service``,
else the other teams of the pilot teams' service; pilot teams are never comparison teams).

**Cohorts.** CIN plans *started* in a period, split by the plan's ``team_id`` into pilot and
comparison: ``during`` = [start, start + months), ``before`` = the same number of months
immediately before start. Plans starting after ``as_at`` do not exist yet; rows that end before
they start are bad rows and are left out.

**As-at date.** Outcomes are observed up to ``f.as_at``: a plan closed when its ``end_date`` is
on or before ``as_at``; otherwise (no end, or an end after ``as_at``) it is open and its duration
is censored at ``as_at``.

**Global filters.** The pilot's own teams are fixed by its configuration: a team or service
filter never removes them (the page is about them). The filter narrows the *comparison* teams
to those it selects, so a manager can compare the pilot with one team; when it selects no
comparison team at all (say, only the pilot team, or another service) it is ignored and
``PilotDesign.filter_note`` says so.

**Measures** (one row per measure x cohort x period; proportions carry Wilson intervals), computed
from :func:`cohort_plans` rows by the pure :mod:`data_layer.metrics.cin_pilot_measures`:

* ``median_days`` -- Kaplan-Meier median CIN plan duration in days (open plans censored).
* ``closed_within_12m`` -- share closed within ``cin_max_months`` (12) calendar months of
  starting (``end_date <= start_date + 12 months``), among plans *whose 12 months have elapsed
  by as_at*. Plans still inside their first 12 months are left out, not counted as open, so the
  share is a plain binomial one (Wilson interval) and not biased towards quick closures. At a
  six-month evaluation this is therefore "not yet measurable" for the pilot cohort: honest.
* ``escalated_cp`` -- share of the cohort's plans that closed by as_at with end reason
  ``escalated_cp``, or with a CP plan for the child starting 0 to ``pilot_escalation_days`` (30)
  days after the CIN end (30 counts, 31 does not) and by as_at. Denominator: every plan in the
  cohort (open plans have not escalated yet; the DiD compares cohorts with equal follow-up).
* ``became_lac`` -- the same with end reason ``became_lac`` or a CLA episode starting 0 to 30
  days after the CIN end (the same window as CP escalation, so the two are comparable).
* ``rereferred_12m`` -- share of closed plans with a referral of the child dated after the CIN
  end (strictly) and on or before end + ``pilot_rereferral_months`` (12) calendar months, among
  closed plans *whose 12 months after closure have elapsed by as_at* (same reason as above).
* ``reviews_on_time`` -- share of plans whose every review interval while open was at most
  ``cin_review_days`` (42): plan start to first review, review to review, and last review to
  the plan's end (or to as_at if open). Only ``plan_type = 'cin'`` reviews dated from the start
  to that end count. A plan ended on day 42 with no review is on time; on day 43 it is not
  (it was open on day 42 without the review that fell due).
* ``holder_caseload`` -- mean caseload (docs/DEFINITIONS.md "Caseloads": distinct children with an open key-worker
  allocation) of the worker holding each plan, counted on the day they began holding it: the
  child's key worker on the plan's start date (latest such allocation), else the first named
  key worker allocated while the plan was open. Plans with no key worker are left out. Plan-
  weighted (a worker holding three plans counts three times), with a t-interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta
from sqlalchemy import Date, Integer, and_, case, cast, distinct, exists, func, literal, null, or_, select, union_all

from ..coverage import requires
from ..dialect import dates_table, days_between, greatest, month_start
from ..engine import Database
from ..filters import Filters
from ..metrics.cin_pilot_measures import did_table, summarise_cohorts, trend_months
from ..standards import Pilot, Standards
from .predicates import key_allocations, named_key_worker, not_ended_by, open_on, reviews_available


@dataclass(frozen=True)
class PilotDesign:
    """A pilot resolved against the database and the filters: who is compared, over when."""

    pilot: Pilot
    pilot_teams: tuple[str, ...]
    comparison_teams: tuple[str, ...]
    before: tuple[date, date]  # [first day, day after last)
    during: tuple[date, date]
    as_at: date
    filter_note: str | None = None

    @property
    def evaluation_end(self) -> date:
        """Last day of the pilot's evaluation period (the day the evaluation is due)."""
        return self.during[1] - timedelta(days=1)

    @property
    def all_teams(self) -> tuple[str, ...]:
        return self.pilot_teams + self.comparison_teams


def _pilot_of(db: Database, pilot: Pilot | str | None) -> Pilot:
    return pilot if isinstance(pilot, Pilot) else db.standards.pilot(pilot)


def resolve_design(db: Database, f: Filters, pilot: Pilot | str | None = None) -> PilotDesign:
    """Resolve a pilot's teams and periods (see the module docstring for the rules)."""
    p = _pilot_of(db, pilot)
    teams = db.tables.teams
    team_rows = db.read(select(teams.c.team_id, teams.c.service).order_by(teams.c.team_id))
    team_rows["team_id"] = team_rows["team_id"].astype(str)
    service = dict(zip(team_rows.team_id, team_rows.service, strict=False))
    if p.team_ids:
        pilot_teams = tuple(p.team_ids)
    else:
        pilot_teams = tuple(t for t, s in service.items() if p.team_service is not None and s == p.team_service)
    if p.comparison_team_ids:
        comparison = [t for t in p.comparison_team_ids if t not in pilot_teams]
    else:
        comp_services = (
            {p.comparison_service} if p.comparison_service else {service.get(t) for t in pilot_teams} - {None}
        )
        comparison = [t for t, s in service.items() if s in comp_services and t not in pilot_teams]
    note = None
    if f.is_filtered:
        selected = [
            t for t in comparison if (not f.teams or t in f.teams) and (not f.services or service.get(t) in f.services)
        ]
        if selected:
            if len(selected) < len(comparison):
                note = (
                    f"Comparison narrowed by the team/service filter to {len(selected)} of "
                    f"{len(comparison)} comparison teams."
                )
            comparison = selected
        else:
            note = (
                "The team/service filter selects none of this pilot's comparison teams, so it is "
                "ignored here: the pilot is compared with all its comparison teams."
            )
    start, months = p.start, p.months
    return PilotDesign(
        pilot=p,
        pilot_teams=pilot_teams,
        comparison_teams=tuple(comparison),
        before=(start - relativedelta(months=months), start),
        during=(start, start + relativedelta(months=months)),
        as_at=f.as_at,
        filter_note=note,
    )


def _cohort_query(tb, design: PilotDesign, standards: Standards):
    """One row per cohort plan with its outcome flags, all computed in SQL (see module docstring).

    ``tb``: the database's contract tables. Without CIN plan reviews (the SSD) the review columns
    are NULL and ``reviews_on_time`` is unknown, never "late"."""
    allocations, cin_plans, cla_episodes, cp_plans = tb.allocations, tb.cin_plans, tb.cla_episodes, tb.cp_plans
    referrals, workers = tb.referrals, tb.workers
    has_reviews = reviews_available(tb, "cin")
    end_reason_col = cin_plans.c.end_reason if tb.has("cin_plans", "end_reason") else null()
    d = design.as_at
    as_at = literal(d, Date)
    closed = and_(cin_plans.c.end_date.is_not(None), cin_plans.c.end_date <= as_at)
    cohort = (
        select(
            cin_plans.c.plan_id,
            cin_plans.c.child_id,
            cin_plans.c.team_id,
            cin_plans.c.start_date,
            case((closed, cin_plans.c.end_date), else_=None).label("end_date"),
            case((closed, end_reason_col), else_=None).label("end_reason"),
            case((closed, cin_plans.c.end_date), else_=as_at).label("cap"),
            case((cin_plans.c.team_id.in_(design.pilot_teams), literal("pilot")), else_=literal("comparison")).label(
                "cohort"
            ),
            case((cin_plans.c.start_date < design.during[0], literal("before")), else_=literal("during")).label(
                "period"
            ),
        )
        .where(
            cin_plans.c.team_id.in_(design.all_teams),
            cin_plans.c.start_date >= design.before[0],
            cin_plans.c.start_date < design.during[1],
            cin_plans.c.start_date <= as_at,
            or_(cin_plans.c.end_date.is_(None), cin_plans.c.end_date >= cin_plans.c.start_date),
        )
        .cte("cohort")
    )
    c = cohort.c

    # Review intervals: the plan's start, its CIN reviews while open, and its end/as_at, in date
    # order; the longest gap between consecutive points decides "on time".
    if has_reviews:
        plan_reviews = tb.plan_reviews
        points = union_all(
            select(c.plan_id, c.start_date.label("d")),
            select(c.plan_id, plan_reviews.c.review_date.label("d")).select_from(
                cohort.join(
                    plan_reviews,
                    and_(
                        plan_reviews.c.plan_id == c.plan_id,
                        plan_reviews.c.plan_type == "cin",
                        plan_reviews.c.review_date >= c.start_date,
                        plan_reviews.c.review_date <= c.cap,
                    ),
                )
            ),
            select(c.plan_id, c.cap.label("d")),
        ).subquery("points")
        gaps = select(
            points.c.plan_id,
            days_between(
                points.c.d, func.lag(points.c.d).over(partition_by=points.c.plan_id, order_by=points.c.d)
            ).label("gap"),
        ).subquery("gaps")
        reviews = (
            select(gaps.c.plan_id, func.max(gaps.c.gap).label("max_review_gap"), (func.count() - 2).label("reviews"))
            .group_by(gaps.c.plan_id)
            .subquery("reviews")
        )
    else:
        reviews = select(
            c.plan_id, cast(null(), Integer).label("max_review_gap"), cast(null(), Integer).label("reviews")
        ).subquery("reviews")

    # The worker holding the plan: key worker on the start date (latest such allocation), else
    # the first named one allocated while the plan was open: rank the child's key-worker
    # allocations per plan in that order and keep the first.
    ka = allocations.alias("ka")
    before_start = ka.c.start_date <= c.start_date
    ranked = (
        select(
            c.plan_id,
            ka.c.worker_id,
            ka.c.start_date,
            func.row_number()
            .over(
                partition_by=c.plan_id,
                order_by=[
                    case((before_start, 0), else_=1),
                    func.abs(days_between(c.start_date, ka.c.start_date)),
                    ka.c.allocation_id,
                ],
            )
            .label("rk"),
        )
        .select_from(
            cohort.join(
                ka,
                and_(
                    ka.c.child_id == c.child_id,
                    named_key_worker(ka),
                    or_(before_start, ka.c.start_date < c.cap),
                    not_ended_by(ka.c.end_date, c.start_date),
                ),
            )
        )
        .subquery("ranked_holders")
    )
    holders = (
        select(ranked.c.plan_id, ranked.c.worker_id.label("holder_id"), ranked.c.start_date.label("holder_alloc_start"))
        .where(ranked.c.rk == 1)
        .subquery("holders")
    )
    since = greatest(c.start_date, func.coalesce(holders.c.holder_alloc_start, c.start_date))
    held = (
        select(cohort, holders.c.holder_id, since.label("holder_since"))
        .select_from(cohort.outerjoin(holders, holders.c.plan_id == c.plan_id))
        .cte("held")
    )
    h = held.c
    # Each holder's caseload on the day they took the plan, as one grouped join (a correlated
    # count per plan is many times slower on SQLite).
    load = allocations.alias("load")
    loads = (
        select(h.plan_id, func.count(distinct(load.c.child_id)).label("caseload"))
        .select_from(
            held.join(
                load,
                and_(load.c.worker_id == h.holder_id, key_allocations(tb, h.holder_since, load)),
            )
        )
        .group_by(h.plan_id)
        .subquery("loads")
    )
    fte = select(workers.c.fte).where(workers.c.worker_id == h.holder_id).limit(1).scalar_subquery()
    window = standards.pilot_escalation_days

    def followed_by(table, reason):
        """Closed with ``reason``, or the table's record starts 0..window days after the CIN end."""
        later = exists().where(
            table.c.child_id == h.child_id,
            table.c.start_date >= h.end_date,
            table.c.start_date <= as_at,
            days_between(table.c.start_date, h.end_date) <= window,
        )
        return case((and_(h.end_date.is_not(None), or_(h.end_reason == reason, later)), 1), else_=0)

    next_referral = (
        select(func.min(referrals.c.referral_date))
        .where(
            referrals.c.child_id == h.child_id,
            referrals.c.referral_date > h.end_date,
            referrals.c.referral_date <= as_at,
        )
        .scalar_subquery()
    )
    return (
        select(
            h.plan_id,
            h.team_id,
            h.cohort,
            h.period,
            h.start_date,
            h.end_date,
            h.end_reason,
            days_between(h.cap, h.start_date).label("days"),
            followed_by(cp_plans, "escalated_cp").label("escalated_cp"),
            followed_by(cla_episodes, "became_lac").label("became_lac"),
            next_referral.label("next_referral"),
            reviews.c.max_review_gap,
            reviews.c.reviews,
            h.holder_id,
            case((h.holder_id.is_not(None), func.coalesce(loads.c.caseload, 0)), else_=None).label("holder_caseload"),
            fte.label("holder_fte"),
        )
        .select_from(
            held.outerjoin(reviews, reviews.c.plan_id == h.plan_id).outerjoin(loads, loads.c.plan_id == h.plan_id)
        )
        .order_by(h.plan_id)
    )


def _has_reviews(db) -> bool:
    return reviews_available(db.tables, "cin")


@requires("pilot")
def cohort_plans(
    db: Database, f: Filters, pilot: Pilot | str | None = None, design: PilotDesign | None = None
) -> pd.DataFrame:
    """Per-plan rows of the four cohorts with every outcome flag (the input of the statistics).

    Columns: ``plan_id``, ``team_id``, ``cohort``, ``period``, ``start_date``, ``end_date``,
    ``end_reason``, ``days``, ``closed``, ``observable_12m``, ``closed_within_12m``,
    ``escalated_cp``, ``became_lac``, ``rereferral_observable``, ``rereferred_12m``,
    ``max_review_gap``, ``reviews``, ``reviews_on_time``, ``holder_caseload``, ``holder_fte``.
    No child ids: nothing downstream needs them.
    """
    design = design or resolve_design(db, f, pilot)
    s = db.standards
    df = db.read(_cohort_query(db.tables, design, s))
    as_at = pd.Timestamp(design.as_at)
    # Timestamps for the calendar-month arithmetic below; the frame keeps its dates.
    start, end = pd.to_datetime(df["start_date"]), pd.to_datetime(df["end_date"])
    df["plan_id"] = df["plan_id"].astype(str)
    df["team_id"] = df["team_id"].astype(str)
    df["days"] = df["days"].astype(int)
    df["closed"] = end.notna()
    year = pd.DateOffset(months=s.cin_max_months)
    df["observable_12m"] = (start + year) <= as_at
    df["closed_within_12m"] = df["closed"] & (end <= start + year)
    after = pd.DateOffset(months=s.pilot_rereferral_months)
    next_ref = pd.to_datetime(df.pop("next_referral"))
    df["rereferral_observable"] = df["closed"] & ((end + after) <= as_at)
    df["rereferred_12m"] = next_ref.notna() & (next_ref <= end + after)
    for col in ("escalated_cp", "became_lac"):
        df[col] = df[col].astype(int).astype(bool)
    df["max_review_gap"] = pd.to_numeric(df["max_review_gap"]).astype(float)
    df["reviews"] = pd.to_numeric(df["reviews"]).fillna(0).astype(int)
    df["reviews_on_time"] = df["max_review_gap"] <= s.cin_review_days
    if df["max_review_gap"].isna().all() and not _has_reviews(db):
        df["reviews_on_time"] = pd.Series(pd.NA, index=df.index, dtype="boolean")
    df["holder_caseload"] = pd.to_numeric(df["holder_caseload"]).astype(float)
    df["holder_fte"] = pd.to_numeric(df["holder_fte"]).astype(float)
    return df


@dataclass(frozen=True)
class PilotEvaluation:
    """Everything the page draws from one cohort query."""

    design: PilotDesign
    plans: pd.DataFrame
    measures: pd.DataFrame
    did: pd.DataFrame


@requires("pilot")
def evaluate_pilot(db: Database, f: Filters, pilot: Pilot | str | None = None) -> PilotEvaluation:
    """Resolve the pilot, run the one cohort query, and derive the measures and the DiD from it."""
    design = resolve_design(db, f, pilot)
    plans = cohort_plans(db, f, design=design)
    return PilotEvaluation(design, plans, summarise_cohorts(plans, db.standards), did_table(plans, db.standards))


@requires("pilot")
def pilot_headline(
    db: Database, f: Filters, pilot: Pilot | str | None = None, measure: str = "median_days"
) -> pd.DataFrame:
    """One measure's row of :func:`evaluate_pilot`'s DiD table: the Overview's pilot tile, as at D and D-7.

    The same cohort query, without the measures table and the other measures' intervals (about
    half of an evaluation's time). The pilot page keeps :func:`evaluate_pilot`: the two no longer
    share one cached evaluation, as the Overview opens far more often than the pilot page.
    """
    design = resolve_design(db, f, pilot)
    return did_table(cohort_plans(db, f, design=design), db.standards, (measure,))


@requires("pilot")
def pilot_evaluation(db: Database, f: Filters, pilot: Pilot | str | None = None) -> pd.DataFrame:
    """docs/DEFINITIONS.md "CIN pilot evaluation": measure x cohort (pilot/comparison) x period (before/during) rows
    with n, value, interval."""
    design = resolve_design(db, f, pilot)
    return summarise_cohorts(cohort_plans(db, f, design=design), db.standards)


@requires("pilot")
def pilot_did(db: Database, f: Filters, pilot: Pilot | str | None = None) -> pd.DataFrame:
    """Difference-in-differences per measure with its interval and plain-English verdict."""
    design = resolve_design(db, f, pilot)
    return did_table(cohort_plans(db, f, design=design), db.standards)


@requires("pilot_trend")
def pilot_trend(
    db: Database, f: Filters, pilot: Pilot | str | None = None, design: PilotDesign | None = None
) -> pd.DataFrame:
    """Monthly CIN starts, closures, open plans and median open-plan age, pilot vs comparison.

    One query: starts and closures are grouped by ``month_start`` of their date; open plans and
    their median age (days since start) are counted on each month-end date of a ``dates_table``
    (the exact median via ROW_NUMBER/COUNT windows, portable to every database). All CIN plans of
    the pilot and comparison teams count, not only the cohorts. Columns: ``month`` (first day),
    ``month_end``, ``cohort``, ``starts``, ``closures``, ``open_plans``, ``median_open_age``.
    """
    design = design or resolve_design(db, f, pilot)
    ends = trend_months(design)
    if not ends or not design.all_teams:
        return pd.DataFrame(
            columns=["month", "month_end", "cohort", "starts", "closures", "open_plans", "median_open_age"]
        )
    first, last = ends[0].replace(day=1), ends[-1]
    cin_plans = db.tables.cin_plans
    group = case((cin_plans.c.team_id.in_(design.pilot_teams), literal("pilot")), else_=literal("comparison"))
    plans = (
        select(cin_plans.c.start_date, cin_plans.c.end_date, group.label("cohort"))
        .where(
            cin_plans.c.team_id.in_(design.all_teams),
            cin_plans.c.start_date <= last,
            or_(cin_plans.c.end_date.is_(None), cin_plans.c.end_date >= first),
            or_(cin_plans.c.end_date.is_(None), cin_plans.c.end_date >= cin_plans.c.start_date),
        )
        .cte("trend_plans")
    )
    p = plans.c

    def per_month(date_col, name):
        inner = (
            select(month_start(date_col).label("month"), p.cohort)
            .where(date_col >= first, date_col <= last)
            .subquery(f"{name}_m")
        )
        return select(
            inner.c.month, inner.c.cohort, literal(name).label("measure"), (func.count() * 1.0).label("value")
        ).group_by(inner.c.month, inner.c.cohort)

    dt = dates_table(ends, "month_ends")
    ages = (
        select(dt.c.d, p.cohort, days_between(dt.c.d, p.start_date).label("age"))
        .select_from(dt.join(plans, open_on(p.start_date, p.end_date, dt.c.d)))
        .subquery("ages")
    )
    part = [ages.c.d, ages.c.cohort]
    ranked = select(
        ages.c.d,
        ages.c.cohort,
        ages.c.age,
        func.row_number().over(partition_by=part, order_by=ages.c.age).label("rn"),
        func.count().over(partition_by=part).label("cnt"),
    ).subquery("ranked")
    r = ranked.c
    median = (
        select(
            month_start(r.d).label("month"),
            r.cohort,
            literal("median_open_age").label("measure"),
            func.avg(r.age * 1.0).label("value"),
        )
        .where(2 * r.rn >= r.cnt, 2 * r.rn <= r.cnt + 2)
        .group_by(r.d, r.cohort)
    )
    open_count = select(
        month_start(ages.c.d).label("month"),
        ages.c.cohort,
        literal("open_plans").label("measure"),
        (func.count() * 1.0).label("value"),
    ).group_by(ages.c.d, ages.c.cohort)
    q = union_all(per_month(p.start_date, "starts"), per_month(p.end_date, "closures"), median, open_count)
    raw = db.read(q)
    grid = pd.DataFrame(
        [(e.replace(day=1), e, c) for e in ends for c in ("pilot", "comparison")],
        columns=["month", "month_end", "cohort"],
    )
    if raw.empty:
        wide = grid
    else:
        raw["value"] = pd.to_numeric(raw["value"]).astype(float)
        wide = grid.merge(
            raw.pivot_table(index=["month", "cohort"], columns="measure", values="value", aggfunc="sum").reset_index(),
            on=["month", "cohort"],
            how="left",
        )
    for col in ("starts", "closures", "open_plans"):
        wide[col] = (wide[col] if col in wide else pd.Series(0, index=wide.index)).fillna(0).astype(int)
    if "median_open_age" not in wide:
        wide["median_open_age"] = np.nan
    wide["median_open_age"] = wide["median_open_age"].astype(float)
    return wide[["month", "month_end", "cohort", "starts", "closures", "open_plans", "median_open_age"]]


__all__ = [
    "PilotDesign",
    "PilotEvaluation",
    "resolve_design",
    "cohort_plans",
    "evaluate_pilot",
    "pilot_evaluation",
    "pilot_did",
    "pilot_trend",
]
