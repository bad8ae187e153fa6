"""Caseloads (``/caseloads``): layout and callbacks only; the content is ``dashboard.sections.caseloads``."""

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from dashboard.components import guarded, loading, page_header
from dashboard.context import FILTERS_ID, get_db
from dashboard.sections.caseloads import PAGE, WORKER_FILTERS
from dashboard.views import render_part

dash.register_page(__name__, path=PAGE.path, name=PAGE.name, order=1, title="Caseloads - CSC Insight")


def layout(**query):
    """``?workers=over`` opens the worker table filtered to those over target (validated: anything else is ``all``)."""
    workers = PAGE.validate_controls({"workers": query.get("workers")})["workers"]
    return html.Div(
        [
            page_header(PAGE.name, PAGE.intro(get_db().standards)),
            loading(html.Div(id="caseloads-body", className="caseloads-body"), "caseloads-loading"),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H2("Workers and their caseloads", className="h5"),
                        dbc.Label("Show", html_for="caseloads-workers-filter", className="me-2 small"),
                        dbc.RadioItems(
                            id="caseloads-workers-filter",
                            value=workers,
                            inline=True,
                            className="mb-2",
                            options=[{"label": label, "value": key} for key, label in WORKER_FILTERS.items()],
                        ),
                        loading(html.Div(id="caseloads-workers-body"), "caseloads-workers-loading"),
                    ]
                ),
                className="mb-3",
                id="caseloads-workers",
            ),
        ]
    )


@callback(Output("caseloads-body", "children"), Input(FILTERS_ID, "data"))
@guarded()
def render(data):
    """The whole page body for the current filters (an error replaces it, nothing stale stays)."""
    return render_part(PAGE.key, "body", data)


@callback(
    Output("caseloads-workers-body", "children"), Input(FILTERS_ID, "data"), Input("caseloads-workers-filter", "value")
)
@guarded()
def render_workers(data, workers):
    """The worker table: every worker in post, or only those over target."""
    return render_part(PAGE.key, "workers", data, {"workers": workers})
