"""Plan durations (``/plans``): layout, the split control and callbacks; the content is ``dashboard.sections.plans``."""

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from dashboard.components import guarded, loading, page_header
from dashboard.context import FILTERS_ID, get_db
from dashboard.sections.plans import KM_SPLITS, PAGE
from dashboard.views import render_part

dash.register_page(__name__, path=PAGE.path, name=PAGE.name, order=2, title="Plan durations - CSC Insight")


def layout(**_query):
    default, _ = PAGE.controls["split"]
    return html.Div(
        [
            page_header(PAGE.name, PAGE.intro(get_db().standards)),
            loading(html.Div(id="plans-body"), "plans-body-loading"),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H2("How long plans stay open", className="h5"),
                        dbc.Label("Compare", html_for="plans-km-split", className="me-2 small"),
                        dbc.RadioItems(
                            id="plans-km-split",
                            value=default,
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
    """Drift by team, the monthly trend and the drift list."""
    return render_part(PAGE.key, "drift", data)
