"""Practice standards: every threshold the dashboard judges against, typed, each with its source.

:class:`Standards` is one frozen dataclass with one typed field per standard; each field's metadata
holds its unit, the practice document it comes from (by title, as in docs/DEFINITIONS.md, with the
section where known) and its TOML key, so a misspelt name is an ``AttributeError`` for mypy and at
run time, and every text that states a standard can be formatted from the value in force.

An authority overrides any standard with a TOML file named in ``CSC_STANDARDS_FILE``::

    [standards]
    caseload_per_fte = 22          # any key of the README's standards table
    cin_visit_days = 15            # the Cluster group presentation's stricter CIN visiting standard

    [jarp.points]                  # JARP criterion points (another panel scores differently)
    school_exclusion = 2

    [ssd]                          # reading a Standard Safeguarding Dataset (data_layer.sources.ssd)
    schema = "ssd_development"     # the schema holding the ssd_* tables (default: the login's own)
    key_worker_roles = ["KW"]      # invo_professional_role_id values meaning "allocated key worker"
    [ssd.team_services]            # dept_team_id -> service (default: the parent team's name)
    T01 = "Assessment"

    [[pilots]]                     # extra pilots for the CIN pilot page
    name = "North CIN team"
    team_ids = ["T09"]
    start = 2023-01-09
    months = 6
    comparison_team_ids = ["T02", "T03"]

A key the loader does not know, or a value of the wrong type or out of range, is a
:class:`StandardsError` naming the key and the file (with the closest known key for a misspelling),
because a silently ignored override would leave the figures judged against the wrong standard.
Nothing else in the code base holds these numbers.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import MISSING, Field, dataclass, field, fields
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any


class StandardsError(ValueError):
    """The standards file (or a Standards value) is malformed; the message names the offending key."""


# --------------------------------------------------------------------------- where standards come from

#: The practice documents (``shared/seeds``), by number and the title docs/DEFINITIONS.md uses.
DOCUMENTS: Mapping[str, str] = MappingProxyType(
    {
        "000": "Cluster group presentation",
        "001": "Child in Need Practice Guidance",
        "002": "CIN Team Pathway",
        "003": "Reclaim Social Work",
        "004": "Protocol for Case Management, Workflow and Transfers",
    }
)
PROJECT = "project definition"
NATIONAL = "national indicator"

#: What each practice document is (shared/seeds/README.md), for the sources page.
DOCUMENT_NOTES: Mapping[str, str] = MappingProxyType(
    {
        "000": "A CIN/CP service's presentation to its cluster group (June 2022): caseloads, visits, step-downs.",
        "001": "A local authority's Child in Need practice guidance (2017): CIN meetings, reviews, visits, "
        "plan length.",
        "002": "The pathway of a CIN team pilot (from 7 February 2022, evaluated after six months) and its evidence "
        "of impact.",
        "003": 'Hackney\'s "Reclaim Social Work" handbook (2008): case transfers and the Joint Allocation Resource '
        "Panel (JARP).",
        "004": "Oxfordshire's protocol for case management, workflow and transfers: notice, transfer points, key "
        "workers.",
    }
)

#: How a citation's short part reads: '3.6' is Section 3's sixth panel (JARP), 'App. B' an appendix.
_PARTS: Mapping[str, str] = MappingProxyType(
    {
        "3.6": "Section 3, JARP",
        "App. A": "Appendix A",
        "App. B": "Appendix B",
        "App. A/B": "Appendices A and B",
        "App. 4": "Appendix 4",
    }
)


def cite(code: str) -> str:
    """A citation as a reader sees it, by document title: '003 3.6' -> 'Reclaim Social Work, Section 3, JARP',
    '000' -> 'Cluster group presentation', '003/004' -> both titles. Anything else (a title already, 'national
    indicator', 'project definition', 'configuration') is returned as it is, so citing twice is harmless."""
    number, _, part = code.partition(" ")
    numbers = number.rstrip(",").split("/")
    if not all(n in DOCUMENTS for n in numbers):
        return code
    title = " and ".join(DOCUMENTS[n] for n in numbers)
    part = part.strip().lstrip(",").strip()
    return f"{title}, {_PARTS.get(part, part)}" if part else title


def _source(cite: str, section: str = "") -> str:
    """'Reclaim Social Work (003), Section 2 "Case Transfer"' from a citation like '003'."""
    number = cite[:3]
    if number in DOCUMENTS:
        text = f"{DOCUMENTS[number]} ({number})"
    elif cite == NATIONAL:
        text = "National indicator (DfE children in need statistics)"
    else:
        text = "Project definition (docs/DEFINITIONS.md)"
    return f"{text}, {section}" if section else text


@dataclass(frozen=True)
class Standard:
    """One standard as a record (for footers, docs and tests): its value in force and where it is from."""

    name: str
    value: Any
    unit: str
    source: str  # the document by title, with the section where known
    cite: str  # the short citation code: "003", "001", "national indicator" (:func:`cite` gives its title)
    description: str
    default: Any = None  # the documented value, shown beside an authority's own
    overridden: bool = False  # set by the standards file


@dataclass(frozen=True)
class DocumentStandards:
    """A source of standards (a practice document, the national indicators or the project) and its standards."""

    key: str  # the document's number ("003"), or NATIONAL / PROJECT
    title: str
    note: str  # what the document is
    standards: tuple[Standard, ...]


# Range checks: (predicate, what is expected), both about a value already of the field's type.
_Check = tuple[Callable[[Any], bool], str]
POSITIVE: _Check = (lambda v: v > 0, "above 0")
WEEKDAY: _Check = (lambda v: 0 <= v <= 6, "from 0 (Monday) to 6 (Sunday)")
HOUR: _Check = (lambda v: 0 <= v <= 23, "from 0 to 23")
PROPORTION: _Check = (lambda v: 0 < v < 1, "between 0 and 1, e.g. 0.95")


def standard(
    key: str, default: Any, unit: str, cite: str, description: str, *, section: str = "", check: _Check = POSITIVE
) -> Any:
    """A :class:`Standards` field: its default, and in its metadata the key, unit, source and range."""
    return field(
        default=default,
        metadata={
            "key": key,
            "unit": unit,
            "source": _source(cite, section),
            "cite": cite,
            "description": description,
            "check": check,
        },
    )


#: JARP criteria (Reclaim Social Work (003), Appendix B): code -> (points, description).
JARP_CRITERIA: Mapping[str, tuple[int, str]] = MappingProxyType(
    {
        "court_proceedings": (3, "Court proceedings in progress"),
        "new_lac_episode": (3, "Started looked-after episode (last 2 weeks)"),
        "cp_imminent_removal": (3, "CP concerns, threat of removal"),
        "placement_breakdown": (3, "Threat of placement breakdown"),
        "removal_requested": (3, "Parent/carer requested removal"),
        "substance_both_parents": (3, "Drug/alcohol dependency, both parents"),
        "child_mental_illness": (3, "Child diagnosed mental illness"),
        "child_disability": (2, "Child diagnosed disability"),
        "parent_hospital_prison": (2, "Parent hospitalised/imprisoned (last 2 weeks)"),
        "cp_registration": (3, "CP registration (last 2 weeks)"),
        "unplanned_move": (2, "Unplanned placement move (last 2 weeks)"),
        "carried_over": (2, "Previously referred but carried over"),
        "familial_dysfunction": (2, "Long-term familial dysfunction"),
        "care_leaver_16_19": (2, "Care leaver 16-19"),
        "teen_pregnancy": (2, "Teenage pregnancy or parent"),
        "substance_parent": (2, "Drug/alcohol dependency in parent"),
        "parent_mental_illness": (2, "Mental illness of parent"),
        "parent_learning_disability": (2, "Parental learning disability"),
        "care_leaver_19_24": (2, "Care leaver 19-24"),
        "school_exclusion": (1, "School exclusion"),
    }
)

#: Groups of criteria of which only the highest-scoring one counts (project definition).
JARP_EXCLUSIVE: tuple[tuple[str, ...], ...] = (
    ("substance_both_parents", "substance_parent"),
    ("care_leaver_16_19", "care_leaver_19_24"),
)

JARP_EXCEPTIONS: tuple[str, ...] = ("police_protection", "epo", "first_episode_lac", "court_directed")


@dataclass(frozen=True)
class Pilot:
    """A team pilot to evaluate (CIN Team Pathway (002)). Teams by id, or by service when ids are not given."""

    name: str
    start: date
    months: int = 6
    team_ids: tuple[str, ...] = ()
    team_service: str | None = None
    comparison_team_ids: tuple[str, ...] = ()
    comparison_service: str | None = None
    source: str = "configuration"


DEFAULT_PILOTS: tuple[Pilot, ...] = (
    Pilot(
        name="CIN team pilot",
        start=date(2022, 2, 7),
        months=6,
        team_service="CIN Pilot",
        comparison_service="CIN/CP",
        source="002",
    ),
)


@dataclass(frozen=True)
class SsdSettings:
    """How to read an authority's SSD (``[ssd]`` in the standards file; see data_layer.sources.ssd).

    ``key_worker_roles``: the case system's ``invo_professional_role_id`` values that mean
    "allocated key worker" (they differ by system, so they are a setting; empty = no involvement
    is a key-worker allocation, which check-db reports). ``team_services``: team id -> service.
    """

    schema: str | None = None
    key_worker_roles: tuple[str, ...] = ()
    team_services: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


def _default_points() -> Mapping[str, int]:
    return MappingProxyType({code: pts for code, (pts, _) in JARP_CRITERIA.items()})


_CASE_TRANSFER = 'Section 2, "Case Transfer"'
_JARP_A = "Section 3 panel 6 (JARP), Appendix A"
_JARP_B = "Section 3 panel 6 (JARP), Appendix B"
_CIN_PROCESS = '"The CIN Assessment Process"'
_CIN_TIMESCALES = '"Timescales and Frequency of CIN Meetings"'


@dataclass(frozen=True)
class Standards:
    """Every standard in force, typed; ``Standards()`` is the documented defaults.

    Built by :func:`load_standards`; ``dataclasses.replace(standards, caseload_per_fte=22)`` makes a
    variant (checked the same way).
    """

    # caseloads
    caseload_per_fte: int = standard(
        "caseload_per_fte", 25, "children per FTE", "000", "Average caseload of a social worker (CP/CIN/PLO/LAC)"
    )
    care_leaver_min_age: int = standard("care_leaver_min_age", 16, "years", PROJECT, "Care leaver status from this age")
    care_leaver_max_age: int = standard(
        "care_leaver_max_age", 25, "years", PROJECT, "Care leaver status up to this age (inclusive)"
    )
    # plans and drift
    cin_review_days: int = standard(
        "cin_review_days",
        42,
        "days",
        "001",
        "Longest gap between CIN plan reviews (every 6 weeks)",
        section=_CIN_PROCESS,
    )
    cin_tm_review_first_months: int = standard(
        "cin_tm_review_first_months", 3, "months", "001", "First Team Manager-chaired CIN review", section=_CIN_PROCESS
    )
    cin_tm_review_second_months: int = standard(
        "cin_tm_review_second_months",
        6,
        "months",
        "001",
        "Second Team Manager-chaired CIN review",
        section=_CIN_PROCESS,
    )
    cin_sm_review_months: int = standard(
        "cin_sm_review_months",
        9,
        "months",
        "001",
        "Service Manager reviews CIN plans still open",
        section=_CIN_TIMESCALES,
    )
    cin_max_months: int = standard(
        "cin_max_months", 12, "months", "001", "CIN plans not expected to last beyond this", section=_CIN_TIMESCALES
    )
    step_down_max_days: int = standard(
        "step_down_max_days", 84, "days", "000", "CIN plans after a CP step-down close within 12 weeks"
    )
    cin_visit_days: int = standard(
        "cin_visit_days",
        21,
        "days",
        "001",
        "Longest gap between CIN visits (every 3 weeks; the Cluster group presentation uses 15 days)",
        section=_CIN_PROCESS,
    )
    cp_visit_days: int = standard("cp_visit_days", 10, "days", "000", "Longest gap between CP visits")
    cp_max_months: int = standard("cp_max_months", 24, "months", NATIONAL, "CP plans lasting 2 years or more")
    reporting_window_months: int = standard(
        "reporting_window_months",
        12,
        "months",
        PROJECT,
        "Closed plans, transfers and responses counted in this many months to the as-at date",
    )
    # pilot evaluation
    pilot_min_cohort: int = standard(
        "pilot_min_cohort", 10, "plans", PROJECT, "Cohorts under this size are too small to judge"
    )
    pilot_escalation_days: int = standard(
        "pilot_escalation_days",
        30,
        "days",
        PROJECT,
        "CP plan or care starting within this many days of a CIN end counts as escalation",
    )
    pilot_rereferral_months: int = standard(
        "pilot_rereferral_months",
        12,
        "months",
        "002",
        "Re-referral within this period of closure",
        section='"Evidence of impact" (the period is a project definition)',
    )
    confidence_level: float = standard(
        "confidence_level", 0.95, "proportion", PROJECT, "Confidence level of intervals", check=PROPORTION
    )
    # transfers
    transfer_working_days: int = standard(
        "transfer_working_days",
        3,
        "working days",
        "003",
        "Transfer completed within this many working days of the request",
        section=_CASE_TRANSFER,
    )
    transfer_notice_days: int = standard(
        "transfer_notice_days", 14, "days", "004", "At least two weeks' notice of transfer", section="section 3"
    )
    joint_visit_days: int = standard(
        "joint_visit_days", 7, "days", "003", "Joint home visit in the week before transfer", section=_CASE_TRANSFER
    )
    keyworker_changes_alert: int = standard(
        "keyworker_changes_alert",
        3,
        "changes",
        "003/004",
        "Children with this many key-worker changes in the reporting window are listed",
        section='"One Family, One Worker"; Protocol for Case Management, Workflow and Transfers (004), section 3',
    )
    # JARP
    jarp_p1_min_points: int = standard(
        "jarp_p1_min_points", 11, "points", "003 App. B", "Lowest score that is priority 1", section=_JARP_B
    )
    jarp_p2_min_points: int = standard(
        "jarp_p2_min_points", 7, "points", "003 App. B", "Lowest score that is priority 2", section=_JARP_B
    )
    jarp_p3_min_points: int = standard(
        "jarp_p3_min_points",
        1,
        "points",
        "003 App. B",
        "Lowest score that is priority 3 (below it: no priority)",
        section=_JARP_B,
    )
    jarp_p1_response_days: int = standard(
        "jarp_p1_response_days",
        2,
        "calendar days",
        "003 3.6",
        "P1 response within 48 hours, counted in calendar days",
        section=_JARP_B,
    )
    jarp_p2_response_working_days: int = standard(
        "jarp_p2_response_working_days",
        5,
        "working days",
        "003 3.6",
        "P2 response target (Appendix B: 2-5 working days)",
        section=_JARP_B,
    )
    jarp_p3_response_working_days: int = standard(
        "jarp_p3_response_working_days",
        10,
        "working days",
        "003 3.6",
        "P3 response target (Appendix B: 3-10 working days)",
        section=_JARP_B,
    )
    jarp_p2_response_min_working_days: int = standard(
        "jarp_p2_response_min_working_days", 2, "working days", "003 3.6", "P2 guidance lower bound", section=_JARP_B
    )
    jarp_p3_response_min_working_days: int = standard(
        "jarp_p3_response_min_working_days", 3, "working days", "003 3.6", "P3 guidance lower bound", section=_JARP_B
    )
    jarp_panel_weekday: int = standard(
        "jarp_panel_weekday",
        1,
        "weekday (Mon=0)",
        "003 3.6",
        "Day the panel meets (1 = Tuesday)",
        section=_JARP_A,
        check=WEEKDAY,
    )
    jarp_cutoff_weekday: int = standard(
        "jarp_cutoff_weekday",
        4,
        "weekday (Mon=0)",
        "003 3.6",
        "Day referrals are due (4 = Friday)",
        section=_JARP_A,
        check=WEEKDAY,
    )
    jarp_cutoff_hour: int = standard(
        "jarp_cutoff_hour",
        14,
        "hour",
        "003 3.6",
        "Hour referrals are due by on that day (14 = 2pm)",
        section=_JARP_A,
        check=HOUR,
    )
    jarp_review_weeks: int = standard(
        "jarp_review_weeks", 6, "weeks", "003 3.6", "Services reviewed every six weeks", section=_JARP_A
    )
    jarp_review_notice_days: int = standard(
        "jarp_review_notice_days", 7, "days", "003 3.6", "Reviews flagged a week before they fall due", section=_JARP_A
    )
    # presentation
    suppress_below: int = standard(
        "suppress_below",
        5,
        "count",
        PROJECT,
        "Counts under this are hidden in presentation mode and the board pack",
        section="see the README, Disclosure control",
    )
    # not standards: configuration read from the same file
    jarp_points: Mapping[str, int] = field(default_factory=_default_points)
    pilots: tuple[Pilot, ...] = DEFAULT_PILOTS
    source_file: str | None = None
    overridden: frozenset[str] = frozenset()
    ssd: SsdSettings = field(default_factory=SsdSettings)

    def __post_init__(self) -> None:
        for f in standard_fields():
            _check_value(f, getattr(self, f.name))
        _check_order(self)
        if not self.pilots:
            raise StandardsError("At least one pilot must be configured")

    def describe(self) -> list[Standard]:
        """Every standard with its value in force (for the page footers, the README and tests)."""
        return [
            Standard(
                name=f.name,
                value=getattr(self, f.name),
                unit=f.metadata["unit"],
                source=f.metadata["source"],
                cite=f.metadata["cite"],
                description=f.metadata["description"],
                default=f.default,
                overridden=f.name in self.overridden,
            )
            for f in standard_fields()
        ]

    def by_document(self) -> list[DocumentStandards]:
        """Every standard once, under the practice document it comes from (the first one cited), then the
        national indicators and the project's own definitions: the sources page, generated, never typed."""
        groups: dict[str, list[Standard]] = {key: [] for key in (*DOCUMENTS, NATIONAL, PROJECT)}
        for record in self.describe():
            number = record.cite[:3]
            groups[number if number in DOCUMENTS else record.cite if record.cite == NATIONAL else PROJECT].append(
                record
            )
        titles = {**DOCUMENTS, NATIONAL: "National indicators", PROJECT: "Project definitions"}
        notes = {
            **DOCUMENT_NOTES,
            NATIONAL: "Measures the Department for Education publishes for every authority.",
            PROJECT: "Choices this dashboard makes where the documents are silent (docs/DEFINITIONS.md).",
        }
        return [DocumentStandards(key, titles[key], notes[key], tuple(rows)) for key, rows in groups.items()]

    @property
    def window(self) -> str:
        """The reporting window in words, as texts state it ("12 months")."""
        return months_text(self.reporting_window_months)

    def pilot(self, name: str | None = None) -> Pilot:
        if name is None:
            return self.pilots[0]
        for p in self.pilots:
            if p.name == name:
                return p
        raise KeyError(f"No pilot named {name!r}")


def months_text(n: int) -> str:
    """'1 month', '12 months'."""
    return f"{n} month" if n == 1 else f"{n} months"


def years_text(months: int) -> str:
    """A period of months as a text states it: '2 years' when whole years, else '18 months'."""
    if months % 12:
        return months_text(months)
    return "1 year" if months == 12 else f"{months // 12} years"


def standard_fields() -> tuple[Field[Any], ...]:
    """The fields of :class:`Standards` that are standards (those with a TOML key), in order."""
    return tuple(f for f in fields(Standards) if "key" in f.metadata)


def _field_for(name: str) -> Field[Any]:
    for f in standard_fields():
        if f.name == name:
            return f
    raise KeyError(f"No standard named {name!r}")


def source_of(name: str) -> str:
    """Where a standard comes from as charts and tiles cite it: the document's title (:func:`cite`)."""
    return cite(_field_for(name).metadata["cite"])


def document_of(name: str) -> str:
    """The document a standard comes from, by title, with the section where known."""
    return _field_for(name).metadata["source"]


# --------------------------------------------------------------------------- checks


def _type_name(default: Any) -> str:
    return "a decimal number" if isinstance(default, float) else "a whole number"


def _check_value(f: Field[Any], value: Any) -> None:
    """Type (bool is not a number; a float is not a whole number) and range of one standard."""
    default = f.default if f.default is not MISSING else None
    key = f.metadata["key"]
    wanted = float if isinstance(default, float) else int
    ok_type = not isinstance(value, bool) and isinstance(value, (int, float) if wanted is float else int)
    test, expected = f.metadata["check"]
    if not ok_type or not test(value):
        raise StandardsError(
            f"[standards] {key} must be {_type_name(default)} {expected} ({f.metadata['unit']}), got {value!r}"
        )


def _check_order(s: Standards) -> None:
    """Standards that only make sense in order: P1 > P2 > P3 points, guidance bounds under targets."""
    pairs = (
        ("jarp_p1_min_points", "jarp_p2_min_points"),
        ("jarp_p2_min_points", "jarp_p3_min_points"),
    )
    for hi, lo in pairs:
        if not getattr(s, hi) > getattr(s, lo):
            raise StandardsError(
                f"[standards] {hi} ({getattr(s, hi)}) must be above {lo} ({getattr(s, lo)}): P1 > P2 > P3"
            )
    not_above = (
        ("jarp_p2_response_min_working_days", "jarp_p2_response_working_days"),
        ("jarp_p3_response_min_working_days", "jarp_p3_response_working_days"),
        ("care_leaver_min_age", "care_leaver_max_age"),
    )
    for lo, hi in not_above:
        if getattr(s, lo) > getattr(s, hi):
            raise StandardsError(f"[standards] {lo} ({getattr(s, lo)}) must not be above {hi} ({getattr(s, hi)})")


def _unknown(kind: str, key: str, known: Iterable[str], where: str) -> StandardsError:
    """'Unknown standard 'caseload_per_ft' in f.toml: did you mean 'caseload_per_fte'?'."""
    known = sorted(known)
    close = difflib.get_close_matches(key, known, n=1)
    if close:
        return StandardsError(f"Unknown {kind} {key!r} in {where}: did you mean {close[0]!r}?")
    return StandardsError(f"Unknown {kind} {key!r} in {where}; known: {', '.join(known)}")


def _table(data: Mapping[str, Any], name: str, where: str) -> Mapping[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, Mapping):
        raise StandardsError(f"[{name}] in {where} must be a table, got {value!r}")
    return value


# --------------------------------------------------------------------------- reading the file

#: Top-level keys of the standards file; ``rag`` is read and checked by ``dashboard.rag``.
TOP_LEVEL = ("standards", "jarp", "pilots", "replace_default_pilots", "ssd", "rag")
PILOT_KEYS = tuple(f.name for f in fields(Pilot))


def _ssd_from(entry: Mapping[str, Any], where: str) -> SsdSettings:
    for key in entry:
        if key not in ("schema", "key_worker_roles", "team_services"):
            raise _unknown("[ssd] setting", key, ("schema", "key_worker_roles", "team_services"), where)
    roles = entry.get("key_worker_roles", ())
    if isinstance(roles, str) or not all(isinstance(r, (str, int)) for r in roles):
        raise StandardsError(f"[ssd] key_worker_roles must be a list of role codes in {where}")
    services = entry.get("team_services", {})
    if not isinstance(services, Mapping) or not all(isinstance(v, str) for v in services.values()):
        raise StandardsError(f"[ssd.team_services] must map team ids to service names in {where}")
    schema = entry.get("schema")
    if schema is not None and not isinstance(schema, str):
        raise StandardsError(f"[ssd] schema must be a name in {where}")
    return SsdSettings(
        schema=schema or None,
        key_worker_roles=tuple(str(r) for r in roles),
        team_services=MappingProxyType({str(k): v for k, v in services.items()}),
    )


def _ids(entry: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, ())
    if isinstance(value, str) or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
        raise StandardsError(f"[[pilots]] {key} in {where} must be a list of team ids, got {value!r}")
    return tuple(map(str, value))


def _text(entry: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str | None:
    value = entry.get(key, default)
    if value is not None and not isinstance(value, str):
        raise StandardsError(f"[[pilots]] {key} in {where} must be text, got {value!r}")
    return value


def _pilot_from(entry: Any, where: str) -> Pilot:
    if not isinstance(entry, Mapping):
        raise StandardsError(f"[[pilots]] in {where} must be tables, got {entry!r}")
    for key in entry:
        if key not in PILOT_KEYS:
            raise _unknown("[[pilots]] key", key, PILOT_KEYS, where)
    name, start, months = entry.get("name"), entry.get("start"), entry.get("months", 6)
    if not isinstance(name, str) or not name:
        raise StandardsError(f"[[pilots]] name in {where} is required and must be text, got {name!r}")
    if isinstance(start, str):
        try:
            start = date.fromisoformat(start)
        except ValueError:
            pass
    if not isinstance(start, date):
        raise StandardsError(f"[[pilots]] start of {name!r} in {where} must be a date (start = 2023-01-09)")
    if isinstance(months, bool) or not isinstance(months, int) or months <= 0:
        raise StandardsError(f"[[pilots]] months of {name!r} in {where} must be a whole number above 0")
    return Pilot(
        name=name,
        start=start,
        months=months,
        team_ids=_ids(entry, "team_ids", where),
        team_service=_text(entry, "team_service", where),
        comparison_team_ids=_ids(entry, "comparison_team_ids", where),
        comparison_service=_text(entry, "comparison_service", where),
        source=_text(entry, "source", where, "configuration") or "configuration",
    )


def _points_from(jarp: Mapping[str, Any], where: str) -> tuple[dict[str, int], set[str]]:
    """[jarp.points]: known criteria re-scored; a new code becomes a criterion unless it looks misspelt."""
    for key in jarp:
        if key != "points":
            raise _unknown("[jarp] table", key, ("points",), where)
    points = dict(_default_points())
    for code, pts in _table(jarp, "points", where).items():
        if code not in JARP_CRITERIA and difflib.get_close_matches(code, JARP_CRITERIA, n=1, cutoff=0.85):
            raise _unknown("[jarp.points] criterion", code, JARP_CRITERIA, where)
        if isinstance(pts, bool) or not isinstance(pts, int) or pts < 0:
            raise StandardsError(f"[jarp.points] {code} in {where} must be a whole number of points, got {pts!r}")
        points[code] = pts
    return points, {f"jarp.points.{code}" for code in _table(jarp, "points", where)}


def standards_from(data: Mapping[str, Any], source_file: str | None = None) -> Standards:
    """A :class:`Standards` from a parsed standards file (``source_file`` is named in every error)."""
    where = source_file or "the standards"
    for key in data:
        if key not in TOP_LEVEL:
            raise _unknown("table", key, TOP_LEVEL, where)
    by_key = {f.metadata["key"]: f for f in standard_fields()}
    values: dict[str, Any] = {}
    for key, val in _table(data, "standards", where).items():
        if key not in by_key:
            raise _unknown("standard", key, by_key, where)
        f = by_key[key]
        try:
            _check_value(f, val)
        except StandardsError as exc:
            raise StandardsError(f"{exc} in {where}") from None
        values[f.name] = float(val) if isinstance(f.default, float) else val
    points, overridden = _points_from(_table(data, "jarp", where), where)
    overridden |= set(values)
    replace_defaults = data.get("replace_default_pilots", False)
    if not isinstance(replace_defaults, bool):
        raise StandardsError(f"replace_default_pilots in {where} must be true or false, got {replace_defaults!r}")
    entries = data.get("pilots", [])
    if not isinstance(entries, list):
        raise StandardsError(f"pilots in {where} must be [[pilots]] tables, got {entries!r}")
    extra = tuple(_pilot_from(e, where) for e in entries)
    ssd = _ssd_from(_table(data, "ssd", where), where)
    _table(data, "rag", where)
    try:
        return Standards(
            **values,
            jarp_points=MappingProxyType(points),
            pilots=extra if replace_defaults else DEFAULT_PILOTS + extra,
            source_file=source_file,
            overridden=frozenset(overridden),
            ssd=ssd,
        )
    except StandardsError as exc:
        raise StandardsError(f"{exc} in {where}") from None


def load_standards(path: str | os.PathLike[str] | None = None) -> Standards:
    """Defaults, overridden by the TOML file at ``path`` or ``CSC_STANDARDS_FILE``."""
    path = path or os.environ.get("CSC_STANDARDS_FILE") or None
    if not path:
        return Standards()
    try:
        data = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise StandardsError(f"Cannot read standards file {path}: {exc}") from exc
    return standards_from(data, str(path))


__all__ = [
    "DEFAULT_PILOTS",
    "DOCUMENTS",
    "DOCUMENT_NOTES",
    "DocumentStandards",
    "JARP_CRITERIA",
    "JARP_EXCEPTIONS",
    "JARP_EXCLUSIVE",
    "Pilot",
    "SsdSettings",
    "Standard",
    "Standards",
    "StandardsError",
    "cite",
    "document_of",
    "load_standards",
    "months_text",
    "years_text",
    "source_of",
    "standard_fields",
    "standards_from",
]
