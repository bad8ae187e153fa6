"""One vocabulary: every code the data layer produces, with its plain label, colour and meaning.

The data layer computes these codes (a child's status, a plan's drift flag, a referral's
priority ...), so they are defined here, below the dashboard; figures, tiles, sections, the theme
and a glossary all read them from here and never keep a label or colour map of their own.

Each :class:`Vocabulary` is ordered (the order pages list, stack and legend the codes). A label or
description that states a standard is a template formatted from the standards in force
(``{s.cin_max_months:months}``), never a number written in, so an authority's
``CSC_STANDARDS_FILE`` changes the words as well as the figures. Plain data: no Dash, no Plotly.
"""

from __future__ import annotations

import calendar
import os
import string
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, Generic, TypeVar

#: Paul Tol's colour-blind-safe qualitative palette (Plotly's ``Safe`` set), in Plotly's order.
PALETTE: tuple[str, ...] = (
    "#88CCEE",  # blue
    "#CC6677",  # rose
    "#DDCC77",  # sand
    "#117733",  # green
    "#332288",  # indigo
    "#AA4499",  # purple
    "#44AA99",  # teal
    "#999933",  # olive
    "#882255",  # wine
    "#661100",  # brown
    "#888888",  # grey
)
BLUE, ROSE, SAND, GREEN, INDIGO, PURPLE, TEAL, OLIVE, WINE, BROWN, GREY = PALETTE


class _Formatter(string.Formatter):
    """``str.format`` with duration specs, so a template keeps today's words whatever the number:
    ``months`` (9 months), ``years`` (24 -> 2 years, 18 -> 18 months), ``weeks`` (84 -> 12 weeks,
    90 -> 90 days), ``days`` (42 days), ``hours`` (days said in hours: 2 -> 48 hours), ``points``,
    ``weekday`` (1 -> Tuesday), ``clock`` (an hour: 14 -> 2pm, 12 -> noon), ``percent`` (0.95 -> 95%)."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "months":
            return _count(value, "month")
        if format_spec == "years":
            return _count(value // 12, "year") if value % 12 == 0 else _count(value, "month")
        if format_spec == "weeks":
            return _count(value // 7, "week") if value % 7 == 0 else _count(value, "day")
        if format_spec == "days":
            return _count(value, "day")
        if format_spec == "hours":  # a number of days, said in hours (48 hours)
            return _count(value * 24, "hour")
        if format_spec == "points":
            return _count(value, "point")
        if format_spec == "weekday":
            return calendar.day_name[value]
        if format_spec == "clock":
            return (
                "noon"
                if value == 12
                else "midnight"
                if value == 0
                else f"{(value - 1) % 12 + 1}{'am' if value < 12 else 'pm'}"
            )
        if format_spec == "percent":
            return f"{value:.0%}"
        return super().format_field(value, format_spec)


def _count(n: int, unit: str) -> str:
    return f"{n:g} {unit}{'' if n == 1 else 's'}"


_FORMATTER = _Formatter()


def _default_standards():
    """The standards in force for a caller that has none to hand (``CSC_STANDARDS_FILE`` or the defaults)."""
    return _standards_from(os.environ.get("CSC_STANDARDS_FILE") or None)


@cache
def _standards_from(path: str | None):
    from .standards import load_standards

    return load_standards(path)


def render(template: str, standards=None) -> str:
    """A template formatted from ``standards`` (``{s.<name>}``); the defaults when none are given."""
    if "{" not in template:
        return template
    return _FORMATTER.format(template, s=standards if standards is not None else _default_standards())


@dataclass(frozen=True, kw_only=True)
class Term:
    """One code: ``label`` (headings, legends, tables), ``short`` (inside a sentence; default: the
    label), ``colour`` (a :data:`PALETTE` colour), ``description`` (a glossary line). ``label``,
    ``short`` and ``description`` may be templates (:func:`render`)."""

    code: str
    label: str
    colour: str
    description: str
    short: str | None = None
    symbol: str | None = None  # drawn beside the colour where colour must not carry meaning alone


@dataclass(frozen=True, kw_only=True)
class Flag(Term):
    """A drift flag: the plan type it applies to and the standard (a ``Standards`` field) it is judged
    against; ``qualifier`` is what a label adds to say that standard when the name does not."""

    plan_type: str
    standard: str
    qualifier: str = ""


T = TypeVar("T", bound=Term)


@dataclass(frozen=True)
class Vocabulary(Generic[T]):
    """An ordered set of terms; ``name`` is its key in :data:`VOCABULARIES`, ``title`` its heading."""

    name: str
    title: str
    terms: tuple[T, ...]

    def __post_init__(self):
        codes = [t.code for t in self.terms]
        if len(set(codes)) != len(codes):
            raise ValueError(f"duplicate code in vocabulary {self.name!r}")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.terms)

    def __iter__(self) -> Iterator[T]:
        return iter(self.terms)

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    def __getitem__(self, code: str) -> T:
        for t in self.terms:
            if t.code == code:
                return t
        raise KeyError(f"{code!r} is not a code of vocabulary {self.name!r} ({', '.join(self.codes)})")

    def label(self, code: str, standards=None) -> str:
        return render(self[code].label, standards)

    def short(self, code: str, standards=None) -> str:
        t = self[code]
        return render(t.short if t.short is not None else t.label, standards)

    def describe(self, code: str, standards=None) -> str:
        return render(self[code].description, standards)

    def colour(self, code: str) -> str:
        return self[code].colour

    def labels(self, standards=None) -> dict[str, str]:
        """``{code: label}`` in order (for ``Series.map``)."""
        return {t.code: self.label(t.code, standards) for t in self.terms}

    def colours(self) -> dict[str, str]:
        return {t.code: t.colour for t in self.terms}


# --------------------------------------------------------------------------- the vocabularies

#: A child's status on a date, in order of precedence (the first that holds) and stacking order.
STATUSES = Vocabulary(
    "status",
    "Case statuses",
    (
        Term(
            code="cla",
            label="Looked after",
            short="looked after",
            colour=INDIGO,
            description="Looked after by the local authority: a care (CLA) episode is open on the date.",
        ),
        Term(
            code="cp",
            label="CP",
            colour=ROSE,
            description="On a child protection plan on the date, and not looked after.",
        ),
        Term(
            code="cin",
            label="CIN",
            colour=BLUE,
            description="On a child in need plan on the date, with no CP plan and not looked after.",
        ),
        Term(
            code="care_leaver",
            label="Care leaver",
            short="care leaver",
            colour=TEAL,
            description=(
                "Aged {s.care_leaver_min_age} to {s.care_leaver_max_age} and was looked after before, "
                "with no open plan or care episode."
            ),
        ),
        Term(
            code="assessment",
            label="Assessment",
            short="assessment",
            colour=SAND,
            description="An open referral or an assessment not yet completed, and none of the above.",
        ),
        Term(
            code="other",
            label="Other",
            short="other",
            colour=GREY,
            description="Allocated to a worker but none of the above on the date.",
        ),
    ),
)

PLAN_TYPES = Vocabulary(
    "plan_type",
    "Plan types",
    (
        Term(code="cin", label="CIN", colour=BLUE, description="Child in need plan (Children Act 1989 section 17)."),
        Term(code="cp", label="CP", colour=ROSE, description="Child protection plan, after an initial conference."),
    ),
)

#: Drift flags on open plans, in the order pages show them.
DRIFT_FLAGS: Vocabulary[Flag] = Vocabulary(
    "drift_flag",
    "Drift flags",
    (
        Flag(
            code="cin_review_overdue",
            label="CIN review overdue",
            qualifier="over {s.cin_review_days:days}",
            colour=TEAL,
            plan_type="cin",
            standard="cin_review_days",
            description="An open CIN plan not reviewed (or, before its first review, started) over "
            "{s.cin_review_days:days} ago.",
        ),
        Flag(
            code="cin_visit_overdue",
            label="CIN visit overdue",
            qualifier="over {s.cin_visit_days:days}",
            colour=PURPLE,
            plan_type="cin",
            standard="cin_visit_days",
            description="An open CIN plan whose child has not been visited in the last {s.cin_visit_days:days}.",
        ),
        Flag(
            code="cin_9_month_review",
            label="CIN open over {s.cin_sm_review_months:months} (SM review)",
            colour=OLIVE,
            plan_type="cin",
            standard="cin_sm_review_months",
            description="A CIN plan open over {s.cin_sm_review_months:months}: due a Service Manager review.",
        ),
        Flag(
            code="cin_over_12_months",
            label="CIN open over {s.cin_max_months:months}",
            colour=BLUE,
            plan_type="cin",
            standard="cin_max_months",
            description="A CIN plan open over {s.cin_max_months:months}, beyond what the standard expects.",
        ),
        Flag(
            code="step_down_over_12_weeks",
            label="CP step-down CIN over {s.step_down_max_days:weeks}",
            qualifier="over {s.step_down_max_days:days}",
            colour=SAND,
            plan_type="cin",
            standard="step_down_max_days",
            description="A CIN plan that followed a CP plan (step-down) open over {s.step_down_max_days:weeks}.",
        ),
        Flag(
            code="cp_visit_overdue",
            label="CP visit overdue",
            qualifier="over {s.cp_visit_days:days}",
            colour=WINE,
            plan_type="cp",
            standard="cp_visit_days",
            description="An open CP plan whose child has not been visited in the last {s.cp_visit_days:days}.",
        ),
        Flag(
            code="cp_over_2_years",
            label="CP open over {s.cp_max_months:years}",
            colour=ROSE,
            plan_type="cp",
            standard="cp_max_months",
            description="A CP plan open over {s.cp_max_months:years} (the national indicator counts such plans).",
        ),
    ),
)

CIN_ORIGINS = Vocabulary(
    "cin_origin",
    "How CIN plans start",
    (
        Term(code="assessment", label="After assessment", colour=BLUE, description="Started after an assessment."),
        Term(code="cp_step_down", label="CP step-down", colour=ROSE, description="Stepped down from a CP plan."),
        Term(
            code="lac_step_down",
            label="Looked-after step-down",
            colour=INDIGO,
            description="Started when the child stopped being looked after.",
        ),
        Term(
            code="supervision_order",
            label="Supervision order",
            colour=TEAL,
            description="Started under a court supervision order.",
        ),
        Term(code="court_report", label="Court report", colour=SAND, description="Started after a report to court."),
    ),
)

CIN_END_REASONS = Vocabulary(
    "cin_end_reason",
    "Why CIN plans end",
    (
        Term(code="plan_achieved", label="Plan achieved", colour=GREEN, description="The plan's aims were met."),
        Term(
            code="consent_withdrawn",
            label="Consent withdrawn",
            colour=SAND,
            description="The family withdrew consent to a voluntary plan.",
        ),
        Term(
            code="step_down_eh",
            label="Stepped down to early help",
            colour=TEAL,
            description="Closed to social care and handed to early help.",
        ),
        Term(code="escalated_cp", label="Escalated to CP", colour=ROSE, description="Replaced by a CP plan."),
        Term(code="became_lac", label="Became looked after", colour=INDIGO, description="The child came into care."),
        Term(code="moved_away", label="Moved away", colour=GREY, description="The family moved to another authority."),
        Term(code="other", label="Other", colour=BROWN, description="Any other reason recorded."),
    ),
)

CP_END_REASONS = Vocabulary(
    "cp_end_reason",
    "Why CP plans end",
    (
        Term(code="step_down_cin", label="Stepped down to CIN", colour=BLUE, description="Replaced by a CIN plan."),
        Term(
            code="no_longer_at_risk",
            label="No longer at risk",
            colour=GREEN,
            description="The conference found the child no longer at risk of significant harm.",
        ),
        Term(code="became_lac", label="Became looked after", colour=INDIGO, description="The child came into care."),
        Term(code="moved_away", label="Moved away", colour=GREY, description="The family moved to another authority."),
        Term(
            code="transferred_out",
            label="Transferred out",
            colour=TEAL,
            description="The plan was transferred to another authority.",
        ),
        Term(code="other", label="Other", colour=BROWN, description="Any other reason recorded."),
    ),
)

#: JARP priorities in agenda order: most urgent first; below-threshold referrals are listed apart.
PRIORITIES = Vocabulary(
    "priority",
    "JARP priorities",
    (
        Term(
            code="P1",
            label="P1 urgent",
            short="P1",
            colour=ROSE,
            description="Scores {s.jarp_p1_min_points:points} or more, or a direct-referral exception; "
            "response within {s.jarp_p1_response_days:hours}.",
        ),
        Term(
            code="P2",
            label="P2",
            colour=SAND,
            description="Scores {s.jarp_p2_min_points:points} or more, short of P1; response within "
            "{s.jarp_p2_response_working_days} working days.",
        ),
        Term(
            code="P3",
            label="P3",
            colour=BLUE,
            description="Scores {s.jarp_p3_min_points:points} or more, short of P2; response within "
            "{s.jarp_p3_response_working_days} working days.",
        ),
        Term(
            code="below_threshold",
            label="Below threshold",
            short="below threshold",
            colour=GREY,
            description="Scores under {s.jarp_p3_min_points:points}: no target, checked before the panel.",
        ),
    ),
)

#: How a JARP referral's family-support response stands against its priority's target.
RESPONSE_STATUSES = Vocabulary(
    "response_status",
    "JARP response statuses",
    (
        Term(code="on_time", label="On time", colour=GREEN, description="The response began within the target."),
        Term(
            code="late",
            label="Late",
            colour=ROSE,
            description="The response began after the target, or has not begun and the target has passed.",
        ),
        Term(
            code="pending",
            label="Not yet due",
            colour=SAND,
            description="No response yet, and the target has not passed.",
        ),
        Term(code="no_target", label="No target", colour=GREY, description="Below threshold: no response target."),
    ),
)

#: Where in a child's journey a case moves between teams.
TRANSFER_POINTS = Vocabulary(
    "transfer_point",
    "Transfer points",
    (
        Term(
            code="initial_cin_meeting",
            label="Initial CIN meeting",
            colour=BLUE,
            description="Transferred at the first child in need meeting.",
        ),
        Term(
            code="after_icpc",
            label="After initial CP conference",
            colour=ROSE,
            description="Transferred after the initial child protection conference.",
        ),
        Term(
            code="first_lac_review",
            label="First looked-after review",
            colour=INDIGO,
            description="Transferred at the first review after coming into care.",
        ),
        Term(
            code="first_hearing",
            label="First court hearing",
            colour=TEAL,
            description="Transferred at the first hearing of care proceedings.",
        ),
        Term(code="other", label="Other point", colour=GREY, description="Transferred at any other point."),
    ),
)

#: Ratings of a headline figure against its standard: a word and a symbol beside the colour.
RAG_BANDS = Vocabulary(
    "rag",
    "Ratings",
    (
        Term(code="red", label="Red", symbol="▲", colour=ROSE, description="Outside the standard: act now."),
        Term(code="amber", label="Amber", symbol="◆", colour=SAND, description="Near the standard: watch."),
        Term(code="green", label="Green", symbol="●", colour=GREEN, description="Within the standard."),
    ),
)

VOCABULARIES: dict[str, Vocabulary[Any]] = {
    v.name: v
    for v in (
        STATUSES,
        PLAN_TYPES,
        DRIFT_FLAGS,
        CIN_ORIGINS,
        CIN_END_REASONS,
        CP_END_REASONS,
        PRIORITIES,
        RESPONSE_STATUSES,
        TRANSFER_POINTS,
        RAG_BANDS,
    )
}


def flag_label(code: str, standards=None, *, with_standard: bool = False) -> str:
    """'CIN review overdue', or ``with_standard``: 'CIN review overdue (over 42 days)'.

    An unknown code reads as its words ('some_flag' -> 'Some flag') rather than failing a page."""
    if code not in DRIFT_FLAGS:
        return code.replace("_", " ").capitalize()
    flag = DRIFT_FLAGS[code]
    label = render(flag.label, standards)
    if with_standard and flag.qualifier:
        return f"{label} ({render(flag.qualifier, standards)})"
    return label


@dataclass(frozen=True)
class GlossaryEntry:
    vocabulary: str  # the vocabulary's title
    code: str
    label: str
    description: str


def glossary(standards=None) -> list[GlossaryEntry]:
    """Every term of every vocabulary, in order, with labels and descriptions for ``standards``."""
    return [
        GlossaryEntry(v.title, t.code, v.label(t.code, standards), v.describe(t.code, standards))
        for v in VOCABULARIES.values()
        for t in v
    ]


__all__ = [
    "PALETTE",
    "Term",
    "Flag",
    "Vocabulary",
    "VOCABULARIES",
    "STATUSES",
    "PLAN_TYPES",
    "DRIFT_FLAGS",
    "CIN_ORIGINS",
    "CIN_END_REASONS",
    "CP_END_REASONS",
    "PRIORITIES",
    "RESPONSE_STATUSES",
    "TRANSFER_POINTS",
    "RAG_BANDS",
    "render",
    "flag_label",
    "glossary",
    "GlossaryEntry",
]
