"""CIN pilot (``/cin-pilot``): layout and callbacks only; the content is ``dashboard.sections.cin_pilot``.

Two callbacks, one per part: ``cin-pilot-body`` (design, the director's table with the method text
folded under "How this is worked out", the full statistics folded, DiD panels, trend, closure
routes) and ``cin-pilot-workload`` (outcomes by the worker's caseload). The pilot selector shows
when the standards file defines more than one pilot, and ``?pilot=<name>`` bookmarks one.
"""

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from dashboard.components import guarded, loading, page_header
from dashboard.context import FILTERS_ID, get_db
from dashboard.figures.cin_pilot import workload_choices
from dashboard.sections.cin_pilot import (
    DEFAULT_OUTCOME,
    PAGE,
    WORKLOAD_LEDE,
    WORKLOAD_TITLE,
    chosen,
    methods_note,
    pilot_names,
)
from dashboard.views import render_part

dash.register_page(__name__, path=PAGE.path, name=PAGE.name, order=3, title="CIN pilot - CSC Insight")

__all__ = ["layout", "render", "render_workload", "methods_note"]


def layout(pilot=None, **_query):
    db = get_db()
    names = pilot_names(db)
    selector = html.Div(
        [
            dbc.Label("Pilot", html_for="cin-pilot-select", className="small mb-0"),
            dcc.Dropdown(
                id="cin-pilot-select",
                options=[{"label": n, "value": n} for n in names],
                value=chosen(db, pilot),
                clearable=False,
                style={"minWidth": "320px"},
            ),
        ],
        id="cin-pilot-selector",
        className="mb-3",
        hidden=len(names) < 2,
    )
    return html.Div(
        [
            page_header(PAGE.name, PAGE.intro(get_db().standards)),
            selector,
            loading(html.Div(id="cin-pilot-body"), "cin-pilot-body-loading"),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H2(WORKLOAD_TITLE, className="h5"),
                        html.P(WORKLOAD_LEDE, className="small text-muted"),
                        dbc.Label("Outcome", html_for="cin-pilot-outcome", className="me-2 small"),
                        dbc.RadioItems(
                            id="cin-pilot-outcome",
                            value=DEFAULT_OUTCOME,
                            inline=True,
                            className="mb-2",
                            options=[
                                {"label": label, "value": key} for key, label in workload_choices(db.standards).items()
                            ],
                        ),
                        loading(html.Div(id="cin-pilot-workload"), "cin-pilot-workload-loading"),
                    ]
                ),
                className="mb-3",
                id="cin-pilot-workload-section",
            ),
        ]
    )


@callback(Output("cin-pilot-body", "children"), Input(FILTERS_ID, "data"), Input("cin-pilot-select", "value"))
@guarded()
def render(data, pilot):
    """Design, scorecard, DiD panels, trend and closure routes for the chosen pilot."""
    return render_part(PAGE.key, "body", data, {"pilot": pilot})


@callback(
    Output("cin-pilot-workload", "children"),
    Input(FILTERS_ID, "data"),
    Input("cin-pilot-select", "value"),
    Input("cin-pilot-outcome", "value"),
)
@guarded()
def render_workload(data, pilot, outcome):
    """Outcome by the holding worker's caseload band, pilot vs comparison."""
    return render_part(PAGE.key, "workload", data, {"pilot": pilot, "outcome": outcome})
