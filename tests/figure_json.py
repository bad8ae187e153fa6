"""A figure's JSON as the browser gets it, normalised for comparing two builds of one figure.

Plotly writes a numeric array as a base64 typed array (``{"dtype": "f8", "bdata": ...}``) when it
validated the figure and as a list when it did not; the two mean the same figure to plotly.js, so
both are read back as lists here (2-D arrays as nested lists), tuples as lists, and NaN as None.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any

import numpy as np
from plotly.io.json import to_json_plotly

#: plotly.js typed-array codes -> numpy dtypes (what ``{"dtype": ..., "bdata": ...}`` holds).
TYPED_ARRAYS = {
    "i1": "int8",
    "u1": "uint8",
    "i2": "int16",
    "u2": "uint16",
    "i4": "int32",
    "u4": "uint32",
    "f4": "float32",
    "f8": "float64",
}


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=TYPED_ARRAYS[value["dtype"]])
            if value.get("shape"):
                array = array.reshape([int(n) for n in str(value["shape"]).split(",")])
            return _decode(array.tolist())
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_decode(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)  # 2 and 2.0 are one value to plotly.js; a list of ints may come back as floats
    return value


def figure_json(figure: Any) -> dict:
    """``figure`` (a ``go.Figure``, a ``PlainFigure`` or a dict) as normalised JSON values."""
    raw = figure.to_plotly_json() if hasattr(figure, "to_plotly_json") else figure
    return _decode(json.loads(to_json_plotly(raw)))


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Where two normalised JSON values differ (paths such as ``data[0].y[3]``), for a readable failure."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                out.append(f"{path}.{key}: only in {'second' if key not in a else 'first'}")
            else:
                out += differences(a[key], b[key], f"{path}.{key}")
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items against {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in differences(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def assert_twin(figure: Any) -> None:
    """``figure`` (a ``PlainFigure``) is valid Plotly and its JSON is its validated twin's, value for value."""
    from dashboard.figures.plain import PlainFigure

    assert isinstance(figure, PlainFigure), f"expected a PlainFigure, got {type(figure).__name__}"
    found = differences(figure_json(figure), figure_json(figure.validated()))
    assert not found, "\n".join(found[:20])
