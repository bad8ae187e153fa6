"""Caseloads and unallocated children (docs/DEFINITIONS.md "Caseloads") on a hand-worked authority, on every backend."""

from datetime import date

import pytest

from data_layer import Filters, caseload_trend, caseloads, unallocated

D = date(2023, 3, 1)
OPEN = None


def _alloc(aid, child, worker, start, end=OPEN, team="T1", role="key_worker"):
    return dict(
        allocation_id=aid, child_id=child, worker_id=worker, team_id=team, role=role, start_date=start, end_date=end
    )


def _worker(wid, team, role="SW", fte=1.0, qualified=True, start=date(2020, 1, 1), end=OPEN):
    return dict(
        worker_id=wid,
        worker_name=f"Worker {wid}",
        team_id=team,
        role=role,
        fte=fte,
        qualified=qualified,
        start_date=start,
        end_date=end,
    )


ROWS = {
    "teams": [
        dict(team_id="T1", team_name="CIN/CP North", service="CIN/CP", area="North"),
        dict(team_id="T2", team_name="Assessment", service="Assessment", area="North"),
    ],
    "workers": [
        _worker("W1", "T1"),
        _worker("W2", "T1", fte=0.04),  # target 1.0: 1 case is not over
        _worker("W3", "T1", role="SSW", qualified=False),  # student
        _worker("W4", "T2", start=D),  # starts on the as-at date: in post
        _worker("W5", "T2", end=D),  # left on the as-at date: not in post
        _worker("W6", "T2", start=date(2023, 3, 2)),  # not yet started
        _worker("W7", "T2", fte=0.1),  # target 2.5, 3 cases: over
    ],
    "children": [
        dict(child_id=f"C{i}", birth_date=date(2012, 1, 1)) for i in (1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14)
    ]
    + [dict(child_id="C7", birth_date=date(2005, 6, 1))],
    "allocations": [
        _alloc("A1", "C1", "W1", date(2022, 1, 1)),
        _alloc("A2", "C2", "W1", date(2022, 1, 1)),
        _alloc("A3", "C3", "W1", date(2022, 1, 1)),
        _alloc("A4", "C3", "W1", date(2022, 6, 1)),  # duplicate: C3 counts once
        _alloc("A5", "C4", "W1", date(2022, 1, 1), end=D),  # ends on D: not counted
        _alloc("A6", "C5", "W1", D),  # starts on D: counted
        _alloc("A7", "C6", "W1", date(2022, 1, 1), role="involved"),
        _alloc("A8", "C7", "W2", date(2022, 1, 1)),
        _alloc("A9", "C8", "W3", date(2022, 1, 1)),  # student key worker
        _alloc("A10", "C9", None, date(2023, 2, 1), team="T2"),  # awaiting allocation
        _alloc("A11", "C10", "W1", date(2022, 10, 1), end=date(2023, 1, 10)),
        _alloc("A12", "C11", "W4", D, team="T2"),
        _alloc("A13", "C12", "W7", date(2022, 1, 1), team="T2"),
        _alloc("A14", "C13", "W7", date(2022, 1, 1), team="T2"),
        _alloc("A15", "C14", "W7", date(2022, 1, 1), team="T2"),
        _alloc("A16", "C12", "W5", date(2022, 1, 1), team="T2"),  # worker not in post: not listed
    ],
    "cla_episodes": [
        dict(episode_id="E1", child_id="C1", start_date=date(2022, 5, 1)),
        dict(episode_id="E2", child_id="C7", start_date=date(2020, 5, 1), end_date=date(2022, 12, 1)),
    ],
    "cp_plans": [
        dict(plan_id="P1", child_id="C1", team_id="T1", start_date=date(2022, 2, 1)),
        dict(plan_id="P2", child_id="C2", team_id="T1", start_date=date(2022, 2, 1)),
        dict(plan_id="P3", child_id="C4", team_id="T1", start_date=date(2022, 5, 1)),
    ],
    "cin_plans": [
        dict(plan_id="N1", child_id="C2", team_id="T1", start_date=date(2022, 2, 1)),
        dict(plan_id="N2", child_id="C3", team_id="T1", start_date=date(2022, 2, 1)),
        dict(plan_id="N3", child_id="C8", team_id="T1", start_date=date(2022, 9, 1)),
        dict(plan_id="N4", child_id="C10", team_id="T1", start_date=date(2022, 10, 1)),
        dict(plan_id="N5", child_id="C12", team_id="T2", start_date=date(2021, 1, 1), end_date=date(2022, 1, 1)),
    ],
    "referrals": [dict(referral_id="R1", child_id="C5", referral_date=date(2023, 2, 20))],
    "assessments": [dict(assessment_id="S1", child_id="C9", team_id="T2", start_date=date(2023, 1, 20))],
}


@pytest.fixture
def db(make_db):
    return make_db(ROWS)


def _by_worker(df):
    return df.set_index("worker_id")


def test_caseloads_hand_worked(db):
    df = _by_worker(caseloads(db, Filters(D)))
    assert sorted(df.index) == ["W1", "W2", "W3", "W4", "W7"]
    w1 = df.loc["W1"]
    assert (w1.cases, w1.cla, w1.cp, w1.cin, w1.assessment, w1.care_leaver, w1.other) == (4, 1, 1, 1, 1, 0, 0)
    assert (df.loc["W2"].cases, df.loc["W2"].care_leaver, df.loc["W2"].target, bool(df.loc["W2"].over_target)) == (
        1,
        1,
        1.0,
        False,
    )
    assert (df.loc["W3"].cases, df.loc["W3"].cin) == (1, 1)
    assert (df.loc["W4"].cases, df.loc["W4"].other) == (1, 1)
    assert (df.loc["W7"].cases, df.loc["W7"].target, bool(df.loc["W7"].over_target)) == (3, 2.5, True)
    assert df.loc["W1"].target == 25.0 and not df.loc["W1"].over_target
    assert df.loc["W1"].team_name == "CIN/CP North"


def test_caseloads_team_and_service_filters(db):
    assert sorted(caseloads(db, Filters(D, teams=("T2",))).worker_id) == ["W4", "W7"]
    assert sorted(caseloads(db, Filters(D, services=("CIN/CP",))).worker_id) == ["W1", "W2", "W3"]
    assert caseloads(db, Filters(D, services=("CIN/CP",), teams=("T2",))).empty


def test_sql_in_team_id_is_inert(db):
    assert caseloads(db, Filters(D, teams=("T1' OR '1'='1",))).empty
    assert caseloads(db, Filters(D, services=("x'); DROP TABLE workers; --",))).empty
    assert len(caseloads(db, Filters(D))) == 5  # the table is still there


def test_unallocated_hand_worked(db):
    df = unallocated(db, Filters(D)).set_index("child_id")
    assert sorted(df.index) == ["C10", "C4", "C8", "C9"]
    assert df.loc["C4"].to_dict() == {"team_id": "T1", "status": "cp", "days_unallocated": 0}
    assert df.loc["C8"].to_dict() == {"team_id": "T1", "status": "cin", "days_unallocated": 181}
    assert df.loc["C9"].to_dict() == {"team_id": "T2", "status": "assessment", "days_unallocated": 40}
    assert df.loc["C10"].to_dict() == {"team_id": "T1", "status": "cin", "days_unallocated": 50}
    assert sorted(unallocated(db, Filters(D, teams=("T2",))).child_id) == ["C9"]


def test_trend_matches_point_in_time(db):
    trend = caseload_trend(db, Filters(D), weeks=3)
    assert list(trend.as_at) == [date(2023, 2, 15), date(2023, 2, 22), D]
    for row in trend.itertuples():
        snap = caseloads(db, Filters(row.as_at))
        assert row.workers == len(snap)
        assert row.average_caseload == pytest.approx(snap.cases.mean())
        assert row.over_target == int(snap.over_target.sum())


def test_over_target_uses_the_exact_target_like_the_trend(make_db):
    """FTE 0.31984: target 7.996 shows as 8.0, yet 8 children are over it, in both functions."""
    db = make_db(
        {
            "teams": [dict(team_id="T1", team_name="CIN/CP North", service="CIN/CP", area="North")],
            "workers": [_worker("W1", "T1", fte=0.31984)],
            "children": [dict(child_id=f"C{i}", birth_date=date(2012, 1, 1)) for i in range(8)],
            "allocations": [_alloc(f"A{i}", f"C{i}", "W1", date(2022, 1, 1)) for i in range(8)],
            "cin_plans": [
                dict(plan_id=f"P{i}", child_id=f"C{i}", team_id="T1", start_date=date(2022, 1, 1)) for i in range(8)
            ],
        }
    )
    row = caseloads(db, Filters(D)).iloc[0]
    assert row["cases"] == 8 and row["target"] == 8.0 and bool(row["over_target"])
    assert int(caseload_trend(db, Filters(D), 1)["over_target"].iloc[-1]) == 1
