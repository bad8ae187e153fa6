"""Build small hand-written databases on SQLite, DuckDB and PostgreSQL for the tests.

The data layer never writes, so tests write with their own engine here, then open the result
through ``data_layer.connect`` exactly as the dashboard does. Rows are dicts; columns left out
are NULL. PostgreSQL fixtures live in a schema of their own, dropped afterwards.
"""

from __future__ import annotations

import getpass
import os
import uuid
from pathlib import Path

from sqlalchemy import Column, MetaData, Table, create_engine, text
from sqlalchemy.pool import NullPool

from data_layer import connect
from data_layer.schema import metadata
from tests import log_guard

BACKENDS = ("sqlite", "duckdb", "postgresql")
PG_URL = os.environ.get("CSC_TEST_PG_URL", f"postgresql+psycopg://{getpass.getuser()}@127.0.0.1:5432/test")


def write_database_without_core_tables(path: Path) -> str:
    """An empty SQLite file with every contract table except the core ones: what start-up must refuse."""
    from data_layer.checks import CORE_TABLES

    md = MetaData()
    for t in metadata.tables.values():
        if t.name not in CORE_TABLES:
            Table(t.name, md, *[Column(c.name, c.type) for c in t.columns])
    md.create_all(create_engine(f"sqlite:///{path}"))
    return f"sqlite:///{path}"


def _fill(table, rows):
    cols = [c.name for c in table.columns]
    out = []
    for r in rows:
        unknown = set(r) - set(cols)
        if unknown:
            raise KeyError(f"{table.name} has no column(s) {sorted(unknown)}")
        out.append({c: r.get(c) for c in cols})
    return out


def write_rows(engine, rows: dict[str, list[dict]], drop: tuple[tuple[str, str], ...] = ()):
    """Create every contract table and insert ``rows``; ``drop`` removes (table, column) pairs."""
    log_guard.remember_rows(rows)  # no log line of the run may hold these ids and names
    metadata.create_all(engine)
    with engine.begin() as conn:
        for name, table_rows in rows.items():
            if table_rows:
                conn.execute(metadata.tables[name].insert(), _fill(metadata.tables[name], table_rows))
        for table, column in drop:
            conn.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))


class FixtureDB:
    """A writable fixture database of one backend; ``url`` opens it through the data layer."""

    def __init__(self, backend: str, tmp_path: Path):
        self.backend = backend
        self.schema = None
        if backend == "sqlite":
            self.url = f"sqlite:///{tmp_path / f'fx-{uuid.uuid4().hex[:8]}.sqlite'}"
            self.write_url = self.url
        elif backend == "duckdb":
            self.url = f"duckdb:///{tmp_path / f'fx-{uuid.uuid4().hex[:8]}.duckdb'}"
            self.write_url = self.url
        elif backend == "postgresql":
            self.schema = f"csc_fx_{uuid.uuid4().hex[:12]}"
            admin = create_engine(PG_URL, poolclass=NullPool)
            with admin.begin() as conn:
                conn.execute(text(f"CREATE SCHEMA {self.schema}"))
            admin.dispose()
            sep = "&" if "?" in PG_URL else "?"
            self.url = f"{PG_URL}{sep}options=-csearch_path%3D{self.schema}"
            self.write_url = self.url
        else:
            raise ValueError(backend)

    def load(self, rows: dict[str, list[dict]], drop=()):
        engine = create_engine(self.write_url, poolclass=NullPool)
        try:
            write_rows(engine, rows, drop)
        finally:
            engine.dispose()
        return self

    def connect(self, **kw):
        return connect(self.url, **kw)

    def cleanup(self):
        if self.schema:
            admin = create_engine(PG_URL, poolclass=NullPool)
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE"))
            admin.dispose()
