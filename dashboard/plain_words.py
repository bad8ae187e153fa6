"""Plain words on screen: glossary terms linked on first use, the glossary page and the sources page.

:func:`link_terms` turns a page's lede into text and links: the first time a glossary term
(``data_layer.glossary``) appears, it becomes an ``<abbr>`` spelling out the abbreviation and
linking to its entry on ``/glossary``; the link is a shell link, so it keeps the filters' query
string like the navbar does. :func:`glossary_view` and :func:`sources_view` are the two pages'
content, drawn from the glossary and the standards registry (nothing typed twice), so an
authority's standards file changes both.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from data_layer.glossary import TERMS, GlossaryTerm, glossary_terms
from data_layer.standards import Standard, Standards
from data_layer.vocabulary import glossary as code_glossary
from data_layer.vocabulary import render

from .context import SHELL_LINK

GLOSSARY_PATH = "/glossary"
SOURCES_PATH = "/sources"


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], GlossaryTerm], ...]:
    """One whole-word pattern per spelling; an all-capitals spelling (CIN, CP) matches its case only."""
    out = []
    for t in TERMS:
        for spelling in t.spellings:
            flags = 0 if spelling.isupper() else re.IGNORECASE
            out.append((re.compile(rf"(?<![\w-]){re.escape(spelling)}(?![\w-])", flags), t))
    return tuple(out)


def term_spans(text: str) -> list[tuple[int, int, GlossaryTerm]]:
    """(start, end, term) of each term's first use in ``text``, in order, never overlapping: where
    spellings overlap the longer wins ('child protection conference' is not 'CP' twice)."""
    found = sorted(
        (m.start(), -(m.end() - m.start()), m.end(), i, t)
        for i, (pattern, t) in enumerate(_patterns())
        for m in pattern.finditer(text)
    )
    spans: list[tuple[int, int, GlossaryTerm]] = []
    seen: set[str] = set()
    end = 0
    for start, _, stop, _, t in found:
        if start < end or t.key in seen:
            continue
        spans.append((start, stop, t))
        seen.add(t.key)
        end = stop
    return spans


def term_link(words: str, t: GlossaryTerm):
    """``words`` as an abbreviation linked to the term's glossary entry (the href keeps the filters)."""
    path = f"{GLOSSARY_PATH}#{t.anchor}"
    link = dcc.Link(words, href=path, id={"type": SHELL_LINK, "path": path}, className="glossary-link")
    return html.Abbr(link, title=t.meaning or t.term, className="glossary-term")


def link_terms(text: str) -> list[Any]:
    """``text`` as strings and :func:`term_link` components, each glossary term linked on first use."""
    out: list[Any] = []
    pos = 0
    for start, stop, t in term_spans(text):
        if start > pos:
            out.append(text[pos:start])
        out.append(term_link(text[start:stop], t))
        pos = stop
    if pos < len(text):
        out.append(text[pos:])
    return out


# --------------------------------------------------------------------------- the glossary page


def glossary_view(standards: Standards) -> html.Div:
    """Every term (anchor ``glossary-<key>``), then every code the charts use, for the standards in force."""
    entries = []
    for g in glossary_terms(standards):
        heading = [html.Strong(g.term.term)] + ([f" ({g.term.meaning})"] if g.term.meaning else [])
        source = [html.Span(f" Source: {g.source}.", className="text-muted")] if g.source else []
        entries.append(
            html.Div([html.Dt(heading), html.Dd([g.definition, *source], className="mb-2")], id=g.term.anchor)
        )
    codes: dict[str, list] = {}
    for e in code_glossary(standards):
        codes.setdefault(e.vocabulary, []).append(html.Li([html.Strong(e.label), f": {e.description}"]))
    return html.Div(
        [
            html.Dl(entries, id="glossary-terms", className="glossary-terms"),
            html.H2("Codes on the charts and lists", className="h5 mt-4"),
            html.Div(
                [html.Div([html.H3(title, className="h6 mt-3"), html.Ul(items)]) for title, items in codes.items()],
                id="glossary-codes",
            ),
        ]
    )


# --------------------------------------------------------------------------- the sources page


#: Units said in words rather than as a number and a unit (the vocabulary's format specs).
_SAID = {"weekday (Mon=0)": "{s:weekday}", "hour": "{s:clock}", "proportion": "{s:percent}", "count": "{s}"}


def value_text(record: Standard, value: Any = None) -> str:
    """'25 children per FTE', 'Tuesday', '2pm', '95%', '1 point'."""
    value = record.value if value is None else value
    if record.unit in _SAID:
        return render(_SAID[record.unit], value)
    unit = record.unit[:-1] if value == 1 and record.unit.endswith("s") else record.unit
    return f"{value:g} {unit}"


def _value_cell(record: Standard, file_name: str | None) -> list:
    if not record.overridden:
        return [value_text(record)]
    return [
        html.Strong(value_text(record)),
        html.Span(f" ({file_name}; the document: {value_text(record, record.default)})", className="text-muted"),
    ]


def sources_view(standards: Standards) -> html.Div:
    """The practice documents, each with the standards taken from it and their values in force; a
    standards file's values are shown beside the document's."""
    file_name = Path(standards.source_file).name if standards.source_file else None
    blocks: list[Any] = []
    if file_name:
        changed = sorted(n for n in standards.overridden if n.startswith("jarp.points."))
        text = (
            f"This authority's standards file {file_name} is in use: {sum(r.overridden for r in standards.describe())} "
            "of the values below are its own, shown in bold beside the document's."
        )
        if changed:
            text += f" It also re-scores {len(changed)} JARP criteria."
        blocks.append(dbc.Alert(text, color="info", className="small py-2", id="sources-override"))
    for group in standards.by_document():
        rows = [
            html.Tr(
                [html.Td(r.description), html.Td(_value_cell(r, file_name)), html.Td(html.Code(r.name))],
                id=f"sources-row-{r.name}",
                className="sources-overridden" if r.overridden else None,
            )
            for r in group.standards
        ]
        table = dbc.Table(
            [
                html.Thead(html.Tr([html.Th("Standard"), html.Th("Value in force"), html.Th("Setting")])),
                html.Tbody(rows),
            ],
            size="sm",
            bordered=False,
            responsive=True,  # scrolls inside its own box on a phone (long setting names)
            className="small",
        )
        blocks.append(
            html.Section(
                [
                    html.H2(group.title, className="h5 mt-3 mb-1"),
                    html.P(group.note, className="text-muted small mb-2"),
                    table if rows else html.P("No standard is taken from it directly.", className="small"),
                ],
                id=f"sources-{group.key.replace(' ', '-')}",
            )
        )
    return html.Div(blocks, id="sources-documents")


__all__ = [
    "GLOSSARY_PATH",
    "SOURCES_PATH",
    "glossary_view",
    "link_terms",
    "sources_view",
    "term_link",
    "term_spans",
    "value_text",
]
