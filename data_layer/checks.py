"""Schema and data-quality checks: is this database usable, and which rows are bad?

The dashboard reads warehouses it does not control, so it checks before it trusts (docs/DATA_CONTRACT.md and
7). Two levels:

* **Structure** (:func:`startup_check`): which contract tables and columns are present. A missing
  one makes the sections that need it say so (partial data, ``data_layer.coverage``); only a
  database serving none of the core tables is unusable (the app refuses to start and ``check-db``
  exits non-zero). Cheap (one listing plus a zero-row ``SELECT`` per table), so it runs at every start-up.
* **Bad rows** (:func:`data_quality`): end before start, orphan ids, NULL required values,
  duplicate ids, unknown codes. They do not make a database unusable: figures exclude them and the
  data-quality panels count them, never silently. Counted in SQL, one aggregate query per table
  plus one ``GROUP BY`` query per table with coded columns, so a 10M-row warehouse is fine.

Only counts and codes are reported, never ids: the output can be pasted into a ticket.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import (
    String,
    case,
    cast,
    distinct,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.engine import make_url

from . import schema
from .dialect import try_date, unreadable_date
from .engine import Database, connect, display_url
from .errors import DatabaseError, ReadOnlyViolation
from .filters import Filters
from .queries.reference import NO_DATED_RECORDS, date_range
from .sources.probe import contract_tables, listed_names, probe_native, reason

# ``main`` stays out: ``from data_layer import *`` users want the API, not the CLI entry point.
__all__ = [
    "CheckReport",
    "UnusableDatabase",
    "check_database",
    "startup_check",
    "data_quality",
    "CHECK_KINDS",
    "CHECK_DESCRIPTIONS",
    "CORE_TABLES",
]

#: Contract tables of which a database must serve at least one for the dashboard to start.
CORE_TABLES = ("children", "allocations", "workers", "referrals", "cin_plans", "cp_plans", "cla_episodes")

#: The kinds of bad row, in the order reports list them.
CHECK_KINDS = (
    "end_before_start",
    "orphan_id",
    "null_required",
    "unreadable_date",
    "out_of_range",
    "text_too_long",
    "duplicate_id",
    "unknown_code",
)
_KIND_TITLES = {
    "end_before_start": "End date before start date",
    "orphan_id": "Ids that refer to nothing",
    "null_required": "Required values missing (NULL)",
    "unreadable_date": "Dates that cannot be read as dates",
    "out_of_range": "Numbers out of range",
    "text_too_long": "Text longer than the contract allows",
    "duplicate_id": "Duplicate ids (rows beyond the first with the same id)",
    "unknown_code": "Unknown codes",
}
#: Plain-English heading of each bad-row kind, shared by check-db, the pages and the board pack.
CHECK_TITLES = _KIND_TITLES
#: What each kind of bad row means, in words for a manager (the in-app data-quality page).
CHECK_DESCRIPTIONS = {
    "end_before_start": "The record ends before it starts, so it cannot be placed on a timeline.",
    "orphan_id": "The record points at a child, worker, team or plan that is not in the data.",
    "null_required": "A value every figure needs (an id or a start date) is empty.",
    "unreadable_date": "A date that cannot be read as a date (text, or a day that does not exist).",
    "out_of_range": "A number outside the values it can take (such as an FTE of 0, or over 1).",
    "text_too_long": "Text longer than the data contract allows; it is shortened on screen.",
    "duplicate_id": "The same id is on more than one row; the rows beyond the first would count twice.",
    "unknown_code": "A code the dashboard does not know (not in the data contract's lists), so it is not counted.",
}
DQ_COLUMNS = ["table", "check", "column", "detail", "rows", "table_rows"]
_MAX_CODES_SHOWN = 10


class UnusableDatabase(RuntimeError):
    """The database cannot serve the dashboard; ``str(exc)`` is the report, fit to show as is."""

    def __init__(self, message: str, report: CheckReport | None = None):
        super().__init__(message)
        self.report = report


@dataclass
class CheckReport:
    """What is wrong with a database: structure problems first, then counts of bad rows."""

    target: str = ""
    connected: bool = True
    error: str | None = None
    missing_tables: list[str] = field(default_factory=list)
    #: Tables that exist but cannot be read (e.g. permission denied): name -> reason.
    unreadable_tables: dict[str, str] = field(default_factory=dict)
    missing_columns: list[tuple[str, str]] = field(default_factory=list)
    #: One row per (table, check, column, detail) with rows > 0; ``None`` until counted.
    bad_rows: pd.DataFrame | None = None
    #: Checks that raised (e.g. a column of an unexpected type): table -> reason.
    failed_checks: dict[str, str] = field(default_factory=dict)
    #: ``native`` or ``ssd`` (data_layer.sources), and the SSD's schema when set.
    source: str = "native"
    source_schema: str | None = None
    #: Core contract tables this database serves (none: unusable).
    core_served: tuple[str, ...] = ()
    #: :func:`data_layer.coverage.coverage` of the database (None until computed).
    coverage: pd.DataFrame | None = None
    #: SSD only: findings on the ssd_* tables themselves (``table, check, detail, rows``).
    ssd_findings: pd.DataFrame | None = None
    #: Earliest and latest readable event date (``queries.reference.date_range``); ``None`` until read.
    date_range: tuple[date | None, date | None] | None = None

    @property
    def complete(self) -> bool:
        """Every table and column the dashboard reads is present."""
        return self.connected and not (self.missing_tables or self.unreadable_tables or self.missing_columns)

    @property
    def usable(self) -> bool:
        """The dashboard can start: connected and serving at least one core table (partial data is
        shown section by section, with what is missing); a database with none is refused."""
        if not self.connected:
            return False
        if self.complete:
            return True
        return bool(self.core_served)

    @property
    def exit_code(self) -> int:
        """0 usable (complete or partial), 1 unusable, 2 cannot connect (``check-db``'s exit status)."""
        return 0 if self.usable else (1 if self.connected else 2)

    def problems(self) -> list[str]:
        """One line per reason the database is unusable."""
        if not self.connected:
            return [f"Cannot open the database: {self.error}"]
        lines = [f"Missing table: {t}" for t in self.missing_tables]
        lines += [f"Table {t} cannot be read: {why}" for t, why in self.unreadable_tables.items()]
        lines += [f"Missing column: {t}.{c}" for t, c in self.missing_columns]
        return lines

    def raise_if_unusable(self) -> CheckReport:
        if not self.usable:
            raise UnusableDatabase(self.format(), self)
        return self

    def format(self) -> str:
        out = [f"CSC Insight data check{': ' + self.target if self.target else ''}"]
        names = (
            "ssd_* table names as in the SSD specification (data-to-insight/ssd-data-model)"
            if self.source == "ssd"
            else "names as in the data contract, docs/DATA_CONTRACT.md; a view of the same shape will do"
        )
        if self.complete and self.source == "ssd":
            out.append(
                "Result: USABLE - every ssd_* table and field the mapping reads is present "
                "(what the SSD itself does not hold: coverage below)."
            )
        elif self.complete:
            out.append("Result: USABLE - every table and column of the data contract is present.")
        elif self.usable:
            out.append(
                "Result: USABLE, PARTIAL - the dashboard starts; sections whose data is missing say so "
                "(coverage below). Missing:"
            )
            out += [f"  - {p}" for p in self.problems()]
            out.append(f"  ({names})")
        else:
            out.append("Result: NOT USABLE - the dashboard will not start on this database until this is fixed:")
            out += [f"  - {p}" for p in self.problems()]
            if self.connected:
                out.append(f"  - None of the core tables ({', '.join(CORE_TABLES)}) can be read")
            if self.missing_tables or self.missing_columns:
                out.append(f"  ({names})")
        if not self.connected:
            return "\n".join(out)
        if self.source == "ssd":
            out.insert(
                1,
                "Source: ssd (Standard Safeguarding Dataset"
                + (f", schema {self.source_schema})" if self.source_schema else ")"),
            )
        else:
            out.insert(1, "Source: native (the data contract)")
        if self.coverage is not None:
            from .coverage import format_coverage

            out.append("")
            out.append("Coverage by page section (available / partial / missing, and what is missing):")
            out += format_coverage(self.coverage)
        if self.ssd_findings is not None:
            out.append("")
            if self.ssd_findings.empty:
                out.append("SSD checks: nothing unmappable found.")
            else:
                out.append(
                    "SSD checks (rows the mapping cannot use or codes it does not know; "
                    "counted, never dropped silently):"
                )
                for r in self.ssd_findings.itertuples():
                    out.append(f"  - {r.table}: {r.check}{' ' + r.detail if r.detail else ''}: {int(r.rows):,} rows")
        if self.date_range is not None:
            out.append("")
            out.append(_format_dates(*self.date_range))
        out.append("")
        if self.bad_rows is None:
            out.append("Bad rows: not counted (structure check only).")
        elif self.bad_rows.empty:
            out.append("Bad rows: none found.")
        else:
            out.append("Bad rows (usable, but figures exclude these rows and the data-quality panels count them):")
            for kind in CHECK_KINDS:
                out += _format_kind(kind, self.bad_rows[self.bad_rows["check"] == kind])
        if self.failed_checks:
            out.append("")
            out.append("Checks that could not run:")
            out += [f"  - {t}: {why}" for t, why in self.failed_checks.items()]
        return "\n".join(out)


def _format_dates(earliest: date | None, latest: date | None) -> str:
    if latest is None:
        return (
            f"Dates: {NO_DATED_RECORDS}.\n  The dashboard shows today's date as the as-at date, and empty "
            "figures, until there are (dates that cannot be read are counted under bad rows)."
        )
    return f"Dates: events from {earliest:%-d %B %Y} to {latest:%-d %B %Y} (the latest is the default as-at date)."


def _format_kind(kind: str, df: pd.DataFrame) -> list[str]:
    if df.empty:
        return []
    out = [f"  {_KIND_TITLES[kind]}:"]
    for (tbl, col), grp in df.groupby(["table", "column"], sort=False):
        n = int(grp["rows"].sum())
        of = f" of {int(grp['table_rows'].iloc[0]):,}"
        if kind == "unknown_code":
            shown = grp.sort_values(["rows", "detail"], ascending=[False, True]).head(_MAX_CODES_SHOWN)
            codes = ", ".join(
                f"{_short(d)!r} ({int(r):,})" for d, r in zip(shown["detail"], shown["rows"], strict=False)
            )
            more = len(grp) - len(shown)
            codes += f" and {more} more value{'s' * (more != 1)}" if more > 0 else ""
            out.append(f"    {tbl}.{col}: {n:,}{of} rows: {codes}")
        else:
            detail = f" ({grp['detail'].iloc[0]})" if kind in _DETAILED else ""
            out.append(f"    {tbl}.{col}: {n:,}{of} rows{detail}")
    return out


#: Kinds whose ``detail`` says what is wrong (the others' heading says it all).
_DETAILED = ("end_before_start", "orphan_id", "unreadable_date", "out_of_range", "text_too_long")


def _short(value: str, width: int = 40) -> str:
    return value if len(value) <= width else value[: width - 3] + "..."


# --- structure -------------------------------------------------------------------------------


#: The structure probe lives in :mod:`data_layer.sources.probe` (the sources use it too).
_listed_names = listed_names


def _check_structure(db: Database, report: CheckReport, native: bool = False) -> dict[str, set[str]]:
    """Fill the structure part of ``report``; return the contract columns present per table.

    A native database is probed (:func:`data_layer.sources.probe.probe_native`: one zero-row
    ``SELECT *`` per contract table). On a non-native source (the SSD), the source's own tables
    were probed when its mapping was built: the report names its missing tables and fields, and
    the contract columns present are those it serves.
    """
    if not native and db.source != "native":
        try:
            tb = db.tables
        except DatabaseError as exc:
            report.connected, report.error = False, str(exc)
            return {}
        report.missing_tables += [m for m in tb.raw_missing if "." not in m]
        report.missing_columns += [tuple(m.split(".", 1)) for m in tb.raw_missing if "." in m]
        return {
            name: {c.name for c in tb[name].columns if tb.reason(name, c.name) is None}
            for name in tb.selectables
            if tb.reason(name, "*") is None
        }
    found = probe_native(db)
    if not found.connected:  # cannot connect: reported, not raised
        report.connected, report.error = False, found.error
        report.missing_tables.clear()
        report.unreadable_tables.clear()
        report.missing_columns.clear()
        return {}
    report.missing_tables += found.missing_tables
    report.unreadable_tables.update(found.unreadable_tables)
    report.missing_columns += found.missing_columns
    return found.present


# --- bad rows --------------------------------------------------------------------------------


def _codes(db: Database) -> dict[tuple[str, str], frozenset[str]]:
    codes = dict(schema.CODES)
    codes[("jarp_referral_criteria", "criterion")] = frozenset(db.standards.jarp_points)
    return codes


#: Columns that place a row in a team, for the team and service filters.
_TEAM_COLUMNS: dict[str, tuple[str, ...]] = {
    "teams": ("team_id",),
    "workers": ("team_id",),
    "assessments": ("team_id",),
    "allocations": ("team_id",),
    "cin_plans": ("team_id",),
    "cp_plans": ("team_id",),
    "transfers": ("from_team_id", "to_team_id"),
    "jarp_referrals": ("referring_team_id",),
}


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
    scan = []
    for tbl, start, end in schema.INTERVALS:
        if tbl == t.name and {start, end} <= cols:
            # Compared as dates: a text column (DuckDB refuses text < date) or 'not a date' (counted
            # as unreadable_date) must not make the comparison fail or count garbage.
            before = try_date(t.c[end]) < try_date(t.c[start])
            scan.append(("end_before_start", end, f"{end} before {start}", func.sum(case((before, 1), else_=0))))
    for col in schema.REQUIRED.get(t.name, ()):
        if col in cols:
            scan.append(("null_required", col, "NULL", func.sum(case((t.c[col].is_(None), 1), else_=0))))
    scan += _value_counts(t, cols)
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


def _value_counts(t, cols: set[str]) -> list[tuple]:
    """Values a figure cannot use: dates that are not dates, numbers out of range, text over its limit.

    Checked in SQL on every contract column of the kind (``dialect.unreadable_date``: SQLite and a
    text column elsewhere can hold 'not a date'; PostgreSQL's typed columns cannot). Lengths are
    the contract's (``schema.text_limits``), counted on the value as text so a numeric id works too.
    """
    out = []
    for col, timestamp in schema.date_columns(t.name).items():
        if col in cols:
            detail = "not a timestamp" if timestamp else "not a date"
            bad = unreadable_date(t.c[col], timestamp=timestamp)
            out.append(("unreadable_date", col, detail, func.sum(case((bad, 1), else_=0))))
    for (tbl, col), (low, high) in schema.RANGES.items():
        if tbl == t.name and col in cols:
            bad = or_(t.c[col] <= low, t.c[col] > high)
            out.append(("out_of_range", col, f"{low:g} or less, or over {high:g}", func.sum(case((bad, 1), else_=0))))
    for col, limit in schema.text_limits(t.name).items():
        if col in cols:
            bad = func.length(cast(t.c[col], String)) > limit
            out.append(("text_too_long", col, f"over {limit} characters", func.sum(case((bad, 1), else_=0))))
    return out


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


def _count_bad_rows(
    db: Database,
    present: dict[str, set[str]],
    f: Filters | None,
    failed: dict[str, str] | None = None,
    only: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Bad-row findings of every present table, on one connection.

    A table whose queries fail (e.g. a column of an unexpected type) is recorded in ``failed``
    and the others still counted; with ``failed=None`` the failure is raised as DatabaseError.
    """
    codes = _codes(db)
    rows: list[dict] = []
    try:
        with db.engine.connect() as conn:
            tables = db.tables
            for name in (t.name for t in contract_tables()):
                if name not in present or (only is not None and name not in only):
                    continue
                t = tables[name]
                try:
                    rows += _table_bad_rows(conn, t, present, f, codes, tables)
                except ReadOnlyViolation:
                    raise
                except Exception as exc:
                    conn.rollback()  # PostgreSQL: leave the failed transaction, keep the connection
                    if failed is None:
                        raise DatabaseError(f"Data-quality check of {t.name} failed ({reason(exc)})") from exc
                    failed[t.name] = reason(exc)
    except (DatabaseError, ReadOnlyViolation):
        raise
    except Exception as exc:
        raise DatabaseError(f"The data-quality check could not run ({reason(exc)})") from exc
    df = pd.DataFrame(rows, columns=DQ_COLUMNS)
    order = {k: i for i, k in enumerate(CHECK_KINDS)}
    if not df.empty:
        # ``detail`` (the unknown code) last: ties on the count would otherwise keep the database's
        # row order, which DuckDB does not fix between runs, and the cache check compares frames.
        df = (
            df.assign(_k=df["check"].map(order), _d=df["detail"].astype(str))
            .sort_values(
                ["_k", "table", "column", "rows", "_d"], ascending=[True, True, True, False, True], kind="mergesort"
            )
            .drop(columns=["_k", "_d"])
            .reset_index(drop=True)
        )
    return df.astype({"rows": "int64", "table_rows": "int64"})


# --- public API ------------------------------------------------------------------------------


def _describe_target(db: Database) -> str:
    return display_url(db.engine.url)


def _open(db_or_url: Database | str | None) -> tuple[Database | None, CheckReport]:
    """The database and an empty report on it, or None and a report saying why it cannot open."""
    if isinstance(db_or_url, Database):
        return db_or_url, CheckReport(target=_describe_target(db_or_url))
    try:
        db = connect(db_or_url)
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return None, CheckReport(target=_safe_url(db_or_url), connected=False, error=reason(exc))
    return db, CheckReport(target=_describe_target(db))


def startup_check(db_or_url: Database | str | None = None) -> CheckReport:
    """Structure only (tables and columns): cheap enough for every app start on a big database.

    The app calls ``startup_check(db_or_url).raise_if_unusable()`` and shows
    :class:`UnusableDatabase`'s message instead of a traceback (a URL that cannot be opened is
    reported the same way). Bad rows are left to the pages' data-quality panels.
    """
    db, report = _open(db_or_url)
    if db is not None:
        _check_structure(db, report)
        _add_coverage(db, report)
        _close_if_opened(db, db_or_url)
    return report


def _add_coverage(db: Database, report: CheckReport) -> None:
    """Source, core tables served and per-section coverage (structure only: no data is read)."""
    if not report.connected:
        return
    from .coverage import coverage
    from .sources import native_tables

    report.source = db.source
    report.source_schema = db.standards.ssd.schema if db.source == "ssd" else None
    if db.source == "native" and db._tables is None:  # reuse the probe just made
        db._tables = native_tables(report.missing_tables, report.missing_columns, report.unreadable_tables)
    try:
        tb = db.tables
    except DatabaseError as exc:
        report.connected, report.error = False, str(exc)
        return
    report.core_served = tuple(t for t in CORE_TABLES if tb.reason(t, "*") is None)
    report.coverage = coverage(db)


def check_database(db_or_url: Database | str | None = None, f: Filters | None = None) -> CheckReport:
    """The full check behind ``check-db``: structure, then bad-row counts for what is present.

    Accepts an open :class:`Database` or a URL (``None``: the default database); a database that
    cannot be opened gives a report with ``connected=False``, never an exception.
    """
    db, report = _open(db_or_url)
    if db is not None:
        present = _check_structure(db, report)
        _add_coverage(db, report)
        if report.connected:
            report.bad_rows = _count_bad_rows(db, present, f, report.failed_checks)
            try:
                report.date_range = date_range(db)
            except DatabaseError as exc:
                report.failed_checks["date range"] = str(exc)
            if db.source == "ssd":
                from .sources.ssd_checks import ssd_findings

                try:
                    report.ssd_findings = ssd_findings(db)
                except DatabaseError as exc:
                    report.failed_checks["ssd checks"] = str(exc)
        _close_if_opened(db, db_or_url)
    return report


def _close_if_opened(db: Database, given) -> None:
    if db is not given:  # opened here from a URL: release its connections (DuckDB holds a file lock)
        db.dispose()


def data_quality(db: Database, f: Filters | None = None, tables: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Counts of bad rows for the data-quality panels and the board pack's appendix.

    Columns ``table, check, column, detail, rows, table_rows``; one row per non-zero count
    (``check`` in :data:`CHECK_KINDS`; ``detail`` is the unknown code itself for ``unknown_code``).
    With a team or service filter, tables that place a row in a team (plans, allocations,
    workers, transfers from or to, JARP referring team) count the selected teams' rows only;
    the others (children, referrals, CLA episodes, reviews, visits, JARP criteria) are counted
    whole. The as-at date does not apply: a bad row is bad whatever the date. Checks whose
    columns are missing are skipped. ``tables`` limits the count to the tables a page reads.
    """
    present = _check_structure(db, CheckReport())
    return _count_bad_rows(db, present, f, only=tables)


def _quality_scope(f: Filters | None = None, tables: tuple[str, ...] | None = None) -> tuple:
    """What :func:`data_quality` depends on besides the database: the teams and services and the
    tables, never the as-at date. The dashboard's cache keys on this (``cache_args``), so every
    date a user moves to reuses one count (1.9 s per call at 1M children). The data version is
    the cache's lifetime, as for every other result: a fingerprint query per table would cost a
    scan of each table on SQLite per request to detect a load that happens once a night."""
    return (None if f is None else (f.services, f.teams)), (None if tables is None else tuple(tables))


data_quality.cache_args = _quality_scope  # type: ignore[attr-defined]


def _safe_url(url: str | None) -> str:
    if url is None:
        from .engine import default_url

        url = default_url()
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return "(unparseable URL)"


def main(url: str | None = None) -> int:
    """``csc-dashboard check-db [URL]``: print the report; exit 0 usable, 1 unusable, 2 no connection."""
    report = check_database(url)
    print(report.format())
    return report.exit_code
