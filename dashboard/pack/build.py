"""The board pack's content: every page's sections, in presentation mode, made into printable blocks.

The pack calls the same pure functions as the pages (``dashboard.sections``: each page's
:class:`~dashboard.sections.base.PageSpec` and :func:`~dashboard.sections.all_sections`) with a
presentation-mode :class:`~dashboard.sections.base.View`, whatever the screen shows: board papers
are often published. It renders those values itself; no page callback runs and no component tree
is read. What it prints of each value:

* :class:`Chart`: the title once (the figure's own title is removed), the figure sized for A4
  landscape (:mod:`dashboard.pack.figure`), the finding, the note. An empty chart (``Chart.empty``)
  prints why instead of a finding, and no plot. A chart and its notes never split across pages.
* :class:`Tile`: label, value, rating (word and symbol, not colour alone), standard, change, detail.
* :class:`Table`: only aggregate tables (``child_level=False``); child-level lists never appear.
* :class:`Note`: under the chart or block before it (never alone on a page).
* ``Section.pack=False`` sections are left out; ``Section.problem`` prints as a message.

A page whose sections module cannot be imported is left out with a logged warning and a line in
the pack saying so (so a half-converted tree still gives a pack).
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from markupsafe import Markup, escape
from plotly.offline import get_plotlyjs

from dashboard.cache import cached_call
from dashboard.disclosure import Disclosure
from dashboard.sections.common import bad_rows as counted_bad_rows
from dashboard.theme import RAG
from data_layer import DatabaseError, Filters, jarp_unknown_criteria, plan_exclusions, transfer_exclusions
from data_layer.checks import CHECK_TITLES

from . import summary as summary_mod
from .figure import for_paper, plot_html

log = logging.getLogger(__name__)

PACK_DIR = Path(__file__).resolve().parent
#: Names of the pages, for the line that says one is missing (its spec, with its name, did not import).
FALLBACK_NAMES = {
    "overview": "Overview",
    "caseloads": "Caseloads",
    "plans": "Plan durations",
    "cin_pilot": "CIN pilot",
    "transfers": "Transfers",
    "jarp": "JARP queue",
}
MISSING_PAGE = "This page is not in the pack: its figures could not be prepared in this version."
#: Marker text in the print version (invisible, extractable from the PDF): which block is on which page.
MARK_RE = re.compile(r"PKM([a-z])(\d+)Q")


# --------------------------------------------------------------------------- content


@dataclass
class TocEntry:
    n: int
    level: int
    title: str
    anchor: str
    page: int | None = None


@dataclass
class PackContent:
    """Everything the template prints, computed once (the PDF prints it twice: see ``pdf.py``)."""

    pages: list[dict]
    tiles: list[Any]
    toc: list[TocEntry]
    summary: dict
    appendix: list[dict]
    methods: dict
    charts: int
    threshold: int
    missing: list[str] = field(default_factory=list)

    def number(self, pages: dict[int, int]) -> PackContent:
        """Set each contents entry's page (entry n -> ``pages[n]``; none when unknown)."""
        for e in self.toc:
            e.page = pages.get(e.n)
        return self

    def page_of(self, n: int) -> str:
        """How the summary points to contents entry ``n``: "page 7" in the PDF, else its title."""
        e = next((e for e in self.toc if e.n == n), None)
        if e is None:
            return ""
        return f"page {e.page}" if e.page else e.title


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", (text or "").lower()).strip("-") or "x"


def view_for(db, filters: Filters):
    """The pack's view: always presentation mode, with the standards' threshold."""
    from dashboard.sections.base import View

    return View.make(filters, presentation=True, threshold=db.standards.suppress_below)


def page_specs() -> list[tuple[str, Any]]:
    """(module key, spec or ``None``) for every page in navbar order; a module that does not import is ``None``."""
    from dashboard import sections

    try:
        return [(spec.key, spec) for spec in sections.pages()]
    except Exception:  # noqa: BLE001 - a page being converted must not lose the rest; logged below
        pass
    out = []
    for key in sections.PAGE_MODULES:
        try:
            out.append((key, importlib.import_module(f"dashboard.sections.{key}").PAGE))
        except Exception as exc:  # noqa: BLE001 - ImportError, or a module without PAGE
            log.warning(
                "board pack: page %s left out: its sections module does not import (%s)", key, type(exc).__name__
            )
            out.append((key, None))
    return out


class _Counter:
    """Numbers the pack's blocks (for the print markers) and knows the sentence every note repeats."""

    def __init__(self, repeated: str = ""):
        self.n = 0
        self.repeated = repeated

    def __call__(self) -> int:
        self.n += 1
        return self.n

    def text(self, note: str | None) -> str | None:
        """``note`` without the disclosure sentence (printed once, on the cover and in Methods)."""
        if not note:
            return None
        if self.repeated:
            note = note.replace(self.repeated, "")
        note = re.sub(r"\s+", " ", note).strip()
        return note or None


def markdown_paragraphs(text: str) -> list[Markup]:
    """A methods note's Markdown as HTML paragraphs: bold, code, links' text and bullets (all it uses)."""
    out = []
    for para in re.split(r"\n\s*\n", text or ""):
        lines = [ln.strip() for ln in para.strip().splitlines() if ln.strip()]
        if not lines:
            continue

        def inline(t: str) -> str:
            t = str(escape(t))
            t = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", t)
            t = re.sub(r"`(.+?)`", r"<code>\1</code>", t)
            t = re.sub(r"\[(.+?)\]\([^)]*\)", r"\1", t)
            return re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", t)

        if all(re.match(r"[-*] ", ln) for ln in lines):
            out.append(Markup("<ul>" + "".join(f"<li>{inline(ln[2:])}</li>" for ln in lines) + "</ul>"))
        elif lines[0].startswith("#"):
            out.append(Markup(f"<p><strong>{inline(lines[0].lstrip('# '))}</strong></p>"))
            if lines[1:]:
                out.append(Markup(f"<p>{inline(' '.join(lines[1:]))}</p>"))
        else:
            out.append(Markup(f"<p>{inline(' '.join(lines))}</p>"))
    return out


def _repeats(finding: str | None, title: str | None) -> bool:
    """The finding says nothing the title does not (it is the title, or a part of it)."""
    norm = lambda t: re.sub(r"[\s.]+", " ", (t or "").lower()).strip()  # noqa: E731
    return norm(finding) in norm(title)


def _tile(t) -> dict:
    rag = RAG.get(t.rag) if t.rag else None
    label = t.rag_label if (t.rag or (t.rag_label and t.rag_label != "Not rated")) else None
    return {
        "id": t.id,
        "label": t.label,
        "value": t.value,
        "rag": t.rag,
        "rag_label": label,
        "rag_colour": rag["colour"] if rag else "#495057",
        "standard": t.standard,
        "change": t.change,
        "detail": t.detail,
    }


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if pd.isna(value):
            return ""
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _is_num(text: str) -> bool:
    return bool(re.fullmatch(r"[<*]?[\d,.\-+%]*\d[\d,.%]*|<\d+|\*|", text))


def _table(table, counter: _Counter) -> dict:
    frame = table.csv_table
    heads = {c["field"]: c.get("headerName", c["field"]) for c in table.columns if "field" in c}
    fields = [f for f in heads if f in frame.columns]
    rows = [[_cell(v) for v in rec] for rec in frame[fields].itertuples(index=False)]
    numeric = [bool(rows) and all(_is_num(r[j]) for r in rows) for j in range(len(fields))]
    capped = None
    if table.total_rows and table.total_rows > len(frame):
        capped = f"The first {len(frame):,} of {table.total_rows:,} rows."
    return {
        "kind": "table",
        "k": counter(),
        "id": table.id,
        "title": table.title,
        "note": counter.text(table.note),
        "capped": capped,
        "columns": [heads[f] for f in fields],
        "numeric": numeric,
        "rows": rows,
    }


def _chart(chart, counter: _Counter, half: bool, under_heading: bool = False, after_block: bool = False) -> dict:
    html, size = None, (0, 0)
    captions: list[str] = []
    if not chart.empty and chart.figure is not None:
        fig, captions = for_paper(chart.figure, half=half, under_heading=under_heading, after_block=after_block)
        html = plot_html(fig, f"pack-graph-{chart.id}")
        size = (fig["layout"]["width"], fig["layout"]["height"])
    finding = None if _repeats(chart.finding, chart.title) else chart.finding  # the title is printed already
    return {
        "kind": "chart",
        "k": counter(),
        "id": chart.id,
        "title": chart.title,
        "finding": finding,
        "empty": chart.empty,
        "note": counter.text(chart.note),
        "summary": chart.summary or chart.title,
        "standard": chart.standard,
        "html": html,
        "width": size[0],
        "height": size[1],
        "captions": captions,
        "notes": [],
        "lead_notes": [],
        "half": half,
    }


def _small(block: dict) -> bool:
    """A block about 150 px high: one row of tiles, or a table of a few rows."""
    if block["kind"] == "tiles":
        return len(block["tiles"]) <= 4
    return block["kind"] == "table" and len(block["rows"]) <= 4


def blocks_of(section, counter: _Counter, first_on_page: bool = False) -> list[dict]:
    """A section's items as printable blocks: tiles share a grid, two half-width charts share a row,
    notes join the block before them (or the next one), child-level tables are dropped.
    ``first_on_page``: the section opens its page (under the page's heading)."""
    from dashboard.sections.base import Chart, Note, Table, Tile

    items = list(section.items)
    blocks: list[dict] = []
    pending_notes: list[dict] = []
    i = 0
    while i < len(items):
        item = items[i]
        block = None
        if isinstance(item, Tile):
            tiles = []
            while i < len(items) and isinstance(items[i], Tile):
                tiles.append(_tile(items[i]))
                i += 1
            block = {"kind": "tiles", "k": counter(), "tiles": tiles, "notes": []}
        elif isinstance(item, Chart):
            nxt = items[i + 1] if i + 1 < len(items) else None
            if item.width < 12 and isinstance(nxt, Chart) and nxt.width < 12:
                block = {
                    "kind": "pair",
                    "k": counter(),
                    "charts": [_chart(item, counter, True), _chart(nxt, counter, True)],
                    "notes": [],
                }
                i += 2
            else:
                block = _chart(
                    item,
                    counter,
                    False,
                    under_heading=first_on_page and not blocks,
                    after_block=_small(blocks[-1]) if blocks else False,
                )
                i += 1
        elif isinstance(item, Table):
            i += 1
            if item.child_level:
                continue
            block = {**_table(item, counter), "notes": []}
        elif isinstance(item, Note) and item.kind in ("markdown", "method"):
            i += 1  # a methods text: a block of its own, free to run over a page
            block = {"kind": "text", "k": counter(), "paragraphs": markdown_paragraphs(item.text), "notes": []}
        elif isinstance(item, Note):
            i += 1
            text = counter.text(item.text)
            if not text:
                continue
            note = {"text": text, "kind": item.kind}
            if blocks:
                blocks[-1]["notes"].append(note)
            else:
                pending_notes.append(note)
            continue
        else:
            i += 1  # a Dash component a page adds for the screen (a control): not for paper
            continue
        block["lead_notes"], pending_notes = pending_notes, []
        blocks.append(block)
    if pending_notes:  # a section of notes only: printed under its heading
        blocks.append({"kind": "notes", "k": counter(), "notes": pending_notes, "lead_notes": []})
    return blocks


def collect(db, filters: Filters) -> tuple[list[dict], list[Any], list[str]]:
    """Every page's pack sections as template dicts, the Overview's tiles, and the pages left out."""
    from dashboard.sections import all_sections
    from dashboard.sections.base import Tile

    view = view_for(db, filters)
    counter = _Counter(view.disclosure.note)
    pages: list[dict[str, Any]] = []
    tiles, missing = [], []
    for key, spec in page_specs():
        if spec is None:
            name = FALLBACK_NAMES.get(key, key)
            missing.append(name)
            pages.append(
                {
                    "key": key,
                    "name": name,
                    "slug": slug(name),
                    "path": None,
                    "lede": None,
                    "problem": MISSING_PAGE,
                    "sections": [],
                    "k": counter(),
                }
            )
            continue
        sections = all_sections(spec, db, view)
        if key == "overview":
            tiles = [t for s in sections if not s.problem for t in s.items if isinstance(t, Tile)]
        shown: list[dict[str, Any]] = []
        for s in sections:
            if not s.pack:
                continue
            blocks = [] if s.problem else blocks_of(s, counter, first_on_page=not shown)
            if not blocks and not s.problem:
                continue
            shown.append(
                {
                    "id": s.id,
                    "anchor": f"pack-section-{slug(s.id)}",
                    "title": s.title,
                    "lede": s.lede,
                    "problem": s.problem,
                    "blocks": blocks,
                    "k": counter(),
                }
            )
        pages.append(
            {
                "key": spec.key,
                "name": spec.name,
                "slug": slug(spec.name),
                "path": spec.path,
                "lede": spec.intro(db.standards) or None,
                "problem": None,
                "sections": shown,
                "k": counter(),
            }
        )
    return pages, tiles, missing


# --------------------------------------------------------------------------- appendix


def _appendix_part(slug_, title, why, fetch, columns, counts, d: Disclosure) -> dict:
    """One appendix table: ``counts`` columns through the disclosure rules, the rest as text.

    A table's size counts too: with a team filter it counts that team's rows, which may be few.
    """
    part = {
        "slug": slug_,
        "title": title,
        "why": why,
        "columns": list(columns.values()),
        "count_columns": [columns[c] for c in counts],
        "rows": [],
        "problem": None,
    }
    try:
        df = fetch()
    except DatabaseError as exc:
        part["problem"] = f"Could not be counted. {exc}"
        return part
    for rec in df.to_dict("records"):
        row = {}
        for src, heading in columns.items():
            value = rec.get(src)
            if src in counts:
                row[heading] = d.count(value)
            else:
                row[heading] = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
        part["rows"].append(row)
    return part


def appendix(db, filters: Filters, disclosure: Disclosure) -> list[dict]:
    """The data-quality appendix: bad rows, then the rows each page leaves out, with reasons.

    Counts go through ``disclosure`` (the pack's: presentation mode). No total is printed beside
    them, so no hidden count can be worked back from the others.
    """

    def bad_rows():
        df = counted_bad_rows(db, filters)
        return df.assign(
            check=df["check"].map(lambda k: CHECK_TITLES.get(k, k)), detail=df["detail"].astype(str).str.slice(0, 60)
        )

    return [
        _appendix_part(
            "bad-rows",
            "Bad rows in the data",
            "Rows that break the data contract (docs/DATA_CONTRACT.md). Every figure leaves them out. With a "
            "team filter, tables that place a row in a team count the selected teams only; the as-at "
            "date does not apply.",
            bad_rows,
            {
                "table": "Table",
                "check": "Problem",
                "column": "Column",
                "detail": "Detail",
                "rows": "Rows",
                "table_rows": "Rows in table",
            },
            ("rows", "table_rows"),
            disclosure,
        ),
        _appendix_part(
            "plans",
            "Plans left out of the plan-duration figures",
            "Plans in the reporting window that cannot be placed on a timeline, and CIN plans whose origin "
            "code is not in the contract (left out of the by-origin curves only).",
            lambda: cached_call(plan_exclusions, db, filters),
            {"plan_type": "Plan type", "reason": "Reason", "n": "Plans"},
            ("n",),
            disclosure,
        ),
        _appendix_part(
            "transfers",
            "Transfers the standards cannot judge",
            "Transfer requests in the window left out of the transfer figures, by reason.",
            lambda: cached_call(transfer_exclusions, db, filters),
            {"reason": "Reason", "applies_to": "Left out of", "rows": "Rows"},
            ("rows",),
            disclosure,
        ),
        _appendix_part(
            "jarp",
            "JARP referrals with unrecognised criterion codes",
            "Criterion codes the scoring rules do not know: not scored, so those referrals' scores may be too low.",
            lambda: cached_call(jarp_unknown_criteria, db, filters),
            {"criterion": "Criterion code", "referrals": "Referrals"},
            ("referrals",),
            disclosure,
        ),
    ]


def methods(tiles: Sequence[Any], disclosure: Disclosure) -> dict:
    """How the pack's figures are made: the disclosure rules and each rating's standard and rule (what
    each page measures is its lede, printed under its heading)."""
    return {
        "disclosure": disclosure.note,
        "ratings": [{"label": t.label, "standard": t.standard or "", "rule": t.rule or "Not rated"} for t in tiles],
    }


# --------------------------------------------------------------------------- contents


def contents(pages: list[dict]) -> list[TocEntry]:
    """The contents: summary, each page and its titled sections, the appendix (numbered for markers)."""
    entries = [TocEntry(1, 1, "Summary", "pack-summary")]
    n = 1
    for p in pages:
        n += 1
        p["toc"] = n
        entries.append(TocEntry(n, 1, p["name"], f"pack-page-{p['slug']}"))
        for s in p["sections"]:
            if s["title"]:
                n += 1
                s["toc"] = n
                entries.append(TocEntry(n, 2, s["title"], s["anchor"]))
            else:
                s["toc"] = None
    entries.append(TocEntry(n + 1, 1, "Methods", "pack-methods"))
    entries.append(TocEntry(n + 2, 1, "Appendix: data quality", "pack-appendix"))
    return entries


def gather(db, filters: Filters) -> PackContent:
    """Compute everything the pack prints (sections, tiles, summary, appendix) for ``filters``."""
    threshold = db.standards.suppress_below
    disclosure = Disclosure(threshold=threshold, active=True)
    pages, tiles, missing = collect(db, filters)
    if not tiles:
        tiles = summary_mod.fallback_tiles(db, filters)
    toc = contents(pages)
    charts = sum(
        1
        for p in pages
        for s in p["sections"]
        for b in s["blocks"]
        for c in (b["charts"] if b["kind"] == "pair" else [b])
        if c["kind"] == "chart" and c["html"]
    )
    week = summary_mod.week_lines(db, view_for(db, filters))
    return PackContent(
        pages=pages,
        tiles=tiles,
        toc=toc,
        summary=summary_mod.summarise(tiles, pages, toc, week),
        appendix=appendix(db, filters, disclosure),
        methods=methods(tiles, disclosure),
        charts=charts,
        threshold=threshold,
        missing=missing,
    )


# --------------------------------------------------------------------------- the HTML


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(PACK_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal (for the footer's margin box)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def render(
    content: PackContent,
    *,
    title: str,
    as_at_text: str,
    teams_text: str,
    services_text: str,
    synthetic: bool,
    print_marks: bool = False,
    produced: str | None = None,
    plots: bool = True,
) -> str:
    """The pack's HTML. ``print_marks`` adds the invisible markers the PDF's page numbering reads;
    ``plots=False`` puts an empty box of each plot's size in its place, without plotly.js (a draft
    print that only places the headings: the layout is the same, since every plot has a fixed size)."""

    def mark(kind: str, n, inline: bool = False) -> Markup:
        """An invisible marker; ``inline`` keeps it in the text flow, so the PDF's text has it just before
        what follows (a contents entry's page number), not at the end of the page."""
        if not print_marks or n is None:
            return Markup("")
        return Markup(f'<span class="pk-m{"i" if inline else ""}" aria-hidden="true">PKM{kind}{int(n)}Q</span>')

    footer = f"{title} board pack, as at {as_at_text}" + (" · synthetic demo data" if synthetic else "")
    css = (PACK_DIR / "pack.css").read_text(encoding="utf-8")
    return (
        _environment()
        .get_template("pack.html.j2")
        .render(
            title=title,
            as_at_text=as_at_text,
            teams_text=teams_text,
            services_text=services_text,
            produced=produced or f"{datetime.now():%-d %B %Y %H:%M}",
            synthetic=synthetic,
            c=content,
            threshold=content.threshold,
            css=css,
            footer_css=_css_string(footer),
            mark=mark,
            paged=any(e.page for e in content.toc),
            print_marks=print_marks,
            plots=plots,
            plotlyjs=get_plotlyjs() if content.charts and plots else "",
        )
    )


def kinds_by_page(page_texts: Iterable[str]) -> list[set[str]]:
    """The kinds of marker on each page of the PDF (``s`` heading, ``c`` chart title, ``p`` plot, ``e``
    end of a chart block, ``k`` start of another block, ``r`` table row)."""
    return [{m.group(1) for m in MARK_RE.finditer(text or "")} for text in page_texts]


def marks_by_page(page_texts: Iterable[str]) -> dict[tuple[str, int], int]:
    """(kind, n) -> 1-based page number of each marker found in the PDF's pages' text (first occurrence)."""
    found: dict[tuple[str, int], int] = {}
    for number, text in enumerate(page_texts, start=1):
        for m in MARK_RE.finditer(text or ""):
            found.setdefault((m.group(1), int(m.group(2))), number)
    return found


__all__ = [
    "gather",
    "render",
    "collect",
    "appendix",
    "contents",
    "page_specs",
    "marks_by_page",
    "kinds_by_page",
    "view_for",
    "PackContent",
    "TocEntry",
    "MARK_RE",
    "MISSING_PAGE",
]
