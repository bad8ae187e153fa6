"""Measure every page callback of the real app on one database (run in its own process).

How a callback is found and called, so new pages are picked up without a list to edit:

* ``create_app(db=...)`` lets Dash import every page, and the app's first request (Dash's set-up)
  takes their callbacks; each callback in ``app.callback_map`` whose function lives in a
  ``dashboard.pages.*`` module and that reads the global filters store (``shell-filters.data``)
  is a page callback. Its page is the module; its other inputs take the values the page's own
  ``layout()`` gives those components (a dropdown's ``value``), and the benchmark also cycles
  through their ``options`` so every choice a user can make is timed.
* Each call is an HTTP POST to Dash's ``/_dash-update-component`` through Flask's test client,
  exactly what the browser sends: the time includes Dash's dispatch and JSON serialisation, and
  the payload is the response body the browser receives.
* Uncached: the query cache is cleared before the call. Warm: the same call again at once.
* Raw SQL: a ``before_cursor_execute`` listener on the app's engine records every statement and
  its bound parameters during the uncached call; they are replayed on one raw DBAPI connection of
  the same engine (execute + fetchall), which is the database's share of the callback.
* Data functions: every ``(function, filters, args)`` a callback sends through the query cache is
  recorded (``dashboard.cache.cache_key`` is wrapped); each is then timed directly, its SQL
  replayed, and its uncached and cached results compared for equality.
* Memory: the process's RSS high-water mark (``ru_maxrss``) after each page.

A failing callback (its ``guarded`` error alert in the response, or an HTTP error) is a row with
``error`` set, never a crash of the harness.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import resource
import statistics
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import event

from . import naive

log = logging.getLogger(__name__)

FILTERS_ID = "shell-filters"
ERROR_MARKER = '"page-error"'


# --------------------------------------------------------------------------- small helpers


def peak_rss_mb() -> float:
    """This process's resident-set high-water mark so far, in MB.

    Linux's ``VmHWM`` (``/proc/self/status``) belongs to this process's own memory and starts afresh
    at ``exec``. ``ru_maxrss`` does not: it carries the parent's high-water mark across fork and
    exec, so a worker started by ``run.py`` after it built a 1M-children database reported that
    build's memory as the server's. ``ru_maxrss`` is the fallback where ``/proc`` is missing.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    s = sorted(values)
    if not s:
        return float("nan")
    k = max(0, min(len(s) - 1, int(-(-q * len(s) // 100)) - 1))
    return s[k]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


class StatementRecorder:
    """Records (statement, parameters) sent to the driver while :meth:`recording` is active."""

    def __init__(self, engine):
        self.engine = engine
        self.active = False
        self.statements: list[tuple[str, Any, bool]] = []
        event.listen(engine, "before_cursor_execute", self._before)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        if self.active:
            self.statements.append((statement, parameters, executemany))

    @contextmanager
    def recording(self):
        self.statements = []
        self.active = True
        try:
            yield self
        finally:
            self.active = False

    def close(self):
        event.remove(self.engine, "before_cursor_execute", self._before)


def replay(engine, statements: list[tuple[str, Any, bool]]) -> tuple[float, int]:
    """Seconds to execute and fetch ``statements`` on one raw DBAPI connection; rows fetched."""
    if not statements:
        return 0.0, 0
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        rows = 0
        t0 = time.perf_counter()
        for sql, params, many in statements:
            if many:
                cur.executemany(sql, params)
            elif params:
                cur.execute(sql, params)
            else:
                cur.execute(sql)
            if cur.description is not None:
                rows += len(cur.fetchall())
        elapsed = time.perf_counter() - t0
        cur.close()
    finally:
        try:
            raw.rollback()
        except Exception:  # noqa: BLE001
            pass
        raw.close()
    return elapsed, rows


def same(a: Any, b: Any) -> bool:
    """Deep equality of data-layer results (DataFrames, dataclasses, containers, scalars)."""
    if isinstance(a, pd.DataFrame) or isinstance(b, pd.DataFrame):
        if not (isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame)):
            return False
        try:
            pd.testing.assert_frame_equal(a, b, check_exact=True)
            return True
        except AssertionError:
            return False
    if isinstance(a, pd.Series):
        return isinstance(b, pd.Series) and a.equals(b)
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return type(a) is type(b) and all(same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=False))
    try:
        eq = a == b
        if isinstance(eq, bool):
            return eq or (a != a and b != b)  # NaN == NaN here
        return bool(getattr(eq, "all", lambda: eq)())
    except Exception:  # noqa: BLE001
        return False


def size_of(result: Any) -> int:
    """Rows in a data-layer result (summed over the DataFrames of a composite result)."""
    if isinstance(result, pd.DataFrame):
        return len(result)
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return sum(size_of(getattr(result, f.name)) for f in dataclasses.fields(result))
    if isinstance(result, (list, tuple)):
        return sum(size_of(x) for x in result)
    if isinstance(result, dict):
        return sum(size_of(x) for x in result.values())
    return 0


# --------------------------------------------------------------------------- discovering callbacks


@dataclasses.dataclass
class PageCallback:
    page: str  # page module, e.g. "caseloads"
    name: str  # the function's name, e.g. "render_km"
    output: str  # Dash output spec, e.g. "plans-km.children"
    outputs: Any  # request "outputs" (dict or list of dicts)
    inputs: list[dict]  # [{"id", "property"}]
    state: list[dict]
    choices: dict  # (id, property) -> list of values to cycle through

    @property
    def label(self) -> str:
        return f"{self.page}.{self.name}"


def _walk(component):
    """Every Dash component in a layout tree."""
    stack = [component]
    while stack:
        c = stack.pop()
        if c is None or isinstance(c, (str, int, float)):
            continue
        if isinstance(c, (list, tuple)):
            stack.extend(c)
            continue
        yield c
        children = getattr(c, "children", None)
        if children is not None:
            stack.append(children)
        for attr in ("label", "header", "footer"):
            v = getattr(c, attr, None)
            if v is not None and not isinstance(v, str):
                stack.append(v)


def _layout_props(app) -> dict:
    """component id -> component, from every registered page's layout (called with no query)."""
    import dash

    found = {}
    for page in dash.page_registry.values():
        layout = page.get("layout")
        try:
            tree = layout() if callable(layout) else layout
        except Exception as exc:  # noqa: BLE001
            log.warning("layout of %s failed: %s", page.get("module"), type(exc).__name__)
            continue
        for c in _walk(tree):
            cid = getattr(c, "id", None)
            if isinstance(cid, str):
                found[cid] = c
    return found


def _option_values(component) -> list:
    opts = getattr(component, "options", None) or []
    values = []
    for o in opts:
        if isinstance(o, dict):
            values.append(o.get("value"))
        elif isinstance(o, (str, int, float)):
            values.append(o)
    return values


def discover(app, max_choices: int = 4) -> list[PageCallback]:
    """The page callbacks of ``app`` (see module docstring), in page then output order."""
    found = []
    with app.server.test_request_context("/"):
        components = _layout_props(app)
    for key, spec in app.callback_map.items():
        fn = spec.get("callback")
        module = getattr(fn, "__module__", "") or ""
        if not module.startswith("dashboard.pages."):
            continue
        inputs = [dict(i) for i in spec["inputs"]]
        if not any(i["id"] == FILTERS_ID and i["property"] == "data" for i in inputs):
            continue
        if any(not isinstance(i["id"], str) for i in inputs):
            continue  # pattern-matching inputs (per-chart downloads) are not page renders
        outs = spec["output"]
        outputs = (
            [{"id": o.component_id, "property": o.component_property} for o in outs]
            if isinstance(outs, (list, tuple))
            else {"id": outs.component_id, "property": outs.component_property}
        )
        choices = {}
        for i in inputs + [dict(s) for s in spec.get("state", [])]:
            if i["id"] == FILTERS_ID:
                continue
            comp = components.get(i["id"])
            default = getattr(comp, i["property"], None) if comp is not None else None
            values = [default] + [v for v in _option_values(comp) if v != default] if comp is not None else [None]
            choices[(i["id"], i["property"])] = values[:max_choices]
        found.append(
            PageCallback(
                page=module.rsplit(".", 1)[1],
                name=getattr(fn, "__name__", key),
                output=key,
                outputs=outputs,
                inputs=inputs,
                state=[dict(s) for s in spec.get("state", [])],
                choices=choices,
            )
        )
    found.sort(key=lambda c: (c.page, c.output))
    return found


# --------------------------------------------------------------------------- filters


def filter_sets(db, n: int = 6) -> list[dict]:
    """Varied global-filter payloads: several as-at dates, all teams, one service, one team.

    Built from the data (latest date, the teams table) so they work on any database; each is
    the ``shell-filters`` store value the shell would write.
    """
    from data_layer import latest_date, team_options

    latest = latest_date(db) or date.today()
    teams = team_options(db)
    by_service = teams.groupby("service")["team_id"].count().sort_values(ascending=False)
    services = list(by_service.index)
    s1 = services[0] if services else None
    s2 = services[1] if len(services) > 1 else s1
    t1 = teams.loc[teams["service"] == s2, "team_id"].iloc[0] if len(teams) else None

    def store(days, services=(), teams=()):
        return {
            "as_at": (latest - timedelta(days=days)).isoformat(),
            "services": list(services),
            "teams": list(teams),
            "presentation": False,
            "notices": [],
        }

    sets = [
        store(0),
        store(7),
        store(30, services=[s1] if s1 else []),
        store(91, teams=[t1] if t1 else []),
        store(182),
        store(365, services=[s2] if s2 else []),
    ]
    return sets[: max(1, n)]


def describe_filters(store: dict) -> str:
    parts = [store["as_at"]]
    if store["services"]:
        parts.append("service=" + "+".join(store["services"]))
    if store["teams"]:
        parts.append("team=" + "+".join(store["teams"]))
    return " ".join(parts)


# --------------------------------------------------------------------------- the measurement


class DataCallRecorder:
    """Records every (fn, db, args, kwargs) sent through ``dashboard.cache`` while installed."""

    def __init__(self):
        import dashboard.cache as cache_mod

        self._mod = cache_mod
        self._orig = cache_mod.cache_key
        self.calls: list[tuple[Callable, tuple, dict]] = []

        def key(fn, db, args, kwargs):
            self.calls.append((fn, args, dict(kwargs)))
            return self._orig(fn, db, args, kwargs)

        cache_mod.cache_key = key

    def take(self) -> list[tuple[Callable, tuple, dict]]:
        calls, self.calls = self.calls, []
        return calls

    def close(self):
        self._mod.cache_key = self._orig


def _body(cb: PageCallback, store: dict, run: int) -> dict:
    def value(spec):
        if spec["id"] == FILTERS_ID:
            return store
        values = cb.choices.get((spec["id"], spec["property"])) or [None]
        return values[run % len(values)]

    inputs = [{**i, "value": value(i)} for i in cb.inputs]
    return {
        "output": cb.output,
        "outputs": cb.outputs,
        "inputs": inputs,
        "state": [{**s, "value": value(s)} for s in cb.state],
        "changedPropIds": [f"{FILTERS_ID}.data"],
    }


def _post(client, body: dict) -> tuple[float, int, str | None]:
    """One callback request: seconds, response bytes, error (None when the page rendered)."""
    t0 = time.perf_counter()
    resp = client.post("/_dash-update-component", json=body)
    data = resp.get_data()
    elapsed = time.perf_counter() - t0
    error = None
    if resp.status_code == 204:
        error = "no update (PreventUpdate)"
    elif resp.status_code != 200:
        error = f"HTTP {resp.status_code}"
    elif ERROR_MARKER.encode() in data:
        error = "error alert in the page"
    return elapsed, len(data), error


def _fn_name(fn) -> str:
    return f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__qualname__}"


def measure(
    url: str,
    *,
    backend: str,
    size: int,
    repeats: int,
    filters_n: int = 6,
    functions: bool = True,
    naive_runs: int = 1,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Every page callback of the app on ``url``: rows for callbacks and for data functions."""
    from dashboard.app import create_app
    from dashboard.settings import Settings
    from data_layer import connect

    say = progress or (lambda msg: None)
    rss_start = peak_rss_mb()
    db = connect(url)
    app = create_app(db=db, settings=Settings(database_url=url, cache_seconds=3600))
    cache = app.server.extensions.get("csc_cache")
    client = app.server.test_client()
    client.get("/")  # Dash's first-request set-up: the app takes its pages' callbacks, which discover reads
    callbacks = discover(app)
    sets = filter_sets(db, filters_n)
    rec = StatementRecorder(db.engine)
    calls = DataCallRecorder()
    rss_app = peak_rss_mb()
    rows, fn_rows, naive_rows = [], [], []
    page_work: dict[str, dict] = {}
    fn_seen: dict[tuple, tuple] = {}
    try:
        # one untimed request first: imports, Dash's first-request set-up, connection warm-up
        if callbacks:
            _post(client, _body(callbacks[0], sets[0], 0))
        for cb in callbacks:
            say(f"{backend} {size}: {cb.label}")
            unc, warm, raw, payloads, sql_counts, errors, raw_rows = [], [], [], [], [], [], []
            first_calls, first_sql = [], []
            for run in range(repeats):
                store = sets[run % len(sets)]
                body = _body(cb, store, run // len(sets))
                if cache is not None:
                    cache.clear()
                calls.take()
                with rec.recording():
                    t, nbytes, err = _post(client, body)
                statements = list(rec.statements)
                seen_calls = calls.take()
                if run == 0:
                    first_calls = [(_fn_name(fn), args) for fn, args, _kw in seen_calls]
                    first_sql = [s for s, _p, _m in statements]
                for fn, args, kwargs in seen_calls:
                    k = (_fn_name(fn), repr(args), repr(sorted(kwargs.items())))
                    fn_seen.setdefault(k, (cb.label, fn, args, kwargs))
                unc.append(t)
                payloads.append(nbytes)
                sql_counts.append(len(statements))
                if err:
                    errors.append(f"{describe_filters(store)}: {err}")
                t2, _, _ = _post(client, body)
                warm.append(t2)
                r, n = replay(db.engine, statements)
                raw.append(r)
                raw_rows.append(n)
            rows.append(
                {
                    "page": cb.page,
                    "callback": cb.name,
                    "output": cb.output,
                    "backend": backend,
                    "size": size,
                    "runs": repeats,
                    "uncached_median_ms": 1000 * median(unc),
                    "uncached_p95_ms": 1000 * percentile(unc, 95),
                    "warm_median_ms": 1000 * median(warm),
                    "warm_p95_ms": 1000 * percentile(warm, 95),
                    "sql_median_ms": 1000 * median(raw),
                    "sql_p95_ms": 1000 * percentile(raw, 95),
                    "overhead_ratio": (median(unc) / median(raw)) if median(raw) > 0 else float("nan"),
                    "statements": max(sql_counts) if sql_counts else 0,
                    "sql_rows": max(raw_rows) if raw_rows else 0,
                    "payload_kb_max": max(payloads) / 1024.0,
                    "payload_kb_median": median(payloads) / 1024.0,
                    "peak_rss_mb": peak_rss_mb(),
                    "errors": len(errors),
                    "error": "; ".join(dict.fromkeys(errors))[:500],
                    "data_functions": " ".join(dict.fromkeys(n for n, _a in first_calls)),
                }
            )
            page_work.setdefault(cb.page, {"tables": set(), "calls": {}, "callbacks": []})
            page_work[cb.page]["tables"].update(naive.tables_in(first_sql))
            page_work[cb.page]["callbacks"].append(rows[-1])
            for name, args in first_calls:
                page_work[cb.page]["calls"].setdefault((name, repr(args)), (name, args))
        if functions:
            fn_rows = measure_functions(
                app, db, rec, fn_seen, backend=backend, size=size, repeats=max(1, min(repeats, 5)), say=say
            )
        server_peak = peak_rss_mb()  # before the naive baseline, which holds whole tables in memory
        if naive_runs:
            naive_rows = measure_naive(db, page_work, backend=backend, size=size, runs=naive_runs, say=say)
    finally:
        calls.close()
        rec.close()
    result = {
        "backend": backend,
        "size": size,
        "url_kind": backend,
        "callbacks": rows,
        "functions": fn_rows,
        "naive": naive_rows,
        "rss_start_mb": rss_start,
        "rss_after_app_mb": rss_app,
        "peak_rss_mb": server_peak,
        "peak_rss_with_naive_mb": peak_rss_mb(),
        "filters": [describe_filters(s) for s in sets],
    }
    db.dispose()
    return result


def measure_functions(
    app, db, rec: StatementRecorder, seen: dict, *, backend: str, size: int, repeats: int, say: Callable[[str], None]
) -> list[dict]:
    """Each distinct data-layer call seen (first filters set only is timed; all are checked)."""
    from dashboard.cache import cached_call

    cache = app.server.extensions.get("csc_cache")
    out = []
    by_fn: dict[str, list] = {}
    for (name, _a, _k), (label, fn, args, kwargs) in seen.items():
        by_fn.setdefault(name, []).append((label, fn, args, kwargs))
    for name, items in by_fn.items():
        say(f"{backend} {size}: data function {name}")
        label, fn, args, kwargs = items[0]
        times, raws, nrows = [], [], 0
        for _ in range(repeats):
            with rec.recording():
                t0 = time.perf_counter()
                result = fn(db, *args, **kwargs)
                times.append(time.perf_counter() - t0)
            statements = list(rec.statements)
            r, _ = replay(db.engine, statements)
            raws.append(r)
            nrows = size_of(result)
        identical, checked = True, 0
        for _label, f2, a2, k2 in items[:3]:
            direct = f2(db, *a2, **k2)
            with app.server.app_context():
                if cache is not None:
                    cache.clear()
                miss = cached_call(f2, db, *a2, **k2)
                hit = cached_call(f2, db, *a2, **k2)
            identical = identical and same(direct, miss) and same(direct, hit)
            checked += 1
        out.append(
            {
                "function": name,
                "first_caller": label,
                "backend": backend,
                "size": size,
                "runs": repeats,
                "median_ms": 1000 * median(times),
                "p95_ms": 1000 * percentile(times, 95),
                "sql_median_ms": 1000 * median(raws),
                "overhead_ratio": (median(times) / median(raws)) if median(raws) > 0 else float("nan"),
                "statements": len(statements),
                "result_rows": nrows,
                "cache_identical": identical,
                "cache_checked_calls": checked,
                "args": _short_args(args),
            }
        )
    return out


def measure_naive(db, page_work: dict, *, backend: str, size: int, runs: int, say) -> list[dict]:
    """Per page: the naive pandas baseline against the page's callbacks (first filters set)."""
    out = []
    for page, work in page_work.items():
        say(f"{backend} {size}: naive baseline {page}")
        calls = list(work["calls"].values())
        results = [naive.run_page(db, sorted(work["tables"]), calls, db.standards) for _ in range(runs)]
        best = sorted(results, key=lambda r: r["total_s"])[len(results) // 2]
        dash_ms = sum(r["uncached_median_ms"] for r in work["callbacks"])
        out.append(
            {
                "page": page,
                "backend": backend,
                "size": size,
                "runs": runs,
                "naive_ms": 1000 * best["total_s"],
                "naive_read_ms": 1000 * best["read_s"],
                "naive_compute_ms": 1000 * best["compute_s"],
                "rows_read": best["rows_read"],
                "tables": " ".join(sorted(work["tables"])),
                "dashboard_ms": dash_ms,
                "speedup": (1000 * best["total_s"] / dash_ms) if dash_ms > 0 else float("nan"),
                "covered": " ".join(best["covered"]),
                "not_covered": " ".join(best["not_covered"]),
            }
        )
    return out


def _short_args(args: tuple) -> str:
    text = ", ".join(repr(a) for a in args)
    return text if len(text) <= 160 else text[:157] + "..."


def dumps(result: dict) -> str:
    return json.dumps(result, default=str)
