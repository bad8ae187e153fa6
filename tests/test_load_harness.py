"""The load harness (``python -m benchmarks.load``) end to end: 2 users for 3 s on a server it starts.

Not a measurement of speed: it checks the harness produces every figure, that the users really
posted page callbacks, and that none failed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks.load import markdown_row

ROOT = Path(__file__).resolve().parents[1]
FIELDS = {
    "server",
    "server_label",
    "workers",
    "threads",
    "users",
    "seconds",
    "elapsed_s",
    "requests",
    "errors",
    "error_kinds",
    "requests_per_s",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "max_ms",
    "pages",
    "callbacks",
    "filter_sets",
    "cpus",
    "load_average_before",
    "load_average_after",
    "server_rss_mb",
    "database",
}


def test_two_users_for_three_seconds_against_waitress_give_every_figure(small_demo, tmp_path):
    out = tmp_path / "load.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.load", "--db", f"sqlite:///{small_demo.fixture_path}"]
        + ["--server", "waitress", "--users", "2", "--seconds", "3", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    result = json.loads(lines[-2])
    assert json.loads(out.read_text()) == result
    assert FIELDS <= set(result), FIELDS - set(result)
    assert result["server"] == "waitress" and result["users"] == 2 and result["seconds"] == 3
    assert (
        result["pages"] == 7 and result["callbacks"] >= 9 and result["filter_sets"] == 12
    )  # six dashboard pages and the data-quality page
    assert result["requests"] >= 2 and result["errors"] == 0 and result["error_kinds"] == {}
    assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"] <= result["max_ms"]
    assert (
        abs(result["requests_per_s"] - result["requests"] / result["elapsed_s"])
        < 0.01 * result["requests_per_s"] + 0.01
    )
    assert result["server_rss_mb"] > 50 and result["database"] == "sqlite"
    assert lines[-1] == markdown_row(result) and lines[-1].startswith("| csc-dashboard run (waitress, 8 threads) |")


def test_the_markdown_row_is_hand_checked():
    result = {
        "server_label": "gunicorn, 2 workers x 4 threads",
        "users": 50,
        "seconds": 60.0,
        "requests_per_s": 51.234,
        "p50_ms": 700.0,
        "p95_ms": 2200.0,
        "p99_ms": 3456.0,
        "errors": 0,
        "requests": 3074,
        "load_average_before": [0.52, 0.4, 0.3],
    }
    assert markdown_row(result) == (
        "| gunicorn, 2 workers x 4 threads | 50 users x 60 s | 51.2 req/s | p50 0.70 s | p95 2.20 s"
        " | p99 3.46 s | 0 errors of 3074 | load average 0.52 at start |"
    )
