"""Overview (``/``): a placeholder listing the pages until the headline tiles land (another issue)."""
import dash
from dash import dcc, html

from dashboard.components import page_header

dash.register_page(__name__, path="/", name="Overview", order=0, title="Overview - CSC Insight")


def layout(**_query):
    """Links to every other page; the shell keeps the filters in the links' query strings."""
    from dashboard.app import nav_pages

    others = [p for p in nav_pages() if p["path"] != "/"]
    return html.Div([
        page_header("Overview", "Children's social care performance against practice standards."),
        html.Ul([html.Li(dcc.Link(p["name"], href=p["relative_path"])) for p in others], id="overview-links"),
    ])
