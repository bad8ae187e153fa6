"""Glossary (``/glossary``): layout only; the content is ``dashboard.plain_words.glossary_view``.

A term link (``/glossary#glossary-cin``) navigates inside the app, where the browser does not scroll
to the fragment by itself: the clientside callback scrolls to the entry once the page is drawn.
"""

import dash
from dash import Input, Output, html

from dashboard.components import page_header
from dashboard.context import get_db
from dashboard.plain_words import GLOSSARY_PATH, glossary_view
from dashboard.shell import PAGES_LOCATION

dash.register_page(__name__, path=GLOSSARY_PATH, name="Glossary", secondary=True, title="Glossary - CSC Insight")

LEDE = (
    "The words and abbreviations the pages use, in plain English, with the practice document each comes from "
    "where there is one. Numbers are the standards in force."
)


def layout(**_query):
    return html.Div(
        [
            page_header("Glossary", LEDE, link=False),
            html.Div(id="glossary-scrolled", hidden=True),
            glossary_view(get_db().standards),
        ],
        id="glossary-page",
    )


dash.clientside_callback(
    """
    function(hash) {
        var id = (typeof hash === "string" && hash.length > 1) ? decodeURIComponent(hash.slice(1)) : "";
        var el = id ? document.getElementById(id) : null;
        document.querySelectorAll(".glossary-target").forEach(function(e) { e.classList.remove("glossary-target"); });
        if (el) { el.classList.add("glossary-target"); el.scrollIntoView({block: "start"}); }
        return id;
    }
    """,
    Output("glossary-scrolled", "children"),
    Input(PAGES_LOCATION, "hash"),
)
