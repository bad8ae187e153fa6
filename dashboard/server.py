"""Serving the dashboard: a checked database wrapped in the app, under a production WSGI server.

``csc-dashboard run`` calls :func:`serve`: the database is opened and checked first
(:mod:`dashboard.startup`; an unusable one prints the check's message and returns exit code 1, no
traceback), then served with Dash debug mode off unless asked (debug pages can show data values).

``serve`` runs it under waitress (production WSGI server, one process, 8 threads): the simple way,
for a demo or a small team. For an authority's service, gunicorn runs several processes of it
with the configuration in :mod:`dashboard.gunicorn_conf`:
``gunicorn -c python:dashboard.gunicorn_conf 'dashboard.server:wsgi()'``. Any WSGI server can use
the factory :func:`wsgi`; an unusable database stops it with the check's message (exit code 3,
which gunicorn takes as "worker failed to boot" and stops instead of restarting the worker).
"""

from __future__ import annotations

import logging
import sys
from dataclasses import replace

from .app import create_app
from .auth import AuthConfig
from .settings import Settings
from .startup import StartupError, prepare_database

__all__ = ["build_app", "check_before_serving", "wsgi", "serve"]

log = logging.getLogger(__name__)


def build_app(url: str | None = None, debug: bool | None = None):
    """The checked database wrapped in a dashboard app (raises :class:`StartupError`)."""
    settings = Settings.from_env()
    if debug is not None:
        settings = replace(settings, debug=debug)
    auth = AuthConfig.from_env()  # a bad sign-in setting stops start-up before the database is opened
    db = prepare_database(url, settings)
    app = create_app(db=db, settings=replace(settings, database_url=url or settings.database_url), auth=auth)
    take_callbacks(app)
    if settings.warm_on_start:  # after the fork under gunicorn (no preload): each worker's own thread
        from .warm import start_warmer

        start_warmer(app.server, db, settings.cache_seconds)
    return app


def take_callbacks(app) -> None:
    """Let Dash do its first-request set-up (taking the pages' callbacks) before any user comes.

    Dash marks the set-up done before it registers the callbacks, so on a fresh process the
    first requests of several threads at once found no callback and answered 500 (measured under
    gunicorn: 8 of the first 11 requests). One request of our own, before serving, does it once.
    """
    app.server.test_client().get("/")


#: Exit code of a worker whose database is unusable: gunicorn's "worker failed to boot", so it stops.
BOOT_ERROR = 3


def check_before_serving() -> None:
    """Check the settings and the database once, in gunicorn's master before any worker forks.

    With several workers on an unusable database, each worker's own check failing at once raced
    gunicorn's shutdown (1 run in 8 ended in gunicorn's traceback and exit code 1 instead of the
    message and exit code 3). Checked here first, gunicorn stops before a worker exists; the
    database is closed again, so no connection crosses the fork.
    """
    try:
        settings = Settings.from_env()
        AuthConfig.from_env()
        prepare_database(None, settings).dispose()
    except StartupError as exc:
        print(f"CSC Insight will not start.\n{exc}", file=sys.stderr, flush=True)
        raise SystemExit(BOOT_ERROR) from None


def wsgi():
    """WSGI entry point for gunicorn/waitress: the Flask server of a checked app.

    An unusable database prints the check's message, as ``csc-dashboard run`` does, and exits
    (no traceback: the operator reads one message, not a stack).
    """
    try:
        return build_app().server
    except StartupError as exc:
        print(f"CSC Insight will not start.\n{exc}", file=sys.stderr, flush=True)
        raise SystemExit(BOOT_ERROR) from None


def serve(host: str = "127.0.0.1", port: int = 8050, debug: bool = False, url: str | None = None) -> int:
    """Run the dashboard; returns a process exit code (1 when the database is unusable)."""
    try:
        debug = bool(debug or Settings.from_env().debug)
        app = build_app(url, debug=debug)
    except StartupError as exc:  # a bad setting (SettingsError) too
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
