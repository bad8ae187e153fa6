"""The interval-delta caseload trend equals the definition it replaced (tests/caseload_trend_oracle.py),
on hand-made fixtures and on the demo, on SQLite, DuckDB and PostgreSQL (issue 17 item 5)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pandas as pd
import pytest

from benchmarks.build import build
from data_layer import Filters, caseload_trend, caseloads, connect, date_range, drift_trend, team_options
from tests.caseload_trend_oracle import caseload_trend_oracle
from tests.test_caseloads import ROWS, _alloc, _worker

D = date(2023, 3, 1)  # a Wednesday; the trend's dates are D, 22 Feb, 15 Feb, ... (weekly)
W1 = D - timedelta(weeks=1)
W2 = D - timedelta(weeks=2)
W3 = D - timedelta(weeks=3)

#: One worker, children whose allocations overlap, touch, repeat and end on the trend's dates.
OVERLAPS = {
    "teams": [dict(team_id="T1", team_name="One", service="CIN/CP"), dict(team_id="T2", team_name="Two", service="X")],
    "workers": [
        _worker("W1", "T1"),
        _worker("W2", "T2", fte=0.04, start=W2),  # joins on a trend date: in post from then
        _worker("W3", "T1", end=W1),  # leaves on a trend date: not in post from then
    ],
    "children": [dict(child_id=f"C{i}", birth_date=date(2012, 1, 1)) for i in range(1, 10)],
    "allocations": [
        # C1: nested allocations (the outer covers the inner) -> 1 on every date
        _alloc("A1", "C1", "W1", date(2022, 1, 1)),
        _alloc("A2", "C1", "W1", W2, end=W1),
        # C2: partly overlapping, then a gap, then again: counted once where they overlap
        _alloc("A3", "C2", "W1", date(2022, 1, 1), end=W2 + timedelta(days=1)),  # open on W3 and W2
        _alloc("A4", "C2", "W1", W2, end=W1),  # open on W2 only (ends on W1)
        _alloc("A5", "C2", "W1", D),  # starts on D: counted on D
        # C3: the same allocation twice, then one ending the day after W1
        _alloc("A6", "C3", "W1", W3, end=W1 + timedelta(days=1)),
        _alloc("A7", "C3", "W1", W3, end=W1 + timedelta(days=1)),
        # C4: one day open, between two trend dates: never on a trend date
        _alloc("A8", "C4", "W1", W3 + timedelta(days=2), end=W3 + timedelta(days=3)),
        # C5: ended before the first date; C6: starts after D
        _alloc("A9", "C5", "W1", date(2021, 1, 1), end=date(2021, 6, 1)),
        _alloc("A10", "C6", "W1", D + timedelta(days=1)),
        # C7: not a key worker; C8: awaiting allocation (no worker)
        _alloc("A11", "C7", "W1", date(2022, 1, 1), role="involved"),
        _alloc("A12", "C8", None, date(2022, 1, 1)),
        # C9: with W2 (1 case, target 1.0: not over), and with W3 who leaves
        _alloc("A13", "C9", "W2", date(2022, 1, 1), team="T2"),
        _alloc("A14", "C9", "W3", date(2022, 1, 1)),
    ],
}


def _same(db, f, weeks):
    new, old = caseload_trend(db, f, weeks), caseload_trend_oracle(db, f, weeks)
    pd.testing.assert_frame_equal(new, old, check_exact=False, rtol=1e-12)
    return new


def test_overlapping_allocations_hand_worked(make_db):
    db = make_db(OVERLAPS)
    trend = _same(db, Filters(D), 4)
    assert list(trend["as_at"]) == [W3, W2, W1, D]
    # W1's cases: W3 {C1, C2, C3} = 3; W2 {C1, C2, C3} = 3; W1 {C1, C3} = 2; D {C1, C2} = 2
    # W2 (in post from W2): 1 case on W2, W1, D; W3 (left on W1): 1 case on W3 and W2
    assert list(trend["workers"]) == [2, 3, 2, 2]
    assert list(trend["average_caseload"]) == pytest.approx([(3 + 1) / 2, (3 + 1 + 1) / 3, (2 + 1) / 2, (2 + 1) / 2])
    assert list(trend["over_target"]) == [0, 0, 0, 0]  # W2: 1 case against a target of 1.0
    only_t2 = _same(db, Filters(D, teams=("T2",)), 4)
    assert list(only_t2["workers"]) == [0, 1, 1, 1]
    assert only_t2["pct_over_target"].isna().tolist() == [True, False, False, False]  # nobody in post on W3


def test_the_trend_agrees_with_the_point_in_time_caseloads(make_db):
    db = make_db(OVERLAPS)
    trend = caseload_trend(db, Filters(D), 4)
    for row in trend.itertuples():
        snap = caseloads(db, Filters(row.as_at))
        assert row.workers == len(snap)
        assert row.average_caseload == pytest.approx(snap["cases"].mean())


@pytest.mark.parametrize("weeks", [1, 3, 52])
def test_equals_the_old_definition_on_the_caseloads_fixture(make_db, weeks):
    db = make_db(ROWS)
    for f in (Filters(D), Filters(D, teams=("T2",)), Filters(D, services=("CIN/CP",)), Filters(date(2022, 6, 15))):
        _same(db, f, weeks)


@pytest.fixture(scope="module")
def demo_dbs(tmp_path_factory):
    """The 600-child demo on each backend (benchmarks.build: the SQLite file copied into DuckDB and PostgreSQL)."""
    data = tmp_path_factory.mktemp("trend-demo")
    opened = {}
    yield lambda backend: opened.setdefault(backend, connect(build(600, 3, backend, data)))
    for db in opened.values():
        db.dispose()


def test_equals_the_old_definition_on_the_demo(demo_dbs, backend):
    db = demo_dbs(backend)
    latest = date_range(db)[1]
    team = tuple(team_options(db)["team_id"].iloc[:2])
    checked = 0
    for f in (Filters(latest), Filters(latest - timedelta(days=100), teams=team), Filters(latest - timedelta(days=3))):
        trend = _same(db, f, 52)
        checked += int(trend["workers"].sum())
    assert checked > 1000  # the demo's workers were really compared, week by week


def test_the_week_before_is_the_trend_without_its_last_week(demo_dbs, backend):
    """What the Overview's week-before tiles rely on (dashboard.tiles.week_before_fetch): the trend as
    at D-7 ends on the same rows as the trend as at D without its last week."""
    db = demo_dbs(backend)
    latest = date_range(db)[1]
    team = tuple(team_options(db)["team_id"].iloc[:2])
    for f in (Filters(latest), Filters(latest - timedelta(days=40), teams=team)):
        now = caseload_trend(db, f, 52)
        before = caseload_trend(db, replace(f, as_at=f.as_at - timedelta(days=7)), 52)
        assert before["as_at"].iloc[-1] == now["as_at"].iloc[-2]
        pd.testing.assert_frame_equal(before.iloc[1:].reset_index(drop=True), now.iloc[:-1].reset_index(drop=True))
        assert now["workers"].iloc[:-1].sum() > 0


def test_the_plan_trend_on_one_date_is_its_last_row(demo_dbs, backend):
    """The other half of week_before_fetch: each date of the monthly plan trend is worked out on its
    own, so the trend asked for D-7 alone (``months=0``) is the last row of the 12-month trend as at D-7."""
    db = demo_dbs(backend)
    latest = date_range(db)[1]
    team = tuple(team_options(db)["team_id"].iloc[:2])
    for f in (Filters(latest - timedelta(days=7)), Filters(latest - timedelta(days=40), teams=team)):
        year = drift_trend(db, f, 12)
        one = drift_trend(db, f, 0)
        assert len(year) == 13 and len(one) == 1
        pd.testing.assert_frame_equal(one, year.iloc[-1:].reset_index(drop=True))
        assert year["open_cin"].iloc[-1] > 0
