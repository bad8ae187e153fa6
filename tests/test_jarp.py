"""JARP queue, responses and reviews (docs/DEFINITIONS.md "JARP priority queue") on a hand-worked panel,
on every backend.

As-at date D = Wednesday 8 March 2023; the next panel sits on Tuesday 14 March.
"""

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from data_layer import (
    Filters,
    carried_over_repeatedly,
    jarp_queue,
    jarp_queue_trend,
    jarp_responses,
    jarp_reviews_due,
    jarp_unknown_criteria,
    response_summary,
    response_trend,
)
from data_layer.metrics.jarp_scoring import JarpRules, score_referral
from data_layer.standards import JARP_EXCEPTIONS, load_standards

D = date(2023, 3, 8)
LATER = date(2023, 4, 30)  # a stored next review beyond the flag horizon


def _ref(rid, submitted, team="T1", **kw):
    return dict(referral_id=rid, child_id=f"C{rid}", referring_team_id=team, submitted_at=submitted, **kw)


def _crit(rid, *codes):
    return [dict(referral_id=rid, criterion=c) for c in codes]


ROWS = {
    "teams": [
        dict(team_id="T1", team_name="CIN/CP North", service="CIN/CP", area="North"),
        dict(team_id="T2", team_name="Assessment", service="Assessment", area="North"),
    ],
    "jarp_referrals": [
        # --- the queue on D ---
        _ref(
            "Q1", datetime(2023, 3, 3, 13, 59), carried_over=1, decision="carried_over", decision_date=date(2023, 3, 7)
        ),
        _ref("Q2", datetime(2023, 3, 3, 14, 0), decision="pending"),
        _ref("Q3", datetime(2023, 3, 3, 14, 1)),
        _ref("Q4", datetime(2023, 3, 4, 10, 0), direct_exception="epo", decision="pending"),
        _ref("Q5", datetime(2023, 3, 8, 9, 0), team="T2", decision="pending"),
        _ref("Q6", datetime(2023, 3, 6, 11, 30)),
        _ref(
            "Q7",
            datetime(2023, 2, 20, 10, 0),
            team="T2",
            panel_date=date(2023, 2, 28),
            carried_over=2,
            decision="allocated",
            decision_date=date(2023, 3, 10),
            next_review_date=LATER,
        ),
        _ref("Q10", datetime(2023, 3, 1, 12, 0), carried_over=0),
        _ref("Q11", datetime(2023, 3, 2, 12, 0), direct_exception="magic"),
        _ref("Q12", datetime(2023, 3, 3, 9, 0), decision="allocated"),  # a decision without a date: still queued
        # --- not in the queue ---
        _ref("X1", datetime(2023, 3, 9, 9, 0)),  # submitted after D
        _ref("X2", None),  # cannot be placed in time
        # --- decided (responses): the window runs from 9 March 2022 ---
        _ref(
            "R1",
            datetime(2022, 4, 8, 9),
            direct_exception="police_protection",
            decision="allocated",
            decision_date=date(2022, 4, 14),
            first_response_at=datetime(2022, 4, 16, 10),
            next_review_date=LATER,
        ),
        _ref(
            "R2",
            datetime(2022, 4, 8, 9),
            decision="allocated",
            decision_date=date(2022, 4, 14),
            first_response_at=datetime(2022, 4, 17, 10),
            next_review_date=LATER,
        ),
        _ref(
            "R3",
            datetime(2022, 4, 8, 9),
            decision="allocated",
            decision_date=date(2022, 4, 14),
            first_response_at=datetime(2022, 4, 25, 10),
            next_review_date=LATER,
        ),  # across Easter: 5
        _ref(
            "R4",
            datetime(2022, 5, 27, 9),
            decision="allocated",
            decision_date=date(2022, 6, 1),
            first_response_at=datetime(2022, 6, 13, 10),
            next_review_date=LATER,
        ),  # across the Jubilee: 6
        _ref(
            "R5",
            datetime(2022, 12, 16, 9),
            decision="allocated",
            decision_date=date(2022, 12, 22),
            first_response_at=datetime(2023, 1, 9, 10),
            next_review_date=LATER,
        ),  # across Christmas: 9
        _ref(
            "R6",
            datetime(2023, 2, 17, 9),
            decision="allocated",
            decision_date=date(2023, 2, 20),
            next_review_date=LATER,
        ),  # no response, 12 so far
        _ref(
            "R7", datetime(2023, 3, 3, 9), decision="allocated", decision_date=date(2023, 3, 6), next_review_date=LATER
        ),  # no response, 2 so far
        _ref("R8", datetime(2022, 9, 23, 9), decision="declined", decision_date=date(2022, 10, 1)),
        _ref(
            "R9",
            datetime(2022, 3, 4, 9),
            decision="allocated",
            decision_date=date(2022, 3, 8),
            first_response_at=datetime(2022, 3, 8, 12),
        ),  # before the window
        _ref(
            "R10",
            datetime(2022, 3, 4, 9),
            decision="allocated",
            decision_date=date(2022, 3, 9),
            first_response_at=datetime(2022, 3, 9, 12),
            next_review_date=LATER,
        ),  # first day of the window
        _ref(
            "R11",
            datetime(2023, 2, 24, 9),
            direct_exception="court_directed",
            decision="allocated",
            decision_date=date(2023, 3, 1),
            first_response_at=datetime(2023, 3, 10, 9),
            next_review_date=LATER,
        ),
        _ref(
            "R12",
            datetime(2023, 3, 3, 9),
            direct_exception="court_directed",
            decision="allocated",
            decision_date=date(2023, 3, 7),
            next_review_date=LATER,
        ),
        # --- reviews (allocated, six-weekly) ---
        _ref("V1", datetime(2023, 1, 20, 9), decision="allocated", decision_date=date(2023, 1, 31)),  # due 14 Mar
        _ref("V2", datetime(2023, 1, 20, 9), decision="allocated", decision_date=date(2023, 2, 5)),  # due 19 Mar
        _ref(
            "V3",
            datetime(2022, 12, 1, 9),
            decision="allocated",
            decision_date=date(2022, 12, 6),
            next_review_date=date(2023, 3, 1),
        ),  # overdue
        _ref(
            "V4",
            datetime(2022, 12, 1, 9),
            decision="allocated",
            decision_date=date(2022, 12, 6),
            next_review_date=date(2023, 3, 15),
        ),  # due in 7
        _ref("V5", datetime(2023, 1, 20, 9), team="T2", decision="allocated", decision_date=date(2023, 1, 25)),  # due D
        _ref("V6", datetime(2022, 12, 20, 9), decision="declined", decision_date=date(2023, 1, 1)),
        _ref("V7", datetime(2020, 12, 20, 9), decision="allocated", decision_date=date(2021, 1, 1)),  # outside window
    ],
    "jarp_referral_criteria": [
        *_crit("Q1", "court_proceedings", "cp_imminent_removal", "substance_both_parents", "substance_parent"),
        *_crit("Q2", "care_leaver_16_19", "care_leaver_19_24", "school_exclusion"),
        *_crit("Q3", "child_disability", "familial_dysfunction", "teen_pregnancy", "parent_mental_illness"),
        *_crit("Q6", "made_up_code", "school_exclusion", "school_exclusion"),
        *_crit("Q7", "carried_over", "placement_breakdown", "removal_requested"),
        *_crit("Q10", "carried_over", "new_lac_episode"),
        *_crit("Q11", "unplanned_move"),
        *_crit("Q12", "court_proceedings", "new_lac_episode", "cp_imminent_removal", "placement_breakdown"),
        *_crit("X1", "court_proceedings"),
        *_crit("R2", "court_proceedings", "new_lac_episode", "cp_imminent_removal", "child_disability"),
        *_crit("R3", "court_proceedings", "new_lac_episode", "school_exclusion"),
        *_crit("R4", "court_proceedings", "new_lac_episode", "school_exclusion"),
        *_crit("R5", "school_exclusion"),
        *_crit("R6", "school_exclusion"),
        *_crit("R7", "court_proceedings", "new_lac_episode", "school_exclusion"),
        *_crit("R8", "school_exclusion"),
        *_crit("R10", "school_exclusion"),
    ],
}

# referral -> (score, priority, panel date, carried_over, waiting days)
EXPECTED_QUEUE = {
    "Q1": (11, "P1", date(2023, 3, 7), 1, 5),  # 3+3+3 (both parents replaces parent) + carried over 2
    "Q4": (0, "P1", date(2023, 3, 14), 0, 4),  # EPO exception
    "Q12": (12, "P1", date(2023, 3, 7), 0, 5),
    "Q3": (8, "P2", date(2023, 3, 14), 0, 5),
    "Q7": (8, "P2", date(2023, 2, 28), 2, 16),  # carried over row + count 2: counted once
    "Q10": (5, "P3", date(2023, 3, 7), 0, 7),  # carried-over row with a zero count still counts
    "Q2": (3, "P3", date(2023, 3, 7), 0, 5),  # one care-leaver band + exclusion
    "Q11": (2, "P3", date(2023, 3, 7), 0, 6),  # unknown exception: not P1
    "Q6": (1, "P3", date(2023, 3, 14), 0, 2),  # duplicate exclusion once, unknown code not scored
    "Q5": (0, "below_threshold", date(2023, 3, 14), 0, 0),
}


@pytest.fixture
def db(make_db):
    return make_db(ROWS)


def test_queue_hand_worked(db):
    q = jarp_queue(db, Filters(D))
    got = {r.referral_id: (r.score, r.priority, r.panel_date, r.carried_over, r.waiting_days) for r in q.itertuples()}
    assert got == EXPECTED_QUEUE
    # Agenda order: priority, then score, then waiting time.
    assert list(q.referral_id) == ["Q12", "Q1", "Q4", "Q7", "Q3", "Q10", "Q2", "Q11", "Q6", "Q5"]
    row = q.set_index("referral_id")
    assert row.loc["Q6", "unknown_criteria"] == 1 and row.loc["Q1", "unknown_criteria"] == 0
    assert bool(row.loc["Q11", "unknown_exception"]) and not bool(row.loc["Q4", "unknown_exception"])
    assert row.loc["Q1", "criteria"] == "court_proceedings, cp_imminent_removal, substance_both_parents, carried_over"
    assert row.loc["Q1", "not_counted"] == "substance_parent"
    assert "Previously referred but carried over (2)" in row.loc["Q1", "reasons"]
    assert row.loc["Q4", "reasons"].startswith("Direct referral exception: epo")
    assert "1 unrecognised criterion code(s)" in row.loc["Q6", "reasons"]
    assert row.loc["Q7", "referring_team"] == "Assessment" and row.loc["Q7", "child_id"] == "CQ7"
    assert row["on_next_panel"].all()
    assert isinstance(row.loc["Q1", "panel_date"], date)


def test_queue_team_filter_and_as_at(db):
    assert sorted(jarp_queue(db, Filters(D, teams=("T2",))).referral_id) == ["Q5", "Q7"]
    assert sorted(jarp_queue(db, Filters(D, services=("Assessment",))).referral_id) == ["Q5", "Q7"]
    later = jarp_queue(db, Filters(date(2023, 3, 10)))
    assert "Q7" not in set(later.referral_id) and "X1" in set(later.referral_id)
    assert bool(later.set_index("referral_id").loc["X1", "on_next_panel"])  # the 14 March panel
    # Before Q7's decision date it was waiting.
    assert "R12" in set(jarp_queue(db, Filters(date(2023, 3, 6))).referral_id)


def test_carried_over_more_than_once(db):
    assert list(carried_over_repeatedly(jarp_queue(db, Filters(D))).referral_id) == ["Q7"]


def test_queue_trend_matches_point_in_time(db):
    trend = jarp_queue_trend(db, Filters(D), weeks=4)
    assert sorted(set(trend.week)) == [D - timedelta(weeks=w) for w in (3, 2, 1, 0)]
    for week, part in trend.groupby("week"):
        snap = jarp_queue(db, Filters(week)).priority.value_counts()
        assert {r.priority: r.referrals for r in part.itertuples()} == {
            p: int(snap.get(p, 0)) for p in ("P1", "P2", "P3", "below_threshold")
        }
        queue = jarp_queue(db, Filters(week))
        assert part.past_timetable.sum() == int((queue.waiting_days > 11).sum())
    assert trend[trend.week == D].set_index("priority").referrals.to_dict() == {
        "P1": 3,
        "P2": 2,
        "P3": 4,
        "below_threshold": 1,
    }
    assert trend[trend.week == D].set_index("priority").past_timetable.to_dict() == {
        "P1": 0,
        "P2": 1,
        "P3": 0,
        "below_threshold": 0,
    }  # Q7, submitted 16 days before D


EXPECTED_RESPONSES = {  # referral -> (priority, working days, on_time, status)
    "R1": ("P1", 1, True, "on_time"),  # 2 calendar days (Good Friday weekend; 1 working day)
    "R2": ("P1", 1, False, "late"),  # 3 calendar days
    "R3": ("P2", 5, True, "on_time"),  # 14 -> 25 April 2022 across Easter
    "R4": ("P2", 6, False, "late"),  # 1 -> 13 June 2022 across the Jubilee holidays
    "R5": ("P3", 9, True, "on_time"),  # 22 Dec 2022 -> 9 Jan 2023 across Christmas
    "R6": ("P3", 12, False, "late"),  # no response, 12 working days to D
    "R7": ("P2", 2, None, "pending"),  # no response, 2 so far
    "R8": ("P3", None, None, "no_target"),  # declined: no target
    "R10": ("P3", 0, True, "on_time"),
    "R11": ("P1", 5, False, "late"),  # response after D is not known on D: 7 days elapsed
    "R12": ("P1", 1, None, "pending"),
    **{v: ("below_threshold", None, None, "no_target") for v in ("V1", "V2", "V3", "V4", "V5", "V6")},
}


def test_responses_hand_worked(db):
    r = jarp_responses(db, Filters(D))
    got = {
        x.referral_id: (
            x.priority,
            x.response_working_days,
            None if pd.isna(x.on_time) else bool(x.on_time),
            x.response_status,
        )
        for x in r.itertuples()
    }
    assert {k: v[0] for k, v in got.items()} == {k: v[0] for k, v in EXPECTED_RESPONSES.items()}
    for k in ("R1", "R2", "R3", "R4", "R5", "R6", "R7", "R10", "R11", "R12"):
        assert got[k] == EXPECTED_RESPONSES[k], k
    assert got["R8"][3] == "no_target" and all(got[v][3] == "no_target" for v in ("V1", "V6"))
    row = r.set_index("referral_id")
    assert row.loc["R2", "response_days"] == 3 and row.loc["R1", "response_days"] == 2
    assert isinstance(row.loc["R1", "decision_date"], date)
    assert not bool(row.loc["R11", "responded"])


def test_response_summary_and_trend(db):
    r = jarp_responses(db, Filters(D))
    s = response_summary(r).set_index("priority")
    assert s.loc["P1", ["on_time", "late", "pending"]].tolist() == [1, 2, 1]
    assert s.loc["P1", "pct_on_time"] == pytest.approx(100 / 3)
    assert s.loc["P2", ["on_time", "late", "pending"]].tolist() == [1, 1, 1]
    assert s.loc["P3", ["on_time", "late", "pending"]].tolist() == [2, 1, 0]
    t = response_trend(r)
    apr = t[(t.month == date(2022, 4, 1))].set_index("priority")
    assert apr.loc["P1", "judged"] == 2 and apr.loc["P1", "pct_on_time"] == 50.0
    assert apr.loc["P2", "pct_on_time"] == 100.0


def test_reviews_due_and_overdue(db):
    rv = jarp_reviews_due(db, Filters(D))
    got = {x.referral_id: (x.review_due, x.days_to_due, x.status, bool(x.due_computed)) for x in rv.itertuples()}
    assert got == {
        "V3": (date(2023, 3, 1), -7, "overdue", False),
        "V5": (date(2023, 3, 8), 0, "due_soon", True),
        "V1": (date(2023, 3, 14), 6, "due_soon", True),
        "V4": (date(2023, 3, 15), 7, "due_soon", False),
    }
    assert list(rv.referral_id) == ["V3", "V5", "V1", "V4"]
    assert list(jarp_reviews_due(db, Filters(D, teams=("T2",))).referral_id) == ["V5"]


def test_unknown_criteria_reported(db):
    u = jarp_unknown_criteria(db, Filters(D))
    assert u.to_dict("records") == [{"criterion": "made_up_code", "referrals": 1}]


def test_standards_file_changes_the_score(tmp_path, make_db):
    f = tmp_path / "panel.toml"
    f.write_text("[jarp.points]\nschool_exclusion = 4\ncarried_over = 3\n")
    db = make_db(ROWS, standards=load_standards(f))
    row = jarp_queue(db, Filters(D)).set_index("referral_id")
    assert (row.loc["Q6", "score"], row.loc["Q6", "priority"]) == (4, "P3")
    assert (row.loc["Q2", "score"], row.loc["Q1", "score"]) == (6, 12)
    assert "School exclusion (4)" in row.loc["Q6", "reasons"]


def test_sql_in_values_is_inert(db):
    assert jarp_queue(db, Filters(D, teams=("T1' OR '1'='1",))).empty
    assert len(jarp_queue(db, Filters(D))) == len(EXPECTED_QUEUE)


# --- SQL score == pure-Python score on a varied fixture -------------------------------------------


def _varied_rows(seed=7, n=120):
    rng = np.random.default_rng(seed)
    codes = list(load_standards(None).jarp_points) + ["unknown_a", "Court_Proceedings", None]
    refs, crits = [], []
    for i in range(n):
        rid = f"V{i:03d}"
        exc = rng.choice([None] * 8 + list(JARP_EXCEPTIONS) + ["weird"])
        carried = rng.choice([None, 0, 0, 1, 2, 4])
        refs.append(
            _ref(
                rid,
                datetime(2023, 2, 1, 9) + timedelta(hours=int(rng.integers(0, 800))),
                team=rng.choice(["T1", "T2"]),
                direct_exception=exc,
                carried_over=None if carried is None else int(carried),
            )
        )
        k = int(rng.integers(0, 9))
        for c in rng.choice(len(codes), size=k, replace=True):  # replace=True: duplicate rows too
            crits.append(dict(referral_id=rid, criterion=codes[c]))
    # Make sure the exclusive pairs are present together.
    crits += _crit("V000", "substance_parent", "substance_both_parents") + _crit(
        "V001", "care_leaver_16_19", "care_leaver_19_24"
    )
    return {"teams": ROWS["teams"], "jarp_referrals": refs, "jarp_referral_criteria": crits}


@pytest.mark.parametrize("toml", ["", "[jarp.points]\nsubstance_parent = 4\ncare_leaver_19_24 = 3\ncarried_over = 5\n"])
def test_sql_score_equals_python_score(make_db, tmp_path, toml):
    f = tmp_path / "s.toml"
    f.write_text(toml)
    standards = load_standards(f)
    rows = _varied_rows()
    db = make_db(rows, standards=standards)
    q = jarp_queue(db, Filters(date(2023, 3, 31))).set_index("referral_id")
    rules = JarpRules.from_standards(standards)
    assert len(q) == len(rows["jarp_referrals"])
    by_ref: dict[str, list] = {}
    for c in rows["jarp_referral_criteria"]:
        by_ref.setdefault(c["referral_id"], []).append(c["criterion"])
    for r in rows["jarp_referrals"]:
        expected = score_referral(by_ref.get(r["referral_id"], []), r["carried_over"], r["direct_exception"], rules)
        got = q.loc[r["referral_id"]]
        assert (got.score, got.priority, got.unknown_criteria) == (
            expected.points,
            expected.priority,
            len(expected.unknown),
        ), r["referral_id"]
    assert set(q.priority) == {"P1", "P2", "P3", "below_threshold"}
