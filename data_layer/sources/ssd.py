"""The Standard Safeguarding Dataset (SSD) mapped onto the data contract: every rule, with its reason.

Data to Insight's SSD (``data-to-insight/ssd-data-model`` v1.4.0; names as in
``analysis/ddl_reference/ssd_ddl_reference_systemc.csv``, see shared/SOURCES.md) is about 49
``ssd_*`` tables an authority builds inside its own database. Each contract table below is one
SELECT over them (SQLAlchemy Core, compiled per dialect; a SELECT-only login is enough, no view
is created). Ids are ``nvarchar(48)``, dates ``datetime`` (cut to the date with ``as_date``: the
contract compares dates, and a ``datetime`` string on SQLite would not compare with a date), flags
``'Y'``/``'N'``.

Settings (``[ssd]`` in the standards TOML, :class:`~data_layer.standards.SsdSettings`): ``schema``,
``key_worker_roles`` (list), ``[ssd.team_services]`` (team id -> service).

Privacy: ``ssd_person`` is declared here **without** ``pers_forename``, ``pers_surname`` and
``pers_upn``, so no query can select a child's name or UPN (tests assert on the compiled SQL).
Worker names (``prof_professional_name``) are read only as ``workers.worker_name``, which pages
show to managers.

Mapping rules (contract table: rule -- reason):

* **teams** from ``ssd_department``: ``team_id`` = ``dept_team_id``, ``team_name`` =
  ``dept_team_name``, ``area`` = ``dept_team_parent_name``; ``service`` = ``[ssd.team_services]``
  for the team id, else ``dept_team_parent_name`` -- the SSD has no team type, and a team's parent
  (e.g. "Safeguarding") is the closest the SSD gets to a service.
* **workers** from ``ssd_professionals``: ``worker_id`` = ``prof_professional_id``,
  ``worker_name`` = ``prof_professional_name``, ``fte`` = ``prof_full_time_equivalency``.
  ``qualified`` when ``prof_social_worker_registration_no`` is recorded (not blank) and the job
  title does not contain "student" -- registration with Social Work England is what qualifies a
  social worker; a student may hold a number from their course provider. ``role``: ``SSW`` when
  the job title says student, ``SW`` when qualified, else ``FSW`` (unqualified practitioner) -- the
  SSD has no role code; the pages use the role only to spot students and unqualified workers.
  ``team_id``: the team (``invo_professional_team``) of the professional's latest involvement
  (latest start, then highest id), else the ``ssd_department`` team whose name is
  ``prof_professional_department`` -- the SSD holds the department as a name, not a key, and a
  worker's team is where their cases are. ``start_date`` = their first involvement's start;
  ``end_date`` = their last involvement's end when none is open, else NULL (in post) -- the SSD
  has no dates in post, and holding cases is the evidence of being in post. So a worker is
  counted from their first case to the end of their last: a worker with no involvement is never
  in post, and one between cases (none open) is treated as having left.
* **children** from ``ssd_person``: ``child_id`` = ``pers_person_id``, ``birth_date`` =
  ``pers_dob``, ``sex`` = ``pers_sex``, ``ethnicity`` = ``pers_ethnicity``; ``disability`` when
  ``ssd_disability`` holds a code other than ``NONE`` for the person; ``uasc`` not read (NULL).
* **referrals** from ``ssd_cin_episodes`` (one row per referral): ``referral_id`` =
  ``cine_referral_id``, ``referral_date``, ``source`` = ``cine_referral_source_code``,
  ``outcome`` = ``nfa`` when ``cine_referral_nfa`` = 'Y', ``assessment`` when 'N';
  ``closure_date`` = ``cine_close_date`` -- an SSD CIN episode runs from referral to closure, so the
  child is open to the service until the episode closes.
* **assessments** from ``ssd_cin_assessments``: ``team_id`` = ``cina_assessment_team``,
  ``start_date`` = ``cina_assessment_start_date``, ``completed_date`` = ``authorised_date`` =
  ``cina_assessment_auth_date`` (the CIN census times an assessment to its authorisation);
  ``outcome`` = ``nfa`` when ``cina_assessment_outcome_nfa`` = 'Y', else NULL (the other outcomes
  are in a JSON field the dashboard does not parse).
* **allocations** from ``ssd_involvements``: ``allocation_id`` = ``invo_involvements_id``,
  ``child_id`` = ``invo_person_id``, ``worker_id`` = ``invo_professional_id`` (NULL: no professional,
  read as awaiting allocation and counted by check-db), ``team_id`` = ``invo_professional_team``,
  ``role`` = ``key_worker`` when ``invo_professional_role_id`` is one of ``[ssd] key_worker_roles``,
  else ``involved`` -- the code for "allocated key worker" differs by case system. With no roles
  configured every involvement is ``involved`` and the caseload sections report missing.
* **cin_plans** from ``ssd_cin_plans``: ``team_id`` = ``cinp_cin_plan_team``. ``origin``: ``cp_step_down``
  when the plan starts 0-14 days after one of the child's CP plans ended, else ``lac_step_down``
  when 0-14 days after a CLA episode ceased, else ``assessment`` -- the SSD records no origin;
  a CIN plan straight after protection or care is a step-down, anything else followed an
  assessment (supervision orders and court reports cannot be told apart: never produced).
  ``end_reason``: from the CIN episode (``cinp_referral_id``) when it closes on the plan's end
  date: RC7 (services ceased, no longer in need) -> ``plan_achieved``, RC9 (referred to early help)
  -> ``step_down_eh``, RC5 (moved to another authority) -> ``moved_away``, RC1-RC4, RC6, RC8 ->
  ``other``; an unknown code or an episode that goes on after the plan -> NULL (unknown).
* **cp_plans** from ``ssd_cp_plans``: ``category`` = ``cppl_cp_plan_latest_category`` (NEG
  neglect, EMO emotional, PHY physical, SAB sexual, MUL multiple; unknown codes NULL and counted);
  ``team_id``: the team of the child's latest key-worker involvement overlapping the plan, else
  the CIN episode's ``cine_referral_team`` -- the SSD's CP plan has no team, and CP plans often move
  team after the ICPC, so the latest holder is the team that owns the plan. ``end_reason`` NULL.
* **cla_episodes** from ``ssd_cla_episodes``: ``start_date`` = ``clae_cla_episode_start_date``,
  ``end_date`` = ``clae_cla_episode_ceased_date``; ``legal_status`` from ``ssd_legal_status``: the
  child's status open on the episode's start (latest start first), SSDA903 codes C1 ``ico``,
  C2 ``co``, E1 ``po``, L1 ``pp``, L2 ``epo``, V2/V3/V4 ``s20``, J1-J3 ``remand``, D1/L3 ``other``;
  ``end_reason`` from ``clae_cla_episode_ceased_reason`` (E11/E12 adoption, E4A/E4B returned home,
  E41-E48 SGO/orders, E5/E6 independent living, E3/E16 moved away, E17/E15 age 18, others other).
* **plan_reviews** from ``ssd_cp_reviews`` (``plan_type`` 'cp', ``review_date`` =
  ``cppr_cp_review_date``). The SSD has **no CIN plan reviews**: CIN review drift and the pilot's
  "reviews on time" are reported missing, never shown as overdue.
* **visits**: ``ssd_cin_visits`` (``plan_type`` 'cin') and ``ssd_cp_visits`` ('cp'), ids prefixed
  ``cin-``/``cp-`` (the two tables number independently); every recorded visit counts whether or not
  the child was seen (the contract counts visits); ``worker_id`` NULL (the SSD visit has no worker).
* **transfers**: a change of ``invo_professional_team`` between a child's consecutive key-worker
  involvements (by start date) is a completed transfer on the later involvement's start date,
  ``transfer_id`` = that involvement's id. Request, notice and joint-visit dates and the transfer
  point are not in the SSD (NULL), so transfer timeliness is reported missing; key-worker changes
  come from the involvements themselves and are served.
* **jarp_referrals**, **jarp_referral_criteria**: JARP is a local panel, in no SSD: empty.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    MetaData,
    String,
    Table,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)

from .. import schema as contract
from ..dialect import as_date, days_between
from ..errors import ReadOnlyViolation
from . import CIN_REVIEWS, Tables
from .probe import columns_of

#: Days after a CP plan ends / CLA episode ceases within which a CIN plan is a step-down.
STEP_DOWN_DAYS = 14

_ID = String(48)

#: The ssd_* tables and fields the mapping reads (never the child's name or UPN).
SSD_FIELDS: dict[str, tuple[tuple[str, Any], ...]] = {
    "ssd_person": (
        ("pers_person_id", _ID),
        ("pers_sex", String(48)),
        ("pers_ethnicity", String(48)),
        ("pers_dob", DateTime),
        ("pers_death_date", DateTime),
    ),
    "ssd_disability": (("disa_person_id", _ID), ("disa_disability_code", String(48))),
    "ssd_department": (
        ("dept_team_id", _ID),
        ("dept_team_name", String(255)),
        ("dept_team_parent_id", _ID),
        ("dept_team_parent_name", String(255)),
    ),
    "ssd_professionals": (
        ("prof_professional_id", _ID),
        ("prof_professional_name", String(300)),
        ("prof_professional_job_title", String(500)),
        ("prof_professional_department", String(100)),
        ("prof_full_time_equivalency", Float),
        ("prof_agency_worker_flag", String(1)),
        ("prof_social_worker_registration_no", String(48)),
    ),
    "ssd_involvements": (
        ("invo_involvements_id", _ID),
        ("invo_professional_id", _ID),
        ("invo_professional_role_id", String(200)),
        ("invo_professional_team", _ID),
        ("invo_person_id", _ID),
        ("invo_referral_id", _ID),
        ("invo_involvement_start_date", DateTime),
        ("invo_involvement_end_date", DateTime),
        ("invo_worker_change_reason", String(200)),
    ),
    "ssd_cin_episodes": (
        ("cine_referral_id", _ID),
        ("cine_person_id", _ID),
        ("cine_referral_date", DateTime),
        ("cine_referral_source_code", String(48)),
        ("cine_cin_primary_need_code", String(3)),
        ("cine_referral_nfa", String(1)),
        ("cine_close_reason", String(3)),
        ("cine_close_date", DateTime),
        ("cine_referral_team", _ID),
        ("cine_referral_worker_id", _ID),
    ),
    "ssd_cin_assessments": (
        ("cina_assessment_id", _ID),
        ("cina_person_id", _ID),
        ("cina_referral_id", _ID),
        ("cina_assessment_start_date", DateTime),
        ("cina_assessment_auth_date", DateTime),
        ("cina_assessment_outcome_nfa", String(1)),
        ("cina_assessment_team", _ID),
        ("cina_assessment_worker_id", _ID),
    ),
    "ssd_cin_plans": (
        ("cinp_cin_plan_id", _ID),
        ("cinp_referral_id", _ID),
        ("cinp_person_id", _ID),
        ("cinp_cin_plan_start_date", DateTime),
        ("cinp_cin_plan_end_date", DateTime),
        ("cinp_cin_plan_team", _ID),
        ("cinp_cin_plan_worker_id", _ID),
    ),
    "ssd_cp_plans": (
        ("cppl_cp_plan_id", _ID),
        ("cppl_referral_id", _ID),
        ("cppl_icpc_id", _ID),
        ("cppl_person_id", _ID),
        ("cppl_cp_plan_start_date", DateTime),
        ("cppl_cp_plan_end_date", DateTime),
        ("cppl_cp_plan_initial_category", String(100)),
        ("cppl_cp_plan_latest_category", String(100)),
    ),
    "ssd_cp_reviews": (
        ("cppr_cp_review_id", _ID),
        ("cppr_cp_plan_id", _ID),
        ("cppr_cp_review_due", DateTime),
        ("cppr_cp_review_date", DateTime),
    ),
    "ssd_cin_visits": (
        ("cinv_cin_visit_id", _ID),
        ("cinv_person_id", _ID),
        ("cinv_cin_visit_date", DateTime),
        ("cinv_cin_visit_seen", String(1)),
    ),
    "ssd_cp_visits": (
        ("cppv_cp_visit_id", _ID),
        ("cppv_person_id", _ID),
        ("cppv_cp_plan_id", _ID),
        ("cppv_cp_visit_date", DateTime),
        ("cppv_cp_visit_seen", String(1)),
    ),
    "ssd_cla_episodes": (
        ("clae_cla_episode_id", _ID),
        ("clae_person_id", _ID),
        ("clae_cla_episode_start_date", DateTime),
        ("clae_cla_episode_start_reason", String(100)),
        ("clae_cla_episode_ceased_date", DateTime),
        ("clae_cla_episode_ceased_reason", String(255)),
        ("clae_cla_id", _ID),
        ("clae_entered_care_date", DateTime),
    ),
    "ssd_legal_status": (
        ("lega_legal_status_id", _ID),
        ("lega_person_id", _ID),
        ("lega_legal_status", String(100)),
        ("lega_legal_status_start_date", DateTime),
        ("lega_legal_status_end_date", DateTime),
    ),
}
#: Fields never declared, so never selected (a test asserts none appears in any compiled query).
NEVER_SELECTED = ("pers_forename", "pers_surname", "pers_upn")
#: Tables without which the SSD cannot serve the dashboard at all (check-db refuses it).
CORE_SSD_TABLES = ("ssd_person", "ssd_involvements")

#: CIN census closure reasons (RC1-RC9) -> contract end_reason of a CIN plan.
RC_END_REASONS = {
    "RC1": "other",
    "RC2": "other",
    "RC3": "other",
    "RC4": "other",
    "RC5": "moved_away",
    "RC6": "other",
    "RC7": "plan_achieved",
    "RC8": "other",
    "RC9": "step_down_eh",
}
#: CIN census category of abuse -> contract CP category.
CATEGORIES = {"NEG": "neglect", "EMO": "emotional", "PHY": "physical", "SAB": "sexual", "MUL": "multiple"}
#: SSDA903 legal status -> contract legal_status.
LEGAL_STATUSES = {
    "C1": "ico",
    "C2": "co",
    "E1": "po",
    "L1": "pp",
    "L2": "epo",
    "V2": "s20",
    "V3": "s20",
    "V4": "s20",
    "J1": "remand",
    "J2": "remand",
    "J3": "remand",
    "D1": "other",
    "L3": "other",
}
#: SSDA903 reason ceased (REC) -> contract CLA end_reason.
CEASED_REASONS = {
    "E11": "adoption",
    "E12": "adoption",
    "E4A": "returned_home",
    "E4B": "returned_home",
    "E41": "other",
    "E43": "sgo",
    "E44": "sgo",
    "E45": "sgo",
    "E46": "sgo",
    "E47": "other",
    "E48": "other",
    "E5": "independent_living",
    "E6": "independent_living",
    "E3": "moved_away",
    "E16": "moved_away",
    "E17": "age_18",
    "E15": "age_18",
    "E13": "other",
    "E14": "other",
    "E2": "other",
    "E7": "other",
    "E8": "other",
    "E9": "other",
}
#: Coded ssd_* fields check-db checks (table, field) -> allowed codes.
SSD_CODES = {
    ("ssd_cin_episodes", "cine_close_reason"): frozenset(RC_END_REASONS),
    ("ssd_cp_plans", "cppl_cp_plan_latest_category"): frozenset(CATEGORIES),
    ("ssd_cp_plans", "cppl_cp_plan_initial_category"): frozenset(CATEGORIES),
    ("ssd_legal_status", "lega_legal_status"): frozenset(LEGAL_STATUSES),
}

_TRANSFERS_NOT_IN_SSD = (
    "Transfer requests, notice, joint visits and transfer points are not in the SSD (only the change of team is)"
)
#: What the SSD does not hold, whatever the authority: (contract table, column) -> reason.
_NOT_IN_SSD_LISTED: dict[tuple[str, str], str | None] = {
    CIN_REVIEWS: "CIN plan reviews are not in the SSD",
    ("plan_reviews", "chair_role"): "Review chairs are not in the SSD",
    ("transfers", "requested_date"): _TRANSFERS_NOT_IN_SSD,
    ("transfers", "notified_date"): _TRANSFERS_NOT_IN_SSD,
    ("transfers", "joint_visit_date"): _TRANSFERS_NOT_IN_SSD,
    ("transfers", "transfer_point"): _TRANSFERS_NOT_IN_SSD,
    ("jarp_referrals", "*"): "JARP referrals are a local panel's records, not in the SSD",
    ("jarp_referral_criteria", "*"): "JARP referrals are a local panel's records, not in the SSD",
    ("cp_plans", "end_reason"): "Why a CP plan ended is not in the SSD",
    ("children", "uasc"): "UASC status is not read from the SSD",
    ("visits", "worker_id"): "The SSD does not record who made a visit",
    ("workers", "role"): None,  # derived (see the module docstring); listed so the README can say so
}
NOT_IN_SSD: dict[tuple[str, str], str] = {k: v for k, v in _NOT_IN_SSD_LISTED.items() if v}


def _ssd_metadata(schema: str | None) -> MetaData:
    md = MetaData(schema=schema)
    for name, fields in SSD_FIELDS.items():
        Table(name, md, *[Column(f, typ) for f, typ in fields])
    return md


def probe(db, schema: str | None) -> tuple[dict[str, set[str]], list[str]]:
    """The ssd_* fields present per table (zero-row SELECT *), and the missing tables/fields."""
    present: dict[str, set[str]] = {}
    missing: list[str] = []
    with db.engine.connect() as conn:
        for name, fields in SSD_FIELDS.items():
            try:
                found = {c.lower() for c in columns_of(conn, name, schema)}
            except ReadOnlyViolation:
                raise
            except Exception:  # noqa: BLE001 - a missing table is reported, not raised
                conn.rollback()
                missing.append(name)
                continue
            present[name] = {f for f, _ in fields if f in found}
            missing += [f"{name}.{f}" for f, _ in fields if f not in found]
    return present, missing


class _Builder:
    """Builds the contract selectables from the ssd_* tables present (fields missing -> NULL)."""

    def __init__(self, db, present: dict[str, set[str]]):
        self.db = db
        self.settings = db.standards.ssd
        self.md = _ssd_metadata(self.settings.schema)
        self.present = present
        self.unavailable: dict[tuple[str, str], str] = dict(NOT_IN_SSD)

    # -- helpers ---------------------------------------------------------------------------
    def has(self, table: str, *fields: str) -> bool:
        return table in self.present and all(f in self.present[table] for f in fields)

    def raw(self, name: str, alias: str | None = None):
        t = self.md.tables[f"{self.settings.schema}.{name}" if self.settings.schema else name]
        return t.alias(alias) if alias else t

    def col(self, t, field: str, typ=None, contract_col: tuple[str, str] | None = None):
        """``t.field``, or a typed NULL (and the contract column marked missing) when absent."""
        base = t.element.name if hasattr(t, "element") else t.name
        if field in self.present.get(base, ()):
            return t.c[field]
        if contract_col is not None:
            self.unavailable.setdefault(contract_col, f"{base}.{field} is not in this SSD")
        return cast(null(), typ or String)

    def date(self, t, field: str, contract_col=None):
        c = self.col(t, field, DateTime, contract_col)
        return as_date(c)

    def missing_table(self, contract_table: str, ssd_table: str):
        self.unavailable.setdefault((contract_table, "*"), f"{ssd_table} is not in this SSD")
        return _empty(contract_table)

    @staticmethod
    def code_map(col, mapping: dict[str, str]):
        """CASE col WHEN code THEN contract code ... ELSE NULL (unknown codes: NULL, counted by check-db)."""
        return case(*[(col == k, literal(v)) for k, v in mapping.items()], else_=null())

    # -- contract tables -------------------------------------------------------------------
    def teams(self):
        if "ssd_department" not in self.present:
            return self.missing_table("teams", "ssd_department")
        d = self.raw("ssd_department")
        parent = self.col(d, "dept_team_parent_name", contract_col=("teams", "area"))
        services = self.settings.team_services
        service = (
            case(*[(d.c.dept_team_id == k, literal(v)) for k, v in services.items()], else_=parent)
            if services
            else parent
        )
        return select(
            d.c.dept_team_id.label("team_id"),
            self.col(d, "dept_team_name", contract_col=("teams", "team_name")).label("team_name"),
            type_coerce(service, String).label("service"),
            type_coerce(parent, String).label("area"),
        ).subquery("teams")

    def _student(self, p):
        title = self.col(p, "prof_professional_job_title")
        return func.lower(func.coalesce(title, "")).like("%student%")

    def _registered(self, p):
        reg = self.col(p, "prof_social_worker_registration_no", contract_col=("workers", "qualified"))
        return and_(reg.is_not(None), func.trim(reg) != "")

    def workers(self):
        if "ssd_professionals" not in self.present:
            return self.missing_table("workers", "ssd_professionals")
        p = self.raw("ssd_professionals", "prof")
        student, registered = self._student(p), self._registered(p)
        qualified = case((and_(registered, ~student), literal(True, Boolean)), else_=literal(False, Boolean))
        role = case((student, literal("SSW")), (registered, literal("SW")), else_=literal("FSW"))
        if self.has("ssd_involvements", "invo_professional_id", "invo_involvement_start_date"):
            i = self.raw("ssd_involvements", "inv_w")
            start = as_date(i.c.invo_involvement_start_date)
            end = as_date(self.col(i, "invo_involvement_end_date"))
            spans = (
                select(
                    i.c.invo_professional_id.label("pid"),
                    func.min(start).label("first_start"),
                    func.max(end).label("last_end"),
                    func.sum(case((end.is_(None), 1), else_=0)).label("open_n"),
                )
                .where(i.c.invo_professional_id.is_not(None))
                .group_by(i.c.invo_professional_id)
                .subquery("prof_spans")
            )
            i2 = self.raw("ssd_involvements", "inv_t")
            team_col = self.col(i2, "invo_professional_team", contract_col=("workers", "team_id"))
            ranked = (
                select(
                    i2.c.invo_professional_id.label("pid"),
                    team_col.label("team_id"),
                    func.row_number()
                    .over(
                        partition_by=i2.c.invo_professional_id,
                        order_by=[i2.c.invo_involvement_start_date.desc(), i2.c.invo_involvements_id.desc()],
                    )
                    .label("rk"),
                )
                .where(i2.c.invo_professional_id.is_not(None), team_col.is_not(None))
                .subquery("prof_team_rank")
            )
            latest = select(ranked.c.pid, ranked.c.team_id).where(ranked.c.rk == 1).subquery("prof_team")
            start_date: Any = spans.c.first_start
            end_date: Any = case((spans.c.open_n > 0, null()), else_=spans.c.last_end)
            team: Any = latest.c.team_id
            frm = p.outerjoin(spans, spans.c.pid == p.c.prof_professional_id).outerjoin(
                latest, latest.c.pid == p.c.prof_professional_id
            )
        else:
            self.unavailable[("workers", "start_date")] = "ssd_involvements is not in this SSD (dates in post)"
            start_date, end_date, team, frm = cast(null(), Date), cast(null(), Date), cast(null(), String), p
        if self.has("ssd_department", "dept_team_name") and self.has(
            "ssd_professionals", "prof_professional_department"
        ):
            dept = self.raw("ssd_department", "dept_w")
            by_name = (
                select(dept.c.dept_team_id)
                .where(dept.c.dept_team_name == p.c.prof_professional_department)
                .order_by(dept.c.dept_team_id)
                .limit(1)
                .scalar_subquery()
            )
            team = func.coalesce(team, by_name)
        return (
            select(
                p.c.prof_professional_id.label("worker_id"),
                self.col(p, "prof_professional_name", contract_col=("workers", "worker_name")).label("worker_name"),
                type_coerce(team, String).label("team_id"),
                role.label("role"),
                self.col(p, "prof_full_time_equivalency", Float, ("workers", "fte")).label("fte"),
                qualified.label("qualified"),
                type_coerce(start_date, Date).label("start_date"),
                type_coerce(end_date, Date).label("end_date"),
            )
            .select_from(frm)
            .subquery("workers")
        )

    def children(self):
        if "ssd_person" not in self.present:
            return self.missing_table("children", "ssd_person")
        pe = self.raw("ssd_person", "pers")
        if self.has("ssd_disability", "disa_person_id", "disa_disability_code"):
            di = self.raw("ssd_disability", "disa")
            disabled = exists().where(
                di.c.disa_person_id == pe.c.pers_person_id,
                di.c.disa_disability_code.is_not(None),
                func.upper(di.c.disa_disability_code) != "NONE",
            )
            disability: Any = case((disabled, literal(True, Boolean)), else_=literal(False, Boolean))
        else:
            self.unavailable[("children", "disability")] = "ssd_disability is not in this SSD"
            disability = cast(null(), Boolean)
        return select(
            pe.c.pers_person_id.label("child_id"),
            as_date(self.col(pe, "pers_dob", DateTime, ("children", "birth_date"))).label("birth_date"),
            self.col(pe, "pers_sex", contract_col=("children", "sex")).label("sex"),
            self.col(pe, "pers_ethnicity", contract_col=("children", "ethnicity")).label("ethnicity"),
            disability.label("disability"),
            cast(null(), Boolean).label("uasc"),
        ).subquery("children")

    def referrals(self):
        if "ssd_cin_episodes" not in self.present:
            return self.missing_table("referrals", "ssd_cin_episodes")
        e = self.raw("ssd_cin_episodes", "cine")
        nfa = self.col(e, "cine_referral_nfa", contract_col=("referrals", "outcome"))
        return select(
            e.c.cine_referral_id.label("referral_id"),
            self.col(e, "cine_person_id", contract_col=("referrals", "child_id")).label("child_id"),
            self.date(e, "cine_referral_date", ("referrals", "referral_date")).label("referral_date"),
            self.col(e, "cine_referral_source_code", contract_col=("referrals", "source")).label("source"),
            case((nfa == "Y", literal("nfa")), (nfa == "N", literal("assessment")), else_=null()).label("outcome"),
            self.date(e, "cine_close_date", ("referrals", "closure_date")).label("closure_date"),
        ).subquery("referrals")

    def assessments(self):
        if "ssd_cin_assessments" not in self.present:
            return self.missing_table("assessments", "ssd_cin_assessments")
        a = self.raw("ssd_cin_assessments", "cina")
        auth = self.date(a, "cina_assessment_auth_date", ("assessments", "completed_date"))
        nfa = self.col(a, "cina_assessment_outcome_nfa")
        return select(
            a.c.cina_assessment_id.label("assessment_id"),
            self.col(a, "cina_person_id", contract_col=("assessments", "child_id")).label("child_id"),
            self.col(a, "cina_assessment_team", contract_col=("assessments", "team_id")).label("team_id"),
            self.date(a, "cina_assessment_start_date", ("assessments", "start_date")).label("start_date"),
            auth.label("completed_date"),
            auth.label("authorised_date"),
            case((nfa == "Y", literal("nfa")), else_=null()).label("outcome"),
        ).subquery("assessments")

    def _key_worker(self, i):
        """``invo_professional_role_id IN key_worker_roles``, or None when no role is configured."""
        roles = self.settings.key_worker_roles
        if not roles:
            self.unavailable[("allocations", "role")] = (
                "No key-worker role is configured for the SSD ([ssd] key_worker_roles)"
            )
            return None
        return cast(i.c.invo_professional_role_id, String(200)).in_(list(roles))

    def allocations(self):
        if "ssd_involvements" not in self.present:
            return self.missing_table("allocations", "ssd_involvements")
        i = self.raw("ssd_involvements", "invo")
        key = self._key_worker(i) if self.has("ssd_involvements", "invo_professional_role_id") else None
        if not self.has("ssd_involvements", "invo_professional_role_id"):
            self.unavailable[("allocations", "role")] = "ssd_involvements.invo_professional_role_id is not in this SSD"
        # A bare boolean constant is not a T-SQL condition (CASE WHEN 0): no roles, no CASE.
        role = case((key, literal("key_worker")), else_=literal("involved")) if key is not None else literal("involved")
        return select(
            i.c.invo_involvements_id.label("allocation_id"),
            self.col(i, "invo_person_id", contract_col=("allocations", "child_id")).label("child_id"),
            self.col(i, "invo_professional_id", contract_col=("allocations", "worker_id")).label("worker_id"),
            self.col(i, "invo_professional_team", contract_col=("allocations", "team_id")).label("team_id"),
            role.label("role"),
            self.date(i, "invo_involvement_start_date", ("allocations", "start_date")).label("start_date"),
            self.date(i, "invo_involvement_end_date", ("allocations", "end_date")).label("end_date"),
        ).subquery("allocations")

    def cin_plans(self):
        if "ssd_cin_plans" not in self.present:
            return self.missing_table("cin_plans", "ssd_cin_plans")
        c = self.raw("ssd_cin_plans", "cinp")
        start = self.date(c, "cinp_cin_plan_start_date", ("cin_plans", "start_date"))
        end = self.date(c, "cinp_cin_plan_end_date", ("cin_plans", "end_date"))
        person = self.col(c, "cinp_person_id", contract_col=("cin_plans", "child_id"))
        whens = []
        if self.has("ssd_cp_plans", "cppl_person_id", "cppl_cp_plan_end_date"):
            cp = self.raw("ssd_cp_plans", "cp_before")
            cp_end = as_date(cp.c.cppl_cp_plan_end_date)
            gap = days_between(start, cp_end)
            whens.append(
                (
                    exists().where(cp.c.cppl_person_id == person, cp_end.is_not(None), gap >= 0, gap <= STEP_DOWN_DAYS),
                    literal("cp_step_down"),
                )
            )
        if self.has("ssd_cla_episodes", "clae_person_id", "clae_cla_episode_ceased_date"):
            cl = self.raw("ssd_cla_episodes", "cla_before")
            cl_end = as_date(cl.c.clae_cla_episode_ceased_date)
            gap = days_between(start, cl_end)
            whens.append(
                (
                    exists().where(cl.c.clae_person_id == person, cl_end.is_not(None), gap >= 0, gap <= STEP_DOWN_DAYS),
                    literal("lac_step_down"),
                )
            )
        origin = case(*whens, else_=literal("assessment")) if whens else literal("assessment")
        if self.has("ssd_cin_episodes", "cine_referral_id", "cine_close_reason", "cine_close_date") and self.has(
            "ssd_cin_plans", "cinp_referral_id"
        ):
            ep = self.raw("ssd_cin_episodes", "cine_close")
            rc = (
                select(ep.c.cine_close_reason)
                .where(ep.c.cine_referral_id == c.c.cinp_referral_id, as_date(ep.c.cine_close_date) == end)
                .limit(1)
                .scalar_subquery()
            )
            end_reason = self.code_map(rc, RC_END_REASONS)
        else:
            self.unavailable[("cin_plans", "end_reason")] = "CIN episode closure reasons are not in this SSD"
            end_reason = cast(null(), String)
        return select(
            c.c.cinp_cin_plan_id.label("plan_id"),
            person.label("child_id"),
            self.col(c, "cinp_cin_plan_team", contract_col=("cin_plans", "team_id")).label("team_id"),
            start.label("start_date"),
            end.label("end_date"),
            origin.label("origin"),
            end_reason.label("end_reason"),
        ).subquery("cin_plans")

    def cp_plans(self):
        if "ssd_cp_plans" not in self.present:
            return self.missing_table("cp_plans", "ssd_cp_plans")
        p = self.raw("ssd_cp_plans", "cppl")
        start = self.date(p, "cppl_cp_plan_start_date", ("cp_plans", "start_date"))
        end = self.date(p, "cppl_cp_plan_end_date", ("cp_plans", "end_date"))
        person = self.col(p, "cppl_person_id", contract_col=("cp_plans", "child_id"))
        team: Any = None
        key_ok = (
            self.has(
                "ssd_involvements",
                "invo_person_id",
                "invo_professional_team",
                "invo_involvement_start_date",
                "invo_professional_role_id",
            )
            and self.settings.key_worker_roles
        )
        if key_ok:
            i = self.raw("ssd_involvements", "invo_cp")
            i_start, i_end = as_date(i.c.invo_involvement_start_date), as_date(self.col(i, "invo_involvement_end_date"))
            team = (
                select(i.c.invo_professional_team)
                .where(
                    i.c.invo_person_id == person,
                    self._key_worker(i),
                    i.c.invo_professional_team.is_not(None),
                    or_(end.is_(None), i_start <= end),
                    or_(i_end.is_(None), i_end > start),
                )
                .order_by(i.c.invo_involvement_start_date.desc(), i.c.invo_involvements_id.desc())
                .limit(1)
                .scalar_subquery()
            )
        if self.has("ssd_cin_episodes", "cine_referral_id", "cine_referral_team") and self.has(
            "ssd_cp_plans", "cppl_referral_id"
        ):
            ep = self.raw("ssd_cin_episodes", "cine_cp")
            ref_team = (
                select(ep.c.cine_referral_team)
                .where(ep.c.cine_referral_id == p.c.cppl_referral_id)
                .limit(1)
                .scalar_subquery()
            )
            team = ref_team if team is None else func.coalesce(team, ref_team)
        if team is None:
            self.unavailable[("cp_plans", "team_id")] = "No key-worker involvements or referral teams in this SSD"
            team = cast(null(), String)
        category = self.code_map(
            self.col(p, "cppl_cp_plan_latest_category", contract_col=("cp_plans", "category")), CATEGORIES
        )
        return select(
            p.c.cppl_cp_plan_id.label("plan_id"),
            person.label("child_id"),
            team.label("team_id"),
            start.label("start_date"),
            end.label("end_date"),
            category.label("category"),
            cast(null(), String).label("end_reason"),
        ).subquery("cp_plans")

    def cla_episodes(self):
        if "ssd_cla_episodes" not in self.present:
            return self.missing_table("cla_episodes", "ssd_cla_episodes")
        e = self.raw("ssd_cla_episodes", "clae")
        start = self.date(e, "clae_cla_episode_start_date", ("cla_episodes", "start_date"))
        person = self.col(e, "clae_person_id", contract_col=("cla_episodes", "child_id"))
        if self.has("ssd_legal_status", "lega_person_id", "lega_legal_status", "lega_legal_status_start_date"):
            lg = self.raw("ssd_legal_status", "lega")
            lg_start = as_date(lg.c.lega_legal_status_start_date)
            status = (
                select(lg.c.lega_legal_status)
                .where(lg.c.lega_person_id == person, lg_start <= start)
                .order_by(lg.c.lega_legal_status_start_date.desc())
                .limit(1)
                .scalar_subquery()
            )
            legal = self.code_map(status, LEGAL_STATUSES)
        else:
            self.unavailable[("cla_episodes", "legal_status")] = "ssd_legal_status is not in this SSD"
            legal = cast(null(), String)
        reason = self.col(e, "clae_cla_episode_ceased_reason", contract_col=("cla_episodes", "end_reason"))
        return select(
            e.c.clae_cla_episode_id.label("episode_id"),
            person.label("child_id"),
            start.label("start_date"),
            self.date(e, "clae_cla_episode_ceased_date", ("cla_episodes", "end_date")).label("end_date"),
            legal.label("legal_status"),
            self.code_map(reason, CEASED_REASONS).label("end_reason"),
        ).subquery("cla_episodes")

    def plan_reviews(self):
        if "ssd_cp_reviews" not in self.present:
            return self.missing_table("plan_reviews", "ssd_cp_reviews")
        r = self.raw("ssd_cp_reviews", "cppr")
        return select(
            r.c.cppr_cp_review_id.label("review_id"),
            literal("cp", String).label("plan_type"),
            self.col(r, "cppr_cp_plan_id", contract_col=("plan_reviews", "plan_id")).label("plan_id"),
            self.date(r, "cppr_cp_review_date", ("plan_reviews", "review_date")).label("review_date"),
            cast(null(), String).label("chair_role"),
        ).subquery("plan_reviews")

    def visits(self):
        parts = []
        if self.has("ssd_cin_visits", "cinv_cin_visit_id", "cinv_person_id", "cinv_cin_visit_date"):
            v = self.raw("ssd_cin_visits", "cinv")
            parts.append(
                select(
                    (literal("cin-") + v.c.cinv_cin_visit_id).label("visit_id"),
                    v.c.cinv_person_id.label("child_id"),
                    cast(null(), String).label("worker_id"),
                    as_date(v.c.cinv_cin_visit_date).label("visit_date"),
                    literal("cin", String).label("plan_type"),
                )
            )
        else:
            self.unavailable[("visits", "plan_type='cin'")] = "ssd_cin_visits is not in this SSD"
        if self.has("ssd_cp_visits", "cppv_cp_visit_id", "cppv_person_id", "cppv_cp_visit_date"):
            v = self.raw("ssd_cp_visits", "cppv")
            parts.append(
                select(
                    (literal("cp-") + v.c.cppv_cp_visit_id).label("visit_id"),
                    v.c.cppv_person_id.label("child_id"),
                    cast(null(), String).label("worker_id"),
                    as_date(v.c.cppv_cp_visit_date).label("visit_date"),
                    literal("cp", String).label("plan_type"),
                )
            )
        else:
            self.unavailable[("visits", "plan_type='cp'")] = "ssd_cp_visits is not in this SSD"
        if not parts:
            return self.missing_table("visits", "ssd_cin_visits or ssd_cp_visits")
        return (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("visits")

    def transfers(self):
        if not (
            self.has(
                "ssd_involvements",
                "invo_person_id",
                "invo_professional_team",
                "invo_involvement_start_date",
                "invo_professional_role_id",
            )
            and self.settings.key_worker_roles
        ):
            self.unavailable[("transfers", "*")] = (
                "Transfers are derived from key-worker involvements, which "
                "this SSD does not identify ([ssd] key_worker_roles)"
            )
            return _empty("transfers")
        i = self.raw("ssd_involvements", "invo_tr")
        prev = func.lag(i.c.invo_professional_team).over(
            partition_by=i.c.invo_person_id, order_by=[i.c.invo_involvement_start_date, i.c.invo_involvements_id]
        )
        seq = (
            select(
                i.c.invo_involvements_id.label("iid"),
                i.c.invo_person_id.label("pid"),
                i.c.invo_professional_team.label("team"),
                prev.label("prev_team"),
                as_date(i.c.invo_involvement_start_date).label("started"),
            )
            .where(self._key_worker(i), i.c.invo_involvement_start_date.is_not(None))
            .subquery("key_seq")
        )
        return (
            select(
                seq.c.iid.label("transfer_id"),
                seq.c.pid.label("child_id"),
                seq.c.prev_team.label("from_team_id"),
                seq.c.team.label("to_team_id"),
                cast(null(), String).label("transfer_point"),
                cast(null(), Date).label("notified_date"),
                cast(null(), Date).label("requested_date"),
                seq.c.started.label("completed_date"),
                cast(null(), Date).label("joint_visit_date"),
                literal("completed", String).label("status"),
            )
            .where(seq.c.prev_team.is_not(None), seq.c.team.is_not(None), seq.c.prev_team != seq.c.team)
            .subquery("transfers")
        )

    def build(self) -> dict:
        out = {}
        for name in contract.metadata.tables:
            maker = getattr(self, name, None)
            out[name] = maker() if maker else self.missing_table(name, "the SSD")
        return out


def _empty(name: str):
    """A zero-row selectable with the contract table's columns (so a query still compiles)."""
    t = contract.metadata.tables[name]
    return select(*[cast(null(), c.type).label(c.name) for c in t.columns]).where(false()).subquery(name)


def build(db) -> Tables:
    """The SSD's contract selectables for ``db`` (probes which ssd_* tables and fields exist)."""
    schema = db.standards.ssd.schema
    present, missing = probe(db, schema)
    b = _Builder(db, present)
    selectables = b.build()
    md = b.md
    return Tables(
        source="ssd",
        selectables=selectables,
        unavailable=b.unavailable,
        raw_missing=missing,
        raw_tables={t.name: t for t in md.tables.values()},
    )


__all__ = [
    "build",
    "SSD_FIELDS",
    "NOT_IN_SSD",
    "NEVER_SELECTED",
    "SSD_CODES",
    "CORE_SSD_TABLES",
    "RC_END_REASONS",
    "CATEGORIES",
    "LEGAL_STATUSES",
    "STEP_DOWN_DAYS",
]
