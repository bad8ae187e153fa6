"""How many bytes a cached value holds in memory: what the cache's byte budget counts.

The cache keeps live objects (no pickling), so their size is estimated where they live:
DataFrames and Series by pandas' ``memory_usage`` plus, for object columns, the strings they
point at (from a sample: :func:`_objects_bytes`); numpy arrays by ``nbytes``; Plotly figures by
walking the traces and layout they hold (not a copy: ``to_plotly_json`` deep-copies a figure,
which cost more than building it; a ``PlainFigure`` without the template all of them share);
Dash components by walking their JSON-ready properties; containers and dataclasses (the
sections' ``Chart``/``Table``) by walking their members. Anything else counts as
``sys.getsizeof``: its referents are not followed, so a value that points at shared objects (the
database, the standards) is not charged for them. An object reached twice is counted once. A
container of more than :data:`SAMPLED_ITEMS` members is sized from an even sample of them,
scaled to its length.
"""

from __future__ import annotations

import dataclasses
import sys
from typing import Any

import numpy as np
import pandas as pd
from plotly.basedatatypes import BaseFigure

from dashboard.figures.plain import PlainFigure

__all__ = ["approx_bytes"]


#: A list, tuple or object array longer than this is sized from this many of its items, evenly
#: spaced, scaled up to its length: a render holds grids' rows and figures' points by the thousand,
#: and visiting each one cost 5-7 ms of a 300 ms callback (issue 17) to estimate a size.
SAMPLED_ITEMS = 64


def approx_bytes(value: Any) -> int:
    """An estimate of the memory ``value`` keeps alive, in bytes (never negative)."""
    seen: dict[int, Any] = {}  # holds what it saw: an id stays unique while its object is alive
    total = 0.0
    stack: list[tuple[Any, float]] = [(value, 1.0)]
    while stack:
        obj, weight = stack.pop()
        if id(obj) in seen:
            continue
        seen[id(obj)] = obj
        size, members = _own_size(obj)
        total += size * weight
        members, scale = _sample(members)
        stack.extend((m, weight * scale) for m in members)
    return int(total)


def _sample(items) -> tuple[list, float]:
    """At most :data:`SAMPLED_ITEMS` of ``items``, evenly spaced, and how many each stands for."""
    n = len(items)
    if n <= SAMPLED_ITEMS:
        return list(items), 1.0
    step = n / SAMPLED_ITEMS
    return [items[int(i * step)] for i in range(SAMPLED_ITEMS)], step


def _objects_bytes(values: np.ndarray) -> int:
    """The objects an object column points at (its pointers are counted apart), from an even sample
    of :data:`SAMPLED_ITEMS` of them: what ``memory_usage(deep=True)`` counts one by one, at 4 ms a
    24,000-string frame."""
    sample, scale = _sample(values)
    return int(sum(map(sys.getsizeof, sample)) * scale)


def _own_size(obj: Any) -> tuple[int, list]:
    """The object's own bytes and the members still to visit."""
    if obj is None or isinstance(obj, (bool, int, float, str, bytes)):
        return sys.getsizeof(obj), []
    if isinstance(obj, pd.DataFrame):
        objects = [col.to_numpy() for _, col in obj.items() if col.dtype == object]
        if obj.index.dtype == object:
            objects.append(obj.index.to_numpy())
        return int(obj.memory_usage(deep=False, index=True).sum()) + sum(map(_objects_bytes, objects)), []
    if isinstance(obj, (pd.Series, pd.Index)):
        extra = _objects_bytes(obj.to_numpy()) if obj.dtype == object else 0
        return int(obj.memory_usage(deep=False)) + extra, []
    if isinstance(obj, np.ndarray):
        return sys.getsizeof(obj) + (0 if obj.base is None else int(obj.nbytes)), list(
            obj
        ) if obj.dtype == object else []
    if isinstance(obj, dict):
        return sys.getsizeof(obj), [*obj.keys(), *obj.values()]
    if isinstance(obj, (list, tuple, set, frozenset)):
        return sys.getsizeof(obj), list(obj)
    if isinstance(obj, BaseFigure):  # its traces and layout as it holds them: to_plotly_json deep-copies them
        return sys.getsizeof(obj), [obj._data, obj._layout]
    if isinstance(obj, PlainFigure):  # its own JSON; the template is one dict shared by every figure
        return sys.getsizeof(obj), [obj.traces, obj.layout_json]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return sys.getsizeof(obj), [getattr(obj, f.name) for f in dataclasses.fields(obj)]
    to_json = getattr(obj, "to_plotly_json", None)  # Dash components and Plotly figures
    if callable(to_json) and not isinstance(obj, type):
        return sys.getsizeof(obj), [to_json()]
    return sys.getsizeof(obj), []
