"""The shell around every page: navbar, global filters in the URL, demo banner, page area, footer.

The shell owns the global filters. One callback (:func:`_sync_filters`) is the only writer of
the filters store ``shell-filters``:

* on navigation (the URL's query string changes) it parses and validates the URL, sets the
  controls and the store, and shows notices for anything it had to drop;
* when a control changes it validates the controls, sets the store and pushes the new query
  string into the browser history (without reloading the page), so the view is bookmarkable.

Every link of the shell keeps the current query (filters and presentation mode): the navbar
entries, the brand logo, and any ``dcc.Link`` a page gives the id ``{"type": "shell-link",
"path": ...}``. With ``CSC_PRESENTATION_ONLY=1`` presentation mode is on for everyone and its switch
is disabled (the server enforces it again when it computes a view: ``dashboard.views``).

Pages only read the store (``Input(FILTERS_ID, "data")``); see ``docs/ARCHITECTURE.md``.
"""

from __future__ import annotations

import json
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, NoUpdate, Output, State, ctx, dcc, html, no_update

from data_layer import describe_source

from . import payloads
from .auth import auth_mode, current_user
from .components import error_alert
from .context import FILTERS_ID, SHELL_LINK, get_db, get_settings
from .filters import filter_options
from .pack.button import pack_controls
from .settings import Settings
from .url_state import SHELL_KEYS, FilterOptions, ViewState, parse_query, to_query, validate

PAGES_LOCATION = "_pages_location"  # the dcc.Location inside dash.page_container
URL_WRITER = "shell-url-search"
CONTROL_IDS = ("shell-as-at", "shell-services", "shell-teams", "shell-presentation")
#: How tall an open services or teams list may grow: Dash's 200 px showed three teams at a time; this
#: shows about a dozen (an authority's usual number) before the list scrolls.
LIST_MAX_HEIGHT_PX = 480


def nav_pages(secondary: bool = False, *, linked_only: bool = True) -> list[dict]:
    """Registered pages in navbar order (``order`` then name).

    ``secondary``: the reference pages (glossary, sources: ``register_page(..., secondary=True)``),
    drawn apart at the navbar's end. ``linked_only=False`` adds the pages registered with
    ``nav=False`` (reached from a link on a page, such as the data-quality page)."""
    pages = [
        p
        for p in dash.page_registry.values()
        if not p.get("module", "").endswith("not_found_404")
        and bool(p.get("secondary")) == secondary
        and (p.get("nav", True) or not linked_only)
    ]
    return sorted(pages, key=lambda p: (p.get("order") if p.get("order") is not None else 10_000, p["name"]))


# --------------------------------------------------------------------------- layout


def _user_badge():
    """The signed-in user's name and role in the navbar (the role says what they will see)."""
    user = current_user()
    if user is None:
        return None
    text = "Sign-in off (analyst)" if auth_mode() == "none" else f"{user.name} ({user.role})"
    logout = auth_mode() == "oidc"
    return html.Span(
        [text, html.A("Sign out", href="/auth/logout", className="ms-2 link-light") if logout else None],
        className="navbar-text small text-light ms-3",
        id="shell-user",
    )


def _navbar(title: str) -> dbc.Navbar:
    links = [
        dbc.NavItem(dbc.NavLink(p["name"], href=p["relative_path"], id={"type": "shell-nav", "path": p["path"]}))
        for p in nav_pages()
    ]
    reference = [
        dbc.NavItem(
            dbc.NavLink(p["name"], href=p["relative_path"], id={"type": "shell-nav", "path": p["path"]}),
            className="shell-nav-secondary small",
        )
        for p in nav_pages(secondary=True)
    ]
    return dbc.Navbar(
        dbc.Container(
            [
                html.A(
                    html.Span(
                        [
                            html.Img(src=dash.get_asset_url("logo.svg"), height="30", alt="", className="me-2"),
                            dbc.NavbarBrand(title, className="ms-1"),
                        ]
                    ),
                    href="/",
                    className="navbar-brand-link",
                    id="shell-brand",
                ),
                dbc.NavbarToggler(id="shell-nav-toggle", n_clicks=0),
                dbc.Collapse(
                    dbc.Nav([*links, *reference, _user_badge()], navbar=True, className="ms-auto align-items-center"),
                    id="shell-nav-collapse",
                    is_open=False,
                    navbar=True,
                ),
            ],
            fluid=True,
        ),
        color="dark",
        dark=True,
        className="mb-2 shell-navbar",
        id="shell-navbar",
    )


def _filters_bar(options: FilterOptions, forced: bool = False) -> dbc.Row:
    return dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label("As at", html_for="shell-as-at", className="small mb-0"),
                    dcc.DatePickerSingle(
                        id="shell-as-at",
                        # ISO strings: what Dash would send for these dates anyway
                        date=options.latest.isoformat(),
                        min_date_allowed=options.earliest.isoformat() if options.earliest else None,
                        max_date_allowed=options.latest.isoformat(),
                        display_format="D MMM YYYY",
                        first_day_of_week=1,
                        clearable=False,
                    ),
                ],
                width="auto",
            ),
            dbc.Col(
                [
                    dbc.Label("Services", html_for="shell-services", className="small mb-0"),
                    dcc.Dropdown(
                        id="shell-services",
                        options=[{"label": s, "value": s} for s in options.services],
                        value=[],
                        multi=True,
                        placeholder="All services",
                        maxHeight=LIST_MAX_HEIGHT_PX,
                    ),
                ],
                md=3,
            ),
            dbc.Col(
                [
                    dbc.Label("Teams", html_for="shell-teams", className="small mb-0"),
                    dcc.Dropdown(
                        id="shell-teams",
                        options=[{"label": lbl, "value": tid} for tid, lbl in options.teams.items()],
                        value=[],
                        multi=True,
                        placeholder="All teams",
                        maxHeight=LIST_MAX_HEIGHT_PX,
                    ),
                ],
                md=4,
            ),
            dbc.Col(
                dbc.Switch(
                    id="shell-presentation", label="Presentation mode", value=forced, disabled=forced, className="mt-4"
                ),
                width="auto",
            ),
            dbc.Col(pack_controls(), width="auto", className="ms-auto"),
        ],
        className="g-2 align-items-end shell-filters",
        id="shell-filter-bar",
    )


def _auth_banner() -> dbc.Alert | None:
    """Loud whenever nobody signs in: fine for the demo or one's own machine, never for a service."""
    if auth_mode() != "none":
        return None
    return dbc.Alert(
        [
            html.Strong("Sign-in is off: "),
            "everyone who can reach this dashboard sees everything. It only answers the demo data or its own "
            "machine; set CSC_AUTH (oidc or header) before anyone else uses it.",
        ],
        color="danger",
        className="py-1 mb-2 small auth-banner",
        id="shell-auth-banner",
    )


def presentation_forced() -> bool:
    """Presentation mode is not the user's choice: the deployment (a meeting-room screen) or their role (board)."""
    user = current_user()
    return get_settings().presentation_only or bool(user and user.presentation_only)


def _demo_banner(db) -> dbc.Alert | None:
    if not getattr(db, "is_demo", False):
        return None
    return dbc.Alert(
        [
            "Synthetic demo data: ",
            html.Strong("these are not real children or staff."),
            " Set CSC_DATABASE_URL to use your authority's database.",
        ],
        color="info",
        className="py-1 mb-2 small demo-banner",
        id="shell-demo-banner",
    )


def shell_layout(settings: Settings):
    """The frame around every page; built on each page load so filters follow the current data."""
    options, problem = filter_options()
    db = get_db()
    aria_live: dict[str, Any] = {"aria-live": "polite"}
    return html.Div(
        [
            dcc.Store(id=FILTERS_ID),
            dcc.Store(id=URL_WRITER),
            html.Div(id="shell-url-dummy", hidden=True),
            html.A("Skip to content", href="#shell-main", className="visually-hidden-focusable"),
            _navbar(settings.title),
            dbc.Container(
                [
                    _auth_banner(),
                    _demo_banner(db),
                    _filters_bar(options, presentation_forced()),
                    html.Div(
                        error_alert(problem, title="Filters unavailable" if options.dated else "No dated records")
                        if problem
                        else None,
                        id="shell-options-problem",
                    ),
                    html.Div(id="shell-notices", className="mt-2", role="status", **aria_live),
                    html.Main(dash.page_container, id="shell-main", className="mt-2"),
                    html.Footer(_footer(db), className="shell-footer text-muted small mt-4 mb-3"),
                ],
                fluid=True,
            ),
        ],
        id="shell-root",
    )


def _footer(db) -> list:
    """Where the standards come from (and whether a local file overrides them), on every page."""
    try:
        standards = db.standards
        threshold = standards.suppress_below
    except Exception:  # noqa: BLE001 - the footer must never break the shell
        return []
    source = "the five practice documents cited on each chart"
    if standards.source_file:
        source += f", with {len(standards.overridden)} overridden by the standards file"
    return [
        "Standards: ",
        dcc.Link(source, href="/sources", id={"type": SHELL_LINK, "path": "/sources"}),
        f'. Presentation mode shows counts under {threshold} as "<{threshold}". ',
        dcc.Link("Glossary", href="/glossary", id={"type": SHELL_LINK, "path": "/glossary"}),
        ". ",
        html.Span(f"Data: read-only, {_source_text(db)}.", id="shell-source"),
    ]


def _source_text(db) -> str:
    """Which shape the data is read in (the contract or the authority's SSD), for the footer."""
    try:
        return describe_source(db)
    except AttributeError:  # a stand-in database in a test
        return "CSC Insight data contract"


# --------------------------------------------------------------------------- callbacks


def _notices(state: ViewState):
    if not state.notices:
        return None
    return dbc.Alert(
        [
            html.Strong("Some settings in the address were not understood: "),
            html.Ul([html.Li(n) for n in state.notices], className="mb-0"),
        ],
        color="warning",
        dismissable=True,
        className="py-2 small",
        id="shell-notice",
    )


def _sync_filters(search, as_at, services, teams, presentation):
    """URL -> controls and store on navigation; controls -> store and URL on a change.

    Every value is checked by type and size first (:mod:`dashboard.payloads`): a number for the
    query string or a string for the teams list is refused (HTTP 400), never split or parsed.
    """
    search = payloads.text(search, payloads.MAX_SEARCH)
    as_at = payloads.text(as_at, payloads.MAX_DATE)
    services, teams = payloads.text_list(services), payloads.text_list(teams)
    presentation = payloads.flag(presentation)
    options, _ = filter_options()
    root_class = None
    controls: list[Any]
    url: str | NoUpdate
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
    if presentation_forced() and not state.presentation:
        state = ViewState(
            as_at=state.as_at, services=state.services, teams=state.teams, presentation=True, notices=state.notices
        )
        controls[3] = True
    root_class = "presentation-mode" if state.presentation else ""
    return [state.to_store(), url, *controls, _notices(state), root_class]


def _query(data) -> str:
    """The query string of the filters store (``""`` before the shell has filled it)."""
    store = payloads.filters_store(data)
    if store is None:
        return ""
    try:
        return to_query(ViewState.from_store(store))
    except (KeyError, TypeError, ValueError):
        return ""


def _with_query(path: str, query: str) -> str:
    """A link's href with the current query, before its fragment: '/glossary?as_at=...#glossary-cin'."""
    base, hash_, fragment = path.partition("#")
    return f"{base}{query}{hash_}{fragment}"


def _nav_state(data, pathname, ids):
    """Navbar links carry the current filters; the current page's link is marked active."""
    query = _query(data)
    here = (payloads.text(pathname, payloads.MAX_PATH) or "/").rstrip("/") or "/"
    if not isinstance(ids, list) or not all(isinstance(i, dict) for i in ids):
        raise payloads.Refused()
    hrefs, active = [], []
    for path in payloads.pattern_paths([i.get("id") for i in ids]):
        hrefs.append(f"{path}{query}")
        active.append(here == path or (path != "/" and here.startswith(path + "/")))
    return hrefs, active


#: Pushes the shell's new query into the address, keeping the page's own keys (its list filters,
#: ``url_state.SHELL_KEYS`` are the shell's) and the fragment, so a shared address still opens that list.
_PUSH_URL = """
function(search) {
    if (typeof search !== "string" || !search) { return window.dash_clientside.no_update; }
    var shell = SHELL_KEYS;
    var next = new URLSearchParams(search);
    new URLSearchParams(window.location.search).forEach(function (value, key) {
        if (shell.indexOf(key) < 0) { next.append(key, value); }
    });
    var merged = "?" + next.toString();
    if (window.location.search !== merged) {
        window.history.pushState({}, "", window.location.pathname + merged + window.location.hash);
    }
    return "";
}
""".replace("SHELL_KEYS", json.dumps(list(SHELL_KEYS)))


def register_shell_callbacks(app: Dash) -> None:
    """The shell's callbacks on ``app`` (filters <-> URL, navbar links, the navbar toggle)."""
    app.callback(
        Output(FILTERS_ID, "data"),
        Output(URL_WRITER, "data"),
        Output("shell-as-at", "date"),
        Output("shell-services", "value"),
        Output("shell-teams", "value"),
        Output("shell-presentation", "value"),
        Output("shell-notices", "children"),
        Output("shell-root", "className"),
        Input(PAGES_LOCATION, "search"),
        Input("shell-as-at", "date"),
        Input("shell-services", "value"),
        Input("shell-teams", "value"),
        Input("shell-presentation", "value"),
    )(_sync_filters)

    def nav(data, pathname):
        outputs = ctx.outputs_list  # checked by dashboard.http_guard: [hrefs list, active list, brand]
        if len(outputs[0]) != len(outputs[1]):
            raise payloads.Refused()
        hrefs, active = _nav_state(data, pathname, outputs[0])
        return hrefs, active, _query(data) and f"/{_query(data)}" or "/"

    app.callback(
        Output({"type": "shell-nav", "path": ALL}, "href"),
        Output({"type": "shell-nav", "path": ALL}, "active"),
        Output("shell-brand", "href"),
        Input(FILTERS_ID, "data"),
        Input(PAGES_LOCATION, "pathname"),
    )(nav)

    def links(data, ids):
        query = _query(data)
        paths = payloads.pattern_paths(ids)
        if len(paths) != len(ctx.outputs_list):  # one href per link the request names
            raise payloads.Refused()
        return [_with_query(path, query) for path in paths]

    app.callback(
        Output({"type": SHELL_LINK, "path": ALL}, "href"),
        Input(FILTERS_ID, "data"),
        State({"type": SHELL_LINK, "path": ALL}, "id"),
    )(links)

    app.clientside_callback(_PUSH_URL, Output("shell-url-dummy", "children"), Input(URL_WRITER, "data"))

    app.callback(
        Output("shell-nav-collapse", "is_open"),
        Input("shell-nav-toggle", "n_clicks"),
        State("shell-nav-collapse", "is_open"),
        prevent_initial_call=True,
    )(_toggle_nav)


def _toggle_nav(n_clicks, is_open):
    """The navbar's toggler (narrow screens) opens and closes the menu."""
    is_open = payloads.flag(is_open)
    return not is_open if payloads.clicks(n_clicks) else is_open
