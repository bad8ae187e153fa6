"""The CIN pilot page's sections (``dashboard.sections.cin_pilot``), called without a Dash app.

``SMALL`` is an authority built for the leaks issue 12 found on this page: a pilot team whose
"during" cohort has 2 plans (the verdict said "too small to judge (2 plans ...)" beside a cell
"suppressed (<5 plans)"), comparison teams with 3 escalations in 57 plans (the CSV had 0.0526
beside n = 57 and "count <5") and closure routes with hidden segments (the bars ended at 58% and
87%). Hand-computed values in normal mode; in presentation mode, a named test per leak.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from dashboard.disclosure import Disclosure, is_mark
from dashboard.figures import cin_pilot as fig
from dashboard.sections.base import View
from dashboard.sections.cin_pilot import PAGE, chosen, methods_note
from data_layer import Filters, date_range, load_standards
from tests.disclosure_walk import leaks
from tests.fixtures import FixtureDB

D = date(2023, 12, 31)
TEAMS = [
    dict(team_id="P1", team_name="CIN Pilot", service="CIN Pilot", area="North"),
    dict(team_id="C1", team_name="CIN/CP East", service="CIN/CP", area="East"),
    dict(team_id="C2", team_name="CIN/CP West", service="CIN/CP", area="West"),
]


def _cohort(prefix: str, team: str, first: date, reasons: dict[str, int]) -> list[dict]:
    """Plans starting a day apart from ``first``; plan i closes 3 * (i + 1) days after its start;
    ``reasons``: end reason -> how many plans, in order."""
    ends = [r for r, k in reasons.items() for _ in range(k)]
    return [
        dict(
            plan_id=f"{prefix}{i:02d}",
            child_id=f"K{prefix}{i:02d}",
            team_id=team,
            start_date=first + timedelta(days=i),
            end_date=first + timedelta(days=i + 3 * (i + 1)),
            origin="assessment",
            end_reason=reason,
        )
        for i, reason in enumerate(ends)
    ]


PLANS = [
    *_cohort("pb", "P1", date(2021, 9, 1), {"plan_achieved": 7, "escalated_cp": 3}),
    *_cohort("pd", "P1", date(2022, 3, 1), {"plan_achieved": 2}),
    *_cohort("cb", "C1", date(2021, 9, 1), {"plan_achieved": 40, "step_down_eh": 14, "escalated_cp": 3}),
    *_cohort("cd", "C2", date(2022, 3, 1), {"plan_achieved": 15, "escalated_cp": 5}),
]
SMALL = {
    "teams": TEAMS,
    "cin_plans": PLANS,
    "children": [dict(child_id=p["child_id"], birth_date=date(2012, 1, 1)) for p in PLANS],
}
SHOW = Disclosure(threshold=5, active=True)


def _view(db, presentation: bool, as_at: date = D, **controls) -> View:
    return View.make(
        Filters(as_at),
        presentation=presentation,
        threshold=db.standards.suppress_below,
        controls=PAGE.validate_controls(controls, db),
    )


@pytest.fixture
def small(tmp_path):
    """``SMALL`` on SQLite (the data layer's backends are compared in tests/test_pilot.py)."""
    fx = FixtureDB("sqlite", tmp_path).load(SMALL)
    db = fx.connect()
    yield db
    db.dispose()
    fx.cleanup()


def _items(sections) -> dict:
    return {i.id: i for s in sections for i in s.items}


def _body(db, presentation: bool, **kw):
    view = _view(db, presentation, **kw)
    return view, PAGE.part("body")(db, view)


def _row(table: pd.DataFrame, measure: str, cohort: str, period: str):
    return table[(table.measure == measure) & (table.cohort == cohort) & (table.period == period)].iloc[0]


# --------------------------------------------------------------------------- normal mode


def test_body_in_normal_mode(small):
    _, sections = _body(small, False)
    assert [s.id for s in sections] == [
        "cin-pilot-design",
        "cin-pilot-scorecard-card",
        "cin-pilot-statistics",
        "cin-pilot-did-section",
        "cin-pilot-trend-section",
        "cin-pilot-routes-section",
    ]
    assert sections[0].title == "CIN team pilot (CIN Team Pathway), from 7 Feb 2022 for 6 months"
    design = _items(sections)["cin-pilot-design-list"].text
    assert "CIN Pilot (P1)" in design and "CIN/CP East (C1), CIN/CP West (C2)" in design
    items = _items(sections)
    card = items["cin-pilot-statistics-table"].rows.set_index("Measure").loc["Plans escalated to child protection"]
    assert card["Pilot team, before"] == "30% (11% to 60%); n = 10"  # Wilson 3/10
    assert card["Pilot team, during"] == "too small to judge (2 plans; minimum 10); n = 2"
    assert card["Verdict"] == "… Too small to judge: fewer than 10 plans in pilot teams during the pilot (2)."
    csv = items["cin-pilot-did"].table
    comp = _row(csv, "escalated_cp", "comparison", "before")
    assert (comp["n"], comp["count"]) == (57, 3) and comp["value"] == pytest.approx(3 / 57)
    assert sections[1].title == "The pilot cannot be judged yet: the cohorts are too small or not yet measurable"
    routes = items["cin-pilot-routes"].table.set_index(["cohort", "period", "end_reason"])
    assert routes.loc[("pilot", "before", "plan_achieved"), "percent"] == 70.0
    assert routes.loc[("comparison", "before", "step_down_eh"), "plans"] == 14
    assert items["cin-pilot-routes"].title == (
        "How CIN plans closed: 100% of the pilot team's closed plans were achieved"
    )
    trend = items["cin-pilot-trend"].table
    sept = trend[(trend.month == date(2021, 9, 1))].set_index("cohort")
    assert sept.loc["pilot", "starts"] == 10 and sept.loc["comparison", "starts"] == 30
    assert sept.loc["comparison", "starts_per_team"] == 15.0  # two comparison teams
    assert sept.loc["pilot", "closures"] == 7  # 4 + 4i <= 30 for i <= 6


def test_director_table_on_the_small_authority(small):
    """The pilot's "during" cohort has 2 plans: every outcome is too small to judge, so no difference is
    printed; the reason is in the cohort's cell; caseload (no key workers here) is context, not judged."""
    _, sections = _body(small, False)
    card = sections[1]
    assert card.title == "The pilot cannot be judged yet: the cohorts are too small or not yet measurable"
    items = _items(sections)
    table = items["cin-pilot-scorecard"]
    assert (table.grid, table.child_level, table.collapsed) == (False, False, False)
    assert [c["headerName"] for c in table.columns] == [h for _, h in fig.DIRECTOR_COLUMNS]
    rows = table.rows.set_index("measure")
    esc = rows.loc["Plans escalated to child protection"]
    # pilot 3 of 10 -> 2 plans; comparison 3 of 57 (5%) -> 5 of 20 (25%)
    assert tuple(esc[["pilot", "comparison", "difference", "verdict"]]) == (
        "30% → too few plans (2)",
        "5% → 25% (+20 points)",
        "–",
        "Too small to judge",
    )
    assert (table.rows["difference"] == "–").all()
    caseload = rows.loc["Average caseload of the plan's worker"]
    assert tuple(caseload[["pilot", "verdict"]]) == (
        "no key worker recorded → no key worker recorded",
        "Context, not judged",
    )
    # the method text: one folded note in the same card; the full statistics folded and off the pack
    method = items["cin-pilot-methods"]
    assert method.kind == "method" and "seed 20220207" in method.text and "statsmodels" in method.text
    assert [n.id for n in card.notes if n.kind == "method"] == ["cin-pilot-methods"]
    stats = sections[2]
    assert stats.pack is False and items["cin-pilot-statistics-table"].collapsed
    # nothing on the face of the page names a library or the seed (only the folded text does)
    face = " ".join(
        [card.title or "", card.lede or "", items["cin-pilot-scorecard-key"].text, items["cin-pilot-did"].note or ""]
        + list(table.csv_table.to_numpy().ravel())
    )
    for word in ("seed", "statsmodels", "scipy", "Kaplan-Meier", "bootstrap"):
        assert word not in face, word


def test_board_pack_prints_the_director_table_and_the_method_text(small):
    """The pack prints what the pack-able sections hold: the outcomes-only headline, the director's table,
    its key and the method text in full; never the full-statistics table."""
    from dashboard.pack.build import _Counter, blocks_of

    view, sections = _body(small, True)
    packed = [s for s in sections if s.pack]
    assert "cin-pilot-statistics" not in [s.id for s in packed]
    card = next(s for s in packed if s.id == "cin-pilot-scorecard-card")
    blocks = blocks_of(card, _Counter(view.disclosure.note))
    assert [b["kind"] for b in blocks] == ["table", "text"]
    assert blocks[0]["columns"] == [h for _, h in fig.DIRECTOR_COLUMNS]
    assert [n["text"][:11] for n in blocks[0]["notes"]] == ["Difference:"]
    assert {r[3] for r in blocks[0]["rows"]} == {"–"}  # too small everywhere: no difference printed
    method = " ".join(str(p) for p in blocks[1]["paragraphs"])
    assert "seed 20220207" in method and "Outcomes and context" in method


def test_workload_with_no_key_workers_says_why(small):
    view = _view(small, False)
    chart = PAGE.part("workload")(small, view)[0].items[0]
    assert chart.id == "cin-pilot-workload-chart"
    assert chart.empty and chart.finding == chart.empty and "key worker" in chart.empty


def test_empty_cohorts_say_why(small):
    _, sections = _body(small, True, as_at=date(2021, 8, 31))
    items = _items(sections)
    for chart_id in ("cin-pilot-did", "cin-pilot-routes"):
        assert items[chart_id].empty and items[chart_id].finding == items[chart_id].empty


# --------------------------------------------------------------------------- controls


def test_pilot_control_is_validated_against_the_database(small, tmp_path):
    assert PAGE.validate_controls({"pilot": "CIN team pilot"}, small)["pilot"] == "CIN team pilot"
    # an unknown pilot falls back to the first, as the page's selector starts (one view, one cache key)
    assert PAGE.validate_controls({"pilot": "No such pilot"}, small)["pilot"] == "CIN team pilot"
    assert PAGE.validate_controls({}, small)["pilot"] == "CIN team pilot"
    assert PAGE.validate_controls({"pilot": "CIN team pilot"})["pilot"] == ""  # no database: the default
    assert PAGE.validate_controls({"outcome": "'; drop"}, small)["outcome"] == "closed_within_12m"
    assert PAGE.choices(small)["pilot"] == ("CIN team pilot", ("CIN team pilot",))
    assert chosen(small, "") == chosen(small, None) == "CIN team pilot"
    toml = tmp_path / "standards.toml"
    toml.write_text("[standards]\npilot_min_cohort = 12\n")
    assert "under 12 plans" in methods_note(load_standards(toml))


# --------------------------------------------------------------------------- presentation mode: the leaks


def test_regression_verdict_never_prints_a_hidden_count(small):
    """Issue 12: the row said "suppressed (<5 plans)" and its verdict "too small to judge (2 plans ...)"."""
    view, sections = _body(small, True)
    items = _items(sections)
    table = items["cin-pilot-statistics-table"].rows
    for _, row in table[table["Measure"] != "Average caseload of the plan's worker"].iterrows():
        assert row["Pilot team, during"] == "suppressed (<5 plans)"
        assert row["Verdict"] == "… Too small to judge: fewer than 10 plans in pilot teams during the pilot (<5)."
    csv = items["cin-pilot-did"].table
    assert not csv["verdict"].str.contains(r"\(2\)").any()
    assert set(csv[csv.measure != "holder_caseload"]["verdict"]) == {
        "Too small to judge: fewer than 10 plans in pilot teams during the pilot (<5)."
    }
    assert leaks(sections, view.disclosure) == []


def test_regression_pilot_csv_share_hidden_with_its_numerator(small):
    """Issue 12: the pilot CSV had value 0.0526 beside n = 57 and "count <5" (3 / 57 = 0.0526)."""
    _, sections = _body(small, True)
    items = _items(sections)
    csv = items["cin-pilot-did"].table
    comp = _row(csv, "escalated_cp", "comparison", "before")
    assert comp["n"] == "57" and comp["count"] == "<5"
    assert comp["value"] == comp["ci_low"] == comp["ci_high"] == "<5"
    assert comp["label"] == "suppressed (worked out from a count <5); n = 57"
    # the CSV is what the scorecard shows: the same cell text, and nothing numeric behind a mark
    shown = items["cin-pilot-statistics-table"].rows.set_index("Measure")
    assert shown.loc["Plans escalated to child protection", "Comparison teams, before"] == comp["label"]
    hidden = csv[csv["count"] == "<5"]
    assert hidden["value"].eq("<5").all() and hidden["ci_low"].eq("<5").all()


def test_regression_intervals_and_differences_of_a_hidden_cohort_are_hidden(small):
    _, sections = _body(small, True)
    items = _items(sections)
    csv = items["cin-pilot-did"].table
    esc = csv[csv.measure == "escalated_cp"]
    assert esc["did"].eq("<5").all() and esc["did_ci_low"].eq("<5").all() and esc["did_ci_high"].eq("<5").all()
    assert (
        items["cin-pilot-statistics-table"]
        .rows.set_index("Measure")
        .loc["Plans escalated to child protection", fig.DID_COLUMN]
        == "suppressed"
    )
    figure = items["cin-pilot-did"].figure
    panel = [t for t in figure.data if t.name == "Comparison teams"][2]  # escalations, panel 3
    assert panel.y[0] is None and panel.error_y.array[0] is None and panel.error_y.arrayminus[0] is None
    # no reference line where it would rest on a hidden cohort (the comparison before)
    reference = "Pilot if it had changed like the comparison"
    assert not [t for t in figure.data if t.name == reference and t.xaxis == panel.xaxis]
    _, normal = _body(small, False)
    assert [t for t in _items(normal)["cin-pilot-did"].figure.data if t.name == reference and t.xaxis == panel.xaxis]


def test_regression_trend_carries_no_count_under_5(small):
    """Issue 12: the trend CSV kept counts of 1-4 and drew lines at their size (one pilot team:
    plans per team *is* the count)."""
    view, sections = _body(small, True)
    chart = _items(sections)["cin-pilot-trend"]
    table = chart.table
    assert "open_plans" not in table.columns
    for col in ("starts", "closures"):
        values = [float(v) for v in table[col] if not is_mark(v)]
        assert not [v for v in values if 0 < v < 5], col
    march = table[(table.month == date(2022, 3, 1)) & (table.cohort == "pilot")].iloc[0]
    assert march["starts"] == "<5" and march["starts_per_team"] == "<5"
    teams = {"Pilot team": 1, "Comparison teams": 2}
    for trace in chart.figure.data[:6]:
        if trace.yaxis in ("y", "y2"):  # starts, closures per team
            drawn = [y * teams[trace.name] for y in trace.y if y is not None]
            assert not [v for v in drawn if 0 < round(v, 6) < 5], trace.name
    assert leaks(sections, view.disclosure) == []


def _bar_rows(figure) -> dict[str, float]:
    total: dict[str, float] = {}
    for trace in figure.data:
        if trace.type == "bar":
            for y, x in zip(trace.y, trace.x, strict=False):
                total[y] = total.get(y, 0.0) + (x or 0.0)
    return total


def _check_routes(chart, *, exact: bool):
    rows = fig.routes_rows(chart.table)
    drawn = _bar_rows(chart.figure)
    for (cohort, period), r in rows.items():
        name = fig._cohort_name(cohort, period)
        if r["drawn"]:
            assert drawn[name] == pytest.approx(100.0, abs=1e-9 if exact else 0.5), name
        else:
            assert name not in drawn and name in (chart.note or "")


def test_regression_closure_route_bars_run_to_100_or_are_left_out(small, small_demo):
    """Issue 12: in presentation mode the routes bars ended at 58% and 87% with segments misplaced.
    Every drawn bar sums to 100% (hidden routes as one "not shown" segment); a cohort whose split
    cannot be shown has no bar, and the note says so."""
    view, sections = _body(small, True)
    chart = _items(sections)["cin-pilot-routes"]
    _check_routes(chart, exact=True)
    rows = fig.routes_rows(chart.table)
    assert rows[("pilot", "during")] == dict(drawn=False, reason="too few closed plans to show", hidden=0.0)
    assert "No bar for Pilot team, during: too few closed plans to show." in chart.note
    assert rows[("pilot", "before")]["hidden"] == 100.0  # 7 and 3: the 3 hides the 7
    assert rows[("comparison", "before")]["hidden"] == pytest.approx(29.8)  # the 3 and the 14 together
    assert rows[("comparison", "during")]["hidden"] == 0.0  # 15 and 5: nothing small
    grey = [t for t in chart.figure.data if t.name == fig.HIDDEN_ROUTES][0]
    assert "customdata" not in grey.to_plotly_json()
    assert chart.title == "How CIN plans closed, by cohort"  # the pilot's share is hidden
    assert leaks(sections, view.disclosure) == []
    _, latest = date_range(small_demo)
    for as_at in (latest, latest - timedelta(days=120), date(2022, 6, 30)):
        for presentation in (True, False):
            _, demo = _body(small_demo, presentation, as_at=as_at)
            _check_routes(_items(demo)["cin-pilot-routes"], exact=presentation)


def test_small_demo_leaks_nothing_in_either_part(small_demo):
    _, latest = date_range(small_demo)
    found = []
    for as_at in (latest, date(2022, 5, 31), date(2022, 10, 31)):
        for outcome in fig.WORKLOAD_CHOICES:
            view = _view(small_demo, True, as_at=as_at, outcome=outcome)
            for name, part in PAGE.parts:
                found += [f"{as_at} {outcome} {name}: {x}" for x in leaks(part(small_demo, view), view.disclosure)]
    assert not found, "\n".join(found[:20])
    # and in normal mode the same walk sees small counts (or it could not see a leak)
    view = _view(small_demo, False, as_at=latest)
    assert leaks(PAGE.part("body")(small_demo, view), SHOW)


def test_workload_presentation_on_the_small_demo(small_demo):
    _, latest = date_range(small_demo)
    seen = 0
    for outcome in fig.WORKLOAD_CHOICES:
        view = _view(small_demo, True, as_at=latest, outcome=outcome)
        chart = PAGE.part("workload")(small_demo, view)[0].items[0]
        table = chart.table
        assert chart.id == "cin-pilot-workload-chart" and chart.filename == f"cin-pilot-workload-{outcome}"
        for r in table.itertuples():
            if is_mark(r.plans) or is_mark(r.with_outcome):
                assert r.percent == r.ci_low == r.ci_high == "<5"
        hidden_any = any(is_mark(v) for c in ("plans", "with_outcome") for v in table[c])
        lines = [s for s in chart.figure.layout.shapes if s.type == "line"]
        if hidden_any:
            assert not lines  # the rate over all plans would give a hidden band back
            seen += 1
    assert seen


# --------------------------------------------------------------------------- Disclosure.stack


@pytest.mark.parametrize(
    "cells, hidden, total_hidden",
    [
        ([50, 0, 0], set(), False),  # nothing small
        ([20, 3, 8], {1, 2}, False),  # the 3, and the next smallest (8)
        ([10, 3], {0, 1}, False),  # a lone 3 beside a shown total: the 10 goes too
        ([10, 1, 1], {0, 1, 2}, False),  # two hidden adding to 2 are 1 and 1: hide the 10 too
        ([30, 12, 6, 1], {2, 3}, False),  # 1 + 6 = 7: the 1 could be 1..2, the 6 is 5..6
        ([30, 12, 5, 1], {1, 2, 3}, False),  # 1 + 5 = 1 + threshold pins both: hide the 12 too
        ([4, 4], {0, 1}, True),  # 8 of two "<5" can only be 4 + 4: hide the total
        ([3, 0], {0}, True),  # a small total
        ([0, 0, 0], set(), False),
    ],
)
def test_stack_hides_until_no_cell_can_be_worked_back(cells, hidden, total_hidden):
    assert SHOW.stack(cells) == (hidden, total_hidden)
    assert Disclosure(threshold=5, active=False).stack(cells) == (set(), False)
