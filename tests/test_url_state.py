"""Global filters in the URL: valid values round-trip, bad ones fall back with a notice."""

from datetime import date

import pytest

from dashboard.url_state import FilterOptions, ViewState, parse_query, to_query, validate

OPTIONS = FilterOptions(
    latest=date(2023, 3, 31),
    earliest=date(2020, 1, 1),
    teams={"T01": "Assessment (Assessment)", "T02": "CIN/CP North (CIN/CP)", "T03": "CIN/CP South (CIN/CP)"},
    services=("Assessment", "CIN/CP"),
)


def test_empty_query_gives_defaults_without_notices():
    state = parse_query("", OPTIONS)
    assert state == ViewState(as_at=date(2023, 3, 31))
    assert parse_query(None, OPTIONS) == state


def test_valid_query_is_parsed():
    state = parse_query("?as_at=2022-06-30&service=CIN%2FCP&team=T02&team=T03&presentation=1", OPTIONS)
    assert state.as_at == date(2022, 6, 30)
    assert state.services == ("CIN/CP",)
    assert state.teams == ("T02", "T03")
    assert state.presentation is True
    assert state.notices == ()


def test_round_trip_restores_the_same_view():
    state = ViewState(as_at=date(2021, 2, 28), services=("Assessment", "CIN/CP"), teams=("T01",), presentation=True)
    assert parse_query(to_query(state), OPTIONS) == state
    # And through the store the pages read.
    assert ViewState.from_store(state.to_store()) == state


def test_query_string_is_plain_and_omits_presentation_when_off():
    q = to_query(ViewState(as_at=date(2023, 3, 31), services=("CIN/CP",), teams=("T02",)))
    assert q == "?as_at=2023-03-31&service=CIN%2FCP&team=T02"


@pytest.mark.parametrize("bad", ["2023-02-30", "31/03/2023", "yesterday", "2023-13-01"])
def test_malformed_date_falls_back_to_latest_with_notice(bad):
    state = parse_query(f"?as_at={bad}&team=T01", OPTIONS)
    assert state.as_at == date(2023, 3, 31)
    assert state.teams == ("T01",)  # the good parts are kept
    assert len(state.notices) == 1 and "not a date" in state.notices[0] and bad in state.notices[0]


def test_date_after_the_data_is_clamped_with_notice():
    state = parse_query("?as_at=2024-01-01", OPTIONS)
    assert state.as_at == date(2023, 3, 31)
    assert "no data after" in state.notices[0]


def test_date_before_the_data_falls_back_with_notice():
    state = parse_query("?as_at=2001-01-01", OPTIONS)
    assert state.as_at == date(2023, 3, 31)
    assert "no data before" in state.notices[0]


def test_unknown_team_is_dropped_and_named():
    state = parse_query("?team=T02&team=T99", OPTIONS)
    assert state.teams == ("T02",)
    assert state.notices == ("Unknown team 'T99' was ignored.",)


def test_unknown_service_is_dropped_and_named():
    state = parse_query("?service=Fostering&service=Assessment", OPTIONS)
    assert state.services == ("Assessment",)
    assert state.notices == ("Unknown service 'Fostering' was ignored.",)


def test_bad_presentation_flag_is_off_with_notice():
    state = parse_query("?presentation=maybe", OPTIONS)
    assert state.presentation is False
    assert "Presentation mode" in state.notices[0]


def test_duplicates_are_collapsed_and_blank_values_ignored():
    state = parse_query("?team=T01&team=T01&team=&service=", OPTIONS)
    assert state.teams == ("T01",)
    assert state.services == ()
    assert state.notices == ()


def test_garbage_query_never_raises():
    state = parse_query("?%%%&&==&as_at=&team=%00<script>", OPTIONS)
    assert state.as_at == date(2023, 3, 31)
    assert state.teams == ()


def test_notice_does_not_echo_unbounded_input():
    state = parse_query("?team=" + "X" * 500, OPTIONS)
    assert len(state.notices[0]) < 120


def test_controls_use_the_same_validation():
    state = validate("2022-01-31", ["CIN/CP"], ["T02"], True, OPTIONS)
    assert state.filters.as_at == date(2022, 1, 31)
    assert state.filters.services == ("CIN/CP",)
    assert state.filters.teams == ("T02",)
    assert state.presentation is True
