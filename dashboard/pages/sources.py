"""Sources (``/sources``): layout only; the content is ``dashboard.plain_words.sources_view``."""

import dash
from dash import html

from dashboard.components import page_header
from dashboard.context import get_db
from dashboard.plain_words import SOURCES_PATH, sources_view

dash.register_page(__name__, path=SOURCES_PATH, name="Sources", secondary=True, title="Sources - CSC Insight")

LEDE = (
    "The practice documents the standards come from, and the standards taken from each with the value in "
    "force. Charts and tiles cite these documents by title."
)


def layout(**_query):
    return html.Div([page_header("Sources", LEDE, link=False), sources_view(get_db().standards)], id="sources-page")
