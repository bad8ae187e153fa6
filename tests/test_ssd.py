"""The SSD source on a hand-written Standard Safeguarding Dataset, on SQLite, DuckDB and PostgreSQL.

The authority (as at D = 1 Mar 2023), with every expected figure worked by hand:

* teams T1 "CIN/CP North" (service CIN/CP by setting), T2 "Assessment" (by setting);
* professionals P1 (registered social worker, FTE 1), P2 (registered, FTE 0.5), P3 (student),
  P4 (family support worker, no involvement: never in post);
* key-worker role code "KW" ("IW" = involved). Involvements:
  I1 P1-C1 KW T1 2022-01-01 open; I2 P1-C2 KW T1 2022-06-01 open; I3 P1-C3 IW (not a case);
  I4 P2-C4 KW T2 2022-04-01..2022-10-01 then I5 P1-C4 KW T1 2022-10-01 open (a transfer T2->T1);
  I6 P3-C5 KW T1 2022-09-01 (student); I7 P2-C6 KW T2 2023-02-01; I8 no professional, C7 KW T2.
* caseloads on D: P1 3 (C1, C2, C4), P3 1 (C5), P2 1 (C6); P4 not in post.
* unallocated: C3 (looked after, only an "involved" worker: 410 days since the episode began),
  C5 (student key worker: 285 days since the referral), C7 (involvement with no professional:
  24 days), C9 (CIN plan, no involvement: 120 days).
* CIN plans: N1 C2 2022-06-01 open (273 days); N2 C4 2022-10-05 open, 7 days after C4's CP plan
  ended: cp_step_down (147 days, 63 over 12 weeks); N3 C8 2022-05-01..2022-11-30 (213 days), its
  CIN episode closes that day with RC7: plan_achieved; N4 C5 2023-01-01, 7 days after C5's CLA
  episode ceased: lac_step_down (59 days); N5 C9 2022-12-01 (90 days).
* CP plans: CP1 C1 2021-01-10 open (780 days, 50 days over 2 years); CP2 C4 2022-03-01..2022-09-28
  (211 days, team T2 from I4); CP3 C6 2023-02-15 (14 days, no visit: 4 days over 10).
* CIN visits: C2 2023-02-01 (28 days: 7 over 21), C4 2023-02-20 (on time); C5, C9 none (38, 69 over).
"""

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy.dialects import mssql

import data_layer as dl
from data_layer import Filters, MissingData, connect
from data_layer.sources.ssd import NEVER_SELECTED
from data_layer.standards import SsdSettings, load_standards
from tests.ssd_fixtures import ssd_fixture

D = date(2023, 3, 1)
OPEN = None


def _inv(iid, prof, child, start, end=OPEN, team="T1", role="KW"):
    return dict(
        invo_involvements_id=iid,
        invo_professional_id=prof,
        invo_person_id=child,
        invo_professional_team=team,
        invo_professional_role_id=role,
        invo_involvement_start_date=start,
        invo_involvement_end_date=end,
    )


def _person(pid, dob=date(2012, 1, 1)):
    return dict(
        pers_person_id=pid,
        pers_dob=dob,
        pers_sex="F",
        pers_ethnicity="WBRI",
        pers_forename=f"Name{pid}",
        pers_surname=f"Surname{pid}",
        pers_upn=f"UPN{pid}",
    )


def _episode(rid, child, start, close=None, reason=None, team="T1"):
    return dict(
        cine_referral_id=rid,
        cine_person_id=child,
        cine_referral_date=start,
        cine_close_date=close,
        cine_close_reason=reason,
        cine_referral_nfa="N",
        cine_referral_team=team,
    )


ROWS = {
    "ssd_department": [
        dict(
            dept_team_id="T1",
            dept_team_name="CIN/CP North",
            dept_team_parent_id="S1",
            dept_team_parent_name="Safeguarding",
        ),
        dict(
            dept_team_id="T2", dept_team_name="Assessment", dept_team_parent_id="S0", dept_team_parent_name="Front door"
        ),
    ],
    "ssd_professionals": [
        dict(
            prof_professional_id="P1",
            prof_professional_name="Worker P1",
            prof_professional_job_title="Social Worker",
            prof_social_worker_registration_no="SW123",
            prof_full_time_equivalency=1.0,
            prof_professional_department="CIN/CP North",
        ),
        dict(
            prof_professional_id="P2",
            prof_professional_name="Worker P2",
            prof_professional_job_title="Senior Social Worker",
            prof_social_worker_registration_no="SW456",
            prof_full_time_equivalency=0.5,
        ),
        dict(
            prof_professional_id="P3",
            prof_professional_name="Worker P3",
            prof_professional_job_title="Student Social Worker",
            prof_social_worker_registration_no="ST1",
            prof_full_time_equivalency=1.0,
        ),
        dict(
            prof_professional_id="P4",
            prof_professional_name="Worker P4",
            prof_professional_job_title="Family Support Worker",
            prof_full_time_equivalency=1.0,
        ),
    ],
    "ssd_person": [_person(f"C{i}") for i in range(1, 10)],
    "ssd_involvements": [
        _inv("I1", "P1", "C1", date(2022, 1, 1)),
        _inv("I2", "P1", "C2", date(2022, 6, 1)),
        _inv("I3", "P1", "C3", date(2022, 1, 1), role="IW"),
        _inv("I4", "P2", "C4", date(2022, 4, 1), date(2022, 10, 1), team="T2"),
        _inv("I5", "P1", "C4", date(2022, 10, 1)),
        _inv("I6", "P3", "C5", date(2022, 9, 1)),
        _inv("I7", "P2", "C6", date(2023, 2, 1), team="T2"),
        _inv("I8", None, "C7", date(2023, 2, 10), team="T2"),
    ],
    "ssd_cin_episodes": [
        _episode("R1", "C1", date(2021, 1, 1)),
        _episode("R2", "C2", date(2022, 5, 1)),
        _episode("R4", "C4", date(2022, 2, 1)),
        _episode("R5", "C5", date(2022, 5, 20)),
        _episode("R6", "C6", date(2023, 1, 20), team="T2"),
        _episode("R7", "C7", date(2023, 2, 5), team="T2"),
        _episode("R8", "C8", date(2022, 4, 10), date(2022, 11, 30), "RC7", team="T2"),
        _episode("R9", "C9", date(2022, 11, 1), team="T2"),
    ],
    "ssd_cin_assessments": [
        dict(
            cina_assessment_id="A7",
            cina_person_id="C7",
            cina_referral_id="R7",
            cina_assessment_start_date=date(2023, 2, 6),
            cina_assessment_team="T2",
        )
    ],
    "ssd_cin_plans": [
        dict(
            cinp_cin_plan_id="N1",
            cinp_referral_id="R2",
            cinp_person_id="C2",
            cinp_cin_plan_team="T1",
            cinp_cin_plan_start_date=date(2022, 6, 1),
        ),
        dict(
            cinp_cin_plan_id="N2",
            cinp_referral_id="R4",
            cinp_person_id="C4",
            cinp_cin_plan_team="T1",
            cinp_cin_plan_start_date=date(2022, 10, 5),
        ),
        dict(
            cinp_cin_plan_id="N3",
            cinp_referral_id="R8",
            cinp_person_id="C8",
            cinp_cin_plan_team="T2",
            cinp_cin_plan_start_date=date(2022, 5, 1),
            cinp_cin_plan_end_date=date(2022, 11, 30),
        ),
        dict(
            cinp_cin_plan_id="N4",
            cinp_referral_id="R5",
            cinp_person_id="C5",
            cinp_cin_plan_team="T1",
            cinp_cin_plan_start_date=date(2023, 1, 1),
        ),
        dict(
            cinp_cin_plan_id="N5",
            cinp_referral_id="R9",
            cinp_person_id="C9",
            cinp_cin_plan_team="T2",
            cinp_cin_plan_start_date=date(2022, 12, 1),
        ),
    ],
    "ssd_cp_plans": [
        dict(
            cppl_cp_plan_id="CP1",
            cppl_referral_id="R1",
            cppl_person_id="C1",
            cppl_cp_plan_start_date=date(2021, 1, 10),
            cppl_cp_plan_latest_category="NEG",
        ),
        dict(
            cppl_cp_plan_id="CP2",
            cppl_referral_id="R4",
            cppl_person_id="C4",
            cppl_cp_plan_start_date=date(2022, 3, 1),
            cppl_cp_plan_end_date=date(2022, 9, 28),
            cppl_cp_plan_latest_category="EMO",
        ),
        dict(
            cppl_cp_plan_id="CP3",
            cppl_referral_id="R6",
            cppl_person_id="C6",
            cppl_cp_plan_start_date=date(2023, 2, 15),
            cppl_cp_plan_latest_category="XYZ",
        ),
    ],
    "ssd_cp_reviews": [dict(cppr_cp_review_id="V1", cppr_cp_plan_id="CP1", cppr_cp_review_date=date(2023, 1, 20))],
    "ssd_cp_visits": [
        dict(
            cppv_cp_visit_id="1",
            cppv_person_id="C1",
            cppv_cp_plan_id="CP1",
            cppv_cp_visit_date=date(2023, 2, 25),
            cppv_cp_visit_seen="Y",
        )
    ],
    "ssd_cin_visits": [
        dict(cinv_cin_visit_id="1", cinv_person_id="C2", cinv_cin_visit_date=date(2023, 2, 1)),
        dict(cinv_cin_visit_id="2", cinv_person_id="C4", cinv_cin_visit_date=date(2023, 2, 20)),
    ],
    "ssd_cla_episodes": [
        dict(
            clae_cla_episode_id="E1",
            clae_person_id="C5",
            clae_cla_episode_start_date=date(2022, 6, 1),
            clae_cla_episode_ceased_date=date(2022, 12, 25),
            clae_cla_episode_ceased_reason="E4A",
        ),
        dict(clae_cla_episode_id="E2", clae_person_id="C3", clae_cla_episode_start_date=date(2022, 1, 15)),
    ],
    "ssd_legal_status": [
        dict(
            lega_legal_status_id="L1",
            lega_person_id="C3",
            lega_legal_status="C2",
            lega_legal_status_start_date=date(2022, 1, 15),
        )
    ],
    "ssd_disability": [
        dict(disa_person_id="C2", disa_disability_code="NONE"),
        dict(disa_person_id="C3", disa_disability_code="MOB"),
    ],
}

SETTINGS = SsdSettings(key_worker_roles=("KW",), team_services={"T1": "CIN/CP", "T2": "Assessment"})


def standards(**kw):
    return replace(load_standards(), ssd=replace(SETTINGS, **kw))


@pytest.fixture
def make_ssd(backend, tmp_path):
    made = []

    def factory(rows=ROWS, drop_tables=(), drop_fields=(), **settings):
        fx = ssd_fixture(backend, tmp_path).load_ssd(rows, drop_tables, drop_fields)
        made.append(fx)
        return connect(fx.url, standards=standards(**settings))

    yield factory
    for fx in made:
        fx.cleanup()


@pytest.fixture
def db(make_ssd):
    return make_ssd()


F = Filters(D)


def test_detected_as_ssd(db):
    assert db.source == "ssd"


def test_caseloads(db):
    df = dl.caseloads(db, F)
    got = {r.worker_id: (r.team_id, r.cases, r.role, float(r.fte)) for r in df.itertuples()}
    assert got == {"P1": ("T1", 3, "SW", 1.0), "P3": ("T1", 1, "SSW", 1.0), "P2": ("T2", 1, "SW", 0.5)}
    p1 = df.set_index("worker_id").loc["P1"]
    assert (p1.cp, p1.cin, p1.cla) == (1, 2, 0)  # C1 on a CP plan; C2 and C4 on CIN plans
    assert list(df["worker_id"]) == ["P1", "P3", "P2"]  # by team, then worker
    assert set(dl.caseloads(db, Filters(D, services=("Assessment",)))["worker_id"]) == {"P2"}


def test_unallocated(db):
    df = dl.unallocated(db, F).set_index("child_id")
    assert df["days_unallocated"].to_dict() == {"C3": 410, "C5": 285, "C7": 24, "C9": 120}
    assert df["status"].to_dict() == {"C3": "cla", "C5": "cin", "C7": "assessment", "C9": "cin"}
    assert df.loc["C5", "team_id"] == "T1" and df.loc["C7", "team_id"] == "T2" and df.loc["C9", "team_id"] == "T2"


def test_plan_durations(db):
    cin = dl.plan_durations(db, F, "cin").set_index("plan_id")
    assert cin["days"].to_dict() == {"N1": 273, "N2": 147, "N3": 213, "N4": 59, "N5": 90}
    assert cin["origin"].to_dict() == {
        "N1": "assessment",
        "N2": "cp_step_down",
        "N3": "assessment",
        "N4": "lac_step_down",
        "N5": "assessment",
    }
    assert cin.loc["N3", "end_reason"] == "plan_achieved" and not cin.loc["N3", "open"]
    cp = dl.plan_durations(db, F, "cp").set_index("plan_id")
    assert cp["days"].to_dict() == {"CP1": 780, "CP2": 211, "CP3": 14}
    assert cp["team_id"].to_dict() == {"CP1": "T1", "CP2": "T2", "CP3": "T2"}


def test_plan_drift(db):
    df = dl.plan_drift(db, F)
    got = {(r.plan_id, r.flag): r.days_over for r in df.itertuples()}
    assert got == {
        ("N1", "cin_visit_overdue"): 7,
        ("N4", "cin_visit_overdue"): 38,
        ("N5", "cin_visit_overdue"): 69,
        ("N2", "step_down_over_12_weeks"): 63,
        ("CP3", "cp_visit_overdue"): 4,
        ("CP1", "cp_over_2_years"): 50,
    }
    names = dict(zip(df["plan_id"], df["worker_name"], strict=False))
    assert names["N1"] == "Worker P1" and names["CP3"] == "Worker P2" and names["N5"] is None
    assert "cin_review_overdue" not in set(df["flag"])  # the SSD has no CIN reviews: never "overdue"


def test_keyworker_changes_and_missing_transfers(db):
    kc = dl.keyworker_changes(db, F)
    assert dict(zip(kc["changes"], kc["children"], strict=False)) == {0: 4, 1: 1}
    with pytest.raises(MissingData) as exc:
        dl.transfers(db, F)
    assert "not in the SSD" in str(exc.value) and "transfers.requested_date" in exc.value.missing
    assert isinstance(exc.value, dl.DatabaseError)
    assert dl.transfer_exclusions(db, F).empty
    with pytest.raises(MissingData, match="JARP"):
        dl.jarp_queue(db, F)


def test_coverage(db):
    cov = dl.coverage(db).set_index(["page", "part"])
    assert cov.loc[("caseloads", "body"), "status"] == "available"
    assert cov.loc[("plans", "body"), "status"] == "available"
    drift = cov.loc[("plans", "drift")]
    assert drift.status == "partial"
    assert "CIN plan reviews are not in the SSD: review drift cannot be shown" in drift.message
    assert cov.loc[("jarp", "body"), "status"] == "missing"
    assert cov.loc[("transfers", "body"), "status"] == "partial"
    assert "transfers.requested_date" in cov.loc[("transfers", "body"), "missing"]


def test_no_key_worker_roles_reports_missing(make_ssd):
    db = make_ssd(key_worker_roles=())
    with pytest.raises(MissingData, match="key_worker_roles"):
        dl.caseloads(db, F)
    assert dl.coverage(db).set_index(["page", "part"]).loc[("caseloads", "body"), "status"] == "missing"


def test_missing_ssd_table_and_field(make_ssd):
    db = make_ssd(drop_tables=("ssd_cin_visits",), drop_fields=("ssd_cin_plans.cinp_cin_plan_team",))
    with pytest.raises(MissingData, match="cinp_cin_plan_team"):
        dl.plan_durations(db, F, "cin")
    assert len(dl.plan_durations(db, F, "cp")) == 3
    report = dl.check_database(db)
    assert "ssd_cin_visits" in report.missing_tables
    assert ("ssd_cin_plans", "cinp_cin_plan_team") in report.missing_columns


def _compile_all(db):
    """Every page query of the SSD source compiled for SQL Server (run nothing)."""
    sql = []

    class Capture(type(db)):
        pass

    cap = Capture(engine=db.engine, standards=db.standards, source="ssd")
    cap._tables = db.tables

    def read(query, params=None):
        sql.append(str(query.compile(dialect=mssql.dialect())))
        import pandas as pd

        return pd.DataFrame(columns=list(query.selected_columns.keys()))

    cap.read = read
    f = Filters(D, teams=("T1",), services=("CIN/CP",))
    for fn, args in (
        (dl.caseloads, ()),
        (dl.unallocated, ()),
        (dl.children_by_status, ()),
        (dl.caseload_trend, ()),
        (dl.plan_durations, ("cin",)),
        (dl.plan_durations, ("cp",)),
        (dl.plan_exclusions, ()),
        (dl.duration_bands, ()),
        (dl.plan_drift, ()),
        (dl.drift_counts, ()),
        (dl.drift_trend, ()),
        (dl.keyworker_changes, ()),
        (dl.keyworker_change_children, ()),
        (dl.transfer_exclusions, ()),
        (dl.transfer_flows, ()),
        (dl.team_options, ()),
        (dl.date_range, ()),
        (dl.pilot_trend, ()),
        (dl.cohort_plans, ()),
    ):
        try:
            fn(cap, f, *args) if fn not in (dl.team_options, dl.date_range) else fn(cap)
        except (KeyError, ValueError, TypeError, AttributeError, IndexError):
            pass  # empty frames from the stand-in; the SQL was captured before
    # The pilot's queries need its teams: resolve them on the real database, compile on the stand-in.
    from data_layer.standards import Pilot

    pilot = Pilot(name="fixture pilot", start=date(2022, 6, 1), team_ids=("T1",), comparison_team_ids=("T2",))
    design = dl.resolve_design(db, Filters(D), pilot)
    for fn in (dl.pilot_trend, dl.cohort_plans):
        try:
            fn(cap, Filters(D), design=design)
        except (KeyError, ValueError, TypeError, AttributeError, IndexError):
            pass
    return sql


@pytest.mark.parametrize("backend", ["sqlite"])
def test_every_page_query_compiles_for_sql_server_without_names(db):
    sql = _compile_all(db)
    assert len(sql) >= 21
    joined = "\n".join(sql).lower()
    assert "datediff(day" in joined and "julianday" not in joined
    for field in NEVER_SELECTED:
        assert field not in joined
    assert "'t1'" not in joined  # values bound
    # T-SQL has no boolean values: no "IS 1", no "WHEN 0 THEN" (a bare constant as a condition).
    import re

    assert not re.search(r"\bis (not )?[01]\b|\bwhen [01] then|\bwhere [01]\b", joined)


def test_no_query_selects_a_childs_name_or_upn(db):
    from sqlalchemy import select

    for name in db.tables.selectables:
        compiled = str(select(db.tables[name]).compile(dialect=db.engine.dialect)).lower()
        for field in NEVER_SELECTED:
            assert field not in compiled


def test_check_db_on_an_ssd_counts_unknown_codes_and_unmappable_rows(make_ssd):
    rows = {k: list(v) for k, v in ROWS.items()}
    rows["ssd_cp_plans"] = rows["ssd_cp_plans"] + [
        dict(cppl_cp_plan_id="CP9", cppl_person_id="C99", cppl_cp_plan_start_date=date(2022, 1, 1))
    ]
    rows["ssd_involvements"] = rows["ssd_involvements"] + [_inv("I9", "P9", "C1", date(2022, 1, 1), role="IW")]
    rows["ssd_cin_episodes"] = rows["ssd_cin_episodes"] + [
        _episode("R10", "C1", date(2020, 1, 1), date(2020, 6, 1), "RCX")
    ]
    report = dl.check_database(make_ssd(rows))
    assert report.usable and report.source == "ssd"
    found = {(r.table, r.check, r.detail): r.rows for r in report.ssd_findings.itertuples()}
    assert found[("ssd_cp_plans", "unknown code in cppl_cp_plan_latest_category", "XYZ")] == 1
    assert found[("ssd_cin_episodes", "unknown code in cine_close_reason", "RCX")] == 1
    assert found[("ssd_cp_plans", "CP plan for a person not in ssd_person", "")] == 1
    assert found[("ssd_involvements", "involvement naming a professional not in ssd_professionals", "")] == 1
    assert found[("ssd_involvements", "involvement with no professional", "read as awaiting allocation")] == 1
    out = report.format()
    assert "Source: ssd" in out and "SSD checks" in out and "Coverage by page section" in out
    assert "CIN plan reviews are not in the SSD: review drift cannot be shown" in out


def test_check_db_says_when_no_key_worker_role_matches(make_ssd):
    report = dl.check_database(make_ssd(key_worker_roles=("ALLOC",)))
    checks = set(report.ssd_findings["check"])
    assert "key_worker_roles match no involvement" in checks
    detail = report.ssd_findings.set_index("check").loc["key_worker_roles match no involvement", "detail"]
    assert "'KW'" in detail  # the most common codes, so the analyst can choose


def test_source_is_chosen_by_argument_or_csc_source(make_ssd, monkeypatch, backend):
    db = make_ssd()
    url = db.engine.url
    if backend == "sqlite":  # the engine holds the read-only URI; reopen the file itself
        url = f"sqlite:///{str(url.database).removeprefix('file:')}"
    assert connect(url, source="native", standards=db.standards).source == "native"
    monkeypatch.setenv("CSC_SOURCE", "ssd")
    assert connect(url, standards=db.standards).source == "ssd"
    monkeypatch.setenv("CSC_SOURCE", "warehouse")
    with pytest.raises(dl.DatabaseError, match="Unknown source"):
        connect(url)


def test_ssd_settings_from_the_standards_file(tmp_path):
    path = tmp_path / "standards.toml"
    path.write_text(
        '[ssd]\nschema = "ssd_development"\nkey_worker_roles = ["KW", "ALLOC"]\n[ssd.team_services]\nT1 = "CIN/CP"\n'
    )
    s = load_standards(path).ssd
    assert (s.schema, s.key_worker_roles, dict(s.team_services)) == (
        "ssd_development",
        ("KW", "ALLOC"),
        {"T1": "CIN/CP"},
    )
    path.write_text('[ssd]\nkey_worker_roles = "KW"\n')
    with pytest.raises(dl.StandardsError, match="key_worker_roles"):
        load_standards(path)


@pytest.mark.parametrize("backend", ["postgresql"])
def test_ssd_in_its_own_schema(backend, tmp_path):
    """SSDs often live in a schema (``ssd_development``): ``[ssd] schema`` qualifies every ssd_* table."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from tests.fixtures import PG_URL
    from tests.ssd_fixtures import write_ssd

    schema = f"ssd_fx_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        eng = create_engine(PG_URL, poolclass=NullPool, connect_args={"options": f"-csearch_path={schema}"})
        write_ssd(eng, ROWS)
        eng.dispose()
        db = connect(PG_URL, standards=standards(schema=schema))  # default search path: public
        assert db.source == "ssd"
        got = dict(zip(dl.caseloads(db, F)["worker_id"], dl.caseloads(db, F)["cases"], strict=False))
        assert got == {"P1": 3, "P3": 1, "P2": 1}
        sql = str(__import__("sqlalchemy").select(db.tables.cin_plans).compile(dialect=db.engine.dialect))
        assert f"{schema}.ssd_cin_plans" in sql
        db.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


def test_children_by_status_trend_and_drift_counts(db):
    by = dict(zip(dl.children_by_status(db, F)["status"], dl.children_by_status(db, F)["children"], strict=False))
    assert by == {"cla": 1, "cp": 2, "cin": 4, "care_leaver": 0, "assessment": 1, "other": 0}
    last = dl.caseload_trend(db, F).iloc[-1]
    assert (last.workers, round(last.average_caseload, 3), last.over_target) == (3, round(5 / 3, 3), 0)
    counts = {(r.team_id, r.flag): r.n for r in dl.drift_counts(db, F).itertuples()}
    assert counts == {
        ("T1", "cin_visit_overdue"): 2,
        ("T2", "cin_visit_overdue"): 1,
        ("T1", "step_down_over_12_weeks"): 1,
        ("T2", "cp_visit_overdue"): 1,
        ("T1", "cp_over_2_years"): 1,
    }
    kids = dl.keyworker_change_children(db, F, 1)
    assert list(kids["child_id"]) == ["C4"] and kids.iloc[0]["team_id"] == "T1"


def test_every_jarp_function_reports_missing(db):
    for fn in (dl.jarp_queue, dl.jarp_queue_trend, dl.jarp_responses, dl.jarp_reviews_due, dl.jarp_unknown_criteria):
        with pytest.raises(MissingData) as exc:
            fn(db, F)
        assert exc.value.function == "jarp" and exc.value.source == "ssd"
        assert (
            str(exc.value)
            == "JARP referrals are a local panel's records, not in the SSD: the JARP queue cannot be shown"
        )


def test_unserved_drift_flags_and_source_description(db):
    assert dl.unserved_drift_flags(db) == {
        "cin_review_overdue": "CIN plan reviews are not in the SSD: review drift cannot be shown"
    }
    assert dl.describe_source(db) == "Standard Safeguarding Dataset"
    assert dl.missing_data(db, "caseloads") is None
    assert "not in the SSD" in str(dl.missing_data(db, "transfers"))


def test_transfer_flows_from_team_changes(db):
    flows = dl.transfer_flows(db, F)
    assert flows.to_dict("records") == [
        dict(from_team="T2", from_team_name="Assessment", to_team="T1", to_team_name="CIN/CP North", transfers=1)
    ]
    assert dl.transfer_flows(db, Filters(date(2022, 9, 30))).empty  # completed after that as-at date
