"""The demo authority as a Standard Safeguarding Dataset (``csc-dashboard demo-data --format ssd``).

Derived from the native demo generator's output, so the two shapes hold the same authority: the
native file is generated into a temporary file, ATTACHed, and each ``ssd_*`` table filled by one
``INSERT ... SELECT`` inside SQLite (no rows pass through Python, so any size streams). The
transform is the inverse of :mod:`data_layer.sources.ssd` wherever the SSD holds the data, and
drops what the SSD does not hold (CIN plan reviews, transfer requests, JARP, worker dates in post
and teams, CIN plan origins and end reasons, CP plan teams: the SSD mapping derives those).

Dates are written as SSD ``datetime`` text (``YYYY-MM-DD 00:00:00``). Role codes: ``KW`` (key
worker) and ``IW`` (involved); the file is written with a standards file beside it
(``<out>.standards.toml``) setting ``[ssd] key_worker_roles = ["KW"]``.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
import time
from pathlib import Path

log = logging.getLogger(__name__)

KEY_WORKER_ROLE = "KW"
INVOLVED_ROLE = "IW"

_DDL = {
    "ssd_person": "pers_person_id TEXT, pers_sex TEXT, pers_gender TEXT, pers_ethnicity TEXT, pers_dob TEXT, "
    "pers_death_date TEXT, pers_forename TEXT, pers_surname TEXT, pers_upn TEXT",
    "ssd_disability": "disa_table_id TEXT, disa_person_id TEXT, disa_disability_code TEXT",
    "ssd_department": "dept_team_id TEXT, dept_team_name TEXT, dept_team_parent_id TEXT, dept_team_parent_name TEXT",
    "ssd_professionals": "prof_professional_id TEXT, prof_staff_id TEXT, prof_professional_name TEXT, "
    "prof_social_worker_registration_no TEXT, prof_agency_worker_flag TEXT, "
    "prof_professional_job_title TEXT, prof_professional_caseload INTEGER, "
    "prof_professional_department TEXT, prof_full_time_equivalency REAL",
    "ssd_involvements": "invo_involvements_id TEXT, invo_professional_id TEXT, invo_professional_role_id TEXT, "
    "invo_professional_team TEXT, invo_person_id TEXT, invo_involvement_start_date TEXT, "
    "invo_involvement_end_date TEXT, invo_worker_change_reason TEXT, invo_referral_id TEXT",
    "ssd_cin_episodes": "cine_referral_id TEXT, cine_person_id TEXT, cine_referral_date TEXT, "
    "cine_cin_primary_need_code TEXT, cine_referral_source_code TEXT, cine_referral_nfa TEXT, "
    "cine_close_reason TEXT, cine_close_date TEXT, cine_referral_team TEXT, "
    "cine_referral_worker_id TEXT",
    "ssd_cin_assessments": "cina_assessment_id TEXT, cina_person_id TEXT, cina_referral_id TEXT, "
    "cina_assessment_start_date TEXT, cina_assessment_child_seen TEXT, "
    "cina_assessment_auth_date TEXT, cina_assessment_outcome_json TEXT, "
    "cina_assessment_outcome_nfa TEXT, cina_assessment_team TEXT, cina_assessment_worker_id TEXT",
    "ssd_cin_plans": "cinp_cin_plan_id TEXT, cinp_referral_id TEXT, cinp_person_id TEXT, "
    "cinp_cin_plan_start_date TEXT, "
    "cinp_cin_plan_end_date TEXT, cinp_cin_plan_team TEXT, cinp_cin_plan_worker_id TEXT",
    "ssd_cp_plans": "cppl_cp_plan_id TEXT, cppl_referral_id TEXT, cppl_icpc_id TEXT, cppl_person_id TEXT, "
    "cppl_cp_plan_start_date TEXT, cppl_cp_plan_end_date TEXT, cppl_cp_plan_ola TEXT, "
    "cppl_cp_plan_initial_category TEXT, cppl_cp_plan_latest_category TEXT",
    "ssd_cp_reviews": "cppr_cp_review_id TEXT, cppr_cp_plan_id TEXT, cppr_cp_review_due TEXT, cppr_cp_review_date TEXT",
    "ssd_cin_visits": "cinv_cin_visit_id TEXT, cinv_person_id TEXT, cinv_cin_visit_date TEXT, cinv_cin_visit_seen TEXT",
    "ssd_cp_visits": "cppv_cp_visit_id TEXT, cppv_person_id TEXT, cppv_cp_plan_id TEXT, cppv_cp_visit_date TEXT, "
    "cppv_cp_visit_seen TEXT",
    "ssd_cla_episodes": "clae_cla_episode_id TEXT, clae_person_id TEXT, clae_cla_episode_start_date TEXT, "
    "clae_cla_episode_start_reason TEXT, clae_cla_primary_need_code TEXT, "
    "clae_cla_episode_ceased_date TEXT, clae_cla_episode_ceased_reason TEXT, clae_cla_id TEXT, "
    "clae_entered_care_date TEXT",
    "ssd_legal_status": "lega_legal_status_id TEXT, lega_person_id TEXT, lega_legal_status TEXT, "
    "lega_legal_status_start_date TEXT, lega_legal_status_end_date TEXT",
}


def _dt(col: str) -> str:
    """A native ISO date as SSD datetime text (NULL stays NULL)."""
    return f"CASE WHEN {col} IS NULL THEN NULL ELSE substr({col}, 1, 10) || ' 00:00:00' END"


def _case(col: str, mapping: dict[str, str], other: str = "NULL") -> str:
    whens = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in mapping.items())
    return f"CASE {col} {whens} ELSE {other} END"


_JOB_TITLES = {
    "SW": "Social Worker",
    "AP": "Advanced Practitioner",
    "TM": "Team Manager",
    "NQSW": "Newly Qualified Social Worker",
    "SSW": "Student Social Worker",
    "FSW": "Family Support Worker",
}
_CATEGORIES = {"neglect": "NEG", "emotional": "EMO", "physical": "PHY", "sexual": "SAB", "multiple": "MUL"}
_LEGAL = {"s20": "V2", "ico": "C1", "co": "C2", "epo": "L2", "pp": "L1", "po": "E1", "remand": "J1", "other": "D1"}
_CEASED = {
    "returned_home": "E4A",
    "sgo": "E45",
    "adoption": "E11",
    "age_18": "E17",
    "independent_living": "E5",
    "moved_away": "E3",
    "other": "E8",
}

_INSERTS = {
    "ssd_person": f"SELECT child_id, sex, NULL, ethnicity, {_dt('birth_date')}, NULL, NULL, NULL, NULL FROM n.children",
    "ssd_disability": "SELECT 'D' || child_id, child_id, CASE WHEN disability THEN 'LD' ELSE 'NONE' END "
    "FROM n.children WHERE disability IS NOT NULL",
    # The SSD has no service: the native service is written as the parent team (the mapping's fallback).
    "ssd_department": "SELECT team_id, team_name, 'S-' || COALESCE(service, ''), service FROM n.teams",
    "ssd_professionals": (
        "SELECT worker_id, worker_id, worker_name, CASE WHEN qualified AND role <> 'SSW' THEN 'SWE' || "
        "worker_id ELSE NULL END, 'N', "
        + _case("role", _JOB_TITLES, "role")
        + ", NULL, (SELECT team_name FROM n.teams t WHERE t.team_id = w.team_id LIMIT 1), fte "
        "FROM n.workers w"
    ),
    "ssd_involvements": (
        f"SELECT allocation_id, worker_id, CASE role WHEN 'key_worker' THEN '{KEY_WORKER_ROLE}' "
        f"ELSE '{INVOLVED_ROLE}' END, team_id, child_id, {_dt('start_date')}, {_dt('end_date')}, "
        "NULL, NULL FROM n.allocations"
    ),
    "ssd_cin_episodes": (
        f"SELECT referral_id, child_id, {_dt('referral_date')}, NULL, source, "
        "CASE outcome WHEN 'nfa' THEN 'Y' ELSE 'N' END, NULL, " + _dt("closure_date") + ", NULL, NULL FROM n.referrals"
    ),
    "ssd_cin_assessments": (
        f"SELECT assessment_id, child_id, NULL, {_dt('start_date')}, NULL, {_dt('completed_date')}, "
        "NULL, CASE outcome WHEN 'nfa' THEN 'Y' ELSE 'N' END, team_id, NULL FROM n.assessments"
    ),
    "ssd_cin_plans": (
        f"SELECT plan_id, NULL, child_id, {_dt('start_date')}, {_dt('end_date')}, team_id, NULL FROM n.cin_plans"
    ),
    "ssd_cp_plans": (
        f"SELECT plan_id, NULL, NULL, child_id, {_dt('start_date')}, {_dt('end_date')}, NULL, "
        + _case("category", _CATEGORIES, "category")
        + ", "
        + _case("category", _CATEGORIES, "category")
        + " FROM n.cp_plans"
    ),
    "ssd_cp_reviews": (
        f"SELECT review_id, plan_id, NULL, {_dt('review_date')} FROM n.plan_reviews WHERE plan_type = 'cp'"
    ),
    "ssd_cin_visits": f"SELECT visit_id, child_id, {_dt('visit_date')}, 'Y' FROM n.visits WHERE plan_type = 'cin'",
    "ssd_cp_visits": f"SELECT visit_id, child_id, NULL, {_dt('visit_date')}, 'Y' FROM n.visits WHERE plan_type = 'cp'",
    "ssd_cla_episodes": (
        f"SELECT episode_id, child_id, {_dt('start_date')}, NULL, NULL, {_dt('end_date')}, "
        + _case("end_reason", _CEASED, "end_reason")
        + ", episode_id, NULL FROM n.cla_episodes"
    ),
    "ssd_legal_status": (
        "SELECT episode_id, child_id, "
        + _case("legal_status", _LEGAL, "legal_status")
        + f", {_dt('start_date')}, {_dt('end_date')} FROM n.cla_episodes WHERE legal_status IS NOT NULL"
    ),
}

#: Indexes a real SSD carries on its keys (the SSD scripts create them), plus the dates queried.
_INDEXES = {
    "ssd_person": ("pers_person_id",),
    "ssd_disability": ("disa_person_id",),
    "ssd_department": ("dept_team_id",),
    "ssd_professionals": ("prof_professional_id",),
    # Covering indexes (the SSD's dates are cut with date() per row, so no date index is used):
    # caseloads and the caseload trend read involvements by professional without a table lookup.
    "ssd_involvements": (
        "invo_person_id, invo_professional_role_id, invo_involvement_start_date, "
        "invo_involvement_end_date, invo_professional_id, invo_professional_team",
        "invo_professional_id, invo_professional_role_id, invo_involvement_start_date, "
        "invo_involvement_end_date, invo_person_id, invo_professional_team",
        "invo_involvement_start_date",
    ),
    "ssd_cin_episodes": ("cine_person_id", "cine_referral_id"),
    "ssd_cin_assessments": ("cina_person_id",),
    "ssd_cin_plans": ("cinp_person_id", "cinp_cin_plan_start_date"),
    "ssd_cp_plans": ("cppl_person_id", "cppl_cp_plan_start_date"),
    "ssd_cp_reviews": ("cppr_cp_plan_id",),
    "ssd_cin_visits": ("cinv_person_id",),
    "ssd_cp_visits": ("cppv_person_id",),
    "ssd_cla_episodes": ("clae_person_id",),
    "ssd_legal_status": ("lega_person_id",),
}

STANDARDS_TEXT = f"""# Standards file for the SSD demo (written by csc-dashboard demo-data --format ssd)
[ssd]
key_worker_roles = ["{KEY_WORKER_ROLE}"]
"""


def native_to_ssd(native: Path, out: Path) -> Path:
    """Write the SSD shape of the native demo file ``native`` to ``out`` (replaced atomically)."""
    out = Path(out)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("ATTACH DATABASE ? AS n", (str(Path(native).resolve()),))
        conn.execute("BEGIN")
        for name, cols in _DDL.items():
            conn.execute(f"CREATE TABLE {name} ({cols})")
            conn.execute(f"INSERT INTO {name} {_INSERTS[name]}")
        conn.execute("COMMIT")
        for name, index_cols in _INDEXES.items():
            for col in index_cols:
                conn.execute(f"CREATE INDEX ix_{name}_{col.split(',')[0]} ON {name} ({col})")
        conn.execute("ANALYZE")
        conn.execute("DETACH DATABASE n")
    finally:
        conn.close()
    os.replace(tmp, out)
    out.with_name(out.name + ".standards.toml").write_text(STANDARDS_TEXT)
    return out


def generate_ssd(out, children: int = 5000, seed: int = 1) -> Path:
    """The demo authority (same as :func:`data_layer.demo.generate` with these arguments) as SSD tables."""
    from . import generate

    t0 = time.perf_counter()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent) as tmpdir:
        native = generate(Path(tmpdir) / "native.sqlite", children=children, seed=seed)
        native_to_ssd(native, out)
    log.info(
        "demo SSD: %d children in %.1fs -> %s (standards: %s.standards.toml)",
        children,
        time.perf_counter() - t0,
        out.name,
        out.name,
    )
    return out


__all__ = ["generate_ssd", "native_to_ssd", "KEY_WORKER_ROLE", "STANDARDS_TEXT"]
