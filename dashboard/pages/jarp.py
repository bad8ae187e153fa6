"""JARP queue (``/jarp``): layout and callback only; the content is ``dashboard.sections.jarp``."""

import dash
from dash import Input, Output, callback, html

from dashboard.components import guarded, loading, page_header
from dashboard.context import FILTERS_ID, get_db
from dashboard.sections.jarp import PAGE
from dashboard.views import render_part

dash.register_page(__name__, path=PAGE.path, name=PAGE.name, order=5, title="JARP queue - CSC Insight")


def layout(**_query):
    return html.Div(
        [
            page_header(PAGE.name, PAGE.intro(get_db().standards)),
            loading(html.Div(id="jarp-body"), "jarp-loading"),
        ]
    )


@callback(Output("jarp-body", "children"), Input(FILTERS_ID, "data"))
@guarded()
def render(data):
    """The whole page body for the current filters (an error replaces it, nothing stale stays)."""
    return render_part(PAGE.key, "body", data)
