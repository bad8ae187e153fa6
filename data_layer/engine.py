"""Read-only database access.

Read-only at two levels (docs/ARCHITECTURE.md): the connection is opened read-only where the
database supports it (SQLite ``mode=ro``, PostgreSQL read-only transactions, DuckDB
``read_only``), and on every database a guard refuses any statement that is not a query before
it reaches the driver. Queries go through :meth:`Database.read`, which binds parameters.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Date, DateTime, create_engine, event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.pool import NullPool

# The exceptions live in data_layer.errors (imported by modules that must not import this one);
# they stay importable from here.
from .errors import DatabaseError, DatabaseTimeout, ReadOnlyViolation
from .errors import MissingData as MissingData
from .guard import check_statement as check_statement
from .standards import Standards, load_standards
from .timeouts import BoundedReader, Timeouts

log = logging.getLogger(__name__)

#: Where the embedded demo database lives unless CSC_DEMO_DB says otherwise.
DEFAULT_DEMO_PATH = Path(
    os.environ.get("CSC_DEMO_DB") or Path(__file__).resolve().parent.parent / "data" / "demo.sqlite"
)


def _guard(conn, cursor, statement, parameters, context, executemany):  # SQLAlchemy event signature
    check_statement(statement, conn.dialect.name)


@dataclass
class Database:
    """An open read-only database with the practice standards to judge its data against."""

    engine: Engine
    standards: Standards = field(default_factory=load_standards)
    #: Synthetic data (banners say so): the embedded demo file, or a database whose teams are "Demo ...".
    is_demo: bool = False
    #: The embedded demo file itself (``CSC_DEMO_DB``), known by its path, never by its contents: the
    #: one database sign-in may be off for remote users (an authority's team called "Demo ..." must
    #: not open its data to the network).
    embedded_demo: bool = False
    #: Where the contract tables come from: ``native`` or ``ssd`` (data_layer.sources).
    source: str = "native"
    #: Connect and statement timeouts; a read waits at most ``timeouts.deadline`` seconds.
    timeouts: Timeouts = field(default_factory=Timeouts)
    _tables: Any = field(default=None, repr=False, compare=False)
    _reader: BoundedReader | None = field(default=None, repr=False, compare=False)
    _keeper: Any = field(default=None, repr=False, compare=False)
    _statements: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def tables(self):
        """The contract tables as selectables of this database's source (built once, on first use)."""
        if self._tables is None:
            from .sources.build import build_tables

            self._tables = build_tables(self)
        return self._tables

    def read(self, query: Any, params: dict | None = None) -> pd.DataFrame:
        """Run one SELECT (a SQLAlchemy Core construct; values bound, never formatted in).

        Within the deadline of :attr:`timeouts` (:class:`DatabaseTimeout` after it)."""

        def work(on_start):
            with self.engine.connect() as conn:
                on_start(conn.connection.dbapi_connection)
                result = conn.execute(query, params or {})
                return pd.DataFrame(result.fetchall(), columns=list(result.keys()))

        return coerce_dates(self._bounded(work), query)

    def statement(self, key: Any, build: Any) -> Any:
        """``build()``, made once per ``key`` on this database and reused: for a statement whose values
        are named placeholders (``bindparam``), given to :meth:`read` as ``params`` on each call.

        Why: SQLAlchemy skips compiling a statement it has seen, but building one is Python work on
        every call: the JARP queue's took 9 ms of a 28 ms read at 5,000 children (issue 17). ``key``
        must name everything the statement depends on but its placeholders' values (the rules in
        force, the team filter's shape). Two threads may build the same one at once; either is kept.
        """
        built = self._statements.get(key)
        if built is None:
            built = self._statements[key] = build()
        return built

    def scalar(self, query: Any, params: dict | None = None) -> Any:
        def work(on_start):
            with self.engine.connect() as conn:
                on_start(conn.connection.dbapi_connection)
                return conn.execute(query, params or {}).scalar()

        return self._bounded(work)

    @property
    def reader(self) -> BoundedReader:
        """The worker threads this database's reads run on (made on first use)."""
        if self._reader is None:
            slots = _PG_POOL_SIZE + _PG_OVERFLOW if self.dialect == "postgresql" else _FILE_READERS
            interrupt = None if self.dialect == "postgresql" else _interrupt
            self._reader = BoundedReader(slots, self.timeouts, interrupt)
        return self._reader

    def _bounded(self, work):
        try:
            return self.reader.run(work)
        except (ReadOnlyViolation, DatabaseTimeout):
            raise
        except Exception as exc:
            log.warning("query failed: %s", type(getattr(exc, "orig", None) or exc).__name__)
            if _timed_out(exc):  # the server's statement_timeout or the driver's connect_timeout fired
                raise DatabaseTimeout(self.timeouts.deadline) from exc
            raise DatabaseError(_friendly(exc)) from exc

    def keep_open(self) -> None:
        """Hold the database open between reads, for a long-lived process such as the server.

        DuckDB only (elsewhere a no-op): each read opens a connection of its own, and DuckDB shares
        one database instance (catalog, buffer pool) among a process's open connections to a file.
        With none open, every read loaded the database afresh: 27 ms a read on the 5,000-children
        demo against 0.5 ms with one idle connection held (issue 17). That connection never runs a
        statement. It also keeps the file from writers, so scripts and tests that change a file they
        read do not call this; :meth:`dispose` closes it.
        """
        if self.dialect == "duckdb" and self._keeper is None:
            self._keeper = self._bounded(lambda on_start: self.engine.raw_connection())

    def dispose(self) -> None:
        if self._reader is not None:
            self._reader.shutdown()
        if self._keeper is not None:
            self._keeper.close()
            self._keeper = None
        self.engine.dispose()


def to_date(value: Any) -> date | None:
    """One driver value of a DATE column as a ``datetime.date`` (None when missing).

    SQLite returns ISO text (``2023-03-31`` or ``2023-03-31 00:00:00``) where SQLAlchemy cannot see
    the type; DuckDB and psycopg return ``date``; an expression may come back as a timestamp.
    """
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, datetime):  # pd.Timestamp too
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def per_distinct(values: pd.Series, fn: Any) -> np.ndarray:
    """``fn`` of each value as an object array, called once per distinct value (None where missing).

    A date column of a million rows holds a few thousand distinct days: converting those is 0.07 s
    instead of 0.5 s per column at 1M rows."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    converted = np.array([fn(v) for v in uniques] + [None], dtype=object)
    return converted[codes]  # a missing value's code is -1: the trailing None


def _dates_of(values: pd.Series) -> np.ndarray:
    """:func:`to_date` of each value, each distinct value converted once."""
    return per_distinct(values, to_date)


def text_or_none(values: pd.Series) -> pd.Series:
    """Each value as text (``str``), None where missing (None, NaN, ``pd.NA``, NaT): the form ids and
    codes take in every frame, whatever type the driver gave them (numbers on a warehouse with
    numeric ids, NaN where pandas made a column of them float).

    Why not ``map(lambda v: ...)``: a text column, the usual case, passes through with no step per
    row; that lambda took 12% of the plan-durations callback at 1,000,000 children (issue 17).
    """
    out = values.astype(object)
    missing = out.isna().to_numpy()
    if pd.api.types.infer_dtype(out, skipna=True) not in ("string", "empty"):
        present = ~missing
        out[present] = out[present].astype(str)
    if missing.any():
        out = out.where(~missing, None)
    return out


def coerce_dates(df: pd.DataFrame, query: Any) -> pd.DataFrame:
    """DATE columns as ``datetime.date`` objects (None when missing), DATETIME columns as datetime64.

    Driven by the SQLAlchemy types of the query's selected columns, so every backend gives the same
    frame and no query module converts dates itself. Text SQL (no column types) is left as read.
    """
    columns = getattr(query, "selected_columns", None)
    if columns is None or len(columns) != len(df.columns):
        return df
    for i, col in enumerate(columns):
        if isinstance(col.type, Date):
            df.isetitem(i, _dates_of(df.iloc[:, i]))
        elif isinstance(col.type, DateTime):
            df.isetitem(i, pd.to_datetime(df.iloc[:, i], errors="coerce").array)
    return df


def _friendly(exc: Exception) -> str:
    """What a page may say about a failed query: nothing of the driver's text, which names the host,
    port, SQL or parameters; the exception class goes to the log (:meth:`Database._bounded`)."""
    return "The database could not answer this query."


_TIMEOUT_TEXT = re.compile(r"timeout expired|statement timeout|timed out", re.I)


def _timed_out(exc: Exception) -> bool:
    orig = getattr(exc, "orig", None) or exc
    return bool(_TIMEOUT_TEXT.search(str(orig)))


def _interrupt(dbapi_conn: Any) -> None:
    """Stop the statement running on a SQLite or DuckDB connection (both allow it from another thread)."""
    dbapi_conn.interrupt()


def display_url(url: URL) -> str:
    """The URL a user gave, for reports: the file of a read-only SQLite URI, no password."""
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{(url.database or '').removeprefix('file:')}"
    return url.render_as_string(hide_password=True)


def default_url() -> str:
    """``CSC_DATABASE_URL`` if set, else the embedded demo SQLite file."""
    return os.environ.get("CSC_DATABASE_URL") or f"sqlite:///{DEFAULT_DEMO_PATH}"


#: PostgreSQL pool: reads run on this many worker threads, so the pool checkout never waits long.
_PG_POOL_SIZE, _PG_OVERFLOW = 5, 5
#: Worker threads per SQLite or DuckDB database (a connection is opened per read).
_FILE_READERS = 8
#: DuckDB settings that keep a query inside the database file: no file, network or extension access,
#: and no statement may change them afterwards.
DUCKDB_CONFIG = {
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "lock_configuration": True,
}


#: Memory one process's DuckDB may use (MB) unless ``CSC_DUCKDB_MEMORY_MB`` says otherwise.
DEFAULT_DUCKDB_MEMORY_MB = 256
_MIN_DUCKDB_MEMORY_MB = 32


def duckdb_memory_mb(env: Mapping[str, str] | None = None) -> int:
    """``CSC_DUCKDB_MEMORY_MB``: DuckDB's ``memory_limit`` in MB (``0``: DuckDB's own, 80% of RAM).

    Why a limit: a serving process holds its DuckDB instance open (:meth:`Database.keep_open`), and
    without one its buffer pool and query memory grew to 80% of the machine, per worker. At 1,000,000
    children a server visiting every page peaked at 2,084 MB unlimited and 1,123 MB at 256 MB, just
    as fast (issue 17): DuckDB evicts cached blocks and spills large joins to its temporary
    directory instead. A value that is not a whole number of at least 32 is refused, named.
    """
    raw = (os.environ if env is None else env).get("CSC_DUCKDB_MEMORY_MB", "").strip()
    if not raw:
        return DEFAULT_DUCKDB_MEMORY_MB
    try:
        mb = int(raw)
    except ValueError:
        mb = -1
    if mb != 0 and mb < _MIN_DUCKDB_MEMORY_MB:
        raise DatabaseError(
            f"CSC_DUCKDB_MEMORY_MB={raw[:40]!r} is not a memory limit: give whole megabytes, at least "
            f"{_MIN_DUCKDB_MEMORY_MB} (or 0 for DuckDB's own)."
        )
    return mb


def _duckdb_config() -> dict[str, Any]:
    config: dict[str, Any] = dict(DUCKDB_CONFIG)
    mb = duckdb_memory_mb()
    if mb:
        config["memory_limit"] = f"{mb}MB"
    return config


def _pg_options(url: URL, timeouts: Timeouts) -> str:
    """libpq ``options`` for every session: read-only transactions and the timeouts, after the URL's own
    (a later ``-c`` wins, so a URL cannot turn them off)."""
    ms = int(timeouts.statement * 1000)
    ours = (
        f"-c default_transaction_read_only=on -c statement_timeout={ms} "
        f"-c idle_in_transaction_session_timeout={max(ms, 60_000)}"
    )
    given = url.query.get("options") or ""
    given = " ".join(given) if isinstance(given, tuple) else given
    return f"{given} {ours}".strip()


def _read_only_engine(url: URL, timeouts: Timeouts) -> Engine:
    backend = url.get_backend_name()
    if backend == "sqlite":
        path = url.database
        if not path or path == ":memory:":
            raise DatabaseError("An in-memory SQLite database cannot be opened read-only; give a file path.")
        if not Path(path).exists():
            raise DatabaseError(f"No database file at {path}")
        ro = URL.create("sqlite", database=f"file:{Path(path).resolve()}", query={"mode": "ro", "uri": "true"})
        engine = create_engine(ro, poolclass=NullPool, connect_args={"timeout": timeouts.connect})

        @event.listens_for(engine, "connect")
        def _sqlite_hardening(dbapi_conn, _record):
            # A raw cursor (the guard sees only statements SQLAlchemy runs): schema-defined functions
            # and views cannot call functions with side effects, and no statement may write.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA trusted_schema = OFF")
            cur.execute("PRAGMA query_only = ON")
            cur.close()

    elif backend == "duckdb":
        config = _duckdb_config()
        url = url.difference_update_query(config)  # these are not the URL's to change
        engine = create_engine(url, connect_args={"read_only": True, "config": config}, poolclass=NullPool)
    elif backend == "postgresql":
        engine = create_engine(
            url.difference_update_query(["options", "connect_timeout"]),
            connect_args={"connect_timeout": max(1, round(timeouts.connect)), "options": _pg_options(url, timeouts)},
            pool_pre_ping=True,
            pool_size=_PG_POOL_SIZE,
            max_overflow=_PG_OVERFLOW,
            pool_timeout=timeouts.connect,
        )

        @event.listens_for(engine, "connect")
        def _session_read_only(dbapi_conn, _record):
            # Every transaction on this session is READ ONLY (as default_transaction_read_only in the
            # options says): kept for servers behind a pooler that drops startup options.
            autocommit = getattr(dbapi_conn, "autocommit", None)
            cur = dbapi_conn.cursor()
            cur.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            cur.close()
            if autocommit is False:
                dbapi_conn.commit()
    else:
        # SQL Server and others: the guard below is the read-only barrier; use a read-only login too.
        engine = create_engine(url, pool_pre_ping=True, pool_timeout=timeouts.connect)
    event.listen(engine, "before_cursor_execute", _guard)
    return engine


def connect(
    url: str | URL | None = None,
    standards: Standards | None = None,
    source: str | None = None,
    timeouts: Timeouts | None = None,
) -> Database:
    """Open a database read-only. No argument: ``CSC_DATABASE_URL``, else the embedded demo.

    ``timeouts``: None takes ``CSC_DB_CONNECT_TIMEOUT`` and ``CSC_DB_STATEMENT_TIMEOUT`` (seconds).

    ``source``: ``native`` (the data contract) or ``ssd`` (a Standard Safeguarding Dataset); None
    takes ``CSC_SOURCE``, else detects it (an ``ssd_person`` table and no ``children`` table: SSD).
    """
    from .sources import SOURCES, source_from_env

    raw = url if url is not None else default_url()
    try:
        parsed = make_url(raw)
    except Exception as exc:
        raise DatabaseError(f"Not a database URL: {exc}") from exc
    chosen = (source or source_from_env() or "").strip().lower() or None
    if chosen is not None and chosen not in SOURCES:
        raise DatabaseError(f"Unknown source {chosen!r} (CSC_SOURCE): use one of {', '.join(SOURCES)}")
    try:
        timeouts = timeouts or Timeouts.from_env()
    except ValueError as exc:  # a timeout setting that is not a number of seconds, named
        raise DatabaseError(str(exc)) from None
    engine = _read_only_engine(parsed, timeouts)
    is_demo = (
        parsed.get_backend_name() == "sqlite" and Path(parsed.database or "").resolve() == DEFAULT_DEMO_PATH.resolve()
    )
    db = Database(
        engine=engine,
        standards=standards or load_standards(),
        is_demo=is_demo,
        embedded_demo=is_demo,
        timeouts=timeouts,
    )
    if chosen is None:
        from .sources.build import detect_source

        chosen = detect_source(db)
    db.source = chosen
    if not is_demo:
        db.is_demo = _looks_like_demo(db)
    return db


def _looks_like_demo(db: Database) -> bool:
    """The demo generator names every team 'Demo ...', so the banner follows the data, not the URL."""
    from sqlalchemy import func, select

    try:
        teams = db.tables.teams
        if not db.tables.has("teams", "team_name"):
            return False
        n = db.scalar(select(func.count()).select_from(teams).where(teams.c.team_name.like("Demo %")))
        return bool(n)
    except Exception:  # noqa: BLE001 - a missing table is for check-db to report
        return False
