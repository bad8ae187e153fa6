"""Grid columns built in one place (``dashboard.render.grid_columns``): dates, widths, wrapping."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd

from dashboard.render import CHAR_PX, DATE_FORMAT, FIT_PX, HEADER_PAD_PX, column_kind, grid_columns, min_width
from dashboard.sections.base import Table

JS = Path(__file__).resolve().parents[1] / "assets" / "dashAgGridFunctions.js"


def _table(rows: dict, columns: list[dict]) -> Table:
    return Table(id="t", title=None, rows=pd.DataFrame(rows), columns=columns, child_level=False)


def test_dates_keep_their_iso_value_and_are_shown_as_31_mar_2023():
    t = _table(
        {"start": ["2023-03-31", None], "end": [date(2020, 4, 24), date(2021, 1, 2)], "n": [1, 2]},
        [{"field": "start", "headerName": "Start"}, {"field": "end", "headerName": "End"}, {"field": "n"}],
    )
    cols = {c["field"]: c for c in grid_columns(t)}
    for field in ("start", "end"):
        assert cols[field]["valueFormatter"] == {"function": "cscDate(params.value)"}
        assert cols[field]["cellDataType"] == "dateString" and cols[field]["filter"] == "agDateColumnFilter"
    assert "valueFormatter" not in cols["n"]
    assert t.csv_table["start"].iloc[0] == "2023-03-31", "the row data and the CSV keep ISO dates"
    assert f"{date(2023, 3, 31):{DATE_FORMAT}}" == "31 Mar 2023"


def test_the_browser_formatter_spells_months_as_python_does():
    """The grid's formatter (assets/dashAgGridFunctions.js) writes DATE_FORMAT: the same month names."""
    js = JS.read_text()
    months = re.findall(r'"(\w{3})"', js[js.index("CSC_MONTHS") : js.index("];")])
    assert months == [f"{date(2023, m, 1):%b}" for m in range(1, 13)]
    assert 'm[3] + " " + CSC_MONTHS[Number(m[2]) - 1] + " " + m[1]' in js  # day, month, year as "%d %b %Y"


def test_column_kinds():
    assert column_kind(pd.Series([3, 4])) == "number"
    assert column_kind(pd.Series(["2023-03-31", "2020-01-01"])) == "date"
    assert column_kind(pd.Series(["2023-03-31", "not a date"])) == "text"
    assert column_kind(pd.Series(["2023-03-22", "", None])) == "date"  # never reviewed: blank, still a date column
    assert column_kind(pd.Series(["", None])) == "text"
    assert column_kind(pd.Series(["P1 urgent"])) == "text"
    assert column_kind(pd.Series(["Direct referral exception: police protection (P1)"])) == "long"
    assert column_kind(pd.Series([True, False])) == "text"


def test_a_column_is_wide_enough_for_its_headers_longest_word_and_its_values():
    assert min_width("number", "Assessment", pd.Series([1])) >= 10 * CHAR_PX + HEADER_PAD_PX
    assert min_width("text", "Team", pd.Series(["Demo CIN Pilot West"])) >= 19 * CHAR_PX
    # wrapped text needs only its longest word
    assert min_width("long", "Reasons", pd.Series(["a " * 40])) < min_width("text", "Reasons", pd.Series(["a " * 40]))
    # a column sorted from the start also shows the sort arrow
    assert min_width("number", "Over by", pd.Series([2]), sorted_=True) > min_width("number", "Over by", pd.Series([2]))


def test_long_text_wraps_and_a_grid_too_wide_for_its_card_wraps_its_text_columns():
    narrow = _table(
        {"a": ["short"], "b": ["x" * 10 + " long words that go on and on"]}, [{"field": "a"}, {"field": "b"}]
    )
    cols = {c["field"]: c for c in grid_columns(narrow)}
    assert cols["b"]["wrapText"] and cols["b"]["autoHeight"] and "wrapText" not in cols["a"]
    wide_rows = {f"c{i}": ["Demo CIN/CP North team"[:19]] for i in range(12)}
    wide = _table(wide_rows, [{"field": f"c{i}", "headerName": f"Team {i}"} for i in range(12)])
    natural = sum(min_width("text", f"Team {i}", wide.rows[f"c{i}"]) for i in range(12))
    assert natural > FIT_PX
    cols = grid_columns(wide)
    assert all(c.get("wrapText") for c in cols) and sum(c["minWidth"] for c in cols) < natural


def test_a_columns_own_settings_win():
    t = _table({"a": ["2023-03-31"]}, [{"field": "a", "minWidth": 300, "filter": False}])
    (col,) = grid_columns(t)
    assert col["minWidth"] == 300 and col["filter"] is False and col["valueFormatter"]


def test_the_browser_formatter_run_in_node():
    import shutil
    import subprocess

    import pytest

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = (
        f"global.window = {{}}; require({str(JS)!r}); const f = window.dashAgGridFunctions.cscDate;"
        "console.log(JSON.stringify([f('2023-03-31'), f('2020-09-01'), f(null), f(''), f('no date')]));"
    )
    out = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True, timeout=30).stdout
    assert out.strip() == '["31 Mar 2023","01 Sep 2020","","","no date"]'
    assert f"{date(2020, 9, 1):{DATE_FORMAT}}" == "01 Sep 2020"
