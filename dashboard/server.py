"""Serving the dashboard: a checked database wrapped in the app, under a production WSGI server.

``csc-dashboard run`` calls :func:`serve`: the database is opened and checked first
(:mod:`dashboard.startup`; an unusable one prints the check's message and returns exit code 1, no
traceback), then served with Dash debug mode off unless asked (debug pages can show data values).

``serve`` runs it under waitress (production WSGI server, 8 threads); any other WSGI server can
use the factory instead: ``gunicorn 'dashboard.server:wsgi()'``.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import replace

from .app import create_app
from .auth import AuthConfig
from .settings import Settings
from .startup import StartupError, prepare_database

__all__ = ["build_app", "wsgi", "serve"]

log = logging.getLogger(__name__)


def build_app(url: str | None = None, debug: bool | None = None):
    """The checked database wrapped in a dashboard app (raises :class:`StartupError`)."""
    settings = Settings.from_env()
    if debug is not None:
        settings = replace(settings, debug=debug)
    auth = AuthConfig.from_env()  # a bad sign-in setting stops start-up before the database is opened
    db = prepare_database(url, settings)
    return create_app(db=db, settings=replace(settings, database_url=url or settings.database_url), auth=auth)


def wsgi():
    """WSGI entry point for gunicorn/waitress: the Flask server of a checked app."""
    return build_app().server


def serve(host: str = "127.0.0.1", port: int = 8050, debug: bool = False, url: str | None = None) -> int:
    """Run the dashboard; returns a process exit code (1 when the database is unusable)."""
    settings = Settings.from_env()
    debug = bool(debug or settings.debug)
    try:
        app = build_app(url, debug=debug)
    except StartupError as exc:
        print(f"CSC Insight will not start.\n{exc}", file=sys.stderr)
        return 1
    if debug:
        log.warning("Dash debug mode is ON: never use it with real children's data")
    db = app.server.extensions["csc_insight"].db
    log.info(
        "CSC Insight on http://%s:%d/ (%s data)",
        host,
        port,
        "synthetic demo" if getattr(db, "is_demo", False) else "configured",
    )
    if debug:
        app.run(host=host, port=port, debug=True)  # Dash's reloader and error pages need its own server
    else:
        # waitress: a maintained, pure-Python production WSGI server (threads, no reloader, no
        # development-server warning); Flask's built-in server is for debugging only.
        from waitress import serve as waitress_serve

        waitress_serve(app.server, host=host, port=port, threads=8, ident="CSC Insight")
    return 0
