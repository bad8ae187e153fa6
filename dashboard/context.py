"""How page callbacks reach the app's database, settings and global filters.

A page never holds a database of its own: ``create_app(db=...)`` stores one ``Database`` on the
Flask server, and a callback (which always runs inside a request of that server) asks for it
with :func:`get_db`. Several apps can therefore live in one process (the browser tests do) and
each page talks to the database of the app that serves it.

Page callbacks take the global filters from one store, ``Input(FILTERS_ID, "data")``; the
server validates it again before use (:func:`dashboard.filters.state_from_store`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

from .settings import Settings

#: The store holding the validated global filters; every page callback's first Input.
FILTERS_ID = "shell-filters"
#: Pattern id type of links (outside the navbar) that must keep the current query (the shell sets their href).
SHELL_LINK = "shell-link"

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
