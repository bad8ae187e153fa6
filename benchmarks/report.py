"""Results of the benchmark runs: ``results.csv`` (one table, a ``kind`` column) and ``RESULTS.md``.

Kinds of row in ``results.csv``:

* ``callback``: one page callback on one backend and size: uncached/warm median and p95 (ms), the
  replayed raw SQL median, ``overhead_ratio`` (uncached callback / raw SQL), payload (KB), statements,
  errors, the data functions it called, the process's RSS high-water so far;
* ``function``: one data-layer function (first filters set): time, raw SQL time, rows, and whether
  its cached and uncached results were identical;
* ``naive``: per page, the pandas baseline (read + compute) and ``speedup`` = naive / dashboard;
* ``process``: per backend and size, the server's peak RSS, load average, generator version.

``RESULTS.md`` is regenerated from the whole CSV on every run; a hand-written ``## Analysis``
section already in the file is kept as it is.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import platform
import re
from pathlib import Path

import pandas as pd

from . import build

# Goals of issue 9 (reported, never asserted in tests).
G_P95_5K_SQLITE_MS = 150
G_P95_1M_DUCKDB_MS = 1000
G_PAYLOAD_KB = 300
G_MEMORY_1M_MB = 500
G_OVERHEAD = 1.5
G_SPEEDUP_1M = 10
NATIONAL = 1_000_000
AUTHORITY = 5_000


def _rows(result: dict, seed: int) -> list[dict]:
    common = {
        "backend": result["backend"],
        "size": result["size"],
        "seed": seed,
        "generator": build.generator_version(),
        "measured_at": _dt.datetime.now().isoformat(timespec="seconds"),
    }
    out = [{"kind": "callback", **common, **r} for r in result["callbacks"]]
    out += [{"kind": "function", **common, **r} for r in result.get("functions", [])]
    out += [{"kind": "naive", **common, **r} for r in result.get("naive", [])]
    la = result.get("load_average") or (None, None, None)
    lb = result.get("load_before") or (None, None, None)
    out.append(
        {
            "kind": "process",
            **common,
            "peak_rss_mb": result["peak_rss_mb"],
            "rss_after_app_mb": result.get("rss_after_app_mb"),
            "rss_start_mb": result.get("rss_start_mb"),
            "peak_rss_with_naive_mb": result.get("peak_rss_with_naive_mb"),
            "load_before": lb[0],
            "load_after": la[0],
            "seconds": result.get("seconds"),
            "filters": " | ".join(result.get("filters", [])),
        }
    )
    return out


def merge(csv_path: Path, results: list[dict], seed: int = 1, generator: list[dict] = ()) -> pd.DataFrame:
    """Old rows of ``csv_path`` minus the (backend, size) pairs just measured, plus the new rows.

    ``generator``: the demo generator's build records (``build.build_record``), one ``generator``
    row per size (replacing an older one of that size).
    """
    gen = [
        {
            "kind": "generator",
            "backend": "sqlite",
            "size": g["size"],
            "seed": g.get("seed", seed),
            "generator": g.get("generator"),
            "seconds": g["seconds"],
            "peak_rss_mb": g["peak_rss_mb"],
            "file_mb": g.get("file_mb"),
        }
        for g in generator
    ]
    new = pd.DataFrame([row for r in results for row in _rows(r, seed)] + gen)
    if Path(csv_path).exists() and Path(csv_path).stat().st_size:
        old = pd.read_csv(csv_path)
        measured = {(r["backend"], int(r["size"])) for r in results}
        rebuilt = {int(g["size"]) for g in generator}
        keep = ~old.apply(
            lambda r: (
                (r["backend"], int(r["size"])) in measured or (r["kind"] == "generator" and int(r["size"]) in rebuilt)
            ),
            axis=1,
        )
        new = pd.concat([old[keep], new], ignore_index=True) if len(old) else new
    order = {"callback": 0, "function": 1, "naive": 2, "process": 3, "generator": 4}
    new = new.sort_values(
        ["kind", "size", "backend"], key=lambda s: s.map(order) if s.name == "kind" else s, kind="stable"
    ).reset_index(drop=True)
    return new


# --------------------------------------------------------------------------- machine


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(module: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(module)
    except metadata.PackageNotFoundError:
        return "-"


def machine() -> dict:
    import psutil

    info = {
        "CPU": _cpu_model(),
        "Cores": f"{os.cpu_count()} logical ({psutil.cpu_count(logical=False) or '?'} physical)",
        "RAM": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "OS": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "Python": platform.python_version(),
        "Libraries": ", ".join(
            f"{m} {_version(m)}"
            for m in (
                "dash",
                "plotly",
                "pandas",
                "numpy",
                "SQLAlchemy",
                "duckdb",
                "duckdb_engine",
                "psycopg",
                "cachetools",
            )
        ),
        "SQLite": __import__("sqlite3").sqlite_version,
    }
    try:
        import psycopg

        with psycopg.connect(build._pg_conninfo("postgres"), connect_timeout=3) as conn:
            info["PostgreSQL"] = conn.execute("SHOW server_version").fetchone()[0] + " (same machine, default settings)"
    except Exception:  # noqa: BLE001
        info["PostgreSQL"] = "not reachable"
    return info


# --------------------------------------------------------------------------- goals


def _fmt(v, unit="", digits=0) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if unit == "ms" and v >= 10_000:
        return f"{v / 1000:.1f} s"
    return f"{v:,.{digits}f}{(' ' + unit) if unit else ''}"


def _holders(df: pd.DataFrame, cb_rows: pd.DataFrame) -> str:
    """Why callbacks miss: their slowest data function, and whether SQL or Python dominates."""
    parts = []
    # A run with --no-functions has no function rows, and its CSV no ``function`` column at all.
    fns = df[df["kind"] == "function"] if "function" in df.columns else df.iloc[0:0]
    for _, r in cb_rows.iterrows():
        mine = (
            fns[
                (fns["backend"] == r["backend"])
                & (fns["size"] == r["size"])
                & fns["function"].isin(str(r.get("data_functions") or "").split())
            ]
            if len(fns)
            else fns
        )
        where = (
            f"{r['page']}.{r['callback']} ({r['backend']} {int(r['size']):,}): "
            f"p95 {_fmt(r['uncached_p95_ms'], 'ms')}, raw SQL {_fmt(r['sql_median_ms'], 'ms')}"
        )
        if len(mine):
            top = mine.sort_values("median_ms", ascending=False).iloc[0]
            share = top["sql_median_ms"] / top["median_ms"] if top["median_ms"] else float("nan")
            kind = (
                "in the database"
                if share >= 0.6
                else "in Python after the query"
                if share < 0.3
                else "split between database and Python"
            )
            where += (
                f"; slowest data call `{top['function']}` {_fmt(top['median_ms'], 'ms')} "
                f"(SQL {_fmt(top['sql_median_ms'], 'ms')}: time spent {kind})"
            )
        elif r["sql_median_ms"] < 0.3 * r["uncached_median_ms"]:
            where += "; time is spent building the figures and components, not in SQL"
        parts.append(where)
    return "<br>".join(parts)


def goals(df: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(goal, met|missed|not measured, detail) for each goal of issue 9."""
    cb = df[df["kind"] == "callback"]
    out = []

    def judge(goal, rows, bad, detail_ok, explain=True):
        if rows.empty:
            out.append((goal, "not measured", "no rows at this size/backend yet"))
            return
        misses = rows[bad(rows)]
        if misses.empty:
            out.append((goal, "met", detail_ok(rows)))
        else:
            detail = f"{len(misses)} of {len(rows)} callbacks miss. " + (_holders(df, misses) if explain else "")
            out.append((goal, "missed", detail))

    r = cb[(cb["backend"] == "sqlite") & (cb["size"] == AUTHORITY)]
    judge(
        f"5k children, SQLite: every callback p95 < {G_P95_5K_SQLITE_MS} ms",
        r,
        lambda x: x["uncached_p95_ms"] >= G_P95_5K_SQLITE_MS,
        lambda x: f"worst p95 {_fmt(x['uncached_p95_ms'].max(), 'ms')}",
    )
    r = cb[(cb["backend"] == "duckdb") & (cb["size"] == NATIONAL)]
    judge(
        f"1M children, DuckDB: every callback p95 < {G_P95_1M_DUCKDB_MS / 1000:g} s",
        r,
        lambda x: x["uncached_p95_ms"] >= G_P95_1M_DUCKDB_MS,
        lambda x: f"worst p95 {_fmt(x['uncached_p95_ms'].max(), 'ms')}",
    )
    judge(
        f"Every callback's payload < {G_PAYLOAD_KB} KB at any size",
        cb,
        lambda x: x["payload_kb_max"] >= G_PAYLOAD_KB,
        lambda x: f"largest {_fmt(x['payload_kb_max'].max(), 'KB')}",
        explain=False,
    )
    if not cb.empty and (cb["payload_kb_max"] >= G_PAYLOAD_KB).any():
        big = cb[cb["payload_kb_max"] >= G_PAYLOAD_KB]
        out[-1] = (
            out[-1][0],
            "missed",
            "; ".join(
                f"{p}.{c} {b} {int(s):,}: {_fmt(k, 'KB')}"
                for p, c, b, s, k in big[["page", "callback", "backend", "size", "payload_kb_max"]].itertuples(
                    index=False
                )
            ),
        )
    proc = df[(df["kind"] == "process") & (df["size"] == NATIONAL)]
    if proc.empty:
        out.append((f"Server memory < {G_MEMORY_1M_MB} MB at 1M children", "not measured", "no 1M run yet"))
    else:
        worst = proc.sort_values("peak_rss_mb").iloc[-1]
        ok = (proc["peak_rss_mb"] < G_MEMORY_1M_MB).all()
        out.append(
            (
                f"Server memory < {G_MEMORY_1M_MB} MB at 1M children",
                "met" if ok else "missed",
                ", ".join(f"{b} {_fmt(m, 'MB')}" for b, m in proc[["backend", "peak_rss_mb"]].itertuples(index=False))
                + ("" if ok else f" (worst: {worst['backend']})"),
            )
        )
    judge(
        f"Dashboard time within {G_OVERHEAD}x of its raw SQL time (every callback, every size)",
        cb,
        lambda x: x["overhead_ratio"] > G_OVERHEAD,
        lambda x: f"worst ratio {x['overhead_ratio'].max():.2f}",
        explain=False,
    )
    if out[-1][1] == "missed":
        over = cb[cb["overhead_ratio"] > G_OVERHEAD]
        by_size = over.groupby(["backend", "size"]).size()
        worst = over.sort_values("overhead_ratio").iloc[-1]
        out[-1] = (
            out[-1][0],
            "missed",
            f"{len(over)} of {len(cb)} rows over {G_OVERHEAD}x ("
            + ", ".join(f"{b} {int(s):,}: {n}" for (b, s), n in by_size.items())
            + f"); worst {worst['page']}.{worst['callback']} {worst['backend']} {int(worst['size']):,}: "
            f"{worst['overhead_ratio']:.1f}x ({_fmt(worst['uncached_median_ms'], 'ms')} vs SQL "
            f"{_fmt(worst['sql_median_ms'], 'ms')})",
        )
    nv = df[(df["kind"] == "naive") & (df["size"] == NATIONAL)]
    if nv.empty:
        out.append(
            (f"At least {G_SPEEDUP_1M}x faster than the naive baseline at 1M children", "not measured", "no 1M run yet")
        )
    else:
        ok = (nv["speedup"] >= G_SPEEDUP_1M).all()
        out.append(
            (
                f"At least {G_SPEEDUP_1M}x faster than the naive baseline at 1M children",
                "met" if ok else "missed",
                ", ".join(
                    f"{p} {b} {s:.1f}x" for p, b, s in nv[["page", "backend", "speedup"]].itertuples(index=False)
                ),
            )
        )
    return out


# --------------------------------------------------------------------------- Markdown


def _table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "_no rows_\n"
    cols = list(frame.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(str(v) for v in row) + " |")
    return "\n".join(lines) + "\n"


def _analysis(previous: Path | None) -> str:
    if previous is None or not Path(previous).exists():
        return ""
    text = Path(previous).read_text()
    m = re.search(r"^## Analysis\b.*", text, re.S | re.M)
    return m.group(0).rstrip() + "\n" if m else ""


def render(df: pd.DataFrame, machine: dict, previous: Path | None = None) -> str:
    md = [
        "# CSC Insight benchmark results",
        "",
        f"Generated {_dt.datetime.now():%Y-%m-%d %H:%M} by `python -m benchmarks.run` (`make bench`). "
        "Every page callback of the real app is called through Dash's HTTP endpoint with varied "
        "global filters (as-at dates from the latest to a year before, all teams, one service, one team); "
        "*uncached* = query cache cleared before the call, *warm* = the same call again. "
        "*SQL* = the statements the callback ran, replayed on the raw driver; *overhead* = uncached / SQL. "
        "Payload = the JSON response body the browser receives. Times in ms unless marked.",
        "",
        "## Machine",
        "",
    ]
    md.append(_table(pd.DataFrame(list(machine.items()), columns=["", "value"])))
    proc = df[df["kind"] == "process"]
    if not proc.empty:
        md += ["Load average (1 min) before/after each measurement, since other work shared the machine:", ""]
        t = proc[
            [
                "size",
                "backend",
                "load_before",
                "load_after",
                "peak_rss_mb",
                "rss_after_app_mb",
                "seconds",
                "generator",
                "measured_at",
            ]
        ].copy()
        t["size"] = t["size"].map(lambda v: f"{int(v):,}")
        for c in ("load_before", "load_after"):
            t[c] = t[c].map(lambda v: _fmt(v, digits=2))
        t["peak_rss_mb"] = t["peak_rss_mb"].map(lambda v: _fmt(v, "MB"))
        t["rss_after_app_mb"] = t["rss_after_app_mb"].map(lambda v: _fmt(v, "MB"))
        t["seconds"] = t["seconds"].map(lambda v: _fmt(v, "s"))
        t.columns = [
            "children",
            "backend",
            "load before",
            "load after",
            "server peak RSS",
            "RSS after app start",
            "run time",
            "generator",
            "measured",
        ]
        md.append(_table(t))
    gen = df[df["kind"] == "generator"].sort_values("size") if "kind" in df else df.iloc[:0]
    if not gen.empty:
        md += [
            "## Demo generator",
            "",
            "`data_layer.demo.generate` run in a child process (`benchmarks/build.py`): wall time to a finished, "
            "indexed SQLite file and the child's own peak RSS (`os.wait4`), on this machine while it was shared.",
            "",
        ]
        t = pd.DataFrame(
            {
                "children": gen["size"].map(lambda v: f"{int(v):,}"),
                "wall time": gen["seconds"].map(lambda v: _fmt(v, "s")),
                "peak RSS": gen["peak_rss_mb"].map(lambda v: _fmt(v, "MB")),
                "SQLite file": gen["file_mb"].map(lambda v: _fmt(v, "MB")),
            }
        )
        md.append(_table(t))
    md += ["## Goals (issue 9)", ""]
    g = pd.DataFrame(goals(df), columns=["goal", "result", "detail"])
    g["result"] = g["result"].map({"met": "**met**", "missed": "**missed**"}).fillna(g["result"])
    md.append(_table(g))

    cb = df[df["kind"] == "callback"]
    for size in sorted(cb["size"].unique()):
        rows = cb[cb["size"] == size].copy()
        md += [f"## Callbacks at {int(size):,} children", ""]
        t = pd.DataFrame(
            {
                "page.callback": rows["page"] + "." + rows["callback"],
                "backend": rows["backend"],
                "runs": rows["runs"].astype(int),
                "uncached median": rows["uncached_median_ms"].map(lambda v: _fmt(v, "ms")),
                "uncached p95": rows["uncached_p95_ms"].map(lambda v: _fmt(v, "ms")),
                "warm median": rows["warm_median_ms"].map(lambda v: _fmt(v, "ms")),
                "SQL median": rows["sql_median_ms"].map(lambda v: _fmt(v, "ms")),
                "overhead": rows["overhead_ratio"].map(lambda v: _fmt(v, "x", 1)),
                "statements": rows["statements"].astype(int),
                "payload max": rows["payload_kb_max"].map(lambda v: _fmt(v, "KB")),
                "RSS so far": rows["peak_rss_mb"].map(lambda v: _fmt(v, "MB")),
                "errors": rows["errors"].astype(int),
            }
        )
        md.append(_table(t.sort_values(["page.callback", "backend"])))
        err = rows[rows["errors"] > 0]
        for r in err.itertuples():
            md.append(f"- {r.page}.{r.callback} on {r.backend}: {r.error}")
        if len(err):
            md.append("")

    fn = df[df["kind"] == "function"]
    if not fn.empty:
        md += [
            "## Data-layer functions (first filters set: latest date, all teams)",
            "",
            "Called directly (no cache); *SQL* = its statements replayed on the raw driver; "
            "*cache identical* = uncached, cache-miss and cache-hit results compared equal.",
            "",
        ]
        t = pd.DataFrame(
            {
                "function": fn["function"],
                "children": fn["size"].map(lambda v: f"{int(v):,}"),
                "backend": fn["backend"],
                "median": fn["median_ms"].map(lambda v: _fmt(v, "ms")),
                "p95": fn["p95_ms"].map(lambda v: _fmt(v, "ms")),
                "SQL": fn["sql_median_ms"].map(lambda v: _fmt(v, "ms")),
                "Python share": ((fn["median_ms"] - fn["sql_median_ms"]).clip(lower=0) / fn["median_ms"]).map(
                    lambda v: f"{100 * v:.0f}%"
                ),
                "rows": fn["result_rows"].astype(int),
                "cache identical": fn["cache_identical"].map(lambda v: "yes" if bool(v) else "**NO**"),
            }
        )
        md.append(
            _table(
                t.sort_values(
                    ["function", "children", "backend"],
                    key=lambda s: s.map(lambda v: int(v.replace(",", "")) if s.name == "children" else v),
                )
            )
        )

    nv = df[df["kind"] == "naive"]
    if not nv.empty:
        md += [
            "## SQL pushdown against the naive pandas baseline",
            "",
            "Naive = `SELECT *` of every table the page's queries touch into pandas, dates parsed, then the same "
            "figures computed in pandas (`benchmarks/naive.py`); dashboard = the sum of the page's uncached "
            "callback medians (figures and components included, so the ratio is conservative).",
            "",
        ]
        t = pd.DataFrame(
            {
                "page": nv["page"],
                "children": nv["size"].map(lambda v: f"{int(v):,}"),
                "backend": nv["backend"],
                "naive": nv["naive_ms"].map(lambda v: _fmt(v, "ms")),
                "of which read": nv["naive_read_ms"].map(lambda v: _fmt(v, "ms")),
                "rows read": nv["rows_read"].map(lambda v: f"{int(v):,}"),
                "dashboard": nv["dashboard_ms"].map(lambda v: _fmt(v, "ms")),
                "speed-up": nv["speedup"].map(lambda v: _fmt(v, "x", 1)),
                "not re-implemented (read only)": nv["not_covered"].fillna(""),
            }
        )
        md.append(_table(t))
    analysis = _analysis(previous)
    if analysis:
        md += [analysis]
    return "\n".join(md)
