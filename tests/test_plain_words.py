"""Plain words: the glossary, terms linked on first use, sources by title, the sources page, method notes."""

from __future__ import annotations

import dataclasses
import re

import pytest
from dash import dcc, html

from dashboard.figures.common import standard_label
from dashboard.plain_words import glossary_view, link_terms, sources_view, term_spans
from dashboard.sections import all_sections, pages
from dashboard.sections.base import Chart, Note, View
from dashboard.shell import _with_query
from data_layer import Filters
from data_layer.glossary import TERMS, glossary_terms
from data_layer.queries.reference import latest_date
from data_layer.standards import Standards, cite, load_standards, source_of, standard_fields
from tests.disclosure_walk import section_texts

#: The terms issue 18 asks the glossary to spell out (by anchor key).
REQUIRED = (
    "cin", "cp", "cla", "jarp", "p1", "p2", "p3", "tm", "sm", "icpc", "rcpc", "step-down", "fte", "nqsw", "ssd",
    "rag", "as-at-date", "drift", "caseload", "unallocated", "kaplan-meier", "difference-in-differences",
    "presentation-mode",
)  # fmt: skip


def _texts(node) -> str:
    """Every string in a component tree, in order."""
    if isinstance(node, str):
        return node
    if isinstance(node, (list, tuple)):
        return "".join(_texts(n) for n in node)
    children = getattr(node, "children", None)
    return _texts(children) if children is not None else ""


def _find(node, id_):
    if isinstance(node, (list, tuple)):
        return next((f for f in (_find(n, id_) for n in node) if f is not None), None)
    if getattr(node, "id", None) == id_:
        return node
    children = getattr(node, "children", None)
    return _find(children, id_) if children is not None and not isinstance(children, str) else None


# --------------------------------------------------------------------------- the glossary


def test_every_required_term_is_defined_once_with_a_unique_anchor():
    keys = [t.key for t in TERMS]
    assert set(REQUIRED) <= set(keys)
    anchors = [t.anchor for t in TERMS]
    assert len(set(anchors)) == len(anchors) and all(re.fullmatch(r"glossary-[a-z0-9-]+", a) for a in anchors)
    spellings = [s.lower() if not s.isupper() else s for t in TERMS for s in t.spellings]
    assert len(set(spellings)) == len(spellings), "a spelling would link to two terms"
    for g in glossary_terms():
        assert g.definition and "{" not in g.definition, g.term.key
        assert g.term.meaning or g.term.term[0].isupper()


def test_the_glossary_states_the_standards_in_force():
    default = {g.term.key: g.definition for g in glossary_terms(Standards())}
    assert "11 points or more" in default["p1"] and "every 42 days" in default["cin"]
    assert "Tuesdays" in default["jarp"] and "by 2pm on Friday" in default["jarp"]
    other = dataclasses.replace(Standards(), jarp_p1_min_points=12, cin_review_days=28, jarp_cutoff_hour=12)
    changed = {g.term.key: g.definition for g in glossary_terms(other)}
    assert "12 points or more" in changed["p1"] and "every 28 days" in changed["cin"]
    assert "by noon on Friday" in changed["jarp"] and "11 points" not in changed["p1"]


def test_the_glossary_page_has_an_entry_per_term_and_the_codes():
    view = glossary_view(Standards())
    for t in TERMS:
        entry = _find(view, t.anchor)
        assert entry is not None, t.anchor
        assert t.term in _texts(entry)
    assert "Cluster group presentation" in _texts(_find(view, "glossary-fte"))  # its source, by title
    assert "CIN review overdue" in _texts(_find(view, "glossary-codes"))


# --------------------------------------------------------------------------- first use linked


def _links(parts) -> list[tuple[str, str]]:
    out = []
    for p in parts:
        if isinstance(p, html.Abbr):
            link = p.children
            assert isinstance(link, dcc.Link) and link.id["path"] == link.href
            out.append((link.children, link.href))
    return out


def test_a_term_is_linked_on_its_first_use_only():
    parts = link_terms("CIN and CP plans, CIN reviews")
    assert _links(parts) == [("CIN", "/glossary#glossary-cin"), ("CP", "/glossary#glossary-cp")]
    assert _texts(parts) == "CIN and CP plans, CIN reviews"  # the words are unchanged
    assert parts[0].title == "Child in need"
    assert parts[-1] == " plans, CIN reviews"


def test_the_longest_spelling_wins_and_words_are_whole():
    assert [t.key for *_, t in term_spans("a child in need, a CIN plan")] == ["cin"]
    assert [(s, e) for s, e, _ in term_spans("a child in need")] == [(2, 15)]
    assert term_spans("CINEMA, cp, MCP, P10") == []  # not inside a word; an abbreviation keeps its case
    spans = term_spans("The next Joint Allocation Resource Panel's agenda, by the as-at date")
    assert [t.key for *_, t in spans] == ["jarp", "as-at-date"]
    assert _links(link_terms("CP step-down CIN"))[1] == ("step-down", "/glossary#glossary-step-down")


def test_every_page_lede_links_its_terms():
    s = Standards()
    linked = {spec.key: [h for _, h in _links(link_terms(spec.intro(s)))] for spec in pages()}
    assert "/glossary#glossary-fte" in linked["caseloads"] and "/glossary#glossary-key-worker" in linked["caseloads"]
    assert {"/glossary#glossary-cin", "/glossary#glossary-cp", "/glossary#glossary-drift"} <= set(linked["plans"])
    assert "/glossary#glossary-jarp" in linked["jarp"]
    assert "/glossary#glossary-working-days" in linked["transfers"]


def test_a_shell_link_keeps_the_query_before_its_fragment():
    assert _with_query("/glossary#glossary-cin", "?as_at=2023-03-31") == "/glossary?as_at=2023-03-31#glossary-cin"
    assert _with_query("/plans", "?team=T01") == "/plans?team=T01"
    assert _with_query("/glossary#glossary-cp", "") == "/glossary#glossary-cp"


# --------------------------------------------------------------------------- sources by title


@pytest.mark.parametrize(
    "code,text",
    [
        ("000", "Cluster group presentation"),
        ("003 App. B", "Reclaim Social Work, Appendix B"),
        ("003 3.6", "Reclaim Social Work, Section 3, JARP"),
        ("004 App. 4", "Protocol for Case Management, Workflow and Transfers, Appendix 4"),
        ("003/004", "Reclaim Social Work and Protocol for Case Management, Workflow and Transfers"),
        ("national indicator", "national indicator"),
        ("Reclaim Social Work", "Reclaim Social Work"),  # citing a title again changes nothing
    ],
)
def test_a_citation_names_its_document_by_title(code, text):
    assert cite(code) == text


def test_charts_and_standards_cite_titles():
    assert standard_label(25, "children per FTE", "000") == "Standard: 25 children per FTE (Cluster group presentation)"
    assert source_of("cin_review_days") == "Child in Need Practice Guidance"


def test_no_page_text_cites_a_bare_document_number(small_demo):
    """Ledes, titles, notes, standards and tiles name documents by title ('source 003 3.6' is gone)."""
    bare = re.compile(r"\bsources? 00\d|\(00\d|00\d App\.|\b00\d 3\.6")
    view = View.make(Filters(latest_date(small_demo)), presentation=False)
    found = []
    for spec in pages():
        found += [f"{spec.key} lede" for _ in bare.findall(spec.intro(small_demo.standards))]
        for where, text in section_texts(all_sections(spec, small_demo, view)):
            found += [f"{where}: {m}" for m in bare.findall(text)]
    assert not found


# --------------------------------------------------------------------------- the sources page


def test_the_sources_page_lists_every_standard_once_under_its_document():
    groups = Standards().by_document()
    assert [g.title for g in groups[:5]] == [
        "Cluster group presentation",
        "Child in Need Practice Guidance",
        "CIN Team Pathway",
        "Reclaim Social Work",
        "Protocol for Case Management, Workflow and Transfers",
    ]
    names = [r.name for g in groups for r in g.standards]
    assert sorted(names) == sorted(f.name for f in standard_fields())
    by_group = {r.name: g.key for g in groups for r in g.standards}
    assert by_group["caseload_per_fte"] == "000" and by_group["jarp_p1_min_points"] == "003"
    assert by_group["keyworker_changes_alert"] == "003" and by_group["cp_max_months"] == "national indicator"
    view = sources_view(Standards())
    assert _find(view, "sources-override") is None
    assert "25 children per FTE" in _texts(_find(view, "sources-row-caseload_per_fte"))


def test_the_sources_page_shows_an_override_beside_the_documents_value(tmp_path):
    path = tmp_path / "our-standards.toml"
    path.write_text("[standards]\ncaseload_per_fte = 22\n\n[jarp.points]\nschool_exclusion = 2\n")
    view = sources_view(load_standards(path))
    assert "our-standards.toml" in _texts(_find(view, "sources-override"))
    row = _texts(_find(view, "sources-row-caseload_per_fte"))
    assert "22 children per FTE" in row and "our-standards.toml" in row and "the document: 25 children per FTE" in row
    assert "our-standards.toml" not in _texts(_find(view, "sources-row-cin_review_days"))


# --------------------------------------------------------------------------- how this is worked out


METHOD_PAGES = ("caseloads", "plans", "transfers", "jarp")


@pytest.fixture(scope="module")
def page_sections(small_demo):
    view = View.make(Filters(latest_date(small_demo)), presentation=False)
    return {spec.key: all_sections(spec, small_demo, view) for spec in pages() if spec.key in METHOD_PAGES}


def _notes(sections) -> list[Note]:
    return [i for s in sections for i in s.items if isinstance(i, Note) and i.kind == "method"]


@pytest.mark.parametrize("key", METHOD_PAGES)
def test_each_page_has_one_method_note(page_sections, key):
    notes = _notes(page_sections[key])
    assert [n.id for n in notes] == [f"{key}-method"]
    assert "{" not in notes[0].text


def test_the_method_text_left_the_charts(page_sections):
    method = {k: _notes(v)[0].text for k, v in page_sections.items()}
    charts = {i.id: i for ss in page_sections.values() for s in ss for i in s.items if isinstance(i, Chart)}
    assert "censored" in method["plans"] and "censored" not in (charts["plans-km"].note or "")
    assert "bank holidays" in method["transfers"] and "bank holidays" not in (
        charts["transfers-working-days"].note or ""
    )
    assert "calendar days" in method["jarp"] and "calendar days" not in (charts["jarp-response-times"].note or "")
    assert "School exclusion: 1 point" in method["jarp"]
    assert "CIN review overdue" in method["plans"] and "(Child in Need Practice Guidance)" in method["plans"]
    assert "Standards: CIN reviews" not in (charts["plans-drift-teams"].note or "")
    assert "25 children x the worker's FTE" in method["caseloads"]
