"""JARP scoring rules (docs/DEFINITIONS.md "JARP priority queue", seed 003 App. B), worked by hand: points,
bands, panel dates, on time."""

from datetime import date, datetime

import pandas as pd
import pytest

from data_layer.metrics.jarp_scoring import (
    BELOW,
    P1,
    P2,
    P3,
    JarpRules,
    next_panel,
    panel_date,
    panel_dates,
    priority_of,
    response_timeliness,
    review_due_dates,
    score_referral,
)
from data_layer.standards import load_standards

RULES = JarpRules.from_standards(load_standards(None))

# 003 Appendix B, item by item.
APPENDIX_B = {
    "court_proceedings": 3,
    "new_lac_episode": 3,
    "cp_imminent_removal": 3,
    "placement_breakdown": 3,
    "removal_requested": 3,
    "substance_both_parents": 3,
    "child_mental_illness": 3,
    "child_disability": 2,
    "parent_hospital_prison": 2,
    "cp_registration": 3,
    "unplanned_move": 2,
    "carried_over": 2,
    "familial_dysfunction": 2,
    "care_leaver_16_19": 2,
    "teen_pregnancy": 2,
    "substance_parent": 2,
    "parent_mental_illness": 2,
    "parent_learning_disability": 2,
    "care_leaver_19_24": 2,
    "school_exclusion": 1,
}


def test_twenty_criteria_from_appendix_b():
    assert dict(RULES.points) == APPENDIX_B
    assert all(RULES.descriptions[c] for c in APPENDIX_B)


@pytest.mark.parametrize("code,points", sorted(APPENDIX_B.items()))
def test_each_criterion_scores_its_points(code, points):
    s = score_referral([code], carried_over=0, rules=RULES)
    assert s.points == points and s.counted == (code,) and s.unknown == ()


def test_substance_both_parents_replaces_parent():
    s = score_referral(["substance_parent", "substance_both_parents"], rules=RULES)
    assert (s.points, s.counted, s.ignored) == (3, ("substance_both_parents",), ("substance_parent",))
    assert score_referral(["substance_parent"], rules=RULES).points == 2


def test_care_leaver_bands_exclusive_higher_counts():
    assert score_referral(["care_leaver_16_19", "care_leaver_19_24"], rules=RULES).points == 2
    # With unequal points (another panel's file) the higher band counts, whichever it is.
    rules = JarpRules.from_standards(load_standards(None))
    rules = JarpRules(**{**rules.__dict__, "points": {**rules.points, "care_leaver_19_24": 4}})
    s = score_referral(["care_leaver_16_19", "care_leaver_19_24", "school_exclusion"], rules=rules)
    assert (s.points, s.ignored) == (5, ("care_leaver_16_19",))


@pytest.mark.parametrize(
    "rows,count,expected",
    [
        ([], 1, 2),  # count only
        (["carried_over"], 1, 2),  # row and count: once, not twice
        (["carried_over"], 3, 2),  # carried over three times: still once
        (["carried_over"], 0, 2),  # row with a zero count: the recorded criterion counts (documented)
        (["carried_over"], None, 2),
        ([], 0, 0),
        ([], None, 0),
        (["carried_over", "carried_over"], 2, 2),
    ],
)
def test_carried_over_counted_once(rows, count, expected):
    assert score_referral(rows, carried_over=count, rules=RULES).points == expected


def test_duplicates_and_unknown_codes_never_scored():
    s = score_referral(["school_exclusion", "school_exclusion", "made_up", None, "Court_Proceedings"], rules=RULES)
    assert s.points == 1
    assert s.unknown == ("(blank)", "Court_Proceedings", "made_up")


@pytest.mark.parametrize("exception", ["police_protection", "epo", "first_episode_lac", "court_directed"])
def test_each_exception_makes_p1(exception):
    assert score_referral([], direct_exception=exception, rules=RULES).priority == P1
    assert score_referral(["school_exclusion"], direct_exception=exception, rules=RULES).priority == P1


def test_unknown_exception_not_guessed():
    assert priority_of(3, "emergency", RULES) == P3


@pytest.mark.parametrize("points,priority", [(0, BELOW), (1, P3), (6, P3), (7, P2), (10, P2), (11, P1), (20, P1)])
def test_band_boundaries(points, priority):
    assert priority_of(points, None, RULES) == priority


@pytest.mark.parametrize(
    "criteria,points,priority",
    [
        ([], 0, BELOW),
        (["school_exclusion"], 1, P3),
        (["court_proceedings", "cp_registration"], 6, P3),
        (["court_proceedings", "cp_registration", "school_exclusion"], 7, P2),
        (["court_proceedings", "cp_registration", "child_disability", "care_leaver_16_19"], 10, P2),
        (["court_proceedings", "cp_registration", "child_disability", "care_leaver_16_19", "school_exclusion"], 11, P1),
    ],
)
def test_band_boundaries_from_criteria(criteria, points, priority):
    s = score_referral(criteria, rules=RULES)
    assert (s.points, s.priority) == (points, priority)


def test_standards_file_changes_points(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text("[jarp.points]\nschool_exclusion = 7\n\n[standards]\njarp_p1_min_points = 12\n")
    rules = JarpRules.from_standards(load_standards(f))
    assert score_referral(["school_exclusion"], rules=rules).priority == P2
    assert priority_of(11, None, rules) == P2


# --- panel dates: 3 March 2023 is a Friday -----------------------------------------------------


@pytest.mark.parametrize(
    "submitted,panel",
    [
        ("2023-03-03 13:59", date(2023, 3, 7)),  # Friday before 14:00: next Tuesday
        ("2023-03-03 14:00", date(2023, 3, 7)),  # exactly 14:00 ("at or after"): next Tuesday
        ("2023-03-03 14:01", date(2023, 3, 14)),  # after the cut-off: the Tuesday after
        ("2023-03-03 23:59", date(2023, 3, 14)),
        ("2023-03-04 10:00", date(2023, 3, 14)),  # Saturday: next Friday's cut-off, then its Tuesday
        ("2023-03-05 18:00", date(2023, 3, 14)),  # Sunday
        ("2023-03-06 09:00", date(2023, 3, 14)),  # Monday
        ("2023-03-07 08:00", date(2023, 3, 14)),  # Tuesday morning: missed Friday's papers
        ("2023-03-08 12:00", date(2023, 3, 14)),  # midweek
        ("2023-03-10 14:00", date(2023, 3, 14)),
        ("2023-03-10 14:00:01", date(2023, 3, 21)),
    ],
)
def test_panel_date_rule(submitted, panel):
    assert panel_date(datetime.fromisoformat(submitted), rules=RULES) == panel


def test_stored_panel_date_wins_and_missing_stays_missing():
    got = panel_dates(
        [datetime(2023, 3, 3, 15), datetime(2023, 3, 3, 9), None, None],
        [date(2023, 3, 7), None, date(2023, 3, 21), None],
        RULES,
    )
    assert got == [date(2023, 3, 7), date(2023, 3, 7), date(2023, 3, 21), None]


def test_panel_timetable_is_configurable(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text("[standards]\njarp_panel_weekday = 3\njarp_cutoff_weekday = 0\njarp_cutoff_hour = 12\n")
    rules = JarpRules.from_standards(load_standards(f))  # Monday noon cut-off, Thursday panel
    assert panel_date(datetime(2023, 3, 6, 12), rules=rules) == date(2023, 3, 9)
    assert panel_date(datetime(2023, 3, 6, 12, 1), rules=rules) == date(2023, 3, 16)


def test_next_panel():
    assert next_panel(date(2023, 3, 7), RULES) == date(2023, 3, 7)  # Tuesday: today's panel
    assert next_panel(date(2023, 3, 8), RULES) == date(2023, 3, 14)
    assert next_panel(date(2023, 3, 13), RULES) == date(2023, 3, 14)


# --- on time ----------------------------------------------------------------------------------


def _one(priority, decided, response, as_at=date(2023, 6, 30)):
    return response_timeliness([priority], [decided], [response], as_at, RULES).iloc[0]


@pytest.mark.parametrize(
    "response,on_time",
    [
        (datetime(2023, 3, 1, 9), True),
        (datetime(2023, 3, 3, 23, 59), True),
        (datetime(2023, 3, 4, 0, 1), False),
    ],
)
def test_p1_two_calendar_days(response, on_time):
    r = _one(P1, date(2023, 3, 1), response)
    assert bool(r.on_time) is on_time and r.response_days == (response.date() - date(2023, 3, 1)).days


def test_p1_counts_weekends_and_bank_holidays():
    # Decided Good Friday 2023: Saturday and Sunday count for a 48-hour response.
    assert bool(_one(P1, date(2023, 4, 7), datetime(2023, 4, 9, 12)).on_time)
    assert not bool(_one(P1, date(2023, 4, 7), datetime(2023, 4, 10, 12)).on_time)


@pytest.mark.parametrize(
    "decided,response,wd,on_time",
    [
        (date(2023, 3, 6), datetime(2023, 3, 13, 10), 5, True),  # Monday to next Monday: 5 working days
        (date(2023, 3, 6), datetime(2023, 3, 14, 10), 6, False),
        (date(2023, 3, 6), datetime(2023, 3, 6, 16), 0, True),  # same day
        # Across Easter 2023 (Good Friday 7 April, Easter Monday 10 April are not working days).
        (date(2023, 4, 6), datetime(2023, 4, 17, 9), 5, True),
        (date(2023, 4, 6), datetime(2023, 4, 18, 9), 6, False),
    ],
)
def test_p2_five_working_days(decided, response, wd, on_time):
    r = _one(P2, decided, response)
    assert (r.response_working_days, bool(r.on_time), r.response_status) == (
        wd,
        on_time,
        "on_time" if on_time else "late",
    )


@pytest.mark.parametrize(
    "decided,response,wd,on_time",
    [
        (date(2023, 3, 6), datetime(2023, 3, 20, 10), 10, True),
        (date(2023, 3, 6), datetime(2023, 3, 21, 10), 11, False),
        # Christmas 2022: 26 and 27 December and 2 January 2023 are bank holidays.
        (date(2022, 12, 22), datetime(2023, 1, 9, 9), 9, True),
        (date(2022, 12, 22), datetime(2023, 1, 11, 9), 11, False),
    ],
)
def test_p3_ten_working_days(decided, response, wd, on_time):
    r = _one(P3, decided, response)
    assert (r.response_working_days, bool(r.on_time)) == (wd, on_time)


def test_no_response_pending_then_late():
    # P2 decided Monday 6 March 2023, nothing yet.
    assert _one(P2, date(2023, 3, 6), None, as_at=date(2023, 3, 13)).response_status == "pending"  # 5 so far
    late = _one(P2, date(2023, 3, 6), None, as_at=date(2023, 3, 14))
    assert (late.response_status, bool(late.on_time), bool(late.responded)) == ("late", False, False)
    assert _one(P1, date(2023, 3, 6), None, as_at=date(2023, 3, 8)).response_status == "pending"
    assert _one(P1, date(2023, 3, 6), None, as_at=date(2023, 3, 9)).response_status == "late"
    # A response dated after the as-at date is not known yet.
    r = _one(P1, date(2023, 3, 6), datetime(2023, 3, 7), as_at=date(2023, 3, 6))
    assert (r.response_status, bool(r.responded)) == ("pending", False)
    assert pd.isna(_one(P3, date(2023, 3, 6), None, as_at=date(2023, 3, 8)).on_time)


def test_below_threshold_has_no_target():
    r = _one(BELOW, date(2023, 3, 6), datetime(2023, 4, 6))
    assert r.response_status == "no_target" and pd.isna(r.on_time)


def test_response_before_decision_is_on_time():
    assert bool(_one(P2, date(2023, 3, 6), datetime(2023, 3, 3)).on_time)


def test_review_due_dates():
    assert review_due_dates([date(2023, 1, 31), date(2023, 1, 31), None], [None, date(2023, 3, 1), None], RULES) == [
        date(2023, 3, 14),
        date(2023, 3, 1),
        None,
    ]


def test_standards_file_can_add_a_criterion(tmp_path):
    # Another panel scores housing need: the code becomes known and scored, with a readable description.
    f = tmp_path / "s.toml"
    f.write_text("[jarp.points]\nhousing = 4\n")
    rules = JarpRules.from_standards(load_standards(f))
    s = score_referral(["housing", "school_exclusion"], rules=rules)
    assert (s.points, s.priority, s.unknown) == (5, P3, ())
    assert rules.descriptions["housing"] == "Housing"
    assert score_referral(["housing"], rules=RULES).unknown == ("housing",)  # unknown under the defaults
