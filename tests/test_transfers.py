"""Transfer timeliness and key-worker changes (docs/DEFINITIONS.md "Transfers") on hand-worked rows, on every backend.

As-at date D = Friday 31 March 2023, so the 12-month window starts W = 1 April 2022. Working days
are worked by hand from the calendar: England and Wales bank holidays in range are 15 and 18 April,
2 May, 2 and 3 June (spring bank holiday moved, Platinum Jubilee), 29 August, 19 September (State
Funeral), 26 and 27 December 2022 (Boxing Day, Christmas Day substitute), 2 January 2023.
"""

from datetime import date

import pytest

from data_layer import Filters, keyworker_change_children, keyworker_changes, transfer_exclusions, transfers

D = date(2023, 3, 31)
F = Filters(as_at=D)


def _tr(
    tid,
    requested,
    completed=None,
    status=None,
    frm="T1",
    to="T2",
    point="initial_cin_meeting",
    notified=None,
    joint=None,
    child=None,
):
    if status is None:
        status = "pending" if completed is None else "completed"
    return dict(
        transfer_id=tid,
        child_id=child or f"C{tid}",
        from_team_id=frm,
        to_team_id=to,
        transfer_point=point,
        notified_date=notified,
        requested_date=requested,
        completed_date=completed,
        joint_visit_date=joint,
        status=status,
    )


def _kw(aid, child, start, end=None, team="T2", worker="W1", role="key_worker"):
    return dict(
        allocation_id=aid, child_id=child, worker_id=worker, team_id=team, role=role, start_date=start, end_date=end
    )


TEAMS = [
    dict(team_id="T1", team_name="Assessment North", service="Assessment", area="North"),
    dict(team_id="T2", team_name="CIN North", service="CIN/CP", area="North"),
    dict(team_id="T3", team_name="Looked After", service="Looked After", area="North"),
]

TRANSFERS = [
    # Wed 1 Jun -> Mon 6 Jun 2022: Wed counts; Thu 2 and Fri 3 are bank holidays; weekend -> 1.
    _tr("TR01", date(2022, 6, 1), date(2022, 6, 6)),
    # Fri 23 Dec -> Thu 29 Dec 2022: Fri 23 and Wed 28 (26 Boxing Day, 27 Christmas substitute) -> 2.
    _tr("TR02", date(2022, 12, 23), date(2022, 12, 29), notified=date(2022, 12, 15)),
    # Same day -> 0; joint visit on the day of transfer counts; no transfer point recorded.
    _tr("TR03", date(2022, 7, 12), date(2022, 7, 12), point=None, joint=date(2022, 7, 12), notified=date(2022, 6, 1)),
    # Mon 12 -> Tue 20 Sep 2022: 12-16 Sep (5), Mon 19 State Funeral -> 5, late; joint visit after.
    _tr("TR04", date(2022, 9, 12), date(2022, 9, 20), frm="T2", to="T3", joint=date(2022, 9, 21)),
    # Mon 3 -> Thu 6 Oct 2022: exactly 3, on time; notice 14 days; joint visit 7 days before.
    _tr("TR05", date(2022, 10, 3), date(2022, 10, 6), notified=date(2022, 9, 22), joint=date(2022, 9, 29)),
    # Mon 3 -> Fri 7 Oct 2022: 4, late; notice 13 days; joint visit 8 days before.
    _tr(
        "TR06",
        date(2022, 10, 3),
        date(2022, 10, 7),
        frm="T3",
        to="T2",
        point="first_lac_review",
        notified=date(2022, 9, 24),
        joint=date(2022, 9, 29),
    ),
    # Pending on Fri 31 Mar 2023, requested Tue 28: 28, 29, 30 -> 3 working days, not yet late.
    _tr("TR07", date(2023, 3, 28), joint=date(2023, 3, 29), point="after_icpc"),
    # Pending, requested Mon 27 Mar: 27-30 -> 4 working days, late.
    _tr("TR08", date(2023, 3, 27), point="after_icpc"),
    # Pending since Fri 25 Mar 2022, before the window: 53 weeks = 265 weekdays - 10 bank holidays.
    _tr("TR09", date(2022, 3, 25), point="first_hearing"),
    # Completed after D, so pending on D: 1 working day waiting (Thu 30), completion and visit unknown.
    _tr("TR10", date(2023, 3, 30), date(2023, 4, 3), joint=date(2023, 4, 1), notified=date(2023, 3, 1)),
    # Requested before W and completed before D: outside the window.
    _tr("TR11", date(2022, 3, 28), date(2022, 4, 4)),
    # Requested on W itself (Fri 1 Apr 2022) -> Tue 5 Apr: Fri 1, Mon 4 -> 2.
    _tr("TR12", date(2022, 4, 1), date(2022, 4, 5)),
    # Requested the day before W, completed in the window: outside.
    _tr("TR13", date(2022, 3, 31), date(2022, 4, 1)),
    # Requested after D: did not exist on D.
    _tr("TR14", date(2023, 4, 3)),
    # Requested on D, pending: 0.
    _tr("TR15", D, point="other"),
    # Unrecognised transfer point: kept, counted for the by-point chart.
    _tr("TR16", date(2022, 11, 14), date(2022, 11, 15), point="at_panel"),
    # ---- rows the standard cannot judge
    _tr("X1", None, status="pending"),  # no request date
    _tr("X2", date(2022, 6, 10), date(2022, 6, 8)),  # completed before requested
    _tr("X3", date(2022, 5, 5), status="cancelled"),  # unknown status
    _tr("X4", date(2022, 8, 1), status="declined", frm="T2", to="T3"),  # declined in window
    _tr("X5", date(2021, 8, 1), status="declined"),  # declined, before window
    _tr("X6", date(2022, 11, 1), status="completed"),  # completed, no date
    _tr("X7", date(2022, 11, 7), date(2022, 11, 8), status="pending"),  # pending with a date
    _tr("X8", None, date(2021, 1, 1)),  # no request, long ago
    {**_tr("X9", date(2022, 12, 1)), "status": None},  # missing status
]

ALLOCATIONS = [
    *[
        _kw(f"K1-{i}", "K1", s)
        for i, s in enumerate([date(2022, 5, 1), date(2022, 8, 1), date(2022, 11, 1), date(2023, 2, 1)])
    ],
    _kw("K2-1", "K2", date(2021, 1, 1)),  # stable since before W: 0
    _kw("K3-1", "K3", date(2021, 1, 1), date(2022, 6, 1)),
    _kw("K3-2", "K3", date(2022, 6, 1)),  # one started in window: 0
    _kw("K4-1", "K4", date(2022, 4, 1), date(2022, 7, 1)),  # on W: counts
    _kw("K4-2", "K4", date(2022, 7, 1), D),
    _kw("K4-3", "K4", D, date(2023, 4, 1)),  # on D: counts
    _kw("K4-4", "K4", date(2023, 4, 1)),  # after D: not counted
    _kw("K5-1", "K5", date(2022, 3, 31), date(2022, 6, 1)),  # day before W: not counted
    _kw("K5-2", "K5", date(2022, 6, 1), date(2022, 9, 1)),
    _kw("K5-3", "K5", date(2022, 9, 1)),
    _kw("K6-0", "K6", date(2022, 5, 1), date(2022, 5, 10), worker=None),  # awaiting allocation: not counted
    *[
        _kw(f"K6-{i}", "K6", s)
        for i, s in enumerate([date(2022, 5, 10), date(2022, 6, 10), date(2022, 7, 10), date(2022, 8, 10)], 1)
    ],
    *[_kw(f"K7-{i}", "K7", date(2022, 5 + i, 1), role="involved") for i in range(5)],  # not key worker
    *[_kw(f"K8-{i}", "K8", s, team="T1") for i, s in enumerate([date(2022, 5, 1), date(2022, 6, 1), date(2022, 7, 1)])],
    _kw("K8-3", "K8", date(2022, 8, 1)),
    _kw("K9-1", "K9", date(2020, 1, 1), date(2022, 4, 1)),  # ended on W: not in window
    _kw("K10-1", "K10", None),  # no start date
    _kw("K10-2", "K10", date(2022, 5, 1), date(2022, 4, 1)),  # ends before it starts
]

ROWS = {"teams": TEAMS, "transfers": TRANSFERS, "allocations": ALLOCATIONS}


@pytest.fixture
def db(make_db):
    return make_db(ROWS)


def _by_id(df):
    return {r.transfer_id: r for r in df.itertuples(index=False)}


def test_window_and_as_at_scope(db):
    df = transfers(db, F)
    assert sorted(df["transfer_id"]) == [
        "TR01",
        "TR02",
        "TR03",
        "TR04",
        "TR05",
        "TR06",
        "TR07",
        "TR08",
        "TR09",
        "TR10",
        "TR12",
        "TR15",
        "TR16",
    ]
    assert df["transfer_id"].is_unique


def test_working_days_across_weekends_and_bank_holidays(db):
    rows = _by_id(transfers(db, F))
    expected = {
        "TR01": 1,
        "TR02": 2,
        "TR03": 0,
        "TR04": 5,
        "TR05": 3,
        "TR06": 4,
        "TR07": 3,
        "TR08": 4,
        "TR09": 255,
        "TR10": 1,
        "TR12": 2,
        "TR15": 0,
        "TR16": 1,
    }
    assert {k: int(r.working_days) for k, r in rows.items()} == expected
    assert {k for k, r in rows.items() if not r.on_time} == {"TR04", "TR06", "TR08", "TR09"}
    assert all(bool(r.late) == (not r.on_time) for r in rows.values())


def test_pending_as_at(db):
    rows = _by_id(transfers(db, F))
    assert {k for k, r in rows.items() if r.pending} == {"TR07", "TR08", "TR09", "TR10", "TR15"}
    assert {k: r.status for k, r in rows.items() if k in ("TR07", "TR10", "TR05")} == {
        "TR07": "pending",
        "TR10": "pending",
        "TR05": "completed",
    }
    # Completed after D: completion and the joint visit after D are not known on D.
    assert rows["TR10"].completed_date is None and rows["TR10"].joint_visit_date is None
    assert rows["TR07"].joint_visit_date == date(2023, 3, 29)
    assert {k: rows[k].days_waiting for k in ("TR07", "TR08", "TR10", "TR15")} == {
        "TR07": 3,
        "TR08": 4,
        "TR10": 1,
        "TR15": 0,
    }
    assert rows["TR05"].days_waiting is None
    # Not judged until completed.
    for k in ("TR07", "TR08", "TR09", "TR10", "TR15"):
        assert rows[k].notice_days is None and rows[k].notice_ok is None and rows[k].joint_visit_ok is None


def test_notice_given(db):
    rows = _by_id(transfers(db, F))
    assert (rows["TR05"].notice_days, rows["TR05"].notice_ok) == (14, True)
    assert (rows["TR06"].notice_days, rows["TR06"].notice_ok) == (13, False)
    assert (rows["TR02"].notice_days, rows["TR02"].notice_ok) == (14, True)
    assert (rows["TR03"].notice_days, rows["TR03"].notice_ok) == (41, True)
    # No notification recorded: no notice days, and the standard is not met.
    assert (rows["TR01"].notice_days, rows["TR01"].notice_ok) == (None, False)


def test_joint_visit_window(db):
    rows = _by_id(transfers(db, F))
    assert rows["TR05"].joint_visit_ok is True  # 7 days before completion
    assert rows["TR06"].joint_visit_ok is False  # 8 days before
    assert rows["TR03"].joint_visit_ok is True  # on the day of transfer
    assert rows["TR04"].joint_visit_ok is False  # after completion
    assert rows["TR01"].joint_visit_ok is False  # none recorded


def test_columns_and_types(db):
    df = transfers(db, F)
    for col in (
        "transfer_id",
        "child_id",
        "from_team",
        "to_team",
        "transfer_point",
        "working_days",
        "notice_days",
        "joint_visit_ok",
        "on_time",
        "pending",
        "from_team_name",
        "to_team_name",
        "notice_ok",
        "status",
    ):
        assert col in df.columns
    r = _by_id(df)["TR04"]
    assert (r.from_team, r.from_team_name, r.to_team, r.to_team_name) == ("T2", "CIN North", "T3", "Looked After")
    assert r.requested_date == date(2022, 9, 12) and r.completed_date == date(2022, 9, 20)
    assert r.request_month == date(2022, 9, 1)
    assert isinstance(r.transfer_id, str) and isinstance(r.child_id, str)
    assert _by_id(df)["TR03"].transfer_point is None


def test_team_filter_matches_either_side(db):
    by_team = transfers(db, Filters(as_at=D, teams=("T3",)))
    assert sorted(by_team["transfer_id"]) == ["TR04", "TR06"]
    by_service = transfers(db, Filters(as_at=D, services=("Looked After",)))
    assert sorted(by_service["transfer_id"]) == ["TR04", "TR06"]
    assert len(transfers(db, Filters(as_at=D, teams=("T9",)))) == 0


def test_earlier_as_at_replays_history(db):
    # On Tue 4 Oct 2022 TR05 and TR06 (requested Mon 3 Oct) were pending with 1 working day waiting.
    rows = _by_id(transfers(db, Filters(as_at=date(2022, 10, 4))))
    assert rows["TR05"].pending and rows["TR05"].working_days == 1 and rows["TR05"].on_time
    assert rows["TR05"].completed_date is None and rows["TR05"].notice_ok is None
    assert "TR07" not in rows and "TR02" not in rows
    # Window 5 Oct 2021 .. 4 Oct 2022: TR11 and TR13 (March 2022) are now in.
    assert {"TR11", "TR13"} <= set(rows)


def test_exclusions_with_reasons(db):
    ex = transfer_exclusions(db, F)
    got = {(r.reason, r.applies_to): r.rows for r in ex.itertuples(index=False)}
    assert got == {
        ("no request date", "all transfer figures"): 1,
        ("missing or unrecognised status", "all transfer figures"): 2,
        ("declined: no transfer took place to time", "all transfer figures"): 1,
        ("completed before it was requested", "all transfer figures"): 1,
        ("marked completed with no completion date", "all transfer figures"): 1,
        ("marked pending but has a completion date", "all transfer figures"): 1,
        ("missing or unrecognised transfer point", "on-time by transfer point only"): 2,
        ("key-worker allocation with no start date", "key-worker changes"): 1,
        ("key-worker allocation ending before it starts", "key-worker changes"): 1,
    }
    assert list(ex.columns) == ["reason", "rows", "applies_to"]


def test_exclusions_follow_team_filter(db):
    ex = transfer_exclusions(db, Filters(as_at=D, teams=("T3",)))
    assert {r.reason: r.rows for r in ex.itertuples(index=False)} == {"declined: no transfer took place to time": 1}


def test_keyworker_changes_distribution(db):
    dist = keyworker_changes(db, F)
    # K1 3, K2 0, K3 0, K4 2, K5 1, K6 3 (awaiting row not counted), K8 3; K7 involved only, K9 ended on W.
    assert dist.to_dict("list") == {"changes": [0, 1, 2, 3], "children": [2, 1, 1, 3]}


def test_keyworker_changes_team_filter(db):
    dist = keyworker_changes(db, Filters(as_at=D, teams=("T1",)))
    assert dist.to_dict("list") == {"changes": [0, 1, 2], "children": [0, 0, 1]}


def test_children_with_three_or_more_changes(db):
    kids = keyworker_change_children(db, F)
    assert kids["child_id"].tolist() == ["K1", "K6", "K8"]
    assert kids["changes"].tolist() == [3, 3, 3]
    k1 = kids.iloc[0]
    assert (k1["allocations"], k1["last_change"], k1["team_id"], k1["team_name"]) == (
        4,
        date(2023, 2, 1),
        "T2",
        "CIN North",
    )
    assert keyworker_change_children(db, F, minimum=2)["child_id"].tolist() == ["K1", "K6", "K8", "K4"]


def test_empty_database(make_db):
    db = make_db({"teams": TEAMS})
    assert transfers(db, F).empty and "working_days" in transfers(db, F).columns
    assert transfer_exclusions(db, F).empty
    assert keyworker_changes(db, F).empty
    assert keyworker_change_children(db, F).empty


# ---- working-day arithmetic (data_layer.metrics.working_days), checked against the gov.uk calendar ----

# England and Wales bank holidays falling on weekdays, as published on gov.uk/bank-holidays.
GOV_UK_2022 = [
    date(2022, 1, 3),
    date(2022, 4, 15),
    date(2022, 4, 18),
    date(2022, 5, 2),
    date(2022, 6, 2),
    date(2022, 6, 3),
    date(2022, 8, 29),
    date(2022, 9, 19),
    date(2022, 12, 26),
    date(2022, 12, 27),
]


def test_bank_holidays_come_from_the_holidays_library_for_england_and_wales():
    import holidays
    import numpy as np

    from data_layer.metrics.working_days import bank_holidays

    got = [d.astype(object) for d in bank_holidays(2022, 2022)]
    assert [d for d in got if d.weekday() < 5] == GOV_UK_2022
    # Wales shares England's bank holidays; Scotland-only days (2 Jan, 1 Aug, 30 Nov) are not holidays here.
    for year in range(2019, 2026):
        eng = set(holidays.country_holidays("GB", subdiv="ENG", years=year))
        assert eng == set(holidays.country_holidays("GB", subdiv="WLS", years=year))
        assert set(bank_holidays(year, year).astype(object)) == eng
    assert not {date(2022, 8, 1), date(2022, 11, 30)} & set(got)
    assert bank_holidays(2022, 2022).dtype == np.dtype("datetime64[D]")


@pytest.mark.parametrize(
    "start,end,expected",
    [
        (date(2022, 6, 1), date(2022, 6, 1), 0),  # same day
        (date(2022, 6, 1), date(2022, 6, 2), 1),  # Wed counts, completion day does not
        (date(2022, 6, 1), date(2022, 6, 6), 1),  # Thu 2 and Fri 3 June 2022 bank holidays, then the weekend
        (date(2022, 6, 1), date(2022, 6, 7), 2),
        (date(2022, 6, 2), date(2022, 6, 6), 0),  # requested on a bank holiday, done next working day
        (date(2022, 5, 27), date(2022, 6, 8), 6),  # Fri 27, Mon 30, Tue 31, Wed 1, Mon 6, Tue 7
        (date(2022, 7, 8), date(2022, 7, 11), 1),  # Friday to Monday
        (date(2022, 7, 9), date(2022, 7, 11), 0),  # Saturday to Monday
        (date(2022, 12, 23), date(2023, 1, 3), 4),  # 23, 28, 29, 30 Dec; 26, 27 Dec and 2 Jan are holidays
        (date(2022, 9, 16), date(2022, 9, 21), 2),  # Fri 16, Tue 20 (Mon 19 State Funeral)
    ],
)
def test_working_days_hand_worked(start, end, expected):
    import numpy as np

    from data_layer.metrics.working_days import bank_holidays, working_days_between

    assert working_days_between(start, end) == expected
    assert np.busday_count(start, end, holidays=bank_holidays(2021, 2024)) == expected


def test_working_days_vectorised_matches_numpy_and_keeps_missing_dates_missing():
    import numpy as np
    import pandas as pd

    from data_layer.metrics.working_days import bank_holidays, working_days

    rng = np.random.default_rng(3)
    starts = [date(2021, 6, 1) + pd.Timedelta(days=int(n)) for n in rng.integers(0, 700, 300)]
    ends = [s + pd.Timedelta(days=int(n)) for s, n in zip(starts, rng.integers(0, 40, 300), strict=False)]
    got = working_days(starts, ends)
    want = np.busday_count(
        np.array(starts, dtype="datetime64[D]"),
        np.array(ends, dtype="datetime64[D]"),
        holidays=bank_holidays(2021, 2024),
    )
    assert got.tolist() == want.astype(float).tolist()
    # Missing either date: NaN (never 0); end before start: negative (callers exclude such rows).
    out = working_days(
        [date(2022, 6, 1), None, date(2022, 6, 6), pd.NaT], [None, date(2022, 6, 6), date(2022, 6, 1), date(2022, 6, 1)]
    )
    assert np.isnan(out[0]) and np.isnan(out[1]) and np.isnan(out[3]) and out[2] == -1
