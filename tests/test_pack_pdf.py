"""The board pack as a PDF (issue 12): ``csc-dashboard export --out pack.pdf`` on the demo, printed once per module.

Read with pypdf, page by page, as a director's reader would get it. The print version carries
invisible markers (``PKM<kind><n>Q``, transparent 1 px text; ``dashboard.pack.build``) that say
which block landed on which page: ``s`` a contents heading, ``t`` a contents entry's page number,
``c`` a chart's title, ``p`` the end of its plot, ``e`` the end of its block, ``k`` the start of any
other block, ``r`` a table row.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from pathlib import Path

import pytest

from dashboard.cli import main
from dashboard.pack.build import MARK_RE, kinds_by_page, marks_by_page
from dashboard.pack.pdf import find_chromium, page_texts

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="PDF printing needs Chromium")

AS_AT = "2023-03-31"


@pytest.fixture(scope="module")
def demo_path() -> Path:
    from data_layer.demo import ensure_demo

    return ensure_demo()


@pytest.fixture(scope="module")
def pdf(tmp_path_factory, demo_path) -> Path:
    out = tmp_path_factory.mktemp("pdf") / "pack.pdf"
    assert main(["export", "--as-at", AS_AT, "--out", str(out), "--database", f"sqlite:///{demo_path}"]) == 0
    return out


@pytest.fixture(scope="module")
def texts(pdf) -> list[str]:
    """Each page's text, ligatures ("ﬁ") unfolded."""
    return [unicodedata.normalize("NFKC", t) for t in page_texts(pdf)]


@pytest.fixture(scope="module")
def marks(texts) -> dict[tuple[str, int], int]:
    return marks_by_page(texts)


def _visible(text: str) -> str:
    return MARK_RE.sub(" ", text)


def test_pdf_is_a4_landscape_with_a_cover_and_many_pages(pdf, texts):
    from pypdf import PdfReader

    assert pdf.read_bytes().startswith(b"%PDF-")
    reader = PdfReader(str(pdf))
    assert len(reader.pages) >= 20
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    assert "CSC Insight" in texts[0] and "31 March 2023" in texts[0] and "Synthetic demo data" in texts[0]


def test_every_page_but_the_cover_is_numbered_in_its_footer(texts):
    total = len(texts)
    assert not re.search(r"Page \d+ of \d+", texts[0])
    for number, text in enumerate(texts[1:], start=2):
        assert f"Page {number} of {total}" in text, number


def test_summary_page_shows_the_rag_counts_what_is_red_the_week_and_three_findings(texts, marks, demo_path):
    from datetime import date

    from dashboard.sections import all_sections, page
    from dashboard.sections.base import Tile, View
    from data_layer import Filters, connect

    assert marks[("s", 1)] == 2  # the summary is the page after the cover
    summary = _visible(texts[1])
    assert "Summary" in summary and "What is red" in summary and "What changed in the week" in summary
    assert "The three findings that matter most" in summary
    # The counts are the Overview tiles' ratings, as the Overview page computes them.
    db = connect(f"sqlite:///{demo_path}")
    try:
        view = View.make(
            Filters(as_at=date.fromisoformat(AS_AT)), presentation=True, threshold=db.standards.suppress_below
        )
        tiles = [t for s in all_sections(page("overview"), db, view) for t in s.items if isinstance(t, Tile)]
    finally:
        db.dispose()
    assert len(tiles) == 12
    for rag, word in (("red", "Red"), ("amber", "Amber"), ("green", "Green")):
        n = sum(1 for t in tiles if t.rag == rag)
        assert re.search(rf"\b{n}\s*[▲◆●]?\s*{word}\b", summary), (word, n)
    red = [t for t in tiles if t.rag == "red"]
    assert red, "the demo has red tiles"
    for t in red:
        assert t.label in re.sub(r"\s+", " ", summary)
    # Three numbered findings, each pointing to its page.
    assert len(re.findall(r"See page \d+", summary)) == min(3, len(red) + sum(1 for t in tiles if t.rag == "amber"))
    # The whole summary fits its page (its end marker is on it); the contents start on the next one.
    assert marks[("e", 0)] == 2
    assert "Contents" in texts[2]


def test_contents_page_numbers_are_the_pages_the_headings_are_on(texts, marks):
    headings = {n: p for (kind, n), p in marks.items() if kind == "s"}
    assert len(headings) >= 10
    contents = next(i for i, t in enumerate(texts) if "PKMt" in t)
    printed = {int(n): int(page) for n, page in re.findall(r"PKMt(\d+)Q\s*(\d+)", texts[contents])}
    assert printed == headings
    # Each dashboard page starts on a new page: its heading is the first heading of that page.
    for n, p in headings.items():
        assert p > contents + 1 or n == 1


def test_no_chart_is_split_from_its_title(marks):
    charts = sorted(n for kind, n in marks if kind == "c")
    assert len(charts) >= 20
    for n in charts:
        title = marks[("c", n)]
        assert marks[("e", n)] == title, f"chart block {n} runs from page {title} to {marks[('e', n)]}"
        if ("p", n) in marks:  # empty charts draw no plot
            assert marks[("p", n)] == title, f"chart {n}: title on page {title}, plot on {marks[('p', n)]}"


def test_no_page_holds_only_a_note_or_only_a_heading(texts):
    """Every page after the cover starts or holds a block (a chart, tiles, a table row, a summary part)."""
    for number, kinds in enumerate(kinds_by_page(texts), start=1):
        if number == 1:
            continue
        shown = _visible(texts[number - 1])[:200]
        assert kinds & {"c", "k", "r"}, f"page {number} holds no chart, table or block: {shown!r}"


def test_no_child_id_or_worker_name_in_the_pdf(texts, demo_path):
    with sqlite3.connect(demo_path) as con:
        child_ids = {r[0] for r in con.execute("SELECT child_id FROM children") if r[0]}
        worker_names = {r[0] for r in con.execute("SELECT worker_name FROM workers") if r[0]}
    everything = "\n".join(texts)
    tokens = set(re.findall(r"[A-Za-z0-9_]+", everything))
    assert not [i for i in child_ids if str(i) in tokens]
    assert not [n for n in worker_names if n in everything]
    assert "Worker 1" in everything
