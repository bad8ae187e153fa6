"""Query-result cache keyed on the data-layer function, the database and the filters.

Several callbacks of one page (and the CSV download of a chart) ask the same question with
the same filters; the cache answers the repeats without a round trip to the database. It is an
in-process Flask-Caching ``SimpleCache`` now; a shared backend (Redis) is a setting away when
the dashboard runs in several processes. Errors are never cached, so a database that comes back
is used again at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_app_context
from flask_caching import Cache

from .text_bounds import DEFAULT_MAX_CHARS, bound, note_shortened

_EXTENSION = "csc_cache"


def init_cache(server: Flask, seconds: int) -> Cache | None:
    """Attach a cache to the Flask server; ``seconds == 0`` means no caching at all."""
    if seconds <= 0:
        server.extensions[_EXTENSION] = None
        return None
    cache = Cache(config={"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": seconds, "CACHE_THRESHOLD": 2000})
    cache.init_app(server)
    server.extensions[_EXTENSION] = cache
    return cache


def cache_key(fn: Callable, db: Any, args: tuple, kwargs: dict) -> str:
    """Stable key: function's qualified name, the database object, and the repr of the filters/args.

    ``Filters`` is a frozen dataclass whose repr lists as-at date, services and teams, so two
    equal filter values share one entry. The key is hashed: it never holds ids in clear.
    """
    raw = f"{fn.__module__}.{fn.__qualname__}|{id(db)}|{args!r}|{sorted(kwargs.items())!r}"
    return "q:" + hashlib.sha256(raw.encode()).hexdigest()


def remembered(key: Callable[[], str], compute: Callable[[], Any]):
    """``compute()``, kept in the app's cache under ``key()``; outside an app context just ``compute()``.

    Errors propagate and are never stored, so a database that comes back is used again at once.
    """
    cache = current_app.extensions.get(_EXTENSION) if has_app_context() else None
    if cache is None:
        return compute()
    k = key()
    hit = cache.get(k)
    if hit is not None:
        return hit
    value = compute()
    cache.set(k, value)
    return value


def cached_render(fn: Callable, *args, **kwargs):
    """A page callback's output for these inputs, reused as long as query results are.

    Page callbacks are pure functions of the global filters and their own controls (the database
    is the app's), so the same view asked again (back to a page, a colleague opening the same
    bookmark) is a cache read instead of rebuilding every figure: rebuilding is most of a warm
    callback's time (Plotly validates every property in Python). Outside an app context it
    simply calls ``fn``.
    """

    def key() -> str:
        raw = f"render|{fn.__module__}.{fn.__qualname__}|{args!r}|{sorted(kwargs.items())!r}"
        return "r:" + hashlib.sha256(raw.encode()).hexdigest()

    return remembered(key, lambda: fn(*args, **kwargs))


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
