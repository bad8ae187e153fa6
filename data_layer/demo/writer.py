"""Streaming SQLite writer: contract tables created without indexes, rows appended per chunk in one
transaction each, indexes built once at the end (far faster than maintaining them while loading)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.schema import CreateIndex, CreateTable

from ..schema import metadata
from ._dates import iso

#: Indexes beyond the schema's own (child_id etc.): the columns the dashboard's queries filter on.
EXTRA_INDEXES = {
    "workers": ("start_date",),
    "referrals": ("referral_date", "closure_date"),
    "assessments": ("team_id", "start_date", "completed_date"),
    # covering index of the key-worker caseload queries (trend: 52 as-at dates): index-only, ~7x faster on SQLite
    "allocations": ("team_id", "start_date", "end_date", "role, start_date, end_date, worker_id, child_id"),
    "cin_plans": ("team_id", "start_date", "end_date"),
    "cp_plans": ("team_id", "start_date", "end_date"),
    "cla_episodes": ("start_date", "end_date"),
    "plan_reviews": ("review_date",),
    "visits": ("visit_date", "worker_id"),
    "transfers": ("from_team_id", "to_team_id", "requested_date", "completed_date"),
    "jarp_referrals": ("referring_team_id", "submitted_at", "decision_date"),
}


def extra_index_statements() -> list[str]:
    """Portable ``CREATE INDEX IF NOT EXISTS`` for :data:`EXTRA_INDEXES` (SQLite, DuckDB, PostgreSQL):
    also replayed on cached benchmark databases, so tuning the index set never needs a rebuild."""
    out = []
    for table, cols in EXTRA_INDEXES.items():
        for col in cols:
            name = f"ix_demo_{table}_{col.replace(', ', '_')}"
            out.append(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({col})")
    return out


class Writer:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.conn = sqlite3.connect(self.path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=OFF")
        self.conn.execute("PRAGMA synchronous=OFF")
        # Index sorts spill to temporary files beyond the cache, so memory stays bounded at any size.
        self.conn.execute("PRAGMA cache_size=-131072")
        self.conn.execute("PRAGMA threads=2")
        dialect = sqlite_dialect.dialect()
        for table in metadata.sorted_tables:
            self.conn.execute(str(CreateTable(table).compile(dialect=dialect)))
        self.columns = {t.name: [c.name for c in t.columns] for t in metadata.sorted_tables}
        self.counters: dict[str, int] = {}
        self.rows: dict[str, int] = {name: 0 for name in self.columns}

    def ids(self, prefix: str, n: int, width: int = 8) -> np.ndarray:
        """The next ``n`` ids of a sequence (ids never repeat within a database)."""
        start = self.counters.get(prefix, 0)
        self.counters[prefix] = start + n
        return np.array([f"{prefix}{i:0{width}d}" for i in range(start + 1, start + n + 1)], dtype=object)

    def peek(self, prefix: str) -> int:
        return self.counters.get(prefix, 0)

    def begin(self):
        self.conn.execute("BEGIN")

    def commit(self):
        self.conn.execute("COMMIT")

    def insert(self, table: str, cols: dict, dates: tuple[str, ...] = ()):
        """Insert columns (lists or arrays, every column of the table); ``dates`` are day numbers."""
        names = self.columns[table]
        missing = set(names) - set(cols)
        if missing:
            raise KeyError(f"{table}: no values for {sorted(missing)}")
        data = []
        for name in names:
            v = cols[name]
            if name in dates:
                v = iso(v)
            elif isinstance(v, np.ndarray):
                v = v.tolist()
            data.append(v)
        n = len(data[0])
        if n == 0:
            return
        marks = ", ".join("?" * len(names))
        self.conn.executemany(f"INSERT INTO {table} VALUES ({marks})", zip(*data, strict=False))
        self.rows[table] += n

    def insert_dicts(self, table: str, rows: list[dict]):
        names = self.columns[table]
        marks = ", ".join("?" * len(names))
        self.conn.executemany(f"INSERT INTO {table} VALUES ({marks})", [tuple(r.get(c) for c in names) for r in rows])
        self.rows[table] += len(rows)

    def execute(self, sql: str, params=()):
        cur = self.conn.execute(sql, params)
        if sql.lstrip().upper().startswith("INSERT"):
            self.rows[sql.split()[2]] += cur.rowcount

    def finish(self):
        dialect = sqlite_dialect.dialect()
        for table in metadata.sorted_tables:
            for index in table.indexes:
                self.conn.execute(str(CreateIndex(index).compile(dialect=dialect)))
        for sql in extra_index_statements():
            self.conn.execute(sql)
        self.conn.execute("PRAGMA analysis_limit=1000")  # sampled statistics: seconds, not minutes
        self.conn.execute("ANALYZE")
        self.conn.close()
