"""The in-app data-quality page shows the counts ``csc-dashboard check-db`` prints, and no row's detail."""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard.sections import page
from dashboard.sections.base import Note, Table, View
from dashboard.sections.data_quality import PAGE, body, summary
from data_layer import Filters, latest_date
from data_layer.checks import CHECK_DESCRIPTIONS, CHECK_KINDS, check_database


def _table(sections) -> Table:
    (table,) = [i for s in sections for i in s.items if isinstance(i, Table)]
    return table


def test_the_counts_are_check_dbs(small_demo):
    report = check_database(small_demo).bad_rows
    assert len(report), "the demo has bad rows to count"
    expected = report.groupby(["table", "check"])["rows"].sum().astype(int).to_dict()
    rows = _table(body(small_demo, View.make(Filters(latest_date(small_demo))))).csv_table
    assert (
        dict(zip(zip(rows["table"], [_kind(p) for p in rows["problem"]], strict=True), rows["rows"], strict=True))
        == expected
    )
    assert not {"detail", "value", "child_id"} & set(rows.columns), "no value or id of a row"


def _kind(problem: str) -> str:
    from data_layer.checks import CHECK_TITLES

    return {v: k for k, v in CHECK_TITLES.items()}[problem]


def test_summary_adds_columns_and_values_per_table_and_kind_in_check_db_order():
    dq = pd.DataFrame(
        [
            ("allocations", "unknown_code", "role", "co_worker", 7, 50),
            ("allocations", "unknown_code", "role", "xx", 2, 50),
            ("allocations", "end_before_start", "end_date", "end_date before start_date", 3, 50),
            ("visits", "null_required", "visit_date", "NULL", 4, 10),
            ("allocations", "null_required", "child_id", "NULL", 1, 50),
            ("allocations", "null_required", "start_date", "NULL", 5, 50),
        ],
        columns=["table", "check", "column", "detail", "rows", "table_rows"],
    )
    got = summary(dq)
    assert list(zip(got["table"], got["check"], got["columns"], got["rows"], strict=True)) == [
        ("allocations", "end_before_start", "end_date", 3),
        ("allocations", "null_required", "child_id, start_date", 6),
        ("visits", "null_required", "visit_date", 4),
        ("allocations", "unknown_code", "role", 9),
    ]
    assert got["meaning"].tolist()[0] == CHECK_DESCRIPTIONS["end_before_start"]
    assert set(CHECK_DESCRIPTIONS) == set(CHECK_KINDS), "every kind is explained"


def test_presentation_hides_small_counts_and_the_one_the_total_gives_back(small_demo, monkeypatch):
    import dashboard.sections.data_quality as dq_page

    def fake_bad_rows(db, f, tables=None):
        return pd.DataFrame(
            [
                ("allocations", "end_before_start", "end_date", "", 2, 50),
                ("workers", "duplicate_id", "worker_id", "", 7, 40),
                ("children", "null_required", "birth_date", "NULL", 30, 90),
            ],
            columns=["table", "check", "column", "detail", "rows", "table_rows"],
        )

    monkeypatch.setattr(dq_page, "bad_rows", fake_bad_rows)
    sections = body(small_demo, View.make(Filters(latest_date(small_demo)), presentation=True))
    # 39 is shown, so 2 is hidden, and 7 with it (39 - 30 - 7 would give the 2 back)
    assert _table(sections).rows["rows"].tolist() == ["<5", "30", "*"]  # check-db order of kinds
    assert sections[0].items[0].text.startswith("39 bad rows: the figures leave them out")


def test_a_database_without_bad_rows_says_so(make_db):
    from tests.test_caseloads import ROWS

    db = make_db(ROWS)
    items = [i for s in body(db, View.make(Filters(date(2023, 3, 1)))) for i in s.items]
    assert isinstance(items[0], Note) and items[0].text.startswith("No bad rows")


def test_the_page_is_served_but_not_in_the_navbar_or_pack():
    from dashboard.sections import PAGE_MODULES

    assert page("data_quality") is PAGE and "data_quality" not in PAGE_MODULES
