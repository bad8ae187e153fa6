"""The board pack: one self-contained HTML file (or a PDF of it) of the dashboard's figures.

Directors take the dashboard's figures to the board, and board papers are often published, so
the pack is **always in presentation mode** whatever the screen shows: no child-level lists, no
worker names, counts of 1..4 shown as "<5" (``db.standards.suppress_below``), including the
data-quality appendix's bad-row counts (exact counts: ``csc-dashboard check-db``).

How the charts are made: the pack does not rebuild any chart. It calls every page callback that
takes the global filters store (``Input("shell-filters", "data")``) with a presentation-mode
store, exactly as the browser would, giving the other inputs (a split selector, the pilot) their
default values from the page layout, and collects each ``chart_card`` from the returned tree: the
figure, its plain-English title, the one-line finding (the card's accessible summary without its
"<kind>: <title>." prefix) and its note. Child-level grids and CSV stores are never read. So the
pack always shows what the pages show, and a new page appears in it with no change here.

The overview tiles come from ``dashboard.tiles.overview_tiles`` when that module exists. The
appendix lists bad rows (``data_layer.data_quality``) and the rows each page leaves out
(``plan_exclusions``, ``transfer_exclusions``, ``jarp_unknown_criteria``); charts' own notes
(e.g. plans left out of survival curves) stay under their chart.

Output: plotly.js is inlined once in ``<head>``; every chart is a ``Plotly.newPlot`` call on
its embedded JSON, so the file works offline. ``--out *.pdf`` prints that HTML with headless
Chromium (``chromium`` on PATH or /usr/bin/chromium); without it the export fails with a
message saying so. Any other name gets the HTML.

Entry points: :func:`export_pack` (the CLI), :func:`build_pack` (HTML string inside an app
context; the shell's "Board pack" button uses it through :func:`register_pack_download`).
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator

import dash_bootstrap_components as dbc
import jinja2
import pandas as pd
import plotly.io as pio
from dash import Input, Output, State, dcc, html, no_update
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate
from plotly.offline import get_plotlyjs

from data_layer import DatabaseError, Filters, data_quality, jarp_unknown_criteria, plan_exclusions, \
    transfer_exclusions
from data_layer.checks import CHECK_TITLES

from .cache import cached_call
from .context import FILTERS_ID
from .figures.common import suppress
from .settings import Settings
from .theme import RAG
from .url_state import FilterOptions, ViewState, validate

log = logging.getLogger(__name__)

PACK_DIR = Path(__file__).resolve().parent / "pack"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "/usr/bin/chromium")
PDF_TIMEOUT_SECONDS = 300
BUTTON_ID, DOWNLOAD_ID, MESSAGE_ID = "shell-pack-button", "shell-pack-download", "shell-pack-message"
_GRAPH_CONFIG = {"displaylogo": False, "responsive": True}


class ExportError(RuntimeError):
    """The pack could not be made; the message says why and is fit to show."""


class FilterError(ExportError):
    """The export's filters name a date, team or service the data does not have."""


# --------------------------------------------------------------------------- collected content

@dataclass
class PackChart:
    chart_id: str
    title: str
    finding: str
    summary: str
    note: str | None
    figure: Any  # go.Figure or its dict

    def to_html(self) -> str:
        return pio.to_html(self.figure, include_plotlyjs=False, full_html=False, config=_GRAPH_CONFIG,
                           div_id=f"pack-graph-{self.chart_id}", default_width="100%")


@dataclass
class PackPage:
    name: str
    path: str
    charts: list[PackChart] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


# --------------------------------------------------------------------------- component trees

def _walk(node) -> Iterator[Component]:
    """Every Dash component in a layout or callback result, depth first, in document order."""
    if isinstance(node, (list, tuple)):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, Component):
        yield node
        yield from _walk(getattr(node, "children", None))


def _classes(node) -> set[str]:
    return set((getattr(node, "className", None) or "").split())


def _text(node) -> str:
    """Visible text of a component tree (for error messages)."""
    if node is None:
        return ""
    if isinstance(node, (str, int, float)):
        return str(node)
    if isinstance(node, (list, tuple)):
        return " ".join(t for t in (_text(n) for n in node) if t)
    return _text(getattr(node, "children", None))


def finding_from(summary: str, title: str) -> str:
    """The one-line finding: the card's summary without its ``"<kind>: <title>."`` prefix.

    ``figures.common.aria_summary`` writes summaries as "Bar chart: <title>. <fact>. <fact>.";
    the facts are computed from the data. When there are none, the title is the finding.
    """
    rest = summary or ""
    head = f"{title.rstrip('.')}."
    if ": " in rest and head in rest:
        rest = rest.split(head, 1)[1]
    return rest.strip()


def _chart_from_card(card) -> PackChart | None:
    graph = next((n for n in _walk(card) if isinstance(n, dcc.Graph)), None)
    if graph is None or graph.figure is None:
        return None
    figure = graph.figure
    layout_title = figure.layout.title.text if hasattr(figure, "layout") else \
        ((figure.get("layout") or {}).get("title") or {}).get("text")
    title = re.sub(r"<[^>]+>", " ", layout_title or "").strip()
    title = re.sub(r"\s+", " ", title)
    wrapper = next((n for n in _walk(card) if getattr(n, "role", None) == "img"), None)
    summary = (getattr(wrapper, "aria-label", None) or "") if wrapper is not None else ""
    note = next((_text(n) for n in _walk(card) if "chart-note" in _classes(n)), None)
    chart_id = str(card.id)[:-len("-card")] if str(getattr(card, "id", "")).endswith("-card") else str(graph.id)
    return PackChart(chart_id=chart_id, title=title or "Chart", finding=finding_from(summary, title),
                     summary=summary, note=note, figure=figure)


def charts_and_problems(tree) -> tuple[list[PackChart], list[str]]:
    """The chart cards and error messages in a page callback's result."""
    charts, problems = [], []
    for node in _walk(tree):
        classes = _classes(node)
        if "chart-card" in classes:
            chart = _chart_from_card(node)
            if chart:
                charts.append(chart)
        elif "page-error" in classes:
            problems.append(_text(node))
    return charts, problems


# --------------------------------------------------------------------------- page callbacks

def _filters_callbacks(app) -> list[tuple[str, str, dict]]:
    """(output id, output property, callback_map entry) of every callback fed by the filters store."""
    found = []
    for out, entry in app.callback_map.items():
        if not any(i.get("id") == FILTERS_ID and i.get("property") == "data" for i in entry.get("inputs", [])):
            continue
        if out.startswith("..") or "{" in out:  # several or pattern-matching outputs: the shell's, not a page's
            continue
        comp_id, _, prop = out.rpartition(".")
        found.append((comp_id, prop, entry))
    return found


def _page_layout(page: dict):
    layout = page.get("layout")
    return layout() if callable(layout) else layout


def collect_pages(app, store: dict) -> list[PackPage]:
    """Run each page's filter-driven callbacks on ``store`` and gather their charts, page by page.

    Must run inside ``app.server``'s app (or request) context. A callback's other inputs take
    their value from the component in the page layout (its default); an input missing from the
    layout gets ``None``, which the pages treat as their default.
    """
    from .app import nav_pages

    callbacks = _filters_callbacks(app)
    pages = []
    for page in nav_pages():
        layout = _page_layout(page)
        components = {str(n.id): n for n in _walk(layout) if getattr(n, "id", None) is not None
                      and not isinstance(n.id, dict)}
        order = list(components)
        mine = sorted(((cid, prop, e) for cid, prop, e in callbacks if cid in components),
                      key=lambda c: order.index(c[0]))
        if not mine:
            continue
        result = PackPage(name=page["name"], path=page["path"])
        for _, _, entry in mine:
            args = [store if i["id"] == FILTERS_ID else getattr(components.get(i["id"]), i["property"], None)
                    for i in entry["inputs"]]
            args += [getattr(components.get(s["id"]), s["property"], None) for s in entry.get("state", [])]
            fn = getattr(entry["callback"], "__wrapped__", entry["callback"])
            try:
                tree = fn(*args)
            except PreventUpdate:
                continue
            except Exception as exc:  # noqa: BLE001 - one failing section must not lose the pack
                log.error("board pack: a callback of %s failed: %s", page["name"], type(exc).__name__)
                result.problems.append(f"Part of this page could not be prepared ({type(exc).__name__}).")
                continue
            charts, problems = charts_and_problems(tree)
            result.charts += charts
            result.problems += problems
        if result.charts or result.problems:  # the Overview's tiles have their own section
            pages.append(result)
    return pages


# --------------------------------------------------------------------------- tiles and appendix

def _tiles(db, filters: Filters) -> tuple[list[dict], str | None]:
    """The Overview's tiles (``dashboard.tiles``) in presentation mode, as plain dicts for the template.

    Only ``Tile.display`` (suppressed) is shown, never the raw ``value``; the tiles read the same
    cached data-layer calls as the pages.
    """
    try:
        from .tiles import overview_tiles
    except ImportError:
        return [], "The overview tiles are not available in this version."
    try:
        tiles = overview_tiles(db, filters, presentation=True,
                               fetch=lambda fn, f, *args: cached_call(fn, db, f, *args))
    except DatabaseError as exc:
        return [], f"The overview tiles could not be read. {exc}"
    out = []
    for t in tiles:
        rag = RAG.get(t.rag) if t.rag else None
        out.append({"label": t.label, "value": t.display, "standard": t.standard, "change": t.change_text,
                    "detail": t.detail, "rag_label": t.rag_label if t.rag or t.rag_label != "Not rated" else None,
                    "rag_colour": rag["colour"] if rag else "#495057"})
    return out, None


def _frame_rows(df: pd.DataFrame, columns: dict[str, str], counts: tuple[str, ...], threshold: int) -> list[dict]:
    """Rows for a template table: ``columns`` maps source column -> heading; counts suppressed."""
    rows = []
    for rec in df.to_dict("records"):
        row = {}
        for src, heading in columns.items():
            value = rec.get(src)
            row[heading] = suppress(value, threshold) if src in counts else ("" if pd.isna(value) else str(value))
        rows.append(row)
    return rows


def _appendix_part(slug, title, why, fetch, columns, counts, threshold) -> dict:
    part = {"slug": slug, "title": title, "why": why, "columns": list(columns.values()),
            "count_columns": [columns[c] for c in counts], "rows": [], "problem": None}
    try:
        part["rows"] = _frame_rows(fetch(), columns, counts, threshold)
    except DatabaseError as exc:
        part["problem"] = f"Could not be counted. {exc}"
    return part


def appendix(db, filters: Filters, threshold: int) -> list[dict]:
    """The data-quality appendix: bad rows, then the rows each page leaves out, with reasons."""
    def bad_rows():
        df = cached_call(data_quality, db, filters)
        df = df.assign(check=df["check"].map(lambda k: CHECK_TITLES.get(k, k)),
                       detail=df["detail"].astype(str).str.slice(0, 60))
        return df

    return [
        _appendix_part("bad-rows", "Bad rows in the data",
                       "Rows that break the data contract (DESIGN section 3). Every figure leaves them out. With a "
                       "team filter, tables that place a row in a team count the selected teams only; the as-at "
                       "date does not apply.",
                       bad_rows, {"table": "Table", "check": "Problem", "column": "Column", "detail": "Detail",
                                  "rows": "Rows", "table_rows": "Rows in table"}, ("rows", "table_rows"), threshold),
        _appendix_part("plans", "Plans left out of the plan-duration figures",
                       "Plans in the reporting window that cannot be placed on a timeline, and CIN plans whose origin "
                       "code is not in the contract (left out of the by-origin curves only).",
                       lambda: cached_call(plan_exclusions, db, filters),
                       {"plan_type": "Plan type", "reason": "Reason", "n": "Plans"}, ("n",), threshold),
        _appendix_part("transfers", "Transfers the standards cannot judge",
                       "Transfer requests in the window left out of the transfer figures, by reason.",
                       lambda: cached_call(transfer_exclusions, db, filters),
                       {"reason": "Reason", "applies_to": "Left out of", "rows": "Rows"}, ("rows",), threshold),
        _appendix_part("jarp", "JARP referrals with unrecognised criterion codes",
                       "Criterion codes the scoring rules do not know: not scored, so those referrals' scores may "
                       "be too low.",
                       lambda: cached_call(jarp_unknown_criteria, db, filters),
                       {"criterion": "Criterion code", "referrals": "Referrals"}, ("referrals",), threshold),
    ]


# --------------------------------------------------------------------------- the HTML

def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(PACK_DIR), autoescape=True,
                              undefined=jinja2.StrictUndefined)


def _filter_texts(filters: Filters, options: FilterOptions | None) -> tuple[str, str]:
    labels = dict(options.teams) if options else {}
    teams = ", ".join(labels.get(t, t) for t in filters.teams) or "All teams"
    services = ", ".join(filters.services) or "All services"
    return teams, services


def build_pack(app, db, filters: Filters, settings: Settings | None = None,
               options: FilterOptions | None = None) -> str:
    """The pack as one HTML string, for ``filters``, always in presentation mode.

    Call inside ``app.server``'s app or request context (the page callbacks read the database
    and the cache from it).
    """
    settings = settings or Settings()
    threshold = db.standards.suppress_below
    store = ViewState(as_at=filters.as_at, services=tuple(filters.services), teams=tuple(filters.teams),
                      presentation=True).to_store()
    pages = collect_pages(app, store)
    tiles, tiles_problem = _tiles(db, filters)
    teams_text, services_text = _filter_texts(filters, options)
    charts = [c for p in pages for c in p.charts]
    page_dicts = [{"name": p.name, "slug": p.slug, "problems": p.problems,
                   "charts": [{"chart_id": c.chart_id, "title": c.title, "finding": c.finding, "summary": c.summary,
                               "note": c.note, "html": c.to_html()} for c in p.charts]} for p in pages]
    css = (PACK_DIR / "pack.css").read_text(encoding="utf-8")
    return _environment().get_template("pack.html.j2").render(
        title=settings.title, as_at_text=f"{filters.as_at:%-d %B %Y}", teams_text=teams_text,
        services_text=services_text, produced=f"{datetime.now():%-d %B %Y %H:%M}",
        synthetic=bool(getattr(db, "is_demo", False)), threshold=threshold, pages=page_dicts, tiles=tiles,
        tiles_problem=tiles_problem, appendix=appendix(db, filters, threshold), css=css,
        plotlyjs=get_plotlyjs() if charts else "",
    )


def pack_filename(filters: Filters, suffix: str = "html") -> str:
    return f"board-pack-{filters.as_at.isoformat()}.{suffix}"


# --------------------------------------------------------------------------- PDF

def find_chromium() -> str | None:
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(html_path: Path, pdf_path: Path) -> None:
    """Print ``html_path`` to ``pdf_path`` with headless Chromium (raises :class:`ExportError`)."""
    chromium = find_chromium()
    if not chromium:
        raise ExportError("A PDF needs Chromium (the 'chromium' command or /usr/bin/chromium) to print the pack; "
                          "none was found. Install it (Debian: apt-get install chromium) or write HTML with "
                          "--out pack.html and print that from a browser.")
    args = [chromium, "--headless=new", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--disable-background-networking", "--disable-extensions", "--no-pdf-header-footer",
            "--run-all-compositor-stages-before-draw", "--virtual-time-budget=20000", "--window-size=1280,1800",
            f"--print-to-pdf={pdf_path}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to start as root with its sandbox
    with tempfile.TemporaryDirectory(prefix="csc-pack-chromium-") as profile:
        args += [f"--user-data-dir={profile}", html_path.resolve().as_uri()]
        try:
            run = subprocess.run(args, capture_output=True, timeout=PDF_TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ExportError(f"Chromium did not finish printing the PDF within {PDF_TIMEOUT_SECONDS} s.") from exc
    if run.returncode != 0 or not pdf_path.exists() or pdf_path.stat().st_size == 0:
        raise ExportError(f"Chromium could not print the PDF (exit code {run.returncode}).")


# --------------------------------------------------------------------------- CLI

def _options(db) -> FilterOptions:
    from .app import _load_filter_options  # noqa: PLC2701 - the shell's own reading of teams and dates

    return _load_filter_options(db)


def resolve_filters(options: FilterOptions, as_at: date | None, teams, services) -> Filters:
    """Validate the CLI's filters with the shell's rules; anything unknown is an error, not dropped."""
    state = validate(as_at.isoformat() if as_at else None, list(services or ()), list(teams or ()), True, options)
    if state.notices:
        raise FilterError(" ".join(state.notices))
    return state.filters


def export_pack(out: str, as_at: date | None = None, teams=(), services=(), url: str | None = None) -> int:
    """``csc-dashboard export``: write the pack to ``out`` (``.pdf`` -> PDF, else HTML); exit code.

    0 written; 1 the database is unusable or the PDF could not be printed; 2 bad filters.
    """
    from .server import StartupError, build_app

    started = time.perf_counter()
    try:
        app = build_app(url)
    except StartupError as exc:
        print(f"The board pack could not be made.\n{exc}", file=sys.stderr)
        return 1
    db = app.server.extensions["csc_insight"].db
    settings = app.server.extensions["csc_insight"].settings
    target = Path(out)
    try:
        with app.server.app_context():
            options = cached_call(_options, db)
            filters = resolve_filters(options, as_at, teams, services)
            text = build_pack(app, db, filters, settings, options)
        if target.suffix.lower() == ".pdf":
            with tempfile.TemporaryDirectory(prefix="csc-pack-") as tmp:
                page = Path(tmp) / pack_filename(filters)
                page.write_text(text, encoding="utf-8")
                html_to_pdf(page, target)
        else:
            target.write_text(text, encoding="utf-8")
    except ExportError as exc:
        print(f"The board pack could not be made. {exc}", file=sys.stderr)
        return 2 if isinstance(exc, FilterError) else 1
    except DatabaseError as exc:
        print(f"The board pack could not be made. {exc}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    log.info("board pack written to %s (%.1f s, %s bytes)", target, time.perf_counter() - started,
             f"{target.stat().st_size:,}")
    return 0


# --------------------------------------------------------------------------- the shell's button

def pack_controls():
    """The shell's "Board pack" button, its download and its message area."""
    return html.Div([
        dbc.Button("Board pack", id=BUTTON_ID, n_clicks=0, color="primary", outline=True, size="sm",
                   className="pack-button", title="Download these figures as one HTML file for the board "
                                                   "(presentation mode: no child-level data, small counts hidden)"),
        dcc.Download(id=DOWNLOAD_ID),
        html.Div(id=MESSAGE_ID, role="status", className="small mt-1"),
    ], className="shell-pack")


def pack_download(app, n_clicks, data) -> tuple:
    """The callback's body: (download data, message) for a click with the current filters store."""
    from .context import get_db, get_settings

    if not n_clicks or not data:
        raise PreventUpdate
    try:
        db = get_db()
        state = ViewState.from_store(data)
        options = cached_call(_options, db)
        text = build_pack(app, db, state.filters, get_settings(), options)
    except Exception as exc:  # noqa: BLE001 - shown as a message; only the type is logged
        log.error("board pack failed: %s", type(exc).__name__)
        reason = str(exc) if isinstance(exc, DatabaseError) else "An unexpected error happened."
        return no_update, dbc.Alert(f"The board pack could not be made. {reason}", color="danger",
                                    dismissable=True, className="py-1 mb-0", id="shell-pack-error")
    return {"content": text, "filename": pack_filename(state.filters), "type": "text/html", "base64": False}, None


def register_pack_download(app) -> None:
    """Wire the shell's button to :func:`pack_download` for ``app`` (called by ``create_app``)."""
    app.callback(
        Output(DOWNLOAD_ID, "data"), Output(MESSAGE_ID, "children"),
        Input(BUTTON_ID, "n_clicks"), State(FILTERS_ID, "data"),
        running=[(Output(BUTTON_ID, "disabled"), True, False)],
        prevent_initial_call=True,
    )(lambda n_clicks, data: pack_download(app, n_clicks, data))


__all__ = ["export_pack", "build_pack", "collect_pages", "appendix", "html_to_pdf", "find_chromium",
           "pack_controls", "register_pack_download", "pack_download", "ExportError", "PackChart", "PackPage"]
