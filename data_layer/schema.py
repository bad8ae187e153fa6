"""The data contract (docs/DATA_CONTRACT.md) as SQLAlchemy Core tables.

The schema lives here once: queries are built from these objects, `check-db` compares a
database against them, and the demo generator and test fixtures create them. Identifiers are
pseudonymous strings; a NULL end date means still open.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, DateTime, Float, Integer, MetaData, String, Table

metadata = MetaData()

_ID = String(64)
_CODE = String(40)


def _id(name: str, **kw) -> Column:
    return Column(name, _ID, **kw)


teams = Table(
    "teams",
    metadata,
    _id("team_id", index=True),
    Column("team_name", String(200)),
    Column("service", String(100)),
    Column("area", String(100)),
)

workers = Table(
    "workers",
    metadata,
    _id("worker_id", index=True),
    Column("worker_name", String(200)),
    _id("team_id", index=True),
    Column("role", _CODE),
    Column("fte", Float),
    Column("qualified", Boolean),
    Column("start_date", Date),
    Column("end_date", Date),
)

children = Table(
    "children",
    metadata,
    _id("child_id", index=True),
    Column("birth_date", Date),
    Column("sex", _CODE),
    Column("ethnicity", _CODE),
    Column("disability", Boolean),
    Column("uasc", Boolean),
)

referrals = Table(
    "referrals",
    metadata,
    _id("referral_id", index=True),
    _id("child_id", index=True),
    Column("referral_date", Date),
    Column("source", _CODE),
    Column("outcome", _CODE),
    Column("closure_date", Date),
)

assessments = Table(
    "assessments",
    metadata,
    _id("assessment_id", index=True),
    _id("child_id", index=True),
    _id("team_id"),
    Column("start_date", Date),
    Column("completed_date", Date),
    Column("authorised_date", Date),
    Column("outcome", _CODE),
)

allocations = Table(
    "allocations",
    metadata,
    _id("allocation_id", index=True),
    _id("child_id", index=True),
    _id("worker_id", index=True),
    _id("team_id"),
    Column("role", _CODE),
    Column("start_date", Date),
    Column("end_date", Date),
)

cin_plans = Table(
    "cin_plans",
    metadata,
    _id("plan_id", index=True),
    _id("child_id", index=True),
    _id("team_id"),
    Column("start_date", Date),
    Column("end_date", Date),
    Column("origin", _CODE),
    Column("end_reason", _CODE),
)

cp_plans = Table(
    "cp_plans",
    metadata,
    _id("plan_id", index=True),
    _id("child_id", index=True),
    _id("team_id"),
    Column("start_date", Date),
    Column("end_date", Date),
    Column("category", _CODE),
    Column("end_reason", _CODE),
)

cla_episodes = Table(
    "cla_episodes",
    metadata,
    _id("episode_id", index=True),
    _id("child_id", index=True),
    Column("start_date", Date),
    Column("end_date", Date),
    Column("legal_status", _CODE),
    Column("end_reason", _CODE),
)

plan_reviews = Table(
    "plan_reviews",
    metadata,
    _id("review_id", index=True),
    Column("plan_type", _CODE),
    _id("plan_id", index=True),
    Column("review_date", Date),
    Column("chair_role", _CODE),
)

visits = Table(
    "visits",
    metadata,
    _id("visit_id", index=True),
    _id("child_id", index=True),
    _id("worker_id"),
    Column("visit_date", Date),
    Column("plan_type", _CODE),
)

transfers = Table(
    "transfers",
    metadata,
    _id("transfer_id", index=True),
    _id("child_id", index=True),
    _id("from_team_id"),
    _id("to_team_id"),
    Column("transfer_point", _CODE),
    Column("notified_date", Date),
    Column("requested_date", Date),
    Column("completed_date", Date),
    Column("joint_visit_date", Date),
    Column("status", _CODE),
)

jarp_referrals = Table(
    "jarp_referrals",
    metadata,
    _id("referral_id", index=True),
    _id("child_id", index=True),
    _id("referring_team_id"),
    Column("submitted_at", DateTime),
    Column("panel_date", Date),
    Column("direct_exception", _CODE),
    Column("carried_over", Integer),
    Column("services_requested", String(400)),
    Column("decision", _CODE),
    Column("decision_date", Date),
    Column("first_response_at", DateTime),
    Column("next_review_date", Date),
)

jarp_referral_criteria = Table(
    "jarp_referral_criteria",
    metadata,
    _id("referral_id", index=True),
    Column("criterion", _CODE),
)

#: Allowed values of coded columns (docs/DATA_CONTRACT.md). Anything else is reported by
#: `check-db` as an unknown code and excluded from the figures that depend on it.
#: Lists the design leaves open ("...") carry the codes this project recognises; extend them here.
CODES: dict[tuple[str, str], frozenset[str]] = {
    ("workers", "role"): frozenset({"SW", "AP", "TM", "NQSW", "SSW", "FSW"}),
    ("referrals", "outcome"): frozenset({"assessment", "nfa", "early_help", "signposted", "other"}),
    ("assessments", "outcome"): frozenset({"cin_plan", "cp_conference", "nfa", "step_down_eh", "lac", "other"}),
    ("allocations", "role"): frozenset({"key_worker", "involved"}),
    ("cin_plans", "origin"): frozenset(
        {"assessment", "cp_step_down", "lac_step_down", "supervision_order", "court_report"}
    ),
    ("cin_plans", "end_reason"): frozenset(
        {"plan_achieved", "consent_withdrawn", "step_down_eh", "escalated_cp", "became_lac", "moved_away", "other"}
    ),
    ("cp_plans", "category"): frozenset({"neglect", "emotional", "physical", "sexual", "multiple"}),
    ("cp_plans", "end_reason"): frozenset(
        {"step_down_cin", "no_longer_at_risk", "became_lac", "moved_away", "transferred_out", "other"}
    ),
    ("cla_episodes", "legal_status"): frozenset({"s20", "ico", "co", "epo", "pp", "po", "remand", "other"}),
    ("cla_episodes", "end_reason"): frozenset(
        {"returned_home", "sgo", "adoption", "age_18", "independent_living", "moved_away", "other"}
    ),
    ("plan_reviews", "plan_type"): frozenset({"cin", "cp"}),
    ("visits", "plan_type"): frozenset({"cin", "cp", "cla"}),
    ("transfers", "transfer_point"): frozenset(
        {"initial_cin_meeting", "after_icpc", "first_lac_review", "first_hearing", "other"}
    ),
    ("transfers", "status"): frozenset({"pending", "completed", "declined"}),
    ("jarp_referrals", "direct_exception"): frozenset(
        {"police_protection", "epo", "first_episode_lac", "court_directed"}
    ),
    ("jarp_referrals", "decision"): frozenset({"allocated", "carried_over", "declined", "pending"}),
    # jarp_referral_criteria.criterion is checked against the configured scoring rules (standards).
}

#: Columns that must not be NULL for a row to be usable (start dates, keys).
REQUIRED: dict[str, tuple[str, ...]] = {
    "teams": ("team_id",),
    "workers": ("worker_id", "team_id", "start_date"),
    "children": ("child_id",),
    "referrals": ("referral_id", "child_id", "referral_date"),
    "assessments": ("assessment_id", "child_id", "start_date"),
    "allocations": ("allocation_id", "child_id", "start_date"),
    "cin_plans": ("plan_id", "child_id", "start_date"),
    "cp_plans": ("plan_id", "child_id", "start_date"),
    "cla_episodes": ("episode_id", "child_id", "start_date"),
    "plan_reviews": ("review_id", "plan_id", "review_date"),
    "visits": ("visit_id", "child_id", "visit_date"),
    "transfers": ("transfer_id", "child_id"),
    "jarp_referrals": ("referral_id", "child_id", "submitted_at"),
    "jarp_referral_criteria": ("referral_id", "criterion"),
}

#: (table, start column, end column) pairs where end before start makes a row unusable.
INTERVALS: tuple[tuple[str, str, str], ...] = (
    ("workers", "start_date", "end_date"),
    ("referrals", "referral_date", "closure_date"),
    ("assessments", "start_date", "completed_date"),
    ("allocations", "start_date", "end_date"),
    ("cin_plans", "start_date", "end_date"),
    ("cp_plans", "start_date", "end_date"),
    ("cla_episodes", "start_date", "end_date"),
    ("transfers", "requested_date", "completed_date"),
)

#: (table, column, referenced table, referenced column): ids that must exist.
FOREIGN_KEYS: tuple[tuple[str, str, str, str], ...] = (
    ("workers", "team_id", "teams", "team_id"),
    ("referrals", "child_id", "children", "child_id"),
    ("assessments", "child_id", "children", "child_id"),
    ("assessments", "team_id", "teams", "team_id"),
    ("allocations", "child_id", "children", "child_id"),
    ("allocations", "worker_id", "workers", "worker_id"),
    ("allocations", "team_id", "teams", "team_id"),
    ("cin_plans", "child_id", "children", "child_id"),
    ("cin_plans", "team_id", "teams", "team_id"),
    ("cp_plans", "child_id", "children", "child_id"),
    ("cp_plans", "team_id", "teams", "team_id"),
    ("cla_episodes", "child_id", "children", "child_id"),
    ("visits", "child_id", "children", "child_id"),
    ("visits", "worker_id", "workers", "worker_id"),
    ("transfers", "child_id", "children", "child_id"),
    ("transfers", "from_team_id", "teams", "team_id"),
    ("transfers", "to_team_id", "teams", "team_id"),
    ("jarp_referrals", "child_id", "children", "child_id"),
    ("jarp_referrals", "referring_team_id", "teams", "team_id"),
    ("jarp_referral_criteria", "referral_id", "jarp_referrals", "referral_id"),
)

#: Each table's unique id (its first column). No primary-key constraint is declared, because the
#: dashboard reads warehouses it does not control: duplicates are counted as bad rows instead.
PRIMARY_IDS: dict[str, str] = {
    t.name: t.columns[0].name for t in metadata.sorted_tables if t.name != "jarp_referral_criteria"
}

#: Numbers the contract bounds, as (table, column) -> (low, high): a value at or below ``low`` or
#: above ``high`` is a bad row (``out_of_range``). An FTE of 0 or less would divide the caseload
#: target to nothing; above 1 it is more than one full-time post.
RANGES: dict[tuple[str, str], tuple[float, float]] = {("workers", "fte"): (0.0, 1.0)}


def text_limits(table_name: str) -> dict[str, int]:
    """Each text column's length limit in the contract (ids 64, codes 40, names 200, ...): longer is a bad row."""
    return {
        c.name: int(c.type.length)
        for c in metadata.tables[table_name].columns
        if isinstance(c.type, String) and c.type.length
    }


def date_columns(table_name: str) -> dict[str, bool]:
    """Each date or timestamp column of the contract table: name -> True for a timestamp."""
    return {
        c.name: isinstance(c.type, DateTime)
        for c in metadata.tables[table_name].columns
        if isinstance(c.type, (Date, DateTime))
    }
