"""Plan durations (``/plans``): layout, the split and flag controls, callbacks; content: ``dashboard.sections.plans``.

The controls start as the address sets them (``?split=cin_team&flag=cin_review_overdue``, validated by
``PAGE.from_query``), so an Overview tile's link opens the drift list already filtered.
"""

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from dashboard.components import guarded, loading, page_header
from dashboard.context import FILTERS_ID, get_db
from dashboard.sections.plans import KM_SPLITS, PAGE, flag_options
from dashboard.tiles import DRIFT_LIST
from dashboard.views import render_part

dash.register_page(__name__, path=PAGE.path, name=PAGE.name, order=2, title="Plan durations - CSC Insight")


def layout(**query):
    db = get_db()
    controls = PAGE.from_query(query, db)
    return html.Div(
        [
            page_header(PAGE.name, PAGE.intro(db.standards)),
            loading(html.Div(id="plans-body"), "plans-body-loading"),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H2("How long plans stay open", className="h5"),
                        dbc.Label("Compare", html_for="plans-km-split", className="me-2 small"),
                        dbc.RadioItems(
                            id="plans-km-split",
                            value=controls["split"],
                            inline=True,
                            className="mb-2",
                            options=[{"label": label, "value": key} for key, (label, _, _) in KM_SPLITS.items()],
                        ),
                        loading(html.Div(id="plans-km"), "plans-km-loading"),
                    ]
                ),
                className="mb-3",
                id="plans-km-section",
            ),
            loading(html.Div(id="plans-drift"), "plans-drift-loading"),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H2("Drift list", className="h5"),
                        dbc.Label("Show", html_for="plans-drift-flag", className="small mb-0"),
                        dbc.Select(
                            id="plans-drift-flag",
                            value=controls["flag"],
                            options=flag_options(db.standards),
                            className="mb-2 plans-drift-flag",
                            style={"maxWidth": "28rem"},
                        ),
                        loading(html.Div(id="plans-drift-list-body"), "plans-drift-list-loading"),
                    ]
                ),
                className="mb-3",
                id=DRIFT_LIST,
            ),
        ]
    )


@callback(Output("plans-body", "children"), Input(FILTERS_ID, "data"))
@guarded()
def render(data):
    """Excluded-row notice, headline tiles and the duration bands."""
    return render_part(PAGE.key, "body", data)


@callback(Output("plans-km", "children"), Input(FILTERS_ID, "data"), Input("plans-km-split", "value"))
@guarded()
def render_km(data, split):
    """Kaplan-Meier curves for the chosen split."""
    return render_part(PAGE.key, "km", data, {"split": split})


@callback(Output("plans-drift", "children"), Input(FILTERS_ID, "data"))
@guarded()
def render_drift(data):
    """Drift by team and the monthly trend."""
    return render_part(PAGE.key, "drift", data)


@callback(Output("plans-drift-list-body", "children"), Input(FILTERS_ID, "data"), Input("plans-drift-flag", "value"))
@guarded()
def render_drift_list(data, flag):
    """The drift list for the chosen flag (its CSV is the same filtered list)."""
    return render_part(PAGE.key, "drift_list", data, {"flag": flag})
