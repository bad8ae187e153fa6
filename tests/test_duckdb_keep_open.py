"""A serving app holds its DuckDB database open between reads (``Database.keep_open``, issue 17),
within the memory ``CSC_DUCKDB_MEMORY_MB`` allows.

Without it every read opened the database afresh (27 ms a read at 5,000 children). What the tests
can see of it: while held, the process's DuckDB instance is the read-only one, so a read-write
connection to the same file is refused; after ``dispose`` it is not. A plain ``connect`` (scripts,
tests that change their fixture) holds nothing between reads.
"""

from __future__ import annotations

import duckdb
import pytest
from sqlalchemy import func, select, text

from dashboard.app import create_app
from dashboard.settings import Settings
from data_layer import DatabaseError
from tests.fixtures import FixtureDB

ROWS = {"teams": [{"team_id": "T1", "team_name": "Team 1", "service": "S"}]}


def _writer_can_open(path: str) -> bool:
    try:
        duckdb.connect(path).close()
    except duckdb.Error:
        return False
    return True


@pytest.fixture
def fixture_db(tmp_path):
    fx = FixtureDB("duckdb", tmp_path).load(ROWS)
    return fx, fx.url.removeprefix("duckdb:///")


def _count_teams(db) -> int:
    return int(db.read(select(func.count().label("n")).select_from(db.tables.teams))["n"].iloc[0])


def test_the_app_holds_the_database_open_until_disposed(fixture_db):
    fx, path = fixture_db
    db = fx.connect()
    create_app(db=db, settings=Settings(database_url=fx.url))
    assert _count_teams(db) == 1
    assert _count_teams(db) == 1  # reads go on as before, on their own connections
    assert not _writer_can_open(path)
    db.dispose()
    assert _writer_can_open(path)


def test_a_plain_connection_holds_nothing_between_reads(fixture_db):
    fx, path = fixture_db
    db = fx.connect()
    assert _count_teams(db) == 1
    assert _writer_can_open(path)
    db.dispose()


def test_keep_open_is_once_and_a_no_op_elsewhere(fixture_db, tmp_path):
    fx, path = fixture_db
    db = fx.connect()
    db.keep_open()
    held = db._keeper
    db.keep_open()
    assert db._keeper is held
    db.dispose()
    assert _writer_can_open(path)
    sqlite = FixtureDB("sqlite", tmp_path).load(ROWS).connect()
    sqlite.keep_open()
    assert _count_teams(sqlite) == 1 and sqlite._keeper is None
    sqlite.dispose()


def _memory_limit(db) -> str:
    return str(db.read(text("SELECT current_setting('memory_limit') AS m"))["m"].iloc[0])


@pytest.mark.parametrize("value, shown", [(None, "244.1 MiB"), ("64", "61.0 MiB"), ("0", None)])
def test_duckdb_memory_is_limited_as_set(fixture_db, monkeypatch, value, shown):
    fx, _path = fixture_db
    if value is None:
        monkeypatch.delenv("CSC_DUCKDB_MEMORY_MB", raising=False)
    else:
        monkeypatch.setenv("CSC_DUCKDB_MEMORY_MB", value)
    db = fx.connect()
    db.keep_open()
    limit = _memory_limit(db)
    db.dispose()
    if shown is None:  # DuckDB's own: 80% of this machine's memory, far above the default
        assert "GiB" in limit or float(limit.split()[0]) > 256
    else:
        assert limit == shown  # 256 MB and 64 MB as DuckDB prints them (MiB)


@pytest.mark.parametrize("value", ["lots", "16", "-5", "1.5"])
def test_a_bad_duckdb_memory_setting_is_refused_by_name(fixture_db, monkeypatch, value):
    fx, _path = fixture_db
    monkeypatch.setenv("CSC_DUCKDB_MEMORY_MB", value)
    with pytest.raises(DatabaseError, match=f"CSC_DUCKDB_MEMORY_MB='{value}'"):
        fx.connect()


def test_an_app_on_a_database_that_cannot_be_held_still_starts(fixture_db):
    fx, path = fixture_db
    db = fx.connect()
    writer = duckdb.connect(path)  # a writer holds the file: no read-only connection can open now
    try:
        create_app(db=db, settings=Settings(database_url=fx.url))  # no exception: the pages say what failed
        assert db._keeper is None
    finally:
        writer.close()
    assert _count_teams(db) == 1  # and once the writer has gone, reads work as before
    db.dispose()
