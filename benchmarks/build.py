"""Demo databases for the benchmarks, built once per (size, seed, generator version) and cached.

* SQLite: ``data_layer.demo.generate`` writes ``benchmarks/data/demo-<size>-s<seed>-g<hash>.sqlite``
  (the generator's own indexes included). ``<hash>`` is a digest of the generator's source, so a
  change to the generator rebuilds the databases instead of measuring stale ones.
* DuckDB: the SQLite file is streamed table by table through a CSV file (DuckDB's built-in reader,
  no extension download needed) into ``...duckdb``; tables come from ``data_layer.schema.metadata``
  and the SQLite file's own ``CREATE INDEX`` statements are replayed after the load.
* PostgreSQL (when reachable): the same CSV streams are COPYed into schema ``bench_<size>_s<seed>_g<hash>``
  of database ``csc_bench`` (created when missing), indexes replayed, then ``ANALYZE``. The schema
  is marked complete with a comment only at the end, so a half-loaded schema is rebuilt.

Every build writes to a temporary name first and renames (or marks) when complete.
"""
from __future__ import annotations

import csv
import hashlib
import logging
import os
import sqlite3
import time
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from sqlalchemy.schema import CreateTable

from data_layer.schema import metadata

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("CSC_BENCH_DATA") or Path(__file__).resolve().parent / "data")
PG_ADMIN_URL = os.environ.get("CSC_BENCH_PG_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")
PG_DATABASE = os.environ.get("CSC_BENCH_PG_DATABASE", "csc_bench")
_COMPLETE = "csc-bench complete"


def generator_version() -> str:
    """Digest of the demo generator's source files (8 hex digits)."""
    h = hashlib.sha256()
    demo = ROOT / "data_layer" / "demo"
    for path in sorted(demo.glob("*.py")) + [ROOT / "data_layer" / "schema.py"]:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:8]


def stem(size: int, seed: int) -> str:
    return f"demo-{size}-s{seed}-g{generator_version()}"


# --------------------------------------------------------------------------- SQLite

def sqlite_path(size: int, seed: int, data_dir: Path = DATA_DIR) -> Path:
    return Path(data_dir) / f"{stem(size, seed)}.sqlite"


def build_sqlite(size: int, seed: int, data_dir: Path = DATA_DIR) -> Path:
    """The cached demo SQLite file for ``size`` children (built when missing)."""
    from data_layer.demo import generate

    path = sqlite_path(size, seed, data_dir)
    if path.exists():
        return path
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    log.info("building SQLite demo: %d children, seed %d -> %s", size, seed, path.name)
    generate(path, children=size, seed=seed)
    log.info("SQLite demo built in %.0fs", time.perf_counter() - t0)
    return path


def _tables(src: sqlite3.Connection) -> list[str]:
    have = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return [t.name for t in metadata.sorted_tables if t.name in have]


def _index_statements(src: sqlite3.Connection) -> list[str]:
    """The SQLite file's own CREATE INDEX statements (schema and generator indexes), portable SQL."""
    rows = src.execute("SELECT sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL ORDER BY name")
    return [r[0] for r in rows]


def _dump_csv(src: sqlite3.Connection, table: str, out: Path) -> int:
    """Stream one table to a header-less CSV (NULL = empty field); returns the row count."""
    cols = [c.name for c in metadata.tables[table].columns]
    cur = src.execute(f"SELECT {', '.join(cols)} FROM {table}")
    n = 0
    with open(out, "w", newline="") as fh:
        w = csv.writer(fh)
        while True:
            rows = cur.fetchmany(50_000)
            if not rows:
                break
            w.writerows(rows)
            n += len(rows)
    return n


# --------------------------------------------------------------------------- DuckDB

def duckdb_path(size: int, seed: int, data_dir: Path = DATA_DIR) -> Path:
    return Path(data_dir) / f"{stem(size, seed)}.duckdb"


def build_duckdb(size: int, seed: int, data_dir: Path = DATA_DIR) -> Path:
    """A DuckDB copy of the SQLite demo with the same indexes (built when missing)."""
    import duckdb

    path = duckdb_path(size, seed, data_dir)
    if path.exists():
        return path
    src_path = build_sqlite(size, seed, data_dir)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    csv_tmp = path.with_name(f".{path.stem}.{os.getpid()}.csv")
    dialect = create_engine("duckdb:///:memory:").dialect
    t0 = time.perf_counter()
    log.info("copying %s to DuckDB", src_path.name)
    src = sqlite3.connect(f"file:{src_path}?mode=ro", uri=True)
    con = duckdb.connect(str(tmp))
    try:
        con.execute("SET threads TO 1")
        con.execute("SET preserve_insertion_order = false")
        for table in _tables(src):
            con.execute(str(CreateTable(metadata.tables[table]).compile(dialect=dialect)))
            n = _dump_csv(src, table, csv_tmp)
            if n:
                con.execute(f"COPY {table} FROM '{csv_tmp}' (FORMAT csv, HEADER false, NULL '', QUOTE '\"')")
            log.info("  %s: %d rows", table, n)
        for sql in _index_statements(src):
            con.execute(sql)
        con.execute("CHECKPOINT")
        con.close()
        os.replace(tmp, path)
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    finally:
        src.close()
        csv_tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
    log.info("DuckDB copy built in %.0fs", time.perf_counter() - t0)
    return path


# --------------------------------------------------------------------------- PostgreSQL

def pg_schema(size: int, seed: int) -> str:
    return f"bench_{size}_s{seed}_g{generator_version()}"


def pg_url(schema: str) -> str:
    url = make_url(PG_ADMIN_URL).set(database=PG_DATABASE)
    rendered = url.render_as_string(hide_password=False)
    sep = "&" if "?" in rendered else "?"
    return f"{rendered}{sep}options=-csearch_path%3D{schema}"


def _pg_conninfo(database: str) -> str:
    url = make_url(PG_ADMIN_URL).set(database=database)
    parts = {"host": url.host or "127.0.0.1", "port": url.port or 5432, "user": url.username, "dbname": database,
             "password": url.password}
    return " ".join(f"{k}={v}" for k, v in parts.items() if v)


def postgres_reachable(timeout: int = 3) -> bool:
    import psycopg

    try:
        with psycopg.connect(_pg_conninfo(make_url(PG_ADMIN_URL).database or "postgres"), connect_timeout=timeout):
            return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable": PostgreSQL rows are skipped
        return False


def build_postgres(size: int, seed: int, data_dir: Path = DATA_DIR) -> str:
    """Load the demo into a schema of ``csc_bench`` (when not already complete); returns its URL."""
    import psycopg
    from sqlalchemy.dialects import postgresql

    schema = pg_schema(size, seed)
    with psycopg.connect(_pg_conninfo(make_url(PG_ADMIN_URL).database or "postgres"), autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (PG_DATABASE,)).fetchone():
            admin.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    with psycopg.connect(_pg_conninfo(PG_DATABASE), autocommit=True) as conn:
        done = conn.execute("SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = %s",
                            (schema,)).fetchone()
        if done and done[0] == _COMPLETE:
            return pg_url(schema)
        src_path = build_sqlite(size, seed, data_dir)
        t0 = time.perf_counter()
        log.info("copying %s to PostgreSQL schema %s", src_path.name, schema)
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
        conn.execute(f"SET search_path TO {schema}")
        dialect = postgresql.dialect()
        src = sqlite3.connect(f"file:{src_path}?mode=ro", uri=True)
        csv_tmp = Path(data_dir) / f".{schema}.{os.getpid()}.csv"
        try:
            for table in _tables(src):
                conn.execute(str(CreateTable(metadata.tables[table]).compile(dialect=dialect)))
                n = _dump_csv(src, table, csv_tmp)
                cols = ", ".join(c.name for c in metadata.tables[table].columns)
                with conn.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv)") as cp, \
                        open(csv_tmp, "rb") as fh:
                    while block := fh.read(1 << 20):
                        cp.write(block)
                log.info("  %s: %d rows", table, n)
            for sql in _index_statements(src):
                conn.execute(sql)
            conn.execute("ANALYZE")
            conn.execute(f"COMMENT ON SCHEMA {schema} IS '{_COMPLETE}'")
        finally:
            src.close()
            csv_tmp.unlink(missing_ok=True)
        log.info("PostgreSQL copy built in %.0fs", time.perf_counter() - t0)
    return pg_url(schema)


def build(size: int, seed: int, backend: str, data_dir: Path = DATA_DIR) -> str:
    """SQLAlchemy URL of the cached demo database of ``backend`` at ``size`` (built when missing)."""
    if backend == "sqlite":
        return f"sqlite:///{build_sqlite(size, seed, data_dir)}"
    if backend == "duckdb":
        return f"duckdb:///{build_duckdb(size, seed, data_dir)}"
    if backend == "postgresql":
        return build_postgres(size, seed, data_dir)
    raise ValueError(f"unknown backend {backend!r}")
