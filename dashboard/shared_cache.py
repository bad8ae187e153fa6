"""The query cache shared by every worker: Redis (``CSC_CACHE_URL``), frames as Arrow IPC, never pickle.

Under gunicorn each worker has its own in-process cache (:class:`dashboard.cache.ByteBudgetCache`);
with ``CSC_CACHE_URL`` set, query results (keys ``q:``) are also written to Redis for
``CSC_CACHE_SECONDS``, so a result one worker computed is served by all. :class:`TieredCache`
asks its own process first, then Redis, then computes.

What goes to Redis is a safe format, not pickle (unpickling what anyone able to write to Redis put
there would run their code): DataFrames and Series as Arrow IPC streams (their dtypes, index and
``attrs`` kept exactly: dates as ``datetime.date`` objects, datetime64, categoricals), and around
them JSON of ``None``, booleans, numbers, text, dates, tuples, lists, dicts with text keys, numpy
scalars and dataclasses of the :data:`SHAREABLE_CLASSES` allowlist (the pilot evaluation, the
filter options). Decoding only ever builds those. A value outside this (a figure, a component, a
class not listed) stays in the process's own tier. Rendered parts and page renders (keys ``s:``
and ``r:``: Dash component trees) are never shared.

A Redis that does not answer never breaks a page: reads and writes give up after
:data:`SOCKET_TIMEOUT` seconds, the failure is logged once per exception class (never the key or
the URL), and Redis is left alone for :data:`RETRY_AFTER` seconds while the page computes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import io
import json
import logging
import struct
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import redis

log = logging.getLogger(__name__)

__all__ = ["SHAREABLE_CLASSES", "RedisCache", "TieredCache", "Unshareable", "decode", "encode"]

#: Classes a shared value may hold besides frames and plain values: built by name on decoding,
#: and nothing else is. A new result type joins the shared tier by being listed here.
SHAREABLE_CLASSES = (
    "data_layer.queries.cin_pilot.PilotEvaluation",
    "data_layer.queries.cin_pilot.PilotDesign",
    "data_layer.standards.Pilot",
    "dashboard.url_state.FilterOptions",
)
#: Bumped when the encoding changes, so a new release never reads an older one's values.
FORMAT = 1
CONNECT_TIMEOUT = 0.5
SOCKET_TIMEOUT = 1.0
RETRY_AFTER = 30.0
#: Larger encoded values stay in the worker's own tier: Redis refuses values over 512 MB, and moving
#: a very large one costs each reading worker more than its own query would.
MAX_VALUE_BYTES = 64 * 2**20
#: Only query results are shared: ``s:`` (parts) and ``r:`` (renders) hold Dash components.
SHARED_PREFIX = "q:"
_MAGIC = b"CSC1"


class Unshareable(TypeError):
    """The value holds something the safe format does not carry: it stays in the process's tier."""


# --------------------------------------------------------------------------- the safe format


def encode(value: Any) -> bytes:
    """``value`` as bytes: a JSON tree (frames replaced by their index) and each frame's Arrow IPC stream."""
    frames: list[bytes] = []
    tree = _to_tree(value, frames)
    head = json.dumps(tree, separators=(",", ":"), allow_nan=True).encode()
    parts = [_MAGIC, struct.pack(">II", len(head), len(frames)), head]
    for blob in frames:
        parts += [struct.pack(">Q", len(blob)), blob]
    return b"".join(parts)


def decode(data: bytes) -> Any:
    """The value :func:`encode` wrote; ``ValueError`` for anything else (never executes what it reads)."""
    if data[:4] != _MAGIC:
        raise ValueError("not a shared-cache value")
    head_len, n_frames = struct.unpack_from(">II", data, 4)
    pos = 12
    tree = json.loads(data[pos : pos + head_len])
    pos += head_len
    frames = []
    for _ in range(n_frames):
        (size,) = struct.unpack_from(">Q", data, pos)
        pos += 8
        frames.append(data[pos : pos + size])
        pos += size
    return _from_tree(tree, frames)


def _frame_bytes(df: pd.DataFrame) -> bytes:
    try:
        table = pa.Table.from_pandas(df, preserve_index=True)
    except (pa.ArrowException, TypeError, ValueError) as exc:  # e.g. a column mixing numbers and text
        raise Unshareable(f"frame not representable in Arrow: {type(exc).__name__}") from None
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        if table.num_rows:
            writer.write_table(table)
        else:  # an empty table writes no batch, and so no dictionary: a categorical would lose its categories
            writer.write_batch(pa.RecordBatch.from_pandas(df, schema=table.schema, preserve_index=True))
    return sink.getvalue()


def _frame_of(blob: bytes) -> pd.DataFrame:
    with pa.ipc.open_stream(blob) as reader:
        table = reader.read_all()
    # date32 columns back as datetime.date objects, as the data layer returns them (not datetime64)
    df = table.to_pandas(date_as_object=True)
    meta = table.schema.pandas_metadata or {}
    for col in meta.get("columns", ()):
        name = col.get("name")
        # an object column of Python ints (SQLite's days_between) came back int64 or float64 (with
        # NULLs): back to the objects it held, None for a missing one
        if col.get("numpy_type") == "object" and name in df.columns and df[name].dtype != object:
            df[name] = np.array(table.column(name).to_pylist(), dtype=object)
    return df


def _to_tree(v: Any, frames: list[bytes]) -> Any:
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, (int, float)) and type(v) in (int, float):
        return v
    if isinstance(v, np.generic):
        return {"np": v.dtype.str, "v": v.item() if not isinstance(v, np.datetime64) else str(v)}
    if isinstance(v, pd.DataFrame):
        if not all(isinstance(c, str) for c in v.columns):
            raise Unshareable("frame with column names that are not text")
        frames.append(_frame_bytes(v))
        return {"df": len(frames) - 1, "attrs": _to_tree(dict(v.attrs), frames)}
    if isinstance(v, pd.Series):
        name = v.name
        if name is not None and not isinstance(name, str):
            raise Unshareable("series with a name that is not text")
        frames.append(_frame_bytes(v.to_frame("value")))
        return {"series": len(frames) - 1, "name": name, "attrs": _to_tree(dict(v.attrs), frames)}
    if v is pd.NaT:
        return {"nat": 1}
    if isinstance(v, pd.Timestamp):
        return {"ts": v.isoformat()}
    if isinstance(v, dt.datetime):
        return {"datetime": v.isoformat()}
    if isinstance(v, dt.date):
        return {"date": v.isoformat()}
    if isinstance(v, tuple) and not hasattr(v, "_fields"):
        return {"tuple": [_to_tree(x, frames) for x in v]}
    if isinstance(v, list):
        return [_to_tree(x, frames) for x in v]
    if isinstance(v, dict):
        if not all(isinstance(k, str) for k in v):
            raise Unshareable("dict with keys that are not text")
        return {"dict": {k: _to_tree(x, frames) for k, x in v.items()}}
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        name = f"{type(v).__module__}.{type(v).__qualname__}"
        if name not in SHAREABLE_CLASSES:
            raise Unshareable(f"{name} is not in SHAREABLE_CLASSES")
        fields = {f.name: _to_tree(getattr(v, f.name), frames) for f in dataclasses.fields(v) if f.init}
        return {"dc": name, "fields": fields}
    raise Unshareable(f"{type(v).__name__} is not carried by the shared cache")


def _from_tree(t: Any, frames: list[bytes]) -> Any:
    if t is None or isinstance(t, (bool, int, float, str)):
        return t
    if isinstance(t, list):
        return [_from_tree(x, frames) for x in t]
    if not isinstance(t, dict) or len(t) == 0:
        raise ValueError("not a shared-cache tree")
    if "df" in t:
        df = _frame_of(frames[t["df"]])
        df.attrs.update(_from_tree(t["attrs"], frames))
        return df
    if "series" in t:
        s = _frame_of(frames[t["series"]])["value"].rename(t["name"])
        s.attrs.update(_from_tree(t["attrs"], frames))
        return s
    if "np" in t:
        dtype = np.dtype(t["np"])
        return np.datetime64(t["v"]) if dtype.kind == "M" else dtype.type(t["v"])
    if "ts" in t:
        return pd.Timestamp(t["ts"])
    if "nat" in t:
        return pd.NaT
    if "datetime" in t:
        return dt.datetime.fromisoformat(t["datetime"])
    if "date" in t:
        return dt.date.fromisoformat(t["date"])
    if "tuple" in t:
        return tuple(_from_tree(x, frames) for x in t["tuple"])
    if "dict" in t:
        return {k: _from_tree(x, frames) for k, x in t["dict"].items()}
    if "dc" in t:
        return _allowed_class(t["dc"])(**{k: _from_tree(x, frames) for k, x in t["fields"].items()})
    raise ValueError("not a shared-cache tree")


def _allowed_class(name: str) -> type:
    if name not in SHAREABLE_CLASSES:  # the allowlist, checked before anything is imported
        raise ValueError("a class the shared cache does not build")
    module, _, cls = name.rpartition(".")
    return getattr(importlib.import_module(module), cls)


# --------------------------------------------------------------------------- Redis


class RedisCache:
    """Encoded values in Redis under ``prefix + key`` for ``seconds``; every failure is a miss."""

    def __init__(
        self,
        url: str,
        seconds: float,
        prefix: str = "csc:",
        client: redis.Redis | None = None,
        timer: Callable[[], float] = time.monotonic,
    ):
        self.client = client or redis.Redis.from_url(
            url, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=SOCKET_TIMEOUT, health_check_interval=30
        )
        self.seconds = max(1, int(seconds))
        self.prefix = f"{prefix}v{FORMAT}:"
        self._timer = timer
        self._down_until = 0.0
        self._logged: set[str] = set()
        self._lock = threading.Lock()

    def _failed(self, exc: Exception) -> None:
        name = type(exc).__name__
        with self._lock:
            self._down_until = self._timer() + RETRY_AFTER
            first = name not in self._logged
            self._logged.add(name)
        if first:  # once per class: a Redis that is down must not fill the log
            log.warning("shared cache unavailable (%s): computing locally, retrying every %.0f s", name, RETRY_AFTER)

    def _up(self) -> bool:
        return self._timer() >= self._down_until

    def get(self, key: str, default: Any = None) -> Any:
        if not self._up():
            return default
        try:
            data = self.client.get(self.prefix + key)
        except redis.RedisError as exc:
            self._failed(exc)
            return default
        if data is None:
            return default
        try:
            return decode(bytes(data))  # type: ignore[arg-type]
        except (ValueError, KeyError, TypeError, IndexError, struct.error, pa.ArrowException) as exc:
            log.warning("shared cache: an unreadable value ignored (%s)", type(exc).__name__)
            return default

    def set(self, key: str, value: Any) -> bool:
        if not self._up():
            return False
        try:
            data = encode(value)
        except Unshareable:
            return False
        if len(data) > MAX_VALUE_BYTES:
            return False
        try:
            self.client.set(self.prefix + key, data, ex=self.seconds)
        except redis.RedisError as exc:
            self._failed(exc)
            return False
        return True

    def clear(self) -> None:
        """Remove this cache's keys (its prefix only: the Redis may hold others' data)."""
        try:
            keys = list(self.client.scan_iter(match=self.prefix + "*", count=500))
            if keys:
                self.client.delete(*keys)
        except redis.RedisError as exc:
            self._failed(exc)


class TieredCache:
    """The process's :class:`~dashboard.cache.ByteBudgetCache` first, then the shared one (query results only)."""

    def __init__(self, local: Any, shared: RedisCache):
        self.local = local
        self.shared = shared

    def get(self, key: str, default: Any = None) -> Any:
        missing = object()
        hit = self.local.get(key, missing)
        if hit is not missing:
            return hit
        if not key.startswith(SHARED_PREFIX):
            return default
        hit = self.shared.get(key, missing)
        if hit is missing:
            return default
        self.local.set(key, hit)
        return hit

    def set(self, key: str, value: Any) -> bool:
        kept = self.local.set(key, value)
        if key.startswith(SHARED_PREFIX):
            kept = self.shared.set(key, value) or kept
        return kept

    def clear(self) -> None:
        self.local.clear()
        self.shared.clear()
