"""Caseloads sections without a browser: the values the page, its CSVs and the pack show."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.sections.base import Chart, Table, Tile, View
from dashboard.sections.caseloads import PAGE, body
from data_layer import Filters, latest_date, unallocated


@pytest.fixture(scope="module")
def as_at(small_demo):
    """The latest date with children waiting for a key worker."""
    from datetime import timedelta

    day = latest_date(small_demo)
    while not len(unallocated(small_demo, Filters(as_at=day))):
        day -= timedelta(days=1)
    return day


def _items(sections):
    return {i.id: i for s in sections for i in s.items if isinstance(i, (Chart, Table, Tile))}


def test_regression_presentation_mode_does_not_show_the_longest_wait(small_demo, as_at):
    """Leak: the Caseloads page showed "Longest wait: 200 days" in presentation mode (one child's value)."""
    f = Filters(as_at=as_at)
    assert len(unallocated(small_demo, f)), "the fixture has unallocated children"
    normal = _items(body(small_demo, View.make(f)))["caseloads-unallocated"]
    shown = _items(body(small_demo, View.make(f, presentation=True)))["caseloads-unallocated"]
    assert "Longest wait:" in normal.detail
    assert "Longest wait" not in shown.detail and "days" not in shown.detail


def test_presentation_mode_sends_no_child_rows_and_no_worker_detail(small_demo, as_at):
    items = _items(body(small_demo, View.make(Filters(as_at=as_at), presentation=True)))
    assert items["caseloads-unallocated-grid"].rows.empty
    workers = items["caseloads-workers"].table
    assert list(workers.columns) == ["worker", "cases", "over_target"]
    assert workers["worker"].str.fullmatch(r"Worker \d+").all()


def test_normal_mode_charts_carry_their_tables_and_the_lede_states_the_standard(small_demo, as_at):
    items = _items(body(small_demo, View.make(Filters(as_at=as_at))))
    assert {"caseloads-workers", "caseloads-distribution", "caseloads-trend"} <= set(items)
    assert len(items["caseloads-trend"].table) == 52
    assert "25 children per full-time equivalent" in PAGE.intro(small_demo.standards)


def test_a_team_with_no_workers_says_why_the_charts_are_empty(small_demo):
    items = _items(body(small_demo, View.make(Filters(as_at=date(2000, 1, 1)), presentation=True)))
    assert items["caseloads-workers"].empty == "No workers in post for the selected teams on this date"
