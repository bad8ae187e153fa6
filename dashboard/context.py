"""How page callbacks reach the app's database, settings and global filters.

A page never holds a database of its own: ``create_app(db=...)`` stores one ``Database`` on the
Flask server, and a callback (which always runs inside a request of that server) asks for it
with :func:`get_db`. Several apps can therefore live in one process (the browser tests do) and
each page talks to the database of the app that serves it.

Page callbacks take the global filters from one store, ``Input(FILTERS_ID, "data")``, and turn
it into a :class:`ViewState` with :func:`view_state` (as-at date, services, teams as a
``data_layer.Filters`` via ``.filters``, and ``.presentation``). :func:`fetch` runs a
data-layer function through the cache.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dash.exceptions import PreventUpdate
from flask import Flask, current_app

from .cache import cached_call
from .settings import Settings
from .url_state import ViewState

#: The store holding the validated global filters; every page callback's first Input.
FILTERS_ID = "shell-filters"

_EXTENSION = "csc_insight"


@dataclass
class AppContext:
    db: Any  # data_layer.Database (Any so tests may pass a stand-in)
    settings: Settings


def install(server: Flask, db, settings: Settings) -> AppContext:
    ctx = AppContext(db=db, settings=settings)
    server.extensions[_EXTENSION] = ctx
    return ctx


def _ctx() -> AppContext:
    try:
        return current_app.extensions[_EXTENSION]
    except (RuntimeError, KeyError) as exc:
        raise RuntimeError(
            "No CSC Insight app is serving this request: build it with dashboard.app.create_app"
        ) from exc


def get_db():
    """The ``data_layer.Database`` of the app serving the current request."""
    return _ctx().db


def get_settings() -> Settings:
    return _ctx().settings


def view_state(data: dict | None) -> ViewState:
    """The global filters from ``FILTERS_ID``'s data; no update until the shell has filled it."""
    if not data:
        raise PreventUpdate
    return ViewState.from_store(data)


def fetch(fn: Callable, f, *args, **kwargs):
    """``fn(get_db(), f, *args, **kwargs)`` through the query cache (keyed on ``f`` and args)."""
    return cached_call(fn, get_db(), f, *args, **kwargs)
