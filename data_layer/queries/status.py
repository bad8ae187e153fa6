"""A child's status on a date (docs/DEFINITIONS.md "Caseloads"): the first of cla, cp, cin, care_leaver, assessment.

Built as a CASE of correlated EXISTS tests so any query can attach a status to a child id
without reading plans into Python; each test uses the child_id index of its table.
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from sqlalchemy import and_, case, exists, literal, or_, select

from ..standards import Standards
from ..vocabulary import STATUSES as _STATUSES
from .predicates import open_on

#: Status codes in order of precedence (their labels and colours: :data:`data_layer.vocabulary.STATUSES`).
STATUSES = _STATUSES.codes


def open_cla(tb, child_col, d):
    cla_episodes = tb.cla_episodes
    return exists().where(
        cla_episodes.c.child_id == child_col, open_on(cla_episodes.c.start_date, cla_episodes.c.end_date, d)
    )


def open_cp(tb, child_col, d):
    cp_plans = tb.cp_plans
    return exists().where(cp_plans.c.child_id == child_col, open_on(cp_plans.c.start_date, cp_plans.c.end_date, d))


def open_cin(tb, child_col, d):
    cin_plans = tb.cin_plans
    return exists().where(cin_plans.c.child_id == child_col, open_on(cin_plans.c.start_date, cin_plans.c.end_date, d))


def open_referral_or_assessment(tb, child_col, d):
    """An open referral (not closed by d) or an assessment not completed by d."""
    referrals, assessments = tb.referrals, tb.assessments
    return or_(
        exists().where(
            referrals.c.child_id == child_col, open_on(referrals.c.referral_date, referrals.c.closure_date, d)
        ),
        exists().where(
            assessments.c.child_id == child_col, open_on(assessments.c.start_date, assessments.c.completed_date, d)
        ),
    )


def care_leaver(tb, child_col, d: date, standards: Standards):
    """Aged care_leaver_min_age..care_leaver_max_age (completed years) with a CLA episode ended by d."""
    children, cla_episodes = tb.children, tb.cla_episodes
    oldest_birth = d - relativedelta(years=standards.care_leaver_max_age + 1)  # born after this
    youngest_birth = d - relativedelta(years=standards.care_leaver_min_age)  # born on or before this
    return and_(
        exists().where(
            children.c.child_id == child_col,
            children.c.birth_date > oldest_birth,
            children.c.birth_date <= youngest_birth,
        ),
        exists().where(
            cla_episodes.c.child_id == child_col, cla_episodes.c.end_date.is_not(None), cla_episodes.c.end_date <= d
        ),
    )


def status_case(tb, child_col, d: date, standards: Standards):
    """CASE expression giving the child's status on d, in docs/DEFINITIONS.md "Caseloads" order of precedence.

    ``tb``: the database's contract tables (``db.tables``)."""
    return case(
        (open_cla(tb, child_col, d), literal("cla")),
        (open_cp(tb, child_col, d), literal("cp")),
        (open_cin(tb, child_col, d), literal("cin")),
        (care_leaver(tb, child_col, d, standards), literal("care_leaver")),
        (open_referral_or_assessment(tb, child_col, d), literal("assessment")),
        else_=literal("other"),
    )


def open_to_service(tb, child_col, d):
    """Open plan, CLA episode, referral or assessment on d (docs/DEFINITIONS.md "Caseloads", unallocated)."""
    return or_(
        open_cla(tb, child_col, d),
        open_cp(tb, child_col, d),
        open_cin(tb, child_col, d),
        open_referral_or_assessment(tb, child_col, d),
    )


def open_involvements(tb, d):
    """(child_id, start_date) of every plan, episode, referral and assessment open on d."""
    parts = [
        select(t.c.child_id, t.c[s].label("start_date")).where(open_on(t.c[s], t.c[e], d))
        for t, s, e in (
            (tb.cla_episodes, "start_date", "end_date"),
            (tb.cp_plans, "start_date", "end_date"),
            (tb.cin_plans, "start_date", "end_date"),
            (tb.referrals, "referral_date", "closure_date"),
            (tb.assessments, "start_date", "completed_date"),
        )
    ]
    return parts
