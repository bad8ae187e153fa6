"""The app factory: a Dash app with the pages, the shell, the cache and the database of one authority.

``create_app(db=None, settings=None)`` builds ``Dash("dashboard", use_pages=True)``: Dash itself
imports every module of ``dashboard/pages/`` that calls ``dash.register_page`` and names it by its
real module name (``dashboard.pages.caseloads``), and the navbar lists them in ``order``. The app
adds the shell around them (:mod:`dashboard.shell`), the CSV and board-pack downloads, a real 404 for
any other address (:mod:`dashboard.not_found`), sign-in, roles and the audit log (:mod:`dashboard.auth`),
security headers (:mod:`dashboard.headers`), pages that never echo the request's host
(:mod:`dashboard.hosts`), a bounded callback endpoint whose errors hold no data
(:mod:`dashboard.http_guard`), and puts the
database and settings where callbacks find them (:mod:`dashboard.context`).

Dash keeps pages and ``@dash.callback`` registrations in process-wide lists, taken by the app at
its first request, as in any Dash app; a process that builds several apps (the tests) resets them
between builds itself (``tests/apps.py``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from dash import Dash

import assets as _assets_pkg
from data_layer import DatabaseError, connect

from .auth import AuthConfig, register_auth
from .cache import init_cache
from .context import install
from .headers import register_security_headers
from .hosts import register_host_rules
from .http_guard import register_http_guard
from .not_found import register_not_found
from .pack.button import register_pack_download
from .settings import Settings
from .shell import nav_pages, register_shell_callbacks, shell_layout
from .views import register_csv_download

__all__ = ["create_app"]

ASSETS_DIR = str(Path(_assets_pkg.__file__).resolve().parent)


log = logging.getLogger(__name__)


def _hold_open(db) -> None:
    """Keep the database open between reads (DuckDB: its catalog and buffer pool), if it answers.

    A database that does not answer now must not stop the app: its pages show their own message,
    and reads open their connections as they go (``Database.keep_open``)."""
    try:
        db.keep_open()
    except DatabaseError as exc:
        log.warning("database not held open between reads: %s", type(exc).__name__)


def create_app(db=None, settings: Settings | None = None, auth: AuthConfig | None = None) -> Dash:
    """Build the dashboard on ``db`` (default: ``connect(settings.database_url)``), signing in as
    ``auth`` says (default: ``CSC_AUTH`` and friends, :mod:`dashboard.auth`).

    Debug stays off unless the caller runs the server with it; the database and settings are
    reachable from callbacks through ``dashboard.context``.
    """
    settings = settings or Settings.from_env()
    auth = auth or AuthConfig.from_env()
    if db is None:
        db = connect(settings.database_url)
    app = Dash(
        "dashboard",  # a package: Dash finds its ``pages/`` folder and names those modules ``dashboard.pages.*``
        use_pages=True,
        assets_folder=ASSETS_DIR,
        title=settings.title,
        update_title=None,  # type: ignore[arg-type]  # Dash documents None (no "Updating..." title) but types it str
        suppress_callback_exceptions=True,
        serve_locally=True,
    )
    _hold_open(db)
    install(app.server, db, settings)
    register_auth(app.server, auth, db)
    init_cache(app.server, settings.cache_seconds, settings.cache_max_mb, settings.cache_url)
    app.layout = lambda: shell_layout(settings)
    register_not_found(
        app,
        nav_pages(linked_only=False) + nav_pages(secondary=True),
        settings.title,
        settings.presentation_only,
    )
    register_security_headers(app)
    register_host_rules(app, settings.allowed_hosts)
    register_http_guard(app, settings.max_request_bytes)
    register_shell_callbacks(app)
    register_csv_download(app)
    register_pack_download(app)
    return app
