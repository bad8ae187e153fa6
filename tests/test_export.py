"""The board pack (issue 8): ``csc-dashboard export`` on the demo database.

Two packs are written once per module through the CLI entry point (``dashboard.cli.main``): the
whole authority, and one team (Demo Assessment, T01) whose counts are small. The tests read the
files as a director's reader would get them.
"""
from __future__ import annotations

import json
import re
import sqlite3
from html import unescape
from pathlib import Path

import pytest

from dashboard import export
from dashboard.cli import main
from data_layer import Filters, connect, data_quality, latest_date, transfer_exclusions

SMALL_TEAM = "T01"


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
    assert main(["export", "--as-at", "2023-03-31", "--out", str(out), "--database", demo_url]) == 0
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def team_pack(tmp_path_factory, demo_url) -> str:
    out = tmp_path_factory.mktemp("pack") / "team.html"
    assert main(["export", "--as-at", "2023-03-31", "--teams", SMALL_TEAM, "--out", str(out),
                 "--database", demo_url]) == 0
    return out.read_text(encoding="utf-8")


def _without_plotlyjs(text: str) -> str:
    """The pack minus the inlined plotly.js library (the only script over 100 kB)."""
    return re.sub(r"<script type=\"text/javascript\">.{100000,}?</script>", "", text, count=1, flags=re.S)


def _figures(text: str) -> list[dict]:
    """Every chart's data and layout, decoded from its ``Plotly.newPlot(id, data, layout, config)`` call."""
    decoder = json.JSONDecoder()
    figures = []
    for m in re.finditer(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*", text):
        data, end = decoder.raw_decode(text, m.end())
        layout, _ = decoder.raw_decode(text, re.match(r",\s*", text[end:]).end() + end)
        figures.append({"data": data, "layout": layout})
    return figures


def _count_cells(text: str) -> list[str]:
    return [unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<(?:td|span|th)[^>]*class=\"[^\"]*pack-count[^\"]*\"[^>]*>(.*?)</(?:td|span|th)>",
                                text, flags=re.S)]


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
    # The overview tiles, each page with charts, and the appendix.
    assert body.count('class="pack-tile"') == 12
    for page in ("caseloads", "plan-durations", "cin-pilot", "transfers", "jarp-queue"):
        assert f'id="pack-page-{page}"' in body
    assert 'id="pack-appendix"' in body
    charts = body.count('<article class="pack-chart"')
    assert charts >= 20
    assert len(_figures(body)) == charts
    assert "pack-problem" not in body.replace(".pack-problem", "")


def test_every_chart_has_a_title_and_a_finding(pack):
    body = _without_plotlyjs(pack)
    articles = re.findall(r"<article class=\"pack-chart\".*?</article>", body, flags=re.S)
    for article in articles:
        title = re.search(r"<h3>(.*?)</h3>", article).group(1)
        finding = re.search(r"<p class=\"pack-finding\">(.*?)</p>", article)
        assert title and title != "Chart"
        assert finding and len(finding.group(1)) > 10
    # A finding computed from the data: the caseloads workers chart on the whole authority.
    assert re.search(r"<h3>\d+ of \d+ workers are over their caseload target", body)


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
                assert not [v for v in values if isinstance(v, (str, int)) and re.fullmatch(r"[1-4]", str(v))], \
                    (fig["layout"].get("title"), key)


def test_appendix_lists_the_demo_bad_rows_suppressed(pack, demo_url):
    db = connect(demo_url)
    try:
        bad = data_quality(db)
        excluded = transfer_exclusions(db, Filters(as_at=latest_date(db)))
    finally:
        db.dispose()
    table = re.search(r"<table id=\"pack-table-bad-rows\">(.*?)</table>", pack, re.S).group(1)
    rows = [[unescape(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
            for r in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]]
    assert len(rows) == len(bad) == 32
    assert {(r[0], r[2]) for r in rows} == set(zip(bad["table"], bad["column"]))
    # Every demo bad-row count is 1 or 2, so every one shows as "<5"; table sizes are exact.
    assert set(bad["rows"]) <= {1, 2} and {r[4] for r in rows} == {"<5"}
    assert ["children", "Duplicate ids (rows beyond the first with the same id)", "child_id",
            "rows beyond the first with the same id", "<5", "5,001"] in rows
    assert ["transfers", "Unknown codes", "status", "cancelled", "<5", "2,780"] in rows
    # The transfers page's own exclusions: 19 declined requests.
    assert int(excluded["rows"].sum()) == 19
    assert re.search(r"<td>declined: no transfer took place to time</td><td>all transfer figures</td>"
                     r"<td class=\"pack-count\">19</td>", pack)


# --------------------------------------------------------------------------- CLI errors and helpers


def test_unknown_team_is_an_error_and_writes_nothing(tmp_path, demo_url, capsys):
    out = tmp_path / "pack.html"
    assert main(["export", "--teams", "NOPE", "--out", str(out), "--database", demo_url]) == 2
    assert not out.exists()
    assert "Unknown team 'NOPE'" in capsys.readouterr().err


def test_pdf_without_chromium_says_what_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(export, "find_chromium", lambda: None)
    page = tmp_path / "p.html"
    page.write_text("<p>x</p>")
    with pytest.raises(export.ExportError, match="needs Chromium"):
        export.html_to_pdf(page, tmp_path / "p.pdf")


def test_finding_is_the_summary_without_kind_and_title():
    summary = "Bar chart: 7 of 46 workers are over target. Highest: Worker 1 with 33. The standard is 25."
    assert export.finding_from(summary, "7 of 46 workers are over target") == \
        "Highest: Worker 1 with 33. The standard is 25."
    assert export.finding_from("Line chart: Trend.", "Trend") == ""
    assert export.finding_from("No prefix here.", "Other title") == "No prefix here."


def test_board_pack_button_shows_a_message_when_the_export_fails(demo_url, monkeypatch):
    from dash import no_update

    from dashboard.app import create_app
    from data_layer import DatabaseError

    app = create_app(db=connect(demo_url))

    def failing(*_args, **_kwargs):
        raise DatabaseError("The database could not answer (OperationalError).")

    monkeypatch.setattr(export, "build_pack", failing)
    store = {"as_at": "2023-03-31", "services": [], "teams": [], "presentation": False, "notices": []}
    with app.server.test_request_context("/"):
        download, message = export.pack_download(app, 1, store)
    assert download is no_update
    assert message.id == "shell-pack-error"
    assert "The board pack could not be made. The database could not answer" in str(message.children)
