"""``csc-dashboard run``: serves the demo, and refuses an unusable database with the check's message.

Run as a real subprocess, as an operator would, so the exit code, stderr and the WSGI server
(waitress) are what is tested.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

from sqlalchemy import Column, MetaData, Table, create_engine

from data_layer.demo import ensure_demo
from data_layer.schema import metadata
from tests.fixtures import write_database_without_core_tables

CLI = [sys.executable, "-c", "from dashboard.cli import main; raise SystemExit(main())"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_run_refuses_a_database_with_none_of_the_core_tables(tmp_path):
    url = write_database_without_core_tables(tmp_path / "partial.sqlite")
    done = subprocess.run(
        [*CLI, "run", "--port", str(_free_port()), "--database", url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "CSC Insight will not start" in done.stderr and "None of the core tables" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_a_partial_database_starts_and_prints_its_coverage(tmp_path, capsys):
    from dashboard.startup import prepare_database

    path = tmp_path / "partial.sqlite"
    md = MetaData()
    for t in metadata.tables.values():
        if t.name != "transfers":
            Table(t.name, md, *[Column(c.name, c.type) for c in t.columns if (t.name, c.name) != ("workers", "fte")])
    md.create_all(create_engine(f"sqlite:///{path}"))
    db = prepare_database(f"sqlite:///{path}")
    err = capsys.readouterr().err
    assert "partial data" in err and "Table transfers is not in this database" in err and "workers.fte" in err
    db.dispose()


def test_run_serves_the_demo_dashboard():
    url = f"sqlite:///{ensure_demo()}"
    port = _free_port()
    proc = subprocess.Popen(
        [*CLI, "run", "--port", str(port), "--database", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/caseloads", timeout=5) as resp:
                    body = resp.read().decode()
                    assert resp.status == 200
                    break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                assert time.monotonic() < deadline, "the dashboard did not answer in 90 s"
                time.sleep(0.5)
        assert "<title>" in body and "_dash-config" in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_dash-layout", timeout=10) as resp:
            assert "shell-navbar" in resp.read().decode()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_a_misspelt_standards_file_stops_start_up_with_one_message_naming_the_key(tmp_path, monkeypatch):
    """WSGI servers (gunicorn 'dashboard.server:wsgi()') and the CLI both start through prepare_database."""
    import pytest

    from dashboard.startup import StartupError, prepare_database

    path = tmp_path / "empty.sqlite"
    metadata.create_all(create_engine(f"sqlite:///{path}"))
    standards = tmp_path / "standards.toml"
    standards.write_text("[standards]\ncaseload_per_ftee = 22\n")
    monkeypatch.setenv("CSC_STANDARDS_FILE", str(standards))
    with pytest.raises(StartupError) as err:
        prepare_database(f"sqlite:///{path}")
    assert "cannot use its standards file" in str(err.value)
    assert "caseload_per_ftee" in str(err.value) and "caseload_per_fte" in str(err.value)
