"""Child-level lists: hidden in presentation mode, capped at the most urgent rows with a note."""

from datetime import date

import pandas as pd
import pytest

from dashboard.render import table_view
from dashboard.sections.base import View
from dashboard.sections.common import child_list
from dashboard.settings import Settings, SettingsError
from data_layer import Filters

COLUMNS = [{"field": "child_id", "headerName": "Child"}, {"field": "days", "headerName": "Days"}]
ROWS = pd.DataFrame({"child_id": [f"C{i:04d}" for i in range(600)], "days": list(range(600, 0, -1))})
VIEW = View.make(Filters(as_at=date(2023, 3, 31)))
REQUEST = {"page": "caseloads", "part": "body", "controls": {}}


def _find(component, cid):
    if getattr(component, "id", None) == cid:
        return component
    for child in (
        component.children
        if isinstance(getattr(component, "children", None), list)
        else [getattr(component, "children", None)]
    ):
        if child is not None and not isinstance(child, str):
            found = _find(child, cid)
            if found is not None:
                return found
    return None


def test_a_long_list_sends_the_first_rows_and_says_how_many_there_are():
    table = child_list("t", ROWS, COLUMNS, VIEW, title="Children")  # the default cap: 200
    assert len(table.rows) == 200 and table.total_rows == 600
    view = table_view(table, REQUEST, presentation=False)
    grid = _find(view, "t")
    assert len(grid.rowData) == 200 and grid.rowData[0] == {"child_id": "C0000", "days": 600}
    assert "first 200 of 600 rows" in _find(view, "t-capped").children
    assert len(table.csv_table) == 200  # the CSV holds what the grid holds
    store = _find(view, {"type": "csv-request", "chart": "t"})
    assert set(store.data) == {"page", "part", "controls", "item"}  # which list, never its rows


def test_a_short_list_is_sent_whole_without_a_note():
    view = table_view(child_list("t", ROWS.head(20), COLUMNS, VIEW, title=None), REQUEST, presentation=False)
    assert len(_find(view, "t").rowData) == 20 and _find(view, "t-capped") is None


def test_presentation_mode_sends_no_rows():
    shown = View.make(VIEW.filters, presentation=True)
    table = child_list("t", ROWS, COLUMNS, shown, title=None)
    assert table.rows.empty
    view = table_view(table, REQUEST, presentation=True)
    assert view.id == "t-hidden" and "hidden" in view.children


def test_the_cap_is_a_setting():
    assert Settings.from_env({"CSC_MAX_TABLE_ROWS": "50"}).max_table_rows == 50
    with pytest.raises(SettingsError, match="CSC_MAX_TABLE_ROWS='many' is not a whole number"):
        Settings.from_env({"CSC_MAX_TABLE_ROWS": "many"})
    assert Settings.from_env({}).max_table_rows == 200
