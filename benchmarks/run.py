"""``python -m benchmarks.run``: build the demo databases, measure every page, write the results.

    python -m benchmarks.run                                   # 5k, 50k, 1M on SQLite, DuckDB (+ PostgreSQL)
    python -m benchmarks.run --sizes 5000 --backends sqlite,duckdb --repeats 12
    python -m benchmarks.run --quick                           # 300 children, 1 repeat: a smoke run

Each (size, backend) is measured in a fresh Python process (``--worker``), so its peak memory is
that of one dashboard server on that database. Results are merged into ``results.csv`` (rows of
the measured sizes and backends replaced, others kept), and ``RESULTS.md`` is regenerated from
the whole CSV, after every (size, backend), so an interrupted run keeps what it measured; a
database whose measurement fails is logged and skipped (exit status 1). ``--quick`` writes to
``benchmarks/data/quick/`` unless ``--out`` says otherwise,
so a smoke run never overwrites the committed results.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import build

log = logging.getLogger("benchmarks")

HERE = Path(__file__).resolve().parent
DEFAULT_SIZES = (5000, 50000, 1000000)
DEFAULT_BACKENDS = ("sqlite", "duckdb", "postgresql")
QUICK_SIZE = 300


def default_repeats(size: int) -> int:
    """Timed runs per callback: enough for a p95 at small sizes, bounded at national size."""
    if size <= 10_000:
        return 24
    if size <= 100_000:
        return 12
    return 6


def _csv_list(text: str, cast=str) -> list:
    return [cast(x.strip().replace("_", "")) if cast is int else cast(x.strip()) for x in text.split(",") if x.strip()]


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--sizes",
        type=lambda s: _csv_list(s, int),
        default=None,
        help="children per demo database, comma-separated (default 5000,50000,1000000)",
    )
    p.add_argument(
        "--backends",
        type=_csv_list,
        default=None,
        help="sqlite,duckdb,postgresql (PostgreSQL is skipped when unreachable)",
    )
    p.add_argument("--repeats", type=int, default=None, help="timed runs per callback (default by size)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--quick", action="store_true", help=f"smoke run: {QUICK_SIZE} children, 1 repeat, sqlite+duckdb")
    p.add_argument("--out", type=Path, default=None, help="directory for results.csv and RESULTS.md")
    p.add_argument("--data-dir", type=Path, default=None, help="where the demo databases are cached")
    p.add_argument("--no-functions", action="store_true", help="skip the per data-function timings")
    p.add_argument("--naive-runs", type=int, default=None, help="naive baseline runs per page (default 1-3)")
    p.add_argument("--timeout", type=int, default=3 * 3600, help="seconds allowed per (size, backend)")
    # internal: one measurement in this process
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--url", help=argparse.SUPPRESS)
    p.add_argument("--backend", help=argparse.SUPPRESS)
    p.add_argument("--size", type=int, help=argparse.SUPPRESS)
    p.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--filters", type=int, default=6, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.quick:
        args.sizes = args.sizes or [QUICK_SIZE]
        args.backends = args.backends or ["sqlite", "duckdb"]
        args.repeats = args.repeats or 1
        args.naive_runs = args.naive_runs or 1
        args.filters = 2
        args.out = args.out or HERE / "data" / "quick"
    args.sizes = args.sizes or list(DEFAULT_SIZES)
    args.backends = args.backends or list(DEFAULT_BACKENDS)
    args.out = args.out or HERE
    args.data_dir = args.data_dir or build.DATA_DIR
    return args


def _worker(args) -> int:
    """Measure one database in this process and write the JSON result."""
    from .measure import dumps, measure

    naive_runs = args.naive_runs or (3 if args.size <= 10_000 else 1)
    result = measure(
        args.url,
        backend=args.backend,
        size=args.size,
        repeats=args.repeats,
        filters_n=args.filters,
        functions=not args.no_functions,
        naive_runs=naive_runs,
        progress=lambda m: log.info("%s", m),
    )
    result["load_average"] = os.getloadavg()
    args.json.write_text(dumps(result))
    return 0


def _measure_in_subprocess(args, url: str, backend: str, size: int, repeats: int) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False, dir=args.data_dir) as fh:
        out = Path(fh.name)
    cmd = [
        sys.executable,
        "-m",
        "benchmarks.run",
        "--worker",
        "--url",
        url,
        "--backend",
        backend,
        "--size",
        str(size),
        "--repeats",
        str(repeats),
        "--json",
        str(out),
        "--filters",
        str(args.filters),
    ]
    if args.no_functions:
        cmd.append("--no-functions")
    if args.naive_runs:
        cmd += ["--naive-runs", str(args.naive_runs)]
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=build.ROOT, timeout=args.timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"measurement of {backend} at {size} failed (exit {proc.returncode})")
        result = json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)
    result["seconds"] = time.perf_counter() - t0
    result["load_before"] = load_before
    return result


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", datefmt="%H:%M:%S")
    if args.worker:
        return _worker(args)
    from . import report

    Path(args.data_dir).mkdir(parents=True, exist_ok=True)
    backends = list(args.backends)
    if "postgresql" in backends and not build.postgres_reachable():
        log.warning("PostgreSQL is not reachable at %s: its rows are skipped", build.PG_ADMIN_URL)
        backends.remove("postgresql")
    args.out.mkdir(parents=True, exist_ok=True)
    csv_path = args.out / "results.csv"
    failed = []
    for size in args.sizes:
        for backend in backends:
            log.info("== %s at %d children", backend, size)
            try:
                url = build.build(size, args.seed, backend, args.data_dir)
                repeats = args.repeats or default_repeats(size)
                result = _measure_in_subprocess(args, url, backend, size, repeats)
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                log.error("%s at %d children not measured: %s", backend, size, exc)
                failed.append((backend, size))
                continue
            # written after every database, so a long run interrupted later keeps what it measured
            generator = [r for r in [build.build_record(size, args.seed, args.data_dir)] if r]
            frame = report.merge(csv_path, [result], seed=args.seed, generator=generator)
            frame.to_csv(csv_path, index=False)
            md = report.render(frame, machine=report.machine(), previous=(args.out / "RESULTS.md"))
            (args.out / "RESULTS.md").write_text(md)
            log.info("wrote %s and %s", csv_path, args.out / "RESULTS.md")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
