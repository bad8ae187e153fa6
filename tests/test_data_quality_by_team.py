"""Data-quality counts made once per team and selected per filter equal the counts made per filter.

``data_layer.checks.bad_rows_by_team`` counts every table grouped by its team columns and
``select_bad_rows`` answers a team or service filter from that in pandas (issue 17: counted once per
database, not per filter). ``tests/data_quality_oracle.py`` keeps the per-filter SQL it replaced;
on the bad-rows fixture (every kind of bad row, hand-checked in tests/test_checks.py) and on the
demo, on every backend, both give the same frame for every filter tried.
"""

from __future__ import annotations

import itertools
from datetime import date

import pandas as pd
import pytest

from benchmarks.build import build
from data_layer import Filters, bad_rows_by_team, connect, data_quality, select_bad_rows, team_options
from tests.data_quality_oracle import data_quality_oracle
from tests.test_checks import BAD, _a

D = date(2023, 3, 1)


def _filters(teams: list[str], services: list[str]) -> list[Filters]:
    out = [Filters(D)]
    out += [Filters(D, teams=(t,)) for t in teams]
    out += [Filters(D, teams=pair) for pair in itertools.combinations(teams[:4], 2)]
    out += [Filters(D, services=(s,)) for s in services]
    out += [Filters(D, teams=(teams[0],), services=(s,)) for s in services]
    out.append(Filters(D, teams=("no such team",)))
    return out


def test_every_filter_on_the_bad_rows_fixture_counts_as_in_sql(make_db):
    db = make_db(BAD)
    by_team = bad_rows_by_team(db)
    for f in _filters(["T1", "T2", "T8", "T9"], ["CIN/CP", "Assessment", "No such service"]):
        pd.testing.assert_frame_equal(
            select_bad_rows(by_team, f.teams, f.services), data_quality_oracle(db, f), obj=repr(f)
        )


@pytest.fixture(scope="module")
def demo_dbs(tmp_path_factory):
    """A 600-child demo (with its injected bad rows) as SQLite and DuckDB files of this test's own.

    Not PostgreSQL: its copy is one schema shared by every process (``benchmarks.build``), and the
    bad-rows fixture above already runs the grouped SQL there."""
    data = tmp_path_factory.mktemp("dq-demo")
    opened = {}
    yield lambda backend: opened.setdefault(backend, connect(build(600, 4, backend, data)))
    for db in opened.values():
        db.dispose()


@pytest.mark.parametrize("file_backend", ["sqlite", "duckdb"])
def test_every_filter_on_the_demo_counts_as_in_sql(demo_dbs, file_backend):
    db = demo_dbs(file_backend)
    options = team_options(db)
    by_team = bad_rows_by_team(db)
    found = 0
    for f in _filters(options["team_id"].tolist(), sorted(set(options["service"]))):
        for tables in (None, ("workers", "allocations")):
            expected = data_quality_oracle(db, f, tables)
            got = select_bad_rows(by_team if tables is None else bad_rows_by_team(db, tables), f.teams, f.services)
            pd.testing.assert_frame_equal(got, expected, obj=f"{f!r} {tables}")
            found += int(expected["rows"].sum())
    assert found > 100  # the demo's bad rows were really compared


def test_an_id_repeated_in_two_teams_is_a_duplicate_only_with_both_selected(make_db):
    rows = {k: v for k, v in BAD.items() if k in ("teams", "workers", "children")}
    rows["allocations"] = [_a("A1", "C1", "W1", "T1"), _a("A1", "C1", "W1", "T2"), _a("A2", "C1", "W1", "T1")]
    db = make_db(rows)

    def duplicates(f):
        df = data_quality(db, f, ("allocations",))
        return int(df.loc[df["check"] == "duplicate_id", "rows"].sum())

    assert duplicates(None) == 1
    assert duplicates(Filters(D, teams=("T1",))) == 0
    assert duplicates(Filters(D, teams=("T2",))) == 0
    assert duplicates(Filters(D, teams=("T1", "T2"))) == 1
    assert duplicates(Filters(D, services=("Assessment",))) == 0  # T2 only
    for f in (None, Filters(D, teams=("T1",)), Filters(D, teams=("T1", "T2"))):
        pd.testing.assert_frame_equal(data_quality(db, f), data_quality_oracle(db, f))


def test_the_counts_per_team_hold_no_ids(make_db):
    """Only counts, codes and team ids leave the database: a repeated id is a rank."""
    by_team = bad_rows_by_team(make_db(BAD))
    dups = by_team[by_team["check"] == "duplicate_id"]
    assert len(dups) and set(dups["item"]) <= {"1", "2", "3"}
    ids = {"C1", "C2", "A1", "W1", "W2", "W3", "W4", "P1", "P2", "P3", "R1", "R2", "R7", "X1", "X2", "V1", "V2", "V3"}
    held = set(by_team[["detail", "item", "team_1", "team_2"]].astype(str).to_numpy().ravel())
    assert not held & ids


@pytest.mark.parametrize("file_backend", ["sqlite", "duckdb"])
def test_the_counts_per_team_come_in_one_order_every_time(demo_dbs, file_backend):
    """DuckDB returns groups in no fixed order between runs; the cache check compares frames."""
    db = demo_dbs(file_backend)
    first = bad_rows_by_team(db)
    keys = ["check", "column", "detail", "item", "team_1", "team_2"]
    for _table, rows in first.groupby("table", sort=False):
        pd.testing.assert_frame_equal(rows, rows.sort_values(keys, kind="mergesort"))
    for _ in range(3):
        pd.testing.assert_frame_equal(bad_rows_by_team(db), first)
