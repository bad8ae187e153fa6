"""What Dash draws for an unknown address reached inside the app (a stale in-app link): the links back.

A browser asking the server for an unknown address gets HTTP 404 from :mod:`dashboard.not_found`
before Dash runs; this module (Dash's ``not_found_404`` convention) covers navigation that never
reaches the server. It is left out of the navbar (``dashboard.shell.nav_pages``).
"""

import dash
from dash import dcc, html

from dashboard.shell import SHELL_LINK, nav_pages

dash.register_page(__name__, path="/404", name="Page not found", title="Page not found - CSC Insight")


def layout(**_query):
    return html.Div(
        [
            html.H1("Page not found", className="h3"),
            html.P("There is no page at this address. The dashboard's pages are:"),
            html.Ul(
                [
                    html.Li(dcc.Link(p["name"], href=p["relative_path"], id={"type": SHELL_LINK, "path": p["path"]}))
                    for p in nav_pages()
                ],
                id="not-found-links",
            ),
        ],
        id="not-found",
    )
