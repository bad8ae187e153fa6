"""Overview (``/``): the headline tiles a head of service opens at the weekly performance review.

Layout and one callback only: the content (tiles, note, the tiles' CSV) is
``dashboard.sections.overview`` (part ``body``), rendered by ``dashboard.render``. A failing query
replaces the tiles with a message; the list of every page below stays usable.
"""

from typing import Any

import dash
from dash import Input, Output, callback, dcc, html

from dashboard.components import guarded, loading, page_header
from dashboard.context import FILTERS_ID, get_db
from dashboard.sections.overview import PAGE
from dashboard.shell import SHELL_LINK, nav_pages
from dashboard.views import render_part

dash.register_page(__name__, path=PAGE.path, name=PAGE.name, order=0, title="Overview - CSC Insight")


def layout(**_query):
    """The tiles (filled by :func:`render`) and a list of every page, which stays usable when the database
    is down; the shell keeps the current filters and presentation mode in these links (``SHELL_LINK``)."""
    others = [p for p in nav_pages() if p["path"] != "/"]
    nav_label: dict[str, Any] = {"aria-label": "All pages"}
    return html.Div(
        [
            page_header(PAGE.name, PAGE.intro(get_db().standards)),
            loading(html.Div(id="overview-body"), "overview-loading"),
            html.Nav(
                [
                    html.H2("All pages", className="h6"),
                    html.Ul(
                        [
                            html.Li(
                                dcc.Link(p["name"], href=p["relative_path"], id={"type": SHELL_LINK, "path": p["path"]})
                            )
                            for p in others
                        ],
                        id="overview-links",
                        className="small",
                    ),
                ],
                **nav_label,
            ),
        ]
    )


@callback(Output("overview-body", "children"), Input(FILTERS_ID, "data"))
@guarded()
def render(data):
    return render_part(PAGE.key, "body", data)
