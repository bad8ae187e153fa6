"""Data quality (``/data-quality``): the bad rows ``csc-dashboard check-db`` counts, for a manager in the app.

Every page's data-quality note links here instead of pointing at a command line. The counts come
from the same data-layer function as check-db's (``data_layer.data_quality``), aggregated per table
and kind of problem, with what each kind means in words; no row, id or value is shown (an unknown
code's value stays in check-db's report for the data team). Not in the board pack, which has its
own data-quality appendix.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.sections.base import Note, PageSpec, Section, Table, View
from dashboard.sections.common import bad_rows
from data_layer.checks import CHECK_DESCRIPTIONS, CHECK_KINDS, CHECK_TITLES

COLUMNS: list[dict[str, Any]] = [
    {"field": "table", "headerName": "Table"},
    {"field": "problem", "headerName": "Problem"},
    {"field": "meaning", "headerName": "What it means", "flex": 3},
    {"field": "columns", "headerName": "Columns"},
    {"field": "rows", "headerName": "Bad rows", "type": "numericColumn"},
    {"field": "table_rows", "headerName": "Rows in the table", "type": "numericColumn"},
]


def summary(dq: pd.DataFrame) -> pd.DataFrame:
    """One row per (table, kind of problem): its columns and bad rows, in check-db's order of kinds.

    ``rows`` adds the kind's counts over its columns (and, for unknown codes, over the values), as
    check-db's report does per column; a row with two problems counts under each.
    """
    cols = ["table", "check", "problem", "meaning", "columns", "rows", "table_rows"]
    if dq.empty:
        return pd.DataFrame(columns=cols)
    order = {k: i for i, k in enumerate(CHECK_KINDS)}
    out = (
        dq.groupby(["table", "check"], sort=False)
        .agg(
            columns=("column", lambda c: ", ".join(dict.fromkeys(map(str, c)))),
            rows=("rows", "sum"),
            table_rows=("table_rows", "max"),
        )
        .reset_index()
    )
    out["problem"] = out["check"].map(lambda k: CHECK_TITLES.get(k, k))
    out["meaning"] = out["check"].map(lambda k: CHECK_DESCRIPTIONS.get(k, ""))
    out["rows"] = out["rows"].astype(int)
    out["table_rows"] = out["table_rows"].astype(int)
    out["_k"] = out["check"].map(lambda k: order.get(k, len(order)))
    return out.sort_values(["_k", "table"], kind="mergesort")[cols].reset_index(drop=True)


def body(db, view: View) -> list[Section]:
    d = view.disclosure
    table = summary(bad_rows(db, view.filters))
    scope = (
        "With no team or service chosen these are the counts `csc-dashboard check-db` prints. With one chosen, "
        "tables that place a row in a team (plans, allocations, workers, transfers, JARP referrals) count "
        "those teams' rows; the others are counted whole. A bad row is bad whatever the as-at date."
    )
    if table.empty:
        items: tuple = (Note(id="data-quality-none", text="No bad rows: every row meets the data contract's rules."),)
    else:
        total = int(table["rows"].sum())
        shown = table.copy()
        if d.active:  # as the pages' notes: small counts hidden, and one the shown total would give back
            hidden = d.secondary(table["rows"].tolist(), total_shown=True)
            shown["rows"] = [
                d.mark if d.small(v) else (d.secondary_mark if i in hidden else f"{v:,}")
                for i, v in enumerate(table["rows"])
            ]
        items = (
            Note(
                id="data-quality-total",
                text=f"{d.count(total)} bad rows: the figures leave them out (each page's data-quality note "
                "counts those in the tables its figures read).",
                kind="info",
            ),
            Table(
                id="data-quality-table",
                title=None,
                rows=shown,
                columns=COLUMNS,
                filename="data-quality",
                child_level=False,
                note=d.note or None,
            ),
        )
    return [
        Section(id="data-quality-section", title="Bad rows by table and problem", items=items, pack=False),
        Section(
            id="data-quality-scope",
            title=None,
            card=False,
            items=(Note(id="data-quality-scope-note", text=scope, kind="markdown"),),
            pack=False,
        ),
    ]


PAGE = PageSpec(
    key="data_quality",
    path="/data-quality",
    name="Data quality",
    parts=(("body", body),),
    lede="Rows the figures cannot use because they break a rule of the data contract, by table and kind "
    "of problem: what to put right in the case-management system.",
)

__all__ = ["PAGE", "body", "summary", "COLUMNS"]
