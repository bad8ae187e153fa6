"""Partial data: which page sections a database can serve, and :class:`MissingData` for the rest.

A database missing a table or column (a native database with no ``transfers``, or an SSD, which
has no CIN plan reviews and no JARP) is not refused. Instead:

* each data-layer function declares the contract columns it cannot do without (:data:`NEEDS`);
  called on a database lacking one, it raises :class:`~data_layer.errors.MissingData` (a
  ``DatabaseError``) whose message is a plain sentence for the page ("CIN plan reviews are not in
  the SSD: review drift cannot be shown"), before any SQL runs;
* inputs a function can do without (:data:`OPTIONAL`: CIN reviews for drift, visits, CIN plan
  origins) leave the part they feed out and make the section *partial*;
* :func:`coverage` gives, per page section (``("plans", "drift")``, ...), ``available``,
  ``partial`` or ``missing`` with the missing ``table.column`` names and the sentence. ``check-db``
  prints it; the start-up check prints it instead of refusing a partial database.

Column names are the contract's (docs/DATA_CONTRACT.md); ``plan_reviews.plan_type='cin'`` stands for
the CIN rows of ``plan_reviews``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd

from .errors import MissingData
from .sources import CIN_REVIEWS

_STATUS = {
    "cla_episodes": ("child_id", "start_date", "end_date"),
    "cp_plans": ("child_id", "start_date", "end_date"),
    "cin_plans": ("child_id", "start_date", "end_date"),
    "children": ("child_id", "birth_date"),
    "referrals": ("child_id", "referral_date", "closure_date"),
    "assessments": ("child_id", "start_date", "completed_date"),
}
_TEAMS: dict[str, tuple[str, ...]] = {"teams": ("team_id", "team_name", "service")}
_PLAN = ("plan_id", "child_id", "team_id", "start_date", "end_date")
_KEY = ("allocation_id", "child_id", "worker_id", "team_id", "role", "start_date", "end_date")


def _merge(*parts: dict) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for p in parts:
        for t, cols in p.items():
            out.setdefault(t, [])
            out[t] += [c for c in cols if c not in out[t]]
    return {t: tuple(c) for t, c in out.items()}


_ALL = None  # every column of the contract table


def _all(table: str) -> tuple[str, ...]:
    from . import schema

    return tuple(c.name for c in schema.metadata.tables[table].columns)


_PILOT: dict[str, tuple[str, ...]] = _merge(
    _TEAMS,
    {
        "cin_plans": _PLAN,
        "allocations": _KEY,
        "workers": ("worker_id", "fte"),
        "cp_plans": ("child_id", "start_date"),
        "cla_episodes": ("child_id", "start_date"),
        "referrals": ("child_id", "referral_date"),
    },
)
_JARP = _merge(
    _TEAMS, {"jarp_referrals": _all("jarp_referrals"), "jarp_referral_criteria": _all("jarp_referral_criteria")}
)
_UNALLOCATED = _merge(
    _STATUS,
    _TEAMS,
    {
        "allocations": _KEY,
        "workers": ("worker_id", "qualified", "role"),
        "cp_plans": ("team_id",),
        "cin_plans": ("team_id",),
        "assessments": ("team_id",),
    },
)

#: Data-layer function -> (contract columns it needs, what cannot be shown without them).
NEEDS: dict[str, tuple[dict[str, tuple[str, ...]], str]] = {
    "caseloads": (
        _merge(_STATUS, _TEAMS, {"workers": _all("workers"), "allocations": _KEY}),
        "caseloads cannot be shown",
    ),
    "unallocated": (_UNALLOCATED, "unallocated children cannot be listed"),
    "children_by_status": (
        _merge(
            _STATUS,
            _TEAMS,
            {"allocations": _KEY, "cp_plans": ("team_id",), "cin_plans": ("team_id",), "assessments": ("team_id",)},
        ),
        "children cannot be counted by status",
    ),
    "caseload_trend": (
        _merge(_TEAMS, {"allocations": _KEY, "workers": ("worker_id", "team_id", "fte", "start_date", "end_date")}),
        "the caseload trend cannot be shown",
    ),
    "plan_durations:cin": (_merge(_TEAMS, {"cin_plans": _PLAN}), "CIN plan durations cannot be shown"),
    "plan_durations:cp": (_merge(_TEAMS, {"cp_plans": _PLAN}), "CP plan durations cannot be shown"),
    "plan_exclusions": (_merge(_TEAMS, {"cin_plans": _PLAN, "cp_plans": _PLAN}), "excluded plans cannot be counted"),
    "duration_bands": (_merge(_TEAMS, {"cin_plans": _PLAN, "cp_plans": _PLAN}), "duration bands cannot be shown"),
    "plan_drift": (
        _merge(
            _TEAMS,
            {"cin_plans": _PLAN, "cp_plans": _PLAN, "allocations": _KEY, "workers": ("worker_id", "worker_name")},
        ),
        "the drift list cannot be shown",
    ),
    "drift_counts": (_merge(_TEAMS, {"cin_plans": _PLAN, "cp_plans": _PLAN}), "drift by team cannot be shown"),
    "drift_trend": (_merge(_TEAMS, {"cin_plans": _PLAN, "cp_plans": _PLAN}), "the drift trend cannot be shown"),
    "pilot": (_PILOT, "the CIN pilot cannot be evaluated"),
    "pilot_trend": (_merge(_TEAMS, {"cin_plans": _PLAN}), "the CIN pilot trend cannot be shown"),
    "transfers": (_merge(_TEAMS, {"transfers": _all("transfers")}), "transfer timeliness cannot be shown"),
    "transfer_exclusions": (_merge(_TEAMS, {"allocations": _KEY}), "excluded transfer rows cannot be counted"),
    "transfer_flows": (
        _merge(_TEAMS, {"transfers": ("from_team_id", "to_team_id", "completed_date", "status")}),
        "flows between teams cannot be shown",
    ),
    "keyworker_changes": (_merge(_TEAMS, {"allocations": _KEY}), "key-worker changes cannot be shown"),
    "jarp": (_JARP, "the JARP queue cannot be shown"),
    "team_options": (_TEAMS, "the team filter cannot be offered"),
}

#: Inputs a section can do without: (table, column) -> what is left out without it.
OPTIONAL: dict[str, tuple[tuple[tuple[str, str], str], ...]] = {
    "drift": (
        (CIN_REVIEWS, "review drift cannot be shown"),
        (("visits", "visit_date"), "visit drift cannot be shown"),
        (("visits", "plan_type"), "visit drift cannot be shown"),
        (("cin_plans", "origin"), "CP step-downs cannot be flagged"),
    ),
    "origin": ((("cin_plans", "origin"), "CIN plans cannot be split by origin"),),
    "pilot": (
        (CIN_REVIEWS, "reviews on time cannot be measured"),
        (("cin_plans", "end_reason"), "closure routes are derived only from what followed the plan"),
    ),
    "transfers": ((("transfers", "requested_date"), "transfer timeliness cannot be shown"),),
}

#: Page section (page key, part) -> (data-layer needs it calls, optional inputs it can lack).
SECTIONS: dict[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {
    ("overview", "body"): (
        (
            "caseloads",
            "caseload_trend",
            "unallocated",
            "children_by_status",
            "drift_counts",
            "drift_trend",
            "pilot",
            "transfers",
            "jarp",
        ),
        ("drift",),
    ),
    ("caseloads", "body"): (("caseloads", "caseload_trend", "unallocated"), ()),
    ("plans", "body"): (("plan_durations:cin", "plan_durations:cp", "duration_bands", "plan_exclusions"), ()),
    ("plans", "km"): (("plan_durations:cin", "plan_durations:cp"), ("origin",)),
    ("plans", "drift"): (("drift_counts", "drift_trend"), ("drift",)),
    ("plans", "drift_list"): (("plan_drift",), ("drift",)),
    ("cin_pilot", "body"): (("pilot", "pilot_trend"), ("pilot",)),
    ("cin_pilot", "workload"): (("pilot",), ()),
    ("transfers", "body"): (("transfers", "transfer_flows", "transfer_exclusions", "keyworker_changes"), ()),
    ("transfers", "pending"): (("transfers",), ()),
    ("jarp", "body"): (("jarp",), ()),
}
SECTION_NAMES = {
    ("overview", "body"): "Overview tiles",
    ("caseloads", "body"): "Caseloads",
    ("plans", "body"): "Plan durations",
    ("plans", "km"): "Plan durations: survival curves",
    ("plans", "drift"): "Plan drift",
    ("plans", "drift_list"): "Plan drift: the drift list",
    ("cin_pilot", "body"): "CIN pilot",
    ("cin_pilot", "workload"): "CIN pilot: workload",
    ("transfers", "body"): "Transfers",
    ("transfers", "pending"): "Transfers: the pending list",
    ("jarp", "body"): "JARP queue",
}
COVERAGE_COLUMNS = ["page", "part", "section", "status", "missing", "message"]


def _missing(tb, needs: dict[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    """(``table.column``, reason) for every needed column this source cannot serve."""
    out = []
    for table, cols in needs.items():
        whole = tb.reason(table, "*")
        if whole:
            out.append((f"{table}", whole))
            continue
        out += [(f"{table}.{c}", tb.reason(table, c)) for c in cols if tb.reason(table, c)]
    return out


def _sentence(reasons: list[str], consequence: str) -> str:
    distinct = list(dict.fromkeys(reasons))
    head = "; ".join(distinct[:2]) + (f" (and {len(distinct) - 2} more)" if len(distinct) > 2 else "")
    return f"{head}: {consequence}"


def missing_data(db, need: str) -> MissingData | None:
    """The :class:`MissingData` ``need`` (a :data:`NEEDS` key) would raise on ``db``, or None."""
    needs, consequence = NEEDS[need]
    lacking = _missing(db.tables, needs)
    if not lacking:
        return None
    return MissingData(
        _sentence([r for _, r in lacking], consequence),
        function=need,
        missing=tuple(n for n, _ in lacking),
        source=getattr(db, "source", "native"),
    )


def requires(need: str | None = None, by_arg=None):
    """Decorator: raise :class:`MissingData` before running when the database lacks ``need``'s inputs.

    ``by_arg(args, kwargs) -> need`` picks the need from the call (``plan_durations`` by plan type).
    """

    def wrap(fn):
        @functools.wraps(fn)
        def inner(db, *args, **kwargs):
            key = by_arg(args, kwargs) if by_arg else (need or fn.__name__)
            err = missing_data(db, key) if key in NEEDS else None
            if err is not None:
                raise err
            return fn(db, *args, **kwargs)

        cast(Any, inner).needs = need or fn.__name__  # read by coverage and the tests
        return inner

    return wrap


def optional_missing(db, group: str) -> list[tuple[str, str, str]]:
    """(``table.column``, reason, consequence) for the optional inputs of ``group`` that are lacking."""
    tb = db.tables
    out = []
    for (table, col), consequence in OPTIONAL[group]:
        reason = tb.reason(table, "*") or tb.reason(table, col)
        if reason:
            out.append((f"{table}.{col}", reason, consequence))
    return out


@dataclass(frozen=True)
class SectionCoverage:
    page: str
    part: str
    status: str  # available | partial | missing
    missing: tuple[str, ...]
    message: str | None

    @property
    def key(self) -> tuple[str, str]:
        return (self.page, self.part)


def section_coverage(db, page: str, part: str) -> SectionCoverage:
    """Coverage of one page section (see :func:`coverage`)."""
    needs, optional = SECTIONS[(page, part)]
    errors = [e for e in (missing_data(db, n) for n in needs) if e is not None]
    opts = [o for g in optional for o in optional_missing(db, g)]
    missing = tuple(dict.fromkeys([m for e in errors for m in e.missing] + [o[0] for o in opts]))
    sentences = list(dict.fromkeys([str(e) for e in errors] + [f"{o[1]}: {o[2]}" for o in opts]))
    if not errors and not opts:
        status = "available"
    elif len(errors) == len(needs):
        status = "missing"
    else:
        status = "partial"
    return SectionCoverage(page, part, status, missing, ". ".join(sentences) + "." if sentences else None)


def coverage(db) -> pd.DataFrame:
    """Per page section: ``page``, ``part``, ``section`` (its name), ``status`` (``available``,
    ``partial`` or ``missing``), ``missing`` (``table.column`` names, comma-separated) and
    ``message`` (plain sentences, None when available). No query runs: the source's structure
    was probed once when ``db.tables`` was built."""
    rows = []
    for page, part in SECTIONS:
        c = section_coverage(db, page, part)
        rows.append(
            dict(
                page=page,
                part=part,
                section=SECTION_NAMES[(page, part)],
                status=c.status,
                missing=", ".join(c.missing),
                message=c.message,
            )
        )
    return pd.DataFrame(rows, columns=COVERAGE_COLUMNS)


def describe_source(db) -> str:
    """One line naming the database's source, for the page shell and check-db."""
    if getattr(db, "source", "native") == "ssd":
        schema = db.standards.ssd.schema
        return "Standard Safeguarding Dataset" + (f" (schema {schema})" if schema else "")
    return "CSC Insight data contract"


def format_coverage(df: pd.DataFrame) -> list[str]:
    """The coverage table as text lines (check-db, the start-up message)."""
    width = max(len(s) for s in df["section"]) if len(df) else 10
    out = []
    for r in df.itertuples():
        out.append(f"  {r.section:<{width}}  {r.status.upper():<9}  {r.missing}".rstrip())
        if r.message:
            out.append(f"  {'':<{width}}  {'':<9}  {r.message}")
    return out


__all__ = [
    "coverage",
    "section_coverage",
    "SectionCoverage",
    "missing_data",
    "requires",
    "format_coverage",
    "describe_source",
    "NEEDS",
    "SECTIONS",
    "OPTIONAL",
    "COVERAGE_COLUMNS",
]
