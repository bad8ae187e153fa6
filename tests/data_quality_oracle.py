"""The data-quality counts as they were counted before they were grouped by team (issue 17): one
query per table and filter, the team filter in SQL. Kept as the oracle the grouped counts
(``data_layer.checks.bad_rows_by_team`` + ``select_bad_rows``) must equal on every filter.

What the two share is taken from ``data_layer.checks`` (the per-row rules of one scan,
``_scan_checks``); what the grouping changed (the team filter, orphans, duplicates, unknown codes,
totals) is the old code as it was, less its handling of a failing table.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import String, cast, distinct, exists, func, literal, or_, select, true, union_all

from data_layer import schema
from data_layer.checks import (
    _TEAM_COLUMNS,
    CHECK_KINDS,
    DQ_COLUMNS,
    CheckReport,
    _check_structure,
    _codes,
    _scan_checks,
)
from data_layer.engine import Database
from data_layer.filters import Filters
from data_layer.sources.probe import contract_tables


def data_quality_oracle(db: Database, f: Filters | None = None, tables: tuple[str, ...] | None = None) -> pd.DataFrame:
    """``data_quality`` as it was: counted in SQL for this filter."""
    present = _check_structure(db, CheckReport())
    codes = _codes(db)
    rows: list[dict] = []
    with db.engine.connect() as conn:
        for name in (t.name for t in contract_tables()):
            if name in present and (tables is None or name in tables):
                rows += _table_bad_rows(conn, db.tables[name], present, f, codes, db.tables)
    df = pd.DataFrame(rows, columns=DQ_COLUMNS)
    order = {k: i for i, k in enumerate(CHECK_KINDS)}
    if not df.empty:
        df = (
            df.assign(_k=df["check"].map(order), _d=df["detail"].astype(str))
            .sort_values(
                ["_k", "table", "column", "rows", "_d"], ascending=[True, True, True, False, True], kind="mergesort"
            )
            .drop(columns=["_k", "_d"])
            .reset_index(drop=True)
        )
    return df.astype({"rows": "int64", "table_rows": "int64"})


def _team_filter(t, f: Filters | None, present: dict[str, set[str]], teams=None):
    """Rows of the selected teams/services; tables with no team column are counted whole."""
    cols = [c for c in _TEAM_COLUMNS.get(t.name, ()) if c in present[t.name]]
    if f is None or not f.is_filtered or not cols:
        return true()
    if f.services and "service" not in present.get("teams", ()):
        return true()
    return or_(*[f.team_clause(t.c[c], teams) for c in cols])


def _counts(t, present: dict[str, set[str]], where, tables=None):
    """(check, column, detail, SQL expression) for every row-level count the table allows.

    Null and interval counts share one scan (``SUM(CASE ...)`` in a derived table); orphans and
    duplicates are uncorrelated scalar subqueries beside it, so each gets its own plan: an
    anti-join (or index probe) for ``NOT EXISTS``, an index scan for ``COUNT(DISTINCT id)``.
    Measured on 10M rows this is about twice as fast on SQLite and PostgreSQL as joining every
    referenced table into the one scan, and it is portable (SQL Server refuses a subquery inside
    an aggregate).
    """
    cols = present[t.name]
    scan = _scan_checks(t, present)
    side = []
    for tbl, col, ref, ref_col in schema.FOREIGN_KEYS:
        if tbl == t.name and col in cols and ref_col in present.get(ref, ()):
            ref_t = (tables[ref] if tables is not None else schema.metadata.tables[ref]).alias(f"ref_{ref}")
            orphan = (
                select(func.count())
                .select_from(t)
                .where(where, t.c[col].is_not(None), ~exists().where(ref_t.c[ref_col] == t.c[col]))
            )
            note = "; NULL = awaiting allocation, not counted" if (tbl, col) == ("allocations", "worker_id") else ""
            side.append(("orphan_id", col, f"not in {ref}.{ref_col}{note}", orphan))
    pid = schema.PRIMARY_IDS.get(t.name)
    if pid in cols:
        # Extra rows: every row beyond the first with the same id (what double counting would add).
        dup = select(func.count(t.c[pid]) - func.count(distinct(t.c[pid]))).select_from(t).where(where)
        side.append(("duplicate_id", pid, "rows beyond the first with the same id", dup))
    agg = (
        select(func.count().label("n"), *[e.label(f"s{i}") for i, (*_, e) in enumerate(scan)])
        .select_from(t)
        .where(where)
        .subquery("agg")
    )
    query = select(
        agg.c.n,
        *[agg.c[f"s{i}"] for i in range(len(scan))],
        *[q.correlate(None).scalar_subquery().label(f"x{i}") for i, (*_, q) in enumerate(side)],
    )
    return [c[:3] for c in scan + side], query


def _code_query(t, present, where, codes):
    """Unknown values of the table's coded columns with their row counts (NULLs are not codes)."""
    parts = []
    for (tbl, col), allowed in codes.items():
        if tbl == t.name and col in present[t.name]:
            value = cast(t.c[col], String)  # a warehouse may hold codes in another type
            parts.append(
                select(literal(col, String).label("col"), value.label("value"), func.count().label("n"))
                .where(where, value.is_not(None), value.not_in(sorted(allowed)))
                .group_by(value)
            )
    return None if not parts else parts[0] if len(parts) == 1 else union_all(*parts)


def _table_bad_rows(conn, t, present, f: Filters | None, codes, tables=None) -> list[dict]:
    """One counting query and at most one code query for table ``t``: its non-zero findings."""
    where = _team_filter(t, f, present, tables["teams"] if tables is not None else None)
    checks, query = _counts(t, present, where, tables)
    counts = conn.execute(query).one()
    n_rows = int(counts[0] or 0)
    rows = [
        dict(table=t.name, check=kind, column=col, detail=detail, rows=int(v or 0), table_rows=n_rows)
        for (kind, col, detail), v in zip(checks, counts[1:], strict=False)
    ]
    code_query = _code_query(t, present, where, codes) if n_rows else None
    if code_query is not None:
        for col, value, n in conn.execute(code_query):
            rows.append(
                dict(table=t.name, check="unknown_code", column=col, detail=str(value), rows=int(n), table_rows=n_rows)
            )
    return [r for r in rows if r["rows"] > 0]
