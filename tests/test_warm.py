"""Warming the cache (issue 17): after a pass, the default view and the week before run no query.

Each page callback is posted through Flask's test client as the browser would, for the filters
store of the latest date and of the week before (all teams); a listener on the engine counts the
statements sent to the database. The warmer's loop is driven by events, never by sleeping.
"""

from __future__ import annotations

import threading
import uuid
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
import redis
from sqlalchemy import event

from benchmarks import measure
from dashboard.cache import init_cache, refreshing, remembered
from dashboard.settings import Settings, SettingsError
from dashboard.warm import Warmer, WarmReport, warm_cache, warm_command, warm_dates
from data_layer import connect, latest_date
from tests.apps import make_app

REDIS_URL = "redis://127.0.0.1:6379/15"  # a database of its own: the tests touch only their prefix in it


@contextmanager
def statements(db):
    """The SQL statements ``db`` sends inside the block."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _default_and_week_before(app, db):
    """Every page callback's request body for the latest date and for the week before, all teams."""
    client = app.server.test_client()
    client.get("/")
    callbacks = measure.discover(app)
    sets = measure.filter_sets(db, 2)
    assert [s["as_at"] for s in sets] == [latest_date(db).isoformat(), (latest_date(db) - timedelta(7)).isoformat()]
    return client, [(cb, measure._body(cb, store, 0)) for cb in callbacks for store in sets]


def _serve_all(client, bodies) -> None:
    for cb, body in bodies:
        _seconds, _size, error = measure._post(client, body)
        assert error is None, (cb.label, error)


def _serves_without_a_query(app, db) -> None:
    """Every page callback, both dates, answered by ``app`` while ``db`` receives no statement."""
    client, bodies = _default_and_week_before(app, db)
    with statements(db) as sent:
        _serve_all(client, bodies)
    assert sent == []


def test_after_warming_every_page_of_the_default_view_and_the_week_before_runs_no_query(small_demo):
    app = make_app(db=small_demo, settings=Settings(cache_seconds=3600))
    _client, bodies = _default_and_week_before(app, small_demo)
    assert len({cb.label for cb, _ in bodies}) >= 13  # every page part of the dashboard
    with app.server.app_context():
        report = warm_cache(small_demo)
    latest = latest_date(small_demo)
    assert report.dates == (latest, latest - timedelta(7)) and not report.problems
    assert report.parts == 2 * len({cb.label for cb, _ in bodies})  # each part, both dates
    _serves_without_a_query(app, small_demo)


def test_without_warming_the_same_requests_do_query(small_demo):
    """The control: the zero above is the warming's doing, not a cache filled by something else."""
    app = make_app(db=small_demo, settings=Settings(cache_seconds=3600))
    client, bodies = _default_and_week_before(app, small_demo)
    with statements(small_demo) as sent:
        _serve_all(client, bodies[:1])
    assert len(sent) > 0


@pytest.fixture
def redis_prefix():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    client.ping()  # under CI a missing Redis fails the test (.ci/run starts it)
    prefix = f"csc-test-warm-{uuid.uuid4().hex[:8]}:"
    yield prefix
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)


def test_what_one_process_warmed_in_redis_serves_a_fresh_process_without_a_query(small_demo, redis_prefix):
    settings = Settings(cache_seconds=3600)
    one = make_app(db=small_demo, settings=settings)
    init_cache(one.server, 3600, url=REDIS_URL, prefix=redis_prefix)
    with one.server.app_context():
        warm_cache(small_demo)
    # another process: its own database handle and an empty cache of its own, the same Redis
    other_db = connect(f"sqlite:///{small_demo.fixture_path}")
    try:
        two = make_app(db=other_db, settings=settings)
        init_cache(two.server, 3600, url=REDIS_URL, prefix=redis_prefix)
        _serves_without_a_query(two, other_db)
    finally:
        other_db.dispose()


def test_the_command_refuses_without_a_shared_cache(monkeypatch, capsys):
    monkeypatch.delenv("CSC_CACHE_URL", raising=False)
    assert warm_command() == 2
    assert "set CSC_CACHE_URL=redis://" in capsys.readouterr().err


def test_the_command_warms_the_shared_cache(small_demo, monkeypatch, capsys):
    monkeypatch.setenv("CSC_CACHE_URL", REDIS_URL)
    monkeypatch.setenv("CSC_CACHE_SECONDS", "60")  # what it leaves in Redis goes soon
    assert warm_command(f"sqlite:///{small_demo.fixture_path}") == 0
    out = capsys.readouterr().out
    latest = latest_date(small_demo)
    assert f"for all teams as at {latest:%d %B %Y} and {latest - timedelta(7):%d %B %Y}" in out


def test_the_week_before_is_left_out_when_the_data_starts_after_it():
    latest = date(2024, 3, 31)
    assert warm_dates(latest, None) == (latest, date(2024, 3, 24))
    assert warm_dates(latest, latest - timedelta(3)) == (latest,)


def test_a_refresh_recomputes_what_is_cached(small_demo):
    app = make_app(db=small_demo, settings=Settings(cache_seconds=3600))
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    with app.server.app_context():
        assert remembered(lambda: "q:test-refresh", compute) == 1
        assert remembered(lambda: "q:test-refresh", compute) == 1  # a hit
        with refreshing():
            assert remembered(lambda: "q:test-refresh", compute) == 2
        assert remembered(lambda: "q:test-refresh", compute) == 2  # the refreshed value is the one kept


def test_the_warmer_warms_then_refreshes_only_when_it_holds_the_lock():
    passes: list[bool] = []
    locks: list[bool] = [False, True]  # the first period another process refreshes, the second us
    refreshed = threading.Event()

    def run_pass(refresh: bool) -> WarmReport:
        passes.append(refresh)
        if refresh:
            refreshed.set()
        return WarmReport(dates=(), parts=0)

    def lock(_ttl: float) -> bool:
        return locks.pop(0) if locks else False

    warmer = Warmer(run_pass, seconds=1.25, lock=lock)  # a period of 1 s
    warmer.start()
    try:
        assert warmer.first_pass.wait(30)
        assert refreshed.wait(60)
    finally:
        warmer.stop()
    assert passes[:2] == [False, True] and locks == []


def test_a_failing_pass_is_logged_by_type_and_the_warmer_goes_on(caplog):
    def run_pass(refresh: bool) -> WarmReport:
        raise RuntimeError("child C123 could not be read")

    warmer = Warmer(run_pass, seconds=3600)
    warmer.start()
    try:
        assert warmer.first_pass.wait(30)
    finally:
        warmer.stop()
    assert "cache warming failed: RuntimeError" in caplog.text and "C123" not in caplog.text


def test_warm_on_start_is_a_checked_setting():
    assert Settings.from_env({"CSC_WARM_ON_START": "1"}).warm_on_start
    assert not Settings.from_env({}).warm_on_start
    with pytest.raises(SettingsError, match="CSC_WARM_ON_START='maybe' is neither 1 nor 0"):
        Settings.from_env({"CSC_WARM_ON_START": "maybe"})
    with pytest.raises(SettingsError, match="the cache is off"):
        Settings.from_env({"CSC_WARM_ON_START": "1", "CSC_CACHE_SECONDS": "0"})


def test_a_server_started_with_warm_on_start_warms_in_the_background(small_demo, monkeypatch):
    from dashboard.server import build_app

    monkeypatch.setenv("CSC_WARM_ON_START", "1")
    monkeypatch.setenv("CSC_CACHE_SECONDS", "3600")
    monkeypatch.delenv("CSC_CACHE_URL", raising=False)
    from tests.apps import reset_dash_globals, take_dash_globals

    reset_dash_globals()
    app = build_app(f"sqlite:///{small_demo.fixture_path}")
    take_dash_globals(app)
    warmer = app.server.extensions["csc_warmer"]
    db = app.server.extensions["csc_insight"].db
    try:
        assert warmer.first_pass.wait(300), "the first warming pass did not end"
        assert warmer.last is not None and warmer.last.parts > 0 and not warmer.last.problems
        _serves_without_a_query(app, db)
    finally:
        warmer.stop()
        db.dispose()


def test_in_the_process_that_warmed_the_parts_themselves_are_ready(small_demo, monkeypatch):
    """CSC_WARM_ON_START's case: the page parts (sections, figures) are kept too, not only the query
    results, so the default view's first request only draws the components. Counted: how many parts
    are computed while every callback is served for both dates."""
    import dashboard.sections as sections

    app = make_app(db=small_demo, settings=Settings(cache_seconds=3600))
    client, bodies = _default_and_week_before(app, small_demo)
    with app.server.app_context():
        warm_cache(small_demo)
    computed = []
    real = sections._with_shortened_note

    def counting(spec, part, *args):
        computed.append(f"{spec.key}.{part}")
        return real(spec, part, *args)

    monkeypatch.setattr(sections, "_with_shortened_note", counting)
    _serve_all(client, bodies)
    assert computed == []
