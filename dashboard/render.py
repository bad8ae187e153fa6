"""Section values -> Dash components: the only place a page's content becomes HTML on screen.

Nothing here computes or formats a number: titles, findings, tiles and tables arrive finished
(and disclosed) in :mod:`dashboard.sections` values. A chart or table's "Download CSV" button
carries only *which* item it is (page, part, item id, controls); the server recomputes that part
through the cache when it is clicked (:func:`csv_for_request`), so no CSV text is in the page.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, cast

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.components import stat_tile
from dashboard.sections.base import Chart, Note, Section, Table, Tile

log = logging.getLogger(__name__)

CSV_BUTTON, CSV_REQUEST, CSV_DOWNLOAD = "csv-button", "csv-request", "csv-download"
PRESENTATION_HIDDEN = "Child-level detail is hidden in presentation mode."
GRAPH_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtons": [["toImage"]]}


def graph_config(chart_id: str, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A chart's Plotly config: the toolbar offers only "Download plot as a png", named after the chart.

    Zoom, pan and select buttons sat over chart titles and change nothing a reader needs; the image
    download is the one a manager uses (for a report). A chart's own ``config`` may add settings but
    not bring the other buttons back.
    """
    return {
        **(extra or {}),
        **GRAPH_CONFIG,
        "toImageButtonOptions": {"format": "png", "filename": chart_id},
    }


def csv_button(item_id: str, request: Mapping[str, Any], label: str = "Download CSV"):
    """A download button whose store says which item to download (never the data itself)."""
    return html.Div(
        [
            dbc.Button(
                label,
                id={"type": CSV_BUTTON, "chart": item_id},
                size="sm",
                color="secondary",
                outline=True,
                className="csv-button",
                n_clicks=0,
            ),
            dcc.Store(id={"type": CSV_REQUEST, "chart": item_id}, data={**request, "item": item_id}),
            dcc.Download(id={"type": CSV_DOWNLOAD, "chart": item_id}),
        ],
        className="d-flex justify-content-end",
    )


def chart_card(chart: Chart, request: Mapping[str, Any]):
    """A chart with its accessible summary (``role="img"`` + ``aria-label``), note and CSV button."""
    config = cast("dcc.Graph.Config", graph_config(chart.id, chart.config))
    aria: dict[str, Any] = {"aria-label": chart.summary or chart.title}
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(chart.title, className="visually-hidden"),
                html.Div(
                    dcc.Graph(id=f"{chart.id}-graph", figure=chart.figure, config=config),
                    role="img",
                    **aria,
                    id=f"{chart.id}-figure",
                    className="chart-figure",
                ),
                html.P(chart.note, className="chart-note text-muted small mb-1") if chart.note else None,
                csv_button(chart.id, request),
            ]
        ),
        className="chart-card mb-3",
        id=f"{chart.id}-card",
    )


def tile_card(tile: Tile):
    return stat_tile(tile.id, tile.label, tile.value, detail=tile.detail, rag=tile.rag)


def overview_tile_card(tile: Tile):
    """A headline card (``Tile.card == "headline"``): value, RAG word (colour never alone), change, standard,
    rule, detail and a link. Ids: ``<id>-value``, ``<id>-rag``, ``<id>-change``, ``<id>-link``."""
    from dashboard.theme import RAG

    colour = RAG[tile.rag]["colour"] if tile.rag in RAG else "#adb5bd"
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(tile.label, className="tile-label h6 mb-1"),
                html.Div(
                    [
                        html.Span(tile.value, id=f"{tile.id}-value", className="tile-value me-2"),
                        html.Span(
                            tile.rag_label or "Not rated",
                            id=f"{tile.id}-rag",
                            className=f"rag rag-{tile.rag or 'none'}",
                            style={"borderColor": colour},
                            title=tile.rule or None,
                        ),
                    ],
                    className="d-flex flex-wrap align-items-center",
                ),
                html.P(tile.change, id=f"{tile.id}-change", className="tile-change small mb-1")
                if tile.change
                else None,
                html.P(tile.standard, className="tile-standard small text-muted mb-1") if tile.standard else None,
                html.P(tile.rule, className="tile-rule small text-muted mb-1") if tile.rule else None,
                html.P(tile.detail, className="tile-detail small mb-2") if tile.detail else None,
                dcc.Link(
                    tile.link_text or "Open the page →",
                    href=tile.href,
                    id=f"{tile.id}-link",
                    className="small tile-link",
                )
                if tile.href
                else None,
            ]
        ),
        id=tile.id,
        className="stat-tile overview-tile h-100",
        style={"borderLeft": f"0.4rem solid {colour}"},
    )


def table_view(table: Table, request: Mapping[str, Any], *, presentation: bool):
    """A sortable grid (or a plain table), or a note in presentation mode for child-level rows."""
    if table.child_level and presentation:
        return html.P(PRESENTATION_HIDDEN, id=f"{table.id}-hidden", className="text-muted fst-italic")
    capped = None
    if table.total_rows and table.total_rows > len(table.rows):
        capped = html.P(
            f"Showing the first {len(table.rows):,} of {table.total_rows:,} rows, most urgent first "
            "(here and in the CSV). Choose a team to see its whole list.",
            className="small text-muted mb-1",
            id=f"{table.id}-capped",
        )
    if table.grid:
        body = dag.AgGrid(
            id=table.id,
            rowData=table.csv_table.to_dict("records"),
            columnDefs=[dict(c) for c in table.columns],
            defaultColDef={"sortable": True, "filter": True, "resizable": True, "flex": 1, "minWidth": 110},
            dashGridOptions={
                "pagination": True,
                "paginationPageSize": 20,
                "paginationPageSizeSelector": False,
                "domLayout": "autoHeight",
                "enableCellTextSelection": True,
            },
            style={"width": "100%"},
        )
    else:
        shown = table.csv_table.rename(columns={c["field"]: c.get("headerName", c["field"]) for c in table.columns})
        body = dbc.Table.from_dataframe(
            shown, striped=True, bordered=False, size="sm", className="small mb-1", id=table.id
        )
    if table.collapsed:
        return html.Details(
            [
                html.Summary(table.title or "Details", className="small"),
                html.P(table.note, className="small text-muted mb-1") if table.note else None,
                body if len(table.rows) else None,
                csv_button(table.id, request) if len(table.rows) else None,
            ],
            className="data-quality mb-3",
            id=f"{table.id}-wrapper",
        )
    return html.Div(
        [
            html.H3(table.title, className="h6 mt-2") if table.title else None,
            html.P(table.note, className="small text-muted mb-1") if table.note else None,
            capped,
            body,
            csv_button(table.id, request),
        ],
        className="child-table" if table.child_level else "summary-table",
        id=f"{table.id}-wrapper",
    )


METHOD_SUMMARY = "How this is worked out"


def note_view(note: Note):
    if note.kind == "method":  # the statistics behind a page, folded so the page reads in plain words first
        return html.Details(
            [
                html.Summary(METHOD_SUMMARY, className="small fw-semibold"),
                dcc.Markdown(note.text, className="small mt-2", id=note.id),
            ],
            className="method-details mb-3",
            id=f"{note.id}-details",
        )
    if note.kind == "markdown":
        return dcc.Markdown(note.text, className="small", id=note.id)
    if note.kind in ("info", "warning"):
        return dbc.Alert(note.text, color=note.kind, className="small py-2", id=note.id)
    return html.P(note.text, className="small text-muted", id=note.id)


def _items(section: Section, request: Mapping[str, Any], presentation: bool) -> list:
    """Items in order; consecutive tiles share a row, consecutive half-width charts share a row."""
    out: list = []
    run: list = []
    run_kind = None

    def flush():
        nonlocal run, run_kind
        if run_kind == "tile":
            out.append(dbc.Row([dbc.Col(t, md=6, lg=True) for t in run], className="g-3"))
        elif run_kind == "headline":
            out.append(dbc.Row([dbc.Col(t, xs=12, md=6, xl=4, className="mb-3") for t in run], className="g-3"))
        elif run_kind == "half":
            out.append(dbc.Row([dbc.Col(c, lg=6) for c in run]))
        run, run_kind = [], None

    kind: str | None
    for item in section.items:
        if isinstance(item, Tile):
            headline = item.card == "headline"
            kind, node = ("headline", overview_tile_card(item)) if headline else ("tile", tile_card(item))
        elif isinstance(item, Chart):
            kind, node = ("half" if item.width < 12 else None), chart_card(item, request)
        elif isinstance(item, Table):
            kind, node = None, table_view(item, request, presentation=presentation)
        elif isinstance(item, Note):
            kind, node = None, note_view(item)
        else:
            kind, node = None, item  # a Dash component a page adds itself (controls)
        if kind != run_kind:
            flush()
        if kind:
            run.append(node)
            run_kind = kind
        else:
            out.append(node)
    flush()
    return out


def section_view(section: Section, request: Mapping[str, Any], *, presentation: bool):
    """One section: a titled card (or bare items), or its problem message."""
    from dashboard.components import error_alert

    if section.problem:
        return html.Div(
            error_alert(section.problem, title=section.title or "This part could not be loaded"), id=section.id
        )
    children: list[Any] = [html.H2(section.title, className="h5")] if section.title and section.card else []
    if section.lede:
        children.append(html.P(section.lede, className="small text-muted"))
    children += _items(section, request, presentation)
    if not section.card:
        return html.Div(children, id=section.id)
    return dbc.Card(dbc.CardBody(children), className="mb-3 section-card", id=section.id)


def sections_view(sections: Sequence[Section], request: Mapping[str, Any], *, presentation: bool):
    """A part's sections, as the children of its output container."""
    return html.Div([section_view(s, request, presentation=presentation) for s in sections])


__all__ = [
    "chart_card",
    "tile_card",
    "overview_tile_card",
    "table_view",
    "note_view",
    "section_view",
    "sections_view",
    "csv_button",
    "PRESENTATION_HIDDEN",
    "METHOD_SUMMARY",
    "CSV_BUTTON",
    "CSV_REQUEST",
    "CSV_DOWNLOAD",
]
