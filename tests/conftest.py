"""Shared fixtures: a database factory parametrised over SQLite, DuckDB and PostgreSQL.

PostgreSQL tests are not skipped when the server is missing: they fail, because CI must run them
(set CSC_TEST_PG_URL to point elsewhere).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
import uuid

import pytest
from sqlalchemy import event
from sqlalchemy.pool import Pool

from tests import log_guard
from tests.fixtures import BACKENDS, FixtureDB

# --------------------------------------------------------------------------- no personal data in any log line
# (tests/log_guard.py): every record of the run is recorded and checked after each test.

_RECORDER = log_guard.Recorder()


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # the controller (or a run without xdist): one report folder
        os.environ.setdefault("CSC_LOG_GUARD_DIR", tempfile.mkdtemp(prefix=f"csc-log-guard-{uuid.uuid4().hex[:8]}-"))
    root = logging.getLogger()
    root.addHandler(_RECORDER)
    if root.level > logging.INFO:
        root.setLevel(logging.INFO)  # what `csc-dashboard run` logs at
    event.listen(Pool, "connect", _remember_sqlite_fixture)


def _remember_sqlite_fixture(dbapi_connection, _record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        log_guard.remember_sqlite(dbapi_connection)


@pytest.fixture(autouse=True)
def no_personal_data_in_logs():
    """Fail the test if a log record since the last check holds a fixture's child id or worker name."""
    yield
    leaks = log_guard.check_new()
    if leaks:
        pytest.fail("personal data in the log:\n" + "\n".join(leaks[:10]), pytrace=False)


def pytest_sessionfinish(session, exitstatus):
    leaks = log_guard.check_new()  # records after the last test (session fixtures' teardown)
    folder = log_guard.report_dir()
    worker = getattr(session.config, "workerinput", {}).get("workerid", "main")
    if leaks:
        (folder / f"{worker}.txt").write_text("\n".join(leaks))
    if hasattr(session.config, "workerinput"):
        return
    found = [p.read_text() for p in sorted(folder.glob("*.txt"))]
    if found:
        print("\npersonal data in the log after the last test:\n" + "\n".join(found))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# --------------------------------------------------------------------------- databases


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
def make_db(backend, tmp_path):
    """``make_db(rows) -> Database`` on the current backend (rows: table name -> list of dicts)."""
    made = []

    def factory(rows, drop=(), **kw):
        fx = FixtureDB(backend, tmp_path).load(rows, drop)
        made.append(fx)
        db = fx.connect(**kw)
        db.fixture = fx
        return db

    yield factory
    for fx in made:
        fx.cleanup()


#: The small authority of the disclosure tests: the demo generator at this many children gives
#: workers with 0-12 children, teams of a few children per status and transfer pairs of 1-2,
#: so presentation mode has many small cells to hide next to cells it must show.
SMALL_DEMO_CHILDREN = 1200


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory):
    """A read-only ``Database`` of a small synthetic authority (many counts under 5)."""
    from data_layer import connect
    from data_layer.demo import generate

    path = tmp_path_factory.mktemp("small-demo") / "small.sqlite"
    generate(path, children=SMALL_DEMO_CHILDREN, seed=7)
    db = connect(f"sqlite:///{path}")
    db.fixture_path = path
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def small_ssd(small_demo, tmp_path_factory):
    """The same small authority in the shape of a Standard Safeguarding Dataset (partial data)."""
    from data_layer import connect, load_standards
    from data_layer.demo.ssd import native_to_ssd

    out = native_to_ssd(small_demo.fixture_path, tmp_path_factory.mktemp("small-ssd") / "small-ssd.sqlite")
    db = connect(f"sqlite:///{out}", standards=load_standards(f"{out}.standards.toml"))
    yield db
    db.dispose()
