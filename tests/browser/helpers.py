"""Shared helpers of the browser tests: reading what a chart drew."""
from __future__ import annotations


_TYPED = {"i1": "int8", "u1": "uint8", "i2": "int16", "u2": "uint16", "i4": "int32", "u4": "uint32",
          "f4": "float32", "f8": "float64"}


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
        ".map(t => ({name: t.name, x: t.x, y: t.y}))", graph_selector)
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
