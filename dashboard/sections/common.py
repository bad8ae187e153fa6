"""Section pieces several pages share: child-level lists and the data-quality note under a page's figures."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from dashboard.cache import cached_call
from dashboard.sections.base import Section, Table, View
from data_layer import bad_rows_by_team, select_bad_rows
from data_layer.checks import CHECK_TITLES


def max_table_rows() -> int:
    """The app's ``CSC_MAX_TABLE_ROWS`` (the default outside an app: unit tests, the pack)."""
    from flask import has_app_context

    from dashboard.settings import Settings

    if has_app_context():
        from dashboard.context import get_settings

        return get_settings().max_table_rows
    return Settings().max_table_rows


def child_list(
    table_id: str,
    rows: pd.DataFrame,
    columns,
    view: View,
    *,
    title: str | None,
    filename: str | None = None,
    note: str | None = None,
    team_columns: Sequence[str] = ("team_id",),
) -> Table:
    """A managers' list of children: the most urgent ``CSC_MAX_TABLE_ROWS`` rows (a region's list of
    thousands is megabytes in the browser; the table says how many there are), and no rows at all in
    presentation mode (child-level detail is for managers only).

    Every child-level table is made here, so this is the one place a manager's view
    (``view.detail_teams``) drops the rows of other teams: a row stays when any of its
    ``team_columns`` (team ids, not grid columns) is one of their teams."""
    if view.presentation:
        return Table(id=table_id, title=title, rows=rows.iloc[0:0], columns=columns, filename=filename)
    rows = rows_of_teams(rows, view.detail_teams, team_columns)
    limit = max_table_rows()
    return Table(
        id=table_id,
        title=title,
        rows=rows.head(limit),
        columns=columns,
        filename=filename,
        total_rows=len(rows),
        note=note,
    )


def rows_of_teams(rows: pd.DataFrame, teams: frozenset[str] | None, team_columns: Sequence[str]) -> pd.DataFrame:
    """The rows whose team (any of ``team_columns``) is in ``teams``; all rows when ``teams`` is None.

    Fails closed: a frame without those columns gives no rows to a scoped viewer."""
    if teams is None:
        return rows
    present = [c for c in team_columns if c in rows.columns]
    if not present:
        return rows.iloc[0:0]
    keep = rows[present].astype(str).isin(teams).any(axis=1)
    return rows[keep.to_numpy()]


#: Kinds whose detail names the bad value or the rule broken ("not a date", "over 64 characters").
_VALUE_DETAIL = ("unknown_code", "unreadable_date", "out_of_range", "text_too_long")

#: Where the note sends a manager for every table's bad rows (the app's page, not check-db's command line).
DATA_QUALITY_LINK = ("Every table's bad rows, and what each problem means: the data-quality page", "/data-quality")

DQ_COLUMNS = [
    {"field": "column", "headerName": "Column"},
    {"field": "problem", "headerName": "Problem"},
    {"field": "value", "headerName": "Value"},
    {"field": "rows", "headerName": "Rows"},
]


def data_quality_table(dq: pd.DataFrame, tables: Sequence[str], view: View, table_id: str) -> Table:
    """Bad rows of ``tables`` (``data_layer.data_quality``), never dropped silently.

    In presentation mode the counts go through the disclosure rules: a count under the threshold
    is the mark, and since the total is shown, the next-smallest count is hidden too (otherwise
    total minus the others gives the hidden one back).
    """
    d = view.disclosure
    part = dq[dq["table"].isin(list(tables))] if not dq.empty else dq
    rows = pd.DataFrame(
        {
            "column": [f"{r.table}.{r.column}" for r in part.itertuples()],
            "problem": [CHECK_TITLES.get(r.check, r.check) for r in part.itertuples()],
            "value": [str(r.detail)[:60] if r.check in _VALUE_DETAIL else "" for r in part.itertuples()],
            "rows": [int(r.rows) for r in part.itertuples()],
        }
    )
    total = int(rows["rows"].sum()) if len(rows) else 0
    if not total:
        return Table(
            id=table_id,
            title="Data quality: no bad rows in the tables these figures read.",
            rows=rows.iloc[0:0],
            columns=DQ_COLUMNS,
            child_level=False,
            grid=False,
            collapsed=True,
            filename=table_id,
            link=DATA_QUALITY_LINK,
        )
    hidden = d.secondary(rows["rows"].tolist(), total_shown=True)
    shown = rows.copy()
    if d.active:
        shown["rows"] = [
            d.mark if d.small(v) else (d.secondary_mark if i in hidden else f"{v:,}")
            for i, v in enumerate(rows["rows"])
        ]
    title = f"Data quality: {d.count(total)} bad rows in the tables these figures read are left out of the figures"
    return Table(
        id=table_id,
        title=title,
        rows=shown,
        columns=DQ_COLUMNS,
        child_level=False,
        grid=False,
        collapsed=True,
        filename=table_id,
        note=d.note or None,
        link=DATA_QUALITY_LINK,
    )


RECON_COLUMNS = [
    {"field": "kind", "headerName": "Return"},
    {"field": "file", "headerName": "File"},
    {"field": "record", "headerName": "Record"},
    {"field": "outcome", "headerName": "Outcome"},
    {"field": "reason", "headerName": "Reason"},
    {"field": "records", "headerName": "Records"},
]


def reconciliation_table(recon: pd.DataFrame, view: View, table_id: str) -> Table | None:
    """What ``csc-dashboard import`` did with every record of every file (loaded, loaded with a flag,
    merged, rejected with a reason), under the data-quality note; ``None`` when the database was not
    built by the import. An analyst's check, so not shown in presentation mode (its counts per file
    and outcome add up to the records read: small cells could be worked back)."""
    if recon.empty:
        return None
    if view.presentation:
        return Table(
            id=table_id,
            title="Imported returns: the record-by-record reconciliation is shown outside presentation mode.",
            rows=recon.iloc[0:0][["kind"]],
            columns=RECON_COLUMNS[:1],
            child_level=False,
            grid=False,
            collapsed=True,
            filename="import-reconciliation",
        )
    totals = recon.groupby("outcome")["records"].sum()
    words = ", ".join(f"{int(totals.get(k, 0)):,} {k}" for k in ("loaded", "flagged", "merged", "rejected"))
    rows = recon.assign(file=recon["file"].astype(str).str.rsplit("/", n=1).str[-1])
    return Table(
        id=table_id,
        title=f"Imported returns: {words} (every record of every file)",
        rows=rows,
        columns=RECON_COLUMNS,
        child_level=False,
        grid=False,
        collapsed=True,
        filename="import-reconciliation",
    )


def unreadable_dates_note(dq: pd.DataFrame, tables: Sequence[str], view: View) -> str | None:
    """A figure's note on rows of ``tables`` whose dates cannot be read (``unreadable_date`` in
    ``data_layer.data_quality``): SQL cannot place them on a timeline, so the figure says it
    left them out rather than let its counts fall silently. ``None`` when there are none."""
    if dq.empty:
        return None
    bad = dq[(dq["check"] == "unreadable_date") & dq["table"].isin(list(tables))]
    if bad.empty:
        return None
    n = int(bad["rows"].sum())
    names = ", ".join(dict.fromkeys(f"{r.table}.{r.column}" for r in bad.itertuples()))
    return (
        f"{view.disclosure.count_noun(n, 'row')} with a date that cannot be read ({names}) left out: "
        "the data-quality note below lists them."
    )


def bad_rows(db, filters, tables: Sequence[str] | None = None) -> pd.DataFrame:
    """``data_layer.data_quality(db, filters, tables)`` for a view, from the cache: the per-team counts
    once per database (they depend on neither the date nor the filters), and the teams and services
    chosen selected from them, so moving the date or choosing a team never counts again."""
    return cached_call(_chosen_bad_rows, db, tuple(filters.teams), tuple(filters.services), _tables(tables))


def _tables(tables: Sequence[str] | None) -> tuple[str, ...] | None:
    return None if tables is None else tuple(tables)


def _chosen_bad_rows(db, teams: tuple[str, ...], services: tuple[str, ...], tables) -> pd.DataFrame:
    return select_bad_rows(cached_call(bad_rows_by_team, db, tables), teams, services)


def data_quality_section(db, view: View, tables: Sequence[str], section_id: str) -> Section:
    """The collapsed data-quality note as a section of its own (not in the pack: it has an appendix),
    with the import's reconciliation when the database was built from returns."""
    from data_layer.imports import import_reconciliation

    dq = bad_rows(db, view.filters, tables)
    recon = reconciliation_table(cached_call(import_reconciliation, db), view, f"{section_id}-import")
    items = (data_quality_table(dq, tables, view, f"{section_id}-table"),) + ((recon,) if recon else ())
    return Section(id=section_id, title=None, items=items, pack=False, card=False)


__all__ = [
    "bad_rows",
    "data_quality_table",
    "data_quality_section",
    "unreadable_dates_note",
    "reconciliation_table",
    "DQ_COLUMNS",
    "DATA_QUALITY_LINK",
    "RECON_COLUMNS",
    "max_table_rows",
    "child_list",
]
