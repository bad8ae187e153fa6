"""The Overview as section values (no Dash app): tiles, links that keep the view, the tiles' CSV, disclosure.

On the demo database (5k children; hand-checked figures from tests/test_tiles.py) and on the
small demo (``small_demo``: teams of a few children per status, so presentation mode has many
small cells to hide next to cells it must show).
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest

from dashboard.disclosure import Disclosure
from dashboard.sections import page
from dashboard.sections.base import Note, Table, Tile, View
from dashboard.sections.overview import PAGE, body, headline_tiles, summary, tile_id
from dashboard.tiles import SPECS, TILE_KEYS, overview_tiles, rag_counts, tiles_frame, triage_order
from dashboard.url_state import link
from data_layer import Filters, connect, date_range, team_options
from tests.disclosure_walk import leaks, section_texts

AS_AT = date(2023, 3, 31)


@pytest.fixture(scope="module")
def demo():
    from data_layer.demo import ensure_demo

    return connect(f"sqlite:///{ensure_demo()}")


@pytest.fixture(scope="module", autouse=True)
def _query_cache():
    """The app's query cache (as on screen), so the many views of the small demo are computed once."""
    from flask import Flask

    from dashboard.cache import init_cache

    server = Flask(__name__)
    init_cache(server, 600)
    with server.app_context():
        yield


def _view(f: Filters, presentation: bool = False) -> View:
    return View.make(f, presentation=presentation, threshold=5)


def _items(sections, kind):
    return [i for s in sections for i in s.items if isinstance(i, kind)]


def _small_views(db, presentation=True):
    """Latest date and 4 months earlier, for the whole authority and each team."""
    _, latest = date_range(db)
    teams = [()] + [(t,) for t in team_options(db)["team_id"]]
    for as_at in (latest, latest - timedelta(days=120)):
        for team in teams:
            yield _view(Filters(as_at, teams=team), presentation)


# --------------------------------------------------------------------------- the part, in normal mode


def test_the_page_spec_registers_one_part():
    assert page("overview") is PAGE
    assert (PAGE.key, PAGE.path, PAGE.name, [name for name, _ in PAGE.parts]) == ("overview", "/", "Overview", ["body"])


def test_body_is_the_note_the_tile_grid_and_the_tiles_table(demo):
    view = _view(Filters(AS_AT))
    sections = body(demo, view)
    assert [s.id for s in sections] == ["overview-summary", "overview-grid", "overview-table"]
    assert [n.id for n in _items(sections, Note)] == ["overview-rag-summary", "overview-note"]
    tiles = _items(sections, Tile)
    raw = triage_order(overview_tiles(demo, Filters(AS_AT)))
    assert sorted(t.id for t in tiles) == sorted(tile_id(k) for k in TILE_KEYS)
    assert [t.id for t in tiles] == [tile_id(r.key) for r in raw]
    assert tile_id("cin_over_12_months") == "overview-cin-over-12-months"
    specs = {spec.key: spec for spec in SPECS}
    for t, r in zip(tiles, raw, strict=True):
        spec = specs[r.key]
        assert (t.value, t.rag, t.rag_label, t.change, t.standard) == (
            r.display,
            r.rag,
            r.rag_label,
            r.change_text,
            r.standard,
        )
        assert t.card == "headline" and t.link_text.startswith("Open ")
        assert t.href == link(spec.href, "?as_at=2023-03-31", spec.params, spec.fragment)
    by_id = {t.id: t for t in tiles}
    # Hand-checked on the demo (tests/test_tiles.py): 17 unallocated, down 4 from 21; 10 referrals queued.
    assert by_id["overview-unallocated"].value == "17"
    assert by_id["overview-unallocated"].change == "▼ down 4 since 24 Mar 2023 (better)"
    assert by_id["overview-unallocated"].detail.endswith("Longest wait 200 days.")
    assert by_id["overview-jarp-queue"].value == "10"
    assert by_id["overview-transfers-on-time"].link_text == "Open Transfers →"
    (table,) = _items(sections, Table)
    assert (table.id, table.child_level, table.grid, table.csv_name) == (
        "overview-tiles",
        False,
        False,
        "overview-tiles.csv",
    )
    pd.testing.assert_frame_equal(table.csv_table, tiles_frame(raw))
    assert sections[2].pack is False  # the pack prints the tiles themselves


@pytest.mark.parametrize("presentation", [False, True])
def test_the_summary_line_counts_the_tiles_it_sits_above_red_first(demo, presentation):
    """The line counts the shown tiles' own ratings (a rating withheld in presentation mode is "not rated"),
    and the grid below runs red, amber, green, not rated."""
    sections = body(demo, _view(Filters(AS_AT), presentation))
    tiles = _items(sections, Tile)
    line = next(n for n in _items(sections, Note) if n.id == "overview-rag-summary")
    ratings = [t.rag or "none" for t in tiles]
    words = {"red": "red", "amber": "amber", "green": "green", "none": "not rated"}
    expected = ", ".join(f"{ratings.count(k)} {w}" for k, w in words.items())
    assert line.text.startswith(f"**{expected}**")
    assert ratings == sorted(ratings, key=["red", "amber", "green", "none"].index)
    if not presentation:  # hand-counted on the demo (tests/test_tiles.py's figures): 5 red tiles
        assert expected == "5 red, 3 amber, 1 green, 3 not rated"


def test_links_keep_the_filters_and_presentation_mode(demo):
    f = Filters(AS_AT, services=("Children in Need",), teams=("T01", "T02"))
    for presentation in (False, True):
        tiles = _items(body(demo, _view(f, presentation)), Tile)
        for t in tiles:
            q = parse_qs(urlparse(t.href).query)
            expected = {"as_at": ["2023-03-31"], "service": ["Children in Need"], "team": ["T01", "T02"]}
            if presentation:
                expected["presentation"] = ["1"]
            spec = next(s for s in SPECS if tile_id(s.key) == t.id)
            expected.update({k: [v] for k, v in spec.params})  # the list it opens, filtered
            assert q == expected, t.id
            assert urlparse(t.href).fragment == spec.fragment


def test_summary_for_the_pack(demo):
    view = _view(Filters(AS_AT), presentation=True)
    got = summary(demo, view)
    tiles = headline_tiles(demo, view)
    assert got["rag_counts"] == rag_counts(tiles) and sum(got["rag_counts"].values()) == len(TILE_KEYS)
    assert got["rag_counts"] == rag_counts(_items(body(demo, view), Tile))  # the section tiles count the same
    assert "Children without a qualified key worker: 17" in got["red"]
    # Worse first; every line is displayed text (a change of 4 children is shown as <5).
    assert got["changes"][0].endswith("(worse)")
    assert "Children without a qualified key worker: 17, ▼ down <5 since 24 Mar 2023 (better)" in got["changes"]


# --------------------------------------------------------------------------- presentation mode


def test_regression_longest_wait_is_not_shown_in_presentation(demo):
    """Issue 12: the Caseloads page showed "Longest wait: 200 days" in presentation mode (one child's value);
    the Overview hides it and keeps hiding it, on screen and in its CSV."""
    sections = body(demo, _view(Filters(AS_AT), presentation=True))
    texts = " ".join(text for _, text in section_texts(sections))
    assert "Longest wait" not in texts and "200 days" not in texts


def test_presentation_csv_is_exactly_the_displayed_values(small_demo):
    for view in _small_views(small_demo):
        sections = body(small_demo, view)
        tiles = _items(sections, Tile)
        (table,) = _items(sections, Table)
        csv = pd.read_csv(io.StringIO(table.csv_table.to_csv(index=False)), dtype=str, keep_default_na=False)
        assert csv["value"].tolist() == [t.value for t in tiles]
        assert csv["rating"].tolist() == [t.rag_label for t in tiles]
        assert csv["change"].tolist() == [t.change for t in tiles]
        assert csv["detail"].tolist() == [t.detail or "" for t in tiles]
        assert not {"previous", "raw", "change_amount"} & set(csv.columns)


def test_hidden_tiles_show_the_mark_and_no_raw_value(small_demo):
    seen = 0
    for view in _small_views(small_demo):
        raw = {t.key: t for t in headline_tiles(small_demo, view)}
        shown = {t.id: t for t in _items(body(small_demo, view), Tile)}
        for key, r in raw.items():
            t = shown[tile_id(key)]
            if not r.hidden:
                continue
            seen += 1
            assert t.value == "<5", (key, t.value)
            text = " ".join(x or "" for x in (t.value, t.detail, t.change))
            if r.kind == "percent":
                assert f"{r.value:.1f}%" not in text and f"{r.value:.0f}%" not in text
                assert t.rag is None
            if r.kind == "count":
                assert not re.search(rf"(?<![\d<.]){int(r.value)}(?![\d%])", t.value + (t.change or ""))
    assert seen > 10  # the small demo has hidden tiles to check


def test_presentation_mode_leaks_nothing_for_any_team_or_date(small_demo):
    """The generic walk (tests/disclosure_walk.py) on every team and two dates, not only the one team the
    all-pages test uses."""
    found = []
    for view in _small_views(small_demo):
        found += [
            f"{view.filters.as_at} {view.filters.teams}: {leak}"
            for leak in leaks(body(small_demo, view), view.disclosure)
        ]
    assert not found, "\n".join(found[:20])


def test_the_walk_sees_small_counts_in_normal_mode(small_demo):
    """Normal mode shows exact small counts on the Overview too: the walk must see them (or it could not fail)."""
    strict = Disclosure(threshold=5, active=True)
    found = [
        leak for view in _small_views(small_demo, presentation=False) for leak in leaks(body(small_demo, view), strict)
    ]
    assert any(f.startswith("x-of-y") for f in found)


def test_regression_no_percentage_beside_a_mark(small_demo):
    """Issue 12: "20% (<5 of 5)", "<5 of 54 children (2%)": no clause of a tile prints a % and the mark."""
    for view in _small_views(small_demo):
        for t in _items(body(small_demo, view), Tile):
            for field in (t.value, t.detail, t.change):
                for clause in re.split(r"[.;:]", field or ""):
                    assert not ("<5" in clause and re.search(r"\d\s?%", clause)), (t.id, field)


def test_regression_pilot_refusal_names_no_small_cohort(small_demo):
    """Issue 12: "too small to judge (2 plans ...)" beside "<5": the refusal says only that a cohort is under
    the minimum, never its size."""
    refusals = 0
    for view in _small_views(small_demo):
        (t,) = [t for t in _items(body(small_demo, view), Tile) if t.id == "overview-pilot-effect"]
        if t.value == "Too small to judge":
            refusals += 1
            assert t.detail == "Too small to judge: a cohort has fewer than 10 plans."
    assert refusals


def test_a_split_beside_its_total_hides_a_second_cell(small_demo):
    """A status split with one hidden cell beside the shown total: another cell is hidden too (*)."""
    checked = 0
    for view in _small_views(small_demo):
        raw = {t.key: t for t in headline_tiles(small_demo, view)}
        for key in ("children_open", "jarp_queue"):
            t = raw[key]
            if t.hidden:
                continue
            cells = re.findall(
                r"(?:looked after|CP|CIN|care leaver|assessment|other|P1|P2|P3|below threshold) "
                r"(<5|\*|[\d,]+)",
                t.detail,
            )
            hidden = [c for c in cells if c in ("<5", "*")]
            assert len(hidden) != 1, (key, t.detail)
            checked += "*" in cells
    assert checked  # the small demo has such a split


# --------------------------------------------------------------------------- CSV on click


def test_csv_on_click_is_the_displayed_tiles_and_the_page_carries_no_csv(demo):
    """The "Download CSV" of the tiles asks the server (page, part, item id); the file is the tiles table as
    displayed (presentation: the marks), and the rendered page holds no CSV text, only which item to fetch."""
    import json

    from flask import Flask
    from plotly.utils import PlotlyJSONEncoder

    from dashboard.cache import init_cache
    from dashboard.context import install
    from dashboard.settings import Settings
    from dashboard.views import csv_for_request, render_part

    server = Flask("overview-csv")
    install(server, demo, Settings.from_env({}))
    init_cache(server, 60)
    request = {"page": "overview", "part": "body", "item": "overview-tiles", "controls": {}}
    for presentation in (False, True):
        store = {"as_at": "2023-03-31", "services": [], "teams": [], "presentation": presentation}
        with server.app_context():
            got = csv_for_request(request, store)
            tree = json.dumps(render_part("overview", "body", store).to_plotly_json(), cls=PlotlyJSONEncoder)
        assert got["filename"] == "overview-tiles.csv" and got["type"] == "text/csv"
        csv = pd.read_csv(io.StringIO(got["content"]), dtype=str, keep_default_na=False)
        expected = tiles_frame(headline_tiles(demo, _view(Filters(AS_AT), presentation))).fillna("")
        pd.testing.assert_frame_equal(csv, expected.astype(str))
        assert ("Longest wait 200 days" in got["content"]) is not presentation
        assert "tile,value,rating" not in tree and "overview-tiles" in tree
        for key in TILE_KEYS:  # every tile's ids, as the browser tests find them
            for part in ("", "-value", "-rag", "-change", "-link"):
                assert f'"{tile_id(key)}{part}"' in tree
        assert '"overview-grid"' in tree and '"overview-note"' in tree
