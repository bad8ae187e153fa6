"""``python -m benchmarks.ssd_vs_native``: every data-layer function on the demo, native vs SSD shape.

Builds the demo authority (``--children``, default 5,000) as a native SQLite file and as SSD tables
(``demo-data --format ssd``), then times each function a page part calls on both (median of
``--repeats`` warm runs, same process, same machine) and prints a Markdown table with the ratio.
Functions the SSD cannot serve are listed with the MissingData sentence instead of a time.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import data_layer as dl
from data_layer import Filters, MissingData, connect, load_standards
from data_layer.demo import generate
from data_layer.demo.ssd import native_to_ssd

CALLS = (
    ("caseloads", ()),
    ("unallocated", ()),
    ("children_by_status", ()),
    ("caseload_trend", ()),
    ("plan_durations", ("cin",)),
    ("plan_durations", ("cp",)),
    ("plan_exclusions", ()),
    ("duration_bands", ()),
    ("plan_drift", ()),
    ("drift_counts", ()),
    ("drift_trend", ()),
    ("evaluate_pilot", ()),
    ("pilot_trend", ()),
    ("transfers", ()),
    ("transfer_flows", ()),
    ("transfer_exclusions", ()),
    ("keyworker_changes", ()),
    ("keyworker_change_children", ()),
    ("jarp_queue", ()),
    ("jarp_responses", ()),
    ("team_options", None),
    ("date_range", None),
    ("data_quality", None),
)


def _time(fn, repeats: int) -> float:
    fn()  # warm (compiled-statement cache, OS page cache)
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def measure(children: int, repeats: int, workdir: Path) -> list[dict]:
    native = generate(workdir / "native.sqlite", children=children, seed=1)
    ssd = native_to_ssd(native, workdir / "ssd.sqlite")
    a = connect(f"sqlite:///{native}")
    b = connect(f"sqlite:///{ssd}", standards=load_standards(f"{ssd}.standards.toml"))
    f = Filters(dl.latest_date(a))
    rows = []
    for name, args in CALLS:
        label = name + (f"({args[0]!r})" if args else "")
        out = {"function": label}
        for key, db in (("native", a), ("ssd", b)):
            fn = getattr(dl, name)
            call = (lambda fn=fn, db=db: fn(db)) if args is None else (lambda fn=fn, db=db, args=args: fn(db, f, *args))
            try:
                out[key] = _time(call, repeats)
            except MissingData as exc:
                out[key] = None
                out["note"] = str(exc)
        rows.append(out)
    a.dispose(), b.dispose()
    return rows


def markdown(rows: list[dict], children: int) -> str:
    lines = [
        f"Demo authority, {children:,} children, SQLite, median of warm runs (ms):",
        "",
        "| function | native | SSD | SSD / native |",
        "|---|---:|---:|---:|",
    ]
    for r in rows:
        n, s = r.get("native"), r.get("ssd")
        fmt = lambda v: "-" if v is None else f"{1000 * v:.1f}"  # noqa: E731
        ratio = f"{s / n:.1f}x" if n and s else (r.get("note", "")[:90] if s is None else "-")
        lines.append(f"| {r['function']} | {fmt(n)} | {fmt(s)} | {ratio} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--children", type=int, default=5000)
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        print(markdown(measure(args.children, args.repeats, Path(tmp)), args.children))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
