"""Transfer timeliness and key-worker changes (docs/DEFINITIONS.md "Transfers"; seeds 003 and 004).

Transition points make children vulnerable (004 section 6), so the standards are: a transfer
completes within 3 working days of the request (003 "Case Transfer" 3), the receiving team gets at
least two weeks' notice (004 section 3), a joint home visit happens in the week leading up to the
transfer (003 3.1-3.3), and key workers change as little as possible (003; 004 section 3).

Which transfers (``transfers``), on as-at date D with window start W = ``f.window_start(12)`` (the
day after D minus 12 months, so D = 31 Mar 2023 gives W = 1 Apr 2022):

* requested in the window: ``W <= requested_date <= D``; or
* pending on D, however long ago requested: ``requested_date <= D`` and not completed on D
  (``completed_date`` NULL or after D). As-at semantics: a transfer completed after D was pending
  on D, so its completion date (and a joint visit after D) are not known yet and returned as NULL.
* Requests made after D did not exist on D and are not counted anywhere.

Declined transfers are not rows of ``transfers``: nothing was transferred, so there is no
completion to time, no notice to judge and no joint visit to expect (the contract has no decline
date either, so whether one was pending on a past D cannot be known). Those requested in the
window are counted by :func:`transfer_exclusions` under "declined", so the page shows them.

Team filter: a transfer belongs to a team selection when **either** its sending or its receiving
team is selected (a team manager sees cases leaving and arriving; the page splits by receiving
team where it matters).

Measures (computed per row; one row per transfer):

* ``working_days`` = ``numpy.busday_count(requested_date, completed_date or D)`` with England and
  Wales bank holidays (:mod:`data_layer.metrics.working_days`): working days from the request up to, not
  including, completion; same day = 0. ``on_time`` = ``working_days <= 3`` (003). A pending
  transfer is on time until it passes 3 working days waiting, then late.
* ``notice_days`` = ``completed_date - notified_date`` in calendar days, NULL when either is
  missing (so NULL for every pending transfer). ``notice_ok`` = ``notice_days >= 14`` (004). For a
  completed transfer with no notification date, no notice is recorded, so ``notice_ok`` is False;
  for a pending one it is None (not judged until it completes).
* ``joint_visit_ok``: a joint visit on or up to 7 days before completion,
  ``completed_date - 7 <= joint_visit_date <= completed_date`` (003: "within the week leading up to
  transfer"; a visit on the day of transfer counts, one 8 days before or after completion does not).
  False when a completed transfer has no joint visit recorded; None while pending.

Rows the standard cannot judge are never dropped silently: :func:`transfer_exclusions` counts them
by reason (no request date, unrecognised or missing status, completed before requested, status
contradicting the completion date), and also counts rows kept in the other figures but left out of
the by-transfer-point chart (unrecognised transfer point) and unusable key-worker allocations.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import and_, case, func, literal, null, or_, select, union_all

from .. import vocabulary
from ..coverage import requires
from ..dialect import days_between
from ..engine import Database, per_distinct, text_or_none
from ..filters import Filters
from ..metrics.working_days import working_days
from ..schema import CODES
from .predicates import named_key_worker, open_during

TRANSFER_POINTS = vocabulary.TRANSFER_POINTS.codes
assert set(TRANSFER_POINTS) == CODES[("transfers", "transfer_point")]
JUDGED_STATUSES = ("pending", "completed")
STATUSES = tuple(sorted(CODES[("transfers", "status")]))
#: Columns the transfer-timeliness figures need (the SSD has completion only: see sources.ssd).
TRANSFER_NEEDS = ("transfer_id", "child_id", "from_team_id", "to_team_id", "requested_date", "completed_date", "status")

#: Where an exclusion applies, as shown on the page.
ALL_FIGURES = "all transfer figures"
POINT_CHART = "on-time by transfer point only"
KEYWORKER = "key-worker changes"

TRANSFER_COLUMNS = [
    "transfer_id",
    "child_id",
    "from_team",
    "from_team_name",
    "to_team",
    "to_team_name",
    "transfer_point",
    "notified_date",
    "requested_date",
    "completed_date",
    "joint_visit_date",
    "request_month",
    "working_days",
    "days_waiting",
    "notice_days",
    "notice_ok",
    "joint_visit_ok",
    "on_time",
    "late",
    "pending",
    "status",
]


# ---------------------------------------------------------------------------------------------
# Shared predicates (SQL)


def _window(db: Database, f: Filters) -> tuple[date, date]:
    return f.window_start(db.standards.reporting_window_months), f.as_at


def _team_selected(T, f: Filters, teams):
    """Either side of the transfer is in the selected teams/services (module docstring)."""
    return or_(f.team_clause(T.from_team_id, teams), f.team_clause(T.to_team_id, teams))


def _usable(T):
    """A row the standard can judge: a request date, a judged status consistent with the dates."""
    return and_(
        T.requested_date.is_not(None),
        or_(
            and_(T.status == "completed", T.completed_date.is_not(None), T.completed_date >= T.requested_date),
            and_(T.status == "pending", T.completed_date.is_(None)),
        ),
    )


def _in_scope(T, w: date, d: date):
    """Requested in the window, or requested by D and not completed on D (pending on D)."""
    return and_(T.requested_date <= d, or_(T.requested_date >= w, T.completed_date.is_(None), T.completed_date > d))


# ---------------------------------------------------------------------------------------------
# transfers(db, f)


def _transfers_select(tb, w: date, d: date, f: Filters):
    transfers_table, teams = tb.transfers, tb.teams
    T = transfers_table.c
    sender, receiver = teams.alias("sender"), teams.alias("receiver")
    pending = or_(T.completed_date.is_(None), T.completed_date > d)
    completed_on_d = case((pending, null()), else_=T.completed_date)
    joint_known = case((T.joint_visit_date <= d, T.joint_visit_date), else_=null())
    return (
        select(
            T.transfer_id,
            T.child_id,
            T.from_team_id.label("from_team"),
            sender.c.team_name.label("from_team_name"),
            T.to_team_id.label("to_team"),
            receiver.c.team_name.label("to_team_name"),
            T.transfer_point,
            T.notified_date,
            T.requested_date,
            completed_on_d.label("completed_date"),
            joint_known.label("joint_visit_date"),
            case((pending, 1), else_=0).label("pending"),
            case((pending, days_between(literal(d), T.requested_date)), else_=null()).label("days_waiting"),
            case((pending, null()), else_=days_between(T.completed_date, T.notified_date)).label("notice_days"),
            case((pending, null()), else_=days_between(T.completed_date, T.joint_visit_date)).label("visit_before"),
        )
        .select_from(
            transfers_table.outerjoin(sender, sender.c.team_id == T.from_team_id).outerjoin(
                receiver, receiver.c.team_id == T.to_team_id
            )
        )
        .where(_usable(T), _in_scope(T, w, d), _team_selected(T, f, teams))
        .order_by(T.requested_date, T.transfer_id)
    )


def _nullable_bool(values: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Python True/False, or None where not judged (object column: ``is None`` works for readers)."""
    out = np.asarray(values, dtype=bool).astype(object)  # numpy gives Python bools here
    out[~np.asarray(known, dtype=bool)] = None
    return out


def _nullable_int(values: np.ndarray, index) -> pd.Series:
    """Python ints, or None where missing, in an object column (no silent float conversion).

    Built without a step per row (numpy gives Python ints when it makes whole numbers objects): a
    list of 124,658 national transfers took a tenth of a second per column (issue 17)."""
    values = np.asarray(values, dtype=float)
    missing = np.isnan(values)
    out = np.where(missing, 0, values).astype(np.int64).astype(object)
    out[missing] = None
    return pd.Series(out, index=index, dtype=object)


@requires("transfers")
def transfers(db: Database, f: Filters) -> pd.DataFrame:
    """One row per transfer requested in the 12 months to ``f.as_at`` or pending on it.

    Columns: ``transfer_id``, ``child_id``, ``from_team``, ``from_team_name``, ``to_team``,
    ``to_team_name``, ``transfer_point`` (as recorded; may be an unrecognised code), the four dates
    as known on D (``completed_date`` and ``joint_visit_date`` NULL when after D), ``request_month``
    (first of the request's month), ``working_days``, ``days_waiting`` (calendar days since the
    request, pending only), ``notice_days``, ``notice_ok``, ``joint_visit_ok`` (None while pending),
    ``on_time``, ``late`` (= not on_time), ``pending`` and ``status`` as on D (``pending`` or
    ``completed``). Definitions, window, team filter and declined transfers: module docstring.

    SQL selects, filters and joins; only the working-day count runs in numpy on the returned
    rows, because bank holidays are not in the database (vectorised ``busday_count``).
    """
    w, d = _window(db, f)
    df = db.read(_transfers_select(db.tables, w, d, f))
    if df.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in TRANSFER_COLUMNS})
    for col in ("transfer_id", "child_id", "from_team", "from_team_name", "to_team", "to_team_name", "transfer_point"):
        df[col] = text_or_none(df[col])
    pending = df["pending"].astype(int).to_numpy() == 1
    df["pending"] = pending
    end = df["completed_date"].where(~pending, d)
    df["working_days"] = working_days(df["requested_date"], end).astype(int)
    df["request_month"] = per_distinct(df["requested_date"], lambda day: day.replace(day=1))  # 365 a year
    standards = db.standards
    df["on_time"] = df["working_days"] <= standards.transfer_working_days
    df["late"] = ~df["on_time"]
    waiting = pd.to_numeric(df["days_waiting"], errors="coerce").to_numpy(dtype=float)
    df["days_waiting"] = _nullable_int(np.where(pending, waiting, np.nan), df.index)
    notice = pd.to_numeric(df["notice_days"], errors="coerce")
    df["notice_days"] = _nullable_int(notice.to_numpy(dtype=float), df.index)
    df["notice_ok"] = _nullable_bool(notice.to_numpy(dtype=float) >= standards.transfer_notice_days, ~pending)
    before = pd.to_numeric(df.pop("visit_before"), errors="coerce").to_numpy(dtype=float)
    visit_ok = (before >= 0) & (before <= standards.joint_visit_days)  # NaN compares False
    df["joint_visit_ok"] = _nullable_bool(visit_ok, ~pending)
    df["status"] = np.where(pending, "pending", "completed")
    return df[TRANSFER_COLUMNS].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Excluded rows


def _exclusion_reason(T):
    """First reason that applies to a transfer row the standard cannot judge (NULL: judged)."""
    return case(
        (T.requested_date.is_(None), literal("no request date")),
        (or_(T.status.is_(None), T.status.not_in(STATUSES)), literal("missing or unrecognised status")),
        (T.status == "declined", literal("declined: no transfer took place to time")),
        (T.completed_date < T.requested_date, literal("completed before it was requested")),
        (
            and_(T.status == "completed", T.completed_date.is_(None)),
            literal("marked completed with no completion date"),
        ),
        (
            and_(T.status == "pending", T.completed_date.is_not(None)),
            literal("marked pending but has a completion date"),
        ),
        else_=null(),
    )


def _transfer_exclusion_parts(tb, w: date, d: date, f: Filters) -> list:
    """The transfers-table part of :func:`transfer_exclusions` (absent where the source has no transfers)."""
    teams = tb.teams
    T = tb.transfers.c
    reason = _exclusion_reason(T)
    with_request = and_(
        T.requested_date.is_not(None),
        T.requested_date <= d,
        or_(
            T.requested_date >= w,
            and_(T.status.in_(JUDGED_STATUSES), or_(T.completed_date.is_(None), T.completed_date > d)),
        ),
    )
    no_request = and_(
        T.requested_date.is_(None),
        or_(T.completed_date >= w, and_(T.completed_date.is_(None), or_(T.status.is_(None), T.status != "declined"))),
    )
    bad = (
        select(reason.label("reason"))
        .where(or_(with_request, no_request), _team_selected(T, f, teams), reason.is_not(None))
        .subquery("bad")
    )
    return [
        select(bad.c.reason, func.count().label("rows"), literal(ALL_FIGURES).label("applies_to")).group_by(
            bad.c.reason
        ),
        select(literal("missing or unrecognised transfer point"), func.count(), literal(POINT_CHART)).where(
            _usable(T),
            _in_scope(T, w, d),
            _team_selected(T, f, teams),
            or_(T.transfer_point.is_(None), T.transfer_point.not_in(TRANSFER_POINTS)),
        ),
    ]


@requires("transfer_exclusions")
def transfer_exclusions(db: Database, f: Filters) -> pd.DataFrame:
    """Rows left out of the transfer figures, by reason: columns ``reason``, ``rows``, ``applies_to``.

    Counted in SQL, in the selected teams (sending or receiving, as :func:`transfers`):

    * rows with a request date, in the same window as :func:`transfers` (requested from W to D,
      or requested by D and still open or completed after D; declined and unrecognised-status rows
      only when requested in the window, since they cannot have been pending), that cannot be
      judged: missing or unrecognised status, declined, completed before requested, status that
      contradicts the completion date. ``applies_to`` = "all transfer figures".
    * rows with no request date that could fall in the window: completed on or after W, or not
      completed and not declined (a request date is what places a transfer in time, so these
      are counted in every later view rather than hidden).
    * judged rows whose ``transfer_point`` is missing or not a contract code: kept in every other
      figure, left out of the on-time-by-transfer-point chart.
    * key-worker allocations with no start date or ending before they start, that would otherwise
      fall in the key-worker changes window (``applies_to`` = "key-worker changes").

    Only non-zero counts are returned; an empty frame means nothing was excluded.
    """
    w, d = _window(db, f)
    tb = db.tables
    teams, allocations = tb.teams, tb.allocations
    parts = []
    if tb.has("transfers", *TRANSFER_NEEDS):
        parts += _transfer_exclusion_parts(tb, w, d, f)
    a = allocations.c
    key = and_(named_key_worker(allocations), f.team_clause(a.team_id, teams))
    parts.append(
        select(literal("key-worker allocation with no start date"), func.count(), literal(KEYWORKER)).where(
            key, a.start_date.is_(None), or_(a.end_date.is_(None), a.end_date > w)
        )
    )
    parts.append(
        select(literal("key-worker allocation ending before it starts"), func.count(), literal(KEYWORKER)).where(
            key, a.end_date < a.start_date, a.start_date >= w, a.start_date <= d
        )
    )
    df = db.read(union_all(*parts))
    df.columns = ["reason", "rows", "applies_to"]
    df["rows"] = df["rows"].astype(int)
    df["reason"] = df["reason"].astype(str)
    order = {ALL_FIGURES: 0, POINT_CHART: 1, KEYWORKER: 2}
    df = df[df["rows"] > 0]
    df = df.assign(_o=df["applies_to"].map(order))
    return (
        df.sort_values(["_o", "rows", "reason"], ascending=[True, False, True])
        .drop(columns="_o")
        .reset_index(drop=True)
    )


# ---------------------------------------------------------------------------------------------
# Flows between teams (served by every source that knows completed transfers, the SSD included)


@requires("transfer_flows")
def transfer_flows(db: Database, f: Filters) -> pd.DataFrame:
    """Transfers completed in the 12 months to ``f.as_at`` (``W <= completed_date <= D``, status
    ``completed``), counted by sending and receiving team in SQL.

    Needs only the completion and the two teams, so it is served by the SSD too (where a transfer
    is a change of team between consecutive key-worker involvements) while :func:`transfers`,
    which times requests, is not. Team filter: either side selected, as :func:`transfers`.
    Columns ``from_team``, ``from_team_name``, ``to_team``, ``to_team_name``, ``transfers``; most first.
    """
    w, d = _window(db, f)
    tb = db.tables
    T, teams = tb.transfers.c, tb.teams
    sender, receiver = teams.alias("sender"), teams.alias("receiver")
    counts = (
        select(T.from_team_id.label("from_team"), T.to_team_id.label("to_team"), func.count().label("transfers"))
        .where(
            T.status == "completed",
            T.completed_date.is_not(None),
            T.completed_date >= w,
            T.completed_date <= d,
            _team_selected(T, f, teams),
        )
        .group_by(T.from_team_id, T.to_team_id)
        .subquery("flows")
    )
    q = (
        select(
            counts.c.from_team,
            sender.c.team_name.label("from_team_name"),
            counts.c.to_team,
            receiver.c.team_name.label("to_team_name"),
            counts.c.transfers,
        )
        .select_from(
            counts.outerjoin(sender, sender.c.team_id == counts.c.from_team).outerjoin(
                receiver, receiver.c.team_id == counts.c.to_team
            )
        )
        .order_by(counts.c.transfers.desc(), counts.c.from_team, counts.c.to_team)
    )
    df = db.read(q)
    cols = ["from_team", "from_team_name", "to_team", "to_team_name", "transfers"]
    df.columns = cols
    for col in cols[:-1]:
        df[col] = text_or_none(df[col])
    df["transfers"] = df["transfers"].astype(int)
    return df


# ---------------------------------------------------------------------------------------------
# Key-worker changes


def _keyworker_counts(tb, w: date, d: date, f: Filters):
    """Per child: key-worker allocations started in the window, and changes = that count minus one.

    Population: children with a key-worker allocation to a named worker, in the selected teams,
    open at some time in the window (started by D, not ended on or before W). A child whose one
    allocation started before W is in the population with 0 changes (a stable key worker is the
    outcome the standard wants, so leaving them out would make churn look worse than it is).
    Allocations with no worker (awaiting allocation) are not key-worker allocations; rows with
    no start date or ending before they start are left out (counted by transfer_exclusions).
    """
    a = tb.allocations.c
    started = func.sum(case((a.start_date >= w, 1), else_=0))
    changes = case((started > 1, started - 1), else_=0)
    return (
        select(
            a.child_id,
            started.label("allocations"),
            changes.label("changes"),
            func.max(a.start_date).label("last_start"),
        )
        .where(
            named_key_worker(tb.allocations),
            a.start_date.is_not(None),
            or_(a.end_date.is_(None), a.end_date >= a.start_date),
            open_during(a.start_date, a.end_date, w, d),
            f.team_clause(a.team_id, tb.teams),
        )
        .group_by(a.child_id)
    )


@requires("keyworker_changes")
def keyworker_changes(db: Database, f: Filters) -> pd.DataFrame:
    """Distribution of key-worker changes per child in the 12 months to ``f.as_at`` (docs/DEFINITIONS.md "Transfers").

    A child's changes = key-worker allocations started from W to D inclusive, minus one (0 when
    they have 0 or 1). Team filter on the allocation's team: only allocations in the selected teams
    are counted. Population: see :func:`_keyworker_counts`. Computed in SQL (per child, then per
    number of changes). Columns ``changes``, ``children``, every value from 0 to the maximum present
    (0 children where none).
    """
    w, d = _window(db, f)
    per_child = _keyworker_counts(db.tables, w, d, f).subquery("per_child")
    q = (
        select(per_child.c.changes, func.count().label("children"))
        .group_by(per_child.c.changes)
        .order_by(per_child.c.changes)
    )
    df = db.read(q)
    df.columns = ["changes", "children"]
    if df.empty:
        return pd.DataFrame({"changes": pd.Series(dtype=int), "children": pd.Series(dtype=int)})
    df = df.astype(int)
    full = pd.DataFrame({"changes": range(int(df["changes"].max()) + 1)})
    out = full.merge(df, on="changes", how="left").fillna({"children": 0})
    return out.astype(int)


@requires("keyworker_changes")
def keyworker_change_children(db: Database, f: Filters, minimum: int | None = None) -> pd.DataFrame:
    """Children with at least ``minimum`` key-worker changes (default ``keyworker_changes_alert``, 3).

    Child-level, for managers (the page hides it in presentation mode). Columns ``child_id``,
    ``changes``, ``allocations`` (started in the window), ``last_change`` (start of the latest of
    those allocations), ``team_id`` and ``team_name`` of that latest allocation. Most changes first.
    """
    w, d = _window(db, f)
    minimum = db.standards.keyworker_changes_alert if minimum is None else minimum
    tb = db.tables
    teams = tb.teams
    per_child = _keyworker_counts(tb, w, d, f).subquery("per_child")
    a = tb.allocations.c
    latest_team = (
        select(a.team_id)
        .where(
            a.child_id == per_child.c.child_id,
            named_key_worker(tb.allocations),
            a.start_date == per_child.c.last_start,
            f.team_clause(a.team_id, teams),
        )
        .order_by(a.team_id)
        .limit(1)
        .scalar_subquery()
    )
    inner = (
        select(
            per_child.c.child_id,
            per_child.c.changes,
            per_child.c.allocations,
            per_child.c.last_start.label("last_change"),
            latest_team.label("team_id"),
        )
        .where(per_child.c.changes >= minimum)
        .subquery("alert")
    )
    q = (
        select(inner, teams.c.team_name)
        .select_from(inner.outerjoin(teams, teams.c.team_id == inner.c.team_id))
        .order_by(inner.c.changes.desc(), inner.c.child_id)
    )
    df = db.read(q)
    cols = ["child_id", "changes", "allocations", "last_change", "team_id", "team_name"]
    if df.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    for col in ("child_id", "team_id", "team_name"):
        df[col] = text_or_none(df[col])
    df["changes"] = df["changes"].astype(int)
    df["allocations"] = df["allocations"].astype(int)
    return df[cols]


__all__ = [
    "transfers",
    "transfer_exclusions",
    "transfer_flows",
    "keyworker_changes",
    "keyworker_change_children",
    "TRANSFER_POINTS",
]
