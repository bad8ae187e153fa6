"""Every bad row counted (issue 16 item 7): dates that cannot be read, FTE out of range, over-long text.

Hand-made fixtures on the three backends. Text in a date column is possible on SQLite (no column
types) and on DuckDB when the warehouse's column is text (the fixture turns it into VARCHAR);
PostgreSQL's contract columns are typed ``date``, which cannot hold 'not a date', so there the
FTE and text-length rules are tested and the date rule is shown to find nothing.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from dashboard.filters import load_filter_options
from dashboard.pack.export import FilterError, resolve_filters
from dashboard.sections.base import View
from dashboard.sections.caseloads import PAGE as CASELOADS
from dashboard.url_state import FilterOptions
from data_layer import Filters, caseloads, check_database, data_quality, date_range
from data_layer.checks import main as check_db_main
from data_layer.queries.reference import NO_DATED_RECORDS
from data_layer.schema import metadata
from tests.apps import make_app

LONG_NAME = "N" * 201  # teams.team_name is text(200) in the contract

ROWS = {
    "teams": [{"team_id": "T1", "team_name": "Team one", "service": "CIN/CP"}, {"team_id": "T2", "team_name": "x"}],
    "workers": [
        {"worker_id": "W1", "team_id": "T1", "fte": 1.0, "start_date": date(2023, 1, 1)},
        {"worker_id": "W2", "team_id": "T1", "fte": 0.0, "start_date": date(2023, 1, 1)},
        {"worker_id": "W3", "team_id": "T1", "fte": -0.5, "start_date": date(2023, 1, 1)},
        {"worker_id": "W4", "team_id": "T1", "fte": 1.5, "start_date": date(2023, 1, 1)},
        {"worker_id": "W5", "team_id": "T1", "fte": 0.5, "start_date": date(2023, 1, 1)},
    ],
    "children": [{"child_id": f"C{i}"} for i in range(1, 4)],
    "allocations": [
        {"allocation_id": "A1", "child_id": "C1", "worker_id": "W1", "team_id": "T1", "role": "key_worker",
         "start_date": date(2024, 1, 5)},
        {"allocation_id": "A2", "child_id": "C2", "worker_id": "W5", "team_id": "T1", "role": "key_worker",
         "start_date": date(2024, 1, 5)},
        {"allocation_id": "A3", "child_id": "C3", "worker_id": "W5", "team_id": "T1", "role": "key_worker",
         "start_date": date(2024, 3, 1)},
    ],
    "referrals": [
        {"referral_id": "R1", "child_id": "C1", "referral_date": date(2024, 1, 10)},
        {"referral_id": "R2", "child_id": "C2", "referral_date": date(2024, 1, 11)},
        {"referral_id": "R3", "child_id": "C3", "referral_date": date(2024, 1, 12)},
    ],
}  # fmt: skip

#: (table, column, value) written as text after the load: not dates, though 2024-02-30 looks like one.
TEXT_DATES = (
    ("workers", "start_date", "not a date", "worker_id", "W5"),
    ("referrals", "referral_date", "2024-02-30", "referral_id", "R2"),
    ("referrals", "referral_date", "not a date", "referral_id", "R3"),
)


def _as_varchar(table: str, column: str) -> list[str]:
    """DuckDB: make a contract date column text, as a warehouse's may be (its indexes go first)."""
    drops = [f"DROP INDEX {ix.name}" for ix in metadata.tables[table].indexes]
    return [*drops, f"ALTER TABLE {table} ALTER {column} TYPE VARCHAR"]


def _write(fx, sql: list[str]) -> None:
    engine = create_engine(fx.write_url, poolclass=NullPool)
    with engine.begin() as conn:
        for s in sql:
            conn.execute(text(s))
    engine.dispose()


def _bad_db(make_db, backend: str, text_dates: bool = True):
    """The fixture, then what the contract's types cannot say: text dates (not on PostgreSQL) and a long name."""
    db = make_db({k: [dict(r) for r in v] for k, v in ROWS.items()})
    fx = db.fixture
    sql = []
    if backend == "postgresql":
        sql.append("ALTER TABLE teams ALTER COLUMN team_name TYPE text")  # VARCHAR(200) would refuse it
    sql.append(f"UPDATE teams SET team_name = '{LONG_NAME}' WHERE team_id = 'T2'")
    if text_dates and backend != "postgresql":
        if backend == "duckdb":
            sql += [s for t, c in sorted({(t, c) for t, c, *_ in TEXT_DATES}) for s in _as_varchar(t, c)]
        sql += [f"UPDATE {t} SET {c} = '{v}' WHERE {k} = '{i}'" for t, c, v, k, i in TEXT_DATES]
    _write(fx, sql)
    db.dispose()
    return fx.connect()


def _counts(df, kinds=("unreadable_date", "out_of_range", "text_too_long")):
    return {(r.check, r.table, r.column, r.detail): (r.rows, r.table_rows) for r in df.itertuples() if r.check in kinds}


def test_bad_values_counted_exactly(make_db, backend):
    db = _bad_db(make_db, backend)
    got = _counts(data_quality(db))
    expected = {
        # W2 (0), W3 (-0.5), W4 (1.5); W1 (1.0) and W5 (0.5) are in range
        ("out_of_range", "workers", "fte", "0 or less, or over 1"): (3, 5),
        ("text_too_long", "teams", "team_name", "over 200 characters"): (1, 2),
    }
    if backend != "postgresql":
        expected[("unreadable_date", "workers", "start_date", "not a date")] = (1, 5)
        expected[("unreadable_date", "referrals", "referral_date", "not a date")] = (2, 3)
    assert got == expected


def test_date_range_ignores_unreadable_dates(make_db, backend):
    db = _bad_db(make_db, backend)
    # allocations 5 Jan and 1 Mar, referrals 10 Jan (+ 11 and 12 Jan on PostgreSQL, where no text fits)
    assert date_range(db) == (date(2024, 1, 5), date(2024, 3, 1))
    options = load_filter_options(db)
    assert (options.earliest, options.latest, options.dated) == (date(2024, 1, 5), date(2024, 3, 1), True)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_date_range_walks_past_unreadable_values_at_either_end(make_db, backend):
    """SQLite reads the earliest and latest off the column's order: values that sort first (a number,
    a date that does not exist) or last (text, a blob) are stepped over, and a date with a time counts
    as its day. The answer is the one parsing every row gives."""
    db = make_db({k: [dict(r) for r in v] for k, v in ROWS.items()})
    fx = db.fixture
    db.dispose()
    _write(
        fx,
        [
            "UPDATE referrals SET referral_date = 20230101 WHERE referral_id = 'R1'",
            "UPDATE referrals SET referral_date = '2023-02-30' WHERE referral_id = 'R2'",
            "UPDATE referrals SET referral_date = '2024-03-09 10:30' WHERE referral_id = 'R3'",
            "INSERT INTO referrals (referral_id, child_id, referral_date) VALUES "
            "('R4', 'C1', 'not a date'), ('R5', 'C2', X'32303235'), ('R6', 'C3', '2023-12-31'), "
            "('R7', 'C1', '9999-99-99')",
        ],
    )
    db = fx.connect()
    raw = pd.read_sql("SELECT referral_date AS d FROM referrals UNION ALL SELECT start_date FROM allocations", fx.url)
    readable = [date.fromisoformat(v[:10]) for v in raw["d"] if isinstance(v, str) and _is_iso_day(v[:10])]
    assert (min(readable), max(readable)) == (date(2023, 12, 31), date(2024, 3, 9))
    assert date_range(db) == (date(2023, 12, 31), date(2024, 3, 9))


def _is_iso_day(text: str) -> bool:
    try:
        return date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


@pytest.mark.parametrize("backend", ["sqlite"])
def test_caseloads_say_a_text_date_row_is_left_out(make_db, backend):
    """SQLite (text in any column): W5's start date is text, so W5 is not "in post" and their two
    children drop out of the caseloads; the charts and the data-quality note say so."""
    db = _bad_db(make_db, backend)
    f = Filters(as_at=date(2024, 3, 31))
    assert sorted(caseloads(db, f)["worker_id"]) == ["W1", "W2", "W3", "W4"]  # W5 left out
    sections = CASELOADS.part("body")(db, View.make(f, presentation=False))
    charts = {i.id: i for s in sections for i in s.items}
    for chart_id in ("caseloads-workers", "caseloads-distribution", "caseloads-trend"):
        assert "3 rows with a date that cannot be read (referrals.referral_date, workers.start_date) left out" in (
            charts[chart_id].note
        ), chart_id
    dq = charts["caseloads-data-quality-table"]
    rows = {(r.column, r.problem, r.value): r.rows for r in dq.rows.itertuples()}
    assert rows[("workers.start_date", "Dates that cannot be read as dates", "not a date")] == 1
    assert rows[("referrals.referral_date", "Dates that cannot be read as dates", "not a date")] == 2
    assert rows[("workers.fte", "Numbers out of range", "0 or less, or over 1")] == 3
    assert rows[("teams.team_name", "Text longer than the contract allows", "over 200 characters")] == 1
    assert dq.title.startswith("Data quality: 7 bad rows")


def test_check_db_lists_each_rule(make_db, backend):
    db = _bad_db(make_db, backend)
    report = check_database(db)
    lines = report.format().splitlines()
    assert "Dates: events from 5 January 2024 to 1 March 2024 (the latest is the default as-at date)." in lines
    assert "  Numbers out of range:" in lines
    assert "    workers.fte: 3 of 5 rows (0 or less, or over 1)" in lines
    assert "  Text longer than the contract allows:" in lines
    assert "    teams.team_name: 1 of 2 rows (over 200 characters)" in lines
    if backend != "postgresql":
        assert "  Dates that cannot be read as dates:" in lines
        assert "    workers.start_date: 1 of 5 rows (not a date)" in lines
        assert "    referrals.referral_date: 2 of 3 rows (not a date)" in lines
    else:
        assert "  Dates that cannot be read as dates:" not in lines


def _empty_db(make_db):
    return make_db({})


def test_empty_database_says_it_holds_no_dated_records(make_db, capsys):
    db = _empty_db(make_db)
    assert date_range(db) == (None, None)
    options = load_filter_options(db)
    assert (options.dated, options.latest, options.earliest) == (False, date.today(), None)
    assert check_db_main(db.fixture.url) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[out.index("Dates: " + NO_DATED_RECORDS + ".") + 1] == (
        "  The dashboard shows today's date as the as-at date, and empty figures, until there are "
        "(dates that cannot be read are counted under bad rows)."
    )
    assert NO_DATED_RECORDS == (
        "The database holds no dated records: no referral, allocation, plan, looked-after episode or visit "
        "has a date that can be read"
    )


@pytest.mark.parametrize("backend", ["sqlite", "duckdb"])
def test_all_dates_unreadable_is_no_dated_records(make_db, backend):
    """Every event date text: nothing to default to, and each is counted."""
    db = make_db({"teams": ROWS["teams"][:1], "children": ROWS["children"][:1], "referrals": ROWS["referrals"][:1]})
    fx = db.fixture
    db.dispose()
    sql = _as_varchar("referrals", "referral_date") if backend == "duckdb" else []
    _write(fx, [*sql, "UPDATE referrals SET referral_date = '31/03/2024'"])
    db = fx.connect()
    assert date_range(db) == (None, None)
    assert not load_filter_options(db).dated
    assert _counts(data_quality(db)) == {("unreadable_date", "referrals", "referral_date", "not a date"): (1, 1)}


@pytest.mark.parametrize("backend", ["sqlite"])
def test_shell_shows_the_no_dated_records_message(make_db, backend):
    """The served layout (real WSGI request) carries the message instead of a silent today."""
    app = make_app(db=_empty_db(make_db))
    resp = app.server.test_client().get("/_dash-layout")
    assert resp.status_code == 200
    body = resp.get_data(as_text=True)
    assert "No dated records" in body
    assert "The database holds no dated records" in body
    assert "The as-at date shown is today" in body


def test_export_asks_for_an_as_at_date_when_nothing_is_dated():
    """The board pack never defaults to today: with no dated records it needs ``--as-at``."""
    undated = FilterOptions(latest=date.today(), dated=False)
    with pytest.raises(FilterError, match="The database holds no dated records.*give --as-at"):
        resolve_filters(undated, None, (), ())
    assert resolve_filters(undated, date(2024, 3, 31), (), ()).as_at == date(2024, 3, 31)
