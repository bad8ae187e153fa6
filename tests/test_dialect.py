"""Dialect constructs: the same answers on SQLite, DuckDB and PostgreSQL; SQL Server compiles."""

from datetime import date

import pytest
from sqlalchemy import Date, literal, select
from sqlalchemy.dialects import mssql

from data_layer import Filters, caseload_trend, caseloads, unallocated
from data_layer.dialect import dates_table, days_between, greatest, least, month_start, week_start
from data_layer.filters import months_cutoff


def _one(db, expr):
    return db.scalar(select(expr))


@pytest.fixture
def db(make_db):
    return make_db({"teams": [dict(team_id="T1", team_name="Demo A", service="CIN/CP")]})


def test_date_arithmetic_agrees(db):
    assert _one(db, days_between(literal(date(2023, 3, 1), Date), literal(date(2022, 2, 28), Date))) == 366
    assert _one(db, days_between(literal(date(2023, 3, 1), Date), literal(date(2023, 3, 1), Date))) == 0
    assert str(_one(db, week_start(literal(date(2023, 3, 5), Date)))) == "2023-02-27"  # Sunday -> Monday
    assert str(_one(db, week_start(literal(date(2023, 2, 27), Date)))) == "2023-02-27"
    assert str(_one(db, month_start(literal(date(2023, 3, 31), Date)))) == "2023-03-01"
    a, b = literal(date(2023, 1, 1), Date), literal(date(2023, 2, 1), Date)
    assert str(_one(db, greatest(a, b))) == "2023-02-01"
    assert str(_one(db, least(a, b))) == "2023-01-01"


def test_dates_table_round_trips(db):
    dt = dates_table([date(2023, 1, 2), date(2023, 1, 9)])
    got = db.read(select(dt.c.d).order_by(dt.c.d))
    assert [str(x) for x in got.d] == ["2023-01-02", "2023-01-09"]
    assert db.is_demo  # team names starting "Demo " mark synthetic data


@pytest.mark.parametrize(
    "d,n,cut",
    [
        (date(2023, 3, 1), 9, date(2022, 6, 1)),  # 31 May + 9 months = 28 Feb < 1 Mar: flagged
        (date(2023, 2, 28), 9, date(2022, 5, 28)),  # 28-31 May + 9 months = 28 Feb: not more than 9 months
        (date(2023, 3, 31), 12, date(2022, 3, 31)),
        (date(2024, 2, 29), 12, date(2023, 3, 1)),  # 28 Feb 2023 + 12 months = 28 Feb 2024 < 29 Feb: flagged
    ],
)
def test_months_cutoff(d, n, cut):
    from dateutil.relativedelta import relativedelta

    assert months_cutoff(d, n) == cut
    assert cut + relativedelta(months=n) >= d
    assert (cut - relativedelta(days=1)) + relativedelta(months=n) < d


def test_sql_server_compiles():
    """Most authorities' warehouses are SQL Server: every construct and query must compile there."""
    dialect = mssql.dialect()
    for expr in (
        days_between(literal(date(2023, 1, 2)), literal(date(2023, 1, 1))),
        week_start(literal(date(2023, 1, 1))),
        month_start(literal(date(2023, 1, 1))),
        greatest(literal(1), literal(2)),
    ):
        sql = str(select(expr).compile(dialect=dialect))
        assert "julianday" not in sql and "date_trunc" not in sql
    assert "DATEDIFF(day" in str(
        select(days_between(literal(date(2023, 1, 2)), literal(date(2023, 1, 1)))).compile(dialect=dialect)
    )


def test_sql_server_compiles_page_queries(monkeypatch):
    """Capture the statements the caseload functions build and compile them for SQL Server."""
    from data_layer.engine import Database
    from data_layer.standards import load_standards

    compiled = []

    class Fake(Database):
        def read(self, query, params=None):
            compiled.append(str(query.compile(dialect=mssql.dialect())))
            raise _Stop

    class _Stop(Exception):
        pass

    fake = Fake(engine=None, standards=load_standards())
    for fn in (caseloads, unallocated, caseload_trend):
        with pytest.raises(_Stop):
            fn(fake, Filters(date(2023, 3, 1), teams=("T1",)))
    assert len(compiled) == 3 and all("SELECT" in s for s in compiled)
