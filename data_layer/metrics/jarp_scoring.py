"""JARP prioritisation rules as data, and the one readable definition of them (docs/DEFINITIONS.md "JARP priority
queue").

Source: seed 003 (Hackney handbook) section 3.6 "Joint Allocation Resource Panel", Appendix A
(pathway: referrals in by 2pm Friday, panel on Tuesday, six-weekly progress reviews flagged a week
ahead) and Appendix B (20 scored criteria, priority bands, direct-referral exceptions).

Every number comes from :mod:`data_layer.standards` (``db.standards``), so an authority whose panel
scores differently changes its standards file (``[jarp.points]``, ``jarp_p1_min_points``, ...) and
nothing here. :class:`JarpRules` gathers them; the SQL in :mod:`data_layer.queries.jarp` is *built from* the
same object, and the tests check the SQL score against :func:`score_referral` on varied data.

Scoring, exactly:

* The referral's **distinct** criterion codes count once each (a duplicated row adds nothing).
* **Exclusive groups** (``standards.JARP_EXCLUSIVE``): of the codes present from one group only the
  highest-scoring counts (ties: the first listed). With the default points this is docs/DEFINITIONS.md's
  "substance_both_parents replaces substance_parent" and "the higher care-leaver band counts". We
  apply "highest" to both groups rather than a literal "replaces" so that, whatever points a
  standards file sets, a both-parents case never scores below a one-parent case.
* ``carried_over`` (2 points) counts **once** when the referral's ``carried_over`` count is >= 1,
  whether or not the criterion row is present. **Choice:** a ``carried_over`` criterion row with a
  count of 0 or NULL still counts: the referrer has asserted "previously referred but carried over"
  (e.g. a fresh referral record for a case carried over under an earlier one), and recorded
  criteria are never second-guessed. So: it counts when the row is present OR the count is >= 1.
* **Unknown codes** (not in the configured points, including a NULL code) are never scored; they
  are counted (``unknown_criteria``) so the page can say the score may be understated.
* Priority: ``P1`` for a known ``direct_exception`` or score >= 11; ``P2`` for 7-10; ``P3`` for
  1-6; ``below_threshold`` for 0 (shown, never hidden). An unrecognised ``direct_exception`` code
  is not guessed to be an exception: it does not make P1, and is flagged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from .. import vocabulary
from ..standards import JARP_CRITERIA, JARP_EXCEPTIONS, JARP_EXCLUSIVE, Standards, load_standards
from .working_days import working_days

#: Agenda order: most urgent first; below-threshold referrals are listed apart (labels: the vocabulary).
PRIORITIES = vocabulary.PRIORITIES.codes
P1, P2, P3, BELOW = PRIORITIES
CARRIED_OVER = "carried_over"
#: Decisions that are not a decision: the referral is still waiting for a panel.
UNDECIDED = ("carried_over", "pending")


@dataclass(frozen=True)
class ResponseTarget:
    """How fast a priority's family-support response is due after the panel decision (003 App. B)."""

    limit: int  # at most this many days
    unit: str  # "calendar days" or "working days"
    guidance_min: int  # lower bound of the recommended range (shown as guidance, never judged)

    @property
    def working(self) -> bool:
        return self.unit == "working days"

    def label(self) -> str:
        if self.working:
            return f"{self.guidance_min}-{self.limit} working days"
        return f"{self.limit * 24} hours"


@dataclass(frozen=True)
class JarpRules:
    """All JARP rules in force: points, exclusive groups, exceptions, bands, targets and timetable."""

    points: Mapping[str, int]
    descriptions: Mapping[str, str]
    exclusive: tuple[tuple[str, ...], ...]
    exceptions: tuple[str, ...]
    p1_min: int
    p2_min: int
    p3_min: int
    targets: Mapping[str, ResponseTarget]
    panel_weekday: int
    cutoff_weekday: int
    cutoff_hour: int
    review_weeks: int
    review_notice_days: int
    window_months: int

    @classmethod
    def from_standards(cls, s: Standards | None = None) -> JarpRules:
        s = s or load_standards(None)
        points = dict(s.jarp_points)
        return cls(
            points=points,
            descriptions={
                c: (JARP_CRITERIA[c][1] if c in JARP_CRITERIA else c.replace("_", " ").capitalize()) for c in points
            },
            exclusive=tuple(tuple(c for c in g if c in points) for g in JARP_EXCLUSIVE),
            exceptions=tuple(JARP_EXCEPTIONS),
            p1_min=s.jarp_p1_min_points,
            p2_min=s.jarp_p2_min_points,
            p3_min=s.jarp_p3_min_points,
            targets={
                P1: ResponseTarget(s.jarp_p1_response_days, "calendar days", 0),
                P2: ResponseTarget(
                    s.jarp_p2_response_working_days, "working days", s.jarp_p2_response_min_working_days
                ),
                P3: ResponseTarget(
                    s.jarp_p3_response_working_days, "working days", s.jarp_p3_response_min_working_days
                ),
            },
            panel_weekday=s.jarp_panel_weekday,
            cutoff_weekday=s.jarp_cutoff_weekday,
            cutoff_hour=s.jarp_cutoff_hour,
            review_weeks=s.jarp_review_weeks,
            review_notice_days=s.jarp_review_notice_days,
            window_months=s.reporting_window_months,
        )

    @property
    def panel_gap_days(self) -> int:
        """Days from the cut-off day to the panel it feeds (Friday -> Tuesday: 4)."""
        return (self.panel_weekday - self.cutoff_weekday) % 7 or 7

    @property
    def max_wait_days(self) -> int:
        """Longest wait the timetable allows from submission to panel (just after a cut-off: 7 + 4 = 11).

        A referral still waiting, by date, more than this many days after submission has missed
        the panel the timetable gave it (003: every priority is heard "at the next available
        JARP meeting").
        """
        return 7 + self.panel_gap_days

    def group_of(self, code: str) -> tuple[str, ...] | None:
        return next((g for g in self.exclusive if code in g), None)

    def ungrouped(self) -> tuple[str, ...]:
        """Known codes scored on their own (not in an exclusive group, not carried_over)."""
        grouped = {c for g in self.exclusive for c in g}
        return tuple(c for c in self.points if c not in grouped and c != CARRIED_OVER)

    def by_points(self, group: Iterable[str]) -> tuple[str, ...]:
        """A group's codes, highest points first (ties keep the listed order): who wins if present."""
        group = tuple(group)
        return tuple(sorted(group, key=lambda c: (-self.points[c], group.index(c))))


def rules_for(standards: Standards | None) -> JarpRules:
    """The rules in force for a database's standards (``rules_for(db.standards)``)."""
    return JarpRules.from_standards(standards)


@dataclass(frozen=True)
class Score:
    points: int
    priority: str
    counted: tuple[str, ...]  # codes that scored, in the configured order
    ignored: tuple[str, ...]  # known codes present but outscored in their exclusive group
    unknown: tuple[str, ...]  # codes not in the rules (never scored)


def score_referral(
    criteria: Iterable[str | None],
    carried_over: int | None = 0,
    direct_exception: str | None = None,
    rules: JarpRules | None = None,
) -> Score:
    """Score one referral by the module rules. The readable definition the SQL is checked against."""
    rules = rules or JarpRules.from_standards()
    present = set(criteria)
    unknown = tuple(sorted("(blank)" if c is None else str(c) for c in present if c not in rules.points))
    known = {c for c in present if c in rules.points}
    if (
        carried_over is not None
        and not pd.isna(carried_over)
        and int(carried_over) >= 1
        and CARRIED_OVER in rules.points
    ):
        known.add(CARRIED_OVER)
    ignored: set[str] = set()
    for group in rules.exclusive:
        here = [c for c in rules.by_points(group) if c in known]
        ignored.update(here[1:])
    counted = tuple(c for c in rules.points if c in known and c not in ignored)
    points = sum(rules.points[c] for c in counted)
    return Score(
        points,
        priority_of(points, direct_exception, rules),
        counted,
        tuple(c for c in rules.points if c in ignored),
        unknown,
    )


def priority_of(points: int, direct_exception: str | None = None, rules: JarpRules | None = None) -> str:
    """P1 for a known direct exception or >= p1_min points; P2, P3 by band; 0 -> below_threshold."""
    rules = rules or JarpRules.from_standards()
    if direct_exception in rules.exceptions or points >= rules.p1_min:
        return P1
    if points >= rules.p2_min:
        return P2
    if points >= rules.p3_min:
        return P3
    return BELOW


# --- panel timetable -------------------------------------------------------------------------


def _timestamps(values) -> pd.Series:
    """Dates or datetimes (as ``Database.read`` returns them) as naive timestamps for vector arithmetic."""
    s = pd.to_datetime(pd.Series(values, dtype=object), errors="coerce")
    if getattr(s.dt, "tz", None) is not None:  # aware timestamps: the cut-off is London wall-clock time
        s = s.dt.tz_convert("Europe/London").dt.tz_localize(None)
    return s


def panel_dates(submitted_at, stored=None, rules: JarpRules | None = None) -> list[date | None]:
    """Each referral's panel: the stored ``panel_date`` when there is one, else computed.

    Computed: the first panel day (Tuesday) whose preceding cut-off day (Friday) at the cut-off hour
    (14:00) is at or after ``submitted_at``. So Friday 13:59 and 14:00 go to the next Tuesday,
    14:01 to the Tuesday after; a weekend submission waits for the next Friday's cut-off and goes to
    the Tuesday after it; a Tuesday submission (even before the panel sits) goes to the next
    Tuesday, as its papers missed the Friday before. Vectorised over the rows; None where neither
    a stored date nor a submission time is known.
    """
    rules = rules or JarpRules.from_standards()
    ts = _timestamps(submitted_at)
    day = ts.dt.normalize()
    cutoff = (
        day
        + pd.to_timedelta((rules.cutoff_weekday - ts.dt.weekday) % 7, unit="D")
        + pd.Timedelta(hours=rules.cutoff_hour)
    )
    cutoff = cutoff.where(cutoff >= ts, cutoff + pd.Timedelta(days=7))
    computed = (cutoff.dt.normalize() + pd.Timedelta(days=rules.panel_gap_days)).dt.date
    out = [None if pd.isna(c) else c for c in computed]
    return _prefer_stored(stored, out)


def _prefer_stored(stored, computed: list) -> list:
    """The stored date where there is one (a ``datetime.date`` column from the read), else the computed one."""
    if stored is None:
        return computed
    return [c if s is None or pd.isna(s) else s for s, c in zip(stored, computed, strict=True)]


def panel_date(submitted_at: datetime, stored: date | None = None, rules: JarpRules | None = None) -> date | None:
    """Scalar form of :func:`panel_dates`."""
    return panel_dates([submitted_at], [stored], rules)[0]


def next_panel(as_at: date, rules: JarpRules | None = None) -> date:
    """The next panel sitting on or after ``as_at`` (a Tuesday as-at date is that day's panel)."""
    rules = rules or JarpRules.from_standards()
    return as_at + timedelta(days=(rules.panel_weekday - as_at.weekday()) % 7)


# --- response times --------------------------------------------------------------------------


def response_timeliness(
    priority, decision_date, first_response_at, as_at: date, rules: JarpRules | None = None
) -> pd.DataFrame:
    """On-time judgement of each decided referral's first family-support response (docs/DEFINITIONS.md "JARP priority
    queue").

    * P1: on time when the first response date is at most 2 calendar days after ``decision_date``
      (48 hours; the contract records the decision as a date, so hours are counted by date).
    * P2 / P3: on time when ``busday_count(decision_date, first response date)`` (England and Wales
      bank holidays) is at most 5 / 10. The guidance lower bounds (2 / 3) are shown, never judged.
    * A response after ``as_at`` is not known on ``as_at``: treated as no response yet.
    * No response yet: **late** (``on_time`` False) once a response on ``as_at`` would already be
      late, i.e. the days elapsed to ``as_at`` exceed the target; before that **pending**
      (``on_time`` missing). ``response_days`` / ``response_working_days`` then count to ``as_at``
      (as transfers do to D), with ``responded`` False.
    * A response dated before the decision (direct referrals start a service before the panel
      discusses them, 003 App. B) is on time.
    * ``below_threshold`` referrals have no target: ``on_time`` missing, status ``no_target``.

    Returns columns ``responded``, ``response_days``, ``response_working_days``, ``target``,
    ``on_time`` (pandas nullable boolean) and ``response_status`` (on_time, late, pending, no_target).
    """
    rules = rules or JarpRules.from_standards()
    prio = pd.Series(priority, dtype=object).reset_index(drop=True)
    decided = _timestamps(decision_date).reset_index(drop=True)
    resp = _timestamps(first_response_at).dt.normalize().reset_index(drop=True)
    as_at_ts = pd.Timestamp(as_at)
    responded = resp.notna() & (resp <= as_at_ts)
    end = resp.where(responded, as_at_ts)
    days = (end - decided).dt.days
    wdays = pd.Series(working_days(decided, end))
    target = prio.map({p: t.limit for p, t in rules.targets.items()})
    working = np.array([p in rules.targets and rules.targets[p].working for p in prio], dtype=bool)
    elapsed = pd.Series(np.where(working, wdays, days), dtype=float)
    within = elapsed <= target
    status = np.select(
        [target.isna() | decided.isna(), responded & within, responded, within],
        ["no_target", "on_time", "late", "pending"],
        default="late",
    )
    on_time = pd.Series(pd.array([{"on_time": True, "late": False}.get(s, pd.NA) for s in status], dtype="boolean"))
    return pd.DataFrame(
        {
            "responded": responded.to_numpy(),
            "response_days": pd.array(days, dtype="Int64"),
            "response_working_days": pd.array(pd.Series(wdays).round(), dtype="Int64"),
            "target": pd.array(target, dtype="Int64"),
            "on_time": on_time,
            "response_status": status,
        }
    )


# --- progress reviews --------------------------------------------------------------------------


def review_due_dates(decision_date, stored=None, rules: JarpRules | None = None) -> list[date | None]:
    """Next progress review: the stored ``next_review_date`` when there is one, else decision + 6 weeks.

    Only the panel coordinator knows a review was held, so later cycles need a stored date; the
    computed date is the first six-weekly review (003 App. A step 7).
    """
    rules = rules or JarpRules.from_standards()
    computed = (_timestamps(decision_date) + pd.Timedelta(weeks=rules.review_weeks)).dt.date
    return _prefer_stored(stored, [None if pd.isna(c) else c for c in computed])


__all__ = [
    "P1",
    "P2",
    "P3",
    "BELOW",
    "PRIORITIES",
    "CARRIED_OVER",
    "UNDECIDED",
    "JarpRules",
    "ResponseTarget",
    "Score",
    "rules_for",
    "score_referral",
    "priority_of",
    "panel_dates",
    "panel_date",
    "next_panel",
    "response_timeliness",
    "review_due_dates",
]
