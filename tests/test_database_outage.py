"""A paused PostgreSQL (SIGSTOP on a private cluster, never the shared one), and the SELECT-only role.

The cluster is made here with initdb in a temporary directory and run as the ``postgres`` OS user
on a free port; the tests are marked ``outage`` so they can run alone (``pytest -m outage``).
A stopped server still has its sockets acknowledged by the kernel and does not run its own
``statement_timeout``: only the data layer's client-side deadline answers the page.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from benchmarks import measure
from dashboard.settings import Settings
from data_layer import connect
from data_layer.errors import DatabaseTimeout
from data_layer.schema import teams
from data_layer.timeouts import Timeouts
from tests.apps import make_app
from tests.fixtures import write_rows

pytestmark = pytest.mark.outage

BIN = Path("/usr/lib/postgresql/15/bin")
if not (BIN / "initdb").exists():
    pytest.skip("PostgreSQL 15's initdb is not installed: no private cluster", allow_module_level=True)

#: The README's SELECT-only role (README, "The database as the barrier"), with a test password.
READER_SQL = [
    "CREATE ROLE csc_reader LOGIN PASSWORD 'reader' NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT",
    "GRANT CONNECT ON DATABASE csc TO csc_reader",
    "GRANT USAGE ON SCHEMA public TO csc_reader",
    "GRANT SELECT ON ALL TABLES IN SCHEMA public TO csc_reader",
    "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO csc_reader",
    "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
    "ALTER ROLE csc_reader SET default_transaction_read_only = on",
    "ALTER ROLE csc_reader SET statement_timeout = '30s'",
]

ROWS = {
    "teams": [
        dict(team_id="T1", team_name="North", service="CIN/CP", area="N"),
        dict(team_id="T2", team_name="South", service="Children in care", area="S"),
    ],
    "workers": [dict(worker_id="W1", worker_name="Pat Example", team_id="T1", fte=1.0)],
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(*args: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def cluster():
    """A private PostgreSQL cluster with a ``csc`` database of the fixture rows and the reader role."""
    root = Path(tempfile.mkdtemp(prefix="csc-outage-"))
    data = root / "data"
    shutil.chown(root, "postgres", "postgres")
    port = _free_port()
    _as_postgres(str(BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync")
    _as_postgres(
        str(BIN / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-t", "60",
        "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off", "start",
    )  # fmt: skip
    postmaster = int((data / "postmaster.pid").read_text().split()[0])
    stopped: list[int] = []

    def pids() -> list[int]:
        proc = psutil.Process(postmaster)
        return [postmaster] + [c.pid for c in proc.children(recursive=True)]

    def pause() -> None:
        for pid in pids():
            os.kill(pid, signal.SIGSTOP)
            stopped.append(pid)

    def resume() -> None:
        while stopped:
            try:
                os.kill(stopped.pop(), signal.SIGCONT)
            except ProcessLookupError:
                pass

    try:
        admin = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", poolclass=NullPool)
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("CREATE DATABASE csc"))
        admin.dispose()
        owner = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/csc", poolclass=NullPool)
        write_rows(owner, ROWS)
        with owner.begin() as conn:
            for sql in READER_SQL:
                conn.execute(text(sql))
        owner.dispose()
        yield {
            "superuser_url": f"postgresql+psycopg://postgres@127.0.0.1:{port}/csc",
            "reader_url": f"postgresql+psycopg://csc_reader:reader@127.0.0.1:{port}/csc",
            "pause": pause,
            "resume": resume,
        }
    finally:
        resume()
        subprocess.run(
            ["runuser", "-u", "postgres", "--", str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE teams SET team_name = 'changed'",
        "BEGIN READ WRITE; DELETE FROM teams; COMMIT",
        "SET default_transaction_read_only = off; DELETE FROM teams",
        "SELECT $$'$$; COMMIT; BEGIN READ WRITE; DELETE FROM teams; COMMIT; SELECT $$'$$",
        "CREATE TABLE evil (x integer)",
        "COPY teams TO PROGRAM 'id > /tmp/csc-reader-pwned'",
        "COPY teams TO '/tmp/csc-reader-copy.csv'",
        "SELECT pg_read_file('/etc/passwd')",
        "SELECT lo_import('/etc/passwd')",
    ],
)
def test_select_only_role_cannot_write_without_the_guard(cluster, sql):
    """The README's role, through a raw connection of the read-only engine: the server refuses."""
    db = connect(cluster["reader_url"])
    try:
        raw = db.engine.raw_connection()
        try:
            with pytest.raises(Exception):  # noqa: B017 - psycopg's InsufficientPrivilege / ReadOnlySqlTransaction
                raw.cursor().execute(sql)
                raw.commit()
        finally:
            raw.close()
        assert db.scalar(select(func.count()).select_from(teams)) == 2
        assert db.scalar(select(teams.c.team_name).where(teams.c.team_id == "T1")) == "North"
    finally:
        db.dispose()
    assert not Path("/tmp/csc-reader-pwned").exists() and not Path("/tmp/csc-reader-copy.csv").exists()


def test_select_only_role_stays_read_only_even_if_the_session_asks(cluster):
    """Even a session turning read-only off cannot write: the role has SELECT only."""
    engine = create_engine(cluster["reader_url"], poolclass=NullPool)  # not the data layer: no guard at all
    try:
        with engine.connect() as conn:
            conn.execute(text("SET default_transaction_read_only = off"))
            conn.commit()
            with pytest.raises(Exception, match="permission denied"):
                conn.execute(text("DELETE FROM teams"))
    finally:
        engine.dispose()


def _timeout_in(resp) -> bool:
    return b"The database did not answer within" in resp.get_data()


@pytest.fixture
def sqlite_app(tmp_path):
    """Another app, on a SQLite file, that must keep answering while PostgreSQL is paused."""
    from tests.fixtures import FixtureDB

    fx = FixtureDB("sqlite", tmp_path).load(ROWS)
    db = fx.connect()
    yield db
    db.dispose()


def test_paused_database_gives_the_timeout_message_and_the_app_recovers(cluster, sqlite_app, capsys):
    db = connect(cluster["reader_url"], timeouts=Timeouts(connect=2, statement=2))
    app = make_app(db=db, settings=Settings(cache_seconds=3600))
    client = app.server.test_client()
    callbacks = measure.discover(app)
    assert len(callbacks) >= 2
    stores = measure.filter_sets(db, 2)
    warm = callbacks[0]
    # Another page's callback: one on the same page may be answered whole from what the first cached.
    cold = next(c for c in callbacks if c.page != warm.page)
    other = make_app(db=sqlite_app, settings=Settings(cache_seconds=0))
    other_client = other.server.test_client()
    other_cb = measure.discover(other)[0]
    try:
        cached = client.post("/_dash-update-component", json=measure._body(warm, stores[0], 0))
        assert cached.status_code == 200 and not _timeout_in(cached)

        cluster["pause"]()
        started = time.monotonic()
        resp = client.post("/_dash-update-component", json=measure._body(cold, stores[0], 0))
        waited = time.monotonic() - started
        assert resp.status_code == 200
        assert _timeout_in(resp), resp.get_data()[:500]
        assert b"127.0.0.1" not in resp.get_data() and b"5432" not in resp.get_data()
        assert waited < 15, waited
        print(f"\ntimeout message after {waited:.1f} s")

        # Meanwhile: the cached view, the home page, an asset and another database's app all answer.
        again = client.post("/_dash-update-component", json=measure._body(warm, stores[0], 0))
        assert again.status_code == 200 and json.loads(again.get_data()) == json.loads(cached.get_data())
        assert client.get("/").status_code == 200
        assert client.get("/assets/style.css").status_code == 200
        elsewhere = other_client.post("/_dash-update-component", json=measure._body(other_cb, stores[0], 0))
        assert elsewhere.status_code == 200 and not _timeout_in(elsewhere)

        # Many reads at once (more than the pool holds): each says the database did not answer,
        # within the deadline (a new connection gives up after the connect timeout).
        started = time.monotonic()
        with ThreadPoolExecutor(db.reader.slots + 2) as pool:
            tries = [
                pool.submit(db.scalar, select(func.count()).select_from(teams)) for _ in range(db.reader.slots + 2)
            ]
            errors = [t.exception() for t in tries]
        assert all(isinstance(e, DatabaseTimeout) for e in errors), errors
        assert time.monotonic() - started < 15
    finally:
        cluster["resume"]()
    resumed = time.monotonic()
    while True:
        resp = client.post("/_dash-update-component", json=measure._body(cold, stores[1], 0))
        if resp.status_code == 200 and not _timeout_in(resp):
            break
        assert time.monotonic() - resumed < 30, "the app did not recover within 30 s"
    print(f"recovered {time.monotonic() - resumed:.1f} s after SIGCONT")
    assert db.scalar(select(func.count()).select_from(teams)) == 2
    db.dispose()
