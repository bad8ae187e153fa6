"""Shared UI pieces every page uses, so charts, tables and errors look and behave the same.

* :func:`chart_card` - a chart with its accessible name (``role="img"`` + ``aria-label``) and a
  "Download CSV" button that downloads exactly the DataFrame the chart was drawn from.
* :func:`child_table` - a sortable dash-ag-grid for child-level rows; in presentation mode it is
  replaced by a short note (child-level detail is for managers only).
* :func:`stat_tile` - a headline number with an optional RAG word/symbol.
* :func:`error_alert` and :func:`guarded` - show a failed query as a message in the page area
  instead of breaking the page or the shell.

The CSV download works through one pattern-matching callback that ``create_app`` registers
(:func:`register_csv_download`): every card carries its data in a ``dcc.Store``, the button sends it.
"""
from __future__ import annotations

import functools
import logging
from typing import Callable, Sequence

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import MATCH, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from data_layer import DatabaseError

log = logging.getLogger(__name__)

CSV_BUTTON, CSV_STORE, CSV_DOWNLOAD = "csv-button", "csv-data", "csv-download"
PRESENTATION_HIDDEN = "Child-level detail is hidden in presentation mode."


def csv_payload(df: pd.DataFrame, filename: str) -> dict:
    """What a chart card stores for its download: the CSV text and the file name."""
    name = filename if filename.endswith(".csv") else f"{filename}.csv"
    return {"filename": name, "csv": df.to_csv(index=False)}


def csv_download(n_clicks, payload: dict | None) -> dict:
    """The ``dcc.Download`` data for a click on a card's CSV button (pure, for tests)."""
    if not n_clicks or not payload:
        raise PreventUpdate
    return {"content": payload["csv"], "filename": payload["filename"], "type": "text/csv", "base64": False}


def register_csv_download(app) -> None:
    """One MATCH callback serving every chart card's CSV button (registered by ``create_app``)."""
    app.callback(
        Output({"type": CSV_DOWNLOAD, "chart": MATCH}, "data"),
        Input({"type": CSV_BUTTON, "chart": MATCH}, "n_clicks"),
        State({"type": CSV_STORE, "chart": MATCH}, "data"),
        prevent_initial_call=True,
    )(csv_download)


def csv_button(chart_id: str, df: pd.DataFrame, filename: str | None = None, label: str = "Download CSV"):
    """A download button with its store and ``dcc.Download`` (ids keyed on ``chart_id``)."""
    return html.Div([
        dbc.Button(label, id={"type": CSV_BUTTON, "chart": chart_id}, size="sm", color="secondary",
                   outline=True, className="csv-button", n_clicks=0),
        dcc.Store(id={"type": CSV_STORE, "chart": chart_id}, data=csv_payload(df, filename or chart_id)),
        dcc.Download(id={"type": CSV_DOWNLOAD, "chart": chart_id}),
    ], className="d-flex justify-content-end")


def chart_card(chart_id: str, figure: go.Figure, data: pd.DataFrame, summary: str, *,
               note: str | None = None, filename: str | None = None, graph_config: dict | None = None):
    """A chart with its accessible summary, an optional note and the CSV of ``data``.

    ``chart_id`` must be unique in the app (prefix it with the page name: ``"caseloads-workers"``);
    the graph gets id ``f"{chart_id}-graph"``. ``summary`` is the ``aria-label`` of the
    ``role="img"`` wrapper (build it with ``figures.common.aria_summary``). The title lives in the
    figure (so image exports carry it) and again as a visually hidden heading for screen readers.
    """
    title = (figure.layout.title.text or "") if figure.layout.title else ""
    config = {"displaylogo": False, "responsive": True, **(graph_config or {})}
    return dbc.Card(dbc.CardBody([
        html.H2(title, className="visually-hidden"),
        html.Div(dcc.Graph(id=f"{chart_id}-graph", figure=figure, config=config),
                 role="img", **{"aria-label": summary}, id=f"{chart_id}-figure", className="chart-figure"),
        html.P(note, className="chart-note text-muted small mb-1") if note else None,
        csv_button(chart_id, data, filename),
    ]), className="chart-card mb-3", id=f"{chart_id}-card")


def _max_table_rows() -> int:
    """The app's ``CSC_MAX_TABLE_ROWS``; the default outside an app (tests, the exporter's own use)."""
    from flask import has_app_context

    from dashboard.context import get_settings
    from dashboard.settings import Settings

    return get_settings().max_table_rows if has_app_context() else Settings().max_table_rows


def child_table(table_id: str, df: pd.DataFrame, columns: Sequence[dict], *, presentation: bool,
                title: str | None = None, page_size: int = 20, filename: str | None = None,
                max_rows: int | None = None):
    """A sortable, filterable grid of child-level rows, or a note in presentation mode.

    ``columns`` are AG Grid column definitions (``{"field": "days_unallocated", "headerName":
    "Days unallocated", "type": "numericColumn"}``); ``df`` holds at least those fields, most
    urgent first. The grid id is ``table_id``; its CSV button downloads the same rows. Only the
    first ``max_rows`` (setting ``CSC_MAX_TABLE_ROWS``) are sent, with a note saying how many
    there are: a region's list of thousands is megabytes in the browser, and a team manager
    works from their team's list.
    """
    if presentation:
        return html.P(PRESENTATION_HIDDEN, id=f"{table_id}-hidden", className="text-muted fst-italic")
    limit = max_rows or _max_table_rows()
    note = None
    if len(df) > limit:
        note = html.P(f"Showing the first {limit:,} of {len(df):,} rows, most urgent first (here and in the "
                      "CSV). Choose a team to see its whole list.", className="small text-muted mb-1",
                      id=f"{table_id}-capped")
        df = df.head(limit)
    grid = dag.AgGrid(
        id=table_id,
        rowData=df.to_dict("records"),
        columnDefs=list(columns),
        defaultColDef={"sortable": True, "filter": True, "resizable": True, "flex": 1, "minWidth": 110},
        dashGridOptions={"pagination": True, "paginationPageSize": page_size,
                         "paginationPageSizeSelector": False, "domLayout": "autoHeight",
                         "enableCellTextSelection": True},
        style={"width": "100%"},
    )
    return html.Div([
        html.H3(title, className="h6 mt-2") if title else None,
        note,
        grid,
        csv_button(table_id, df[[c["field"] for c in columns if "field" in c]], filename or table_id),
    ], className="child-table", id=f"{table_id}-wrapper")


def stat_tile(tile_id: str, label: str, value: str, *, detail: str | None = None, rag: str | None = None):
    """A headline figure. ``rag`` ("red"/"amber"/"green") adds a coloured word and symbol."""
    from dashboard.theme import RAG

    badge = None
    if rag:
        r = RAG[rag]
        badge = html.Span(r["label"], className=f"rag rag-{rag} ms-2", style={"borderColor": r["colour"]})
    return dbc.Card(dbc.CardBody([
        html.Div(label, className="tile-label"),
        html.Div([html.Span(value, id=f"{tile_id}-value", className="tile-value"), badge]),
        html.Div(detail, className="tile-detail text-muted small") if detail else None,
    ]), className="stat-tile mb-3", id=tile_id)


def data_quality_note(note_id: str, dq: pd.DataFrame, tables: Sequence[str], *, presentation: bool = False,
                      threshold: int = 5):
    """A collapsed "rows left out" panel: bad rows of the tables a page reads, never dropped silently.

    ``dq`` is ``data_layer.data_quality`` (one row per table x check x column with a non-zero count);
    only ``tables`` are listed. Counts under ``threshold`` show as "<N" in presentation mode.
    """
    from dashboard.figures.common import suppress
    from data_layer.checks import CHECK_TITLES

    part = dq[dq["table"].isin(list(tables))] if not dq.empty else dq
    total = int(part["rows"].sum()) if not part.empty else 0
    if not total:
        return html.P("Data quality: no bad rows in the tables these figures read.",
                      className="small text-muted", id=note_id)
    count = (lambda n: suppress(n, threshold)) if presentation else (lambda n: f"{n:,}")
    rows = [html.Tr([html.Td(f"{r.table}.{r.column}"), html.Td(CHECK_TITLES.get(r.check, r.check)),
                     html.Td(r.detail if r.check == "unknown_code" else ""), html.Td(count(int(r.rows)))])
            for r in part.itertuples()]
    table = dbc.Table([html.Thead(html.Tr([html.Th("Column"), html.Th("Problem"), html.Th("Value"), html.Th("Rows")])),
                       html.Tbody(rows)], size="sm", className="small mb-0")
    return html.Details([
        html.Summary(f"Data quality: {count(total)} bad rows in the tables these figures read are left out "
                     "(csc-dashboard check-db lists them)", className="small"),
        table,
    ], className="data-quality mb-3", id=note_id)


def error_alert(message: str | Exception, *, title: str = "This page could not be loaded") -> dbc.Alert:
    """The message shown in the page area when a query fails; the rest of the app keeps working."""
    text = str(message) if str(message) else type(message).__name__
    return dbc.Alert([html.H2(title, className="h5 alert-heading"), html.P(text, className="mb-1"),
                      html.P("Other pages and filters still work. Try again later or ask the data team.",
                             className="small mb-0")],
                     color="danger", className="page-error")


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
            except PreventUpdate:
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
    kw = {"id": component_id} if component_id else {}
    return dcc.Loading(children, type="default", delay_show=300, **kw)


def page_header(title: str, lede: str | None = None):
    return html.Div([html.H1(title, className="h3 mb-1"),
                     html.P(lede, className="text-muted mb-3") if lede else None], className="page-header")
