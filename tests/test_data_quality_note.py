"""The data-quality note under a page: bad rows of the page's tables, counted, never dropped silently."""
import pandas as pd

from dashboard.components import data_quality_note

DQ = pd.DataFrame([
    {"table": "allocations", "check": "end_before_start", "column": "end_date", "detail": "", "rows": 2,
     "table_rows": 100},
    {"table": "allocations", "check": "unknown_code", "column": "role", "detail": "co_worker", "rows": 7,
     "table_rows": 100},
    {"table": "visits", "check": "null_required", "column": "visit_date", "detail": "NULL", "rows": 3,
     "table_rows": 50},
])


def _text(component) -> str:
    """All text of a component tree, in order."""
    if isinstance(component, str):
        return component
    children = getattr(component, "children", None)
    if children is None:
        return ""
    if not isinstance(children, (list, tuple)):
        children = [children]
    return " ".join(_text(c) for c in children)


def test_only_the_pages_tables_are_counted():
    note = data_quality_note("x", DQ, ("allocations",))
    text = _text(note)
    assert "Data quality: 9 bad rows" in text          # 2 + 7; the 3 visits rows are another page's
    assert "allocations.role" in text and "co_worker" in text and "visits" not in text


def test_presentation_mode_suppresses_small_counts():
    text = _text(data_quality_note("x", DQ, ("allocations",), presentation=True, threshold=5))
    assert "Data quality: 9 bad rows" in text
    assert "<5" in text and " 2 " not in f" {text} "


def test_no_bad_rows_says_so():
    text = _text(data_quality_note("x", DQ, ("cin_plans",)))
    assert text == "Data quality: no bad rows in the tables these figures read."
