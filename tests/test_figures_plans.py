"""Plan durations page figure builders: traces, standard lines, titles, disclosure (no database)."""

from datetime import date

import pandas as pd
import pytest

from dashboard.disclosure import Disclosure
from dashboard.figures import plans as fig
from data_layer.metrics.plan_survival import band_edges, band_labels, survival_by_group
from data_layer.standards import load_standards, source_of
from tests.figure_json import assert_twin

S = load_standards()
EDGES = band_edges(S)
P = Disclosure(threshold=5, active=True)  # presentation mode


def _bands(counts: dict) -> pd.DataFrame:
    """Every plan type x band x open/closed, with the given (plan_type, band_order, open) counts."""
    labels = band_labels(EDGES)
    rows = [
        dict(plan_type=t, band_order=i, band=labels[i], open=o, n=counts.get((t, i, o), 0))
        for t in ("cin", "cp")
        for i in range(len(labels))
        for o in (False, True)
    ]
    return pd.DataFrame(rows)


BANDS = _bands(
    {
        ("cin", 0, True): 10,
        ("cin", 4, True): 3,
        ("cin", 5, True): 2,
        ("cin", 1, False): 7,
        ("cp", 5, True): 1,
        ("cp", 2, False): 6,
    }
)


def test_band_edges_are_the_standards():
    assert EDGES == (3, 6, 9, 12, 24)


def test_bands_table_and_title():
    table = fig.bands_table(BANDS)
    assert list(table.columns) == ["plan_type", "band", "band_order", "status", "plans"]
    assert table.plans.sum() == 29
    assert fig.bands_title(BANDS, EDGES) == "5 of 15 open CIN plans have lasted more than 12 months"
    shown = fig.bands_table(BANDS, P, S)
    assert "<5" in set(shown.plans) and "10" in set(shown.plans)
    assert fig.bands_title(BANDS, EDGES, 12, P) == "5 of 15 open CIN plans have lasted more than 12 months"
    assert fig.bands_title(_bands({("cin", 5, True): 2}), EDGES, 12, P).startswith("<5 of <5")


def test_bands_figure_draws_every_standard():
    table = fig.bands_table(BANDS)
    f = fig.bands_figure(table, "t", EDGES, S)
    assert_twin(f)
    assert len(f.data) == 4  # CIN closed/open, CP closed/open
    assert [t.name for t in f.data] == [
        "CIN closed in the 12 months",
        "CIN open on the date",
        "CP closed in the 12 months",
        "CP open on the date",
    ]
    cin_open = f.data[1]
    assert list(cin_open.y) == [10, 0, 0, 0, 3, 2]
    lines = [s for s in f.layout.shapes if s.type == "line"]
    assert sorted((s.x0, s.xref) for s in lines) == [(0.5, "x"), (1.5, "x"), (2.5, "x"), (3.5, "x"), (4.5, "x2")]
    texts = [a.text for a in f.layout.annotations]
    assert "12m<br>CIN limit" in texts and "24m<br>CP 2-year indicator" in texts
    # The panels' headings cite the standards' sources; each standard's label sits above its panel
    # (bottom on the plot's top edge), not in a white box over the bars' edges.
    assert texts[:2] == [f"CIN plans ({source_of('cin_max_months')})", "CP plans (national indicator)"]
    labels = [a for a in f.layout.annotations if "<br>" in a.text]
    assert len(labels) == 5
    assert {(a.y, a.yanchor, a.yref) for a in labels} == {(1, "bottom", "y domain"), (1, "bottom", "y2 domain")}
    assert all(a.bgcolor is None for a in labels)
    assert f.layout.title.text == "t"


def test_bands_figure_presentation_hides_small_bars():
    shown = fig.bands_table(BANDS, P, S)
    f = fig.bands_figure(shown, "t", EDGES, S)
    assert_twin(f)
    cin_open = f.data[1]
    assert cin_open.y[0] == 10 and cin_open.y[4] is None and cin_open.y[5] is None
    assert cin_open.customdata[4][0] == "<5"
    assert 3 not in f.data[1].y and 2 not in f.data[1].y and 1 not in f.data[3].y  # never drawn at their size


def test_bands_figure_empty():
    f = fig.bands_figure(fig.bands_table(_bands({})), "Nothing", EDGES, S)
    assert f.layout.annotations[0].text.startswith("No plans")


def _km_input():
    """CIN: 10 closed, 20 open, 30 closed, 40 closed, 50 open (median 40); CP: 100 closed, 200 open x2."""
    rows = [
        ("cin", 10, False),
        ("cin", 20, True),
        ("cin", 30, False),
        ("cin", 40, False),
        ("cin", 50, True),
        ("cp", 100, False),
        ("cp", 200, True),
        ("cp", 200, True),
    ]
    return pd.DataFrame([dict(plan_type=t, days=d, open=o, origin="assessment", team="A") for t, d, o in rows])


def test_km_figure_curves_medians_and_standards():
    res = survival_by_group(_km_input(), by="plan_type")
    title = fig.km_title(res.medians, "plan_type")
    assert title.startswith("How long plans stay open — CIN plans: median 1.3 months")
    assert "CP plans: over half still open" in title
    f = fig.km_figure(res.curves, res.medians, title, "plan_type", S)
    assert_twin(f)
    named = [t for t in f.data if t.name == "CIN plans"]
    assert len(named) == 1 and named[0].line.shape == "hv"
    cin = named[0]
    drawn = 10**-fig.DRAWN_DIGITS / 2  # curves are drawn to 4 decimals (the CSV keeps every digit)
    assert list(cin.y) == pytest.approx([1.0, 0.8, 0.8, 0.8 * 2 / 3, 0.8 / 3, 0.8 / 3], abs=drawn)
    assert cin.y[3] == round(0.8 * 2 / 3, fig.DRAWN_DIGITS)
    assert cin.x[1] == pytest.approx(10 / fig.MONTH_DAYS, abs=drawn)
    medians = [t for t in f.data if t.name == "CIN plans median"]
    assert len(medians) == 1 and medians[0].x[0] == pytest.approx(40 / fig.MONTH_DAYS) and medians[0].y[0] == 0.5
    assert not [t for t in f.data if t.name == "CP plans median"]  # not reached: no marker
    bands = [t for t in f.data if t.fill == "tonexty"]
    assert len(bands) == 2  # a 95% band per group
    xs = sorted(s.x0 for s in f.layout.shapes if s.type == "line" and s.xref == "x")
    assert xs == [12, 24]  # CIN 12 months and CP 2 years
    note = fig.km_note(res.medians, "plan_type")
    assert "average of closed plans only 0.9 months" in note


def test_km_by_origin_draws_step_down_limit():
    res = survival_by_group(_km_input()[lambda d: d.plan_type == "cin"], by="origin")
    f = fig.km_figure(res.curves, res.medians, "t", "origin", S, ("cin",))
    assert_twin(f)
    xs = sorted(round(s.x0, 3) for s in f.layout.shapes if s.type == "line" and s.xref == "x")
    assert xs == [round(84 / fig.MONTH_DAYS, 3), 12]
    assert any("step-downs 12 weeks (Cluster group presentation)" in a.text for a in f.layout.annotations)
    assert [t.name for t in f.data if t.mode == "lines" and t.showlegend is not False] == ["After assessment"]


def test_km_table_in_presentation_stops_where_few_plans_are_followed():
    """Normal mode: every step with its plans at risk. Presentation mode: only points with 5 or more
    plans at risk, and no at_risk column (consecutive numbers at risk differ by one child's plan)."""
    res = survival_by_group(_km_input(), by="plan_type")
    table = fig.km_table(res.curves, "plan_type")
    assert list(table[table.group == "CIN plans"].at_risk) == [5, 5, 4, 3, 2, 1]
    shown = fig.km_table(res.curves, "plan_type", P)
    assert "at_risk" not in shown.columns
    assert set(shown.group) == {"CIN plans"}  # CP: 3 plans at risk from the start
    assert list(shown.days) == [0, 10]  # CIN: 4 at risk from day 20
    assert shown.share_still_open.between(0, 1).all()


def test_km_medians_hidden_when_they_rest_on_few_plans():
    res = survival_by_group(_km_input(), by="plan_type")
    exact = fig.km_medians(res.medians, res.curves)
    assert not exact[["median_hidden", "lo_hidden", "hi_hidden", "mean_hidden"]].any().any()
    shown = fig.km_medians(res.medians, res.curves, P).set_index("group")
    # CIN: median 40 days falls where 2 plans are at risk, from 3 closed plans: not shown, nor their average
    assert shown.loc["cin", "median_hidden"] and shown.loc["cin", "mean_hidden"]
    row = shown.loc["cin"].to_dict()
    assert fig.median_text(row) == "not shown (too few plans behind it)"
    title = fig.km_title(shown.reset_index(), "plan_type")
    assert "CIN plans: median not shown" in title and "1.3" not in title
    note = fig.km_note(shown.reset_index(), "plan_type", P)
    assert "0.9 months" not in note and "not shown" in note
    f = fig.km_figure(fig.km_visible(res.curves, P), shown.reset_index(), title, "plan_type", S)
    assert_twin(f)
    assert not [t for t in f.data if t.name and t.name.endswith(" median")]
    cin = [t for t in f.data if t.name == "CIN plans"][0]
    assert list(cin.y) == pytest.approx([1.0, 0.8]) and max(cin.x) == pytest.approx(10 / fig.MONTH_DAYS, abs=1e-4)


def test_median_text():
    assert (
        fig.median_text(dict(median_days=fig.MONTH_DAYS * 6, ci_low=fig.MONTH_DAYS * 5, ci_high=float("nan")))
        == "6.0 months (95% CI 5.0 to not reached)"
    )
    assert fig.median_text(dict(median_days=float("nan"), ci_low=float("nan"), ci_high=float("nan"))).startswith("not")


COUNTS = pd.DataFrame(
    [
        dict(team_id="T1", team_name="North", flag="cin_review_overdue", n=7),
        dict(team_id="T1", team_name="North", flag="cp_visit_overdue", n=2),
        dict(team_id="T2", team_name="South", flag="cin_review_overdue", n=1),
        dict(team_id="T2", team_name="South", flag="cin_over_12_months", n=9),
    ]
)


def test_drift_matrix_and_heatmap():
    m = fig.drift_matrix(COUNTS)
    assert list(m.columns) == ["team", *fig.FLAGS, "total"]
    assert list(m.team) == ["South", "North"]  # most flags first
    assert m.set_index("team").loc["North", "cin_review_overdue"] == 7
    assert m.set_index("team").loc["North", "cin_over_12_months"] == 0
    assert fig.drift_title(COUNTS) == "CIN open over 12 months is the most common drift: 9 plans across 1 team"
    f = fig.drift_figure(m, "t", S)
    assert_twin(f)
    hm = f.data[0]
    assert hm.type == "heatmap" and list(hm.x) == ["South", "North"]
    assert list(hm.y) == [fig.flag_label(f, S) for f in fig.FLAGS]
    assert "CIN review overdue (over 42 days)" in hm.y and "CP visit overdue (over 10 days)" in hm.y
    assert hm.z[fig.FLAGS.index("cin_review_overdue")][1] == 7
    shown = fig.drift_matrix(COUNTS, d=P)
    f2 = fig.drift_figure(shown, "t", S)
    assert_twin(f2)
    north = list(f2.data[0].x).index("North")
    row = fig.FLAGS.index("cp_visit_overdue")
    assert f2.data[0].text[row][north] == "<5" and pd.isna(f2.data[0].z[row][north])


def test_drift_empty():
    empty = COUNTS.iloc[0:0]
    assert fig.drift_matrix(empty).empty
    assert fig.drift_title(empty).startswith("No open plan")
    assert fig.drift_figure(fig.drift_matrix(empty), "t", S).layout.annotations[0].text.startswith("No drift")


TREND = pd.DataFrame(
    {
        "as_at": [date(2022, 3, 31), date(2022, 9, 30), date(2023, 3, 31)],
        "open_cin": [100, 110, 120],
        "cin_9_month_review": [20, 25, 30],
        "cin_over_12_months": [10, 12, 3],
        "step_down_over_12_weeks": [1, 0, 2],
        "open_cp": [50, 40, 45],
        "cp_over_2_years": [0, 1, 2],
        "pct_cin_over_12_months": [10.0, 12 / 110 * 100, 2.5],
    }
)


def test_trend_table_figure_and_standard():
    table = fig.trend_table(TREND)
    assert fig.trend_title(TREND) == "Open CIN plans past 12 months: 3 on the date, down from 10 a year earlier"
    assert fig.trend_title(TREND, P) == "Open CIN plans past 12 months: <5 on the date, down from 10 a year earlier"
    f = fig.trend_figure(table, "t", S)
    assert_twin(f)
    assert [t.name for t in f.data] == [fig.flag_label(x) for x in fig.TREND_FLAGS]
    assert list(f.data[0].y) == [10, 12, 3]
    zero = [s for s in f.layout.shapes if s.type == "line" and s.y0 == 0]
    assert zero and any("no CIN plan beyond 12 months" in a.text for a in f.layout.annotations)
    shown = fig.trend_table(TREND, P)
    f2 = fig.trend_figure(shown, "t", S)
    assert_twin(f2)
    assert f2.data[0].y[2] is None and f2.data[0].customdata[2][0] == "<5"


def test_drift_list_rows():
    drift = pd.DataFrame(
        [
            dict(
                plan_id="N1",
                plan_type="cin",
                child_id="C1",
                team_id="T1",
                team_name="North",
                worker_name=None,
                flag="cin_review_overdue",
                days_over=3,
                start_date=date(2022, 1, 1),
                last_review_date=None,
                last_visit_date=date(2023, 3, 1),
            ),
            dict(
                plan_id="P1",
                plan_type="cp",
                child_id="C2",
                team_id="T9",
                team_name=None,
                worker_name="Ann",
                flag="cp_over_2_years",
                days_over=30,
                start_date=date(2020, 1, 1),
                last_review_date=None,
                last_visit_date=None,
            ),
        ]
    )
    rows = fig.drift_list(drift, S)
    assert list(rows.columns) == [c["field"] for c in fig.DRIFT_GRID_COLUMNS] + ["team_id"]
    assert list(rows.child_id) == ["C2", "C1"]
    first = rows.iloc[0]
    assert (first.team, first.worker, first.plan_type, first.flag) == ("T9", "Ann", "CP", "CP open over 2 years")
    assert rows.iloc[1].worker == "No key worker" and rows.iloc[1].last_review_date == ""
    assert rows.iloc[1].flag == "CIN review overdue (over 42 days)"


def test_exclusion_text():
    ex = pd.DataFrame(
        [
            dict(plan_type="cin", reason="end date before start date", n=2),
            dict(plan_type="cp", reason="no start date", n=1),
            dict(plan_type="cin", reason="unrecognised origin code", n=4),
        ]
    )
    text = fig.exclusion_text(ex)
    assert text.startswith(
        "3 rows excluded from the figures: 2 CIN plans: end date before start date; "
        "1 CP plan: no start date; 4 CIN plans with an unrecognised origin"
    )
    assert fig.exclusion_text(ex.iloc[0:0]) is None


# --------------------------------------------------------------------------- presentation mode: linked counts


def _row(open_cin, nine, twelve, step=0, open_cp=0, two_years=0):
    return dict(
        open_cin=open_cin,
        cin_9_month_review=nine,
        cin_over_12_months=twelve,
        step_down_over_12_weeks=step,
        open_cp=open_cp,
        cp_over_2_years=two_years,
    )


def test_hidden_counts_of_nested_groups():
    """46 open and 45 over 12 months says 1 is not: the open count goes (as on the Overview's tile)."""
    assert not any(fig.hidden_counts(_row(46, 45, 45), Disclosure()).values())
    fate = fig.hidden_counts(_row(46, 45, 45, step=44, open_cp=30, two_years=3), P)
    assert fate["open_cin"] and not fate["cin_over_12_months"] and not fate["cin_9_month_review"]
    assert not fate["step_down_over_12_weeks"]  # beside a hidden total, 44 is safe
    assert not fate["open_cp"] and fate["cp_over_2_years"]
    # the outer pair shown (46 - 30 = 16), the middle within 2 of the total: hidden
    fate = fig.hidden_counts(_row(46, 44, 30, step=43), P)
    assert (fate["open_cin"], fate["cin_9_month_review"], fate["cin_over_12_months"]) == (False, True, False)
    assert fate["step_down_over_12_weeks"]  # 46 - 43 = 3 not on a step-down over 12 weeks


def test_bands_secondary_against_the_totals_shown_on_the_page():
    """CIN open bands [20, 0, 6, 7, 3, 8]: total 44, over 9 months 18, over 12 months 11 are shown
    (tiles, trend); the band of 3 would be 11 - 8: the 8 goes too. CP closed [1, 6]: the 6 goes."""
    bands = _bands(
        {
            ("cin", 0, True): 20,
            ("cin", 2, True): 6,
            ("cin", 3, True): 7,
            ("cin", 4, True): 3,
            ("cin", 5, True): 8,
            ("cp", 0, False): 1,
            ("cp", 1, False): 6,
            ("cp", 1, True): 9,
        }
    )
    shown = fig.bands_table(bands, P, S)
    cin_open = shown[(shown.plan_type == "CIN") & (shown.status == "Open on the date")].plans.tolist()
    assert cin_open == ["20", "0", "6", "7", "<5", "*"]
    cp_closed = shown[(shown.plan_type == "CP") & (shown.status != "Open on the date")].plans.tolist()
    assert cp_closed == ["<5", "*", "0", "0", "0", "0"]
    assert fig.bands_title(bands, EDGES, 12, P) == "11 of 44 open CIN plans have lasted more than 12 months"
    f = fig.bands_figure(shown, "t", EDGES, S)
    assert_twin(f)
    assert list(f.data[1].y) == [20, 0, 6, 7, None, None]
    assert [c[0] for c in f.data[1].customdata] == ["20", "0", "6", "7", "<5", "*"]


def test_bands_secondary_protects_a_total_the_tiles_hide():
    """Over 12 months = 45 of 46 open: the tiles hide the 46 (it would say 1 is under 12 months). The
    one band under 12 months is that 1 (hidden); all CIN plans (the curves' group size) are a shown
    total too, so a second band goes, and then its neighbour, or the 45 would give it back."""
    bands = _bands({("cin", 0, True): 1, ("cin", 4, True): 30, ("cin", 5, True): 15})
    shown = fig.bands_table(bands, P, S)
    cin_open = shown[(shown.plan_type == "CIN") & (shown.status == "Open on the date")].plans.tolist()
    assert cin_open == ["<5", "0", "0", "0", "*", "*"]
    assert fig.bands_title(bands, EDGES, 12, P) == "45 of * open CIN plans have lasted more than 12 months"


def test_drift_matrix_secondary_rows_and_columns():
    """A team's total and a flag's total are shown: no row or column keeps a single hidden cell."""
    counts = pd.DataFrame(
        [
            dict(team_id="T1", team_name="North", flag="cin_review_overdue", n=9),
            dict(team_id="T1", team_name="North", flag="cin_visit_overdue", n=12),
            dict(team_id="T1", team_name="North", flag="cin_9_month_review", n=8),
            dict(team_id="T2", team_name="South", flag="cin_review_overdue", n=6),
            dict(team_id="T2", team_name="South", flag="cin_visit_overdue", n=2),
        ]
    )
    m = fig.drift_matrix(counts, d=P).set_index("team")
    # South: 2 hidden beside a total of 8, so the 6 goes; then North's 9 (review column) and 12 (visit column)
    assert m.loc["South", "cin_visit_overdue"] == "<5" and m.loc["South", "cin_review_overdue"] == "*"
    assert m.loc["North", "cin_review_overdue"] == "*" and m.loc["North", "cin_visit_overdue"] == "*"
    assert m.loc["North", "cin_9_month_review"] == "8"
    assert (m.loc["North", "total"], m.loc["South", "total"]) == ("29", "8")
    # the page hides the total over 9 months (8 here): its column keeps a hidden cell
    m2 = fig.drift_matrix(counts, d=P, hidden_totals={"cin_9_month_review"}).set_index("team")
    assert m2.loc["North", "cin_9_month_review"] == "*"
    assert fig.drift_title(counts, P) == "CIN review overdue is the most common drift: 15 plans across 2 teams"
    # within a team, over 9 months minus over 12 months is a count too
    nested = pd.DataFrame(
        [
            dict(team_id="T1", team_name="North", flag="cin_9_month_review", n=10),
            dict(team_id="T1", team_name="North", flag="cin_over_12_months", n=9),
            dict(team_id="T1", team_name="North", flag="cin_review_overdue", n=20),
        ]
    )
    m3 = fig.drift_matrix(nested, d=P).set_index("team")
    assert m3.loc["North", "cin_9_month_review"] == "*" and m3.loc["North", "cin_over_12_months"] != "9"


def test_drift_title_never_names_a_hidden_total():
    small = COUNTS.assign(n=[2, 1, 1, 3])
    assert fig.drift_title(small) == "CIN review overdue is the most common drift: 3 plans across 2 teams"
    assert fig.drift_title(small, P) == "Open plans breaching a standard on this date, by team and flag"
    assert (
        fig.drift_title(COUNTS, P, hidden_totals={"cin_over_12_months"})
        == "Open plans breaching a standard on this date, by team and flag"
    )


def test_trend_in_presentation_mode():
    table = fig.trend_table(TREND, P)
    assert list(table.cin_over_12_months) == ["10", "12", "<5"]
    assert list(table.step_down_over_12_weeks) == ["<5", "0", "<5"]
    assert list(table.cp_over_2_years) == ["0", "<5", "<5"]
    assert table.pct_cin_over_12_months.tolist() == [10.0, pytest.approx(10.9, abs=0.05), "<5"]
    f = fig.trend_figure(table, "t", S)
    assert_twin(f)
    for trace in f.data:
        assert not [v for v in trace.y if v is not None and 0 < v < 5]
    assert f.layout.yaxis.range[1] == pytest.approx(30 * 1.1)  # scaled on drawn points
    # two hidden counts are never compared ("unchanged" would say they are equal)
    both = TREND.assign(cin_over_12_months=[3, 2, 3])
    assert fig.trend_title(both) == "Open CIN plans past 12 months: 3 on the date, unchanged a year earlier"
    assert fig.trend_title(both, P) == "Open CIN plans past 12 months: <5 on the date; <5 a year earlier"


def test_exclusion_text_in_presentation_mode():
    ex = pd.DataFrame(
        [
            dict(plan_type="cin", reason="end date before start date", n=2),
            dict(plan_type="cp", reason="no start date", n=7),
            dict(plan_type="cin", reason="unrecognised origin code", n=4),
        ]
    )
    assert fig.exclusion_text(ex).startswith("9 rows excluded from the figures: 2 CIN plans")
    text = fig.exclusion_text(ex, P)
    # no total: the pack's appendix lists the same counts, and 9 - 7 would give the hidden 2 back
    assert text.startswith(
        "Plan rows excluded from the figures: <5 CIN plans: end date before start date; "
        "7 CP plans: no start date; <5 CIN plans with an unrecognised origin"
    )
    assert "9" not in text
