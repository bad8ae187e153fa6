"""Several dashboard apps in one test process: reset Dash's process-wide page and callback lists per build.

Dash keeps ``dash.page_registry`` and the ``@dash.callback`` registrations of the page modules in
module-level lists; every ``Dash(use_pages=True)`` runs the page files again, adding a fresh set,
and an app takes whatever is in the lists at its first request. A production process builds one
app, so that is enough there. Tests build one per module, some never served, some served later:
:func:`make_app` empties the lists before the build and hands the new set to the new app at once,
so each app owns exactly its pages' callbacks, whatever order the tests run in. (vizro-core's
tests and plotly/dash's own page tests reset the same lists.)
"""

from __future__ import annotations

import dash
from dash import _callback

from dashboard.app import create_app


def reset_dash_globals() -> None:
    """Forget every page and every ``@dash.callback`` not yet taken by an app."""
    dash.page_registry.clear()
    _callback.GLOBAL_CALLBACK_LIST.clear()
    _callback.GLOBAL_CALLBACK_MAP.clear()
    _callback.GLOBAL_INLINE_SCRIPTS.clear()


def take_dash_globals(app: dash.Dash) -> None:
    """What Dash does at the app's first request (``Dash._setup_server``): move the callbacks in now."""
    for key in list(_callback.GLOBAL_CALLBACK_MAP):
        app.callback_map[key] = _callback.GLOBAL_CALLBACK_MAP.pop(key)
    app._callback_list.extend(_callback.GLOBAL_CALLBACK_LIST)
    _callback.GLOBAL_CALLBACK_LIST.clear()
    app._inline_scripts.extend(_callback.GLOBAL_INLINE_SCRIPTS)
    _callback.GLOBAL_INLINE_SCRIPTS.clear()


def make_app(db=None, settings=None, auth=None) -> dash.Dash:
    """``create_app(db, settings, auth)`` with its own pages and callbacks, in a process that builds many."""
    reset_dash_globals()
    app = create_app(db=db, settings=settings, auth=auth)
    take_dash_globals(app)
    return app
