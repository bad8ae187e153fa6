"""Shared UI pieces of the shell and the pages: tiles, page headers, spinners and contained errors.

* :func:`stat_tile` - a headline number with an optional RAG word/symbol.
* :func:`error_alert` and :func:`guarded` - show a failed query as a message in the page area
  instead of breaking the page or the shell.

Charts, tables and notes are drawn from section values by :mod:`dashboard.render`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html, no_update
from dash.exceptions import PreventUpdate
from werkzeug.exceptions import HTTPException

from data_layer import DatabaseError

from .plain_words import link_terms

log = logging.getLogger(__name__)


def stat_tile(tile_id: str, label: str, value: str, *, detail: str | None = None, rag: str | None = None):
    """A headline figure. ``rag`` ("red"/"amber"/"green") adds a coloured word and symbol."""
    from dashboard.theme import RAG

    badge = None
    if rag:
        r = RAG[rag]
        badge = html.Span(r["label"], className=f"rag rag-{rag} ms-2", style={"borderColor": r["colour"]})
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(label, className="tile-label"),
                html.Div([html.Span(value, id=f"{tile_id}-value", className="tile-value"), badge]),
                html.Div(detail, className="tile-detail text-muted small") if detail else None,
            ]
        ),
        className="stat-tile mb-3",
        id=tile_id,
    )


def error_alert(message: str | Exception, *, title: str = "This page could not be loaded") -> dbc.Alert:
    """The message shown in the page area when a query fails; the rest of the app keeps working."""
    text = str(message) if str(message) else type(message).__name__
    return dbc.Alert(
        [
            html.H2(title, className="h5 alert-heading"),
            html.P(text, className="mb-1"),
            html.P("Other pages and filters still work. Try again later or ask the data team.", className="small mb-0"),
        ],
        color="danger",
        className="page-error",
    )


GENERIC_ERROR = "An unexpected error happened while preparing this view."


def guarded(n_outputs: int = 1, error_index: int = 0) -> Callable:
    """Decorator for page callbacks: a failure becomes an :func:`error_alert` in one output.

    A successful output is cached per inputs (:func:`dashboard.cache.cached_render`), so page
    callbacks must be pure functions of their inputs (filters, controls).

    ``DatabaseError`` messages are safe to show (the data layer strips parameters); anything else
    shows a generic message and logs only the exception type (no data values in logs). The other
    outputs get ``no_update``. Put it *under* ``@callback``::

        @callback(Output("plans-body", "children"), Input(FILTERS_ID, "data"))
        @guarded()
        def render(data): ...
    """
    from dashboard.cache import cached_render

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return cached_render(fn, *args, **kwargs)
            except (PreventUpdate, HTTPException):  # nothing to do (204), or a refused payload (400)
                raise
            except DatabaseError as exc:
                alert = error_alert(exc)
            except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
                log.error("callback %s failed: %s", fn.__qualname__, type(exc).__name__)
                alert = error_alert(GENERIC_ERROR)
            if n_outputs == 1:
                return alert
            out = [no_update] * n_outputs
            out[error_index] = alert
            return out

        return wrapper

    return decorate


def loading(children, component_id: str | None = None):
    """A spinner around content that callbacks fill (keeps the layout from jumping)."""
    kw: dict[str, Any] = {"id": component_id} if component_id else {}
    return dcc.Loading(children, type="default", delay_show=300, **kw)


def page_header(title: str, lede: str | None = None, *, link: bool = True):
    """The page's title and lede; ``link``: glossary terms in the lede link to the glossary on first use."""
    text = (link_terms(lede) if link else lede) if lede else None
    return html.Div(
        [html.H1(title, className="h3 mb-1"), html.P(text, className="text-muted mb-3 page-lede") if lede else None],
        className="page-header",
    )
