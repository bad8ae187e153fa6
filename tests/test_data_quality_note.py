"""The data-quality note under a page: bad rows of the page's tables, counted, never dropped silently."""

from datetime import date

import pandas as pd

from dashboard.sections.base import View
from dashboard.sections.common import data_quality_table
from data_layer import Filters

DQ = pd.DataFrame(
    [
        {
            "table": "allocations",
            "check": "end_before_start",
            "column": "end_date",
            "detail": "",
            "rows": 2,
            "table_rows": 100,
        },
        {
            "table": "allocations",
            "check": "unknown_code",
            "column": "role",
            "detail": "co_worker",
            "rows": 7,
            "table_rows": 100,
        },
        {
            "table": "visits",
            "check": "null_required",
            "column": "visit_date",
            "detail": "NULL",
            "rows": 3,
            "table_rows": 50,
        },
    ]
)
F = Filters(as_at=date(2023, 3, 31))


def test_only_the_pages_tables_are_counted():
    t = data_quality_table(DQ, ("allocations",), View.make(F), "x")
    assert t.title.startswith("Data quality: 9 bad rows")  # 2 + 7; the 3 visits rows are another page's
    assert t.rows["column"].tolist() == ["allocations.end_date", "allocations.role"]
    assert t.rows["value"].tolist() == ["", "co_worker"] and t.rows["rows"].tolist() == [2, 7]
    assert not t.child_level and t.collapsed


def test_presentation_mode_suppresses_small_counts_and_the_one_that_would_give_them_back():
    t = data_quality_table(DQ, ("allocations",), View.make(F, presentation=True), "x")
    assert t.title.startswith("Data quality: 9 bad rows")
    # 9 is shown, so 7 would give the 2 back: it is hidden too (secondary mark)
    assert t.rows["rows"].tolist() == ["<5", "*"]
    assert "<5" in t.note


def test_no_bad_rows_says_so():
    t = data_quality_table(DQ.iloc[0:0], ("allocations",), View.make(F), "x")
    assert t.title == "Data quality: no bad rows in the tables these figures read." and t.rows.empty


RECON = pd.DataFrame(
    [
        {
            "kind": "ssda903",
            "file": "/in/903/episodes.csv",
            "record": "episode",
            "outcome": "loaded",
            "reason": "",
            "records": 40,
        },
        {
            "kind": "ssda903",
            "file": "/in/903/episodes.csv",
            "record": "episode",
            "outcome": "flagged",
            "reason": "end before start",
            "records": 2,
        },
        {
            "kind": "ssda903",
            "file": "/in/903/episodes.csv",
            "record": "episode",
            "outcome": "rejected",
            "reason": "no CHILD",
            "records": 3,
        },
    ]
)


def test_the_import_reconciliation_is_under_the_note_outside_presentation_mode():
    from dashboard.sections.common import reconciliation_table

    assert reconciliation_table(RECON.iloc[0:0], View.make(F), "r") is None  # not built by the import
    t = reconciliation_table(RECON, View.make(F), "r")
    assert t.title == "Imported returns: 40 loaded, 2 flagged, 0 merged, 3 rejected (every record of every file)"
    assert t.rows["file"].tolist() == ["episodes.csv"] * 3 and t.rows["records"].tolist() == [40, 2, 3]
    shown = reconciliation_table(RECON, View.make(F, presentation=True), "r")
    assert shown.rows.empty and "outside presentation mode" in shown.title
