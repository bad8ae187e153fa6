"""gunicorn configuration for CSC Insight in production (read by gunicorn, not imported by the app).

    gunicorn -c python:dashboard.gunicorn_conf 'dashboard.server:wsgi()'

Why each value (the README's "Serving" section is the operator's version):

* **Several worker processes, threads in each.** A page callback is mostly Python building Plotly
  figures, which holds the GIL: processes are what use several cores (``CSC_WORKERS``, default the
  CPUs this process may run on, at least 2). Threads (``CSC_THREADS``, default 4) overlap the time a
  request waits on the database. Each worker has its own cache (``CSC_CACHE_MAX_MB`` each).
* **timeout** is longer than the database may take: ``CSC_DB_CONNECT_TIMEOUT`` (5 s) +
  ``CSC_DB_STATEMENT_TIMEOUT`` (30 s) + 25 s, read under the same names and defaults as the data
  layer, so the database's own timeouts answer first (with the in-page "the database did not
  answer") and gunicorn only kills a worker that stopped responding altogether. With threaded
  workers it is the worker's heartbeat, not a per-request limit. ``graceful_timeout`` is the same, so
  a restart lets the slowest legitimate request finish.
* **No preload.** Each worker opens and checks the database itself after the fork: a database
  connection (PostgreSQL's socket, a DuckDB handle) must never be shared by forked processes. The
  master checks it once first (``on_starting``, then closes it), so an unusable database stops
  gunicorn with the check's message before any worker is forked.
* **Small request heads.** Our addresses carry only filters (dates, team ids, a service), and a
  callback's data is in the body, which the app bounds: 4094-byte request line, 50 header fields of
  8190 bytes at most (room for a proxy's identity headers).
* **Access log without query strings, referrers or user agents** (``%(U)s`` is the path alone):
  nothing a filter or a link could carry reaches the log, only who asked (address), what page
  (path), status, size and time.
* **Forwarded headers** (client address, ``https``) are believed only from ``CSC_AUTH_TRUSTED_PROXIES``
  (default ``127.0.0.1``), the same proxies the sign-in trusts.
* **No control socket**: gunicorn's runtime-control socket (default in the home folder, shared by
  every instance) is not needed.
"""

from __future__ import annotations

import math
import os


def _int(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ[name]))
    except (KeyError, ValueError):
        return default


def _seconds(name: str, default: float) -> float:
    try:
        value = float(os.environ[name])
    except (KeyError, ValueError):
        return default
    return value if math.isfinite(value) and value > 0 else default


def cpu_count() -> int:
    """CPUs this process may use (a container's or taskset's limit, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


#: The data layer's timeouts (same names and defaults as data_layer/engine.py) and the margin over them.
DB_CONNECT_TIMEOUT = _seconds("CSC_DB_CONNECT_TIMEOUT", 5)
DB_STATEMENT_TIMEOUT = _seconds("CSC_DB_STATEMENT_TIMEOUT", 30)
TIMEOUT_MARGIN = 25

bind = os.environ.get("CSC_BIND", "127.0.0.1:8050")
workers = _int("CSC_WORKERS", max(2, cpu_count()))
threads = _int("CSC_THREADS", 4)
worker_class = "gthread"
timeout = math.ceil(DB_CONNECT_TIMEOUT + DB_STATEMENT_TIMEOUT + TIMEOUT_MARGIN)
graceful_timeout = timeout
keepalive = 5
preload_app = False

limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190

forwarded_allow_ips = os.environ.get("CSC_AUTH_TRUSTED_PROXIES", "127.0.0.1")

accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'

proc_name = "csc-insight"
control_socket_disable = True
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # heartbeat file off a slow disk


def on_starting(_server) -> None:
    """gunicorn's hook in the master, before the workers: an unusable database stops it here (exit 3)."""
    from dashboard.server import check_before_serving

    check_before_serving()
