"""Transfers (``/transfers``): layout, the pending-list control, callbacks; content: ``dashboard.sections.transfers``.

The pending list's control starts as the address sets it (``?pending=late``, validated by
``PAGE.from_query``), so the Overview's "pending transfers already late" tile opens it filtered.
"""

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from dashboard.components import guarded, loading, page_header
from dashboard.context import FILTERS_ID, get_db
from dashboard.sections.transfers import PAGE, PENDING_CHOICES
from dashboard.views import render_part

dash.register_page(__name__, path=PAGE.path, name=PAGE.name, order=4, title="Transfers - CSC Insight")


def layout(**query):
    db = get_db()
    controls = PAGE.from_query(query, db)
    return html.Div(
        [
            page_header(PAGE.name, PAGE.intro(db.standards)),
            loading(html.Div(id="transfers-body", className="transfers-body"), "transfers-loading"),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H2("Pending transfers", className="h5"),
                        dbc.RadioItems(
                            id="transfers-pending-filter",
                            value=controls["pending"],
                            inline=True,
                            className="mb-2 small",
                            options=[{"label": label, "value": key} for key, label in PENDING_CHOICES.items()],
                        ),
                        loading(html.Div(id="transfers-pending"), "transfers-pending-loading"),
                    ]
                ),
                className="mb-3",
                id="transfers-pending-card",
            ),
        ]
    )


@callback(Output("transfers-body", "children"), Input(FILTERS_ID, "data"))
@guarded()
def render(data):
    """The whole page body for the current filters (an error replaces it, nothing stale stays)."""
    return render_part(PAGE.key, "body", data)


@callback(
    Output("transfers-pending", "children"), Input(FILTERS_ID, "data"), Input("transfers-pending-filter", "value")
)
@guarded()
def render_pending(data, pending):
    """The pending list, all or the late ones only (its CSV is the same list)."""
    return render_part(PAGE.key, "pending", data, {"pending": pending})
