"""The production server: gunicorn with ``dashboard.gunicorn_conf``, started as an operator would.

Real subprocesses on a free port against the small demo database; every wait is bounded and polls
a condition (the server answering, a line in its log, the process exiting).
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import threading
import time

import psutil
import pytest
import requests

from benchmarks.load import build_plan, free_port, server_command, started_server
from benchmarks.measure import _body
from tests.fixtures import write_database_without_core_tables


@pytest.fixture(scope="module")
def gunicorn(small_demo, tmp_path_factory):
    """gunicorn, 2 workers x 2 threads, on the small demo: (url, process, log path, db url)."""
    url = f"sqlite:///{small_demo.fixture_path}"
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with started_server("gunicorn", url, workers=2, threads=2, log_path=log) as (base, proc, log_path):
        yield base, proc, log_path, url


def _wait_for(condition, within: float = 60):
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)  # between two checks of the condition
    return True


def test_the_page_and_the_layout_are_served_by_two_worker_processes(gunicorn):
    base, proc, _log, _url = gunicorn
    page = requests.get(f"{base}/", timeout=30)
    assert page.status_code == 200 and "<title>CSC Insight</title>" in page.text
    layout = requests.get(f"{base}/_dash-layout", timeout=30)
    assert layout.status_code == 200 and layout.headers["Content-Type"].startswith("application/json")
    assert "shell-filters" in layout.text
    workers = psutil.Process(proc.pid).children()
    assert len(workers) == 2, [w.cmdline() for w in workers]


def test_the_first_callbacks_of_fresh_workers_all_answer(gunicorn):
    """Every page callback at once on workers that have not answered one yet: no 500.

    Dash takes its callbacks at a process's first request; before ``server.take_callbacks`` the
    threads that came at the same time found none (8 of the first 11 requests were 500s)."""
    base, _proc, _log, url = gunicorn
    plan = build_plan(url, n_filters=2)
    bodies = [_body(cb, plan.stores[0], 0) for cbs in plan.pages.values() for cb in cbs]
    statuses: list[int] = []

    def post(body):
        statuses.append(requests.post(f"{base}/_dash-update-component", json=body, timeout=120).status_code)

    threads = [threading.Thread(target=post, args=(b,)) for b in bodies * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(statuses) == 2 * len(bodies) >= 18
    assert set(statuses) == {200}


def test_the_access_log_has_the_path_and_never_the_query_string(gunicorn):
    base, _proc, log, _url = gunicorn
    resp = requests.get(
        f"{base}/caseloads?as_at=2023-01-31&team=T03&service=CIN%2FCP",
        headers={"Referer": f"{base}/plans?team=T04", "User-Agent": "agent-7731"},
        timeout=30,
    )
    assert resp.status_code == 200
    assert _wait_for(lambda: '"GET /caseloads HTTP/1.1" 200' in log.read_text())
    # the access log's lines (the audit log, also on stderr here, holds the filters by design)
    text = "\n".join(line for line in log.read_text().splitlines() if '"GET ' in line or '"POST ' in line)
    assert '"GET /caseloads HTTP/1.1" 200' in text
    for leaked in ("as_at", "2023-01-31", "T03", "T04", "CIN%2FCP", "agent-7731"):
        assert leaked not in text, leaked


def test_an_unusable_database_stops_gunicorn_with_the_check_message(tmp_path):
    url = write_database_without_core_tables(tmp_path / "partial.sqlite")
    done = subprocess.run(
        server_command("gunicorn", url, free_port()),
        env={**_env(), "CSC_DATABASE_URL": url, "CSC_WORKERS": "2"},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 3  # gunicorn's "worker failed to boot": it stops, it does not restart the worker
    out = done.stdout + done.stderr
    assert "CSC Insight will not start" in out and "None of the core tables" in out
    assert "Traceback" not in out


def _env():
    return {k: v for k, v in os.environ.items() if not k.startswith(("CSC_DB_", "CSC_WORKERS", "CSC_THREADS"))}


@pytest.fixture
def conf(monkeypatch):
    """The config module read afresh under the environment the test sets (and again after it)."""
    for name in ("CSC_DB_STATEMENT_TIMEOUT", "CSC_DB_CONNECT_TIMEOUT", "CSC_WORKERS", "CSC_THREADS", "CSC_BIND"):
        monkeypatch.delenv(name, raising=False)
    import dashboard.gunicorn_conf as module

    yield lambda: importlib.reload(module)
    monkeypatch.undo()
    importlib.reload(module)


def test_the_gunicorn_timeout_is_longer_than_the_database_timeouts(conf, monkeypatch):
    c = conf()
    assert (c.timeout, c.graceful_timeout) == (5 + 30 + 25, 60)  # connect + statement + margin
    assert c.workers >= 2 and c.threads == 4 and c.worker_class == "gthread" and c.preload_app is False
    assert c.bind == "127.0.0.1:8050" and c.forwarded_allow_ips == "127.0.0.1"
    monkeypatch.setenv("CSC_DB_STATEMENT_TIMEOUT", "120")
    monkeypatch.setenv("CSC_DB_CONNECT_TIMEOUT", "2.5")
    monkeypatch.setenv("CSC_WORKERS", "3")
    monkeypatch.setenv("CSC_AUTH_TRUSTED_PROXIES", "10.0.0.5")
    c = conf()
    assert c.timeout == 148 and c.workers == 3 and c.forwarded_allow_ips == "10.0.0.5"  # ceil(2.5 + 120 + 25)
    monkeypatch.setenv("CSC_DB_STATEMENT_TIMEOUT", "soon")
    monkeypatch.setenv("CSC_DB_CONNECT_TIMEOUT", "-1")
    monkeypatch.setenv("CSC_WORKERS", "many")
    c = conf()
    assert c.timeout == 60 and c.workers == max(2, c.cpu_count())


def test_gunicorn_reads_every_value_of_the_config_file():
    """gunicorn's own parser accepts the file: every name it sets is a gunicorn setting, none ignored.

    (``--print-config`` prints the settings, then fails to load the dummy app: only the print is read.)"""
    from gunicorn.config import Config

    import dashboard.gunicorn_conf as module

    settings = Config().settings
    ours = {k for k in vars(module) if not k.startswith("_") and k.islower() and not callable(getattr(module, k))}
    ours -= {"annotations", "math", "os"}
    assert ours <= set(settings), ours - set(settings)
    assert {"workers", "threads", "timeout", "graceful_timeout", "limit_request_line", "access_log_format"} <= ours
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "python:dashboard.gunicorn_conf", "--print-config", "no:app"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    printed = {
        line.split("=", 1)[0].strip(): line.split("=", 1)[1].strip() for line in done.stdout.splitlines() if "=" in line
    }
    assert printed["limit_request_fields"] == "50" and printed["timeout"] == "60"
    assert printed["worker_class"] == "gthread" and printed["control_socket_disable"] == "True"
