"""JARP priority queue, response times and progress reviews (docs/DEFINITIONS.md "JARP priority queue"), scored in SQL.

The score is computed by the database so the queue and its weekly trend stay fast on a national
database: one aggregate per referral turns its distinct criterion rows into 0/1 flags (one per
configured code) plus a count of unknown codes, and a CASE built from the configured points adds
them up with the exclusive groups and ``carried_over`` handled exactly as
:func:`data_layer.metrics.jarp_scoring.score_referral` does (the tests cross-check the two). All points are
bound parameters taken from ``db.standards``.

Waiting, decided, queued (choices documented here and in the report):

* A referral is **decided on D** when it has a ``decision_date`` on or before D and its ``decision``
  is not ``carried_over`` or ``pending`` (those say the panel has not decided yet; a NULL or any
  other decision with a date counts as decided). A decision recorded without a date leaves the
  referral queued: without a date it cannot be placed before or after D.
* It is **in the queue on D** when it was submitted on or before D (date of ``submitted_at``) and
  is not decided on D. A referral without ``submitted_at`` cannot be placed in time and is left
  out (``check-db`` counts it as a bad row).
* ``waiting_days`` = D - date of ``submitted_at``. Team filter: ``referring_team_id``.
* The carried-over count is the current one: a past as-at date sees today's count (the contract
  keeps no history of it).

Summaries of these frames (response times, repeated carry-overs) are pure and live in
:mod:`data_layer.metrics.jarp_responses`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import Date, DateTime, Integer, and_, bindparam, case, distinct, func, literal, or_, select

from ..coverage import requires
from ..dialect import as_date, dates_table, days_between
from ..engine import Database, text_or_none
from ..filters import Filters
from ..metrics.jarp_scoring import (
    BELOW,
    CARRIED_OVER,
    P1,
    P2,
    P3,
    PRIORITIES,
    UNDECIDED,
    JarpRules,
    next_panel,
    panel_dates,
    response_timeliness,
    review_due_dates,
    rules_for,
    score_referral,
)

_PRIORITY_RANK = {p: i for i, p in enumerate(PRIORITIES)}


# --- building blocks -----------------------------------------------------------------------------


def _decided_by(refs, d):
    """Decided on or before ``d`` (module docstring). ``d`` is a date value or a date column."""
    return and_(
        refs.c.decision_date.is_not(None),
        refs.c.decision_date <= d,
        or_(refs.c.decision.is_(None), refs.c.decision.not_in(UNDECIDED)),
    )


def _submitted_by_date(refs, d: date):
    """Submitted on or before the date ``d`` (any time that day); a plain range, index-friendly."""
    return _submitted_before(refs, _midnight_after(d))


def _submitted_before(refs, moment):
    """Submitted before ``moment`` (a datetime value or placeholder)."""
    return and_(refs.c.submitted_at.is_not(None), refs.c.submitted_at < moment)


def _midnight_after(d: date) -> datetime:
    return datetime.combine(d + timedelta(days=1), time())


# The scored statements are built once per database, rules and team-filter shape (``Database.statement``)
# and run with these placeholders' values: building one is most of a call's Python time (issue 17).
def _as_at():
    return bindparam("as_at", type_=Date)


def _next_midnight():
    return bindparam("next_midnight", type_=DateTime)


def _values(f: Filters, **more) -> dict:
    return {"as_at": f.as_at, "next_midnight": _midnight_after(f.as_at), **f.team_params(), **more}


def _shape(f: Filters, rules: JarpRules, *more) -> tuple:
    return (*more, f.team_shape, repr(rules))


def _flag(i: int) -> str:
    return f"has_{i}"


def _scored(tb, rules: JarpRules, where, extra_cols=()):
    """Subquery of the referrals matching ``where`` with ``score``, ``priority`` and criterion flags.

    Columns: every ``jarp_referrals`` column, ``referring_team`` (team name, else id),
    ``has_<i>`` (1 when the i-th configured code is recorded), ``unknown_criteria`` and ``score``,
    ``priority``, ``unknown_exception``.
    """
    codes = list(rules.points)
    refs, crit, teams = tb.jarp_referrals, tb.jarp_referral_criteria, tb.teams
    base = (
        select(*refs.c, func.coalesce(teams.c.team_name, refs.c.referring_team_id).label("referring_team"), *extra_cols)
        .select_from(refs.outerjoin(teams, teams.c.team_id == refs.c.referring_team_id))
        .where(where)
        .subquery("r")
    )
    pairs = (
        select(crit.c.referral_id, crit.c.criterion)
        .select_from(crit.join(base, base.c.referral_id == crit.c.referral_id))
        .distinct()
        .subquery("dc")
    )
    unknown = or_(pairs.c.criterion.is_(None), pairs.c.criterion.not_in(codes)) if codes else literal(True)
    agg = (
        select(
            pairs.c.referral_id,
            *[func.max(case((pairs.c.criterion == code, 1), else_=0)).label(_flag(i)) for i, code in enumerate(codes)],
            func.sum(case((unknown, 1), else_=0)).label("unknown_criteria"),
        )
        .group_by(pairs.c.referral_id)
        .subquery("flags")
    )
    has = {code: func.coalesce(agg.c[_flag(i)], 0) for i, code in enumerate(codes)}

    def pts(code):
        return literal(int(rules.points[code]), Integer)

    terms = [case((has[c] == 1, pts(c)), else_=0) for c in rules.ungrouped()]
    for group in rules.exclusive:
        if group:  # the highest-scoring code present counts, the others in its group do not
            terms.append(case(*[(has[c] == 1, pts(c)) for c in rules.by_points(group)], else_=0))
    if CARRIED_OVER in rules.points:  # once, for the row or a count >= 1 (jarp_scoring docstring)
        terms.append(
            case((or_(has[CARRIED_OVER] == 1, func.coalesce(base.c.carried_over, 0) >= 1), pts(CARRIED_OVER)), else_=0)
        )
    score = sum(terms[1:], terms[0]) if terms else literal(0, Integer)
    scored = (
        select(
            base,
            *[has[c].label(_flag(i)) for i, c in enumerate(codes)],
            func.coalesce(agg.c.unknown_criteria, 0).label("unknown_criteria"),
            score.label("score"),
        )
        .select_from(base.outerjoin(agg, agg.c.referral_id == base.c.referral_id))
        .subquery("scored")
    )
    exception = scored.c.direct_exception.in_(rules.exceptions)
    priority = case(
        (exception, P1),
        (scored.c.score >= rules.p1_min, P1),
        (scored.c.score >= rules.p2_min, P2),
        (scored.c.score >= rules.p3_min, P3),
        else_=BELOW,
    )
    unknown_exc = case(
        (and_(scored.c.direct_exception.is_not(None), scored.c.direct_exception.not_in(rules.exceptions)), 1), else_=0
    )
    return select(scored, priority.label("priority"), unknown_exc.label("unknown_exception")).subquery("prioritised")


def _present_codes(row, codes) -> list[str]:
    return [c for i, c in enumerate(codes) if row[_flag(i)] == 1]


def _reasons(df: pd.DataFrame, rules: JarpRules) -> pd.DataFrame:
    """Each referral's scoring criteria as the reasons for its score (plain words with points)."""
    codes = list(rules.points)
    criteria, reasons, not_counted = [], [], []
    for row in df.to_dict("records"):
        s = score_referral(_present_codes(row, codes), row["carried_over"], row["direct_exception"], rules)
        criteria.append(", ".join(s.counted))
        parts = [f"{rules.descriptions[c]} ({rules.points[c]})" for c in s.counted]
        if row["direct_exception"] in rules.exceptions:
            parts.insert(0, f"Direct referral exception: {str(row['direct_exception']).replace('_', ' ')} (P1)")
        if row["unknown_criteria"]:
            parts.append(f"{row['unknown_criteria']} unrecognised criterion code(s), not scored")
        reasons.append("; ".join(parts) or "No scored criteria")
        not_counted.append(", ".join(s.ignored))
    out = df.drop(columns=[_flag(i) for i in range(len(codes))])
    out["criteria"] = criteria
    out["reasons"] = reasons
    out["not_counted"] = not_counted
    return out


def _tidy(df: pd.DataFrame) -> pd.DataFrame:
    for col in ("referral_id", "child_id", "referring_team_id"):
        if col in df:
            df[col] = text_or_none(df[col])
    for col in ("score", "unknown_criteria", "unknown_exception"):
        if col in df:
            df[col] = df[col].fillna(0).astype(int)
    if "carried_over" in df:
        df["carried_over"] = df["carried_over"].fillna(0).astype(int)
    if "unknown_exception" in df:
        df["unknown_exception"] = df["unknown_exception"].astype(bool)
    return df


# --- the queue ------------------------------------------------------------------------------

QUEUE_COLUMNS = (
    "referral_id",
    "child_id",
    "referring_team_id",
    "referring_team",
    "submitted_at",
    "panel_date",
    "on_next_panel",
    "score",
    "priority",
    "criteria",
    "reasons",
    "not_counted",
    "direct_exception",
    "unknown_exception",
    "unknown_criteria",
    "carried_over",
    "waiting_days",
    "decision",
    "services_requested",
)


@requires("jarp")
def jarp_queue(db: Database, f: Filters) -> pd.DataFrame:
    """JARP referrals in the queue on ``f.as_at``, in agenda order (priority, score, waiting time).

    One row per referral submitted on or before D and not decided on D (module docstring). Columns
    ``QUEUE_COLUMNS``: ``score`` and ``priority`` by the rules in force (``jarp_scoring``),
    ``panel_date`` (stored, else computed from ``submitted_at``), ``on_next_panel`` (panel on or
    before the next sitting on/after D: carried-over and overdue referrals are on it too),
    ``criteria`` (counted codes, comma text) and ``reasons`` (the same in words with points),
    ``not_counted`` (codes outscored in their exclusive group), ``unknown_criteria`` (codes not
    scored), ``unknown_exception`` (a direct_exception code that is not recognised, so not P1).
    """
    rules = rules_for(db.standards)
    refs, teams = db.tables.jarp_referrals, db.tables.teams
    d = f.as_at

    def build():
        as_at = _as_at()
        where = and_(
            _submitted_before(refs, _next_midnight()),
            ~_decided_by(refs, as_at),
            f.team_placeholders(refs.c.referring_team_id, teams),
        )
        waiting = days_between(as_at, as_date(refs.c.submitted_at)).label("waiting_days")
        return select(_scored(db.tables, rules, where, extra_cols=(waiting,)))

    df = _tidy(db.read(db.statement(("jarp_queue", *_shape(f, rules)), build), _values(f)))
    df = _reasons(df, rules)
    df["panel_date"] = pd.Series(panel_dates(df["submitted_at"], df["panel_date"], rules), index=df.index, dtype=object)
    nxt = next_panel(d, rules)
    df["on_next_panel"] = [p is not None and p <= nxt for p in df["panel_date"]]
    df["waiting_days"] = df["waiting_days"].astype(int)
    df = df.assign(_rank=df["priority"].map(_PRIORITY_RANK))
    df = df.sort_values(["_rank", "score", "waiting_days", "referral_id"], ascending=[True, False, False, True])
    return df.drop(columns="_rank").reset_index(drop=True)[list(QUEUE_COLUMNS)]


@requires("jarp")
def jarp_queue_trend(db: Database, f: Filters, weeks: int = 26) -> pd.DataFrame:
    """Queue size by priority at each of the ``weeks`` weekly dates ending on ``f.as_at``.

    One query: a bound table of the dates joined to the scored referrals in the queue on each date,
    counted by date and priority in the database. Every (week, priority) pair is returned, zero
    when empty. Columns ``week`` (the as-at date of that week), ``priority``, ``referrals`` and
    ``past_timetable``: those waiting more than ``rules.max_wait_days`` (11) days since submission,
    i.e. longer than the Friday-to-Tuesday timetable allows (carried over or not yet heard).
    """
    rules = rules_for(db.standards)
    refs, teams = db.tables.jarp_referrals, db.tables.teams
    dates = [f.as_at - timedelta(weeks=w) for w in range(weeks - 1, -1, -1)]

    def build():
        # Only referrals that can be queued on some date: submitted by D, not decided before the first date.
        candidates = and_(
            _submitted_before(refs, _next_midnight()),
            ~_decided_by(refs, bindparam("before_first", type_=Date)),
            f.team_placeholders(refs.c.referring_team_id, teams),
        )
        s = _scored(db.tables, rules, candidates)
        dt = dates_table([bindparam(f"week_{i}", type_=Date) for i in range(len(dates))])
        decided = and_(
            s.c.decision_date.is_not(None),
            s.c.decision_date <= dt.c.d,
            or_(s.c.decision.is_(None), s.c.decision.not_in(UNDECIDED)),
        )
        waited = days_between(dt.c.d, as_date(s.c.submitted_at))
        return (
            select(
                dt.c.d.label("week"),
                s.c.priority,
                func.count().label("referrals"),
                func.sum(case((waited > rules.max_wait_days, 1), else_=0)).label("past_timetable"),
            )
            .select_from(dt.join(s, and_(as_date(s.c.submitted_at) <= dt.c.d, ~decided)))
            .group_by(dt.c.d, s.c.priority)
        )

    weeks_of = {f"week_{i}": d for i, d in enumerate(dates)}
    values = _values(f, before_first=dates[0] - timedelta(days=1), **weeks_of)
    df = db.read(db.statement(("jarp_queue_trend", *_shape(f, rules, len(dates))), build), values)
    grid = pd.MultiIndex.from_product([dates, list(PRIORITIES)], names=["week", "priority"]).to_frame(index=False)
    out = grid.merge(df, on=["week", "priority"], how="left")
    for col in ("referrals", "past_timetable"):  # an empty result comes back as object dtype
        out[col] = pd.to_numeric(out[col], errors="coerce").fillna(0).astype(int)
    return out


# --- responses ------------------------------------------------------------------------------

RESPONSE_COLUMNS = (
    "referral_id",
    "child_id",
    "referring_team_id",
    "referring_team",
    "decision",
    "priority",
    "score",
    "decision_date",
    "first_response_at",
    "responded",
    "response_days",
    "response_working_days",
    "target",
    "on_time",
    "response_status",
)


@requires("jarp")
def jarp_responses(db: Database, f: Filters) -> pd.DataFrame:
    """JARP referrals decided in the 12 months to ``f.as_at`` and how fast the first response came.

    Decided: ``decision_date`` from ``f.window_start(12)`` to D inclusive and ``decision`` not
    ``carried_over``/``pending``. Timeliness by :func:`jarp_scoring.response_timeliness` (P1 2 calendar
    days, P2 5 and P3 10 working days; late once past target with no response, else pending).
    **Choice:** a ``declined`` referral gets no family-support service, so it has no response target
    (``response_status`` ``no_target``, ``on_time`` missing) and is left out of % on time, as are
    below-threshold referrals.
    """
    rules = rules_for(db.standards)
    refs, teams = db.tables.jarp_referrals, db.tables.teams
    d = f.as_at

    def build():
        window = and_(
            _decided_by(refs, _as_at()),
            refs.c.decision_date >= bindparam("window_start", type_=Date),
            f.team_placeholders(refs.c.referring_team_id, teams),
        )
        s = _scored(db.tables, rules, window)
        return select(
            s.c.referral_id,
            s.c.child_id,
            s.c.referring_team_id,
            s.c.referring_team,
            s.c.decision,
            s.c.priority,
            s.c.score,
            s.c.decision_date,
            s.c.first_response_at,
        ).order_by(s.c.decision_date, s.c.referral_id)

    statement = db.statement(("jarp_responses", *_shape(f, rules)), build)
    df = _tidy(db.read(statement, _values(f, window_start=f.window_start(rules.window_months))))
    judged_priority = df["priority"].where(df["decision"] != "declined", None)
    timing = response_timeliness(judged_priority, df["decision_date"], df["first_response_at"], d, rules)
    df = pd.concat([df.reset_index(drop=True), timing], axis=1)
    return df[list(RESPONSE_COLUMNS)]


# --- progress reviews ---------------------------------------------------------------------------

REVIEW_COLUMNS = (
    "referral_id",
    "child_id",
    "referring_team_id",
    "referring_team",
    "decision_date",
    "review_due",
    "due_computed",
    "days_to_due",
    "status",
    "services_requested",
)


@requires("jarp")
def jarp_reviews_due(db: Database, f: Filters) -> pd.DataFrame:
    """Six-weekly progress reviews due in the next 7 days (``due_soon``) or already past (``overdue``).

    Services under review: referrals **allocated** in the 12 months to D (or any decided one with a
    stored ``next_review_date``). Due date: the stored ``next_review_date``, else decision + 6 weeks
    (``due_computed`` True). Flagged when due on or before D + 7 (003 App. A step 7: "one week in
    advance"); overdue when due before D. **Choice:** the 12-month window bounds a service whose end
    is not recorded (the contract has no service end date), so an old allocation is not flagged
    forever. Sorted most overdue first.
    """
    rules = rules_for(db.standards)
    refs, teams = db.tables.jarp_referrals, db.tables.teams
    d = f.as_at
    horizon = d + timedelta(days=rules.review_notice_days)
    latest_decision = horizon - timedelta(weeks=rules.review_weeks)  # decision + 6 weeks <= horizon
    due_soon = or_(
        refs.c.next_review_date <= horizon,
        and_(
            refs.c.next_review_date.is_(None), refs.c.decision == "allocated", refs.c.decision_date <= latest_decision
        ),
    )
    q = (
        select(
            refs.c.referral_id,
            refs.c.child_id,
            refs.c.referring_team_id,
            func.coalesce(teams.c.team_name, refs.c.referring_team_id).label("referring_team"),
            refs.c.decision_date,
            refs.c.next_review_date,
            refs.c.services_requested,
        )
        .select_from(refs.outerjoin(teams, teams.c.team_id == refs.c.referring_team_id))
        .where(
            _decided_by(refs, d),
            refs.c.decision_date >= f.window_start(rules.window_months),
            or_(refs.c.decision == "allocated", refs.c.next_review_date.is_not(None)),
            due_soon,
            f.team_clause(refs.c.referring_team_id, teams),
        )
    )
    df = _tidy(db.read(q))
    df["review_due"] = pd.Series(
        review_due_dates(df["decision_date"], df["next_review_date"], rules), index=df.index, dtype=object
    )
    df["due_computed"] = df["next_review_date"].isna()
    df["days_to_due"] = [(r - d).days for r in df["review_due"]]
    df["status"] = ["overdue" if n < 0 else "due_soon" for n in df["days_to_due"]]
    df = df.sort_values(["days_to_due", "referral_id"]).reset_index(drop=True)
    return df[list(REVIEW_COLUMNS)]


@requires("jarp")
def jarp_unknown_criteria(db: Database, f: Filters) -> pd.DataFrame:
    """Criterion codes the rules do not know, with how many referrals carry them (never scored).

    Over the referrals the page shows: queued on D or decided in the 12 months to D. Columns
    ``criterion`` (``(blank)`` for NULL) and ``referrals``.
    """
    rules = rules_for(db.standards)
    refs, crit, teams = db.tables.jarp_referrals, db.tables.jarp_referral_criteria, db.tables.teams
    d = f.as_at
    shown = and_(
        _submitted_by_date(refs, d),
        f.team_clause(refs.c.referring_team_id, teams),
        or_(~_decided_by(refs, d), refs.c.decision_date >= f.window_start(rules.window_months)),
    )
    unknown = or_(crit.c.criterion.is_(None), crit.c.criterion.not_in(list(rules.points)))
    q = (
        select(crit.c.criterion, func.count(distinct(crit.c.referral_id)).label("referrals"))
        .select_from(crit.join(refs, refs.c.referral_id == crit.c.referral_id))
        .where(shown, unknown)
        .group_by(crit.c.criterion)
    )
    df = db.read(q)
    df["criterion"] = df["criterion"].map(lambda c: "(blank)" if c is None else str(c))
    df["referrals"] = df["referrals"].astype(int)
    return df.sort_values(["referrals", "criterion"], ascending=[False, True]).reset_index(drop=True)


__all__ = [
    "jarp_queue",
    "jarp_queue_trend",
    "jarp_responses",
    "jarp_reviews_due",
    "jarp_unknown_criteria",
    "QUEUE_COLUMNS",
    "RESPONSE_COLUMNS",
    "REVIEW_COLUMNS",
]
