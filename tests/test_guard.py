"""The statement guard (sqlglot) and the database behind it, on SQLite, DuckDB and PostgreSQL.

Every walk-around found against the old regex guard (issue 16, "Why") is a case here: each is
refused by the guard on every backend (PostgreSQL as the superuser ``root``, so only the guard
stands in the way), and nothing changes in the database. The database's own refusal, with the
guard bypassed through a raw driver connection of the read-only engine, is proven below per
backend; the SELECT-only PostgreSQL role is proven on a private cluster (test_database_outage.py).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from data_layer import ReadOnlyViolation
from data_layer.engine import check_statement
from data_layer.guard import refusal
from data_layer.schema import teams
from data_layer.timeouts import Timeouts
from tests.fixtures import BACKENDS, FixtureDB

ROWS = {"teams": [dict(team_id="T1", team_name="A", service="CIN/CP", area="N")]}

#: name -> statement; each must be refused on every backend.
ATTACKS = {
    # PostgreSQL dollar quoting hid a COMMIT and a read-write transaction from the regex guard.
    "dollar_smuggle": "SELECT $$'$$; COMMIT; BEGIN READ WRITE; DELETE FROM teams; COMMIT; SELECT $$'$$",
    # E'\'' is one quote character: the regex took the rest of the text for a string.
    "e_string": "SELECT E'\\''; DELETE FROM teams; SELECT 'x'",
    "copy_to_program": "COPY teams TO PROGRAM 'id > /tmp/csc-pwned'",
    "copy_query_to_program": "COPY (SELECT 1) TO PROGRAM 'id'",
    "copy_from": "COPY teams FROM '/tmp/x.csv'",
    "dollar_smuggled_copy": "SELECT $$x$$; COPY teams TO '/tmp/csc-copy.csv'",
    "tagged_dollar_copy": "SELECT $a$;$a$ AS s; COPY teams TO '/tmp/csc-copy.csv'",
    "read_csv": "SELECT * FROM read_csv('/etc/passwd')",
    "read_csv_auto": "SELECT * FROM read_csv_auto('/etc/passwd')",
    "read_parquet": "SELECT * FROM read_parquet('/tmp/x.parquet')",
    "read_json": "SELECT * FROM read_json_auto('/tmp/x.json')",
    "read_text": "SELECT * FROM read_text('/etc/passwd')",
    "glob": "SELECT * FROM glob('/etc/*')",
    "path_as_table": "SELECT * FROM '/etc/passwd'",
    "duckdb_query_string": "SELECT * FROM query('SELECT 1')",
    "pg_sleep": "SELECT pg_sleep(10)",
    "pg_sleep_in_where": "SELECT team_id FROM teams WHERE pg_sleep_for('10 seconds') IS NULL",
    "pg_read_file": "SELECT pg_read_file('/etc/passwd')",
    "pg_read_binary_file": "SELECT pg_read_binary_file('/etc/passwd')",
    "pg_ls_dir": "SELECT pg_ls_dir('/')",
    "pg_stat_file": "SELECT pg_stat_file('/etc/passwd')",
    "lo_import": "SELECT lo_import('/etc/passwd')",
    "lo_export": "SELECT lo_export(1, '/tmp/x')",
    "dblink": "SELECT * FROM dblink('host=x', 'DELETE FROM teams') AS t(a int)",
    "set_config": "SELECT set_config('default_transaction_read_only', 'off', false)",
    "nextval": "SELECT nextval('s')",
    "query_to_xml": "SELECT query_to_xml('SELECT 1', true, true, '')",
    "load_extension": "SELECT load_extension('/tmp/evil')",
    "readfile": "SELECT readfile('/etc/passwd')",
    "writefile": "SELECT writefile('/tmp/x', 'y')",
    "write_cte_delete": "WITH gone AS (DELETE FROM teams RETURNING *) SELECT * FROM gone",
    "write_cte_insert": "WITH x AS (INSERT INTO teams (team_id) VALUES ('T9') RETURNING *) SELECT * FROM x",
    "write_cte_update": "WITH x AS (UPDATE teams SET team_name = 'B' RETURNING *) SELECT * FROM x",
    "nested_write_cte": "SELECT * FROM (WITH d AS (DELETE FROM teams RETURNING *) SELECT * FROM d) AS x",
    "select_into": "SELECT * INTO evil FROM teams",
    "union_into": "SELECT 1 UNION SELECT 2 INTO evil",
    "for_update": "SELECT * FROM teams FOR UPDATE",
    "two_statements": "SELECT 1; DELETE FROM teams",
    "block_comment_hides_semicolon": "SELECT 1 /* ; */; DELETE FROM teams",
    "line_comment_before_semicolon": "SELECT 1 -- x\n; DELETE FROM teams",
    "string_of_dashes": "SELECT '--'; DELETE FROM teams",
    "comment_first": "/* select */ DELETE FROM teams",
    "delete": "DELETE FROM teams",
    "update": "UPDATE teams SET team_name = 'B'",
    "insert": "INSERT INTO teams (team_id) VALUES ('T9')",
    "merge": "MERGE INTO teams t USING teams s ON t.team_id = s.team_id WHEN MATCHED THEN DELETE",
    "truncate": "TRUNCATE teams",
    "drop": "DROP TABLE teams",
    "create": "CREATE TABLE evil (x integer)",
    "create_temp_view": "CREATE TEMP VIEW v AS SELECT 1",
    "alter": "ALTER TABLE teams ADD COLUMN evil integer",
    "grant": "GRANT ALL ON teams TO public",
    "set": "SET default_transaction_read_only = off",
    "reset": "RESET ALL",
    "begin": "BEGIN",
    "commit": "COMMIT",
    "pragma_assign": "PRAGMA journal_mode = WAL",
    "pragma_query_only_off": "PRAGMA query_only = 0",
    "attach": "ATTACH '/tmp/csc-evil.db' AS evil",
    "install": "INSTALL httpfs",
    "load": "LOAD httpfs",
    "export_database": "EXPORT DATABASE '/tmp/csc-export'",
    "call": "CALL evil()",
    "do_block": "DO $$BEGIN DELETE FROM teams; END$$",
    "explain_analyze_delete": "EXPLAIN ANALYZE DELETE FROM teams",
    "checkpoint": "CHECKPOINT",
    "vacuum": "VACUUM",
    "show_then_delete": "SHOW search_path; DELETE FROM teams",
    "not_sql": "SELEC 1 FROM",
    "empty": "  ",
}


@pytest.fixture(scope="module", params=BACKENDS)
def guarded_db(request, tmp_path_factory):
    """One small read-only database per backend (PostgreSQL: the shared cluster as superuser root)."""
    fx = FixtureDB(request.param, tmp_path_factory.mktemp(request.param)).load(ROWS)
    db = fx.connect()
    db.fixture = fx
    yield db
    db.dispose()
    fx.cleanup()


@pytest.mark.parametrize("name", list(ATTACKS))
def test_guard_refuses_and_nothing_changes(guarded_db, name):
    with pytest.raises(ReadOnlyViolation):
        guarded_db.read(text(ATTACKS[name]))
    assert guarded_db.scalar(select(func.count()).select_from(teams)) == 1
    assert guarded_db.scalar(select(teams.c.team_name)) == "A"
    assert not Path("/tmp/csc-pwned").exists()


@pytest.mark.parametrize(
    "dialect, sql",
    [
        (None, "SELECT 'delete; drop table teams' AS word"),
        ("postgresql", "SELECT $$;DELETE FROM teams$$ AS s"),
        ("postgresql", "SELECT E'it\\'s; DELETE' AS s"),
        ("postgresql", "SELECT team_id FROM teams WHERE team_id = %(p)s"),
        ("postgresql", "SHOW standard_conforming_strings"),  # SQLAlchemy's PostgreSQL dialect runs it
        ("sqlite", "SELECT team_id FROM teams WHERE team_id = ?"),
        ("sqlite", 'PRAGMA main.table_xinfo("teams")'),
        ("duckdb", "SELECT team_id FROM teams WHERE team_id = $1"),
        ("duckdb", 'SELECT "read_csv" FROM "teams"'),  # a column named like a function is a column
        (None, "WITH x AS (SELECT 1 AS a) SELECT a FROM x UNION ALL SELECT 2"),
        (None, "VALUES (1), (2)"),
    ],
)
def test_queries_pass(dialect, sql):
    check_statement(sql, dialect)


def test_show_with_anything_after_the_name_is_refused():
    with pytest.raises(ReadOnlyViolation):
        check_statement("SHOW search_path; SELECT 1", "postgresql")
    with pytest.raises(ReadOnlyViolation):
        check_statement("PRAGMA table_info(teams); DELETE FROM teams", "sqlite")


def test_refusal_says_why_and_names_no_sql():
    reason = refusal("SELECT pg_read_file('/etc/passwd')", "postgresql")
    assert reason == "refused a statement calling PG_READ_FILE"
    assert refusal("SELECT 1; DELETE FROM teams", "sqlite") == "refused more than one statement in one call"


def test_the_verdict_is_cached_per_statement_text():
    sql = "SELECT team_id FROM teams WHERE team_id = %(p)s AND 'cache-test' = 'cache-test'"
    refusal.cache_clear()
    check_statement(sql, "postgresql")
    check_statement(sql, "postgresql")
    info = refusal.cache_info()
    assert (info.misses, info.hits) == (1, 1)


# --- the database itself refuses, with the guard bypassed -------------------------------------------


def _raw(db):
    """A driver connection of the read-only engine: its statements never meet the guard."""
    return db.engine.raw_connection()


@pytest.fixture
def one_db(make_db):
    return make_db(ROWS)


@pytest.mark.parametrize(
    "sql",
    ["UPDATE teams SET team_name = 'changed'", "DELETE FROM teams", "CREATE TABLE evil (x integer)"],
)
def test_database_refuses_writes_without_the_guard(one_db, sql):
    raw = _raw(one_db)
    try:
        with pytest.raises(Exception):  # noqa: B017 - each driver raises its own class for a refused write
            raw.cursor().execute(sql)
            raw.commit()
    finally:
        raw.close()
    assert one_db.scalar(select(teams.c.team_name)) == "A"
    assert one_db.scalar(select(func.count()).select_from(teams)) == 1


def test_postgresql_smuggle_refused_by_the_session(make_db, backend):
    """The dollar-quoted COMMIT / BEGIN READ WRITE of the issue, sent raw: the session stays read-only."""
    if backend != "postgresql":
        pytest.skip("dollar quoting and BEGIN READ WRITE are PostgreSQL's")
    db = make_db(ROWS)
    raw = _raw(db)
    try:
        cur = raw.cursor()
        cur.execute("SHOW default_transaction_read_only")
        assert cur.fetchone()[0] == "on"
        with pytest.raises(Exception):  # noqa: B017 - psycopg's ReadOnlySqlTransaction
            cur.execute("SELECT $$'$$; COMMIT; DELETE FROM teams; COMMIT; SELECT $$'$$")
            raw.commit()
    finally:
        raw.close()
    assert db.scalar(select(func.count()).select_from(teams)) == 1


def test_postgresql_statement_timeout_bounds_pg_sleep(make_db, backend):
    """``pg_sleep(10)`` sent raw is cancelled by the server after the 1 s statement timeout."""
    if backend != "postgresql":
        pytest.skip("statement_timeout is PostgreSQL's")
    db = make_db(ROWS, timeouts=Timeouts(connect=5, statement=1))
    raw = _raw(db)
    try:
        cur = raw.cursor()
        started = time.monotonic()
        with pytest.raises(Exception, match="statement timeout"):
            cur.execute("SELECT pg_sleep(10)")
        assert time.monotonic() - started < 8  # cancelled at ~1 s, far before the 10 s sleep ends
    finally:
        raw.close()


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM glob('/etc/*')",
        "SELECT * FROM '/etc/passwd'",
        "COPY teams TO '/tmp/csc-duck-copy.csv'",
        "SET enable_external_access = true",
        "INSTALL httpfs",
        "ATTACH '/tmp/csc-duck-attach.duckdb' AS evil",
    ],
)
def test_duckdb_refuses_files_and_settings_without_the_guard(make_db, backend, sql):
    if backend != "duckdb":
        pytest.skip("DuckDB's external access settings")
    db = make_db(ROWS)
    raw = _raw(db)
    try:
        with pytest.raises(Exception):  # noqa: B017 - duckdb's PermissionException / InvalidInputException
            raw.cursor().execute(sql).fetchall()
    finally:
        raw.close()
    assert not Path("/tmp/csc-duck-copy.csv").exists()
    assert not Path("/tmp/csc-duck-attach.duckdb").exists()


def test_sqlite_session_is_hardened(make_db, backend):
    """``trusted_schema`` off and ``query_only`` on, on every connection (set by a raw cursor at connect)."""
    if backend != "sqlite":
        pytest.skip("SQLite pragmas")
    db = make_db(ROWS)
    raw = _raw(db)
    try:
        cur = raw.cursor()
        assert cur.execute("PRAGMA trusted_schema").fetchone()[0] == 0
        assert cur.execute("PRAGMA query_only").fetchone()[0] == 1
    finally:
        raw.close()
