"""The benchmark harness (issue 9): a smoke run produces every row; the cache never changes a page.

Nothing here times anything: timings are reported in ``benchmarks/RESULTS.md``, never asserted.
One tiny demo database (``SMOKE_CHILDREN``) is built once for the module and measured on SQLite
and DuckDB through the same path ``make bench`` takes (``benchmarks.run.main``, one worker
process per backend), with one repeat and one filters set so it runs in seconds.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from benchmarks import build, measure, run
from data_layer.metrics.cin_pilot_stats import km_median, km_medians, km_medians_of_resamples

SMOKE_CHILDREN = 120
BACKENDS = ("sqlite", "duckdb")
CALLBACK_MEASURES = (
    "uncached_median_ms",
    "uncached_p95_ms",
    "warm_median_ms",
    "warm_p95_ms",
    "sql_median_ms",
    "overhead_ratio",
    "payload_kb_max",
    "peak_rss_mb",
)


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    """One quick harness run into a temporary directory: (results frame, RESULTS.md text, app callbacks)."""
    out = tmp_path_factory.mktemp("bench")
    code = run.main(
        [
            "--quick",
            "--sizes",
            str(SMOKE_CHILDREN),
            "--backends",
            ",".join(BACKENDS),
            "--out",
            str(out),
            "--data-dir",
            str(out),
            "--naive-runs",
            "1",
        ]
    )
    assert code == 0
    frame = pd.read_csv(out / "results.csv")
    return frame, (out / "RESULTS.md").read_text(), out


@pytest.fixture(scope="module")
def app_callbacks(smoke):
    """The page callbacks the app registers (discovered the way the harness does)."""
    from dashboard.settings import Settings
    from data_layer import connect
    from tests.apps import make_app

    url = f"sqlite:///{build.sqlite_path(SMOKE_CHILDREN, 1, smoke[2])}"
    db = connect(url)
    app = make_app(db=db, settings=Settings(database_url=url, cache_seconds=3600))
    yield app, db, measure.discover(app)
    db.dispose()


def test_smoke_run_has_a_row_for_every_callback_backend_and_measure(smoke, app_callbacks):
    frame, _md, _out = smoke
    _app, _db, callbacks = app_callbacks
    assert callbacks, "no page callbacks discovered"
    cb = frame[frame["kind"] == "callback"]
    for backend in BACKENDS:
        got = set(cb.loc[cb["backend"] == backend, "page"] + "." + cb.loc[cb["backend"] == backend, "callback"])
        assert got == {c.label for c in callbacks}, backend
    assert (cb["errors"] == 0).all(), cb.loc[cb["errors"] > 0, ["page", "callback", "error"]].to_dict("records")
    assert cb[list(CALLBACK_MEASURES)].notna().all().all()
    assert (cb["payload_kb_max"] > 0).all()
    pages = set(cb["page"])
    for kind in ("naive", "process", "function", "generator"):
        rows = frame[frame["kind"] == kind]
        assert set(rows["backend"]) >= (set(BACKENDS) if kind != "generator" else {"sqlite"}), kind
    naive = frame[frame["kind"] == "naive"]
    for backend in BACKENDS:
        assert set(naive.loc[naive["backend"] == backend, "page"]) == pages
    fn = frame[frame["kind"] == "function"]
    assert fn["cache_identical"].astype(bool).all(), fn.loc[
        ~fn["cache_identical"].astype(bool), ["backend", "function", "args"]
    ].to_dict("records")


def test_results_markdown_describes_the_machine_and_every_goal(smoke):
    _frame, md, _out = smoke
    for text in (
        "## Machine",
        "CPU",
        "Python",
        "## Goals (issue 9)",
        "## Demo generator",
        f"## Callbacks at {SMOKE_CHILDREN} children",
        "naive pandas baseline",
    ):
        assert text in md, text


def test_a_run_without_function_timings_still_writes_its_report(smoke):
    """``--no-functions`` leaves no function rows, and the CSV no ``function`` column: the report still
    judges every goal and names each missing callback's time without a slowest data call."""
    from benchmarks import report

    frame, _md, _out = smoke
    # Read as an authority-sized run whose callbacks all miss, so the goals explain every miss.
    bare = frame[frame["kind"] != "function"].drop(columns=["function"]).assign(size=report.AUTHORITY)
    bare.loc[bare["kind"] == "callback", "uncached_p95_ms"] = 10 * report.G_P95_5K_SQLITE_MS
    md = report.render(bare, report.machine())
    assert "## Goals (issue 9)" in md and f"## Callbacks at {report.AUTHORITY:,} children" in md
    assert "## Data-layer functions" not in md and "slowest data call" not in md
    judged = {goal: (result, detail) for goal, result, detail in report.goals(bare)}
    result, detail = judged[f"5k children, SQLite: every callback p95 < {report.G_P95_5K_SQLITE_MS} ms"]
    callbacks = bare[(bare["kind"] == "callback") & (bare["backend"] == "sqlite")]
    assert result == "missed" and f"{len(callbacks)} of {len(callbacks)} callbacks miss" in detail
    for r in callbacks.itertuples():
        assert f"{r.page}.{r.callback} (sqlite {report.AUTHORITY:,})" in detail


def test_cached_and_uncached_callbacks_return_the_same_figures(app_callbacks):
    """Every page callback, every filters set: the response after a cache miss equals the cache hit."""
    app, db, callbacks = app_callbacks
    cache = app.server.extensions["csc_cache"]
    client = app.server.test_client()
    sets = measure.filter_sets(db, 2)
    for cb in callbacks:
        for store in sets:
            body = measure._body(cb, store, 0)
            cache.clear()
            miss = client.post("/_dash-update-component", json=body)
            hit = client.post("/_dash-update-component", json=body)
            assert miss.status_code == hit.status_code == 200, cb.label
            assert json.loads(miss.get_data()) == json.loads(hit.get_data()), cb.label


def test_vectorised_km_median_matches_one_at_a_time():
    """The bootstrap's row-wise Kaplan-Meier median equals scipy's, ties and censoring included."""
    rng = np.random.default_rng(7)
    for _ in range(200):
        n = int(rng.integers(1, 40))
        d = rng.integers(0, 15, size=(4, n)).astype(float)  # few distinct days: many ties
        e = rng.random((4, n)) < rng.random()
        got = km_medians(d, e, rows_per_step=3)
        for r in range(4):
            want = km_median(d[r], e[r])
            assert (math.isnan(want) and math.isnan(got[r])) or want == got[r]
    # hand-computed: deaths at 2, 4, 4 and a loss at 3 of 4 plans: S(2)=3/4, S(4)=0 -> median 4
    assert km_medians(np.array([[2.0, 3.0, 4.0, 4.0]]), np.array([[True, False, True, True]]))[0] == 4.0
    # every plan still open: no median
    assert math.isnan(km_medians(np.array([[5.0, 6.0]]), np.array([[False, False]]))[0])


def test_km_median_of_resample_counts_matches_one_at_a_time():
    """The bootstrap's count-based median of each resample equals scipy's on that resample."""
    rng = np.random.default_rng(11)
    for _ in range(200):
        n = int(rng.integers(1, 40))
        d = rng.integers(0, 15, n).astype(float)
        e = rng.random(n) < rng.random()
        idx = rng.integers(0, n, (5, n))
        got = km_medians_of_resamples(d, e, idx, rows_per_step=2)
        for r in range(5):
            want = km_median(d[idx[r]], e[idx[r]])
            assert (math.isnan(want) and math.isnan(got[r])) or want == got[r]


def test_every_naive_twin_is_keyed_by_a_real_data_function():
    """The naive baseline finds a page's pandas twins by the harness's name for each data function
    (``module.name``): a key left behind by a rename (``pilot.`` for ``cin_pilot.``) would silently
    leave that page's computations out of the baseline, making it look faster than it is."""
    import data_layer
    from benchmarks import naive

    names = {measure._fn_name(getattr(data_layer, n)) for n in data_layer.__all__ if callable(getattr(data_layer, n))}
    assert set(naive.NAIVE) <= names, sorted(set(naive.NAIVE) - names)
