"""Transfers (``/transfers``): layout and callback only; the content is ``dashboard.sections.transfers``."""

import dash
from dash import Input, Output, callback, html

from dashboard.components import guarded, loading, page_header
from dashboard.context import FILTERS_ID, get_db
from dashboard.sections.transfers import PAGE
from dashboard.views import render_part

dash.register_page(__name__, path=PAGE.path, name=PAGE.name, order=4, title="Transfers - CSC Insight")


def layout(**_query):
    return html.Div(
        [
            page_header(PAGE.name, PAGE.intro(get_db().standards)),
            loading(html.Div(id="transfers-body", className="transfers-body"), "transfers-loading"),
        ]
    )


@callback(Output("transfers-body", "children"), Input(FILTERS_ID, "data"))
@guarded()
def render(data):
    """The whole page body for the current filters (an error replaces it, nothing stale stays)."""
    return render_part(PAGE.key, "body", data)
