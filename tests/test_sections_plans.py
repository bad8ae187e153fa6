"""The /plans page's sections, called directly (no Dash app): hand-computed on a fixture, and presentation mode.

As-at date D = 31 Mar 2023. The fixture (ROWS), by team:

* North (T1), CIN: 6 open since 1 Feb 2023 (58 days), 3 open since 1 Aug 2022 (242 days, reviewed
  on 20 Mar 2023), 2 open since 1 Dec 2021 (485 days), 1 open since 1 Dec 2020 (850 days); closed
  in the window: 5 of 123 days, 1 of 30 days; one row ending before it starts (excluded). CP: 6
  closed after 167 days; one row with no start date (excluded).
* South (T2), CIN: 6 open since 15 Jan 2023 (75 days), 4 of them visited on 25 Mar 2023. CP: 3 open
  since 1 Oct 2022 (181 days), visited on 28 Mar 2023.
* Empty (T3): no plans.

So on D: 18 open CIN plans, 3 over 9 months and 3 over 12 months (North's 2 + 1), 3 open CP
plans, none over 2 years; a year earlier: 3 open CIN plans, 1 over 9 and over 12 months, no CP.
Drift on D: North 9 reviews overdue (the 3 reviewed plans are not), 12 visits overdue, 3 over 9
months, 3 over 12 months (27 flags); South 6 reviews overdue and 2 visits overdue (8 flags).
"""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.disclosure import Disclosure
from dashboard.sections import plans as sections
from dashboard.sections.base import Chart, Note, Table, Tile, View
from data_layer import Filters
from tests.disclosure_walk import leaks

D = date(2023, 3, 31)


@pytest.fixture
def backend():
    """Section logic, not SQL: one backend is enough (the data layer's tests cover every backend)."""
    return "sqlite"


def _cin(pid, team, start, end=None, origin="assessment"):
    return dict(
        plan_id=pid,
        child_id="C" + pid,
        team_id=team,
        start_date=start,
        end_date=end,
        origin=origin,
        end_reason="plan_achieved" if end else None,
    )


def _cp(pid, team, start, end=None):
    return dict(
        plan_id=pid,
        child_id="C" + pid,
        team_id=team,
        start_date=start,
        end_date=end,
        category="neglect",
        end_reason="step_down_cin" if end else None,
    )


ROWS = {
    "teams": [
        dict(team_id="T1", team_name="North", service="CIN/CP"),
        dict(team_id="T2", team_name="South", service="CIN/CP"),
        dict(team_id="T3", team_name="Empty", service="Adolescent"),
    ],
    "cin_plans": (
        [_cin(f"A{i}", "T1", date(2023, 2, 1)) for i in range(1, 7)]
        + [_cin(f"B{i}", "T1", date(2022, 8, 1)) for i in range(1, 4)]
        + [_cin(f"C{i}", "T1", date(2021, 12, 1)) for i in range(1, 3)]
        + [_cin("D1", "T1", date(2020, 12, 1))]
        + [_cin(f"E{i}", "T1", date(2022, 5, 1), date(2022, 9, 1)) for i in range(1, 6)]
        + [_cin("F1", "T1", date(2022, 6, 1), date(2022, 7, 1))]
        + [_cin("BAD1", "T1", date(2022, 7, 1), date(2022, 6, 1))]
        + [_cin(f"H{i}", "T2", date(2023, 1, 15)) for i in range(1, 7)]
    ),
    "cp_plans": (
        [_cp(f"P{i}", "T2", date(2022, 10, 1)) for i in range(1, 4)]
        + [_cp(f"Q{i}", "T1", date(2022, 6, 1), date(2022, 11, 15)) for i in range(1, 7)]
        + [_cp("NOSTART", "T1", None, date(2022, 6, 1))]
    ),
    "plan_reviews": [
        dict(review_id=f"R{i}", plan_type="cin", plan_id=f"B{i}", review_date=date(2023, 3, 20), chair_role="iro")
        for i in range(1, 4)
    ],
    "visits": (
        [dict(visit_id=f"V{i}", child_id=f"CH{i}", visit_date=date(2023, 3, 25), plan_type="cin") for i in range(1, 5)]
        + [dict(visit_id=f"W{i}", child_id=f"CP{i}", visit_date=date(2023, 3, 28), plan_type="cp") for i in range(1, 4)]
    ),
}


@pytest.fixture
def db(make_db):
    return make_db(ROWS)


def _view(presentation=False, teams=(), **controls):
    return View.make(Filters(as_at=D, teams=teams), presentation=presentation, threshold=5, controls=controls)


def _items(sections_, kind):
    return {i.id: i for s in sections_ for i in s.items if isinstance(i, kind)}


def _column(chart, plan_type, status):
    t = chart.table
    return t[(t.plan_type == plan_type) & (t.status == status)].plans.tolist()


OPEN, CLOSED = "Open on the date", "Closed in the 12 months"


# --------------------------------------------------------------------------- normal mode: hand-computed


def test_body_tiles_bands_and_notice(db):
    out = sections.body(db, _view())
    tiles = _items(out, Tile)
    assert {k: (t.value, t.detail) for k, t in tiles.items()} == {
        "plans-tile-open-cin": ("18", "A year earlier: 3"),
        "plans-tile-cin-12": ("3", "A year earlier: 1"),
        "plans-tile-open-cp": ("3", "A year earlier: 0"),
        "plans-tile-cp-2y": ("0", "A year earlier: 0"),
    }
    assert tiles["plans-tile-cin-12"].rag == "red" and tiles["plans-tile-cp-2y"].rag == "green"
    notice = _items(out, Note)["plans-excluded"]
    assert notice.kind == "warning"
    assert notice.text == (
        "2 rows excluded from the figures: 1 CIN plan: end date before start date; 1 CP plan: no start date."
    )
    bands = _items(out, Chart)["plans-bands"]
    assert bands.title == "3 of 18 open CIN plans have lasted more than 12 months" == bands.finding
    assert _column(bands, "CIN", OPEN) == [12, 0, 3, 0, 2, 1]
    assert _column(bands, "CIN", CLOSED) == [1, 5, 0, 0, 0, 0]
    assert _column(bands, "CP", OPEN) == [0, 3, 0, 0, 0, 0]
    assert _column(bands, "CP", CLOSED) == [0, 6, 0, 0, 0, 0]
    assert list(bands.figure.data[1].y) == [12, 0, 3, 0, 2, 1]
    assert bands.empty is None and "Counts under" not in bands.note


def test_km_split_by_plan_type_and_team(db):
    km = _items(sections.km(db, _view(split="plan_type")), Chart)["plans-km"]
    # CIN: 24 plans, S falls to 23/24 x 6/11 = 0.52 and no further: median not reached; CP: 6 of 9 close at 167 days
    assert km.title == "How long plans stay open — CIN plans: over half still open; CP plans: median 5.5 months"
    assert "from 24 plans" in km.summary and "from 9 plans" in km.summary
    cin = km.table[km.table.group == "CIN plans"]
    assert list(cin.days) == [0, 30, 58, 75, 123, 242, 485, 850]
    assert list(cin.at_risk) == [24, 24, 23, 17, 11, 6, 3, 1]
    assert cin.share_still_open.iloc[-1] == pytest.approx(23 / 24 * 6 / 11, abs=1e-4)
    assert "average of closed plans only 3.5 months" in km.note  # (30 + 5 x 123) / 6 days
    teams = _items(sections.km(db, _view(split="cp_team")), Chart)["plans-km"]
    assert set(teams.table.group) == {"North", "South"} and "left out" not in teams.note
    assert teams.filename == "plan-survival-cp_team"


def test_drift_matrix_trend_and_list(db):
    out = sections.drift(db, _view())
    charts = _items(out, Chart)
    m = charts["plans-drift-teams"].table.set_index("team")
    assert m.loc[
        "North", ["cin_review_overdue", "cin_visit_overdue", "cin_9_month_review", "cin_over_12_months", "total"]
    ].tolist() == [9, 12, 3, 3, 27]
    assert m.loc["South", ["cin_review_overdue", "cin_visit_overdue", "cp_visit_overdue", "total"]].tolist() == [
        6,
        2,
        0,
        8,
    ]
    assert charts["plans-drift-teams"].title == "CIN review overdue is the most common drift: 15 plans across 2 teams"
    trend = charts["plans-trend"]
    assert trend.title == "Open CIN plans past 12 months: 3 on the date, up from 1 a year earlier"
    last = trend.table.iloc[-1]
    assert (last.open_cin, last.cin_9_month_review, last.cin_over_12_months, last.open_cp) == (18, 3, 3, 3)
    assert last.pct_cin_over_12_months == pytest.approx(16.7)
    assert [s.pack for s in out] == [True, True]  # the charts, then "How this is worked out"
    listed = sections.drift_list(db, _view())
    grid = _items(listed, Table)["plans-drift-grid"]
    assert grid.child_level and len(grid.rows) == 35 and grid.total_rows == 35
    assert [s.pack for s in listed] == [False]  # the drift list stays off the board pack


def test_the_drift_list_filtered_to_one_flag_and_its_csv(db):
    """North 9 + South 6 CIN reviews overdue (the matrix above): 15 rows, each of that flag; the CSV is
    the same filtered list. A hostile flag is refused by the page's controls (all flags)."""
    grid = _items(sections.drift_list(db, _view(flag="cin_review_overdue")), Table)["plans-drift-grid"]
    assert len(grid.rows) == 15 and set(grid.csv_table["flag"]) == {"CIN review overdue (over 42 days)"}
    assert (
        grid.title == "Each open plan flagged 'CIN review overdue (over 42 days)', one row per flag, most overdue first"
    )
    assert list(grid.csv_table["days_over"]) == sorted(grid.csv_table["days_over"], reverse=True)
    assert sections.PAGE.validate_controls({"flag": "not-a-flag"})["flag"] == "all"
    assert sections.PAGE.from_query({"flag": ["cp_over_2_years", "<script>"]})["flag"] == "all"
    assert sections.PAGE.from_query({"flag": "cp_over_2_years", "split": "cin_team"}) == {
        "split": "cin_team",
        "flag": "cp_over_2_years",
    }
    everything = _items(sections.drift_list(db, _view(flag="all")), Table)["plans-drift-grid"]
    assert len(everything.rows) == 35


def test_a_team_without_plans_says_why_each_chart_is_empty(db):
    """An empty chart sets ``empty`` and its finding says why (never "from 0 to 0")."""
    for part in (sections.body, sections.km, sections.drift):
        for presentation in (False, True):
            for chart in _items(part(db, _view(presentation, teams=("T3",))), Chart).values():
                assert chart.empty, chart.id
                assert chart.finding == chart.empty
                assert "from 0" not in chart.title


# --------------------------------------------------------------------------- presentation mode

P = Disclosure(threshold=5, active=True)


def test_presentation_tiles_never_show_1_to_4(db):
    tiles = _items(sections.body(db, _view(True)), Tile)
    assert {k: (t.value, t.detail) for k, t in tiles.items()} == {
        "plans-tile-open-cin": ("18", "A year earlier: <5"),
        "plans-tile-cin-12": ("<5", "A year earlier: <5"),
        "plans-tile-open-cp": ("<5", "A year earlier: 0"),
        "plans-tile-cp-2y": ("0", "A year earlier: 0"),
    }


def test_presentation_bands_not_drawn_at_their_size(db):
    """Regression: a bar standing at 1 with hover "<5". Hidden bands have no bar; * protects a row's total."""
    out = sections.body(db, _view(True))
    bands = _items(out, Chart)["plans-bands"]
    assert _column(bands, "CIN", OPEN) == ["12", "0", "<5", "0", "<5", "<5"]
    assert _column(bands, "CIN", CLOSED) == ["<5", "*", "0", "0", "0", "0"]  # 6 closed CIN plans: KM's total
    assert _column(bands, "CP", OPEN) == ["0", "<5", "0", "0", "0", "0"]
    assert _column(bands, "CP", CLOSED) == ["0", "*", "0", "0", "0", "0"]
    cin_closed, cin_open = bands.figure.data[0], bands.figure.data[1]
    assert list(cin_open.y) == [12, 0, None, 0, None, None] and list(cin_closed.y) == [None, None, 0, 0, 0, 0]
    assert [c[0] for c in cin_open.customdata] == ["12", "0", "<5", "0", "<5", "<5"]
    assert bands.title == "<5 of 18 open CIN plans have lasted more than 12 months"  # never "3 of 18"
    assert "Counts under 5 are not drawn" in bands.note
    notice = _items(out, Note)["plans-excluded"].text
    assert (
        notice == "Plan rows excluded from the figures: <5 CIN plans: end date before start date; <5 CP plans: "
        "no start date."
    )


def test_presentation_drift_matrix_secondary_suppression(db):
    """Regression: one hidden cell in a row beside its total. South's 2 visits beside a total of 8 hides
    its 6 reviews; then the review and visit columns (totals in the title and the trend) hide North's."""
    charts = _items(sections.drift(db, _view(True)), Chart)
    m = charts["plans-drift-teams"].table.set_index("team")
    assert m.loc["North"].tolist() == ["*", "*", "<5", "<5", "0", "0", "0", "27"]
    assert m.loc["South"].tolist() == ["*", "<5", "0", "0", "0", "0", "0", "8"]
    hm = charts["plans-drift-teams"].figure.data[0]
    assert all(v is None or v == 0 for row in hm.z for v in row)
    assert charts["plans-drift-teams"].title == "CIN review overdue is the most common drift: 15 plans across 2 teams"


def test_presentation_trend_and_its_title(db):
    """Regression: the trend CSV kept counts of 1-3; and two hidden counts are never compared."""
    trend = _items(sections.drift(db, _view(True)), Chart)["plans-trend"]
    last, first = trend.table.iloc[-1], trend.table.iloc[0]
    assert (last.open_cin, last.cin_9_month_review, last.cin_over_12_months, last.open_cp) == ("18", "<5", "<5", "<5")
    assert last.pct_cin_over_12_months == "<5"  # 3 of 18: worked out from a hidden count
    assert (first.open_cin, first.cin_over_12_months) == ("<5", "<5")
    assert trend.title == "Open CIN plans past 12 months: <5 on the date; <5 a year earlier"
    for t in trend.figure.data:
        assert not [v for v in t.y if v is not None and 0 < v < 5]


def test_presentation_km_groups_sizes_and_medians(db):
    """Groups under 5 are not drawn; curves stop where fewer than 5 plans are followed; a group size
    that would give back a hidden total (3 open CP plans: CP's 9 = 6 closed + 3 open) is hidden."""
    km = _items(sections.km(db, _view(True, split="plan_type")), Chart)["plans-km"]
    assert "at_risk" not in km.table.columns
    assert list(km.table[km.table.group == "CIN plans"].days) == [0, 30, 58, 75, 123, 242]
    assert list(km.table[km.table.group == "CP plans"].days) == [0, 167]
    assert "from 24 plans" in km.summary and "from * plans" in km.summary and "9 plans" not in km.summary
    assert "CP plans: median 5.5 months" in km.title
    by_team = _items(sections.km(db, _view(True, split="cp_team")), Chart)["plans-km"]
    assert set(by_team.table.group) == {"North"}  # South's 3 CP plans: not drawn
    assert "<5 plans left out: groups under 5 plans." in by_team.note
    assert "from 6 plans" in by_team.summary


def test_presentation_drift_list_is_not_sent(db):
    for flag in ("all", "cin_review_overdue"):
        grid = _items(sections.drift_list(db, _view(True, flag=flag)), Table)["plans-drift-grid"]
        assert grid.child_level and grid.rows.empty


@pytest.mark.parametrize("split", list(sections.KM_SPLITS))
def test_presentation_fixture_walks_clean(db, split):
    for teams in ((), ("T1",), ("T2",), ("T3",)):
        view = _view(True, teams=teams, split=split)
        for _, part in sections.PAGE.parts:
            assert leaks(part(db, view), view.disclosure) == [], (split, teams)


def test_normal_mode_shows_the_small_counts_the_walk_looks_for(db):
    """The walk sees this page's small counts in normal mode, or it could not see a leak."""
    found = [f for _, part in sections.PAGE.parts for f in leaks(part(db, _view()), P)]
    assert any(f.startswith("small-cell") for f in found) and any("x-of-y" in f for f in found)


def test_small_demo_every_split_and_date(small_demo):
    """The demo generator's small authority: many small cells, every part clean in presentation mode."""
    from datetime import timedelta

    from data_layer import date_range, team_options

    _, latest = date_range(small_demo)
    teams = team_options(small_demo)["team_id"].tolist()
    for as_at in (latest, latest - timedelta(days=200), latest - timedelta(days=400)):
        for team in ((), (teams[0],), (teams[-1],)):
            view = View.make(Filters(as_at=as_at, teams=team), presentation=True, threshold=5)
            found = leaks(
                sections.body(small_demo, view)
                + sections.drift(small_demo, view)
                + sections.drift_list(small_demo, view),
                view.disclosure,
            )
            for split in sections.KM_SPLITS:
                found += leaks(sections.km(small_demo, view.with_controls(split=split)), view.disclosure)
            assert found == [], (as_at, team)
