"""Shared helpers of the browser tests: reading what a chart drew."""

from __future__ import annotations

from tests.figure_json import TYPED_ARRAYS as _TYPED


def _decode(value):
    """A trace array as the browser holds it: a list, or plotly's base64 typed array (plotly.py 6+)."""
    import base64

    import numpy as np

    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=_TYPED[value["dtype"]]).tolist()
    return list(value) if value is not None else []


def plotted_traces(dash_duo, graph_selector: str) -> list[dict]:
    """Name, x and y of every trace of the figure drawn in ``graph_selector`` (a .js-plotly-plot's parent).

    Read from the graph div's ``data`` (what Dash gave plotly.js), decoding typed arrays in Python
    so the test sees the numbers the chart was drawn from.
    """
    traces = dash_duo.driver.execute_script(
        "return document.querySelector(arguments[0] + ' .js-plotly-plot').data"
        ".map(t => ({name: t.name, x: t.x, y: t.y}))",
        graph_selector,
    )
    return [{"name": t["name"], "x": _decode(t["x"]), "y": _decode(t["y"])} for t in traces]


def fail_reads_when(db, switch: dict):
    """Make ``db.read`` raise while ``switch["on"]`` is true: a database going down mid-session."""
    from data_layer import DatabaseError

    real_read = db.read

    def read(query, params=None):
        if switch["on"]:
            raise DatabaseError("The database could not answer (OperationalError: server closed the connection)")
        return real_read(query, params)

    db.read = read
    return db


def severe_logs(dash_duo) -> list[dict]:
    """The browser console's SEVERE entries (errors) since the last read."""
    return [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]


def wait_for_file(folder, pattern: str, timeout: float = 20):
    """The first finished download in ``folder`` matching ``pattern`` (Chromium writes .crdownload first)."""
    import time
    from pathlib import Path

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        done = [p for p in Path(folder).glob(pattern) if not p.name.endswith(".crdownload")]
        if done:
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"no {pattern} downloaded into {folder}")


def save_page_screenshot(dash_duo, name: str) -> None:
    """Whole page to ``$CSC_SCREENSHOTS/<name>`` when that variable names a folder (README images)."""
    import os
    import time

    folder = os.environ.get("CSC_SCREENSHOTS")
    if not folder:
        return
    driver = dash_duo.driver
    driver.set_window_size(1400, driver.execute_script("return document.documentElement.scrollHeight") + 150)
    # Wait for the grids and charts to lay out at the new size: a height unchanged across two animation frames.
    stable = (
        "const done = arguments[arguments.length - 1]; const h = document.documentElement.scrollHeight;"
        "requestAnimationFrame(() => requestAnimationFrame(() => done(h === document.documentElement.scrollHeight)))"
    )
    end = time.monotonic() + 20
    while not driver.execute_async_script(stable):
        assert time.monotonic() < end, "page height did not settle"
    driver.save_screenshot(os.path.join(folder, name))
