"""Child-level tables: hidden in presentation mode, capped at the most urgent rows with a note."""
import pandas as pd

from dashboard.components import child_table
from dashboard.settings import Settings

COLUMNS = [{"field": "child_id", "headerName": "Child"}, {"field": "days", "headerName": "Days"}]
ROWS = pd.DataFrame({"child_id": [f"C{i:04d}" for i in range(600)], "days": list(range(600, 0, -1))})


def _find(component, cid):
    if getattr(component, "id", None) == cid:
        return component
    for child in (component.children if isinstance(getattr(component, "children", None), list) else
                  [getattr(component, "children", None)]):
        if child is not None and not isinstance(child, str):
            found = _find(child, cid)
            if found is not None:
                return found
    return None


def test_a_long_list_sends_the_first_rows_and_says_how_many_there_are():
    table = child_table("t", ROWS, COLUMNS, presentation=False, max_rows=500)
    grid = _find(table, "t")
    assert len(grid.rowData) == 500 and grid.rowData[0] == {"child_id": "C0000", "days": 600}
    assert "first 500 of 600 rows" in _find(table, "t-capped").children
    csv = _find(table, {"type": "csv-data", "chart": "t"})
    assert csv.data["csv"].count("\n") == 501   # header + 500 rows


def test_a_short_list_is_sent_whole_without_a_note():
    table = child_table("t", ROWS.head(20), COLUMNS, presentation=False, max_rows=500)
    assert len(_find(table, "t").rowData) == 20 and _find(table, "t-capped") is None


def test_presentation_mode_sends_no_rows():
    table = child_table("t", ROWS, COLUMNS, presentation=True)
    assert table.id == "t-hidden" and "hidden" in table.children


def test_the_cap_is_a_setting():
    assert Settings.from_env({"CSC_MAX_TABLE_ROWS": "50"}).max_table_rows == 50
    assert Settings.from_env({"CSC_MAX_TABLE_ROWS": "many"}).max_table_rows == 500
    assert Settings.from_env({}).max_table_rows == 500
