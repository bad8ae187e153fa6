"""CIN pilot evaluation (docs/DEFINITIONS.md "CIN pilot evaluation") on hand-worked cohorts, on every backend.

Two small authorities: ``BOUNDARY`` has one plan per edge case (periods, 30 vs 31 days, 12
months to the day, review intervals of 42 vs 43 days, holders' caseloads), ``COHORTS`` has four
cohorts of known size with known escalations and durations for the proportions, medians and DiD.
"""

from datetime import date, timedelta

import pandas as pd
import pytest

from data_layer import Filters, Pilot, load_standards
from data_layer.metrics.cin_pilot_measures import closure_routes, did_table, outcomes_by_caseload, trend_months
from data_layer.queries.cin_pilot import (
    cohort_plans,
    evaluate_pilot,
    pilot_did,
    pilot_evaluation,
    pilot_headline,
    pilot_trend,
    resolve_design,
)
from tests.fixtures import BACKENDS, FixtureDB

D = date(2023, 12, 31)
TEAMS = [
    dict(team_id="P1", team_name="CIN Pilot", service="CIN Pilot", area="North"),
    dict(team_id="C1", team_name="CIN/CP East", service="CIN/CP", area="East"),
    dict(team_id="C2", team_name="CIN/CP West", service="CIN/CP", area="West"),
    dict(team_id="A1", team_name="Assessment", service="Assessment", area="North"),
]


def _plan(pid, team, start, end=None, reason=None, child=None):
    return dict(
        plan_id=pid,
        child_id=child or f"K{pid}",
        team_id=team,
        start_date=start,
        end_date=end,
        origin="assessment",
        end_reason=reason,
    )


def _children(rows):
    ids = {r["child_id"] for table in ("cin_plans", "allocations") for r in rows.get(table, [])}
    return [dict(child_id=c, birth_date=date(2012, 1, 1)) for c in sorted(ids)]


# ---------------------------------------------------------------------------------------------
# Boundaries: one plan per rule
# ---------------------------------------------------------------------------------------------
S = date(2022, 3, 1)  # a start inside the pilot period
E = date(2022, 4, 1)  # its end
BOUNDARY = {
    "teams": TEAMS,
    "workers": [
        dict(
            worker_id="W1",
            worker_name="W1",
            team_id="P1",
            role="SW",
            fte=0.5,
            qualified=True,
            start_date=date(2020, 1, 1),
        ),
        dict(
            worker_id="W2",
            worker_name="W2",
            team_id="C1",
            role="SW",
            fte=1.0,
            qualified=True,
            start_date=date(2020, 1, 1),
        ),
    ],
    "cin_plans": [
        # periods: before = [2021-08-07, 2022-02-07), during = [2022-02-07, 2022-08-07)
        _plan("early", "P1", date(2021, 8, 6), date(2021, 9, 1), "other"),  # before the before period
        _plan("b_first", "P1", date(2021, 8, 7), date(2021, 9, 1), "other"),  # first day of before
        _plan("b_last", "C1", date(2022, 2, 6), date(2022, 3, 1), "other"),  # last day of before
        _plan("d_first", "P1", date(2022, 2, 7), date(2022, 3, 1), "other"),  # first day of during
        _plan("d_last", "C2", date(2022, 8, 6), date(2022, 9, 1), "other"),  # last day of during
        _plan("late", "P1", date(2022, 8, 7), date(2022, 9, 1), "other"),  # after the pilot period
        _plan("assess", "A1", S, E, "other"),  # neither pilot nor comparison
        _plan("bad", "P1", S, date(2022, 2, 1), "other"),  # ends before it starts
        # escalation to CP: by end reason, or a CP plan 0..30 days after the end
        _plan("cp_reason", "P1", S, E, "escalated_cp"),
        _plan("cp_0", "P1", S, E, "other"),
        _plan("cp_30", "P1", S, E, "other"),
        _plan("cp_31", "P1", S, E, "other"),
        _plan("cp_before_end", "P1", S, E, "other"),
        # became looked after: by end reason, or a CLA episode 0..30 days after the end
        _plan("lac_reason", "C1", S, E, "became_lac"),
        _plan("lac_30", "C1", S, E, "other"),
        _plan("lac_31", "C1", S, E, "other"),
        # re-referral: after the end (strictly), up to 12 calendar months after it
        _plan("ref_12m", "C1", S, date(2022, 3, 31), "plan_achieved"),
        _plan("ref_12m_1d", "C1", S, date(2022, 3, 31), "plan_achieved"),
        _plan("ref_same_day", "C1", S, date(2022, 3, 31), "plan_achieved"),
        _plan("ref_late_close", "C1", S, date(2023, 6, 1), "plan_achieved"),  # 12 months not yet elapsed
        # closed within 12 calendar months of the start
        _plan("close_12m", "C2", date(2022, 3, 15), date(2023, 3, 15), "plan_achieved"),
        _plan("close_12m_1d", "C2", date(2022, 3, 15), date(2023, 3, 16), "plan_achieved"),
        # reviews every 42 days at most, start -> reviews -> end
        _plan("rev_ok", "C2", S, S + timedelta(days=126), "plan_achieved"),
        _plan("rev_end_43", "C2", S, S + timedelta(days=127), "plan_achieved"),
        _plan("rev_gap_43", "C2", S, S + timedelta(days=100), "plan_achieved"),
        _plan("rev_none_42", "C2", S, S + timedelta(days=42), "plan_achieved"),
        # holders and their caseloads
        _plan("held", "P1", S, E, "plan_achieved"),
        _plan("held_later", "C1", S, E, "plan_achieved"),
    ],
    "cp_plans": [
        dict(plan_id="CP0", child_id="Kcp_0", team_id="C1", start_date=E),
        dict(plan_id="CP30", child_id="Kcp_30", team_id="C1", start_date=E + timedelta(days=30)),
        dict(plan_id="CP31", child_id="Kcp_31", team_id="C1", start_date=E + timedelta(days=31)),
        dict(plan_id="CPB", child_id="Kcp_before_end", team_id="C1", start_date=E - timedelta(days=1)),
    ],
    "cla_episodes": [
        dict(episode_id="L30", child_id="Klac_30", start_date=E + timedelta(days=30)),
        dict(episode_id="L31", child_id="Klac_31", start_date=E + timedelta(days=31)),
    ],
    "referrals": [
        dict(referral_id="F1", child_id="Kref_12m", referral_date=date(2023, 3, 31)),
        dict(referral_id="F2", child_id="Kref_12m_1d", referral_date=date(2023, 4, 1)),
        dict(referral_id="F3", child_id="Kref_same_day", referral_date=date(2022, 3, 31)),
        dict(referral_id="F4", child_id="Kref_late_close", referral_date=date(2023, 7, 1)),
        dict(referral_id="F5", child_id="Kref_12m", referral_date=date(2021, 1, 1)),  # before: ignored
    ],
    "plan_reviews": [
        *[
            dict(review_id=f"RV{i}", plan_type="cin", plan_id="rev_ok", review_date=S + timedelta(days=d))
            for i, d in enumerate((42, 84))
        ],
        *[
            dict(review_id=f"RE{i}", plan_type="cin", plan_id="rev_end_43", review_date=S + timedelta(days=d))
            for i, d in enumerate((42, 84))
        ],
        dict(review_id="RG1", plan_type="cin", plan_id="rev_gap_43", review_date=S + timedelta(days=42)),
        dict(review_id="RG2", plan_type="cin", plan_id="rev_gap_43", review_date=S + timedelta(days=85)),
        dict(review_id="RCP", plan_type="cp", plan_id="rev_none_42", review_date=S + timedelta(days=1)),
    ],
    "allocations": [
        # W1 holds "held" from its start; on that day W1 also holds Kx1, Kx2 (Kx3 ended the day before)
        dict(allocation_id="A1", child_id="Kheld", worker_id="W1", role="key_worker", start_date=date(2022, 1, 1)),
        dict(allocation_id="A2", child_id="Kx1", worker_id="W1", role="key_worker", start_date=date(2021, 1, 1)),
        dict(allocation_id="A3", child_id="Kx2", worker_id="W1", role="key_worker", start_date=S),
        dict(
            allocation_id="A4",
            child_id="Kx3",
            worker_id="W1",
            role="key_worker",
            start_date=date(2021, 1, 1),
            end_date=S,
        ),
        dict(allocation_id="A5", child_id="Kx4", worker_id="W1", role="involved", start_date=date(2021, 1, 1)),
        # "held_later" gets W2 five days after its start; W2 holds Ky1 then too
        dict(
            allocation_id="B1",
            child_id="Kheld_later",
            worker_id="W2",
            role="key_worker",
            start_date=S + timedelta(days=5),
        ),
        dict(allocation_id="B2", child_id="Ky1", worker_id="W2", role="key_worker", start_date=S + timedelta(days=3)),
        dict(allocation_id="B3", child_id="Kheld_later", worker_id=None, role="key_worker", start_date=S),
    ],
}
BOUNDARY["children"] = _children(BOUNDARY)


@pytest.fixture
def boundary(make_db):
    db = make_db(BOUNDARY)
    return db, cohort_plans(db, Filters(D)).set_index("plan_id")


def test_teams_resolved_from_services(make_db):
    db = make_db(BOUNDARY)
    design = resolve_design(db, Filters(D))
    assert design.pilot_teams == ("P1",)
    assert design.comparison_teams == ("C1", "C2")
    assert design.before == (date(2021, 8, 7), date(2022, 2, 7))
    assert design.during == (date(2022, 2, 7), date(2022, 8, 7))
    assert design.evaluation_end == date(2022, 8, 6)


def test_cohort_periods_and_teams(boundary):
    _, plans = boundary
    for excluded in ("early", "late", "assess", "bad"):
        assert excluded not in plans.index
    assert plans.loc["b_first", ["cohort", "period"]].tolist() == ["pilot", "before"]
    assert plans.loc["b_last", ["cohort", "period"]].tolist() == ["comparison", "before"]
    assert plans.loc["d_first", ["cohort", "period"]].tolist() == ["pilot", "during"]
    assert plans.loc["d_last", ["cohort", "period"]].tolist() == ["comparison", "during"]


def test_escalation_to_cp_30_days_counts_31_does_not(boundary):
    _, plans = boundary
    assert plans.loc["cp_reason", "escalated_cp"]
    assert plans.loc["cp_0", "escalated_cp"]
    assert plans.loc["cp_30", "escalated_cp"]
    assert not plans.loc["cp_31", "escalated_cp"]
    assert not plans.loc["cp_before_end", "escalated_cp"]
    assert not plans.loc["lac_30", "escalated_cp"]


def test_became_looked_after_30_days_counts_31_does_not(boundary):
    _, plans = boundary
    assert plans.loc["lac_reason", "became_lac"]
    assert plans.loc["lac_30", "became_lac"]
    assert not plans.loc["lac_31", "became_lac"]
    assert not plans.loc["cp_30", "became_lac"]


def test_rereferral_within_12_months_of_closure(boundary):
    _, plans = boundary
    assert plans.loc["ref_12m", "rereferred_12m"]  # exactly 12 months after the end
    assert not plans.loc["ref_12m_1d", "rereferred_12m"]  # a day later
    assert not plans.loc["ref_same_day", "rereferred_12m"]  # same day is not "after"
    assert plans.loc["ref_12m", "rereferral_observable"]
    # closed 2023-06-01: its 12 months run to 2024-06-01, after the as-at date: left out
    assert not plans.loc["ref_late_close", "rereferral_observable"]


def test_closed_within_12_calendar_months(boundary):
    _, plans = boundary
    assert plans.loc["close_12m", "closed_within_12m"]
    assert not plans.loc["close_12m_1d", "closed_within_12m"]


def test_reviews_on_time(boundary):
    _, plans = boundary
    assert plans.loc["rev_ok", "reviews_on_time"] and plans.loc["rev_ok", "max_review_gap"] == 42
    assert plans.loc["rev_ok", "reviews"] == 2
    assert not plans.loc["rev_end_43", "reviews_on_time"]  # last review to end: 43 days
    assert not plans.loc["rev_gap_43", "reviews_on_time"]  # review to review: 43 days
    assert plans.loc["rev_none_42", "reviews_on_time"]  # ended on day 42; CP reviews do not count
    assert plans.loc["rev_none_42", "reviews"] == 0


def test_holder_caseload(boundary):
    _, plans = boundary
    held = plans.loc["held"]
    assert (held.holder_id, held.holder_caseload, held.holder_fte) == ("W1", 3, 0.5)
    later = plans.loc["held_later"]  # no named key worker on the start day: the first one after
    assert (later.holder_id, later.holder_caseload) == ("W2", 2)
    assert pd.isna(plans.loc["cp_0", "holder_caseload"])


def test_as_at_censors_outcomes(make_db):
    db = make_db(BOUNDARY)
    plans = cohort_plans(db, Filters(date(2022, 3, 31))).set_index("plan_id")
    assert "d_last" not in plans.index  # starts after the as-at date
    row = plans.loc["cp_reason"]  # ends 2022-04-01, after as-at: still open
    assert not row.closed and pd.isna(row.end_date) and not row.escalated_cp
    assert row.days == 30
    assert not plans.loc["d_first", "observable_12m"]


def test_filters_narrow_the_comparison_only(make_db):
    db = make_db(BOUNDARY)
    narrowed = resolve_design(db, Filters(D, teams=("C1",)))
    assert narrowed.pilot_teams == ("P1",) and narrowed.comparison_teams == ("C1",)
    assert "narrowed" in narrowed.filter_note
    ignored = resolve_design(db, Filters(D, services=("Assessment",)))
    assert ignored.comparison_teams == ("C1", "C2") and "ignored" in ignored.filter_note
    plans = cohort_plans(db, Filters(D, teams=("C1",)))
    assert set(plans.team_id) == {"P1", "C1"}


# ---------------------------------------------------------------------------------------------
# Cohorts of known size: proportions, medians, DiD
# ---------------------------------------------------------------------------------------------
def _cohort(prefix, team, first_start, n, escalated, step=10):
    """n plans starting a day apart; plan i lasts step * (i + 1) days; the first ``escalated``
    end escalated to CP, the rest with the plan achieved."""
    return [
        _plan(
            f"{prefix}{i:02d}",
            team,
            first_start + timedelta(days=i),
            first_start + timedelta(days=i + step * (i + 1)),
            "escalated_cp" if i < escalated else "plan_achieved",
        )
        for i in range(n)
    ]


COHORTS = {
    "teams": TEAMS,
    "cin_plans": [
        *_cohort("pb", "P1", date(2021, 9, 1), 10, 3),
        *_cohort("pd", "P1", date(2022, 3, 1), 12, 1),
        *_cohort("cb", "C1", date(2021, 9, 1), 10, 2),
        *_cohort("cd", "C2", date(2022, 3, 1), 10, 2),
        # a tiny second pilot: team A1 (3 plans during) against C1
        *_cohort("ad", "A1", date(2022, 3, 1), 3, 0),
    ],
}
COHORTS["children"] = _children(COHORTS)


@pytest.fixture
def cohorts(make_db):
    return make_db(COHORTS)


def _cell(df, measure, cohort, period):
    return df[(df.measure == measure) & (df.cohort == cohort) & (df.period == period)].iloc[0]


def test_evaluation_shape_and_columns(cohorts):
    df = pilot_evaluation(cohorts, Filters(D))
    assert {"measure", "cohort", "period", "n", "value", "ci_low", "ci_high", "too_small", "label"} <= set(df.columns)
    assert len(df) == 7 * 4
    assert set(df.cohort) == {"pilot", "comparison"} and set(df.period) == {"before", "during"}


def test_escalation_proportions_with_wilson_intervals(cohorts):
    df = pilot_evaluation(cohorts, Filters(D))
    pb = _cell(df, "escalated_cp", "pilot", "before")
    assert (pb.n, pb["count"], pb.value) == (10, 3, 0.3)
    assert pb.ci_low == pytest.approx(0.1078, abs=1e-4) and pb.ci_high == pytest.approx(0.6032, abs=1e-4)
    pd_ = _cell(df, "escalated_cp", "pilot", "during")
    assert (pd_.n, pd_["count"]) == (12, 1) and pd_.value == pytest.approx(1 / 12)
    assert _cell(df, "escalated_cp", "comparison", "during").value == pytest.approx(0.2)
    assert pb.label == "30% (11% to 60%)" and not pb.too_small


def test_medians_and_closure_shares(cohorts):
    df = pilot_evaluation(cohorts, Filters(D))
    # durations 10, 20, ..., 10n, all closed: the KM median is the first duration where S <= 0.5
    assert _cell(df, "median_days", "pilot", "before").value == 50
    assert _cell(df, "median_days", "pilot", "during").value == 60
    closed = _cell(df, "closed_within_12m", "comparison", "before")
    assert (closed.n, closed.value) == (10, 1.0)


def test_median_duration_censors_open_plans(make_db):
    # 2 of 5 closed (10 and 20 days), 3 still open: the curve stops at 0.6, so no median,
    # although the median of the closed plans alone would be 15 days.
    rows = {
        "teams": TEAMS,
        "cin_plans": [
            _plan("m1", "P1", date(2023, 12, 1), date(2023, 12, 11), "other"),
            _plan("m2", "P1", date(2023, 12, 1), date(2023, 12, 21), "other"),
            *[_plan(f"m{i}", "P1", date(2023, 12, 1)) for i in (3, 4, 5)],
        ],
    }
    rows["children"] = _children(rows)
    db = make_db(rows)
    std = load_standards(None)
    pilot = Pilot(name="late", start=date(2023, 12, 1), months=1, team_ids=("P1",), comparison_team_ids=("C1",))
    cell = _cell(pilot_evaluation(db, Filters(D), pilot), "median_days", "pilot", "during")
    assert cell.n == 5 and cell["count"] == 2 and pd.isna(cell.value)
    assert std.pilot_min_cohort == 10 and cell.too_small


def test_did_of_escalation_hand_worked(cohorts):
    did = pilot_did(cohorts, Filters(D)).set_index("measure")
    row = did.loc["escalated_cp"]
    # (1/12 - 3/10) - (2/10 - 2/10); variance .3*.7/10 + (1/12)(11/12)/12 + 2 * .2*.8/10
    assert row.did == pytest.approx(-0.216667, abs=1e-6)
    assert row.ci_low == pytest.approx(-0.694214, abs=1e-5) and row.ci_high == pytest.approx(0.260880, abs=1e-5)
    assert row.status == "inconclusive" and "includes no change" in row.verdict
    med = did.loc["median_days"]
    assert med.did == (60 - 50) - (50 - 50)
    assert med.ci_low <= med.did <= med.ci_high and "bootstrap" in med.method


def test_the_overviews_headline_is_the_evaluations_row(cohorts):
    """``pilot_headline`` (the Overview's tile) is the evaluation's DiD row for that measure, computed alone."""
    ev = evaluate_pilot(cohorts, Filters(D))
    for measure in ("median_days", "escalated_cp"):
        headline = pilot_headline(cohorts, Filters(D), None, measure)
        expected = ev.did[ev.did["measure"] == measure].reset_index(drop=True)
        pd.testing.assert_frame_equal(headline, expected)
    both = did_table(ev.plans, cohorts.standards, ("escalated_cp", "median_days"))
    assert both["measure"].tolist() == ["median_days", "escalated_cp"]  # in the table's own order
    with pytest.raises(ValueError, match="no such pilot measure: nope"):
        did_table(ev.plans, cohorts.standards, ("nope",))


def test_small_cohort_is_labelled_not_judged(cohorts):
    tiny = Pilot(name="Tiny", start=date(2022, 2, 7), team_ids=("A1",), comparison_team_ids=("C1",))
    ev = evaluate_pilot(cohorts, Filters(D), tiny)
    cell = _cell(ev.measures, "escalated_cp", "pilot", "during")
    assert cell.n == 3 and cell.too_small and cell.label == "too small to judge (3 plans; minimum 10)"
    assert (ev.did.status == "too_small").all()
    assert ev.did.verdict.str.startswith("Too small to judge").all()


def test_second_pilot_from_standards_file(tmp_path, backend):
    f = tmp_path / "standards.toml"
    f.write_text(
        '[[pilots]]\nname = "Assessment pilot"\nteam_ids = ["A1"]\nstart = 2022-02-07\n'
        'months = 6\ncomparison_team_ids = ["C1", "C2"]\n'
    )
    fx = FixtureDB(backend, tmp_path).load(COHORTS)
    try:
        db = fx.connect(standards=load_standards(f))
        assert [p.name for p in db.standards.pilots] == ["CIN team pilot", "Assessment pilot"]
        design = resolve_design(db, Filters(D), "Assessment pilot")
        assert design.pilot_teams == ("A1",) and design.comparison_teams == ("C1", "C2")
        assert _cell(pilot_evaluation(db, Filters(D), "Assessment pilot"), "median_days", "pilot", "during").n == 3
        db.dispose()
    finally:
        fx.cleanup()


def test_closure_routes_and_workload(cohorts):
    ev = evaluate_pilot(cohorts, Filters(D))
    routes = closure_routes(ev.plans)
    pb = routes[(routes.cohort == "pilot") & (routes.period == "before")].set_index("end_reason")
    assert pb.loc["escalated_cp", "share"] == pytest.approx(0.3) and pb.loc["plan_achieved", "share"] == pytest.approx(
        0.7
    )
    assert pb["share"].sum() == pytest.approx(1.0) and len(pb) == 7
    work = outcomes_by_caseload(ev.plans, cohorts.standards)
    assert work.n.sum() == 0  # no key workers in this authority: nothing to band


def test_trend_counts(cohorts):
    design = resolve_design(cohorts, Filters(D))
    months = trend_months(design)
    assert months[0] == date(2021, 8, 31) and months[-1] == date(2023, 8, 31)
    trend = pilot_trend(cohorts, Filters(D)).set_index(["month", "cohort"])
    assert trend.loc[(date(2021, 9, 1), "pilot"), "starts"] == 10
    assert trend.loc[(date(2022, 3, 1), "pilot"), "starts"] == 12
    # pilot before: plan i starts 1 Sep + i and ends 10(i+1) days later: Sept ends are i = 0, 1
    assert trend.loc[(date(2021, 9, 1), "pilot"), "closures"] == 2
    # on 30 Sep the 8 plans still open are 22..29 days old minus their stagger: ages 29-i, i = 2..9
    row = trend.loc[(date(2021, 9, 1), "pilot")]
    assert row.open_plans == 8 and row.median_open_age == pytest.approx(23.5)
    assert trend.starts.sum() == 10 + 12 + 10 + 10


def test_backends_agree(tmp_path):
    frames = {}
    for b in BACKENDS:
        fx = FixtureDB(b, tmp_path).load(BOUNDARY)
        try:
            db = fx.connect()
            ev = evaluate_pilot(db, Filters(D))
            frames[b] = (
                ev.plans.sort_values("plan_id").reset_index(drop=True),
                ev.measures,
                pilot_trend(db, Filters(D)),
            )
            db.dispose()
        finally:
            fx.cleanup()
    for b in BACKENDS[1:]:
        for left, right in zip(frames["sqlite"], frames[b], strict=False):
            pd.testing.assert_frame_equal(left, right, check_dtype=False)


def test_sql_injection_in_filters_is_inert(cohorts):
    df = pilot_evaluation(cohorts, Filters(D, teams=("C1' OR '1'='1",)))
    assert _cell(df, "escalated_cp", "comparison", "before").n == 10


def _selector(app):
    """The pilot selector of the page's layout, built as a request of ``app`` would build it."""
    import sys

    with app.server.test_request_context("/cin-pilot"):
        page = sys.modules["dashboard.pages.cin_pilot"]
        layout = page.layout()
    found = [c for c in layout.children if getattr(c, "id", None) == "cin-pilot-selector"]
    return found[0], page


def test_selector_only_when_a_second_pilot_is_configured(tmp_path):
    """One pilot: the selector is hidden. A second from the standards file: shown, listed, bookmarkable."""
    from tests.apps import make_app

    fx = FixtureDB("sqlite", tmp_path).load(COHORTS)
    toml = tmp_path / "standards.toml"
    toml.write_text(
        '[[pilots]]\nname = "Assessment pilot"\nteam_ids = ["A1"]\nstart = 2022-02-07\ncomparison_team_ids = ["C1"]\n'
    )
    try:
        one, page = _selector(make_app(db=fx.connect()))
        assert one.hidden
        two, _ = _selector(make_app(db=fx.connect(standards=load_standards(toml))))
        dropdown = two.children[1]
        assert not two.hidden and dropdown.value == "CIN team pilot"
        assert [o["value"] for o in dropdown.options] == ["CIN team pilot", "Assessment pilot"]
        app = make_app(db=fx.connect(standards=load_standards(toml)))
        with app.server.test_request_context("/cin-pilot"):
            bookmarked = page.layout(pilot="Assessment pilot")
            unknown = page.layout(pilot="No such pilot")
        pick = lambda lay: [c for c in lay.children if getattr(c, "id", None) == "cin-pilot-selector"][0]  # noqa: E731
        assert pick(bookmarked).children[1].value == "Assessment pilot"
        assert pick(unknown).children[1].value == "CIN team pilot"
        # the methods note takes its numbers from the standards in force, not from the seed's pilot
        methods = page.methods_note(load_standards(toml))
        assert "under 10 plans" in methods and "six months" not in methods and "Wilson" in methods
        toml.write_text("[standards]\npilot_min_cohort = 12\npilot_rereferral_months = 6\n")
        stricter = page.methods_note(load_standards(toml))
        assert "under 12 plans" in stricter and "re-referred within 6 months" in stricter
    finally:
        fx.cleanup()


def _readme_toml(section: str) -> str:
    """The first ```toml block of a README section (the documented example must keep working)."""
    import re
    from pathlib import Path

    text = Path(__file__).resolve().parents[1].joinpath("README.md").read_text()
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```toml\n(.*?)```", body, re.S).group(1)


def test_readme_pilot_example_loads(tmp_path):
    f = tmp_path / "standards.toml"
    f.write_text(_readme_toml("CIN pilot evaluation (issue 5)"))
    s = load_standards(f)
    assert [p.name for p in s.pilots] == ["CIN team pilot", "North CIN team"]
    north = s.pilot("North CIN team")
    assert (north.team_ids, north.start, north.months, north.comparison_team_ids) == (
        ("T09",),
        date(2023, 1, 9),
        6,
        ("T02", "T03"),
    )
    f.write_text("replace_default_pilots = true\n" + _readme_toml("CIN pilot evaluation (issue 5)"))
    assert [p.name for p in load_standards(f).pilots] == ["North CIN team"]


def test_readme_plan_standards_example_loads(tmp_path):
    f = tmp_path / "standards.toml"
    f.write_text(_readme_toml("Plan durations and drift (issue 4)"))
    s = load_standards(f)
    assert (s.cin_visit_days, s.step_down_max_days, s.cin_review_days) == (15, 90, 42)
    assert s.overridden == {"cin_visit_days", "step_down_max_days"}
