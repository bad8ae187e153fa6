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
