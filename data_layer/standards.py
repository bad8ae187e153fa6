"""Practice standards: every threshold the dashboard judges against, each with its source.

Each standard is a named setting with a default taken from the practice documents in
``shared/seeds`` (cited by file number: 000 cluster presentation, 001 CIN guidance, 002 CIN pilot
pathway, 003 Hackney handbook, 004 Oxfordshire protocol). An authority overrides any of them with
a TOML file named in ``CSC_STANDARDS_FILE``::

    [standards]
    caseload_per_fte = 22          # any name below
    cin_visit_days = 15            # 000's stricter CIN visiting standard

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

Nothing else in the code base holds these numbers.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class Standard:
    name: str
    value: Any
    unit: str
    source: str
    description: str


_DEFAULTS: tuple[Standard, ...] = (
    # 5.1 caseloads
    Standard(
        "caseload_per_fte",
        25,
        "children per FTE",
        "000",
        "Average caseload of a social worker is 25 children, including CP/CIN/PLO/LAC",
    ),
    Standard("care_leaver_min_age", 16, "years", "DESIGN 5.1", "Care leaver status from this age"),
    Standard("care_leaver_max_age", 25, "years", "DESIGN 5.1", "Care leaver status up to this age (inclusive)"),
    # 5.2 plans and drift
    Standard("cin_review_days", 42, "days", "001", "CIN plan reviewed at least every 6 weeks"),
    Standard("cin_tm_review_first_months", 3, "months", "001", "Team Manager chairs the CIN review at 3 months"),
    Standard("cin_tm_review_second_months", 6, "months", "001", "Team Manager chairs the CIN review at 6 months"),
    Standard("cin_sm_review_months", 9, "months", "001", "Service Manager review of CIN plans open 9 months"),
    Standard("cin_max_months", 12, "months", "001", "CIN plans not expected to last beyond 12 months"),
    Standard("step_down_max_days", 84, "days", "000", "CIN plans after a CP step-down close within 12 weeks"),
    Standard("cin_visit_days", 21, "days", "001", "CIN visits at least every 3 weeks (000 uses 15 days)"),
    Standard("cp_visit_days", 10, "days", "000", "CP visits at least every 10 days"),
    Standard("cp_max_months", 24, "months", "national indicator", "CP plans lasting 2 years or more"),
    Standard(
        "reporting_window_months",
        12,
        "months",
        "DESIGN 4",
        "Closed plans, transfers and responses counted in the 12 months to the as-at date",
    ),
    # 5.3 pilot evaluation
    Standard("pilot_min_cohort", 10, "plans", "DESIGN 5.3", "Cohorts under this size are too small to judge"),
    Standard(
        "pilot_escalation_days",
        30,
        "days",
        "DESIGN 5.3",
        "CP plan starting within this many days of a CIN end counts as escalation",
    ),
    Standard("pilot_rereferral_months", 12, "months", "002", "Re-referral within this period of closure"),
    Standard("confidence_level", 0.95, "proportion", "DESIGN 5.3", "Confidence level of intervals"),
    # 5.4 transfers
    Standard("transfer_working_days", 3, "working days", "003", "Transfers within 3 working days of the request"),
    Standard("transfer_notice_days", 14, "days", "004", "At least two weeks' notice of transfer"),
    Standard("joint_visit_days", 7, "days", "003", "Joint home visit in the week before transfer"),
    Standard(
        "keyworker_changes_alert",
        3,
        "changes",
        "003/004",
        "Children with this many key-worker changes in 12 months are listed",
    ),
    # 5.5 JARP
    Standard("jarp_p1_min_points", 11, "points", "003 App. B", "P1 from 11 points"),
    Standard("jarp_p2_min_points", 7, "points", "003 App. B", "P2 from 7 points"),
    Standard("jarp_p3_min_points", 1, "points", "003 App. B", "P3 from 1 point"),
    Standard("jarp_p1_response_days", 2, "calendar days", "003 3.6", "P1 response within 48 hours"),
    Standard(
        "jarp_p2_response_working_days", 5, "working days", "003 3.6", "P2 response within 5 working days (from 2)"
    ),
    Standard(
        "jarp_p3_response_working_days", 10, "working days", "003 3.6", "P3 response within 10 working days (from 3)"
    ),
    Standard("jarp_p2_response_min_working_days", 2, "working days", "003 3.6", "P2 guidance lower bound"),
    Standard("jarp_p3_response_min_working_days", 3, "working days", "003 3.6", "P3 guidance lower bound"),
    Standard("jarp_panel_weekday", 1, "weekday (Mon=0)", "003 3.6", "Panel meets on Tuesdays"),
    Standard("jarp_cutoff_weekday", 4, "weekday (Mon=0)", "003 3.6", "Referrals due by Friday"),
    Standard("jarp_cutoff_hour", 14, "hour", "003 3.6", "Referrals due by 2pm"),
    Standard("jarp_review_weeks", 6, "weeks", "003 3.6", "Services reviewed every six weeks"),
    Standard("jarp_review_notice_days", 7, "days", "003 3.6", "Reviews flagged a week before they fall due"),
    # presentation
    Standard("suppress_below", 5, "count", "DESIGN 6", "Counts under this are shown as <5 in presentation mode"),
)

#: JARP criteria (003 Appendix B): code -> (points, description).
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

#: Groups of criteria of which only the highest-scoring one counts (DESIGN 5.5).
JARP_EXCLUSIVE: tuple[tuple[str, ...], ...] = (
    ("substance_both_parents", "substance_parent"),
    ("care_leaver_16_19", "care_leaver_19_24"),
)

JARP_EXCEPTIONS: tuple[str, ...] = ("police_protection", "epo", "first_episode_lac", "court_directed")


@dataclass(frozen=True)
class Pilot:
    """A team pilot to evaluate (DESIGN 5.3). Teams by id, or by service when ids are not given."""

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


def _ssd_from(entry: Mapping[str, Any], path) -> SsdSettings:
    known = {"schema", "key_worker_roles", "team_services"}
    unknown = set(entry) - known
    if unknown:
        raise StandardsError(f"Unknown [ssd] setting(s) {sorted(unknown)} in {path}; known: {sorted(known)}")
    roles = entry.get("key_worker_roles", ())
    if isinstance(roles, str) or not all(isinstance(r, (str, int)) for r in roles):
        raise StandardsError(f"[ssd] key_worker_roles must be a list of role codes in {path}")
    services = entry.get("team_services", {})
    if not isinstance(services, Mapping) or not all(isinstance(v, str) for v in services.values()):
        raise StandardsError(f"[ssd.team_services] must map team ids to service names in {path}")
    schema = entry.get("schema")
    if schema is not None and not isinstance(schema, str):
        raise StandardsError(f"[ssd] schema must be a name in {path}")
    return SsdSettings(
        schema=schema or None,
        key_worker_roles=tuple(str(r) for r in roles),
        team_services=MappingProxyType({str(k): v for k, v in services.items()}),
    )


@dataclass(frozen=True)
class Standards:
    values: Mapping[str, Any]
    jarp_points: Mapping[str, int]
    pilots: tuple[Pilot, ...]
    source_file: str | None = None
    overridden: frozenset[str] = field(default_factory=frozenset)
    ssd: SsdSettings = field(default_factory=SsdSettings)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def describe(self) -> list[Standard]:
        """Every standard with its value in force (for the page footers and the README)."""
        return [replace(s, value=self.values[s.name]) for s in _DEFAULTS]

    def pilot(self, name: str | None = None) -> Pilot:
        if name is None:
            return self.pilots[0]
        for p in self.pilots:
            if p.name == name:
                return p
        raise KeyError(f"No pilot named {name!r}")


class StandardsError(ValueError):
    """The standards file is malformed; the message names the offending key."""


def _pilot_from(entry: Mapping[str, Any]) -> Pilot:
    try:
        start = entry["start"]
        if isinstance(start, str):
            start = date.fromisoformat(start)
        return Pilot(
            name=str(entry["name"]),
            start=start,
            months=int(entry.get("months", 6)),
            team_ids=tuple(map(str, entry.get("team_ids", ()))),
            team_service=entry.get("team_service"),
            comparison_team_ids=tuple(map(str, entry.get("comparison_team_ids", ()))),
            comparison_service=entry.get("comparison_service"),
            source=str(entry.get("source", "configuration")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise StandardsError(f"Bad [[pilots]] entry {dict(entry)!r}: {exc}") from exc


def load_standards(path: str | os.PathLike | None = None) -> Standards:
    """Defaults, overridden by the TOML file at ``path`` or ``CSC_STANDARDS_FILE``."""
    values = {s.name: s.value for s in _DEFAULTS}
    points = {code: pts for code, (pts, _) in JARP_CRITERIA.items()}
    pilots = list(DEFAULT_PILOTS)
    path = path or os.environ.get("CSC_STANDARDS_FILE") or None
    overridden: set[str] = set()
    ssd = SsdSettings()
    if path:
        try:
            data = tomllib.loads(Path(path).read_text())
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise StandardsError(f"Cannot read standards file {path}: {exc}") from exc
        for key, val in data.get("standards", {}).items():
            if key not in values:
                raise StandardsError(f"Unknown standard {key!r} in {path}; known: {', '.join(sorted(values))}")
            if not isinstance(val, type(values[key])) and not (isinstance(values[key], float) and isinstance(val, int)):
                raise StandardsError(f"Standard {key!r} must be a {type(values[key]).__name__}, got {val!r}")
            values[key] = val
            overridden.add(key)
        for code, pts in data.get("jarp", {}).get("points", {}).items():
            if not isinstance(pts, int):
                raise StandardsError(f"JARP points for {code!r} must be a whole number")
            points[code] = pts
            overridden.add(f"jarp.points.{code}")
        if "ssd" in data:
            ssd = _ssd_from(data["ssd"], path)
        extra = [_pilot_from(e) for e in data.get("pilots", [])]
        if data.get("replace_default_pilots"):
            pilots = extra
        else:
            pilots += extra
        if not pilots:
            raise StandardsError("At least one pilot must be configured")
    return Standards(
        values=MappingProxyType(values),
        jarp_points=MappingProxyType(points),
        pilots=tuple(pilots),
        source_file=str(path) if path else None,
        overridden=frozenset(overridden),
        ssd=ssd,
    )


def source_of(name: str) -> str:
    """The document a standard comes from, for chart annotations."""
    return next(s.source for s in _DEFAULTS if s.name == name)
