"""The app factory and the page shell: navbar, global filters in the URL, demo banner, page area.

``create_app(db=None, settings=None)`` returns a Dash app using the pages API. Every module in
the ``pages`` package that calls ``dash.register_page`` is imported (re-imported when a second
app is built in the same process, as the tests do) and listed in the navbar in ``order``.

The shell owns the global filters. One callback (:func:`_sync_filters`) is the only writer of
the filters store ``shell-filters``:

* on navigation (the URL's query string changes) it parses and validates the URL, sets the
  controls and the store, and shows notices for anything it had to drop;
* when a control changes it validates the controls, sets the store and pushes the new query
  string into the browser history (without reloading the page), so the view is bookmarkable.

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
import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update

import assets as _assets_pkg
import pages as _pages_pkg
from data_layer import DatabaseError, connect

from .cache import cached_call, init_cache
from .components import error_alert, register_csv_download
from .context import FILTERS_ID, get_db, install
from .export import pack_controls, register_pack_download
from .settings import Settings
from .url_state import FilterOptions, ViewState, parse_query, to_query, validate

log = logging.getLogger(__name__)

ASSETS_DIR = str(Path(_assets_pkg.__file__).resolve().parent)
PAGES_LOCATION = "_pages_location"  # the dcc.Location inside dash.page_container
URL_WRITER = "shell-url-search"
CONTROL_IDS = ("shell-as-at", "shell-services", "shell-teams", "shell-presentation")


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
    app._callback_list.extend(_callback.GLOBAL_CALLBACK_LIST)  # noqa: SLF001
    _callback.GLOBAL_CALLBACK_LIST.clear()
    app._inline_scripts.extend(_callback.GLOBAL_INLINE_SCRIPTS)  # noqa: SLF001
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


def nav_pages() -> list[dict]:
    """Registered pages in navbar order (``order`` then name)."""
    pages = [p for p in dash.page_registry.values() if not p.get("module", "").endswith("not_found_404")]
    return sorted(pages, key=lambda p: (p.get("order") if p.get("order") is not None else 10_000, p["name"]))


# --------------------------------------------------------------------------- reference data

def _load_filter_options(db) -> FilterOptions:
    from datetime import date

    from data_layer import date_range, team_options

    earliest, latest = date_range(db)
    teams = team_options(db)
    labels = {r.team_id: f"{r.team_name} ({r.service})" for r in teams.itertuples()}
    services = tuple(dict.fromkeys(teams["service"].tolist()))
    return FilterOptions(latest=latest or date.today(), earliest=earliest, teams=labels, services=services)


def filter_options() -> tuple[FilterOptions, str | None]:
    """The data's date range and teams (cached), or today's date and a reason if unreadable."""
    from datetime import date

    try:
        return cached_call(_load_filter_options, get_db()), None
    except DatabaseError as exc:
        return FilterOptions(latest=date.today()), f"Teams and dates could not be read from the database. {exc}"
    except Exception as exc:  # noqa: BLE001
        log.error("reading filter options failed: %s", type(exc).__name__)
        return FilterOptions(latest=date.today()), "Teams and dates could not be read from the database."


# --------------------------------------------------------------------------- layout

def _navbar(title: str) -> dbc.Navbar:
    links = [
        dbc.NavItem(dbc.NavLink(p["name"], href=p["relative_path"], id={"type": "shell-nav", "path": p["path"]}))
        for p in nav_pages()
    ]
    return dbc.Navbar(dbc.Container([
        html.A(html.Span([html.Img(src=dash.get_asset_url("logo.svg"), height="30", alt="", className="me-2"),
                          dbc.NavbarBrand(title, className="ms-1")]), href="/", className="navbar-brand-link",
               id="shell-brand"),
        dbc.NavbarToggler(id="shell-nav-toggle", n_clicks=0),
        dbc.Collapse(dbc.Nav(links, navbar=True, className="ms-auto"), id="shell-nav-collapse",
                     is_open=False, navbar=True),
    ], fluid=True), color="dark", dark=True, className="mb-2 shell-navbar", id="shell-navbar")


def _filters_bar(options: FilterOptions) -> dbc.Row:
    return dbc.Row([
        dbc.Col([dbc.Label("As at", html_for="shell-as-at", className="small mb-0"),
                 dcc.DatePickerSingle(id="shell-as-at", date=options.latest, min_date_allowed=options.earliest,
                                      max_date_allowed=options.latest, display_format="D MMM YYYY",
                                      first_day_of_week=1, clearable=False)], width="auto"),
        dbc.Col([dbc.Label("Services", html_for="shell-services", className="small mb-0"),
                 dcc.Dropdown(id="shell-services", options=[{"label": s, "value": s} for s in options.services],
                              value=[], multi=True, placeholder="All services")], md=3),
        dbc.Col([dbc.Label("Teams", html_for="shell-teams", className="small mb-0"),
                 dcc.Dropdown(id="shell-teams", options=[{"label": lbl, "value": tid}
                                                         for tid, lbl in options.teams.items()],
                              value=[], multi=True, placeholder="All teams")], md=4),
        dbc.Col(dbc.Switch(id="shell-presentation", label="Presentation mode", value=False,
                           className="mt-4"), width="auto"),
        dbc.Col(pack_controls(), width="auto", className="ms-auto"),
    ], className="g-2 align-items-end shell-filters", id="shell-filter-bar")


def _demo_banner(db) -> dbc.Alert | None:
    if not getattr(db, "is_demo", False):
        return None
    return dbc.Alert(["Synthetic demo data: ", html.Strong("these are not real children or staff."),
                      " Set CSC_DATABASE_URL to use your authority's database."],
                     color="info", className="py-1 mb-2 small demo-banner", id="shell-demo-banner")


def shell_layout(settings: Settings):
    """The frame around every page; built on each page load so filters follow the current data."""
    options, problem = filter_options()
    db = get_db()
    return html.Div([
        dcc.Store(id=FILTERS_ID),
        dcc.Store(id=URL_WRITER),
        html.Div(id="shell-url-dummy", hidden=True),
        html.A("Skip to content", href="#shell-main", className="visually-hidden-focusable"),
        _navbar(settings.title),
        dbc.Container([
            _demo_banner(db),
            _filters_bar(options),
            html.Div(error_alert(problem, title="Filters unavailable") if problem else None,
                     id="shell-options-problem"),
            html.Div(id="shell-notices", className="mt-2", role="status", **{"aria-live": "polite"}),
            html.Main(dash.page_container, id="shell-main", className="mt-2"),
            html.Footer(_footer(db), className="shell-footer text-muted small mt-4 mb-3"),
        ], fluid=True),
    ], id="shell-root")


def _footer(db) -> list:
    """Where the standards come from (and whether a local file overrides them), on every page."""
    try:
        standards = db.standards
        threshold = standards.suppress_below
    except Exception:  # noqa: BLE001 - the footer must never break the shell
        return []
    source = "the practice documents cited on each chart (000-004)"
    if standards.source_file:
        source += f", with {len(standards.overridden)} overridden by the standards file"
    return [f"Standards: {source}. Presentation mode shows counts under {threshold} as \"<{threshold}\". ",
            "Data: read-only."]


# --------------------------------------------------------------------------- callbacks

def _notices(state: ViewState):
    if not state.notices:
        return None
    return dbc.Alert([html.Strong("Some settings in the address were not understood: "),
                      html.Ul([html.Li(n) for n in state.notices], className="mb-0")],
                     color="warning", dismissable=True, className="py-2 small", id="shell-notice")


def _sync_filters(search, as_at, services, teams, presentation):
    """URL -> controls and store on navigation; controls -> store and URL on a change."""
    options, _ = filter_options()
    root_class = None
    if ctx.triggered_id in CONTROL_IDS:
        state = validate(as_at, services or [], teams or [], bool(presentation), options)
        controls = [
            state.as_at.isoformat() if as_at != state.as_at.isoformat() else no_update,
            list(state.services) if list(services or []) != list(state.services) else no_update,
            list(state.teams) if list(teams or []) != list(state.teams) else no_update,
            no_update,
        ]
        url = to_query(state)
    else:
        state = parse_query(search, options)
        controls = [state.as_at.isoformat(), list(state.services), list(state.teams), state.presentation]
        url = no_update
    root_class = "presentation-mode" if state.presentation else ""
    return [state.to_store(), url, *controls, _notices(state), root_class]


def _nav_state(data, pathname, ids):
    """Navbar links carry the current filters; the current page's link is marked active."""
    query = ""
    if data:
        query = to_query(ViewState.from_store(data))
    hrefs, active = [], []
    for id_ in ids:
        path = id_["id"]["path"]
        hrefs.append(f"{path}{query}")
        here = (pathname or "/").rstrip("/") or "/"
        active.append(here == path or (path != "/" and here.startswith(path + "/")))
    return hrefs, active


_PUSH_URL = """
function(search) {
    if (typeof search !== "string" || !search) { return window.dash_clientside.no_update; }
    if (window.location.search !== search) {
        window.history.pushState({}, "", window.location.pathname + search + window.location.hash);
    }
    return "";
}
"""


def _register_shell_callbacks(app: Dash) -> None:
    app.callback(
        Output(FILTERS_ID, "data"), Output(URL_WRITER, "data"),
        Output("shell-as-at", "date"), Output("shell-services", "value"), Output("shell-teams", "value"),
        Output("shell-presentation", "value"), Output("shell-notices", "children"), Output("shell-root", "className"),
        Input(PAGES_LOCATION, "search"),
        Input("shell-as-at", "date"), Input("shell-services", "value"), Input("shell-teams", "value"),
        Input("shell-presentation", "value"),
    )(_sync_filters)

    def nav(data, pathname):
        return _nav_state(data, pathname, ctx.outputs_list[0])

    app.callback(
        Output({"type": "shell-nav", "path": ALL}, "href"), Output({"type": "shell-nav", "path": ALL}, "active"),
        Input(FILTERS_ID, "data"), Input(PAGES_LOCATION, "pathname"),
    )(nav)

    app.clientside_callback(_PUSH_URL, Output("shell-url-dummy", "children"), Input(URL_WRITER, "data"))

    app.callback(
        Output("shell-nav-collapse", "is_open"), Input("shell-nav-toggle", "n_clicks"),
        State("shell-nav-collapse", "is_open"), prevent_initial_call=True,
    )(lambda n, is_open: not is_open if n else is_open)


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
