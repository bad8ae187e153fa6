"""Plan durations page figure builders: traces, standard lines, titles, suppression (no database)."""
from datetime import date

import pandas as pd
import pytest

from dashboard.figures import plans as fig
from data_layer.plans import band_edges, band_labels, survival_by_group
from data_layer.standards import load_standards

S = load_standards()
EDGES = band_edges(S)


def _bands(counts: dict) -> pd.DataFrame:
    """Every plan type x band x open/closed, with the given (plan_type, band_order, open) counts."""
    labels = band_labels(EDGES)
    rows = [dict(plan_type=t, band_order=i, band=labels[i], open=o, n=counts.get((t, i, o), 0))
            for t in ("cin", "cp") for i in range(len(labels)) for o in (False, True)]
    return pd.DataFrame(rows)


BANDS = _bands({("cin", 0, True): 10, ("cin", 4, True): 3, ("cin", 5, True): 2, ("cin", 1, False): 7,
                ("cp", 5, True): 1, ("cp", 2, False): 6})


def test_band_edges_are_the_standards():
    assert EDGES == (3, 6, 9, 12, 24)


def test_bands_table_and_title():
    table = fig.bands_table(BANDS)
    assert list(table.columns) == ["plan_type", "band", "band_order", "status", "plans"]
    assert table.plans.sum() == 29
    assert fig.bands_title(BANDS, EDGES) == "5 of 15 open CIN plans have lasted more than 12 months"
    shown = fig.bands_table(BANDS, presentation=True)
    assert "<5" in set(shown.plans) and "10" in set(shown.plans)
    assert fig.bands_title(BANDS, EDGES, presentation=True) == "5 of 15 open CIN plans have lasted more than 12 months"
    assert fig.bands_title(_bands({("cin", 5, True): 2}), EDGES, presentation=True).startswith("<5 of <5")


def test_bands_figure_draws_every_standard():
    table = fig.bands_table(BANDS)
    f = fig.bands_figure(table, "t", EDGES, S)
    assert len(f.data) == 4   # CIN closed/open, CP closed/open
    assert [t.name for t in f.data] == ["CIN closed in the 12 months", "CIN open on the date",
                                        "CP closed in the 12 months", "CP open on the date"]
    cin_open = f.data[1]
    assert list(cin_open.y) == [10, 0, 0, 0, 3, 2]
    lines = [s for s in f.layout.shapes if s.type == "line"]
    assert sorted((s.x0, s.xref) for s in lines) == [(0.5, "x"), (1.5, "x"), (2.5, "x"), (3.5, "x"), (4.5, "x2")]
    texts = [a.text for a in f.layout.annotations]
    assert any("12m CIN limit (001)" in t for t in texts) and any("24m CP 2-year indicator" in t for t in texts)
    assert f.layout.title.text == "t"


def test_bands_figure_presentation_hides_small_bars():
    shown = fig.bands_table(BANDS, presentation=True)
    f = fig.bands_figure(shown, "t", EDGES, S)
    cin_open = f.data[1]
    assert cin_open.y[0] == 10 and pd.isna(cin_open.y[4])
    assert cin_open.customdata[4][0] == "<5"


def test_bands_figure_empty():
    f = fig.bands_figure(fig.bands_table(_bands({})), "Nothing", EDGES, S)
    assert f.layout.annotations[0].text.startswith("No plans")


def _km_input():
    """CIN: 10 closed, 20 open, 30 closed, 40 closed, 50 open (median 40); CP: 100 closed, 200 open x2."""
    rows = [("cin", 10, False), ("cin", 20, True), ("cin", 30, False), ("cin", 40, False), ("cin", 50, True),
            ("cp", 100, False), ("cp", 200, True), ("cp", 200, True)]
    return pd.DataFrame([dict(plan_type=t, days=d, open=o, origin="assessment", team="A") for t, d, o in rows])


def test_km_figure_curves_medians_and_standards():
    res = survival_by_group(_km_input(), by="plan_type")
    title = fig.km_title(res.medians, "plan_type")
    assert title.startswith("How long plans stay open — CIN plans: median 1.3 months")
    assert "CP plans: over half still open" in title
    f = fig.km_figure(res.curves, res.medians, title, "plan_type", S)
    named = [t for t in f.data if t.name == "CIN plans"]
    assert len(named) == 1 and named[0].line.shape == "hv"
    cin = named[0]
    assert list(cin.y) == pytest.approx([1.0, 0.8, 0.8, 0.8 * 2 / 3, 0.8 / 3, 0.8 / 3])
    assert cin.x[1] == pytest.approx(10 / fig.MONTH_DAYS)
    medians = [t for t in f.data if t.name == "CIN plans median"]
    assert len(medians) == 1 and medians[0].x[0] == pytest.approx(40 / fig.MONTH_DAYS) and medians[0].y[0] == 0.5
    assert not [t for t in f.data if t.name == "CP plans median"]     # not reached: no marker
    bands = [t for t in f.data if t.fill == "tonexty"]
    assert len(bands) == 2                                             # a 95% band per group
    xs = sorted(s.x0 for s in f.layout.shapes if s.type == "line" and s.xref == "x")
    assert xs == [12, 24]                                              # CIN 12 months and CP 2 years
    note = fig.km_note(res.medians, "plan_type")
    assert "censored" in note and "average of closed plans only 0.9 months" in note


def test_km_by_origin_draws_step_down_limit():
    res = survival_by_group(_km_input()[lambda d: d.plan_type == "cin"], by="origin")
    f = fig.km_figure(res.curves, res.medians, "t", "origin", S, ("cin",))
    xs = sorted(round(s.x0, 3) for s in f.layout.shapes if s.type == "line" and s.xref == "x")
    assert xs == [round(84 / fig.MONTH_DAYS, 3), 12]
    assert any("step-downs 12 weeks (000)" in a.text for a in f.layout.annotations)
    assert [t.name for t in f.data if t.mode == "lines" and t.showlegend is not False] == ["After assessment"]


def test_km_table_suppresses_small_numbers_at_risk():
    res = survival_by_group(_km_input(), by="plan_type")
    table = fig.km_table(res.curves, "plan_type", presentation=True)
    assert set(table.group) == {"CIN plans", "CP plans"}
    assert "<5" in set(table.at_risk)
    assert table.share_still_open.between(0, 1).all()


def test_median_text():
    assert fig.median_text(dict(median_days=fig.MONTH_DAYS * 6, ci_low=fig.MONTH_DAYS * 5, ci_high=float("nan"))) == \
        "6.0 months (95% CI 5.0 to not reached)"
    assert fig.median_text(dict(median_days=float("nan"), ci_low=float("nan"), ci_high=float("nan"))).startswith("not")


COUNTS = pd.DataFrame([
    dict(team_id="T1", team_name="North", flag="cin_review_overdue", n=7),
    dict(team_id="T1", team_name="North", flag="cp_visit_overdue", n=2),
    dict(team_id="T2", team_name="South", flag="cin_review_overdue", n=1),
    dict(team_id="T2", team_name="South", flag="cin_over_12_months", n=9),
])


def test_drift_matrix_and_heatmap():
    m = fig.drift_matrix(COUNTS)
    assert list(m.columns) == ["team", *fig.FLAGS, "total"]
    assert list(m.team) == ["South", "North"]  # most flags first
    assert m.set_index("team").loc["North", "cin_review_overdue"] == 7
    assert m.set_index("team").loc["North", "cin_over_12_months"] == 0
    assert fig.drift_title(COUNTS) == "CIN open over 12 months is the most common drift: 9 plans across 1 team"
    f = fig.drift_figure(m, "t", S)
    hm = f.data[0]
    assert hm.type == "heatmap" and list(hm.x) == ["South", "North"]
    assert list(hm.y) == [fig.flag_label(f, S) for f in fig.FLAGS]
    assert "CIN review overdue (over 42 days)" in hm.y and "CP visit overdue (over 10 days)" in hm.y
    assert hm.z[fig.FLAGS.index("cin_review_overdue")][1] == 7
    shown = fig.drift_matrix(COUNTS, presentation=True)
    f2 = fig.drift_figure(shown, "t", S)
    north = list(f2.data[0].x).index("North")
    row = fig.FLAGS.index("cp_visit_overdue")
    assert f2.data[0].text[row][north] == "<5" and pd.isna(f2.data[0].z[row][north])
    assert "42 days" in fig.drift_note(S)


def test_drift_empty():
    empty = COUNTS.iloc[0:0]
    assert fig.drift_matrix(empty).empty
    assert fig.drift_title(empty).startswith("No open plan")
    assert fig.drift_figure(fig.drift_matrix(empty), "t", S).layout.annotations[0].text.startswith("No drift")


TREND = pd.DataFrame({
    "as_at": [date(2022, 3, 31), date(2022, 9, 30), date(2023, 3, 31)],
    "open_cin": [100, 110, 120], "cin_9_month_review": [20, 25, 30], "cin_over_12_months": [10, 12, 3],
    "step_down_over_12_weeks": [1, 0, 2], "open_cp": [50, 40, 45], "cp_over_2_years": [0, 1, 2],
    "pct_cin_over_12_months": [10.0, 12 / 110 * 100, 2.5],
})


def test_trend_table_figure_and_standard():
    table = fig.trend_table(TREND)
    assert fig.trend_title(TREND) == "Open CIN plans past 12 months: 3 on the date, down from 10 a year earlier"
    assert fig.trend_title(TREND, presentation=True) == \
        "Open CIN plans past 12 months: <5 on the date, down from 10 a year earlier"
    f = fig.trend_figure(table, "t", S)
    assert [t.name for t in f.data] == [fig.flag_label(x) for x in fig.TREND_FLAGS]
    assert list(f.data[0].y) == [10, 12, 3]
    zero = [s for s in f.layout.shapes if s.type == "line" and s.y0 == 0]
    assert zero and any("no CIN plan beyond 12 months" in a.text for a in f.layout.annotations)
    shown = fig.trend_table(TREND, presentation=True)
    f2 = fig.trend_figure(shown, "t", S)
    assert pd.isna(f2.data[0].y[2]) and f2.data[0].customdata[2][0] == "<5"


def test_drift_list_rows():
    drift = pd.DataFrame([
        dict(plan_id="N1", plan_type="cin", child_id="C1", team_id="T1", team_name="North", worker_name=None,
             flag="cin_review_overdue", days_over=3, start_date=date(2022, 1, 1), last_review_date=None,
             last_visit_date=date(2023, 3, 1)),
        dict(plan_id="P1", plan_type="cp", child_id="C2", team_id="T9", team_name=None, worker_name="Ann",
             flag="cp_over_2_years", days_over=30, start_date=date(2020, 1, 1), last_review_date=None,
             last_visit_date=None),
    ])
    rows = fig.drift_list(drift, S)
    assert list(rows.columns) == [c["field"] for c in fig.DRIFT_GRID_COLUMNS]
    assert list(rows.child_id) == ["C2", "C1"]
    first = rows.iloc[0]
    assert (first.team, first.worker, first.plan_type, first.flag) == ("T9", "Ann", "CP", "CP open over 2 years")
    assert rows.iloc[1].worker == "No key worker" and rows.iloc[1].last_review_date == ""
    assert rows.iloc[1].flag == "CIN review overdue (over 42 days)"


def test_exclusion_text():
    ex = pd.DataFrame([dict(plan_type="cin", reason="end date before start date", n=2),
                       dict(plan_type="cp", reason="no start date", n=1),
                       dict(plan_type="cin", reason="unrecognised origin code", n=4)])
    text = fig.exclusion_text(ex)
    assert text.startswith("3 rows excluded from the figures: 2 CIN plans: end date before start date; "
                           "1 CP plan: no start date; 4 CIN plans with an unrecognised origin")
    assert fig.exclusion_text(ex.iloc[0:0]) is None
