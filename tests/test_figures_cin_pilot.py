"""CIN pilot figure builders: tables, charts, references, accessibility text and presentation mode."""

from datetime import date

import pandas as pd
import pytest

from dashboard.disclosure import Disclosure
from dashboard.figures import cin_pilot as fig
from dashboard.figures.common import unwrapped
from data_layer import load_standards
from data_layer.metrics.cin_pilot_measures import closure_routes, did_table, outcomes_by_caseload, summarise_cohorts
from tests.figure_json import assert_twin

STD = load_standards(None)
SHOW = Disclosure(threshold=5, active=True)
PERIODS = fig.period_text((date(2021, 8, 7), date(2022, 2, 7)), (date(2022, 2, 7), date(2022, 8, 7)))


def _plans(sizes: dict, escalated: dict) -> pd.DataFrame:
    """Synthetic per-plan rows: every plan closed after 10 * (i + 1) days, first k escalated."""
    rows = []
    for (cohort, period), n in sizes.items():
        for i in range(n):
            esc = i < escalated[(cohort, period)]
            rows.append(
                dict(
                    cohort=cohort,
                    period=period,
                    days=10 * (i + 1),
                    closed=True,
                    observable_12m=True,
                    closed_within_12m=True,
                    escalated_cp=esc,
                    became_lac=False,
                    rereferral_observable=True,
                    rereferred_12m=i % 4 == 0,
                    reviews_on_time=i % 2 == 0,
                    holder_caseload=float(12 + i % 16),
                    holder_fte=1.0,
                    end_reason="escalated_cp" if esc else "plan_achieved",
                )
            )
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
    # escalations: 40% -> 5% in the pilot, 20% -> 20% in the comparison: better; the other five outcomes
    # do not move (a difference of 4e-16 between four cohorts at 100% is noise, not "worse")
    assert fig.scorecard_title(big[2]) == (
        "Pilot team compared with comparison teams: better on 1, worse on 0, of the 6 outcomes that can be judged"
    )
    assert fig.scorecard_title(small[2]) == (
        "The pilot cannot be judged yet: the cohorts are too small or not yet measurable"
    )


@pytest.fixture(scope="module")
def lighter():
    """``big`` with the pilot team's workers holding 6 children fewer during the pilot: the caseload
    difference is clear (-6.0), and an input, not an outcome."""
    plans = _plans(BIG, ESC)
    during = (plans.cohort == "pilot") & (plans.period == "during")
    plans.loc[during, "holder_caseload"] -= 6
    return plans, summarise_cohorts(plans, STD), did_table(plans, STD)


def test_headline_counts_outcomes_only(lighter):
    _, measures, did = lighter
    roles = did.set_index("measure")["role"]
    assert roles["holder_caseload"] == "context" and (roles.drop("holder_caseload") == "outcome").all()
    assert did.set_index("measure").loc["holder_caseload", "status"] == "better"  # what its statistics say...
    # ...but the headline counts outcomes: escalations only, of six (it said "better on 2 ... of the 7")
    assert fig.scorecard_title(did) == (
        "Pilot team compared with comparison teams: better on 1, worse on 0, of the 6 outcomes that can be judged"
    )
    only_context = did.assign(status=did["status"].where(did["measure"] == "holder_caseload", "inconclusive"))
    assert fig.scorecard_title(only_context) == "No clear pilot effect on any of the 6 outcomes that can be judged"
    # caseload is shown as context: its own row, never a verdict
    row = fig.director_table(measures, did).set_index("measure").loc["Average caseload of the plan's worker"]
    # means: pilot 366 / 20 = 18.3 before, 12.3 during; comparison 571 / 30 = 19.03 both periods
    assert (row["pilot"], row["comparison"], row["difference"]) == ("18.3 → 12.3 (-6.0)", "19.0 → 19.0 (0.0)", "-6.0")
    assert row["verdict"] == "Context, not judged" and row["role"] == "context"
    full = fig.scorecard_table(measures, did).set_index("Measure").loc["Average caseload of the plan's worker"]
    assert full["Verdict"].startswith("Context, not judged: average caseload of the plan's worker moved 6.0")
    assert "caseload is context" in fig.director_key(10) and "not counted in the headline" in fig.director_key(10)


def test_director_table_reads_in_plain_words(big):
    _, measures, did = big
    table = fig.director_table(measures, did)
    assert list(table.columns[:5]) == [f for f, _ in fig.DIRECTOR_COLUMNS]
    assert [h for _, h in fig.DIRECTOR_COLUMNS] == [
        "Measure",
        "Pilot team: before → during",
        "Comparison teams: before → during",
        "Difference",
        "Verdict",
    ]
    rows = table.set_index("measure")
    esc = rows.loc["Plans escalated to child protection"]
    # 8 of 20 -> 1 of 20 in the pilot team; 6 of 30 in both comparison cohorts: -35 - 0 points
    assert (esc["pilot"], esc["comparison"], esc["difference"], esc["verdict"]) == (
        "40% → 5% (-35 points)",
        "20% → 20% (0 points)",
        "-35 points",
        "Better",
    )
    review = rows.loc["Plans reviewed on time throughout"]  # every other plan: 10 of 20, 15 of 30
    assert (review["pilot"], review["difference"], review["verdict"]) == (
        "50% → 50% (0 points)",
        "0 points",
        "No clear difference",
    )
    # no sentence, no interval, no method: one word or two per verdict, and no verdict repeated as prose
    assert set(table["verdict"]) == {"Better", "No clear difference", "Context, not judged"}
    text = " ".join(table[[f for f, _ in fig.DIRECTOR_COLUMNS]].to_numpy().ravel())
    for word in ("interval", "bootstrap", "seed", "statsmodels", "scipy", "n = "):
        assert word not in text
    # each verdict status has its word; a worse or not-measurable row says so
    assert fig.VERDICT_WORDS == {
        "better": "Better",
        "worse": "Worse",
        "inconclusive": "No clear difference",
        "too_small": "Too small to judge",
        "not_measurable": "Not measurable yet",
    }
    stub = did.assign(status=did["measure"].map({"escalated_cp": "worse", "median_days": "not_measurable"}))
    stub["status"] = stub["status"].fillna("inconclusive")
    rows = fig.director_table(measures, stub).set_index("measure")
    assert rows.loc["Plans escalated to child protection", "verdict"] == "Worse"
    assert tuple(rows.loc["Median CIN plan duration", ["difference", "verdict"]]) == ("–", "Not measurable yet")


def test_too_small_rows_print_no_difference(small):
    """Issue 18: a difference was printed for a row called too small to judge. The pilot's "during"
    cohort has 3 plans (minimum 10): every row is too small, and no row prints a difference."""
    _, measures, did = small
    for d, during in ((fig.EXACT, "too few plans (3)"), (SHOW, "too few plans to show")):
        table = fig.director_table(measures, did, d, min_cohort=10)
        assert (table["difference"] == "–").all()
        outcomes = table[table["role"] == "outcome"]
        assert (outcomes["verdict"] == "Too small to judge").all()
        esc = table.set_index("measure").loc["Plans escalated to child protection"]
        assert esc["pilot"] == f"40% → {during}"  # the reason is in the cohort's cell; no change worked out
        assert esc["comparison"] == "20% → 20% (0 points)"


def test_small_cohort_labelled_and_suppressed(small):
    _, measures, did = small
    table = fig.scorecard_table(measures, did)
    esc = table.set_index("Measure").loc["Plans escalated to child protection"]
    assert esc["Pilot team, during"] == "too small to judge (3 plans; minimum 10); n = 3"
    assert esc["Verdict"].startswith("… Too small to judge")
    shown = fig.scorecard_table(measures, did, SHOW).set_index("Measure").loc["Plans escalated to child protection"]
    assert shown["Pilot team, during"] == "suppressed (<5 plans)"
    # the verdict in the same row never prints the hidden size (it said "(3)")
    assert shown["Verdict"] == "… Too small to judge: fewer than 10 plans in pilot teams during the pilot (<5)."
    assert "(3)" in esc["Verdict"]
    assert shown[fig.DID_COLUMN] == "suppressed"
    csv = fig.scorecard_csv(measures, did, SHOW)
    cell = csv[(csv.measure == "escalated_cp") & (csv.cohort == "pilot") & (csv.period == "during")].iloc[0]
    assert cell["n"] == "<5" and cell["count"] == "<5" and cell["value"] == "<5" and cell["ci_low"] == "<5"
    assert cell["did"] == "<5" and cell["label"] == "suppressed (<5 plans)"


def test_share_hidden_when_its_complement_is_small():
    """18 of 20 reviewed on time says 2 were not: the share, its interval and the count are hidden."""
    row = pd.Series(
        dict(
            measure="reviews_on_time",
            unit="share",
            n=20,
            count=18,
            value=0.9,
            ci_low=0.7,
            ci_high=0.97,
            label="90% (70% to 97%)",
            too_small=False,
        )
    )
    assert fig.cell_text(row) == "90% (70% to 97%); n = 20"
    assert fig.cell_hidden(row, SHOW)
    assert fig.cell_text(row, SHOW) == "suppressed (worked out from a count <5); n = 20"
    median = pd.Series(
        dict(
            measure="median_days",
            unit="days",
            n=20,
            count=18,
            value=120.0,
            ci_low=90.0,
            ci_high=150.0,
            label="120 days (90 to 150)",
            too_small=False,
        )
    )
    assert not fig.cell_hidden(median, SHOW)  # a median does not give its open plans back...
    measures = pd.DataFrame([row, median])
    did = pd.DataFrame(
        dict(
            measure=["reviews_on_time", "median_days"],
            did=[0.1, 5.0],
            ci_low=[0.0, 1.0],
            ci_high=[0.2, 9.0],
            method=["m", "m"],
            status=["inconclusive"] * 2,
            verdict=["v", "v"],
        )
    )
    csv = fig.scorecard_csv(measures.assign(cohort="pilot", period="before", measure_label="x"), did, SHOW)
    assert csv["count"].tolist() == ["*", "*"]  # ...but the count beside n would: 20 - 18 = 2
    assert csv["value"].tolist() == ["<5", 120.0]


def test_did_figure_draws_reference_and_intervals(big):
    _, measures, did = big
    figure = fig.did_figure(measures, did, periods=PERIODS, caseload_standard=25)
    assert_twin(figure)
    names = {t.name for t in figure.data}
    assert {"Pilot team", "Comparison teams", "Pilot if it had changed like the comparison"} <= names
    pilot = [t for t in figure.data if t.name == "Pilot team"]
    assert len(pilot) == 7 and all(t.error_y.visible for t in pilot)
    esc = pilot[2]  # third panel: escalations, in percent
    assert list(esc.y) == pytest.approx([40.0, 5.0])
    expected = [t for t in figure.data if t.name == "Pilot if it had changed like the comparison"][2]
    assert list(expected.y) == pytest.approx([40.0, 40.0])  # comparison did not change
    assert any("25 per FTE" in (a.text or "") for a in figure.layout.annotations)
    assert "Before (7 Aug 2021 to 6 Feb 2022)" in " ".join(a.text or "" for a in figure.layout.annotations)


def test_did_figure_small_cohorts_hollow_or_hidden(small):
    _, measures, did = small
    figure = fig.did_figure(measures, did)
    pilot = [t for t in figure.data if t.name == "Pilot team"][2]
    assert list(pilot.marker.symbol) == ["circle", "circle-open"]
    assert_twin(figure)
    assert_twin(fig.did_figure(measures, did, SHOW))
    hidden = [t for t in fig.did_figure(measures, did, SHOW).data if t.name == "Pilot team"][2]
    assert hidden.y[1] is None and hidden.y[0] == pytest.approx(40.0)
    assert hidden.error_y.array[1] is None and hidden.customdata[1][1] == "<5"
    # the reference line rests on the pilot's "before" and the comparison cohorts only: still drawn
    assert (
        len(
            [
                t
                for t in fig.did_figure(measures, did, SHOW).data
                if t.name == "Pilot if it had changed like the comparison"
            ]
        )
        == 7
    )
    assert "Too small" in fig.did_summary(did)


TREND = pd.DataFrame(
    {
        "month": [date(2022, m, 1) for m in (1, 1, 2, 2)],
        "month_end": [date(2022, 1, 31), date(2022, 1, 31), date(2022, 2, 28), date(2022, 2, 28)],
        "cohort": ["pilot", "comparison"] * 2,
        "starts": [3, 12, 6, 9],
        "closures": [2, 6, 0, 9],
        "open_plans": [4, 40, 10, 41],
        "median_open_age": [30.0, 120.0, 25.5, 118.0],
    }
)


def test_trend_table_and_figure():
    table = fig.trend_table(TREND, {"pilot": 1, "comparison": 3})
    assert table["starts_per_team"].tolist() == [3.0, 4.0, 6.0, 3.0]
    figure = fig.trend_figure(table, pilot_start=date(2022, 2, 7), evaluation_end=date(2022, 8, 6))
    assert_twin(figure)
    assert unwrapped(figure.layout.title.text) == fig.TREND_TITLE
    assert len(figure.data) == 6
    texts = " ".join(a.text or "" for a in figure.layout.annotations)
    assert "Pilot start 7 Feb 2022" in texts and "Evaluation period ends 6 Aug 2022" in texts
    assert sum(1 for s in figure.layout.shapes if s.type == "line") == 6  # two dates x three panels
    assert "7 Feb 2022" in fig.trend_summary(table, date(2022, 2, 7), date(2022, 8, 6))


def test_trend_presentation_suppresses_small_counts():
    shown = fig.trend_table(TREND, {"pilot": 1, "comparison": 3}, SHOW)
    assert shown["starts"].tolist() == ["<5", "12", "6", "9"]
    assert shown["closures"].tolist() == ["<5", "6", "0", "9"]
    # one pilot team: its per-team average is the count itself, so it is hidden with it
    assert shown["starts_per_team"].tolist() == ["<5", 4.0, 6.0, 3.0]
    assert shown["median_open_age"].iloc[0] == "<5" and shown["median_open_age"].iloc[2] == 25.5
    assert "open_plans" not in shown.columns  # open(m) = open(m-1) + started - closed gives a start back
    figure = fig.trend_figure(shown, pilot_start=date(2022, 2, 7), evaluation_end=date(2022, 8, 6))
    assert_twin(figure)
    assert list(figure.data[0].y) == [None, 6.0]  # a gap, never drawn at its size
    assert list(figure.data[3].y) == pytest.approx([4.0, 3.0])  # comparison starts per team
    assert figure.data[0].customdata[0][0] == "<5"  # hover says "<5"


def test_trend_months_of_a_period_are_a_split_of_the_cohort():
    """Months inside a period add up to the cohort's size (shown in the scorecard): one hidden month
    hides another (here 6, the next smallest), so the cohort size less the shown months gives nothing back."""
    trend = pd.DataFrame(
        {
            "month": [date(2022, m, 1) for m in (2, 3, 4)],
            "cohort": ["pilot"] * 3,
            "starts": [3, 6, 9],
            "closures": [0, 0, 0],
            "open_plans": [10, 12, 14],
            "median_open_age": [30.0, 40.0, 50.0],
        }
    )
    periods = {"during": (date(2022, 2, 1), date(2022, 5, 1))}
    shown = fig.trend_table(trend, {"pilot": 1}, SHOW, periods=periods)
    assert shown["starts"].tolist() == ["<5", "*", "9"]
    assert shown["starts_per_team"].tolist() == ["<5", "<5", 9.0]
    assert fig.trend_table(trend, {"pilot": 1}, SHOW)["starts"].tolist() == ["<5", "6", "9"]


def test_routes(big):
    plans, _, _ = big
    routes = closure_routes(plans)
    table = fig.routes_table(routes)
    assert table.groupby(["cohort", "period"])["percent"].sum().round(6).eq(100).all()
    title = fig.routes_title(table)
    assert title == "How CIN plans closed: 95% of the pilot team's closed plans were achieved"
    figure = fig.routes_figure(table, title, reference=80.0)
    assert_twin(figure)
    assert len(figure.data) == 7 and figure.data[0].name == "Plan achieved"
    assert any(s.x0 == 80.0 for s in figure.layout.shapes)
    assert "most often plan achieved" in fig.routes_summary(table, title)
    shown = fig.routes_table(routes, SHOW)
    rows = shown[(shown.cohort == "pilot") & (shown.period == "during")].set_index("end_reason")
    # 19 achieved, 1 escalated of 20: the 1 is hidden, and so is the 19 (20 - 19 would give it back)
    assert rows.loc["escalated_cp", "plans"] == "<5" and rows.loc["escalated_cp", "percent"] == "<5"
    assert rows.loc["plan_achieved", "plans"] == "*" and rows.loc["plan_achieved", "percent"] == "<5"
    assert rows.loc["moved_away", "plans"] == "0" and rows["closed"].eq("20").all()
    assert fig.routes_title(shown) == "How CIN plans closed, by cohort"
    figure = fig.routes_figure(shown, fig.routes_title(shown), reference=fig.routes_reference(shown))
    assert_twin(figure)
    grey = [t for t in figure.data if t.name == fig.HIDDEN_ROUTES][0]
    assert dict(zip(grey.y, grey.x, strict=False))["Pilot team, during"] == pytest.approx(100.0)


def test_workload(big):
    plans, _, _ = big
    bands = outcomes_by_caseload(plans, STD)
    table = fig.workload_table(bands, "escalated_cp")
    assert list(table["band"].unique()) == ["under 15", "15 to under 20", "20 to 25", "over 25"]
    assert table["plans"].sum() == 100
    assert fig.workload_overall(bands, "escalated_cp") == pytest.approx(21.0)  # (9 + 12) / 100
    figure = fig.workload_figure(table, "escalated_cp", overall=20.0)
    assert_twin(figure)
    assert unwrapped(figure.layout.title.text).startswith("% of plans escalated to child protection by the caseload")
    assert any(s.y0 == 20.0 for s in figure.layout.shapes)
    assert "Standard: 25 children per FTE (Cluster group presentation)" in figure.layout.xaxis.title.text
    assert "Pilot team, caseload under 15" in fig.workload_summary(table, "escalated_cp")


def test_workload_presentation(big):
    plans, _, _ = big
    bands = outcomes_by_caseload(plans, STD)
    raw = fig.workload_table(bands, "escalated_cp")
    shown = fig.workload_table(bands, "escalated_cp", SHOW)
    for r, s in zip(raw.itertuples(), shown.itertuples(), strict=False):
        small = 0 < r.with_outcome < 5 or 0 < r.plans - r.with_outcome < 5 or 0 < r.plans < 5
        if small:  # the share, its interval and the small count are hidden
            assert s.percent == s.ci_low == s.ci_high == "<5" and s.with_outcome in ("<5", "*")
    # a band hidden: the rate over all plans would give its count back, so it is not drawn
    assert any(v in ("<5", "*") for v in shown["with_outcome"])
    assert fig.workload_overall(bands, "escalated_cp", SHOW, shown) is None
    figure = fig.workload_figure(shown, "escalated_cp")
    assert_twin(figure)
    for trace, cohort in zip(figure.data, ("pilot", "comparison"), strict=False):
        part = shown[shown["cohort"] == cohort]
        assert [y is None for y in trace.y] == [v == "<5" or pd.isna(v) for v in part["percent"]]
        assert all(e is None for e, v in zip(trace.error_y.array, part["percent"], strict=False) if v == "<5")


def test_empty_inputs_give_empty_figures():
    empty = pd.DataFrame(
        columns=["outcome", "cohort", "band", "band_order", "n", "count", "value", "ci_low", "ci_high"]
    )
    assert fig.workload_figure(fig.workload_table(empty, "escalated_cp"), "escalated_cp").layout.xaxis.visible is False
    assert (
        fig.trend_figure(
            pd.DataFrame(), pilot_start=date(2022, 2, 7), evaluation_end=date(2022, 8, 6)
        ).layout.xaxis.visible
        is False
    )
