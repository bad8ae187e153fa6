"""Shared fixtures: a database factory parametrised over SQLite, DuckDB and PostgreSQL.

PostgreSQL tests are not skipped when the server is missing: they fail, because CI must run them
(set CSC_TEST_PG_URL to point elsewhere).
"""
from __future__ import annotations

import pytest

from tests.fixtures import BACKENDS, FixtureDB


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
