"""Query-result cache keyed on the data-layer function, the database and the filters.

Several callbacks of one page (and the CSV download of a chart) ask the same question with
the same filters; the cache answers the repeats without a round trip to the database. Errors
are never cached, so a database that comes back is used again at once.

The backend is :class:`ByteBudgetCache`: live objects (nothing pickled, so a hit costs nothing)
in a least-recently-used order, bounded by a byte budget (``CSC_CACHE_MAX_MB``) rather than a
count of entries, because one entry can be a few bytes or a 100 MB frame; each entry also
expires after ``CSC_CACHE_SECONDS``. It is per process: under gunicorn each worker has its own.
With ``CSC_CACHE_URL`` the query results are also shared through Redis
(:mod:`dashboard.shared_cache`: Arrow IPC, never pickle), under the same key: the key names the
database by what it is (:func:`database_key`), not by the Python object, so every worker and
every server on that database computes the same key.
"""

from __future__ import annotations

import contextvars
import dataclasses
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NamedTuple, Protocol

from cachetools import TTLCache
from flask import Flask, current_app, has_app_context

from .sizing import approx_bytes
from .text_bounds import DEFAULT_MAX_CHARS, bound, note_shortened

__all__ = [
    "ByteBudgetCache",
    "CacheBackend",
    "cache_key",
    "cached_call",
    "database_key",
    "cached_render",
    "init_cache",
    "refreshing",
    "remembered",
]

log = logging.getLogger(__name__)

_EXTENSION = "csc_cache"
_MISSING = object()
#: Bytes charged per entry besides its value: the key, the entry and cachetools' bookkeeping.
ENTRY_OVERHEAD = 512


class CacheBackend(Protocol):
    """What :func:`remembered` needs of a cache (the seam for a shared backend)."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any) -> bool: ...

    def clear(self) -> None: ...


class _Entry(NamedTuple):
    value: Any
    nbytes: int


class ByteBudgetCache:
    """An LRU of live values whose estimated sizes (:func:`dashboard.sizing.approx_bytes`) stay
    within ``max_bytes``, each kept ``seconds`` at most (``cachetools.TTLCache`` under a lock).

    Adding a value evicts expired entries, then the least recently used ones, until it fits; a
    value larger than the whole budget is not cached. Callers never change a value they got (a
    frame is copied by :func:`cached_call`).
    """

    def __init__(self, max_bytes: int, seconds: float, timer: Callable[[], float] = time.monotonic):
        self._entries: TTLCache = TTLCache(maxsize=max_bytes, ttl=seconds, timer=timer, getsizeof=_entry_bytes)
        self._lock = threading.Lock()

    @property
    def max_bytes(self) -> int:
        return int(self._entries.maxsize)

    @property
    def current_bytes(self) -> int:
        """Bytes charged to the entries held (expired ones included until the next change)."""
        with self._lock:
            return int(self._entries.currsize)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __contains__(self, key: str) -> bool:
        with self._lock:
            return key in self._entries

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            entry = self._entries.get(key, _MISSING)
        return default if entry is _MISSING else entry.value

    def set(self, key: str, value: Any) -> bool:
        """Keep ``value`` under ``key``; ``False`` (nothing kept) when it is larger than the budget."""
        nbytes = approx_bytes(value) + ENTRY_OVERHEAD  # outside the lock: sizing a large frame takes time
        if nbytes > self.max_bytes:
            log.info("cache: a value of %.1f MB is larger than the whole budget, not cached", nbytes / 2**20)
            with self._lock:
                self._entries.pop(key, None)  # an older value under this key must not outlive the new one
            return False
        with self._lock:
            self._entries[key] = _Entry(value, nbytes)
        return True

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _entry_bytes(entry: _Entry) -> int:
    return entry.nbytes


def init_cache(
    server: Flask, seconds: int, max_mb: int = 256, url: str | None = None, prefix: str = "csc:"
) -> CacheBackend | None:
    """Attach a cache to the Flask server; ``seconds == 0`` or ``max_mb == 0`` means no caching at all.

    ``url`` (``CSC_CACHE_URL``, checked by :mod:`dashboard.settings`): query results are shared
    through that Redis too (:class:`dashboard.shared_cache.TieredCache`), under keys starting
    with ``prefix`` (tests give each their own)."""
    if seconds <= 0 or max_mb <= 0:
        server.extensions[_EXTENSION] = None
        return None
    cache: CacheBackend = ByteBudgetCache(max_bytes=max_mb * 2**20, seconds=seconds)
    if url:
        from .shared_cache import RedisCache, TieredCache

        cache = TieredCache(cache, RedisCache(url, seconds, prefix=prefix))
    server.extensions[_EXTENSION] = cache
    return cache


def database_key(db: Any) -> str:
    """The database as every process names it: backend URL (password left out), source and standards.

    Not ``id(db)``: a worker's result must be found by the others. An in-memory database exists in
    one process only, so its key adds the object's id. Standards change results, so they are part
    of it (in a canonical form: a ``frozenset``'s repr differs between processes).
    """
    engine = getattr(db, "engine", None)
    if engine is None:
        return f"object:{id(db)}"
    standards, source = getattr(db, "standards", None), getattr(db, "source", "")
    memo = getattr(db, "_csc_cache_key", None)  # canonicalising the standards takes a millisecond: once per db
    if memo is not None and memo[0] is engine and memo[1] is standards and memo[2] == source:
        return memo[3]
    key = _database_key(engine, standards, source, id(db))
    try:
        db._csc_cache_key = (engine, standards, source, key)
    except AttributeError:  # an object that takes no new attribute: computed each time
        pass
    return key


def _database_key(engine: Any, standards: Any, source: str, object_id: int) -> str:
    url = engine.url
    where = url.render_as_string(hide_password=True)
    if url.database == ":memory:":  # DuckDB's (connect refuses an in-memory SQLite, read-only)
        where += f"#{object_id}"
    return f"{where}|{source}|{_canonical(standards)}"


def _canonical(value: Any) -> str:
    """A repr that is the same in every process (sets sorted, mappings and dataclasses by field)."""
    if isinstance(value, (set, frozenset)):
        return "{" + ",".join(sorted(_canonical(v) for v in value)) + "}"
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{_canonical(k)}:{_canonical(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "(" + ",".join(_canonical(v) for v in value) + ")"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = ",".join(f"{f.name}={_canonical(getattr(value, f.name))}" for f in dataclasses.fields(value))
        return f"{type(value).__qualname__}({fields})"
    return repr(value)


def cache_key(fn: Callable, db: Any, args: tuple, kwargs: dict) -> str:
    """Stable key: function's qualified name, the database (:func:`database_key`), and the repr of the filters/args.

    ``Filters`` is a frozen dataclass whose repr lists as-at date, services and teams, so two
    equal filter values share one entry. A result that depends on less than the filters takes
    only what it depends on (``data_layer.bad_rows_by_team`` takes no filters at all). The key is
    hashed: it never holds ids in clear.
    """
    raw = f"{fn.__module__}.{fn.__qualname__}|{database_key(db)}|{args!r}|{sorted(kwargs.items())!r}"
    return "q:" + hashlib.sha256(raw.encode()).hexdigest()


_REFRESHING: contextvars.ContextVar[bool] = contextvars.ContextVar("csc_cache_refreshing", default=False)


@contextmanager
def refreshing() -> Iterator[None]:
    """Within this block :func:`remembered` recomputes and stores even what is cached: the warmer's
    refresh (:mod:`dashboard.warm`) replaces results before they expire instead of after."""
    token = _REFRESHING.set(True)
    try:
        yield
    finally:
        _REFRESHING.reset(token)


def remembered(key: Callable[[], str], compute: Callable[[], Any]):
    """``compute()``, kept in the app's cache under ``key()``; outside an app context just ``compute()``.

    Errors propagate and are never stored, so a database that comes back is used again at once.
    """
    cache = current_app.extensions.get(_EXTENSION) if has_app_context() else None
    if cache is None:
        return compute()
    k = key()
    hit = _MISSING if _REFRESHING.get() else cache.get(k, _MISSING)
    if hit is not _MISSING:
        return hit
    value = compute()
    cache.set(k, value)
    return value


def cached_render(fn: Callable, *args, **kwargs):
    """A page callback's output for these inputs, reused as long as query results are.

    Page callbacks are pure functions of the global filters and their own controls (the database
    is the app's), so the same view asked again (back to a page, a colleague opening the same
    bookmark) is a cache read instead of rebuilding every figure: rebuilding is most of a warm
    callback's time (Plotly validates every property in Python). The key includes the user's
    access scope, and the render's audit events are kept with it and written on every serve.
    Outside an app context it simply calls ``fn``.
    """

    from dashboard.auth import access_scope, collected, write_events

    def key() -> str:
        # the user's access scope is part of the key: a board member or a manager never gets a render
        # made for someone allowed to see more, whatever filters their browser sends
        raw = f"render|{fn.__module__}.{fn.__qualname__}|{access_scope()}|{args!r}|{sorted(kwargs.items())!r}"
        return "r:" + hashlib.sha256(raw.encode()).hexdigest()

    def run():
        with collected() as events:
            value = fn(*args, **kwargs)
        return value, tuple(events)

    value, events = remembered(key, run)
    write_events(events)  # the audit events of the render, whether it was computed now or reused
    return value


def cached_call(fn: Callable, db: Any, *args, **kwargs):
    """``fn(db, *args, **kwargs)``, answered from the app's cache when the same call was made lately.

    Outside a Flask app context (unit tests, scripts) it simply calls ``fn``. A copy is returned,
    so a caller that changes its frame never changes the cached one. Text cells longer than
    ``CSC_MAX_TEXT_CHARS`` are shortened before anything sees them (:mod:`dashboard.text_bounds`).
    """
    limit = max_text_chars()
    value = remembered(lambda: cache_key(fn, db, args, kwargs), lambda: bound(fn(db, *args, **kwargs), limit))
    note_shortened(value)
    return value.copy() if hasattr(value, "copy") else value


def max_text_chars() -> int:
    """The serving app's ``CSC_MAX_TEXT_CHARS`` (the default outside an app: unit tests, the CLI's bare context)."""
    ctx = current_app.extensions.get("csc_insight") if has_app_context() else None
    return getattr(getattr(ctx, "settings", None), "max_text_chars", DEFAULT_MAX_CHARS)
