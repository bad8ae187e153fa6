"""The Redis tier (``CSC_CACHE_URL``): exact round trips, hits served without the database, shared by
two caches, never pickle, and a Redis that does not answer never breaks a page."""

from __future__ import annotations

import dataclasses
import logging
import os
import pickle
import struct
import subprocess
import sys
import uuid
from datetime import date

import pandas as pd
import pytest
import redis
from flask import Flask

from dashboard.cache import cache_key, cached_call, cached_render, database_key, init_cache
from dashboard.context import install
from dashboard.filters import load_filter_options
from dashboard.settings import Settings, SettingsError
from dashboard.shared_cache import RedisCache, TieredCache, Unshareable, decode, encode
from dashboard.text_bounds import bound
from data_layer import (
    Filters,
    caseload_trend,
    caseloads,
    children_by_status,
    cohort_plans,
    connect,
    data_quality,
    date_range,
    drift_counts,
    drift_trend,
    duration_bands,
    evaluate_pilot,
    jarp_queue,
    jarp_queue_trend,
    jarp_responses,
    jarp_reviews_due,
    jarp_unknown_criteria,
    keyworker_change_children,
    keyworker_changes,
    pilot_trend,
    plan_drift,
    plan_durations,
    plan_exclusions,
    team_options,
    transfer_exclusions,
    transfer_flows,
    transfers,
    unallocated,
)
from data_layer.imports import import_reconciliation

REDIS_URL = "redis://127.0.0.1:6379/15"  # a database of its own: the tests touch only their prefix in it


@pytest.fixture(scope="module")
def redis_url():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not answering on CI ({type(exc).__name__}): .ci/run starts it")
        pytest.skip("Redis is not running on 127.0.0.1:6379 (start it: see .ci/run); CI is not set")
    return REDIS_URL


@pytest.fixture
def prefix(redis_url):
    """A key prefix of this test's own; its keys are removed afterwards."""
    p = f"csc-test-{uuid.uuid4().hex[:12]}:"
    yield p
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=p + "*"))
    if keys:
        client.delete(*keys)


def _filters(db, teams=()):
    return Filters(as_at=date_range(db)[1], teams=teams)


def page_calls(db):
    """Every data-layer call the pages make (``cached_call`` and the Overview's fetch), two filter sets."""
    whole = _filters(db)
    team = tuple(team_options(db)["team_id"].iloc[:2])
    calls = [(load_filter_options, ()), (team_options, ()), (import_reconciliation, ())]
    for f in (whole, Filters(whole.as_at, teams=team)):
        calls += [
            (caseloads, (f,)),
            (caseload_trend, (f, 52)),
            (unallocated, (f,)),
            (children_by_status, (f,)),
            (data_quality, (f, ("workers", "allocations"))),
            (data_quality, (f,)),
            (plan_durations, (f, "cin")),
            (plan_durations, (f, "cp")),
            (duration_bands, (f,)),
            (plan_exclusions, (f,)),
            (plan_drift, (f,)),
            (drift_counts, (f,)),
            (drift_trend, (f, 12)),
            (evaluate_pilot, (f, None)),
            (cohort_plans, (f, None)),
            (pilot_trend, (f, None)),
            (transfers, (f,)),
            (transfer_flows, (f,)),
            (transfer_exclusions, (f,)),
            (keyworker_changes, (f,)),
            (keyworker_change_children, (f,)),
            (jarp_queue, (f,)),
            (jarp_queue_trend, (f, 26)),
            (jarp_responses, (f,)),
            (jarp_reviews_due, (f,)),
            (jarp_unknown_criteria, (f,)),
        ]
    return calls


def assert_same(got, want, where=""):
    """Equal, and of the same types all the way down (frames: dtypes, index, attrs)."""
    assert type(got) is type(want), f"{where}: {type(got).__name__} != {type(want).__name__}"
    if isinstance(want, pd.DataFrame):
        pd.testing.assert_frame_equal(got, want, check_exact=True, obj=where)
        assert got.attrs == want.attrs, where
        for col in want.columns:  # object columns: the same Python types (date stays date, str stays str)
            if want[col].dtype == object:
                assert [_kind(v) for v in got[col]] == [_kind(v) for v in want[col]], f"{where}.{col}"
    elif isinstance(want, pd.Series):
        pd.testing.assert_series_equal(got, want, check_exact=True, obj=where)
    elif dataclasses.is_dataclass(want):
        for fld in dataclasses.fields(want):
            assert_same(getattr(got, fld.name), getattr(want, fld.name), f"{where}.{fld.name}")
    elif isinstance(want, (tuple, list)):
        assert len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_same(g, w, f"{where}[{i}]")
    elif isinstance(want, dict):
        assert list(got) == list(want), where
        for k in want:
            assert_same(got[k], want[k], f"{where}[{k!r}]")
    else:
        assert got == want, where


def _kind(v) -> type:
    """A value's type; text is ``str`` whatever its subclass (SQLAlchemy names tables with ``quoted_name``)."""
    return str if isinstance(v, str) else type(v)


def _server(db, seconds=300, url=None, prefix="csc:"):
    server = Flask(__name__)
    install(server, db, Settings())
    init_cache(server, seconds, url=url, prefix=prefix)
    return server


class NoDatabase:
    """Stands in for the database's reads: a call that reaches it was not served by the cache."""

    def __init__(self, monkeypatch, db):
        self.reads = 0
        for name in ("read", "scalar"):
            monkeypatch.setattr(db, name, self.boom)

    def boom(self, *_a, **_k):
        self.reads += 1
        raise AssertionError("the database was read: not a cache hit")


# --------------------------------------------------------------------------- the format


def test_every_page_result_round_trips_exactly_through_the_safe_format(small_demo):
    """Dates stay ``datetime.date`` objects, datetime64 stays datetime64, categoricals stay categoricals."""
    kinds = set()
    for fn, args in page_calls(small_demo):
        value = fn(small_demo, *args)
        assert_same(decode(encode(value)), value, fn.__name__)
        kinds.add(type(value).__name__)
    assert {"DataFrame", "PilotEvaluation", "FilterOptions"} <= kinds


def test_dtypes_the_data_layer_returns_survive_including_missing_values():
    df = pd.DataFrame(
        {
            "start_date": [date(2023, 3, 31), None, date(2020, 2, 29)],
            "at": pd.to_datetime(["2023-03-31 00:00", None, "2020-02-29 10:30"]),
            "status": pd.Categorical(["CIN", "CP", None], categories=["CP", "CIN", "CLA"], ordered=True),
            "team": ["T1", None, "T3"],
            "n": pd.array([1, None, 3], dtype="Int64"),
            "rate": [0.5, float("nan"), 1.25],
            "ok": [True, False, True],
        },
        index=pd.Index([10, 20, 30], name="row"),
    )
    df.attrs["shortened"] = 2
    value = {"frame": df, "series": df["rate"], "pair": (df.iloc[:0], date(2023, 1, 1)), "n": 3}
    assert_same(decode(encode(value)), value)


def test_values_outside_the_format_are_refused_and_pickles_are_never_loaded():
    class Opaque:
        pass

    with pytest.raises(Unshareable):
        encode({"x": Opaque()})
    with pytest.raises(Unshareable):
        encode(pd.DataFrame({"mixed": [1, "a"]}))

    @dataclasses.dataclass
    class NotListed:
        x: int

    with pytest.raises(Unshareable):
        encode(NotListed(1))
    with pytest.raises(ValueError):
        decode(pickle.dumps(pd.DataFrame({"a": [1]})))
    head = b'{"dc":"os.system","fields":{"command":"touch /tmp/owned"}}'  # what a writer to Redis might try
    with pytest.raises(ValueError, match="does not build"):
        decode(b"CSC1" + struct.pack(">II", len(head), 0) + head)


# --------------------------------------------------------------------------- the key


def test_the_key_names_the_database_not_the_object_and_is_the_same_in_another_process(small_demo):
    url = f"sqlite:///{small_demo.fixture_path}"
    again = connect(url)
    try:
        assert database_key(again) == database_key(small_demo)
        f = _filters(small_demo)
        key = cache_key(caseloads, small_demo, (f,), {})
        assert cache_key(caseloads, again, (f,), {}) == key
        other = dataclasses.replace(small_demo.standards, caseload_per_fte=small_demo.standards.caseload_per_fte + 1)
        again.standards = other
        assert database_key(again) != database_key(small_demo)  # standards change results
    finally:
        again.dispose()
    code = (
        "from dashboard.cache import cache_key; from data_layer import connect, caseloads, Filters;"
        "import datetime;"
        f"db = connect({url!r});"
        f"print(cache_key(caseloads, db, (Filters({f.as_at!r}),), {{}}))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}  # another hash seed: a frozenset's repr differs
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == key


# --------------------------------------------------------------------------- through cached_call


@pytest.mark.parametrize("kind", ["in-process", "redis"])
def test_cached_results_equal_direct_calls_and_the_second_call_is_a_hit(kind, small_demo, request, monkeypatch):
    url, prefix = (
        (request.getfixturevalue("redis_url"), request.getfixturevalue("prefix")) if kind == "redis" else (None, "")
    )
    server = _server(small_demo, url=url, prefix=prefix)
    calls = page_calls(small_demo)
    with server.app_context():
        direct = [bound(fn(small_demo, *args)) for fn, args in calls]
        first = [cached_call(fn, small_demo, *args) for fn, args in calls]
        with monkeypatch.context() as m:
            gone = NoDatabase(m, small_demo)
            second = [cached_call(fn, small_demo, *args) for fn, args in calls]
        assert gone.reads == 0
    for (fn, _), d, a, b in zip(calls, direct, first, second, strict=True):
        assert_same(a, d, f"{fn.__name__} (computed)")
        assert_same(b, d, f"{fn.__name__} (cached)")
    if kind == "redis":
        stored = list(redis.Redis.from_url(url).scan_iter(match=prefix + "*"))
        assert len(stored) == len({cache_key(fn, small_demo, args, {}) for fn, args in calls})


def test_a_result_one_worker_computed_is_served_to_another_from_redis(small_demo, redis_url, prefix, monkeypatch):
    one, two = _server(small_demo, url=redis_url, prefix=prefix), _server(small_demo, url=redis_url, prefix=prefix)
    calls = page_calls(small_demo)
    with one.app_context():
        computed = [cached_call(fn, small_demo, *args) for fn, args in calls]
    other_db = connect(f"sqlite:///{small_demo.fixture_path}")  # the second worker's own Database object
    try:
        with two.app_context(), monkeypatch.context() as m:
            gone = NoDatabase(m, other_db)
            served = [cached_call(fn, other_db, *args) for fn, args in calls]
        assert gone.reads == 0  # nothing in the second worker's process: every answer came from Redis
    finally:
        other_db.dispose()
    for (fn, _), a, b in zip(calls, computed, served, strict=True):
        assert_same(b, a, fn.__name__)


def test_renders_and_unshareable_values_stay_in_the_process(redis_url, prefix):
    server = Flask(__name__)
    cache = init_cache(server, 300, url=redis_url, prefix=prefix)
    assert isinstance(cache, TieredCache)
    with server.app_context():
        assert cached_render(lambda x: {"figure": x}, 1) == {"figure": 1}
        cache.set("q:opaque", object())
    client = redis.Redis.from_url(redis_url)
    assert list(client.scan_iter(match=prefix + "*")) == []  # a render (r:) and an opaque value: local only
    assert cache.get("q:opaque") is not None


# --------------------------------------------------------------------------- Redis down, bad URL


def test_a_redis_that_does_not_answer_falls_back_to_computing_and_logs_once(small_demo, caplog):
    server = _server(small_demo, url="redis://127.0.0.1:1/0")  # nothing listens on port 1
    f = _filters(small_demo)
    with caplog.at_level(logging.WARNING, logger="dashboard.shared_cache"), server.app_context():
        a = cached_call(caseloads, small_demo, f)
        b = cached_call(caseloads, small_demo, f.shifted(-7))
        c = cached_call(caseloads, small_demo, f)
    assert_same(a, bound(caseloads(small_demo, f)))
    assert_same(c, a)
    assert not b.empty
    lines = [r.getMessage() for r in caplog.records if r.name == "dashboard.shared_cache"]
    assert lines == ["shared cache unavailable (ConnectionError): computing locally, retrying every 30 s"]


def test_a_down_redis_is_left_alone_then_tried_again():
    class Client:
        calls = 0

        def get(self, key):
            Client.calls += 1
            raise redis.ConnectionError("down")

    now = [0.0]
    cache = RedisCache("redis://unused", 60, client=Client(), timer=lambda: now[0])  # type: ignore[arg-type]
    assert cache.get("q:x", "miss") == "miss"
    assert cache.get("q:x", "miss") == "miss" and Client.calls == 1  # not asked again at once
    now[0] = 31.0
    assert cache.get("q:x", "miss") == "miss" and Client.calls == 2


def test_a_value_too_large_for_redis_stays_local_and_redis_stays_in_use(monkeypatch):
    import dashboard.shared_cache as shared

    class Client:
        stored: dict = {}

        def set(self, key, data, ex):
            Client.stored[key] = (data, ex)

        def get(self, key):
            return Client.stored.get(key, (None,))[0]

    monkeypatch.setattr(shared, "MAX_VALUE_BYTES", 10_000)
    cache = RedisCache("redis://unused", 60, prefix="p:", client=Client())  # type: ignore[arg-type]
    assert cache.set("q:big", pd.DataFrame({"n": range(5000)})) is False
    assert cache.set("q:small", pd.DataFrame({"n": range(10)})) is True
    assert list(Client.stored) == [f"p:v{shared.FORMAT}:q:small"] and Client.stored[list(Client.stored)[0]][1] == 60
    assert_same(cache.get("q:small"), pd.DataFrame({"n": range(10)}))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6379/0",
        "redis://",
        "redis://127.0.0.1:port/0",
        "redis://127.0.0.1:6379/zero",
        "127.0.0.1:6379",
    ],
)
def test_a_bad_cache_url_is_refused_naming_the_variable(url):
    with pytest.raises(SettingsError, match="CSC_CACHE_URL"):
        Settings.from_env({"CSC_CACHE_URL": url})


def test_a_refused_cache_url_does_not_print_its_password():
    with pytest.raises(SettingsError) as err:
        Settings.from_env({"CSC_CACHE_URL": "redis://:s3cret@127.0.0.1:6379/db"})
    assert "s3cret" not in str(err.value) and "***" in str(err.value)


def test_good_cache_urls_are_kept():
    for url in ("redis://127.0.0.1:6379/0", "rediss://:pw@cache.internal:6380/2", "unix:///run/redis.sock"):
        assert Settings.from_env({"CSC_CACHE_URL": url}).cache_url == url
    assert Settings.from_env({}).cache_url is None
