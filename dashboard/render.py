"""Section values -> Dash components: the only place a page's content becomes HTML on screen.

Nothing here computes or formats a number: titles, findings, tiles and tables arrive finished
(and disclosed) in :mod:`dashboard.sections` values. A chart or table's "Download CSV" button
carries only *which* item it is (page, part, item id, controls); the server recomputes that part
through the cache when it is clicked (:func:`csv_for_request`), so no CSV text is in the page.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, cast

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboard.components import stat_tile
from dashboard.sections.base import Chart, Note, Section, Table, Tile
from dashboard.shell import SHELL_LINK

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


#: The one date format on screen (``31 Mar 2023``), as the pages' texts and figures write dates.
DATE_FORMAT = "%d %b %Y"
#: The grid shows ISO dates (what the rows and CSVs hold, so sorting is by date) in :data:`DATE_FORMAT`.
DATE_FORMATTER = {"function": "cscDate(params.value)"}  # assets/dashAgGridFunctions.js
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: Text longer than this wraps onto more lines (a cut "Direct referral exce..." says nothing).
WRAP_CHARS = 20
#: Narrowest a column may get, by kind, before its header and values are measured.
MIN_WIDTH = {"number": 64, "date": 108, "text": 80, "long": 160}
#: A compact Quartz (AG Grid's default theme): 13 px text and tighter padding fit a manager's list of
#: 10-12 columns in a 1440 px window.
GRID_THEME = {"function": "themeQuartz.withParams({spacing: 5, fontSize: 13, headerFontSize: 13})"}
#: Pixels per character of that text, a cell's padding, and a header's padding plus its sort and filter icons.
CHAR_PX, CELL_PAD_PX, HEADER_PAD_PX = 7.2, 24, 52
#: The arrow a sorted column's header shows (a column sorted from the start has it at once).
SORT_ICON_PX = 18
#: The widest a grid's columns may add up to in a card of a 1440 px window before its text wraps.
FIT_PX = 1330
#: Every grid: headers wrap instead of being cut ("Key wor..."), and a grid that cannot fit its card
#: scrolls sideways inside it (AG Grid's own viewport) rather than pushing the page wider.
DEFAULT_COL_DEF = {
    "sortable": True,
    "filter": True,
    "resizable": True,
    "flex": 1,
    "minWidth": MIN_WIDTH["text"],
    "wrapHeaderText": True,
    "autoHeaderHeight": True,
}


def _is_dates(present: list) -> bool:
    """ISO dates or dates, blanks aside (a plan never reviewed has an empty "Last review")."""
    present = [v for v in present if str(v) != ""]
    return bool(present) and all(
        isinstance(v, date) or (isinstance(v, str) and _ISO_DATE.fullmatch(v)) for v in present
    )


def column_kind(values: pd.Series) -> str:
    """``number``, ``date`` (ISO text or dates), ``long`` (text that needs wrapping) or ``text``."""
    return _kind(values.dtype, _distinct(values))


def _kind(dtype, present: list) -> str:
    """:func:`column_kind` of a column of this dtype holding these (distinct, non-blank) values."""
    if pd.api.types.is_bool_dtype(dtype):
        return "text"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    if _is_dates(present):
        return "date"
    return "long" if _longest(present) > WRAP_CHARS else "text"


def _longest(present: list) -> int:
    return max((len(str(v)) for v in present), default=0)


def _longest_word(present: list) -> int:
    return max((len(w) for v in present for w in str(v).split()), default=0)


def min_width(kind: str, header: str, values, *, wrap: bool = False, sorted_: bool = False) -> int:
    """The narrowest the column can be with its header's longest word whole (headers wrap between
    words, never inside one) and its values uncut: a number or short text on one line; wrapped
    text (``long``, or any text when ``wrap``) with its longest word whole. ``values``: the
    column, or its distinct values (:func:`_distinct`)."""
    present = _distinct(values) if isinstance(values, pd.Series) else values
    word = max((len(w) for w in header.split()), default=0)
    need = [MIN_WIDTH[kind], word * CHAR_PX * 1.05 + HEADER_PAD_PX + (SORT_ICON_PX if sorted_ else 0)]
    if kind == "number":
        longest = max((len(f"{v:g}") for v in present), default=0)
        need.append(longest * CHAR_PX + CELL_PAD_PX)
    elif kind in ("text", "long"):
        chars = _longest_word(present) if wrap or kind == "long" else _longest(present)
        need.append(chars * CHAR_PX + CELL_PAD_PX)
    return int(round(max(need)))


def _distinct(values: pd.Series) -> list:
    """A column's distinct values, blanks (missing) dropped, as Python values: what its kind and
    widths depend on. A 500-row list has a few dozen distinct values, each measured once, in
    plain Python: per column, pandas' own steps cost more than the measuring (issue 17)."""
    present = values.dropna()
    try:
        return list(present.unique())
    except TypeError:  # an unhashable value (a list in a cell): measure every row
        return present.tolist()


_WRAP = {"wrapText": True, "autoHeight": True, "cellStyle": {"lineHeight": "1.4", "wordBreak": "normal"}}


def grid_columns(table: Table) -> list[dict[str, Any]]:
    """The table's column definitions with the house defaults per kind of column added (a column's
    own settings win): dates shown as ``31 Mar 2023`` but sorted and filtered as dates, long text
    wrapped onto more lines, a minimum width that keeps the header's words and the values whole.
    When those widths add up to more than a 1440 px card (:data:`FIT_PX`), every text column wraps
    too, so the grid fits rather than scroll (it still scrolls inside its card on a phone)."""
    rows = table.csv_table
    shown = [c for c in table.columns if not c.get("hide")]
    cols = []
    for col in table.columns:
        field_name = col.get("field")
        column = rows[field_name] if field_name in rows else pd.Series([], dtype=object)
        values = _distinct(column)
        cols.append((dict(col), _kind(column.dtype, values), str(col.get("headerName", field_name)), values))
    natural = sum(min_width(k, h, v, sorted_=bool(c.get("sort"))) for c, k, h, v in cols if c in shown)
    wrap = natural > FIT_PX
    out = []
    for c, kind, header, values in cols:
        extra: dict[str, Any] = {"minWidth": min_width(kind, header, values, wrap=wrap, sorted_=bool(c.get("sort")))}
        if kind == "date":
            extra |= {"valueFormatter": DATE_FORMATTER, "cellDataType": "dateString", "filter": "agDateColumnFilter"}
        elif kind == "long" or (wrap and kind == "text"):
            extra |= _WRAP
        out.append(extra | c)
    return out


def _link(table: Table):
    """The table's link to another page, as a shell link (its href keeps the filters)."""
    if not table.link:
        return None
    text, path = table.link
    return html.P(dcc.Link(text, href=path, id={"type": SHELL_LINK, "path": path}), className="small mb-1")


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
            columnDefs=grid_columns(table),
            defaultColDef=DEFAULT_COL_DEF,
            dashGridOptions={
                "pagination": True,
                "paginationPageSize": 20,
                "paginationPageSizeSelector": False,
                "domLayout": "autoHeight",
                "enableCellTextSelection": True,
                "theme": GRID_THEME,
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
                _link(table),
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
            _link(table),
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
    "grid_columns",
    "column_kind",
    "min_width",
    "DATE_FORMAT",
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
