"""Load harness: N simulated users for T seconds against the dashboard, over real HTTP.

    python -m benchmarks.load --db sqlite:///data/demo.sqlite --server gunicorn
    python -m benchmarks.load --db sqlite:///data/demo.sqlite --server waitress
    python -m benchmarks.load --db sqlite:///data/demo.sqlite --url http://127.0.0.1:8050

What a user does: open a page (chosen at random) for a filters set drawn from a pool of random
real ones (as-at dates within the last year of the data, all teams, one service or one team, from
the database itself), i.e. post each of that page's callbacks to ``/_dash-update-component`` as
the browser does, one after the other; then the next page, until the time is up. The callbacks
and their payloads come from the app's own layout (:func:`benchmarks.measure.discover`, built
in this process on ``--db``), so new pages are picked up. The pool is small (``--filters``,
default 12) so, as in an authority, colleagues often look at the same views: the caches work as
they would.

``--server waitress`` starts ``csc-dashboard run`` (one process, 8 threads); ``--server gunicorn``
starts gunicorn with ``dashboard.gunicorn_conf`` (``--workers``, ``--threads``); both on a free
local port, stopped at the end. ``--url`` measures a server already running (``--header`` adds
a header to every request, e.g. the identity a trusted-header sign-in expects).

Printed: one JSON object (requests/s, p50/p95/p99/max latency, errors by kind, the machine's load
average before and after, the server's memory when started here), then a markdown table row.
A failed request (HTTP status, an error alert in the page, a timeout) counts as an error and the
user goes on; its latency is counted too.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import requests

from .measure import ERROR_MARKER, PageCallback, _body, discover, percentile

__all__ = ["Plan", "build_plan", "main", "run_load", "started_server"]

CLI = [sys.executable, "-c", "from dashboard.cli import main; raise SystemExit(main())"]
GUNICORN_CONF = "python:dashboard.gunicorn_conf"


# --------------------------------------------------------------------------- what users ask


@dataclass
class Plan:
    """Every page's callbacks and the pool of filters sets the users draw from."""

    pages: dict[str, list[PageCallback]]
    stores: list[dict]

    @property
    def callbacks(self) -> int:
        return sum(len(cbs) for cbs in self.pages.values())


def random_stores(db, n: int, rng: random.Random) -> list[dict]:
    """``n`` ``shell-filters`` store values from the data: a random as-at date in its last year;
    half for the whole authority, a quarter for one service, a quarter for one team."""
    from data_layer import latest_date, team_options

    latest = latest_date(db) or date.today()
    teams = team_options(db)
    team_ids = list(teams["team_id"]) if len(teams) else []
    services = sorted(set(teams["service"].dropna())) if len(teams) else []
    stores = []
    for _ in range(max(1, n)):
        kind = rng.random()
        store = {
            "as_at": (latest - timedelta(days=rng.randint(0, 365))).isoformat(),
            "services": [rng.choice(services)] if services and 0.5 <= kind < 0.75 else [],
            "teams": [rng.choice(team_ids)] if team_ids and kind >= 0.75 else [],
            "presentation": False,
            "notices": [],
        }
        stores.append(store)
    return stores


def build_plan(db_url: str, n_filters: int = 12, seed: int = 1) -> Plan:
    """The page callbacks of the app on ``db_url`` (built here, uncached) and a pool of filters."""
    from dashboard.app import create_app
    from dashboard.settings import Settings
    from data_layer import connect

    db = connect(db_url)
    try:
        app = create_app(db=db, settings=Settings(database_url=db_url, cache_seconds=0))
        app.server.test_client().get("/")  # Dash's first-request set-up registers the pages' callbacks
        pages: dict[str, list[PageCallback]] = {}
        for cb in discover(app):
            pages.setdefault(cb.page, []).append(cb)
        stores = random_stores(db, n_filters, random.Random(seed))
    finally:
        db.dispose()
    return Plan(pages=pages, stores=stores)


# --------------------------------------------------------------------------- the users


@dataclass
class Tally:
    """What the users saw, shared between their threads (appends are atomic under the GIL)."""

    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)


def _one_request(session: requests.Session, url: str, body: dict, timeout: float) -> str | None:
    """Post one callback; the kind of error, or None when the page part rendered."""
    try:
        resp = session.post(f"{url}/_dash-update-component", json=body, timeout=timeout)
    except requests.Timeout:
        return "timeout"
    except requests.RequestException as exc:
        return type(exc).__name__
    if resp.status_code != 200:
        return f"HTTP {resp.status_code}"
    if ERROR_MARKER.encode() in resp.content:
        return "error alert in the page"
    return None


def _user(plan: Plan, url: str, deadline: float, rng: random.Random, tally: Tally, headers: dict, timeout: float):
    pages = sorted(plan.pages)
    with requests.Session() as session:
        session.headers.update(headers)
        while time.monotonic() < deadline:
            page = rng.choice(pages)
            store = rng.choice(plan.stores)
            choice = rng.randrange(4)  # which of a page's own control values (dropdown options) to use
            for cb in plan.pages[page]:
                if time.monotonic() >= deadline:
                    break
                t0 = time.perf_counter()
                error = _one_request(session, url, _body(cb, store, choice), timeout)
                tally.latencies.append(time.perf_counter() - t0)
                if error:
                    tally.errors[error] += 1


def run_load(
    plan: Plan,
    url: str,
    *,
    users: int = 50,
    seconds: float = 60,
    seed: int = 1,
    headers: dict | None = None,
    timeout: float = 120,
) -> dict:
    """``users`` threads posting page callbacks to ``url`` for ``seconds``; the figures as a dict."""
    tally = Tally()
    load_before = os.getloadavg()
    start = time.monotonic()
    deadline = start + seconds
    threads = [
        threading.Thread(
            target=_user,
            args=(plan, url.rstrip("/"), deadline, random.Random(seed * 1000 + i), tally, headers or {}, timeout),
            daemon=True,
        )
        for i in range(users)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start  # includes the requests still running at the deadline
    lat = tally.latencies
    return {
        "users": users,
        "seconds": seconds,
        "elapsed_s": round(elapsed, 2),
        "requests": len(lat),
        "errors": sum(tally.errors.values()),
        "error_kinds": dict(tally.errors),
        "requests_per_s": round(len(lat) / elapsed, 2) if elapsed > 0 else 0.0,
        "p50_ms": round(1000 * percentile(lat, 50), 1),
        "p95_ms": round(1000 * percentile(lat, 95), 1),
        "p99_ms": round(1000 * percentile(lat, 99), 1),
        "max_ms": round(1000 * max(lat), 1) if lat else float("nan"),
        "pages": len(plan.pages),
        "callbacks": plan.callbacks,
        "filter_sets": len(plan.stores),
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }


# --------------------------------------------------------------------------- starting a server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_command(kind: str, db_url: str, port: int) -> list[str]:
    """The command an operator would type for ``kind`` ("waitress" or "gunicorn"), on ``port``."""
    if kind == "waitress":
        return [*CLI, "run", "--host", "127.0.0.1", "--port", str(port), "--database", db_url]
    if kind == "gunicorn":
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            GUNICORN_CONF,
            "-b",
            f"127.0.0.1:{port}",
            "dashboard.server:wsgi()",
        ]
    raise ValueError(f"unknown server {kind!r}: waitress or gunicorn")


def wait_until_answering(url: str, proc: subprocess.Popen, within: float = 180) -> None:
    """Return once ``url`` answers 200; raise if the server exits or ``within`` seconds pass."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode} before answering")
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)  # between two polls of the condition, not a wait for time to pass
    raise TimeoutError(f"{url} did not answer within {within:.0f} s")


def server_rss_mb(pid: int) -> float:
    """Resident memory of a server and its worker processes, in MB."""
    import psutil

    proc = psutil.Process(pid)
    procs = [proc, *proc.children(recursive=True)]
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / 2**20


@contextmanager
def started_server(
    kind: str,
    db_url: str,
    *,
    workers: int | None = None,
    threads: int | None = None,
    env: dict | None = None,
    log_path: Path | None = None,
) -> Iterator[tuple[str, subprocess.Popen, Path]]:
    """A server of ``kind`` on ``db_url`` and a free port: yields (base URL, process, its log file).

    Its output goes to a file (an unread pipe would block the server once full); it is stopped
    (SIGTERM, then killed if it does not stop within its graceful timeout) on the way out.
    """
    port = free_port()
    full_env = {**os.environ, "CSC_DATABASE_URL": db_url, **(env or {})}
    if workers:
        full_env["CSC_WORKERS"] = str(workers)
    if threads:
        full_env["CSC_THREADS"] = str(threads)
    if log_path is None:
        with tempfile.NamedTemporaryFile(prefix=f"csc-{kind}-", suffix=".log", delete=False) as tmp:
            log_path = Path(tmp.name)
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(server_command(kind, db_url, port), stdout=log, stderr=subprocess.STDOUT, env=full_env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{url}/", proc)
        yield url, proc, log_path
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=90)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# --------------------------------------------------------------------------- the report


def markdown_row(result: dict) -> str:
    """One row of a markdown table: | server | users x s | req/s | p50 | p95 | p99 | errors | load |"""
    load = result["load_average_before"][0]
    label = result.get("server_label", result.get("server", "url"))
    return (
        f"| {label} | {result['users']} users x {result['seconds']:g} s"
        f" | {result['requests_per_s']:.1f} req/s | p50 {result['p50_ms'] / 1000:.2f} s"
        f" | p95 {result['p95_ms'] / 1000:.2f} s | p99 {result['p99_ms'] / 1000:.2f} s"
        f" | {result['errors']} errors of {result['requests']} | load average {load:.2f} at start |"
    )


def _parse_headers(values: list[str]) -> dict:
    headers = {}
    for v in values:
        name, sep, value = v.partition(":")
        if not sep or not name.strip():
            raise SystemExit(f"--header wants 'Name: value', got {v!r}")
        headers[name.strip()] = value.strip()
    return headers


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--db", required=True, help="SQLAlchemy URL: the payloads are built from it, a started server reads it"
    )
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--server", choices=("waitress", "gunicorn"), help="start this server on --db")
    target.add_argument("--url", help="a dashboard already running")
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--workers", type=int, help="gunicorn workers (default: dashboard.gunicorn_conf's)")
    p.add_argument("--threads", type=int, help="gunicorn threads per worker (default: dashboard.gunicorn_conf's)")
    p.add_argument("--filters", type=int, default=12, help="size of the pool of random filters sets")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--timeout", type=float, default=120, help="seconds one request may take before it is an error")
    p.add_argument("--header", action="append", default=[], metavar="'Name: value'")
    p.add_argument("--out", help="also write the JSON here")
    args = p.parse_args(argv)
    if args.users < 1 or args.seconds <= 0:
        raise SystemExit("--users must be at least 1 and --seconds above 0")

    plan = build_plan(args.db, args.filters, args.seed)
    if not plan.pages:
        raise SystemExit("no page callback found in the app")
    headers = _parse_headers(args.header)
    run = dict(users=args.users, seconds=args.seconds, seed=args.seed, headers=headers, timeout=args.timeout)
    if args.url:
        result = run_load(plan, args.url, **run) | {"server": "url", "server_label": args.url}
    else:
        with started_server(args.server, args.db, workers=args.workers, threads=args.threads) as (url, proc, _log):
            result = run_load(plan, url, **run)
            result["server_rss_mb"] = round(server_rss_mb(proc.pid), 1)
        result["server"] = args.server
        if args.server == "gunicorn":
            conf = _gunicorn_conf(args.workers, args.threads)
            result |= {"workers": conf["workers"], "threads": conf["threads"]}
            result["server_label"] = f"gunicorn, {conf['workers']} workers x {conf['threads']} threads"
        else:
            result |= {"workers": 1, "threads": 8, "server_label": "csc-dashboard run (waitress, 8 threads)"}
    result["database"] = args.db.split(":", 1)[0]
    text = json.dumps(result)
    print(text)
    print(markdown_row(result))
    if args.out:
        Path(args.out).write_text(text + "\n")
    return 0


def _gunicorn_conf(workers: int | None, threads: int | None) -> dict:
    """The workers and threads the started gunicorn used (its config read with the same environment)."""
    from dashboard import gunicorn_conf

    return {"workers": workers or gunicorn_conf.workers, "threads": threads or gunicorn_conf.threads}


if __name__ == "__main__":
    raise SystemExit(main())
