"""CIN and CP plan durations (docs/DEFINITIONS.md "Plan durations and drift"): which plans, how long, in what bands,
and survival.

Window (docs/DEFINITIONS.md "Conventions used throughout", ``plan_durations``): a plan is in scope when it is **open
on the as-at date D**
(``start_date <= D`` and ``end_date`` NULL or after D) or **closed in the 12 months to D**: ``end_date``
from ``f.window_start(12)`` (the day after D minus 12 months) up to and including D. So with D =
31 Mar 2023 a plan ended on 1 Apr 2022 is in, one ended on 31 Mar 2022 is out, and one ended on D
itself is closed (not open) on D.

Duration = ``end_date - start_date`` in days, or ``D - start_date`` for a plan open on D. A plan whose
stored end date falls after D is *open on D*: its end date and end reason are not known yet on D, so
they are returned as NULL (the page replays history as it stood on D).

Rows that cannot be placed on a timeline (missing start date, end before start) are excluded from
every figure and counted by :func:`plan_exclusions`, never silently dropped. Bands and survival on
these rows are pure and live in :mod:`data_layer.metrics.plan_survival`.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import String, and_, case, cast, func, literal, null, or_, select, union_all

from ..coverage import requires
from ..dialect import add_months, days_between
from ..engine import Database, text_or_none
from ..filters import Filters
from ..metrics.plan_survival import band_edges, band_labels
from ..schema import CODES
from .predicates import not_ended_by

PLAN_TABLES = {"cin": "cin_plans", "cp": "cp_plans"}
PLAN_TYPES = tuple(PLAN_TABLES)
CIN_ORIGINS = tuple(sorted(CODES[("cin_plans", "origin")]))


def plan_table(plan_type: str, tb=None):
    """The database's table for 'cin' or 'cp' (``tb``: ``db.tables``); anything else is a programming error."""
    try:
        name = PLAN_TABLES[plan_type]
    except KeyError:
        raise ValueError(f"plan_type must be one of {PLAN_TYPES}, got {plan_type!r}") from None
    if tb is None:
        from .. import schema

        return schema.metadata.tables[name]
    return tb[name]


def _plan_need(args, kwargs) -> str:
    plan_type = args[1] if len(args) > 1 else kwargs.get("plan_type")
    return f"plan_durations:{plan_type}"


def _plan_tables(tb):
    return {plan_type: tb[name] for plan_type, name in PLAN_TABLES.items()}


def _usable(t):
    """A plan row that can be placed on a timeline: a start date and no end before it."""
    return and_(t.c.start_date.is_not(None), or_(t.c.end_date.is_(None), t.c.end_date >= t.c.start_date))


def in_window(t, f: Filters, months: int):
    """Open on D or closed from ``f.window_start(months)`` to D inclusive (module docstring)."""
    d = f.as_at
    return and_(t.c.start_date <= d, or_(t.c.end_date.is_(None), t.c.end_date >= f.window_start(months)))


def _is_open(t, d):
    return not_ended_by(t.c.end_date, d)


def _durations_select(tb, t, plan_type: str, f: Filters, months: int):
    d = f.as_at
    teams = tb.teams
    is_open = _is_open(t, d)
    origin = t.c.origin if plan_type == "cin" and tb.has("cin_plans", "origin") else cast(null(), String)
    end_reason = t.c.end_reason if tb.has(t.name, "end_reason") else cast(null(), String)
    return (
        select(
            t.c.plan_id,
            t.c.child_id,
            t.c.team_id,
            teams.c.team_name,
            t.c.start_date,
            case((is_open, null()), else_=t.c.end_date).label("end_date"),
            days_between(case((is_open, literal(d)), else_=t.c.end_date), t.c.start_date).label("days"),
            case((is_open, literal(True)), else_=literal(False)).label("open"),
            origin.label("origin"),
            case((is_open, null()), else_=end_reason).label("end_reason"),
        )
        .select_from(t.outerjoin(teams, teams.c.team_id == t.c.team_id))
        .where(in_window(t, f, months), _usable(t), f.team_clause(t.c.team_id, teams))
    )


@requires(by_arg=_plan_need)
def plan_durations(db: Database, f: Filters, plan_type: str) -> pd.DataFrame:
    """One row per CIN or CP plan open on ``f.as_at`` or closed in the 12 months to it.

    Columns ``plan_id``, ``child_id``, ``team_id``, ``team_name``, ``start_date``, ``end_date`` (NULL
    while open on D), ``days``, ``open``, ``origin`` (NULL for CP plans), ``end_reason`` (NULL while
    open). Teams filter on the plan's own ``team_id``. Window and exclusions: module docstring.
    """
    t = plan_table(plan_type, db.tables)
    months = db.standards.reporting_window_months
    q = _durations_select(db.tables, t, plan_type, f, months).order_by(t.c.start_date, t.c.plan_id)
    return _tidy(db.read(q))


def _tidy(df: pd.DataFrame) -> pd.DataFrame:
    for col in ("plan_id", "child_id", "team_id"):
        df[col] = text_or_none(df[col])
    df["days"] = df["days"].astype(int)
    df["open"] = df["open"].astype(bool)
    df["origin"] = df["origin"].astype(object).where(df["origin"].notna(), None)
    df["end_reason"] = df["end_reason"].astype(object).where(df["end_reason"].notna(), None)
    return df


# ---------------------------------------------------------------------------------------------
# Excluded rows


@requires("plan_exclusions")
def plan_exclusions(db: Database, f: Filters) -> pd.DataFrame:
    """Plan rows left out of this page's figures, by reason: columns ``plan_type``, ``reason``, ``n``.

    Counts, in the selected teams, plans that would otherwise be in the duration window or open on
    D: those with no start date or an end date before their start date (excluded everywhere), and
    CIN plans with an origin code outside the contract (kept in durations and drift, but left out
    of the by-origin survival curves and never flagged as a CP step-down). Rows with a count of 0
    are omitted, so an empty frame means nothing was excluded.
    """
    d = f.as_at
    w = f.window_start(db.standards.reporting_window_months)
    parts = []
    tb = db.tables
    cin_plans = tb.cin_plans
    for plan_type, t in _plan_tables(tb).items():
        relevant = and_(or_(t.c.end_date.is_(None), t.c.end_date >= w), f.team_clause(t.c.team_id, tb.teams))
        parts.append(
            select(
                literal(plan_type).label("plan_type"), literal("no start date").label("reason"), func.count().label("n")
            ).where(t.c.start_date.is_(None), relevant)
        )
        parts.append(
            select(literal(plan_type), literal("end date before start date"), func.count()).where(
                t.c.end_date < t.c.start_date, or_(t.c.start_date <= d, t.c.end_date <= d), relevant
            )
        )
    if tb.has("cin_plans", "origin"):
        parts.append(
            select(literal("cin"), literal("unrecognised origin code"), func.count()).where(
                cin_plans.c.origin.is_not(None),
                cin_plans.c.origin.not_in(CIN_ORIGINS),
                in_window(cin_plans, f, db.standards.reporting_window_months),
                _usable(cin_plans),
                f.team_clause(cin_plans.c.team_id, tb.teams),
            )
        )
    df = db.read(union_all(*parts))
    df.columns = ["plan_type", "reason", "n"]
    df["n"] = df["n"].astype(int)
    return df[df["n"] > 0].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Duration bands


@requires("duration_bands")
def duration_bands(db: Database, f: Filters) -> pd.DataFrame:
    """Counts of CIN and CP plans (same window as :func:`plan_durations`) by duration band, in SQL.

    A plan is in band "a to b months" when it lasted more than ``a`` and at most ``b`` calendar
    months (``start + a months < end <= start + b months``, month ends clamped as in
    :func:`~data_layer.filters.months_cutoff`; ``end`` is D for open plans), so the band edges are
    exactly the standards' boundaries. Columns ``plan_type``, ``band_order``, ``band``, ``open``,
    ``n``; every band x open/closed combination is present (0 when empty).
    """
    edges = band_edges(db.standards)
    labels = band_labels(edges)
    months = db.standards.reporting_window_months
    d = f.as_at
    parts = []
    tb = db.tables
    for plan_type, t in _plan_tables(tb).items():
        is_open = _is_open(t, d)
        end = case((is_open, literal(d)), else_=t.c.end_date)
        order = case(
            *[(end <= add_months(t.c.start_date, m), literal(i)) for i, m in enumerate(edges)],
            else_=literal(len(edges)),
        )
        inner = (
            select(order.label("band_order"), case((is_open, 1), else_=0).label("is_open"))
            .where(in_window(t, f, months), _usable(t), f.team_clause(t.c.team_id, tb.teams))
            .subquery(f"b_{plan_type}")
        )
        parts.append(
            select(
                literal(plan_type).label("plan_type"), inner.c.band_order, inner.c.is_open, func.count().label("n")
            ).group_by(inner.c.band_order, inner.c.is_open)
        )
    got = db.read(union_all(*parts))
    got.columns = ["plan_type", "band_order", "open", "n"]
    full = pd.MultiIndex.from_product(
        [PLAN_TYPES, range(len(labels)), [0, 1]], names=["plan_type", "band_order", "open"]
    )
    got["band_order"] = got["band_order"].astype(int)
    got["open"] = got["open"].astype(int)
    out = got.groupby(["plan_type", "band_order", "open"])["n"].sum().reindex(full, fill_value=0).reset_index()
    out["n"] = out["n"].astype(int)
    out["open"] = out["open"].astype(bool)
    out.insert(2, "band", out["band_order"].map(dict(enumerate(labels))))
    return out


__all__ = [
    "plan_durations",
    "plan_exclusions",
    "duration_bands",
    "PLAN_TYPES",
    "CIN_ORIGINS",
]
