"""The Caseloads worker table (issue 18 item 3) on the hand-worked authority of tests/test_caseloads.py."""

from __future__ import annotations

import math

import pytest

from dashboard.sections.base import Note, Table, View
from dashboard.sections.caseloads import PAGE, workers
from data_layer import Filters
from tests.fixtures import FixtureDB
from tests.test_caseloads import ROWS, D


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return FixtureDB("sqlite", tmp_path_factory.mktemp("workers")).load(ROWS).connect()


def _table(db, **controls) -> Table:
    (section,) = workers(db, View.make(Filters(D), controls=controls))
    (table,) = section.items
    assert isinstance(table, Table) and table.id == "caseloads-workers-table"
    return table


def test_every_worker_in_post_most_over_target_first(db):
    rows = _table(db, workers="all").csv_table
    # W7: 3 cases on 0.1 FTE (target 2.5, over by 0.5); W2: 1 on 0.04 (target 1, not over);
    # then by excess: W1 4 - 25 = -21, W3 and W4 1 - 25 = -24 (tie: by name).
    assert list(rows["worker"]) == ["Worker W7", "Worker W2", "Worker W1", "Worker W3", "Worker W4"]
    w7 = rows.iloc[0]
    assert (w7.team, w7.fte, w7.cases, w7.target, w7.over_by) == ("Assessment", 0.1, 3, 2.5, 0.5)
    assert all(math.isnan(v) for v in rows["over_by"].iloc[1:]), "blank when not over"
    w1 = rows.iloc[2]
    assert (w1.cla, w1.cp, w1.cin, w1.assessment, w1.care_leaver, w1.other, w1.cases) == (1, 1, 1, 1, 0, 0, 4)
    assert w1.team == "CIN/CP North" and w1.role == "SW" and w1.target == 25.0


def test_over_shows_only_the_workers_over_target(db):
    rows = _table(db, workers="over").csv_table
    assert list(rows["worker"]) == ["Worker W7"]
    assert _table(db, workers="over").note.startswith("1 worker over target in the selected teams.")
    assert _table(db, workers="all").note.startswith("5 workers in post in the selected teams.")


def test_columns_state_the_standard_and_sort_by_over_by():
    from dashboard.sections.caseloads import worker_columns

    cols = {c["field"]: c for c in worker_columns(20)}
    assert cols["target"]["headerName"] == "Target (20 × FTE)"
    assert cols["over_by"]["sort"] == "desc"
    assert [c["headerName"] for c in worker_columns(25)][4:10] == [
        "Looked after",
        "CP",
        "CIN",
        "Care leaver",
        "Assessment",
        "Other",
    ]


def test_the_control_refuses_anything_but_all_or_over():
    assert PAGE.validate_controls({"workers": "over"}) == {"workers": "over"}
    assert PAGE.validate_controls({"workers": "<script>"}) == {"workers": "all"}
    assert PAGE.validate_controls({"workers": ["over", "over"]}) == {"workers": "all"}
    assert PAGE.validate_controls({}) == {"workers": "all"}


def test_presentation_mode_shows_no_named_worker(db):
    (section,) = workers(db, View.make(Filters(D), presentation=True))
    assert not section.pack and not section.tables
    (note,) = section.items
    assert isinstance(note, Note) and "Worker W" not in note.text


def test_a_long_worker_list_sends_the_most_over_target_first_and_says_how_many(db):
    """A national database has thousands of workers: the grid gets the first CSC_MAX_TABLE_ROWS (here 2),
    most over target first, and says how many there are."""
    from flask import Flask

    from dashboard.context import install
    from dashboard.render import table_view
    from dashboard.settings import Settings

    server = Flask(__name__)
    install(server, db, Settings(max_table_rows=2))
    with server.app_context():
        table = _table(db, workers="all")
    assert list(table.csv_table["worker"]) == ["Worker W7", "Worker W2"] and table.total_rows == 5
    assert table.note.startswith("5 workers in post in the selected teams.")
    view = table_view(table, {"page": "caseloads", "part": "workers", "controls": {}}, presentation=False)
    capped = [c for c in view.children if getattr(c, "id", None) == "caseloads-workers-table-capped"]
    assert capped and "first 2 of 5 rows" in capped[0].children
