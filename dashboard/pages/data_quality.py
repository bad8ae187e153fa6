"""Data quality (``/data-quality``): layout and callback only; the content is ``dashboard.sections.data_quality``.

Reached from every page's data-quality note, not from the navbar (``nav=False``)."""

import dash
from dash import Input, Output, callback, html

from dashboard.components import guarded, loading, page_header
from dashboard.context import FILTERS_ID
from dashboard.sections.data_quality import PAGE
from dashboard.views import render_part

dash.register_page(__name__, path=PAGE.path, name=PAGE.name, order=90, title="Data quality - CSC Insight", nav=False)


def layout(**_query):
    return html.Div(
        [
            page_header(PAGE.name, PAGE.lede),
            loading(html.Div(id="data-quality-body"), "data-quality-loading"),
        ]
    )


@callback(Output("data-quality-body", "children"), Input(FILTERS_ID, "data"))
@guarded()
def render(data):
    """The bad-row counts for the current filters."""
    return render_part(PAGE.key, "body", data)
