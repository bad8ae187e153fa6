"""The app factory: a Dash app with the pages, the shell, the cache and the database of one authority.

``create_app(db=None, settings=None)`` returns a Dash app using the pages API. Every module in
the ``pages`` package that calls ``dash.register_page`` is imported (re-imported when a second
app is built in the same process, as the tests do) and listed in the navbar in ``order``.

The shell around the pages (navbar, filters, URL sync, footer) is :mod:`dashboard.shell`.

Pages only read the store (``Input(FILTERS_ID, "data")``); see ``docs/PAGE_CONVENTIONS.md``.
"""

from __future__ import annotations

import functools
import importlib
import logging
import pkgutil
import sys
from pathlib import Path

import dash
from dash import Dash

import assets as _assets_pkg
import pages as _pages_pkg
from data_layer import DatabaseError, connect

from .cache import init_cache
from .components import error_alert
from .context import install
from .export import register_pack_download
from .render import register_csv_download
from .settings import Settings
from .shell import _register_shell_callbacks, nav_pages, shell_layout

__all__ = ["create_app", "load_pages", "nav_pages"]

log = logging.getLogger(__name__)

ASSETS_DIR = str(Path(_assets_pkg.__file__).resolve().parent)


# --------------------------------------------------------------------------- page discovery


def load_pages() -> list[str]:
    """Import (or re-import) every public module of the ``pages`` package; return their names.

    A page that fails to import is logged and left out, so one broken page cannot take the
    dashboard down; its entry is removed from the registry so the navbar does not link to it.
    """
    loaded = []
    for info in sorted(pkgutil.iter_modules(_pages_pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        name = f"{_pages_pkg.__name__}.{info.name}"
        try:
            if name in sys.modules:
                importlib.reload(sys.modules[name])
            else:
                importlib.import_module(name)
            loaded.append(name)
        except Exception as exc:  # noqa: BLE001
            log.error("page module %s could not be imported: %s: %s", name, type(exc).__name__, exc)
            dash.page_registry.pop(name, None)
    return loaded


def _adopt_page_callbacks(app: Dash) -> None:
    """Move the ``@dash.callback`` registrations made by page imports into this app now.

    Dash would move them into whichever app serves its first request; taking them at build time
    lets several apps (one per browser-test module) each own the callbacks of their pages.
    """
    from dash import _callback

    for key in list(_callback.GLOBAL_CALLBACK_MAP):
        app.callback_map[key] = _callback.GLOBAL_CALLBACK_MAP.pop(key)
    app._callback_list.extend(_callback.GLOBAL_CALLBACK_LIST)
    _callback.GLOBAL_CALLBACK_LIST.clear()
    app._inline_scripts.extend(_callback.GLOBAL_INLINE_SCRIPTS)
    _callback.GLOBAL_INLINE_SCRIPTS.clear()


def _safe_layout(module: str, layout):
    """Wrap a page's layout so an exception becomes a message in the page area, not a dead page."""
    if not callable(layout) or getattr(layout, "_csc_safe", False):
        return layout

    @functools.wraps(layout)
    def wrapper(**kwargs):
        try:
            return layout(**kwargs)
        except TypeError as exc:
            # A layout without **kwargs meets an unexpected query key: try without the query.
            log.warning("layout of %s rejected the query: %s", module, type(exc).__name__)
            try:
                return layout()
            except Exception as inner:  # noqa: BLE001
                return error_alert(f"The page could not be drawn ({type(inner).__name__}).")
        except DatabaseError as exc:
            return error_alert(exc)
        except Exception as exc:  # noqa: BLE001
            log.error("layout of %s failed: %s", module, type(exc).__name__)
            return error_alert(f"The page could not be drawn ({type(exc).__name__}).")

    wrapper._csc_safe = True
    return wrapper


# --------------------------------------------------------------------------- factory


def create_app(db=None, settings: Settings | None = None) -> Dash:
    """Build the dashboard on ``db`` (default: ``connect(settings.database_url)``).

    Debug stays off unless the caller runs the server with it; pages come from the ``pages``
    package; the database and settings are reachable from callbacks through ``dashboard.context``.
    """
    settings = settings or Settings.from_env()
    if db is None:
        db = connect(settings.database_url)
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder="",
        assets_folder=ASSETS_DIR,
        title=settings.title,
        update_title=None,
        suppress_callback_exceptions=True,
        serve_locally=True,
    )
    install(app.server, db, settings)
    init_cache(app.server, settings.cache_seconds)
    load_pages()
    for module, page in list(dash.page_registry.items()):
        if not page.get("supplied_layout") and module in sys.modules:
            # What Dash's own folder import does: a page's ``layout`` is its module attribute.
            page["layout"] = getattr(sys.modules[module], "layout", None)
        if page.get("layout") is None:
            log.error("page module %s has no layout; left out", module)
            dash.page_registry.pop(module)
            continue
        page["layout"] = _safe_layout(module, page["layout"])
    _adopt_page_callbacks(app)

    def layout():
        return shell_layout(settings)

    app.layout = layout
    _register_shell_callbacks(app)
    register_csv_download(app)
    register_pack_download(app)
    return app
