"""Read-only data layer of CSC Insight: schema, connection, queries and metric definitions.

Pages import everything from here (``from data_layer import connect, Filters, caseloads``).
This package never imports Dash or Plotly and never writes to the database. ``queries/`` holds
the modules that read the database (one per page, named as the page is), ``metrics/`` the pure
calculations they and the figures share (DataFrames or values in, values out). A new public
function is exported by importing it here by name and adding it to ``__all__``.
"""

from .checks import (
    CHECK_KINDS,
    CORE_TABLES,
    CheckReport,
    UnusableDatabase,
    bad_rows_by_team,
    check_database,
    data_quality,
    select_bad_rows,
    startup_check,
)
from .coverage import (
    SectionCoverage,
    coverage,
    describe_source,
    format_coverage,
    missing_data,
    section_coverage,
)
from .dialect import add_months
from .engine import Database, connect, default_url
from .errors import DatabaseError, MissingData, ReadOnlyViolation
from .filters import Filters
from .metrics.cin_pilot_measures import (
    END_REASONS,
    MEASURE_BY_KEY,
    MEASURES,
    WORKLOAD_OUTCOMES,
    caseload_bands,
    closure_routes,
    did_table,
    format_value,
    outcomes_by_caseload,
    summarise_cohorts,
    trend_months,
)
from .metrics.jarp_responses import carried_over_repeatedly, response_summary, response_trend
from .metrics.plan_survival import SurvivalResult, band_edges, band_labels, survival_by_group
from .queries.caseloads import STATUSES, caseload_trend, caseloads, children_by_status, unallocated
from .queries.cin_pilot import (
    PilotDesign,
    PilotEvaluation,
    cohort_plans,
    evaluate_pilot,
    pilot_did,
    pilot_evaluation,
    pilot_headline,
    pilot_trend,
    resolve_design,
)
from .queries.drift import FLAG_NAMES, FLAGS, drift_counts, drift_trend, plan_drift, unserved_drift_flags
from .queries.jarp import (
    QUEUE_COLUMNS,
    RESPONSE_COLUMNS,
    REVIEW_COLUMNS,
    jarp_queue,
    jarp_queue_trend,
    jarp_responses,
    jarp_reviews_due,
    jarp_unknown_criteria,
)
from .queries.plans import (
    CIN_ORIGINS,
    PLAN_TYPES,
    duration_bands,
    plan_durations,
    plan_exclusions,
)
from .queries.predicates import in_post
from .queries.reference import date_range, latest_date, team_options
from .queries.transfers import (
    TRANSFER_POINTS,
    keyworker_change_children,
    keyworker_changes,
    transfer_exclusions,
    transfer_flows,
    transfers,
)
from .standards import Pilot, Standards, StandardsError, load_standards

__all__ = [
    # connection, coverage, filters, standards
    "connect",
    "Database",
    "DatabaseError",
    "MissingData",
    "ReadOnlyViolation",
    "default_url",
    "coverage",
    "section_coverage",
    "SectionCoverage",
    "missing_data",
    "format_coverage",
    "unserved_drift_flags",
    "describe_source",
    "Filters",
    "Standards",
    "StandardsError",
    "Pilot",
    "load_standards",
    # checks
    "CheckReport",
    "UnusableDatabase",
    "check_database",
    "startup_check",
    "data_quality",
    "bad_rows_by_team",
    "select_bad_rows",
    "CHECK_KINDS",
    "CORE_TABLES",
    # caseloads
    "caseloads",
    "unallocated",
    "children_by_status",
    "caseload_trend",
    "STATUSES",
    "in_post",
    # plans and drift
    "plan_durations",
    "plan_exclusions",
    "duration_bands",
    "survival_by_group",
    "SurvivalResult",
    "band_edges",
    "band_labels",
    "PLAN_TYPES",
    "CIN_ORIGINS",
    "plan_drift",
    "drift_counts",
    "drift_trend",
    "FLAGS",
    "FLAG_NAMES",
    "add_months",
    # CIN pilot
    "MEASURES",
    "MEASURE_BY_KEY",
    "END_REASONS",
    "PilotDesign",
    "PilotEvaluation",
    "resolve_design",
    "cohort_plans",
    "summarise_cohorts",
    "did_table",
    "evaluate_pilot",
    "pilot_evaluation",
    "pilot_did",
    "pilot_headline",
    "closure_routes",
    "outcomes_by_caseload",
    "caseload_bands",
    "pilot_trend",
    "trend_months",
    "format_value",
    "WORKLOAD_OUTCOMES",
    # transfers
    "transfers",
    "transfer_exclusions",
    "transfer_flows",
    "keyworker_changes",
    "keyworker_change_children",
    "TRANSFER_POINTS",
    # JARP
    "jarp_queue",
    "jarp_queue_trend",
    "carried_over_repeatedly",
    "jarp_responses",
    "response_summary",
    "response_trend",
    "jarp_reviews_due",
    "jarp_unknown_criteria",
    "QUEUE_COLUMNS",
    "RESPONSE_COLUMNS",
    "REVIEW_COLUMNS",
    # reference data for the shell
    "date_range",
    "latest_date",
    "team_options",
]
