"""Drift flags (docs/DEFINITIONS.md "Plan durations and drift") on a hand-worked authority, both sides of
every boundary, every backend.

As-at date D = 1 Mar 2023. Useful dates: D - 42 = 18 Jan, D - 43 = 17 Jan, D - 21 = 8 Feb,
D - 22 = 7 Feb, D - 10 = 19 Feb, D - 11 = 18 Feb, D - 84 = 7 Dec 2022, D - 85 = 6 Dec 2022;
1 Dec 2022 is 90 days before D. Plans that test one flag get a "fresh" review (20 Feb) and visit
(28 Feb) so no other flag fires.
"""

from datetime import date

import pytest

from data_layer import Filters
from data_layer.queries.drift import FLAG_NAMES, drift_counts, drift_trend, plan_drift

D = date(2023, 3, 1)
FRESH_REVIEW, FRESH_VISIT = date(2023, 2, 20), date(2023, 2, 28)

ROWS: dict[str, list[dict]] = {
    k: [] for k in ("teams", "workers", "children", "allocations", "cin_plans", "cp_plans", "plan_reviews", "visits")
}
ROWS["teams"] = [
    dict(team_id="T1", team_name="CIN North", service="CIN/CP"),
    dict(team_id="T2", team_name="CIN South", service="CIN/CP"),
]
ROWS["workers"] = [
    dict(
        worker_id=w,
        worker_name=f"Worker {w}",
        team_id="T1",
        role="SW",
        fte=1.0,
        qualified=True,
        start_date=date(2020, 1, 1),
    )
    for w in ("W1", "W2", "W3")
]


def _review(plan_id, d, plan_type="cin"):
    ROWS["plan_reviews"].append(
        dict(review_id=f"R{len(ROWS['plan_reviews'])}", plan_type=plan_type, plan_id=plan_id, review_date=d)
    )


def _visit(child, d, plan_type):
    ROWS["visits"].append(dict(visit_id=f"V{len(ROWS['visits'])}", child_id=child, visit_date=d, plan_type=plan_type))


def cin(pid, start, end=None, origin="assessment", team="T1", reviews=(), visits=(), fresh=False):
    child = "C" + pid
    ROWS["children"].append(dict(child_id=child))
    ROWS["cin_plans"].append(
        dict(plan_id=pid, child_id=child, team_id=team, start_date=start, end_date=end, origin=origin)
    )
    for r in reviews:
        _review(pid, *r) if isinstance(r, tuple) else _review(pid, r)
    for v in visits:
        _visit(child, *v) if isinstance(v, tuple) else _visit(child, v, "cin")
    if fresh:
        _review(pid, FRESH_REVIEW)
        _visit(child, FRESH_VISIT, "cin")


def cp(pid, start, end=None, team="T1", visits=(), fresh=False):
    child = "C" + pid
    ROWS["children"].append(dict(child_id=child))
    ROWS["cp_plans"].append(
        dict(plan_id=pid, child_id=child, team_id=team, start_date=start, end_date=end, category="neglect")
    )
    for v in visits:
        _visit(child, *v) if isinstance(v, tuple) else _visit(child, v, "cp")
    if fresh:
        _visit(child, FRESH_VISIT, "cp")


# --- CIN review every 42 days --------------------------------------------------------------------
cin("N_R42", date(2022, 12, 1), reviews=[date(2023, 1, 18)], visits=[FRESH_VISIT])  # review 42 days ago: on time
cin("N_R43", date(2022, 12, 1), reviews=[date(2023, 1, 17)], visits=[FRESH_VISIT])  # 43 days ago: 1 over
cin("N_NR42", date(2023, 1, 18), visits=[FRESH_VISIT])  # no review, started 42 days ago
cin("N_NR43", date(2023, 1, 17), visits=[FRESH_VISIT])  # no review, started 43 days ago
cin("N_RTYPE", date(2022, 12, 1), reviews=[(date(2023, 2, 25), "cp")], visits=[FRESH_VISIT])  # CP review: ignored
cin("N_RFUT", date(2023, 1, 10), reviews=[date(2023, 3, 5)], visits=[FRESH_VISIT])  # review after D: ignored
cin("N_RPRE", date(2023, 1, 20), reviews=[date(2022, 10, 1)], visits=[FRESH_VISIT])  # review before start: ignored
# --- CIN visits every 21 days --------------------------------------------------------------------
cin("N_V21", date(2022, 12, 1), reviews=[FRESH_REVIEW], visits=[date(2023, 2, 8)])
cin("N_V22", date(2022, 12, 1), reviews=[FRESH_REVIEW], visits=[date(2023, 2, 7)])
cin("N_VTYPE", date(2022, 12, 1), reviews=[FRESH_REVIEW], visits=[(FRESH_VISIT, "cp")])  # CP visit: not a CIN visit
cin("N_VN22", date(2023, 2, 7))  # no visit, started 22 days ago
cin("N_VN21", date(2023, 2, 8))  # no visit, started 21 days ago
cin("N_VPRE", date(2023, 2, 1), visits=[date(2023, 1, 31)])  # visit before the plan: ignored
# --- CP step-down within 84 days -----------------------------------------------------------------
cin("N_SD84", date(2022, 12, 7), origin="cp_step_down", fresh=True)
cin("N_SD85", date(2022, 12, 6), origin="cp_step_down", fresh=True)
cin("N_SDA85", date(2022, 12, 6), origin="assessment", fresh=True)
# --- 9 and 12 calendar months (month-end starts) -----------------------------------------------
cin("N_9IN", date(2022, 6, 1), fresh=True)  # + 9 months = 1 Mar 2023 = D: not more than 9 months
cin("N_9OVER", date(2022, 5, 31), fresh=True)  # + 9 months = 28 Feb 2023 < D: 1 day over
cin("N_12IN", date(2022, 3, 1), fresh=True)  # 12 months exactly; 9 months from 1 Dec: 90 days over
cin("N_12OVER", date(2022, 2, 28), fresh=True)  # 12 months from 28 Feb 2023: 1 over; 9 from 28 Nov: 93
# --- not open on D, or open with a future end date ---------------------------------------------
cin("N_CLOSED", date(2021, 1, 1), end=D)  # ended on D: not open
cin("N_ENDLATER", date(2022, 12, 1), end=date(2023, 6, 1), team="T2")  # open on D; nothing recorded
cin("N_LATER", date(2023, 3, 2))  # starts after D
cin("N_BAD", date(2022, 12, 1), end=date(2022, 11, 1))  # end before start: never open
# --- CP -------------------------------------------------------------------------------------------
cp("P_V10", date(2023, 1, 1), visits=[date(2023, 2, 19)])
cp("P_V11", date(2023, 1, 1), visits=[date(2023, 2, 18)])
cp("P_2YIN", date(2021, 3, 1), fresh=True)
cp("P_2YOVER", date(2021, 2, 28), fresh=True, team="T2")
cp("P_NV", date(2023, 2, 18))  # no visit, started 11 days ago
cp("P_CINV", date(2023, 1, 1), visits=[(FRESH_VISIT, "cin")])  # CIN visit: not a CP visit
cp("P_CLOSED", date(2020, 1, 1), end=date(2023, 2, 1))


# --- key workers ------------------------------------------------------------------------------------
def _alloc(child, worker, start, end=None, role="key_worker"):
    ROWS["allocations"].append(
        dict(
            allocation_id=f"A{len(ROWS['allocations']):02d}",
            child_id=child,
            worker_id=worker,
            team_id="T1",
            role=role,
            start_date=start,
            end_date=end,
        )
    )


_alloc("CN_R43", "W1", date(2022, 1, 1))
_alloc("CN_R43", "W2", date(2022, 12, 1))  # latest open key-worker allocation wins
_alloc("CN_R43", None, date(2023, 1, 1))  # awaiting allocation: not a worker
_alloc("CN_RTYPE", "W3", date(2022, 1, 1), end=D)  # ended on D: no current key worker
_alloc("CN_NR43", "W3", date(2022, 1, 1), role="involved")

EXPECTED = {
    ("N_R43", "cin_review_overdue"): 1,
    ("N_NR43", "cin_review_overdue"): 1,
    ("N_RTYPE", "cin_review_overdue"): 48,
    ("N_RFUT", "cin_review_overdue"): 8,
    ("N_V22", "cin_visit_overdue"): 1,
    ("N_VTYPE", "cin_visit_overdue"): 69,
    ("N_VN22", "cin_visit_overdue"): 1,
    ("N_VPRE", "cin_visit_overdue"): 7,
    ("N_SD85", "step_down_over_12_weeks"): 1,
    ("N_9OVER", "cin_9_month_review"): 1,
    ("N_12IN", "cin_9_month_review"): 90,
    ("N_12OVER", "cin_9_month_review"): 93,
    ("N_12OVER", "cin_over_12_months"): 1,
    ("N_ENDLATER", "cin_review_overdue"): 48,
    ("N_ENDLATER", "cin_visit_overdue"): 69,
    ("P_V11", "cp_visit_overdue"): 1,
    ("P_NV", "cp_visit_overdue"): 1,
    ("P_CINV", "cp_visit_overdue"): 49,
    ("P_2YOVER", "cp_over_2_years"): 1,
}


@pytest.fixture
def db(make_db):
    return make_db(ROWS)


def _as_dict(df):
    return {(r.plan_id, r.flag): r.days_over for r in df.itertuples()}


def test_every_flag_both_sides_of_its_boundary(db):
    df = plan_drift(db, Filters(D))
    assert _as_dict(df) == EXPECTED
    assert set(df.flag) == set(FLAG_NAMES)
    assert list(df.columns[:8]) == [
        "plan_id",
        "plan_type",
        "child_id",
        "team_id",
        "team_name",
        "worker_name",
        "flag",
        "days_over",
    ]
    assert (df.days_over >= 1).all()
    assert list(df.days_over) == sorted(df.days_over, reverse=True)  # most overdue first


def test_plan_type_child_dates_and_worker(db):
    df = plan_drift(db, Filters(D)).set_index(["plan_id", "flag"])
    r = df.loc[("N_R43", "cin_review_overdue")]
    assert (r.plan_type, r.child_id, r.team_id, r.team_name) == ("cin", "CN_R43", "T1", "CIN North")
    assert r.worker_name == "Worker W2"
    assert r.start_date == date(2022, 12, 1) and r.last_review_date == date(2023, 1, 17)
    assert r.last_visit_date == FRESH_VISIT
    assert df.loc[("N_RTYPE", "cin_review_overdue")].worker_name is None  # allocation ended on D
    assert df.loc[("N_NR43", "cin_review_overdue")].worker_name is None  # involved, not key worker
    assert df.loc[("N_NR43", "cin_review_overdue")].last_review_date is None
    assert df.loc[("N_RFUT", "cin_review_overdue")].last_review_date is None  # the future review is not shown
    cpr = df.loc[("P_V11", "cp_visit_overdue")]
    assert (cpr.plan_type, cpr.last_visit_date) == ("cp", date(2023, 2, 18))


def test_team_and_service_filters(db):
    assert _as_dict(plan_drift(db, Filters(D, teams=("T2",)))) == {
        k: v for k, v in EXPECTED.items() if k[0] in ("N_ENDLATER", "P_2YOVER")
    }
    assert len(plan_drift(db, Filters(D, services=("CIN/CP",)))) == len(EXPECTED)
    assert plan_drift(db, Filters(D, services=("Assessment",))).empty


def test_counts_by_team_match_the_list(db):
    counts = drift_counts(db, Filters(D))
    got = {(r.team_id, r.flag): r.n for r in counts.itertuples()}
    rows = plan_drift(db, Filters(D))
    assert got == rows.groupby(["team_id", "flag"]).size().to_dict()
    assert got[("T1", "cin_review_overdue")] == 4 and got[("T2", "cp_over_2_years")] == 1
    assert set(counts.team_name) == {"CIN North", "CIN South"}


@pytest.mark.parametrize(
    "as_at,expected",
    [
        (date(2023, 2, 28), None),  # 31 May 2022 + 9 months = 28 Feb 2023: not more than 9 months yet
        (date(2023, 3, 1), 1),
        (date(2023, 3, 31), 31),
    ],
)
def test_month_end_start_nine_months(make_db, as_at, expected):
    db = make_db(
        {
            "cin_plans": [
                dict(plan_id="M", child_id="C", team_id="T1", start_date=date(2022, 5, 31), origin="assessment")
            ]
        }
    )
    got = _as_dict(plan_drift(db, Filters(as_at))).get(("M", "cin_9_month_review"))
    assert got == expected


def test_leap_day_twelve_months(make_db):
    """29 Feb 2024 + 12 months = 28 Feb 2025: flagged from 1 Mar 2025, 1 day over."""
    db = make_db({"cin_plans": [dict(plan_id="L", child_id="C", team_id="T1", start_date=date(2024, 2, 29))]})
    assert ("L", "cin_over_12_months") not in _as_dict(plan_drift(db, Filters(date(2025, 2, 28))))
    assert _as_dict(plan_drift(db, Filters(date(2025, 3, 1))))[("L", "cin_over_12_months")] == 1


def test_trend_matches_point_in_time(db):
    trend = drift_trend(db, Filters(D), months=3)
    assert list(trend.as_at) == [date(2022, 12, 1), date(2023, 1, 1), date(2023, 2, 1), D]
    for row in trend.itertuples():
        flags = plan_drift(db, Filters(row.as_at)).groupby("flag").size()
        for flag in ("cin_9_month_review", "cin_over_12_months", "step_down_over_12_weeks", "cp_over_2_years"):
            assert getattr(row, flag) == flags.get(flag, 0), (row.as_at, flag)
    last = trend.iloc[-1]
    # open on D: 21 of the 24 CIN plans (not closed, later or end-before-start) and 6 of the 7 CP plans
    assert (last.open_cin, last.open_cp) == (21, 6)
    assert last.pct_cin_over_12_months == pytest.approx(100 / 21)


def test_no_plans_gives_empty_frames(make_db):
    db = make_db({})
    assert plan_drift(db, Filters(D)).empty
    assert drift_counts(db, Filters(D)).empty
    trend = drift_trend(db, Filters(D), months=1)
    assert list(trend.open_cin) == [0, 0] and trend.pct_cin_over_12_months.isna().all()


PLAN_STANDARDS = {
    "cin_review_days": "001",
    "cin_sm_review_months": "001",
    "cin_max_months": "001",
    "step_down_max_days": "000",
    "cin_visit_days": "001",
    "cp_visit_days": "000",
    "cp_max_months": "national indicator",
}


def test_each_flag_standard_is_a_named_setting_with_its_source():
    from data_layer.queries.drift import FLAGS
    from data_layer.standards import load_standards

    described = {s.name: s for s in load_standards(None).describe()}
    assert {setting for _, _, setting in FLAGS} == set(PLAN_STANDARDS)
    assert {name: described[name].cite for name in PLAN_STANDARDS} == PLAN_STANDARDS
    assert described["cin_max_months"].source.startswith("Child in Need Practice Guidance (001)")
    assert described["step_down_max_days"].source == "Cluster group presentation (000)"
    assert [
        described[n].value for n in ("cin_review_days", "step_down_max_days", "cin_visit_days", "cp_visit_days")
    ] == [42, 84, 21, 10]


def test_standards_file_moves_every_boundary(make_db, tmp_path):
    """000's 15-day CIN visits, 4-weekly reviews, a 90-day step-down limit, weekly CP visits, 6/11/23 months.

    By hand on D = 1 Mar 2023: N_R42's review 42 days ago is 14 over 28; N_V21's visit 21 days
    ago is 6 over 15 and N_V22's 7; N_SD85 (85 days) is no longer over 90; P_V10's visit 10 days
    ago is 3 over 7; N_9IN (1 Jun 2022 + 6 months = 1 Dec 2022) is 90 days past 6 months;
    N_12IN (1 Mar 2022 + 11 months = 1 Feb 2023) 28 days past 11; P_2YIN (1 Mar 2021 + 23
    months = 1 Feb 2023) 28 days past 23.
    """
    from data_layer.standards import load_standards

    toml = tmp_path / "standards.toml"
    toml.write_text(
        "[standards]\ncin_visit_days = 15\ncin_review_days = 28\nstep_down_max_days = 90\n"
        "cp_visit_days = 7\ncin_sm_review_months = 6\ncin_max_months = 11\ncp_max_months = 23\n"
    )
    db = make_db(ROWS, standards=load_standards(toml))
    got = _as_dict(plan_drift(db, Filters(D)))
    assert got[("N_R42", "cin_review_overdue")] == 14
    assert (got[("N_V21", "cin_visit_overdue")], got[("N_V22", "cin_visit_overdue")]) == (6, 7)
    assert not any(k[0] == "N_SD85" for k in got) and ("N_SD84", "step_down_over_12_weeks") not in got
    assert got[("P_V10", "cp_visit_overdue")] == 3
    assert got[("N_9IN", "cin_9_month_review")] == 90
    assert got[("N_12IN", "cin_over_12_months")] == 28
    assert got[("P_2YIN", "cp_over_2_years")] == 28
    trend = drift_trend(db, Filters(D), months=1).iloc[-1]
    assert trend.cp_over_2_years == sum(1 for k in got if k[1] == "cp_over_2_years")


def test_backends_agree_frame_for_frame(tmp_path):
    """The same frames, row for row, from SQLite, DuckDB and PostgreSQL (not only the same asserted values)."""
    import pandas as pd

    from data_layer.queries.plans import duration_bands, plan_durations, plan_exclusions
    from tests.fixtures import BACKENDS, FixtureDB

    def frames(db):
        f = Filters(D)
        return [
            plan_drift(db, f),
            drift_counts(db, f),
            drift_trend(db, f, 3),
            duration_bands(db, f),
            plan_exclusions(db, f),
            plan_durations(db, f, "cin"),
            plan_durations(db, f, "cp"),
        ]

    got = {}
    for b in BACKENDS:
        fx = FixtureDB(b, tmp_path).load(ROWS)
        try:
            db = fx.connect()
            got[b] = frames(db)
            db.dispose()
        finally:
            fx.cleanup()
    for b in BACKENDS[1:]:
        for left, right in zip(got["sqlite"], got[b], strict=False):
            assert not left.empty
            pd.testing.assert_frame_equal(left.reset_index(drop=True), right.reset_index(drop=True), check_dtype=False)
