"""The Transfers page's sections (``dashboard.sections.transfers``), called without a Dash app.

On the hand-worked authority of ``tests/test_transfers.py`` (as at Fri 31 March 2023): completed
TR01-06, TR12, TR16 (8), on time all but TR04 and TR06 (6 of 8); pending TR07-10 and TR15 (5), of
which TR08 and TR09 are already late; two weeks' notice for TR02, TR03, TR05 (3 of 8); a joint visit
in the week before for TR03 and TR05 (2 of 8); K1, K6 and K8 have 3 or more key-worker changes.
In presentation mode, each leak of issue 12 that concerned this page is a named test, on this
authority, on the small demo (``small_demo``) and where the issue saw it, on the demo database.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from dashboard.disclosure import Disclosure, is_mark
from dashboard.sections import page
from dashboard.sections.base import Chart, Table, Tile, View, find_item
from dashboard.sections.transfers import PAGE, body
from dashboard.sections.transfers import pending as pending_part
from data_layer import Filters, date_range
from tests.disclosure_walk import bar_lengths, figure_texts, leaks, section_texts
from tests.fixtures import FixtureDB
from tests.test_transfers import ROWS, D


@pytest.fixture(scope="module")
def hand_db(tmp_path_factory):
    fx = FixtureDB("sqlite", tmp_path_factory.mktemp("transfer-sections")).load(ROWS)
    db = fx.connect()
    yield db
    fx.cleanup()


def _view(presentation=False, **kw):
    return View.make(Filters(as_at=D, **kw), presentation=presentation, threshold=5)


def _items(sections):
    return {i.id: i for s in sections for i in s.items if hasattr(i, "id")}


def _texts(figure):
    return [t for _, t in figure_texts(figure)]


# --------------------------------------------------------------------------- normal mode, by hand


def test_registered_page_and_sections(hand_db):
    assert page("transfers") is PAGE and PAGE.path == "/transfers" and PAGE.parts[0][0] == "body"
    secs = body(hand_db, _view())
    assert [s.id for s in secs] == [
        "transfers-tiles",
        "transfers-timeliness",
        "transfers-between-teams",
        "transfers-keyworker-section",
        "transfers-keyworker-children-card",
        "transfers-excluded-card",
        "transfers-method-section",  # "How this is worked out"
    ]
    # Child-level lists are kept off the board pack.
    assert {s.id for s in secs if not s.pack} == {"transfers-keyworker-children-card"}
    # The pending list is a part of its own, under its control (the page's card "transfers-pending-card").
    (pending,) = PAGE.part("pending")(hand_db, _view())
    assert pending.id == "transfers-pending-list" and pending.pack is False
    charts = [i for s in secs for i in s.charts]
    assert [c.id for c in charts] == [
        "transfers-working-days",
        "transfers-by-team",
        "transfers-by-point",
        "transfers-monthly",
        "transfers-flows",
        "transfers-pairs",
        "transfers-keyworker",
    ]
    assert all(c.summary and c.note and c.standard and c.empty is None for c in charts)
    assert [c.width for c in charts if c.width < 12] == [6, 6]  # by team and by point side by side


def test_tiles_by_hand(make_db):
    """On every backend: the five tiles, exact."""
    tiles = {t.id: t for t in body(make_db(ROWS), _view())[0].tiles}
    assert (tiles["transfers-tile-on-time"].value, tiles["transfers-tile-on-time"].detail) == (
        "75%",
        "6 of 8 completed in the 12 months.",
    )
    assert (tiles["transfers-tile-pending"].value, tiles["transfers-tile-pending"].detail) == (
        "5",
        "2 already past 3 working days.",
    )
    assert tiles["transfers-tile-notice"].value == "38%"  # 3 of 8
    assert tiles["transfers-tile-joint"].value == "25%"  # 2 of 8
    assert tiles["transfers-tile-keyworker"].value == "3"  # K1, K6, K8


def test_charts_by_hand(hand_db):
    items = _items(body(hand_db, _view()))
    wd = items["transfers-working-days"]
    assert wd.title == wd.finding == "6 of 8 completed transfers (75%) took 3 working days or fewer"
    assert int(wd.table["transfers"].sum()) == 13 and "transfers" in wd.table  # exact table in normal mode
    team = items["transfers-by-team"].table
    cin = team[team["group"] == "CIN North"].iloc[0]
    # CIN North receives TR01-03, TR05, TR06, TR12, TR16 (completed; TR06 late) and TR07-10, TR15 (pending;
    # TR08, TR09 late): judged 9, on time 6, late 3, pending within the standard 3.
    assert (cin["transfers"], cin["decided"], cin["on_time"], cin["late"], cin["pending_in_time"]) == (12, 9, 6, 3, 3)
    assert items["transfers-by-team"].title == "Receiving teams with transfers over 3 working days: 2 out of 2"
    point = items["transfers-by-point"]
    assert "2 transfers with no or an unrecognised transfer point are left out of this chart only." in point.note
    pairs = items["transfers-pairs"]
    assert pairs.title == ("38% of completed transfers had two weeks' notice and 25% a joint visit in the week before")
    assert "Lowest pair:" in pairs.summary and "with 0% notice" in pairs.summary
    kw = items["transfers-keyworker"]
    assert kw.title.startswith("3 of ") and kw.title.endswith("had 3 or more key-worker changes in 12 months")
    flows = items["transfers-flows"]
    assert sorted(flows.figure.data[0].link.value) == sorted(flows.table["transfers"].tolist())


def test_grids_and_exclusions_by_hand(hand_db):
    items = _items(body(hand_db, _view()) + pending_part(hand_db, _view()))
    pending = items["transfers-pending-grid"]
    assert isinstance(pending, Table) and pending.child_level
    assert pending.rows["child_id"].tolist() == ["CTR09", "CTR08", "CTR07", "CTR10", "CTR15"]
    assert pending.rows["working_days"].tolist() == [255, 4, 3, 1, 0]
    # Late ones only (over 3 working days: CTR09, CTR08), as the Overview's "pending late" tile links to.
    late = _items(pending_part(hand_db, _view().with_controls(pending="late")))["transfers-pending-grid"]
    assert late.rows["child_id"].tolist() == ["CTR09", "CTR08"] and late.title == "Pending transfers already late"
    assert late.csv_table["verdict"].str.startswith("▲ Late").all()
    assert items["transfers-keyworker-grid"].rows["child_id"].tolist() == ["K1", "K6", "K8"]
    ex = items["transfers-excluded-table"]
    assert not ex.child_level and not ex.grid
    reasons = ex.csv_table.set_index("reason")["rows"].to_dict()
    assert reasons["Missing or unrecognised status"] == 2 and reasons["Missing or unrecognised transfer point"] == 2
    assert items["transfers-excluded-text"].text.startswith("7 transfer rows could not be judged")


def test_team_filter_narrows_every_item(hand_db):
    items = _items(body(hand_db, _view(teams=("T3",))))
    assert items["transfers-working-days"].title == "0 of 2 completed transfers (0%) took 3 working days or fewer"
    tiles = {t.id: t for t in body(hand_db, _view(teams=("T3",)))[0].tiles}
    assert tiles["transfers-tile-pending"].value == "0"


def test_empty_view_says_why(make_db):
    db = make_db({"teams": ROWS["teams"], "transfers": [], "allocations": []})
    charts = [i for s in body(db, _view()) for i in s.charts]
    assert all(c.empty for c in charts)
    by_id = {c.id: c for c in charts}
    assert by_id["transfers-flows"].finding == "No transfers between teams in the period"
    assert by_id["transfers-working-days"].finding.startswith("No transfers requested")


# --------------------------------------------------------------------------- presentation mode: issue 12

#: Numbers in a title that are not counts of anything in its table (the standard, groups counted).
NOT_A_TOTAL = re.compile(r"\b(\d+) out of (\d+)\b|\b(\d+) (?:working days?|months|or more)\b")


def _real_leaks(sections, d) -> list[str]:
    """The walk's findings, less one kind of false alarm: a "printed total" that is only the standard
    ("3 working days") or a count of groups ("2 out of 2") in the title, which adds up nothing in the
    table (reported to the lead: the walk could skip such numbers itself)."""
    titles = {i.id: f"{i.title} {i.finding}" for s in sections for i in s.items if isinstance(i, Chart)}
    out = []
    for leak in leaks(sections, d):
        m = re.match(r"recoverable in ([\w-]+)\.csv\.\w+: printed total (\d+) ", leak)
        if m:
            text = titles.get(m.group(1), "")
            others = NOT_A_TOTAL.sub("", text)
            not_totals = {g for m2 in NOT_A_TOTAL.finditer(text) for g in m2.groups() if g}
            if m.group(2) in not_totals and not re.search(rf"\b{m.group(2)}\b", others):
                continue
        out.append(leak)
    return out


def test_presentation_walk_finds_nothing(hand_db):
    for kw in ({}, {"teams": ("T2",)}, {"teams": ("T3",)}):
        view = _view(True, **kw)
        assert _real_leaks(body(hand_db, view) + pending_part(hand_db, view), view.disclosure) == []


def test_presentation_hides_child_level_rows(hand_db):
    secs = body(hand_db, _view(True)) + pending_part(hand_db, _view(True))
    items = _items(secs)
    assert items["transfers-pending-grid"].rows.empty and items["transfers-keyworker-grid"].rows.empty
    text = " ".join(t for _, t in section_texts(secs))
    assert "CTR09" not in text and "K1" not in text


def test_no_percentage_beside_a_hidden_count(hand_db):
    """Issue 12: "20% (<5 of 5)", "33% (<5 of 9)": a share whose numerator, denominator or complement
    is hidden is hidden too, in labels, hover text, titles and CSVs."""
    items = _items(body(hand_db, _view(True)))
    d = Disclosure(5, True)
    for chart in (i for i in items.values() if isinstance(i, Chart)):
        for text in _texts(chart.figure) + [chart.title, chart.finding, chart.summary]:
            for clause in re.split(r"[.;:\n]|<br>", text):
                assert not (re.search(r"\d+\s?%", clause) and (d.mark in clause or " * " in f" {clause} ")), (
                    chart.id,
                    text,
                )
    # CIN North: 6 on time of 9 judged, 3 late: the late count is hidden, so is 6 (9 - 3) or 9, and the share.
    team = items["transfers-by-team"].table
    cin = team[team["group"] == "CIN North"].iloc[0]
    assert cin["late"] == "<5" and is_mark(cin["pct_on_time"])
    assert sum(is_mark(cin[c]) for c in ("decided", "on_time")) >= 1


def test_hover_never_gives_a_share_with_a_hidden_late_count(hand_db):
    """Issue 12: hover "67% (<5 of 6) on time; late <5"."""
    chart = _items(body(hand_db, _view(True)))["transfers-by-team"]
    for hover in chart.figure.data[0].hovertext:
        if "late <5" in hover or "late *" in hover:
            assert "%" not in hover.split(";")[0], hover


def test_findings_name_only_pairs_that_are_shown(hand_db):
    """Issue 12: "Lowest pair: ... with 0% notice" for a pair of too few transfers."""
    pairs = _items(body(hand_db, _view(True)))["transfers-pairs"]
    assert "Lowest pair" not in pairs.summary  # every pair's percentages rest on hidden counts
    drawn = [tr for tr in pairs.figure.data if not tr.name.endswith("not shown")]
    assert len(drawn) == 2 and all(x is None for tr in drawn for x in tr.x)
    assert all(x == 0 for tr in pairs.figure.data if tr.name.endswith("not shown") for x in tr.x)


def test_findings_name_only_pairs_that_are_shown_on_the_demo():
    """The issue's own example, on the demo: Demo Looked After -> Demo CIN/CP East (2 transfers, 0% notice)."""
    from data_layer import connect
    from data_layer.demo import ensure_demo

    db = connect(f"sqlite:///{ensure_demo()}")
    _, latest = date_range(db)
    view = View.make(Filters(as_at=latest), presentation=True, threshold=5)
    secs = body(db, view)
    pairs = find_item(secs, "transfers-pairs")
    assert "Lowest pair" in pairs.summary and "Demo Looked After → Demo CIN/CP East" not in pairs.summary
    normal = find_item(body(db, View.make(Filters(as_at=latest))), "transfers-pairs")
    assert "Lowest pair: Demo Looked After → Demo CIN/CP East with 0% notice" in normal.summary
    assert leaks(secs, view.disclosure) == []
    db.dispose()


def test_no_bar_at_a_hidden_size(hand_db):
    """Issue 12: a bar standing at its exact small size with hover "<5" (geometry)."""
    items = _items(body(hand_db, _view(True)))
    for chart in (i for i in items.values() if isinstance(i, Chart)):
        assert list(bar_lengths(chart.figure, 5)) == [], chart.id
        for trace in chart.figure.data:
            if trace.type == "bar":
                horizontal = trace.orientation == "h"
                for v in (trace.x if horizontal else trace.y) or ():
                    if isinstance(v, (int, float)) and "%" not in (chart.figure.layout.xaxis.title.text or ""):
                        assert not 0 < v < 5, (chart.id, trace.name, v)
    sankey = items["transfers-flows"].figure.data
    assert not sankey or all(v >= 5 for v in sankey[0].link.value)


def test_tiles_follow_the_rules(hand_db):
    """Issue 12: tiles "x of y": 6 of 8 on time says 2 were late, so the 6 is hidden and so is 75%."""
    tiles = {t.id: t for t in body(hand_db, _view(True))[0].tiles}
    assert tiles["transfers-tile-on-time"].value == "<5"
    assert tiles["transfers-tile-on-time"].detail == "* of 8 completed in the 12 months."
    assert tiles["transfers-tile-notice"].value == "<5" and tiles["transfers-tile-joint"].value == "<5"
    assert tiles["transfers-tile-keyworker"].value == "<5"  # 3 children


def test_pending_split_with_its_total(hand_db):
    """Issue 12: pending transfers split late / within the standard beside their total: 5 pending with
    2 late (3 within) shows the total and hides the split; no grid of pending children is left."""
    tiles = {t.id: t for t in body(hand_db, _view(True))[0].tiles}
    assert tiles["transfers-tile-pending"].value == "5"
    assert tiles["transfers-tile-pending"].detail == "<5 already past 3 working days."
    wd = _items(body(hand_db, _view(True)))["transfers-working-days"].table
    assert set(wd["pending"]) <= {"0", "<5", "*"} and "transfers" not in wd


def test_csv_is_exactly_what_is_displayed(hand_db):
    """Issue 12: presentation CSVs hold the displayed values only: marks for hidden counts and shares,
    and no column that is not displayed (it could give a hidden one back)."""
    items = _items(body(hand_db, _view(True)))
    team = items["transfers-by-team"]
    assert list(team.table.columns) == ["group", "decided", "on_time", "late", "pending_in_time", "pct_on_time"]
    labels = list(team.figure.data[1].text)
    for (_, row), label in zip(team.table.iterrows(), labels, strict=False):
        if label != "too few to show":
            assert f"{row['on_time']} of {row['decided']}" in label
    assert list(items["transfers-flows"].table.columns) == ["from_team", "to_team", "transfers", "median_working_days"]
    for chart in (i for i in items.values() if isinstance(i, Chart)):
        for col in chart.table.columns:
            for v in chart.table[col]:
                if isinstance(v, (int, float)) and col in (
                    "transfers",
                    "completed",
                    "pending",
                    "children",
                    "decided",
                    "on_time",
                    "late",
                    "notice_met",
                    "joint_met",
                ):
                    pytest.fail(f"{chart.id}.{col}: a raw count {v!r} in a presentation CSV")


@pytest.mark.parametrize("kw", [{}, {"teams": ("T01",)}, {"teams": ("T02",)}])
def test_small_authority(small_demo, kw):
    """The small demo: nothing leaks, no pair's share is named unless shown, grids are empty."""
    _, latest = date_range(small_demo)
    view = View.make(Filters(as_at=latest, **kw), presentation=True, threshold=5)
    secs = body(small_demo, view)
    assert _real_leaks(secs, view.disclosure) == []
    pairs = find_item(secs, "transfers-pairs")
    shown_pairs = pairs.table[[not is_mark(v) for v in pairs.table["notice_pct"]]]["pair"].tolist()
    m = re.search(r"Lowest pair: (.+?) with", pairs.summary)
    assert m is None or m.group(1) in shown_pairs
    for t in (i for s in secs for i in s.items if isinstance(i, Table) and i.child_level):
        assert t.rows.empty
    tiles = [i for s in secs for i in s.items if isinstance(i, Tile)]
    assert len(tiles) == 5


# --------------------------------------------------------------------------- the ledger itself


def test_secondary_relations_protects_complements_and_chains():
    d = Disclosure(5, True)
    # A shown total and one small part: the next part is hidden too.
    assert d.secondary_relations({"t": 10, "a": 8, "b": 2}, [("t", "a", "b")]) == {"a", "b"}
    # A complement nobody prints: 45 of 46 says 1 is not.
    assert d.secondary_relations({"dec": 46, "ot": 45, "late": 1}, [("dec", "ot", "late")], shown=["dec", "ot"]) == {
        "ot"
    }
    assert (
        d.secondary_relations({"dec": 46, "ot": 30, "late": 16}, [("dec", "ot", "late")], shown=["dec", "ot"]) == set()
    )
    # Two hidden cells adding up to 2 are 1 and 1: a third is hidden.
    assert d.secondary_relations({"t": 10, "a": 8, "b": 1, "c": 1}, [("t", "a", "b", "c")]) == {"a", "b", "c"}
    # A chain through an undisplayed subtotal.
    assert d.secondary_relations(
        {"T": 20, "a": 8, "b": 12, "c": 10, "e": 2}, [("T", "a", "b"), ("b", "c", "e")], shown=["a", "c"], fixed=["T"]
    ) in ({"a"}, {"c"})
    # A total hidden elsewhere must not be given back by its shown parts.
    assert d.secondary_relations({"T": 17, "a": 6, "b": 11}, [("T", "a", "b")], secret=["T"]) == {"a"}
    assert Disclosure(5, False).secondary_relations({"t": 10, "a": 8, "b": 2}, [("t", "a", "b")]) == set()


def test_secondary_relations_closes_a_rectangle_not_a_row():
    """Rows (judged = on time + late) and columns (adding up to page totals, one hidden elsewhere):
    protecting the hidden total takes two cells of one row, not a whole column."""
    d = Disclosure(5, True)
    rows = {"A": (88, 63, 25), "B": (106, 79, 27), "C": (7, 7, 0)}
    cells = {}
    rels = []
    for r, (dec, ot, late) in rows.items():
        cells.update({(r, "dec"): dec, (r, "ot"): ot, (r, "late"): late})
        rels.append(((r, "dec"), (r, "ot"), (r, "late")))
    cells.update({"late_p": 2, "done": 199, "on_time": 149, "late_done": 50, "decided": 201, "late": 52})
    rels += [
        ("decided", *[(r, "dec") for r in rows]),
        ("on_time", *[(r, "ot") for r in rows]),
        ("late", *[(r, "late") for r in rows]),
        ("done", "on_time", "late_done"),
        ("late", "late_done", "late_p"),
        ("decided", "done", "late_p"),
    ]
    hidden = d.secondary_relations(
        cells, rels, shown=[k for k in cells if isinstance(k, tuple)], fixed=["done", "on_time"], secret=["late_p"]
    )
    assert len(hidden) == 2 and len({k[0] for k in hidden}) == 1 and ("C", "dec") not in hidden
    assert pd.Series([k[1] for k in hidden]).isin(["dec", "late"]).all()
