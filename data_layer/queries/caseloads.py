"""Caseloads per worker and unallocated children (docs/DEFINITIONS.md "Caseloads"), counted in SQL."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Date, Integer, and_, case, cast, func, literal, not_, select, true, union_all

from ..coverage import requires
from ..dialect import days_between, greatest, indexed_dates_table, try_date, whole_div
from ..engine import Database
from ..filters import Filters
from .predicates import in_post, key_allocations, named_key_worker, not_ended_by, open_on
from .status import STATUSES, open_involvements, status_case

#: Roles that cannot hold a case as key worker whatever their qualification (004 App. 4: students).
STUDENT_ROLES = ("SSW",)

#: Caseloads are whole numbers and targets 25 x FTE; an FTE stored as a 4-byte float (0.04 reads
#: back as 0.0399999991) must not make 1 child "over" a target of 1. Any real excess is >= 0.0025.
TARGET_TOLERANCE = 1e-6


@requires("caseloads")
def caseloads(db: Database, f: Filters) -> pd.DataFrame:
    """One row per worker in post on ``f.as_at`` in the selected teams, even with no cases.

    ``cases`` counts distinct children with an open key-worker allocation to the worker (a child
    allocated twice to the same worker counts once); the status columns split ``cases`` by each
    child's status (docs/DEFINITIONS.md "Caseloads" precedence), plus ``other`` so the parts add up to ``cases``.
    ``target`` = caseload_per_fte (000) x fte, rounded to 2 decimals for display; ``over_target`` =
    cases > caseload_per_fte x fte (unrounded).
    """
    d = f.as_at
    tb = db.tables
    allocations, workers, teams = tb.allocations, tb.workers, tb.teams
    pairs = (
        select(allocations.c.worker_id, allocations.c.child_id)
        .where(key_allocations(tb, d))
        .distinct()
        .subquery("pairs")
    )
    with_status = select(
        pairs.c.worker_id, pairs.c.child_id, status_case(tb, pairs.c.child_id, d, db.standards).label("status")
    ).subquery("ws")
    counts = (
        select(
            with_status.c.worker_id,
            func.count().label("cases"),
            *[func.sum(case((with_status.c.status == s, 1), else_=0)).label(s) for s in STATUSES],
        )
        .group_by(with_status.c.worker_id)
        .subquery("counts")
    )
    q = (
        select(
            workers.c.worker_id,
            workers.c.worker_name,
            workers.c.team_id,
            teams.c.team_name,
            workers.c.role,
            workers.c.fte,
            workers.c.qualified,
            func.coalesce(counts.c.cases, 0).label("cases"),
            *[func.coalesce(counts.c[s], 0).label(s) for s in STATUSES],
        )
        .select_from(
            workers.outerjoin(teams, teams.c.team_id == workers.c.team_id).outerjoin(
                counts, counts.c.worker_id == workers.c.worker_id
            )
        )
        .where(in_post(tb, d), f.team_clause(workers.c.team_id, teams))
        .order_by(workers.c.team_id, workers.c.worker_id)
    )
    df = db.read(q)
    for col in ("cases", *STATUSES):
        df[col] = df[col].astype(int)
    df["worker_id"] = df["worker_id"].astype(str)
    df["fte"] = df["fte"].astype(float)
    exact = db.standards.caseload_per_fte * df["fte"]
    # Over target compares with 25 x FTE itself (plus a float tolerance), exactly as
    # caseload_trend does in SQL; ``target`` is rounded to 2 decimals for display only.
    df["target"] = exact.round(2)
    df["over_target"] = df["cases"] > exact + TARGET_TOLERANCE
    return df


def _qualified_key_worker(tb, child_col, d):
    """An open key-worker allocation to a qualified worker who is not a student (004 App. 4)."""
    allocations, workers = tb.allocations, tb.workers
    return (
        select(literal(1))
        .select_from(allocations.join(workers, workers.c.worker_id == allocations.c.worker_id))
        .where(
            allocations.c.child_id == child_col,
            key_allocations(tb, d),
            workers.c.qualified == true(),
            workers.c.role.not_in(STUDENT_ROLES),
        )
        .exists()
    )


def _open_children(tb, d):
    """Subquery: each child open to the service on d (docs/DEFINITIONS.md "Caseloads") with ``since``, its earliest
    open start."""
    opened = union_all(*open_involvements(tb, d)).subquery("inv")
    return (
        select(opened.c.child_id, func.min(opened.c.start_date).label("since"))
        .group_by(opened.c.child_id)
        .subquery("first_open")
    )


def _child_team(tb, c, d):
    """A child's team on d: latest open key-worker allocation, else open CP plan, CIN plan, assessment."""
    allocations = tb.allocations

    def latest_team(table, start, end, *extra):
        return (
            select(table.c.team_id)
            .where(table.c.child_id == c, open_on(table.c[start], table.c[end], d), *extra)
            .order_by(table.c[start].desc(), table.c.team_id.desc())
            .limit(1)
            .scalar_subquery()
        )

    return func.coalesce(
        latest_team(allocations, "start_date", "end_date", allocations.c.role == "key_worker"),
        latest_team(tb.cp_plans, "start_date", "end_date"),
        latest_team(tb.cin_plans, "start_date", "end_date"),
        latest_team(tb.assessments, "start_date", "completed_date"),
    )


@requires("unallocated")
def unallocated(db: Database, f: Filters) -> pd.DataFrame:
    """Children open to the service on ``f.as_at`` without a qualified key worker (docs/DEFINITIONS.md "Caseloads").

    * ``team_id``: the team of the child's latest open key-worker allocation (including an
      "awaiting allocation" row with no worker), else of the open CP plan, CIN plan or assessment.
    * ``days_unallocated``: days from the later of (a) the start of the child's earliest open
      plan/episode/referral/assessment and (b) the end of their last qualified key-worker
      allocation, to ``as_at``.
    """
    d = f.as_at
    tb = db.tables
    allocations, workers = tb.allocations, tb.workers
    first_open = _open_children(tb, d)
    c = first_open.c.child_id
    team = _child_team(tb, c, d)
    last_qualified_end = (
        select(func.max(allocations.c.end_date))
        .select_from(allocations.join(workers, workers.c.worker_id == allocations.c.worker_id))
        .where(
            allocations.c.child_id == c,
            named_key_worker(allocations),
            allocations.c.end_date <= d,
            workers.c.qualified == true(),
            workers.c.role.not_in(STUDENT_ROLES),
        )
        .scalar_subquery()
    )
    since = greatest(first_open.c.since, func.coalesce(last_qualified_end, first_open.c.since))
    inner = (
        select(
            c.label("child_id"),
            team.label("team_id"),
            status_case(tb, c, d, db.standards).label("status"),
            days_between(literal(d), since).label("days_unallocated"),
        )
        .where(not_(_qualified_key_worker(tb, c, d)))
        .subquery("u")
    )
    q = (
        select(inner)
        .where(f.team_clause(inner.c.team_id, tb.teams))
        .order_by(inner.c.days_unallocated.desc(), inner.c.child_id)
    )
    df = db.read(q)
    df["days_unallocated"] = df["days_unallocated"].astype(int)
    return df


@requires("children_by_status")
def children_by_status(db: Database, f: Filters) -> pd.DataFrame:
    """Children open to the service on ``f.as_at`` (open plan, CLA episode, referral or assessment),
    counted by status (docs/DEFINITIONS.md "Caseloads" precedence), grouped in SQL.

    The team filter uses the same team as :func:`unallocated` (latest open key-worker allocation,
    else CP plan, CIN plan, assessment), so the two agree. Every status in ``STATUSES`` is
    returned, zero when empty. Columns ``status``, ``children``.
    """
    d = f.as_at
    tb = db.tables
    first_open = _open_children(tb, d)
    c = first_open.c.child_id
    inner = select(
        c.label("child_id"), _child_team(tb, c, d).label("team_id"), status_case(tb, c, d, db.standards).label("status")
    ).subquery("s")
    q = (
        select(inner.c.status, func.count().label("children"))
        .where(f.team_clause(inner.c.team_id, tb.teams))
        .group_by(inner.c.status)
    )
    got = db.read(q)
    counts = dict(zip(got["status"], got["children"].astype(int), strict=False)) if len(got) else {}
    return pd.DataFrame({"status": list(STATUSES), "children": [int(counts.get(s, 0)) for s in STATUSES]})


@requires("caseload_trend")
def caseload_trend(db: Database, f: Filters, weeks: int = 52) -> pd.DataFrame:
    """Weekly average caseload and % of workers over target over the ``weeks`` to ``as_at``.

    The caseload definition of :func:`caseloads` on each date ``d`` (``as_at`` and every 7 days
    before): for each worker in post on ``d`` in the selected teams, the number of **distinct
    children** with a key-worker allocation to them open on ``d`` (``start <= d``, no end or
    ``end > d``); a child with two overlapping allocations to one worker counts once.

    One query, with no join of each allocation to every date it is open on (7M rows at 1M
    children): each allocation becomes the run of date positions ``[s, e]`` it is open on, found
    by arithmetic on its dates; the part of a run a child's earlier allocation to the same worker
    already covers is cut off (sorted by start, a run keeps ``[max(s, max e before + 1), e]``),
    so what is left never overlaps; +1 at each run's start and -1 after its end, summed running
    over the positions of each worker, give the distinct children on every date. A date that
    cannot be read (text in a date column) leaves the allocation out.
    Columns: ``as_at``, ``workers``, ``average_caseload``, ``over_target``, ``pct_over_target``.
    """
    from datetime import timedelta

    dates = [f.as_at - timedelta(weeks=w) for w in range(weeks - 1, -1, -1)]
    last = len(dates) - 1
    dt = indexed_dates_table(dates)
    per_fte = db.standards.caseload_per_fte
    tb = db.tables
    allocations, workers = tb.allocations, tb.workers
    first = literal(dates[0], Date)
    x = days_between(try_date(allocations.c.start_date), first)  # days from the first date to the start
    y = days_between(try_date(allocations.c.end_date), first)
    runs = (
        select(
            allocations.c.worker_id,
            allocations.c.child_id,
            case((x <= 0, 0), else_=whole_div(x + 6, 7)).label("s"),  # first position with d >= start
            case((allocations.c.end_date.is_(None), last), (y > 7 * last, last), else_=whole_div(y + 6, 7) - 1).label(
                "e"
            ),  # last position with d < end
        )
        # open on some date of the trend (the index narrows it down; the arithmetic then places it)
        .where(
            named_key_worker(allocations),
            allocations.c.start_date <= dates[-1],
            not_ended_by(allocations.c.end_date, dates[0]),
        )
        .subquery("runs")
    )
    before = func.max(runs.c.e).over(
        partition_by=[runs.c.worker_id, runs.c.child_id], order_by=[runs.c.s, runs.c.e], rows=(None, -1)
    )
    ordered = (
        select(runs.c.worker_id, runs.c.s, runs.c.e, before.label("before"))
        .where(runs.c.s.is_not(None), runs.c.e.is_not(None), runs.c.s <= runs.c.e)
        .subquery("ordered")
    )
    new_start = case(
        (ordered.c.before.is_(None) | (ordered.c.s > ordered.c.before), ordered.c.s), else_=ordered.c.before + 1
    )
    kept = (
        select(ordered.c.worker_id, new_start.label("s"), ordered.c.e).where(new_start <= ordered.c.e).subquery("kept")
    )
    # each run gives +1 at its start and -1 after its end: one pass over the runs (a 2-row table of
    # signs, not a UNION of two selects, which SQLite and DuckDB would compute the runs twice for)
    signs = union_all(select(literal(1, Integer).label("sign")), select(literal(-1, Integer).label("sign"))).subquery(
        "signs"
    )
    at = case((signs.c.sign == 1, kept.c.s), else_=kept.c.e + 1)
    delta = (
        select(kept.c.worker_id, at.label("i"), func.sum(signs.c.sign).label("delta"))
        .select_from(kept.join(signs, true()))
        .where((signs.c.sign == 1) | (kept.c.e < last))
        .group_by(kept.c.worker_id, at)
        .subquery("delta")
    )
    # every worker of the selected teams on every date, the running sum of their steps, then only
    # the dates they were in post on (after the sum: a step on a date before they started counts)
    running = (
        select(
            dt.c.d,
            workers.c.start_date,
            workers.c.end_date,
            workers.c.fte,
            func.coalesce(
                func.sum(delta.c.delta).over(partition_by=workers.c.worker_id, order_by=dt.c.i, rows=(None, 0)), 0
            ).label("cases"),
        )
        .select_from(
            dt.join(workers, true()).outerjoin(
                delta, and_(delta.c.worker_id == workers.c.worker_id, delta.c.i == dt.c.i)
            )
        )
        .where(f.team_clause(workers.c.team_id, tb.teams))
        .subquery("running")
    )
    per_worker = (
        select(running.c.d, running.c.cases, running.c.fte)
        .where(open_on(running.c.start_date, running.c.end_date, running.c.d))  # in post (predicates.in_post)
        .subquery("pw")
    )
    q = (
        select(
            per_worker.c.d.label("as_at"),
            func.count().label("workers"),
            func.avg(cast(per_worker.c.cases, Integer) * 1.0).label("average_caseload"),
            func.sum(case((per_worker.c.cases > per_fte * per_worker.c.fte + TARGET_TOLERANCE, 1), else_=0)).label(
                "over_target"
            ),
        )
        .group_by(per_worker.c.d)
        .order_by(per_worker.c.d)
    )
    df = db.read(q)
    out = pd.DataFrame({"as_at": dates}).merge(df, on="as_at", how="left")
    for col in ("workers", "over_target"):  # weeks with nobody in post come back NULL (object dtype)
        out[col] = pd.to_numeric(out[col], errors="coerce").fillna(0).astype(int)
    out["average_caseload"] = out["average_caseload"].astype(float)
    out["pct_over_target"] = (100.0 * out["over_target"] / out["workers"].where(out["workers"] > 0)).astype(float)
    return out


__all__ = ["caseloads", "unallocated", "children_by_status", "caseload_trend", "STATUSES"]
