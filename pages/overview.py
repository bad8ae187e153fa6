"""Overview (``/``): the headline tiles a head of service opens at the weekly performance review.

Thin by design: one callback reads the global filters and asks ``dashboard.tiles.overview_tiles``
(through the query cache, so the tiles and the pages share one definition and one query of each
figure) and draws each tile as a card: value, standard, RAG colour *and* word, change since 7
days before with an arrow and a word, and a link to its page that keeps the filters. A failing
query replaces the grid with a message.
"""
import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from dashboard.components import csv_button, guarded, loading, page_header
from dashboard.context import FILTERS_ID, fetch, get_db, view_state
from dashboard.rag import load_thresholds
from dashboard.theme import RAG
from dashboard.tiles import Tile, overview_tiles, tiles_frame
from dashboard.url_state import to_query

dash.register_page(__name__, path="/", name="Overview", order=0, title="Overview - CSC Insight")

PAGE_NAMES = {"/caseloads": "Caseloads", "/plans": "Plan durations", "/cin-pilot": "CIN pilot",
              "/transfers": "Transfers", "/jarp": "JARP queue"}


def layout(**_query):
    """The tile grid (filled by :func:`render`) and a query-free list of every page, which stays usable
    when the database is down (the shell keeps the filters in these links' query strings)."""
    from dashboard.app import nav_pages

    others = [p for p in nav_pages() if p["path"] != "/"]
    return html.Div([
        page_header("Overview", "Headline figures for the as-at date against the practice standards, each with its "
                                "red/amber/green rating and the change since 7 days before. Open a tile's page for "
                                "the detail."),
        loading(html.Div(id="overview-body"), "overview-loading"),
        html.Nav([html.H2("All pages", className="h6"),
                  html.Ul([html.Li(dcc.Link(p["name"], href=p["relative_path"])) for p in others],
                          id="overview-links", className="small")], **{"aria-label": "All pages"}),
    ])


def _tile_card(tile: Tile, query: str):
    tid = f"overview-{tile.key.replace('_', '-')}"
    colour = RAG[tile.rag]["colour"] if tile.rag in RAG else "#adb5bd"
    page = PAGE_NAMES.get(tile.href, "the page")
    return dbc.Card(dbc.CardBody([
        html.H2(tile.label, className="tile-label h6 mb-1"),
        html.Div([
            html.Span(tile.display, id=f"{tid}-value", className="tile-value me-2"),
            html.Span(tile.rag_label, id=f"{tid}-rag", className=f"rag rag-{tile.rag or 'none'}",
                      style={"borderColor": colour}, title=tile.rule or None),
        ], className="d-flex flex-wrap align-items-center"),
        html.P(tile.change_text, id=f"{tid}-change", className="tile-change small mb-1"),
        html.P(tile.standard, className="tile-standard small text-muted mb-1"),
        html.P(tile.rule, className="tile-rule small text-muted mb-1") if tile.rule else None,
        html.P(tile.detail, className="tile-detail small mb-2") if tile.detail else None,
        dcc.Link(f"Open {page} →", href=f"{tile.href}{query}", id=f"{tid}-link", className="small tile-link"),
    ]), id=tid, className="stat-tile overview-tile h-100",
        style={"borderLeft": f"0.4rem solid {colour}"})


@callback(Output("overview-body", "children"), Input(FILTERS_ID, "data"))
@guarded()
def render(data):
    """Every headline tile for the current filters, as a responsive grid."""
    state = view_state(data)
    db = get_db()
    tiles = overview_tiles(db, state.filters, presentation=state.presentation, fetch=fetch,
                           thresholds=load_thresholds(db.standards))
    query = to_query(state)
    note = (f"Figures as at {state.as_at:%d %B %Y}; changes compare with 7 days before. Ratings: the bound itself "
            "counts as the better colour (see each tile's rule).")
    if state.presentation:
        note += f" Counts under {db.standards.suppress_below} are shown as <{db.standards.suppress_below}."
    return html.Div([
        html.P(note, className="small text-muted", id="overview-note"),
        dbc.Row([dbc.Col(_tile_card(t, query), xs=12, md=6, xl=4, className="mb-3") for t in tiles],
                className="g-3", id="overview-grid"),
        csv_button("overview-tiles", tiles_frame(tiles), "overview-tiles", label="Download tiles (CSV)"),
    ])
