"""Serving the dashboard: pick the database, check it, refuse to start on an unusable one.

``csc-dashboard run`` calls :func:`serve`. Order matters:

1. no URL configured (``--database`` / ``CSC_DATABASE_URL``) -> build the embedded demo database
   on first run, so ``make run`` on a fresh clone shows data;
2. open it read-only (source: ``CSC_SOURCE`` or detected, data_layer.sources) and run the structure
   check; a database that cannot be reached or serves none of the core tables prints the check's
   message and returns exit code 1 (no traceback). A *partial* database (a missing table or
   column, or an SSD, which has no CIN reviews or JARP) starts: its coverage table is printed,
   and each page section shows its figures or says what is missing;
3. serve with Dash debug mode off unless asked (debug pages can show data values).

``serve`` runs it under waitress (production WSGI server, 8 threads); any other WSGI server can
use the factory instead: ``gunicorn 'dashboard.server:wsgi()'``.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import replace

from data_layer import DatabaseError, connect

from .settings import Settings

log = logging.getLogger(__name__)


class StartupError(RuntimeError):
    """The dashboard cannot start; the message is the whole explanation for the operator."""


def prepare_database(url: str | None = None, settings: Settings | None = None):
    """Open the configured database (building the demo if none is configured) and check it.

    Raises :class:`StartupError` with a readable message when it cannot be used.
    """
    settings = settings or Settings.from_env()
    url = url or settings.database_url
    try:
        if not url:
            from data_layer.demo import ensure_demo

            path = ensure_demo()
            url = f"sqlite:///{path}"
        db = connect(url)
    except DatabaseError as exc:
        raise StartupError(f"The database could not be opened. {exc}") from exc
    from data_layer.checks import UnusableDatabase, startup_check

    try:
        report = startup_check(db).raise_if_unusable()
    except UnusableDatabase as exc:
        db.dispose()
        raise StartupError(str(exc)) from exc
    except DatabaseError as exc:
        db.dispose()
        raise StartupError(f"The database could not be checked. {exc}") from exc
    print(startup_summary(report), file=sys.stderr)
    return db


def startup_summary(report) -> str:
    """What the operator sees at start-up: the source, and the coverage when data is partial."""
    from data_layer.coverage import format_coverage

    source = "Standard Safeguarding Dataset (ssd)" if report.source == "ssd" else "native data contract"
    if report.complete and (report.coverage is None or (report.coverage["status"] == "available").all()):
        return f"CSC Insight: {source}; every page section has its data."
    lines = [f"CSC Insight starts on partial data ({source}). Coverage by page section:"]
    if report.coverage is not None:
        lines += format_coverage(report.coverage)
    return "\n".join(lines)


def build_app(url: str | None = None, debug: bool | None = None):
    """The checked database wrapped in a dashboard app (raises :class:`StartupError`)."""
    from .app import create_app

    settings = Settings.from_env()
    if debug is not None:
        settings = replace(settings, debug=debug)
    db = prepare_database(url, settings)
    return create_app(db=db, settings=replace(settings, database_url=url or settings.database_url))


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
    log.info(
        "CSC Insight on http://%s:%d/ (%s data)",
        host,
        port,
        "synthetic demo"
        if getattr(app.server.extensions.get("csc_insight"), "db", None) is not None
        and app.server.extensions["csc_insight"].db.is_demo
        else "configured",
    )
    if debug:
        app.run(host=host, port=port, debug=True)  # Dash's reloader and error pages need its own server
    else:
        # waitress: a maintained, pure-Python production WSGI server (threads, no reloader, no
        # development-server warning); Flask's built-in server is for debugging only.
        from waitress import serve as waitress_serve

        waitress_serve(app.server, host=host, port=port, threads=8, ident="CSC Insight")
    return 0
