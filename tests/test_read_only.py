"""The data layer never writes: the guard refuses non-queries on every backend, and the
connection itself is read-only where the database supports it."""

import pytest
from sqlalchemy import delete, func, insert, select, text, update

from data_layer import ReadOnlyViolation
from data_layer.engine import check_statement
from data_layer.schema import teams

ROWS = {"teams": [dict(team_id="T1", team_name="A", service="CIN/CP", area="N")]}

WRITES = [
    insert(teams).values(team_id="T9", team_name="x"),
    update(teams).values(team_name="changed"),
    delete(teams),
    text("DROP TABLE teams"),
    text("CREATE TABLE evil (x integer)"),
    text("ALTER TABLE teams ADD COLUMN evil integer"),
    text("SELECT 1; DELETE FROM teams"),
    text("WITH gone AS (DELETE FROM teams RETURNING *) SELECT * FROM gone"),
]


@pytest.mark.parametrize("stmt", WRITES, ids=lambda s: str(s).split()[0] + "_" + str(WRITES.index(s)))
def test_writes_refused_and_nothing_changes(make_db, stmt):
    db = make_db(ROWS)
    with pytest.raises(ReadOnlyViolation):
        db.read(stmt)
    assert db.scalar(select(func.count()).select_from(teams)) == 1
    assert db.scalar(select(teams.c.team_name)) == "A"


def test_connection_itself_is_read_only(make_db):
    """Bypassing the guard (raw driver cursor) still cannot write where the database enforces it."""
    db = make_db(ROWS)
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        with pytest.raises(Exception):  # noqa: B017 - each driver raises its own error class for a refused write
            cur.execute("UPDATE teams SET team_name = 'changed'")
            raw.commit()
    finally:
        raw.close()
    assert db.scalar(select(teams.c.team_name)) == "A"


@pytest.mark.parametrize(
    "sql",
    [
        "select 1",
        "SELECT 'delete' AS word",
        "WITH x AS (SELECT 1) SELECT * FROM x",
        "-- drop\nSELECT 1",
        'PRAGMA main.table_xinfo("teams")',
    ],
)
def test_queries_pass(sql):
    check_statement(sql)


@pytest.mark.parametrize(
    "sql",
    [
        "PRAGMA journal_mode = WAL",
        "SELECT 1 INTO t2",
        "update t set a=1",
        "/* select */ delete from t",
        "SET search_path TO x",
    ],
)
def test_non_queries_refused(sql):
    with pytest.raises(ReadOnlyViolation):
        check_statement(sql)
