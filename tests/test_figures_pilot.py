"""CIN pilot figure builders: tables, charts, references, accessibility text and presentation mode."""
from datetime import date

import numpy as np
import pandas as pd
import pytest

from dashboard.figures import pilot as fig
from data_layer import load_standards
from data_layer.pilot import closure_routes, did_table, outcomes_by_caseload, summarise_cohorts

STD = load_standards(None)
PERIODS = fig.period_text((date(2021, 8, 7), date(2022, 2, 7)), (date(2022, 2, 7), date(2022, 8, 7)))


def _plans(sizes: dict, escalated: dict) -> pd.DataFrame:
    """Synthetic per-plan rows: every plan closed after 10 * (i + 1) days, first k escalated."""
    rows = []
    for (cohort, period), n in sizes.items():
        for i in range(n):
            esc = i < escalated[(cohort, period)]
            rows.append(dict(cohort=cohort, period=period, days=10 * (i + 1), closed=True, observable_12m=True,
                             closed_within_12m=True, escalated_cp=esc, became_lac=False, rereferral_observable=True,
                             rereferred_12m=i % 4 == 0, reviews_on_time=i % 2 == 0,
                             holder_caseload=float(12 + i % 16), holder_fte=1.0,
                             end_reason="escalated_cp" if esc else "plan_achieved"))
    return pd.DataFrame(rows)


BIG = {("pilot", "before"): 20, ("pilot", "during"): 20, ("comparison", "before"): 30, ("comparison", "during"): 30}
ESC = {("pilot", "before"): 8, ("pilot", "during"): 1, ("comparison", "before"): 6, ("comparison", "during"): 6}


@pytest.fixture(scope="module")
def big():
    plans = _plans(BIG, ESC)
    return plans, summarise_cohorts(plans, STD), did_table(plans, STD)


@pytest.fixture(scope="module")
def small():
    sizes = {**BIG, ("pilot", "during"): 3}
    plans = _plans(sizes, {**ESC, ("pilot", "during"): 1})
    return plans, summarise_cohorts(plans, STD), did_table(plans, STD)


def test_scorecard_table(big):
    _, measures, did = big
    table = fig.scorecard_table(measures, did)
    assert len(table) == 7 and table["Measure"].iloc[0] == "Median CIN plan duration"
    esc = table.set_index("Measure").loc["Plans escalated to child protection"]
    assert esc["Pilot team, before"] == "40% (22% to 61%); n = 20"
    assert esc["Verdict"].startswith("✔ Better") and esc["status"] == "better"
    assert esc["Difference-in-differences (95% interval)"].startswith("-35.0 pts (")


def test_scorecard_title_counts_verdicts(big, small):
    assert fig.scorecard_title(big[2]).startswith("Pilot team compared with comparison teams: 1 of")
    assert fig.scorecard_title(small[2]) == ("The pilot cannot be judged yet: the cohorts are too small or not "
                                             "yet measurable")


def test_small_cohort_labelled_and_suppressed(small):
    _, measures, did = small
    table = fig.scorecard_table(measures, did)
    esc = table.set_index("Measure").loc["Plans escalated to child protection"]
    assert esc["Pilot team, during"] == "too small to judge (3 plans; minimum 10); n = 3"
    assert esc["Verdict"].startswith("… Too small to judge")
    shown = fig.scorecard_table(measures, did, presentation=True, threshold=5)
    assert shown.set_index("Measure").loc["Plans escalated to child protection", "Pilot team, during"] == \
        "suppressed (<5 plans)"
    csv = fig.scorecard_csv(measures, did, presentation=True, threshold=5)
    cell = csv[(csv.measure == "escalated_cp") & (csv.cohort == "pilot") & (csv.period == "during")].iloc[0]
    assert cell["n"] == "<5" and cell["count"] == "<5" and pd.isna(cell["value"])


def test_did_figure_draws_reference_and_intervals(big):
    _, measures, did = big
    figure = fig.did_figure(measures, did, periods=PERIODS, caseload_standard=25)
    names = {t.name for t in figure.data}
    assert {"Pilot team", "Comparison teams", "Pilot if it had changed like the comparison"} <= names
    pilot = [t for t in figure.data if t.name == "Pilot team"]
    assert len(pilot) == 7 and all(t.error_y.visible for t in pilot)
    esc = pilot[2]                         # third panel: escalations, in percent
    assert list(esc.y) == pytest.approx([40.0, 5.0])
    expected = [t for t in figure.data if t.name == "Pilot if it had changed like the comparison"][2]
    assert list(expected.y) == pytest.approx([40.0, 40.0])   # comparison did not change
    assert any("25 per FTE" in (a.text or "") for a in figure.layout.annotations)
    assert "Before (7 Aug 2021 to 6 Feb 2022)" in " ".join(a.text or "" for a in figure.layout.annotations)


def test_did_figure_small_cohorts_hollow_or_hidden(small):
    _, measures, did = small
    figure = fig.did_figure(measures, did)
    pilot = [t for t in figure.data if t.name == "Pilot team"][2]
    assert list(pilot.marker.symbol) == ["circle", "circle-open"]
    hidden = [t for t in fig.did_figure(measures, did, presentation=True, threshold=5).data
              if t.name == "Pilot team"][2]
    assert np.isnan(hidden.y[1]) and not np.isnan(hidden.y[0])
    assert "Too small" in fig.did_summary(did)


TREND = pd.DataFrame({
    "month": [date(2022, m, 1) for m in (1, 1, 2, 2)],
    "month_end": [date(2022, 1, 31), date(2022, 1, 31), date(2022, 2, 28), date(2022, 2, 28)],
    "cohort": ["pilot", "comparison"] * 2, "starts": [3, 12, 6, 9], "closures": [2, 6, 0, 9],
    "open_plans": [4, 40, 10, 41], "median_open_age": [30.0, 120.0, 25.5, 118.0],
})


def test_trend_table_and_figure():
    table = fig.trend_table(TREND, {"pilot": 1, "comparison": 3})
    assert table["starts_per_team"].tolist() == [3.0, 4.0, 6.0, 3.0]
    figure = fig.trend_figure(table, pilot_start=date(2022, 2, 7), evaluation_end=date(2022, 8, 6))
    assert figure.layout.title.text == fig.TREND_TITLE
    assert len(figure.data) == 6
    texts = " ".join(a.text or "" for a in figure.layout.annotations)
    assert "Pilot start 7 Feb 2022" in texts and "Evaluation period ends 6 Aug 2022" in texts
    assert sum(1 for s in figure.layout.shapes if s.type == "line") == 6   # two dates x three panels
    assert "7 Feb 2022" in fig.trend_summary(table, date(2022, 2, 7), date(2022, 8, 6))


def test_trend_presentation_suppresses_small_counts():
    shown = fig.trend_table(TREND, {"pilot": 1, "comparison": 3}, presentation=True, threshold=5)
    assert shown["starts"].tolist() == ["<5", "12", "6", "9"]
    assert shown["closures"].tolist() == ["<5", "6", "0", "9"]
    assert pd.isna(shown["median_open_age"].iloc[0]) and shown["median_open_age"].iloc[2] == 25.5
    raw = fig.trend_table(TREND, {"pilot": 1, "comparison": 3})
    figure = fig.trend_figure(shown, raw=raw, pilot_start=date(2022, 2, 7), evaluation_end=date(2022, 8, 6))
    assert list(figure.data[0].y) == [3.0, 6.0]                            # line keeps its values
    assert figure.data[0].customdata[0][0] == "<5"                         # hover says "<5"


def test_routes(big):
    plans, _, _ = big
    routes = closure_routes(plans)
    table = fig.routes_table(routes)
    assert table.groupby(["cohort", "period"])["percent"].sum().round(6).eq(100).all()
    title = fig.routes_title(routes)
    assert title == "How CIN plans closed: 95% of the pilot team's closed plans were achieved"
    figure = fig.routes_figure(table, title, reference=80.0)
    assert len(figure.data) == 7 and figure.data[0].name == "Plan achieved"
    assert any(s.x0 == 80.0 for s in figure.layout.shapes)
    assert "most often plan achieved" in fig.routes_summary(table, title)
    shown = fig.routes_table(routes, presentation=True, threshold=5)
    pd_row = shown[(shown.cohort == "pilot") & (shown.period == "during") & (shown.end_reason == "escalated_cp")].iloc[0]
    assert pd_row["plans"] == "<5" and pd.isna(pd_row["percent"])


def test_workload(big):
    plans, _, _ = big
    bands = outcomes_by_caseload(plans, STD)
    table = fig.workload_table(bands, "escalated_cp")
    assert list(table["band"].unique()) == ["under 15", "15 to under 20", "20 to 25", "over 25"]
    assert table["plans"].sum() == 100
    figure = fig.workload_figure(table, "escalated_cp", overall=20.0)
    assert figure.layout.title.text.startswith("% of plans escalated to child protection by the caseload")
    assert any(s.y0 == 20.0 for s in figure.layout.shapes)
    assert "Standard: 25 children per FTE (source 000)" in figure.layout.xaxis.title.text
    assert "Pilot team, caseload under 15" in fig.workload_summary(table, "escalated_cp")


def test_empty_inputs_give_empty_figures():
    empty = pd.DataFrame(columns=["outcome", "cohort", "band", "band_order", "n", "count", "value", "ci_low", "ci_high"])
    assert fig.workload_figure(fig.workload_table(empty, "escalated_cp"), "escalated_cp").layout.xaxis.visible is False
    assert fig.trend_figure(pd.DataFrame(), pilot_start=date(2022, 2, 7),
                            evaluation_end=date(2022, 8, 6)).layout.xaxis.visible is False
