"""Everything SQL that differs between databases, as constructs compiled per dialect.

One Core query builder serves SQLite, PostgreSQL, DuckDB and SQL Server; only these few
expressions are spelt differently. Each construct's default compilation is ANSI/PostgreSQL-like
(DuckDB accepts it); SQLite and SQL Server get their own. This is the one module that uses
``@compiles`` or asks which database it is talking to (a test holds every other module to that);
how a connection is opened read-only per database is :mod:`data_layer.engine`'s business.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Date, DateTime, Integer, and_, literal, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import NullType


class days_between(FunctionElement):
    """Whole days from ``start`` to ``end`` (``end - start``); NULL if either is NULL."""

    type = Integer()
    inherit_cache = True
    name = "days_between"

    def __init__(self, end, start):
        super().__init__(end, start)


@compiles(days_between)
def _days_default(el, compiler, **kw):
    end, start = list(el.clauses)
    return f"(CAST({compiler.process(end, **kw)} AS DATE) - CAST({compiler.process(start, **kw)} AS DATE))"


@compiles(days_between, "duckdb")
def _days_duckdb(el, compiler, **kw):
    end, start = list(el.clauses)
    return (
        f"date_diff('day', CAST({compiler.process(start, **kw)} AS DATE), CAST({compiler.process(end, **kw)} AS DATE))"
    )


@compiles(days_between, "sqlite")
def _days_sqlite(el, compiler, **kw):
    end, start = list(el.clauses)
    return (
        f"CAST(ROUND(julianday(date({compiler.process(end, **kw)})) - "
        f"julianday(date({compiler.process(start, **kw)}))) AS INTEGER)"
    )


@compiles(days_between, "mssql")
def _days_mssql(el, compiler, **kw):
    end, start = list(el.clauses)
    return f"DATEDIFF(day, {compiler.process(start, **kw)}, {compiler.process(end, **kw)})"


class _date_fn(FunctionElement):
    type = Date()
    inherit_cache = True


class week_start(_date_fn):
    """The Monday on or before a date (ISO weeks)."""

    name = "week_start"
    inherit_cache = True


class month_start(_date_fn):
    """The first day of a date's month."""

    name = "month_start"
    inherit_cache = True


class as_date(_date_fn):
    """The date part of a timestamp."""

    name = "as_date"
    inherit_cache = True


def _arg(el, compiler, **kw):
    return compiler.process(list(el.clauses)[0], **kw)


@compiles(week_start)
def _week_default(el, compiler, **kw):
    return f"CAST(date_trunc('week', {_arg(el, compiler, **kw)}) AS DATE)"


@compiles(week_start, "sqlite")
def _week_sqlite(el, compiler, **kw):
    a = _arg(el, compiler, **kw)
    return f"date({a}, '-' || ((CAST(strftime('%w', {a}) AS INTEGER) + 6) % 7) || ' days')"


@compiles(week_start, "mssql")
def _week_mssql(el, compiler, **kw):
    a = _arg(el, compiler, **kw)  # 1900-01-01 was a Monday
    return f"DATEADD(day, -(DATEDIFF(day, '19000101', {a}) % 7), CAST({a} AS DATE))"


@compiles(month_start)
def _month_default(el, compiler, **kw):
    return f"CAST(date_trunc('month', {_arg(el, compiler, **kw)}) AS DATE)"


@compiles(month_start, "sqlite")
def _month_sqlite(el, compiler, **kw):
    return f"date({_arg(el, compiler, **kw)}, 'start of month')"


@compiles(month_start, "mssql")
def _month_mssql(el, compiler, **kw):
    a = _arg(el, compiler, **kw)
    return f"DATEFROMPARTS(YEAR({a}), MONTH({a}), 1)"


@compiles(as_date)
def _as_date_default(el, compiler, **kw):
    return f"CAST({_arg(el, compiler, **kw)} AS DATE)"


@compiles(as_date, "sqlite")
def _as_date_sqlite(el, compiler, **kw):
    return f"date({_arg(el, compiler, **kw)})"


class _typed_as_args(FunctionElement):
    """A function whose result has its first typed argument's type (a DATE stays a DATE)."""

    inherit_cache = True

    def __init__(self, *args):
        super().__init__(*args)
        self.type = next((c.type for c in self.clauses if not c.type._isnull), NullType())


class greatest(_typed_as_args):
    """Larger of the arguments. Callers coalesce NULLs: databases disagree on them."""

    inherit_cache = True
    name = "greatest"


class least(_typed_as_args):
    """Smaller of the arguments. Callers coalesce NULLs: databases disagree on them."""

    inherit_cache = True
    name = "least"


def _args(el, compiler, **kw):
    return ", ".join(compiler.process(c, **kw) for c in el.clauses)


@compiles(greatest)
def _greatest(el, compiler, **kw):
    return f"GREATEST({_args(el, compiler, **kw)})"


@compiles(greatest, "sqlite")
def _greatest_sqlite(el, compiler, **kw):
    return f"MAX({_args(el, compiler, **kw)})"


@compiles(least)
def _least(el, compiler, **kw):
    return f"LEAST({_args(el, compiler, **kw)})"


@compiles(least, "sqlite")
def _least_sqlite(el, compiler, **kw):
    return f"MIN({_args(el, compiler, **kw)})"


class whole_div(FunctionElement):
    """``a / b`` rounded toward zero for whole numbers (``b`` a positive constant): DuckDB's ``/``
    gives a fraction, so it spells it ``//``; the others divide integers as integers."""

    type = Integer()
    inherit_cache = True
    name = "whole_div"

    def __init__(self, a, b: int):
        super().__init__(a, literal(int(b), Integer))


@compiles(whole_div)
def _whole_div(el, compiler, **kw):
    a, b = (compiler.process(c, **kw) for c in el.clauses)
    return f"(({a}) / {b})"


@compiles(whole_div, "duckdb")
def _whole_div_duckdb(el, compiler, **kw):
    a, b = (compiler.process(c, **kw) for c in el.clauses)
    return f"(({a}) // {b})"


def indexed_dates_table(dates: Iterable[date], name: str = "dates"):
    """Like :func:`dates_table`, with the position of each date as ``i`` (0, 1, ...), both bound."""
    selects = [select(literal(i, Integer).label("i"), literal(d, Date).label("d")) for i, d in enumerate(dates)]
    if not selects:
        raise ValueError("indexed_dates_table needs at least one date")
    return (union_all(*selects) if len(selects) > 1 else selects[0]).subquery(name)


def dates_table(dates: Iterable[date | BindParameter], name: str = "dates"):
    """A one-column subquery (``d``) of the given dates, as bound parameters (or placeholders).

    Lets a trend over many as-at dates run as one query (join to it and group by ``d``) on every
    database, including SQLite which has no column aliases on VALUES.
    """
    selects = [select((d if isinstance(d, BindParameter) else literal(d, Date)).label("d")) for d in dates]
    if not selects:
        raise ValueError("dates_table needs at least one date")
    return (union_all(*selects) if len(selects) > 1 else selects[0]).subquery(name)


class add_months(FunctionElement):
    """``start + n`` calendar months as a DATE, month ends clamped (31 Jan + 1 month = 28/29 Feb).

    The clamping is the one ``dateutil.relativedelta`` and :func:`~data_layer.filters.months_cutoff` use, so
    ``add_months(start, n) < D`` holds exactly when ``start < months_cutoff(D, n)``. PostgreSQL,
    DuckDB and SQL Server clamp natively; SQLite overflows into the next month, so it takes the
    smaller of "same day n months on" and "last day of the target month". ``n`` is bound.
    """

    type = Date()
    inherit_cache = True
    name = "add_months"

    def __init__(self, start, months: int):
        super().__init__(start, literal(int(months), Integer))


def _parts(el, compiler, **kw):
    start, months = list(el.clauses)
    return compiler.process(start, **kw), compiler.process(months, **kw)


@compiles(add_months)
def _add_months_default(el, compiler, **kw):
    s, n = _parts(el, compiler, **kw)
    return f"CAST(CAST({s} AS DATE) + CAST({n} AS INTEGER) * INTERVAL '1 month' AS DATE)"


@compiles(add_months, "sqlite")
def _add_months_sqlite(el, compiler, **kw):
    s, n = _parts(el, compiler, **kw)
    same_day = (
        f"date({s}, 'start of month', '+' || ({n}) || ' months', "
        f"'+' || (CAST(strftime('%d', {s}) AS INTEGER) - 1) || ' days')"
    )
    month_end = f"date({s}, 'start of month', '+' || (({n}) + 1) || ' months', '-1 day')"
    return f"MIN({same_day}, {month_end})"


@compiles(add_months, "mssql")
def _add_months_mssql(el, compiler, **kw):
    s, n = _parts(el, compiler, **kw)
    return f"DATEADD(month, {n}, CAST({s} AS DATE))"


def identifiers_case_sensitive(dialect_name: str) -> bool:
    """Whether quoted identifiers are case-sensitive as SQLAlchemy emits them on this database.

    PostgreSQL is the one supported database where they are; elsewhere ``Team_ID`` answers to
    ``team_id`` (``data_layer.checks`` matches contract names to a database's names with this).
    """
    return dialect_name == "postgresql"


class try_date(_date_fn):
    """The value as a DATE, or NULL when it cannot be read as one (text such as 'not a date').

    A warehouse may hold dates in text columns (SQLite always can): the data-quality checks count
    such values and the date range ignores them, instead of failing or comparing text with dates.
    SQLite: ``date(x, '+0 days')`` must give back the first ten characters (``2023-02-30`` and
    julian day numbers are refused, as :func:`data_layer.engine.to_date` would); DuckDB and SQL Server ``TRY_CAST``;
    PostgreSQL's contract columns are typed ``date``, so a plain cast (text there cannot hold a non-date).
    """

    name = "try_date"
    inherit_cache = True


@compiles(try_date)
def _try_date_default(el, compiler, **kw):
    return f"CAST({_arg(el, compiler, **kw)} AS DATE)"


@compiles(try_date, "sqlite")
def _try_date_sqlite(el, compiler, **kw):
    a = _arg(el, compiler, **kw)
    day = f"date({a}, '+0 days')"  # the modifier makes SQLite normalise 2024-02-30 to 2024-03-01
    return f"(CASE WHEN {day} = substr({a}, 1, 10) THEN {day} END)"


@compiles(try_date, "duckdb")
@compiles(try_date, "mssql")
def _try_date_try_cast(el, compiler, **kw):
    return f"TRY_CAST({_arg(el, compiler, **kw)} AS DATE)"


def orders_as_dates(dialect_name: str, column) -> bool:
    """Whether ordering ``column`` itself orders its readable values (:class:`try_date`) by date, so
    the earliest and latest can be read off its index instead of parsing every row.

    True for a DATE or TIMESTAMP column, and always on SQLite, where :class:`try_date` reads a value
    only if it starts with a valid ``YYYY-MM-DD`` (text that sorts as its date). Elsewhere a text column
    may hold dates that a cast reads but that do not sort as dates (``2024-1-5`` on DuckDB).
    """
    return dialect_name == "sqlite" or isinstance(column.type, Date | DateTime)


class try_timestamp(FunctionElement):
    """The value as a timestamp, or NULL when it cannot be read as one (see :class:`try_date`)."""

    type = DateTime()
    inherit_cache = True
    name = "try_timestamp"


@compiles(try_timestamp)
def _try_ts_default(el, compiler, **kw):
    return f"CAST({_arg(el, compiler, **kw)} AS TIMESTAMP)"


@compiles(try_timestamp, "sqlite")
def _try_ts_sqlite(el, compiler, **kw):
    return f"datetime({_arg(el, compiler, **kw)})"


@compiles(try_timestamp, "duckdb")
def _try_ts_duckdb(el, compiler, **kw):
    return f"TRY_CAST({_arg(el, compiler, **kw)} AS TIMESTAMP)"


@compiles(try_timestamp, "mssql")
def _try_ts_mssql(el, compiler, **kw):
    return f"TRY_CAST({_arg(el, compiler, **kw)} AS DATETIME2)"


def unreadable_date(col, timestamp: bool = False):
    """True where ``col`` holds a value that is not NULL and cannot be read as a date (or timestamp)."""
    readable = try_timestamp(col) if timestamp else try_date(col)
    return and_(col.is_not(None), readable.is_(None))
