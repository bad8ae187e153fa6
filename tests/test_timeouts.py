"""Timeouts from the environment and the bounded reader: a hung read never holds its caller past the
deadline, and a database that holds every reader slot makes new reads fail at once."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from dashboard.settings import Settings
from data_layer.errors import DatabaseTimeout
from data_layer.timeouts import BoundedReader, Timeouts

ROWS = {"teams": [dict(team_id="T1", team_name="A", service="CIN/CP", area="N")]}


def test_timeouts_from_the_environment():
    assert Timeouts.from_env({}) == Timeouts(connect=5, statement=30)
    t = Timeouts.from_env({"CSC_DB_CONNECT_TIMEOUT": "2", "CSC_DB_STATEMENT_TIMEOUT": "7.5"})
    assert (t.connect, t.statement, t.deadline) == (2, 7.5, 9.5)
    # nonsense falls back to the defaults rather than to no timeout at all
    assert Timeouts.from_env({"CSC_DB_CONNECT_TIMEOUT": " ", "CSC_DB_STATEMENT_TIMEOUT": ""}) == Timeouts()
    for key, value in [
        ("CSC_DB_CONNECT_TIMEOUT", "x"),
        ("CSC_DB_STATEMENT_TIMEOUT", "-1"),
        ("CSC_DB_STATEMENT_TIMEOUT", "inf"),
    ]:
        with pytest.raises(ValueError, match=key):
            Timeouts.from_env({key: value})
    assert Settings.from_env({"CSC_DB_STATEMENT_TIMEOUT": "12"}).db_timeouts == Timeouts(5, 12)


def test_the_message_names_the_wait_only():
    assert str(DatabaseTimeout(35)) == "The database did not answer within 35 seconds."


def test_stuck_slots_make_new_reads_fail_at_once_then_recover():
    reader = BoundedReader(2, Timeouts(connect=0.1, statement=0.2))
    release = threading.Event()
    calls = []

    def hang(on_start):
        calls.append(1)
        release.wait(30)
        return "late"

    for _ in range(2):
        with pytest.raises(DatabaseTimeout):
            reader.run(hang)
    assert reader.stuck == 2
    with pytest.raises(DatabaseTimeout, match="did not answer within 0 seconds"):
        reader.run(hang)
    assert len(calls) == 2  # the third read never reached a worker: it was refused, not queued
    release.set()
    done = threading.Event()
    while reader.stuck:
        done.wait(0.01)
    assert reader.run(lambda on_start: "answered") == "answered"
    reader.shutdown()


@pytest.mark.parametrize(
    "backend_sql",
    [
        ("sqlite", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"),
        ("duckdb", "SELECT sum(a.range * b.range) FROM range(1000000000) a, range(1000000000) b"),
    ],
    ids=["sqlite", "duckdb"],
)
def test_a_runaway_query_is_interrupted_at_the_deadline(make_db, backend, backend_sql):
    """SQLite and DuckDB have no server to time a statement out: the reader interrupts it, which frees the slot."""
    want, sql = backend_sql
    if backend != want:
        pytest.skip(f"{want} only")
    db = make_db(ROWS, timeouts=Timeouts(connect=0.5, statement=0.5))
    with pytest.raises(DatabaseTimeout):
        db.scalar(text(sql))
    waited = threading.Event()
    for _ in range(1000):  # the interrupted statement returns and gives its slot back
        if db.reader.stuck == 0:
            break
        waited.wait(0.01)
    assert db.reader.stuck == 0
    assert db.scalar(text("SELECT count(*) FROM teams")) == 1
