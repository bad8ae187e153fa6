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
import json
import logging
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.schema import CreateTable

from data_layer.schema import metadata

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("CSC_BENCH_DATA") or Path(__file__).resolve().parent / "data")
PG_ADMIN_URL = os.environ.get("CSC_BENCH_PG_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")
PG_DATABASE = os.environ.get("CSC_BENCH_PG_DATABASE", "csc_bench")
_COMPLETE = "csc-bench complete"


_INDEX_BLOCK = re.compile(rb"^EXTRA_INDEXES = \{.*?^\}\n", re.S | re.M)


def generator_version() -> str:
    """Digest of the demo generator's source files (8 hex digits).

    The ``EXTRA_INDEXES`` literal of ``writer.py`` is left out of the digest: indexes are applied
    to cached databases by :func:`ensure_indexes`, so tuning them never rebuilds a 1M database.
    """
    h = hashlib.sha256()
    demo = ROOT / "data_layer" / "demo"
    for path in sorted(demo.glob("*.py")) + [ROOT / "data_layer" / "schema.py"]:
        h.update(path.name.encode())
        h.update(_INDEX_BLOCK.sub(b"", path.read_bytes()))
    return h.hexdigest()[:8]


def _index_plan() -> tuple[list[str], set[str]]:
    """The generator's current extra-index statements and their names."""
    from data_layer.demo.writer import extra_index_statements

    stmts = extra_index_statements()
    return stmts, {s.split()[5] for s in stmts}


def ensure_indexes(backend: str, target) -> int:
    """Bring a cached database's ``ix_demo_*`` indexes to the generator's current set; returns changes.

    ``target`` is the SQLite/DuckDB path, or the PostgreSQL schema name.
    """
    stmts, wanted = _index_plan()
    if backend == "sqlite":
        con = sqlite3.connect(target)
        have = {
            r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='index' AND name LIKE 'ix_demo_%'")
        }
        run = lambda sql: con.execute(sql)  # noqa: E731
    elif backend == "duckdb":
        import duckdb

        con = duckdb.connect(str(target))
        have = {
            r[0]
            for r in con.execute("SELECT index_name FROM duckdb_indexes() WHERE index_name LIKE 'ix_demo_%'").fetchall()
        }
        run = lambda sql: con.execute(sql)  # noqa: E731
    else:
        import psycopg

        con = psycopg.connect(_pg_conninfo(PG_DATABASE), autocommit=True)
        con.execute(f"SET search_path TO {target}")
        have = {
            r[0]
            for r in con.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = %s AND indexname LIKE 'ix_demo_%%'", (target,)
            ).fetchall()
        }
        run = lambda sql: con.execute(sql)  # noqa: E731
    try:
        changes = 0
        for name in sorted(have - wanted):
            run(f"DROP INDEX IF EXISTS {name}")
            changes += 1
        for sql in stmts:
            if sql.split()[5] not in have:
                log.info("%s: %s", backend, sql)
                run(sql)
                changes += 1
        if changes and backend in ("sqlite", "postgresql"):
            if backend == "sqlite":
                run("PRAGMA analysis_limit=1000")
            run("ANALYZE")
        if backend == "sqlite":
            con.commit()
        return changes
    finally:
        con.close()


def build_record(size: int, seed: int, data_dir: Path = DATA_DIR) -> dict | None:
    """The generator's wall time and peak RSS when it built the cached SQLite file (None if unknown)."""
    p = sqlite_path(size, seed, data_dir).with_suffix(".build.json")
    return json.loads(p.read_text()) if p.exists() else None


def stem(size: int, seed: int) -> str:
    return f"demo-{size}-s{seed}-g{generator_version()}"


# --------------------------------------------------------------------------- SQLite


def sqlite_path(size: int, seed: int, data_dir: Path = DATA_DIR) -> Path:
    return Path(data_dir) / f"{stem(size, seed)}.sqlite"


def build_sqlite(size: int, seed: int, data_dir: Path = DATA_DIR) -> Path:
    """The cached demo SQLite file for ``size`` children (built when missing)."""
    path = sqlite_path(size, seed, data_dir)
    if path.exists():
        return path
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    log.info("building SQLite demo: %d children, seed %d -> %s", size, seed, path.name)
    record = _generate_measured(path, size, seed)
    path.with_suffix(".build.json").write_text(json.dumps(record))
    log.info("SQLite demo built in %.0fs, generator peak RSS %.0f MB", record["seconds"], record["peak_rss_mb"])
    return path


def _generate_measured(path: Path, size: int, seed: int) -> dict:
    """Run ``data_layer.demo.generate`` in a child process: its wall time and its own peak RSS
    (``os.wait4`` reports the child's rusage alone, unlike ``RUSAGE_CHILDREN``)."""
    code = (
        "import logging, sys; logging.basicConfig(level=logging.INFO, format='%(asctime)s %(message)s');"
        "from data_layer.demo import generate; generate(sys.argv[1], children=int(sys.argv[2]), seed=int(sys.argv[3]))"
    )
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, str(path), str(size), str(seed)], cwd=ROOT)
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"demo generator failed at {size} children (exit {proc.returncode})")
    return {
        "size": size,
        "seed": seed,
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "file_mb": round(path.stat().st_size / 2**20, 1),
        "generator": generator_version(),
    }


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
    parts = {
        "host": url.host or "127.0.0.1",
        "port": url.port or 5432,
        "user": url.username,
        "dbname": database,
        "password": url.password,
    }
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
        done = conn.execute(
            "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = %s", (schema,)
        ).fetchone()
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
                with (
                    conn.cursor() as cur,
                    cur.copy(f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv)") as cp,
                    open(csv_tmp, "rb") as fh,
                ):
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
        path = build_sqlite(size, seed, data_dir)
        ensure_indexes(backend, path)
        return f"sqlite:///{path}"
    if backend == "duckdb":
        path = build_duckdb(size, seed, data_dir)
        ensure_indexes(backend, path)
        return f"duckdb:///{path}"
    if backend == "postgresql":
        url = build_postgres(size, seed, data_dir)
        ensure_indexes(backend, pg_schema(size, seed))
        return url
    raise ValueError(f"unknown backend {backend!r}")
