"""The board pack (issues 8 and 12): built from the pages' sections, on the demo database.

Two packs are written once per module through the CLI entry point (``dashboard.cli.main``): the
whole authority, and one team (Demo Assessment, T01) whose counts are small. The tests read the
files as a director's reader would get them. The PDF is tested in ``tests/test_pack_pdf.py``.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sqlite3
import sys
from datetime import date
from html import unescape
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from markupsafe import escape

from dashboard.cli import main
from dashboard.pack import build, button, export, pdf
from dashboard.sections.base import Chart, Note, PageSpec, Section, Table, Tile
from data_layer import Filters, connect, data_quality, latest_date, transfer_exclusions

SMALL_TEAM = "T01"
AS_AT = "2023-03-31"


@pytest.fixture(scope="module")
def demo_path() -> Path:
    from data_layer.demo import ensure_demo

    return ensure_demo()


@pytest.fixture(scope="module")
def demo_url(demo_path) -> str:
    return f"sqlite:///{demo_path}"


@pytest.fixture(scope="module")
def pack(tmp_path_factory, demo_url) -> str:
    out = tmp_path_factory.mktemp("pack") / "pack.html"
    assert main(["export", "--as-at", AS_AT, "--out", str(out), "--database", demo_url]) == 0
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def team_pack(tmp_path_factory, demo_url) -> str:
    out = tmp_path_factory.mktemp("pack") / "team.html"
    assert main(["export", "--as-at", AS_AT, "--teams", SMALL_TEAM, "--out", str(out), "--database", demo_url]) == 0
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def demo_sections(demo_url) -> dict[str, list[Section]]:
    """Every page's sections in presentation mode, computed here as the pages compute them."""
    from dashboard.sections import PAGE_MODULES, all_sections, page

    db = connect(demo_url)
    try:
        view = build.view_for(db, Filters(as_at=date.fromisoformat(AS_AT)))
        return {key: all_sections(page(key), db, view) for key in PAGE_MODULES}
    finally:
        db.dispose()


def _without_plotlyjs(text: str) -> str:
    """The pack minus the inlined plotly.js library (the only script over 100 kB)."""
    return re.sub(r"<script type=\"text/javascript\">.{100000,}?</script>", "", text, count=1, flags=re.S)


def _figures(text: str) -> list[dict]:
    """Every chart's data and layout, decoded from its ``Plotly.newPlot(id, data, layout, config)`` call."""
    decoder = json.JSONDecoder()
    figures = []
    for m in re.finditer(r"Plotly\.newPlot\(\s*\"([^\"]+)\",\s*", text):
        data, end = decoder.raw_decode(text, m.end())
        layout, _ = decoder.raw_decode(text, re.match(r",\s*", text[end:]).end() + end)
        figures.append({"id": m.group(1), "data": data, "layout": layout})
    return figures


def _articles(text: str) -> dict[str, str]:
    return dict(
        re.findall(r"<article class=\"pack-chart[^\"]*\" id=\"pack-chart-([^\"]+)\">(.*?)</article>", text, flags=re.S)
    )


def _count_cells(text: str) -> list[str]:
    return [
        unescape(re.sub(r"<[^>]+>", "", c)).strip()
        for c in re.findall(
            r"<(?:td|span|th)[^>]*class=\"[^\"]*pack-count[^\"]*\"[^>]*>(.*?)</(?:td|span|th)>", text, flags=re.S
        )
    ]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


# --------------------------------------------------------------------------- the file


def test_pack_is_one_offline_html_file_with_every_section(pack):
    body = _without_plotlyjs(pack)
    assert pack.startswith("<!DOCTYPE html>")
    # plotly.js is inlined exactly once and nothing is fetched from the network.
    assert pack.count("plotly.js v") == 1
    assert "&#34;" not in pack[:200_000] and '"Segoe UI"' in pack  # style and library are not HTML-escaped
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"(https?:)?//", body)
    assert "cdn.plot.ly" not in body
    # Cover: date, filters, synthetic-data statement.
    assert "31 March 2023" in body and "All teams" in body and "All services" in body
    assert "Synthetic demo data" in body
    # Summary, contents, the overview tiles, each page, methods and the appendix, in that order.
    order = [
        "pack-cover",
        "pack-summary",
        "pack-contents",
        "pack-page-overview",
        "pack-page-caseloads",
        "pack-page-plan-durations",
        "pack-page-cin-pilot",
        "pack-page-transfers",
        "pack-page-jarp-queue",
        "pack-methods",
        "pack-appendix",
    ]
    positions = [body.index(f'id="{anchor}"') for anchor in order]
    assert positions == sorted(positions)
    assert body.count('class="pack-tile"') >= 12
    charts = len(_articles(body))
    assert charts >= 20
    assert len(_figures(body)) == body.count('class="pack-figure pack-plot"') >= 20
    assert "pack-problem" not in body.replace(".pack-problem", ""), "a page or section could not be prepared"
    # The HTML has no print markers (only the PDF's print carries them).
    assert "PKM" not in body


def test_pack_shows_exactly_the_sections_of_every_page(pack, demo_sections):
    """Built from ``sections()``: every chart of every page is in the pack with its title, finding (or the
    reason it is empty) and note; child-level tables and ``pack=False`` sections are not."""
    body = _without_plotlyjs(pack)
    articles = _articles(body)
    figures = {f["id"]: f for f in _figures(body)}
    charts = [
        c
        for sections in demo_sections.values()
        for s in sections
        if s.pack and not s.problem
        for c in s.items
        if isinstance(c, Chart)
    ]
    assert len(charts) >= 20
    assert set(articles) == {c.id for c in charts}
    for c in charts:
        article = articles[c.id]
        text = _text(article)
        assert re.search(r"<h4>(.*?)</h4>", article, re.S).group(1).strip() == str(escape(c.title)), c.id
        if c.empty:
            assert "pack-empty" in article and "pack-finding" not in article and f"pack-graph-{c.id}" not in figures
            assert _text(str(escape(c.empty))) in text
        else:
            assert f"pack-graph-{c.id}" in figures
            if c.finding and c.finding.strip(". ").lower() not in c.title.lower():
                assert _text(str(escape(c.finding))) in text
    for sections in demo_sections.values():
        for s in sections:
            for t in s.items:
                if isinstance(t, Table) and (t.child_level or not s.pack):
                    assert f'id="pack-table-{t.id}"' not in body, t.id


def test_each_chart_title_is_printed_once_and_the_legend_is_under_the_plot(pack):
    body = _without_plotlyjs(pack)
    for fig in _figures(body):
        layout = fig["layout"]
        assert not (layout.get("title") or {}).get("text"), fig["id"]  # the block prints the title
        assert layout["width"] in (1000, 480) and 300 <= layout["height"] <= 540
        legend = layout.get("legend") or {}
        if legend.get("orientation") == "h":
            assert legend["yref"] == "container" and legend["y"] == 0 and legend["yanchor"] == "bottom"
            assert layout["margin"]["b"] >= 80
        # No caption is left under the plot to meet the legend or be cut at the figure's edge.
        assert not [
            a
            for a in layout.get("annotations") or ()
            if a.get("yref") == "paper"
            and a.get("y", 0) < 0
            and a.get("showarrow") is False
            and a.get("xref", "").startswith("paper")
        ]


def test_summary_lists_the_red_tiles_and_the_rag_counts(pack, demo_sections):
    body = _without_plotlyjs(pack)
    tiles = [t for s in demo_sections["overview"] for t in s.items if isinstance(t, Tile)]
    summary = re.search(r'<section class="pack-page pack-summary" id="pack-summary">(.*?)</section>', body, re.S).group(
        1
    )
    for rag in ("red", "amber", "green"):
        n = re.search(rf'id="pack-rag-count-{rag}"><span class="pack-rag-n">(\d+)</span>', summary).group(1)
        assert int(n) == sum(1 for t in tiles if t.rag == rag)
    red = re.search(r'id="pack-summary-red">(.*?)</div>', summary, re.S).group(1)
    assert [t.label for t in tiles if t.rag == "red"] == [unescape(x) for x in re.findall(r"<strong>(.*?): ", red)]
    findings = re.findall(
        r"<li><strong>(.*?): ", re.search(r'id="pack-summary-findings">(.*?)</div>', summary, re.S).group(1)
    )
    ranked = [t.label for t in tiles if t.rag == "red"] + [t.label for t in tiles if t.rag == "amber"]
    assert [unescape(f) for f in findings] == ranked[:3]


def test_no_child_id_or_worker_name_anywhere_in_the_pack(pack, demo_path):
    """PRIVACY: no child id and no worker name of the demo database occurs anywhere in the file.

    Searched in the whole file (visible text, chart JSON with its hover text and customdata, and
    the inlined library). Matching is by whole token: an id must not be preceded or followed by a
    letter, digit or underscore, so that C0000001 is not falsely "found" inside C00000012, and a
    name such as "Jo" is not found inside "Jones". Worker names are matched as the full name.
    """
    with sqlite3.connect(demo_path) as con:
        child_ids = {r[0] for r in con.execute("SELECT child_id FROM children") if r[0]}
        worker_names = {r[0] for r in con.execute("SELECT worker_name FROM workers") if r[0]}
    assert len(child_ids) > 4000 and len(worker_names) > 20
    tokens = set(re.findall(r"[A-Za-z0-9_]+", pack))
    assert not [i for i in child_ids if str(i) in tokens]
    assert not [n for n in worker_names if re.search(rf"(?<![A-Za-z0-9_]){re.escape(n)}(?![A-Za-z0-9_])", pack)]
    # And the pack says "Worker n" where a page would name someone.
    assert "Worker 1" in _without_plotlyjs(pack)


def test_small_counts_are_suppressed_in_a_one_team_pack(team_pack):
    body = _without_plotlyjs(team_pack)
    assert "Demo Assessment (Assessment)" in body
    cells = _count_cells(body)
    assert len(cells) > 12
    small = [c for c in cells if re.fullmatch(r"[1-4]", c)]
    assert not small, f"counts 1..4 printed: {small}"
    # Demo Assessment has fewer than 5 children without a key worker: its tile says so.
    tiles = re.findall(r"<div class=\"pack-tile-label\">(.*?)</div>\s*<div><span[^>]*>(.*?)</span>", body, re.S)
    assert ("Children without a qualified key worker", "&lt;5") in [(unescape(a).strip(), b) for a, b in tiles]
    # Chart labels (text drawn on bars and hover text) never show a bare count of 1..4 either.
    for fig in _figures(body):
        for trace in fig["data"]:
            for key in ("text", "hovertext"):
                values = trace.get(key)
                values = values if isinstance(values, list) else [values]
                assert not [v for v in values if isinstance(v, (str, int)) and re.fullmatch(r"[1-4]", str(v))], (
                    fig["id"],
                    key,
                )


def test_appendix_lists_the_demo_bad_rows_suppressed(pack, demo_url):
    db = connect(demo_url)
    try:
        bad = data_quality(db)
        excluded = transfer_exclusions(db, Filters(as_at=latest_date(db)))
    finally:
        db.dispose()
    table = re.search(r"<table id=\"pack-table-bad-rows\">(.*?)</table>", pack, re.S).group(1)
    rows = [
        [unescape(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
        for r in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    ]
    assert len(rows) == len(bad) == 32
    assert {(r[0], r[2]) for r in rows} == set(zip(bad["table"], bad["column"], strict=False))
    # Every demo bad-row count is 1 or 2, so every one shows as "<5"; table sizes are exact.
    assert set(bad["rows"]) <= {1, 2} and {r[4] for r in rows} == {"<5"}
    assert [
        "children",
        "Duplicate ids (rows beyond the first with the same id)",
        "child_id",
        "rows beyond the first with the same id",
        "<5",
        "5,001",
    ] in rows
    assert ["transfers", "Unknown codes", "status", "cancelled", "<5", "2,780"] in rows
    # The transfers page's own exclusions: 19 declined requests.
    assert int(excluded["rows"].sum()) == 19
    assert re.search(
        r"<td>declined: no transfer took place to time</td><td>all transfer figures</td>"
        r"<td class=\"pack-count\">19</td>",
        pack,
    )


def test_methods_give_each_tile_its_standard_and_rating_rule(pack, demo_sections):
    body = _without_plotlyjs(pack)
    table = re.search(r"<table id=\"pack-table-ratings\">(.*?)</table>", body, re.S).group(1)
    tiles = [t for s in demo_sections["overview"] for t in s.items if isinstance(t, Tile)]
    rows = re.findall(r"<tr><td>(.*?)</td>", table, re.S)
    assert [unescape(r) for r in rows] == [t.label for t in tiles]


# --------------------------------------------------------------------------- built from sections()


def _fake_part(db, view) -> list[Section]:
    """A part whose every kind of value the pack must render by its rules."""
    fig = go.Figure(go.Bar(x=["a", "b"], y=[5, 7], name="Bars"), layout=dict(title=dict(text="Figure title")))
    fig.add_trace(go.Scatter(x=["a", "b"], y=[6, 6], name="Line"))
    fig.add_annotation(text="Caption under the plot", x=0.5, y=-0.3, xref="paper", yref="paper", showarrow=False)
    return [
        Section(
            id="fake-charts",
            title="Section the test made",
            lede="Lede of the test section",
            items=(
                Note(id="fake-lead", text="A note before the chart"),
                Chart(
                    id="fake-chart",
                    title="Chart title the test made",
                    figure=fig,
                    table=pd.DataFrame(),
                    finding="Finding the test made",
                    note="Note under the test chart",
                ),
                Note(id="fake-after", text="A note after the chart"),
                Chart(
                    id="fake-empty",
                    title="Empty chart the test made",
                    figure=go.Figure(),
                    table=pd.DataFrame(),
                    finding="From 100% in June 2022 to 100% in June 2022",
                    empty="Nothing to draw: the test said so",
                ),
                Chart(
                    id="fake-same",
                    title="Finding equal to the title",
                    figure=fig,
                    table=pd.DataFrame(),
                    finding="Finding equal to the title.",
                ),
                Tile(id="fake-tile", label="Tile the test made", value="<5", rag="red", rag_label="▲ Red"),
                Table(
                    id="fake-children",
                    title="Child-level list",
                    rows=pd.DataFrame({"child": ["C9999999"]}),
                    columns=[{"field": "child"}],
                    child_level=True,
                ),
                Table(
                    id="fake-aggregate",
                    title="Aggregate table",
                    rows=pd.DataFrame({"team": ["X"], "n": [12]}),
                    columns=[{"field": "team", "headerName": "Team"}, {"field": "n", "headerName": "Plans"}],
                    child_level=False,
                ),
            ),
        ),
        Section(
            id="fake-hidden", title="Section kept off the pack", items=(Note(id="h", text="hidden note"),), pack=False
        ),
        Section(id="fake-problem", title="Section that failed", problem="The test's part could not be read."),
    ]


@pytest.fixture
def fake_pack(monkeypatch, demo_url):
    """A pack whose only page is one the test made (quick: no real page is computed)."""
    spec = PageSpec(key="fake", path="/fake", name="Fake page", parts=(("body", _fake_part),), lede="Fake lede")
    monkeypatch.setattr(build, "page_specs", lambda: [("fake", spec), ("transfers", None)])
    db = connect(demo_url)
    try:
        return build_html(db)
    finally:
        db.dispose()


def build_html(db) -> str:
    return _without_plotlyjs(export.build_pack(db, Filters(as_at=date.fromisoformat(AS_AT))))


def test_pack_renders_section_values_by_its_rules(fake_pack):
    body = fake_pack
    assert 'id="pack-page-fake-page"' in body and "Fake lede" in body
    assert "Section the test made" in body and "Lede of the test section" in body
    chart = _articles(body)["fake-chart"]
    # Title once (in the block, not in the figure), finding, the note, notes before and after, the caption.
    assert _text(body).count("Chart title the test made") == 1 and "Figure title" not in body
    for text in (
        "Finding the test made",
        "Note under the test chart",
        "A note before the chart",
        "A note after the chart",
        "Caption under the plot",
    ):
        assert text in chart, text
    (fig,) = [f for f in _figures(body) if f["id"] == "pack-graph-fake-chart"]
    assert fig["layout"]["legend"]["yref"] == "container" and not fig["layout"].get("annotations")
    # An empty chart says why, prints no finding and draws nothing.
    empty = _articles(body)["fake-empty"]
    assert "Nothing to draw: the test said so" in empty and "100% in June 2022" not in empty
    assert "pack-graph-fake-empty" not in body
    # A finding that only repeats the title is not printed twice.
    assert _text(_articles(body)["fake-same"]).count("Finding equal to the title") == 1
    assert "Tile the test made" in body
    # Child-level tables never appear; aggregate ones do; pack=False sections are left out.
    assert "C9999999" not in body and "Child-level list" not in body
    assert "Aggregate table" in body and re.search(r'<td class="pack-num">12</td>', body)
    assert "Section kept off the pack" not in body and "hidden note" not in body
    # A section's problem is shown as a message.
    assert "The test&#39;s part could not be read." in body
    # A page whose sections module does not import is left out with a line saying so.
    assert 'id="pack-page-transfers"' in body and build.MISSING_PAGE in body
    assert "Not in this pack: Transfers" in body


def test_a_monkeypatched_part_appears_in_the_pack_and_no_callback_runs(monkeypatch, demo_url):
    """The pack is built from ``sections()``: change a part and the pack changes; no Dash callback runs."""
    from dashboard import sections, views
    from tests.apps import make_app

    spec = sections.page("caseloads")

    def extra(db, view):
        return [
            Section(
                id="extra",
                title="Part added by the test",
                items=(
                    Note(
                        id="extra-note", text=f"Presentation {view.presentation}, threshold {view.disclosure.threshold}"
                    ),
                ),
            )
        ]

    monkeypatch.setattr(
        sys.modules["dashboard.sections.caseloads"],
        "PAGE",
        dataclasses.replace(spec, parts=spec.parts + (("extra", extra),)),
    )
    app = make_app(db=connect(demo_url))
    ran, wrapped = [], []
    for out, entry in app.callback_map.items():
        if "callback" in entry:  # clientside callbacks have none
            original = entry["callback"]
            entry["callback"] = lambda *a, _o=original, **k: ran.append(_o) or _o(*a, **k)
            wrapped.append(out)
    assert any(out.startswith("caseloads-") for out in wrapped)  # the page's own callbacks are there

    def no_render(*_args, **_kwargs):
        raise AssertionError("the pack rendered a page callback")

    monkeypatch.setattr(views, "render_part", no_render)
    with app.server.app_context():
        db = app.server.extensions["csc_insight"].db
        body = _without_plotlyjs(export.build_pack(db, Filters(as_at=date.fromisoformat(AS_AT), teams=(SMALL_TEAM,))))
    assert "Part added by the test" in body
    assert "Presentation True, threshold 5" in body  # always presentation mode, the standards' threshold
    assert not ran


# --------------------------------------------------------------------------- CLI errors and helpers


def test_unknown_team_is_an_error_and_writes_nothing(tmp_path, demo_url, capsys):
    out = tmp_path / "pack.html"
    assert main(["export", "--teams", "NOPE", "--out", str(out), "--database", demo_url]) == 2
    assert not out.exists()
    assert "Unknown team 'NOPE'" in capsys.readouterr().err


def test_pdf_without_chromium_says_what_is_missing(tmp_path, monkeypatch, demo_url, capsys):

    monkeypatch.setattr(pdf, "find_chromium", lambda: None)
    page = tmp_path / "p.html"
    page.write_text("<p>x</p>")
    with pytest.raises(export.ExportError, match="needs Chromium"):
        pdf.html_to_pdf(page, tmp_path / "p.pdf")
    out = tmp_path / "pack.pdf"
    assert main(["export", "--out", str(out), "--database", demo_url]) == 1
    assert not out.exists() and "needs Chromium" in capsys.readouterr().err


def test_marks_are_read_page_by_page():
    texts = ["cover", "Summary PKMs1Q PKMk0Q", "PKMc3Q title PKMp3Q PKMe3Q PKMt1Q2", "PKMc4Q"]
    assert build.marks_by_page(texts) == {
        ("s", 1): 2,
        ("k", 0): 2,
        ("c", 3): 3,
        ("p", 3): 3,
        ("e", 3): 3,
        ("t", 1): 3,
        ("c", 4): 4,
    }
    assert build.kinds_by_page(texts) == [set(), {"s", "k"}, {"c", "p", "e", "t"}, {"c"}]


def test_board_pack_button_shows_a_message_when_the_export_fails(demo_url, monkeypatch):
    from dash import no_update

    from data_layer import DatabaseError
    from tests.apps import make_app

    app = make_app(db=connect(demo_url))

    def failing(*_args, **_kwargs):
        raise DatabaseError("The database could not answer (OperationalError).")

    monkeypatch.setattr(export, "build_pack", failing)
    store = {"as_at": AS_AT, "services": [], "teams": [], "presentation": False, "notices": []}
    with app.server.test_request_context("/"):
        download, message = button.pack_download(1, store)
    assert download is no_update
    assert message.id == "shell-pack-error"
    assert "The board pack could not be made. The database could not answer" in str(message.children)
