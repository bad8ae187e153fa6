"""The cache is bounded in bytes: frames totalling more than the budget stay under it, oldest out first."""

from __future__ import annotations

import sys
import threading

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from dash import dcc, html
from flask import Flask

from dashboard.cache import ENTRY_OVERHEAD, ByteBudgetCache, cached_call, init_cache, remembered
from dashboard.figures.plain import PlainFigure
from dashboard.settings import Settings, SettingsError
from dashboard.sizing import approx_bytes

MB = 2**20


def _frame(mb: float) -> pd.DataFrame:
    """A frame of ``mb`` MiB of int64 (plus a RangeIndex of 132 bytes)."""
    return pd.DataFrame({"n": np.arange(int(mb * MB) // 8, dtype="int64")})


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


# --------------------------------------------------------------------------- sizes


def test_a_frame_is_sized_as_pandas_deep_memory_usage_sizes_it():
    ints = _frame(1)
    assert approx_bytes(ints) == MB + ints.index.memory_usage()
    text = pd.DataFrame({"name": ["x" * 100 + str(i) for i in range(1000)]})
    # deep: each 101-103 character str object counted (149-151 bytes each), not just its 8-byte pointer
    assert approx_bytes(text) >= 1000 * sys.getsizeof("x" * 101)
    mixed = pd.DataFrame({"id": [f"C{i}" * (1 + i % 9) for i in range(20_000)], "n": range(20_000)})
    for value in (mixed, mixed.set_index("id"), mixed["id"], pd.Index(mixed["id"])):
        deep = value.memory_usage(deep=True)
        deep = int(deep.sum() if isinstance(deep, pd.Series) else deep)
        assert abs(approx_bytes(value) - deep) <= 0.05 * deep  # strings of 2 to 54 characters, sampled


def test_containers_components_and_figures_count_what_they_hold_once():
    frame = _frame(0.5)
    assert approx_bytes([frame, frame, {"again": frame}]) < approx_bytes(frame) + 1000  # one frame, not three
    x = np.arange(100_000, dtype="float64")  # 800 kB of data in a figure, inside a component tree
    tree = html.Div([html.H2("title"), dcc.Graph(figure=go.Figure(go.Scatter(x=x, y=x)))])
    assert approx_bytes(tree) >= 2 * x.nbytes
    assert approx_bytes(tree) < 3 * x.nbytes
    plain = PlainFigure().add_trace({"type": "scatter", "x": x, "y": x * 2})
    assert 2 * x.nbytes <= approx_bytes(plain) < 2 * x.nbytes + 2000  # the shared template is not charged to it


def _exact(value) -> int:
    """Every member visited (what approx_bytes did before it sampled long containers)."""
    from dashboard.sizing import _own_size

    seen, total, stack = {}, 0, [value]  # holds what it saw, so an id is not reused while it runs
    while stack:
        obj = stack.pop()
        if id(obj) not in seen:
            seen[id(obj)] = obj
            size, members = _own_size(obj)
            total += size
            stack.extend(members)
    return total


def test_long_lists_are_sized_from_a_sample_within_a_few_percent():
    """A grid's rows and a figure's points by the thousand: sampled, not each visited."""
    rows = [{"child": f"C{i:06d}", "team": f"Team {i % 17}", "days": i, "note": "x" * (i % 40)} for i in range(20_000)]
    points = [float(i) / 7 for i in range(50_000)]
    figure = PlainFigure().add_trace({"type": "bar", "x": [f"W{i}" for i in range(5_000)], "y": points[:5_000]})
    for value in (rows, points, figure, html.Div([dcc.Graph(figure=figure.to_plotly_json()), html.P(str(rows[:3]))])):
        exact = _exact(value)
        assert abs(approx_bytes(value) - exact) <= 0.05 * exact, type(value).__name__


# --------------------------------------------------------------------------- the budget


def test_the_byte_budget_holds_and_the_least_recently_used_go_first():
    cache = ByteBudgetCache(max_bytes=3 * MB + 10_000, seconds=300)
    for i in range(5):  # 5 MiB offered to a 3 MiB cache
        assert cache.set(f"k{i}", _frame(1)) is True
        assert cache.current_bytes <= cache.max_bytes
    assert [k for k in ("k0", "k1", "k2", "k3", "k4") if k in cache] == ["k2", "k3", "k4"]
    assert cache.current_bytes == 3 * (approx_bytes(_frame(1)) + ENTRY_OVERHEAD)
    cache.get("k2")  # used: now the most recent
    cache.set("k5", _frame(1))
    assert [k for k in ("k2", "k3", "k4", "k5") if k in cache] == ["k2", "k4", "k5"]


def test_a_value_larger_than_the_budget_is_not_cached_and_does_not_empty_the_cache():
    cache = ByteBudgetCache(max_bytes=2 * MB, seconds=300)
    cache.set("small", _frame(0.5))
    cache.set("big", "old value")
    assert cache.set("big", _frame(3)) is False
    assert "big" not in cache  # the old value under that key is gone too
    assert "small" in cache and cache.current_bytes <= cache.max_bytes


def test_entries_expire_after_the_cache_seconds():
    clock = FakeClock()
    cache = ByteBudgetCache(max_bytes=MB, seconds=300, timer=clock)
    cache.set("a", {"x": 1})
    clock.now = 299.9
    assert cache.get("a") == {"x": 1}
    clock.now = 300.0
    assert cache.get("a", "missing") == "missing"
    cache.set("b", [1])  # expired entries make room (and stop being charged) at the next change
    assert "a" not in cache and len(cache) == 1


def test_threads_sharing_the_cache_keep_it_within_budget():
    cache = ByteBudgetCache(max_bytes=MB, seconds=300)
    errors = []

    def work(n):
        try:
            for i in range(300):
                cache.set(f"{n}-{i % 40}", _frame(0.01 * (1 + i % 7)))
                cache.get(f"{(n + 1) % 4}-{i % 40}")
        except Exception as exc:  # noqa: BLE001 - the test reports any failure of a thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert 0 < cache.current_bytes <= cache.max_bytes


# --------------------------------------------------------------------------- in the app


def test_a_call_whose_result_is_over_the_budget_is_computed_each_time_and_still_answered():
    server = Flask(__name__)
    init_cache(server, 300, max_mb=1)
    calls = []

    def query(db, n):
        calls.append(n)
        return _frame(n)

    with server.app_context():
        assert len(cached_call(query, None, 2)) == 2 * MB // 8
        assert len(cached_call(query, None, 2)) == 2 * MB // 8
        small = cached_call(query, None, 0.25)
        small.loc[0, "n"] = -1  # a caller changing its copy
        assert cached_call(query, None, 0.25).loc[0, "n"] == 0
    assert calls == [2, 2, 0.25]


def test_none_is_a_value_that_is_remembered():
    server = Flask(__name__)
    init_cache(server, 300)
    calls = []
    with server.app_context():
        for _ in range(3):
            assert remembered(lambda: "k", lambda: calls.append(1)) is None
    assert calls == [1]


def test_the_budget_is_a_setting():
    assert Settings.from_env({}).cache_max_mb == 256
    assert Settings.from_env({"CSC_CACHE_MAX_MB": "64"}).cache_max_mb == 64
    with pytest.raises(SettingsError, match="CSC_CACHE_MAX_MB='lots'"):
        Settings.from_env({"CSC_CACHE_MAX_MB": "lots"})
    server = Flask(__name__)
    assert init_cache(server, 300, max_mb=0) is None
    cache = init_cache(server, 300, max_mb=64)
    assert cache is not None and cache.max_bytes == 64 * MB
