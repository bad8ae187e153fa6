"""Schema and data-quality checks on a hand-written authority with known bad rows, on every backend."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Column, MetaData, Table, create_engine, event, text
from sqlalchemy.pool import NullPool

from data_layer import DatabaseError, Filters, load_standards
from data_layer.checks import (
    CHECK_KINDS,
    DQ_COLUMNS,
    CheckReport,
    UnusableDatabase,
    _count_bad_rows,
    _listed_names,
    check_database,
    data_quality,
    startup_check,
)
from data_layer.schema import metadata
from tests.fixtures import FixtureDB

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / ".venv" / "bin" / "csc-dashboard"
if not CLI.exists():  # installed elsewhere (e.g. CI's own environment)
    CLI = Path(sys.executable).parent / "csc-dashboard"

D1, D2 = date(2021, 1, 1), date(2021, 6, 1)


def _w(wid, team, role="SW", start=D1, end=None):
    return dict(
        worker_id=wid, worker_name="x", team_id=team, role=role, fte=1.0, qualified=True, start_date=start, end_date=end
    )


def _a(aid, child, worker, team, role="key_worker", start=D1, end=None):
    return dict(
        allocation_id=aid, child_id=child, worker_id=worker, team_id=team, role=role, start_date=start, end_date=end
    )


# Every kind of bad row, each one annotated with what it should add.
BAD = {
    "teams": [
        dict(team_id="T1", team_name="North", service="CIN/CP"),
        dict(team_id="T2", team_name="Front door", service="Assessment"),
        dict(team_id="T2", team_name="Front door (copy)", service="Assessment"),  # duplicate id
        dict(team_id=None, team_name="Nameless", service="CIN/CP"),
    ],  # NULL id
    "workers": [
        _w("W1", "T1"),
        _w("W2", "T2", role="XX", end=date(2020, 6, 1)),  # ends before it starts; unknown role
        _w("W3", "T9", role="XX", start=None),  # orphan team, NULL start, unknown role
        _w("W4", None, role=None),
    ],  # NULL team (not an orphan), NULL role (not unknown)
    "children": [dict(child_id="C1"), dict(child_id="C2"), dict(child_id="C2")],  # duplicate id
    "allocations": [
        _a("A1", "C1", "W1", "T1"),
        _a("A2", "C2", None, "T1"),  # awaiting allocation: not an orphan
        _a("A3", "C9", "W9", "T2", role="lead"),  # orphan child and worker; unknown role
        _a("A4", "C1", "W1", "T1", start=D2, end=D1),  # ends before it starts
        _a("A5", "C1", "W1", "T8", role=None, start=None),  # orphan team; NULL start
        _a("A1", "C2", "W1", "T1"),
    ],  # duplicate id
    "cin_plans": [
        dict(plan_id="P1", child_id="C1", team_id="T1", start_date=D1, origin="assessment"),
        dict(
            plan_id="P2",
            child_id="C2",
            team_id="T2",
            start_date=D1,
            end_date=date(2020, 12, 31),
            origin="mystery",
            end_reason="plan_achieved",
        ),
        dict(plan_id="P3", child_id="C1", team_id="T1", start_date=None, origin="mystery", end_reason="gone"),
    ],
    "jarp_referrals": [
        dict(
            referral_id="R1",
            child_id="C1",
            referring_team_id="T1",
            submitted_at=datetime(2022, 1, 4, 10),
            decision="pending",
        ),
        dict(referral_id="R2", child_id="C1", referring_team_id="T1", submitted_at=None, decision="maybe"),
    ],
    "jarp_referral_criteria": [
        dict(referral_id="R1", criterion="court_proceedings"),
        dict(referral_id="R1", criterion="made_up"),
        dict(referral_id="R2", criterion="made_up"),
        dict(referral_id="R7", criterion="school_exclusion"),  # orphan referral
        dict(referral_id="R1", criterion=None),
    ],
    "transfers": [
        dict(
            transfer_id="X1",
            child_id="C1",
            from_team_id="T1",
            to_team_id="T9",
            transfer_point="other",
            requested_date=date(2022, 1, 10),
            completed_date=date(2022, 1, 5),
            status="lost",
        ),
        dict(
            transfer_id="X2",
            child_id="C2",
            from_team_id="T2",
            to_team_id="T1",
            transfer_point="other",
            requested_date=date(2022, 1, 10),
            status="pending",
        ),
    ],
    "visits": [
        dict(visit_id="V1", child_id="C1", worker_id="W9", visit_date=D1, plan_type="cla"),
        dict(visit_id="V2", child_id="C1", worker_id="W1", visit_date=D1, plan_type="home"),
        dict(visit_id="V3", child_id="C1", worker_id="W1", visit_date=None, plan_type="cin"),
    ],
}

# (table, check, column, unknown code or None, rows), worked out by hand from BAD.
EXPECTED = {
    ("teams", "null_required", "team_id", None, 1),
    ("teams", "duplicate_id", "team_id", None, 1),
    ("workers", "end_before_start", "end_date", None, 1),
    ("workers", "orphan_id", "team_id", None, 1),
    ("workers", "null_required", "team_id", None, 1),
    ("workers", "null_required", "start_date", None, 1),
    ("workers", "unknown_code", "role", "XX", 2),
    ("children", "duplicate_id", "child_id", None, 1),
    ("allocations", "end_before_start", "end_date", None, 1),
    ("allocations", "orphan_id", "child_id", None, 1),
    ("allocations", "orphan_id", "worker_id", None, 1),
    ("allocations", "orphan_id", "team_id", None, 1),
    ("allocations", "null_required", "start_date", None, 1),
    ("allocations", "duplicate_id", "allocation_id", None, 1),
    ("allocations", "unknown_code", "role", "lead", 1),
    ("cin_plans", "end_before_start", "end_date", None, 1),
    ("cin_plans", "null_required", "start_date", None, 1),
    ("cin_plans", "unknown_code", "origin", "mystery", 2),
    ("cin_plans", "unknown_code", "end_reason", "gone", 1),
    ("jarp_referrals", "null_required", "submitted_at", None, 1),
    ("jarp_referrals", "unknown_code", "decision", "maybe", 1),
    ("jarp_referral_criteria", "orphan_id", "referral_id", None, 1),
    ("jarp_referral_criteria", "null_required", "criterion", None, 1),
    ("jarp_referral_criteria", "unknown_code", "criterion", "made_up", 2),
    ("transfers", "end_before_start", "completed_date", None, 1),
    ("transfers", "orphan_id", "to_team_id", None, 1),
    ("transfers", "unknown_code", "status", "lost", 1),
    ("visits", "orphan_id", "worker_id", None, 1),
    ("visits", "null_required", "visit_date", None, 1),
    ("visits", "unknown_code", "plan_type", "home", 1),
}

CLEAN = {
    "teams": [dict(team_id="T1", team_name="North", service="CIN/CP", area="N")],
    "workers": [_w("W1", "T1")],
    "children": [dict(child_id="C1")],
    "allocations": [_a("A1", "C1", "W1", "T1", end=D2), _a("A2", "C1", None, "T1", start=D2)],
    "cin_plans": [dict(plan_id="P1", child_id="C1", team_id="T1", start_date=D1, origin="assessment")],
    "jarp_referrals": [
        dict(
            referral_id="R1",
            child_id="C1",
            referring_team_id="T1",
            submitted_at=datetime(2022, 1, 4, 10),
            decision="pending",
        )
    ],
    "jarp_referral_criteria": [dict(referral_id="R1", criterion="court_proceedings")],
}


def _found(df):
    return {
        (r.table, r.check, r.column, r.detail if r.check == "unknown_code" else None, r.rows)
        for r in df.itertuples(index=False)
    }


@pytest.fixture
def partial_db(backend, tmp_path):
    """``partial_db(rows, drop_tables, drop_columns, sql) -> FixtureDB`` built without those tables/columns.

    Built from a trimmed copy of the schema rather than ALTER TABLE ... DROP COLUMN, which DuckDB
    refuses on a table that has an index. ``sql`` statements run afterwards (e.g. CREATE VIEW).
    """
    made = []

    def factory(rows, drop_tables=(), drop_columns=(), sql=()):
        fx = FixtureDB(backend, tmp_path)
        made.append(fx)
        md = MetaData()
        for t in metadata.tables.values():
            if t.name not in drop_tables:
                Table(t.name, md, *[Column(c.name, c.type) for c in t.columns if (t.name, c.name) not in drop_columns])
        engine = create_engine(fx.write_url, poolclass=NullPool)
        try:
            md.create_all(engine)
            with engine.begin() as conn:
                for name, table_rows in rows.items():
                    if name in drop_tables:
                        continue
                    cols = [c.name for c in md.tables[name].columns]
                    conn.execute(md.tables[name].insert(), [{c: r.get(c) for c in cols} for r in table_rows])
                for stmt in sql:
                    conn.execute(text(stmt))
        finally:
            engine.dispose()
        return fx

    yield factory
    for fx in made:
        fx.cleanup()


# --- bad rows --------------------------------------------------------------------------------


def test_every_kind_of_bad_row_counted_exactly(make_db):
    df = data_quality(make_db(BAD))
    assert list(df.columns) == DQ_COLUMNS
    assert _found(df) == EXPECTED
    # The value rules (text dates, FTE out of range, over-long text) have their own fixture: tests/test_bad_rows.py
    assert set(df["check"]) == set(CHECK_KINDS) - {"unreadable_date", "out_of_range", "text_too_long"}
    rows_of = df.drop_duplicates("table").set_index("table")["table_rows"].to_dict()
    assert rows_of == {
        "teams": 4,
        "workers": 4,
        "children": 3,
        "allocations": 6,
        "cin_plans": 3,
        "jarp_referrals": 2,
        "jarp_referral_criteria": 5,
        "transfers": 2,
        "visits": 3,
    }


def test_bad_rows_leave_the_database_usable_and_are_reported(make_db):
    report = check_database(make_db(BAD))
    assert report.usable and report.exit_code == 0
    assert _found(report.bad_rows) == EXPECTED
    out = report.format()
    assert "Result: USABLE" in out
    assert "workers.role: 2 of 4 rows: 'XX' (2)" in out
    assert "allocations.worker_id: 1 of 6 rows (not in workers.worker_id" in out
    assert "jarp_referral_criteria.criterion: 2 of 5 rows: 'made_up' (2)" in out
    for word in ("C9", "W9", "R7", "A1"):  # counts and codes only, never ids
        assert word not in out


def test_team_filter_counts_selected_teams_rows_and_whole_tables_without_a_team(make_db):
    df = data_quality(make_db(BAD), Filters(date(2023, 3, 1), teams=("T1",)))
    assert _found(df) == {
        # teams and workers of T1 are clean
        ("children", "duplicate_id", "child_id", None, 1),  # no team column: whole
        ("allocations", "end_before_start", "end_date", None, 1),  # A4
        ("allocations", "duplicate_id", "allocation_id", None, 1),  # both A1 rows are T1
        ("cin_plans", "null_required", "start_date", None, 1),  # P3
        ("cin_plans", "unknown_code", "origin", "mystery", 1),  # P3 (P2 is T2)
        ("cin_plans", "unknown_code", "end_reason", "gone", 1),
        ("jarp_referrals", "null_required", "submitted_at", None, 1),
        ("jarp_referrals", "unknown_code", "decision", "maybe", 1),
        ("jarp_referral_criteria", "orphan_id", "referral_id", None, 1),
        ("jarp_referral_criteria", "null_required", "criterion", None, 1),
        ("jarp_referral_criteria", "unknown_code", "criterion", "made_up", 2),
        ("transfers", "end_before_start", "completed_date", None, 1),  # X1 is from T1
        ("transfers", "orphan_id", "to_team_id", None, 1),
        ("transfers", "unknown_code", "status", "lost", 1),
        ("visits", "orphan_id", "worker_id", None, 1),
        ("visits", "null_required", "visit_date", None, 1),
        ("visits", "unknown_code", "plan_type", "home", 1),
    }
    assert df.loc[df["table"] == "allocations", "table_rows"].iloc[0] == 4  # A1, A2, A4, A1 again


def test_service_filter(make_db):
    df = data_quality(make_db(BAD), Filters(date(2023, 3, 1), services=("Assessment",)))
    found = {k for k in _found(df) if k[0] in ("teams", "workers", "allocations", "cin_plans", "jarp_referrals")}
    assert found == {
        ("teams", "duplicate_id", "team_id", None, 1),
        ("workers", "end_before_start", "end_date", None, 1),
        ("workers", "unknown_code", "role", "XX", 1),
        ("allocations", "orphan_id", "child_id", None, 1),
        ("allocations", "orphan_id", "worker_id", None, 1),
        ("allocations", "unknown_code", "role", "lead", 1),
        ("cin_plans", "end_before_start", "end_date", None, 1),
        ("cin_plans", "unknown_code", "origin", "mystery", 1),
    }


def test_jarp_criteria_judged_against_configured_points(make_db, tmp_path):
    toml = tmp_path / "standards.toml"
    toml.write_text("[jarp.points]\nmade_up = 1\n")
    df = data_quality(make_db(BAD, standards=load_standards(toml)))
    assert not ((df["table"] == "jarp_referral_criteria") & (df["check"] == "unknown_code")).any()


def test_clean_database_has_no_bad_rows(make_db):
    db = make_db(CLEAN)
    df = data_quality(db)
    assert df.empty and list(df.columns) == DQ_COLUMNS
    report = check_database(db)
    assert report.usable and report.exit_code == 0
    assert "Bad rows: none found." in report.format()


def test_one_grouped_scan_and_at_most_one_union_per_table(make_db):
    """Per table: the scan grouped by team, and one UNION ALL of its orphan, duplicate and code counts
    when it has rows; and one read of the teams' services for the service filter."""
    db = make_db(BAD)
    present = {t.name: {c.name for c in t.columns} for t in metadata.tables.values()}
    seen = []
    event.listen(db.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    _count_bad_rows(db, present, None)
    filled = sum(1 for rows in BAD.values() if rows)
    assert len(seen) == 1 + len(metadata.tables) + filled
    assert sum("UNION ALL" in s for s in seen) >= 5


# --- structure -------------------------------------------------------------------------------


def test_missing_table_and_column_named_and_partial(partial_db):
    fx = partial_db(
        BAD,
        drop_tables=("transfers",),
        drop_columns=(("workers", "fte"), ("allocations", "worker_id"), ("cin_plans", "start_date")),
    )
    report = check_database(fx.connect())
    # Partial data (issue 14): still usable, section by section; what is missing is named.
    assert report.usable and not report.complete and report.exit_code == 0
    assert report.missing_tables == ["transfers"]
    assert sorted(report.missing_columns) == [
        ("allocations", "worker_id"),
        ("cin_plans", "start_date"),
        ("workers", "fte"),
    ]
    # Checks needing a missing column or table are skipped; the rest still run.
    skipped = {
        ("allocations", "orphan_id", "worker_id", None, 1),
        ("cin_plans", "end_before_start", "end_date", None, 1),
        ("cin_plans", "null_required", "start_date", None, 1),
    }
    skipped |= {k for k in EXPECTED if k[0] == "transfers"}
    assert _found(report.bad_rows) == EXPECTED - skipped
    out = report.format()
    assert "USABLE, PARTIAL" in out
    cov = report.coverage.set_index(["page", "part"])
    assert cov.loc[("transfers", "body"), "status"] == "missing"  # allocations.worker_id is gone too
    assert (
        "Table transfers is not in this database: transfer timeliness cannot be shown"
        in cov.loc[("transfers", "body"), "message"]
    )
    assert (
        cov.loc[("caseloads", "body"), "status"] == "missing"
        and "workers.fte" in cov.loc[("caseloads", "body"), "missing"]
    )
    assert "Coverage by page section" in out
    for name in (
        "Missing table: transfers",
        "Missing column: workers.fte",
        "Missing column: allocations.worker_id",
        "Missing column: cin_plans.start_date",
    ):
        assert name in out
    assert out.index("Missing table") < out.index("Bad rows")


def test_missing_referenced_table_skips_its_orphan_checks(partial_db):
    fx = partial_db(BAD, drop_tables=("children",))
    report = check_database(fx.connect())
    assert report.missing_tables == ["children"] and report.usable and not report.complete
    found = _found(report.bad_rows)
    assert not {k for k in found if k[1] == "orphan_id" and k[2] == "child_id"}
    assert ("allocations", "orphan_id", "worker_id", None, 1) in found


def test_startup_check_is_structure_only(partial_db):
    fx = partial_db(CLEAN, drop_columns=(("visits", "plan_type"),))
    report = startup_check(fx.connect())
    assert report.bad_rows is None and report.missing_columns == [("visits", "plan_type")]
    assert "not counted" in report.format() and "visits.plan_type" in report.format()
    assert report.raise_if_unusable() is report  # partial: starts, and says what is missing
    drift = report.coverage.set_index(["page", "part"]).loc[("plans", "drift")]
    assert drift.status == "partial" and "visit drift cannot be shown" in drift.message


def test_startup_check_refuses_a_database_with_none_of_the_core_tables(partial_db):
    from data_layer.checks import CORE_TABLES

    fx = partial_db({}, drop_tables=CORE_TABLES)
    report = startup_check(fx.connect())
    assert not report.usable and report.exit_code == 1
    with pytest.raises(UnusableDatabase) as err:
        report.raise_if_unusable()
    assert "None of the core tables" in str(err.value) and err.value.report is report


def test_startup_check_passes_a_usable_database_with_bad_rows(make_db):
    report = startup_check(make_db(BAD))
    assert report.usable and report.raise_if_unusable() is report


def test_views_of_the_same_shape_are_accepted(partial_db):
    fx = partial_db(
        {},
        drop_tables=("teams",),
        sql=(
            "CREATE TABLE warehouse_teams (team_id VARCHAR(64), team_name VARCHAR(200), "
            "service VARCHAR(100), area VARCHAR(100), extra INTEGER)",
            "INSERT INTO warehouse_teams VALUES ('T1', 'North', 'CIN/CP', 'N', 1)",
            "CREATE VIEW teams AS SELECT team_id, team_name, service, area FROM warehouse_teams",
        ),
    )
    db = fx.connect()
    assert "teams" in _listed_names(db)
    report = check_database(db)
    assert report.usable, report.format()


def test_inspector_introspection_passes_the_read_only_guard(make_db):
    """SQLAlchemy's inspector (sqlite_master, PRAGMA, pg_catalog, duckdb_tables()) gets through the guard."""
    assert set(metadata.tables) <= _listed_names(make_db(CLEAN))


@pytest.mark.parametrize(
    "url",
    ["postgresql+psycopg://nobody:secret@127.0.0.1:1/none", "sqlite:////nonexistent/dir/none.sqlite", "not a url"],
)
def test_unreachable_database_is_reported_not_raised(url):
    report = check_database(url)
    assert not report.connected and not report.usable and report.exit_code == 2
    assert report.format().splitlines()[1].startswith("Result: NOT USABLE")
    assert "Cannot open the database" in report.format()
    assert "secret" not in report.format()


def test_report_of_unreachable_database_via_open_handle():
    from data_layer import connect

    db = connect("postgresql+psycopg://nobody@127.0.0.1:1/none")  # lazy: fails on first use
    report = startup_check(db)
    assert isinstance(report, CheckReport) and not report.connected and report.exit_code == 2


# --- the command line ------------------------------------------------------------------------


def _cli(*args):
    # ``python -m`` from the checkout, so the code under test runs (an installed script may be
    # another worktree's editable install).
    return subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "check-db", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_cli_names_the_missing_column_in_its_coverage_table(partial_db):
    fx = partial_db(CLEAN, drop_columns=(("workers", "fte"),))
    res = _cli(fx.url)
    assert res.returncode == 0
    assert "workers.fte" in res.stdout and "Coverage by page section" in res.stdout
    assert "Column workers.fte is not in this database: caseloads cannot be shown" in res.stdout
    assert "Traceback" not in res.stdout + res.stderr


def test_cli_exits_zero_on_a_clean_database(make_db):
    db = make_db(CLEAN)
    res = _cli(db.fixture.url)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Result: USABLE" in res.stdout


def test_cli_exits_two_when_it_cannot_connect():
    res = _cli("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert res.returncode == 2
    assert "Cannot open the database" in res.stdout
    assert "Traceback" not in res.stdout + res.stderr


def test_a_failing_check_is_reported_and_the_rest_still_counted(partial_db, backend):
    """workers.team_id holding integers cannot be compared with teams.team_id on PostgreSQL."""
    rows = {k: v for k, v in BAD.items() if k != "workers"}
    fx = partial_db(
        rows,
        drop_tables=("workers",),
        sql=(
            "CREATE TABLE workers (worker_id VARCHAR(64), worker_name VARCHAR(200), team_id INTEGER, role VARCHAR(40), "
            "fte FLOAT, qualified BOOLEAN, start_date DATE, end_date DATE)",
            "INSERT INTO workers VALUES ('W1', 'x', 1, 'SW', 1.0, TRUE, '2020-01-01', NULL)",
        ),
    )
    report = check_database(fx.connect())
    assert report.usable
    assert {k for k in _found(report.bad_rows) if k[0] != "workers"} == {k for k in EXPECTED if k[0] != "workers"}
    if backend == "postgresql":
        assert set(report.failed_checks) == {"workers"}
        assert "Checks that could not run:\n  - workers: " in report.format()
        with pytest.raises(DatabaseError, match="workers"):
            data_quality(fx.connect())


def test_startup_check_reports_a_url_that_cannot_open():
    report = startup_check("sqlite:////nonexistent/dir/none.sqlite")
    assert not report.connected and report.exit_code == 2
    with pytest.raises(UnusableDatabase, match="No database file"):
        report.raise_if_unusable()


def test_data_quality_can_count_only_the_tables_a_page_reads():
    """A page asks for its own tables; orphan checks still look the ids up in the other tables."""
    import pandas as pd

    from data_layer import connect, data_quality
    from data_layer.demo import ensure_demo

    db = connect(f"sqlite:///{ensure_demo()}")
    whole = data_quality(db)
    part = data_quality(db, None, ("allocations", "visits"))
    assert set(part["table"]) == {"allocations", "visits"}
    want = whole[whole["table"].isin(["allocations", "visits"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(part.reset_index(drop=True), want)
    # visits.child_id orphans need the children table, which was not asked for
    assert ((part["table"] == "visits") & (part["check"] == "orphan_id")).any()
