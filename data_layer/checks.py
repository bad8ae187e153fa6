"""Schema and data-quality checks: is this database usable, and which rows are bad?

The dashboard reads warehouses it does not control, so it checks before it trusts (docs/DATA_CONTRACT.md and
7). Two levels:

* **Structure** (:func:`startup_check`): which contract tables and columns are present. A missing
  one makes the sections that need it say so (partial data, ``data_layer.coverage``); only a
  database serving none of the core tables is unusable (the app refuses to start and ``check-db``
  exits non-zero). Cheap (one listing plus a zero-row ``SELECT`` per table), so it runs at every start-up.
* **Bad rows** (:func:`data_quality`): end before start, orphan ids, NULL required values,
  duplicate ids, unknown codes. They do not make a database unusable: figures exclude them and the
  data-quality panels count them, never silently. Counted in SQL per team (:func:`bad_rows_by_team`:
  one scan grouped by the table's team columns, and one ``UNION ALL`` of its orphan, duplicate and
  code counts), so a 10M-row warehouse is fine and any team or service filter is then a selection
  in pandas (:func:`select_bad_rows`), with no query.

Only counts and codes are reported, never ids: the output can be pasted into a ticket.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import (
    String,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
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
    "bad_rows_by_team",
    "select_bad_rows",
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


def _team_columns(t, present: dict[str, set[str]]) -> list:
    """The columns that place a row of ``t`` in a team (present ones only): what the counts are grouped by."""
    return [t.c[c] for c in _TEAM_COLUMNS.get(t.name, ()) if c in present[t.name]]


def _scan_checks(t, present: dict[str, set[str]]) -> list[tuple]:
    """(check, column, detail, SQL sum) for the counts one scan of the table can make."""
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
    return scan + _value_counts(t, cols)


def _side_checks(t, present: dict[str, set[str]], codes, tables, teams: list) -> list[tuple]:
    """(check, column, detail, SELECT) for the counts that need their own plan: orphan ids (an
    anti-join or index probe), duplicate ids, unknown codes. Each SELECT gives ``k, value, team_1..,
    n`` grouped by team, so they go to the database as one ``UNION ALL``."""
    cols = present[t.name]
    labels = [c.label(f"team_{i + 1}") for i, c in enumerate(teams)]
    out: list[tuple[str, str, str | None, Any]] = []
    for tbl, col, ref, ref_col in schema.FOREIGN_KEYS:
        if tbl == t.name and col in cols and ref_col in present.get(ref, ()):
            ref_t = (tables[ref] if tables is not None else schema.metadata.tables[ref]).alias(f"ref_{ref}")
            note = "; NULL = awaiting allocation, not counted" if (tbl, col) == ("allocations", "worker_id") else ""
            orphan = (
                select(literal(f"x{len(out)}", String).label("k"), cast(None, String).label("value"), *labels)
                .add_columns(func.count().label("n"))
                .where(t.c[col].is_not(None), ~exists().where(ref_t.c[ref_col] == t.c[col]))
                .group_by(*teams)
            )
            out.append(("orphan_id", col, f"not in {ref}.{ref_col}{note}", orphan))
    pid = schema.PRIMARY_IDS.get(t.name)
    if pid in cols:
        # Rows of each repeated id per team; the id itself stays in the database (a rank stands for it).
        again = t.alias(f"again_{t.name}")
        repeated = select(again.c[pid]).where(again.c[pid].is_not(None)).group_by(again.c[pid]).having(func.count() > 1)
        per_team = (
            select(t.c[pid].label("id"), *labels, func.count().label("n"))
            .where(t.c[pid].in_(repeated))
            .group_by(t.c[pid], *teams)
            .subquery(f"repeated_{t.name}")
        )
        dup = select(
            literal(f"x{len(out)}", String).label("k"),
            cast(func.dense_rank().over(order_by=per_team.c.id), String).label("value"),
            *[per_team.c[f"team_{i + 1}"] for i in range(len(teams))],
            per_team.c.n,
        )
        out.append(("duplicate_id", pid, "rows beyond the first with the same id", dup))
    for (tbl, col), allowed in codes.items():
        if tbl == t.name and col in cols:
            value = cast(t.c[col], String)  # a warehouse may hold codes in another type
            unknown = (
                select(literal(f"x{len(out)}", String).label("k"), value.label("value"), *labels)
                .add_columns(func.count().label("n"))
                .where(value.is_not(None), value.not_in(sorted(allowed)))
                .group_by(value, *teams)
            )
            out.append(("unknown_code", col, None, unknown))
    return out


def _table_by_team(conn, t, present, codes, tables) -> list[dict]:
    """Table ``t``'s counts per team (or pair of teams): one scan, and at most one ``UNION ALL`` of
    the orphan, duplicate and code counts, run only when the table has rows."""
    teams = _team_columns(t, present)
    scan = _scan_checks(t, present)
    query = select(
        *[c.label(f"team_{i + 1}") for i, c in enumerate(teams)],
        func.count().label("n"),
        *[e.label(f"s{i}") for i, (*_, e) in enumerate(scan)],
    ).select_from(t)
    if teams:
        query = query.group_by(*teams)
    groups = conn.execute(query).all()
    scoped = bool(teams)

    def row(check, column, detail, item, team_values, n) -> dict:
        named = [None if v is None else str(v) for v in team_values] + [None, None]
        return dict(
            table=t.name,
            check=check,
            column=column,
            detail=detail,
            item=item,
            scoped=scoped,
            team_1=named[0],
            team_2=named[1],
            rows=int(n or 0),
        )

    rows = []
    for g in groups:
        at, n, sums = g[: len(teams)], g[len(teams)], g[len(teams) + 1 :]
        rows.append(row(_TABLE_ROWS, "", "", None, at, n))
        rows += [row(kind, col, detail, None, at, v) for (kind, col, detail, _), v in zip(scan, sums, strict=True) if v]
    side = _side_checks(t, present, codes, tables, teams) if sum(int(g[len(teams)] or 0) for g in groups) else []
    if side:
        spec = {f"x{i}": s[:3] for i, s in enumerate(side)}
        parts = [q for *_, q in side]
        statement: Any = parts[0] if len(parts) == 1 else union_all(*parts)
        for found in conn.execute(statement):
            (kind, col, detail), value = spec[found[0]], found[1]
            at, n = tuple(found[2:-1]), found[-1]
            if kind == "unknown_code":
                rows.append(row(kind, col, str(value), None, at, n))
            else:
                rows.append(row(kind, col, detail, value if kind == "duplicate_id" else None, at, n))
    return rows


#: ``check`` of :func:`bad_rows_by_team`'s rows that are not findings: a table's rows per team, and
#: each team's service (``team_1`` the team, ``detail`` the service) for the service filter.
_TABLE_ROWS, _TEAM_SERVICE = "table_rows", "team_service"
BY_TEAM_COLUMNS = ["table", "check", "column", "detail", "item", "scoped", "team_1", "team_2", "rows", "services_known"]


def _team_services(conn, tables, present) -> list[dict] | None:
    """A row per team and service (None when the teams table has no service column: the service
    filter cannot apply). A team id listed twice keeps both services, as the SQL filter does."""
    if not {"team_id", "service"} <= present.get("teams", set()):
        return None
    teams = tables["teams"]
    pairs = conn.execute(select(teams.c.team_id, teams.c.service).distinct()).all()
    return [
        dict(
            table="teams",
            check=_TEAM_SERVICE,
            column="service",
            detail=str(service),
            item=None,
            scoped=False,
            team_1=str(team),
            team_2=None,
            rows=0,
        )
        for team, service in pairs
        if team is not None and service is not None
    ]


def _count_by_team(
    db: Database,
    present: dict[str, set[str]],
    failed: dict[str, str] | None = None,
    only: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Bad-row counts of every present table per team, on one connection (:func:`bad_rows_by_team`).

    A table whose queries fail (e.g. a column of an unexpected type) is recorded in ``failed``
    and the others still counted; with ``failed=None`` the failure is raised as DatabaseError.
    """
    codes = _codes(db)
    rows: list[dict] = []
    try:
        with db.engine.connect() as conn:
            tables = db.tables
            services = _team_services(conn, tables, present)
            rows += services or []
            for name in (t.name for t in contract_tables()):
                if name not in present or (only is not None and name not in only):
                    continue
                t = tables[name]
                try:
                    rows += _table_by_team(conn, t, present, codes, tables)
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
    df = pd.DataFrame(rows, columns=BY_TEAM_COLUMNS[:-1]).assign(services_known=services is not None)
    # In a fixed order: DuckDB returns groups in no fixed order between runs, and the cache check
    # (benchmarks, tests) compares frames. Tables stay in the contract's order.
    df["_t"] = pd.factorize(df["table"])[0]
    df = df.sort_values(["_t", "check", "column", "detail", "item", "team_1", "team_2"], kind="mergesort")
    df = df.drop(columns="_t").reset_index(drop=True)
    return df.astype({"rows": "int64", "scoped": "bool", "services_known": "bool"})


def _selected(by_team: pd.DataFrame, teams: tuple[str, ...], services: tuple[str, ...]) -> pd.Series:
    """Which rows of :func:`bad_rows_by_team` the filter keeps: what ``Filters.team_clause`` keeps in
    SQL, on any of the row's team columns (a transfer from or to a selected team); a row with no team
    is never a selected team's. Tables without a team column, and every table when the service filter
    cannot apply (no ``teams.service``), are kept whole."""
    everything = pd.Series(True, index=by_team.index)
    if not (teams or services) or by_team.empty:
        return everything
    if services and not bool(by_team["services_known"].iloc[0]):
        return everything
    mapping = by_team[by_team["check"] == _TEAM_SERVICE]
    of_services = set(mapping.loc[mapping["detail"].isin(set(services)), "team_1"])
    keep = ~by_team["scoped"]
    for team in (by_team["team_1"], by_team["team_2"]):
        ok = team.notna()
        if teams:
            ok &= team.isin({str(t) for t in teams})
        if services:
            ok &= team.isin(of_services)
        keep |= ok
    return keep


def select_bad_rows(by_team: pd.DataFrame, teams: tuple[str, ...] = (), services: tuple[str, ...] = ()) -> pd.DataFrame:
    """:func:`data_quality`'s findings for the teams and services chosen (a filter's ``teams`` and
    ``services``; the as-at date never applies) from the per-team counts: pandas, no query.

    A duplicate id counts the rows beyond its first among the selected rows: an id repeated in two
    teams is one duplicate row with both teams selected and none with one.
    """
    part = by_team[_selected(by_team, tuple(teams), tuple(services))]
    keys = ["table", "check", "column", "detail"]
    counted = part[~part["check"].isin((_TABLE_ROWS, _TEAM_SERVICE))]
    per_item = counted.groupby([*keys, "item"], sort=False, dropna=False)["rows"].sum()
    per_item -= per_item.index.get_level_values("check") == "duplicate_id"  # an id's rows beyond its first
    found = per_item.groupby(level=keys, sort=False).sum()
    found = found[found > 0].reset_index()
    totals = part[part["check"] == _TABLE_ROWS].groupby("table", sort=False)["rows"].sum()
    found["table_rows"] = found["table"].map(totals).fillna(0)
    # check-db's order: kind, table, column, most rows first, then ``detail`` (the unknown code) so
    # that two codes with the same count always come in one order.
    found["_k"] = found["check"].map({k: i for i, k in enumerate(CHECK_KINDS)})
    found = found.sort_values(
        ["_k", "table", "column", "rows", "detail"], ascending=[True, True, True, False, True], kind="mergesort"
    )
    return found[DQ_COLUMNS].reset_index(drop=True).astype({"rows": "int64", "table_rows": "int64"})


def _chosen(f: Filters | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return ((), ()) if f is None else (tuple(f.teams), tuple(f.services))


def _count_bad_rows(
    db: Database,
    present: dict[str, set[str]],
    f: Filters | None,
    failed: dict[str, str] | None = None,
    only: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Bad-row findings of every present table for filter ``f`` (counted per team, then selected)."""
    return select_bad_rows(_count_by_team(db, present, failed, only), *_chosen(f))


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


def bad_rows_by_team(db: Database, tables: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Every bad-row count of the database per team (columns :data:`BY_TEAM_COLUMNS`), for
    :func:`select_bad_rows` to answer any team or service filter from without a query.

    What the dashboard caches: the counts depend on the database alone (not the as-at date, not the
    filters), so one count per data version serves every view (1.9 s per filter at 1M children when
    each filter was counted in SQL). ``tables`` limits it to the tables a page reads. A repeated id is
    a rank (``item``), never the id: only counts and codes leave the database.
    """
    present = _check_structure(db, CheckReport())
    return _count_by_team(db, present, only=tables)


def data_quality(db: Database, f: Filters | None = None, tables: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Counts of bad rows for the data-quality panels and the board pack's appendix.

    Columns ``table, check, column, detail, rows, table_rows``; one row per non-zero count
    (``check`` in :data:`CHECK_KINDS`; ``detail`` is the unknown code itself for ``unknown_code``).
    With a team or service filter, tables that place a row in a team (plans, allocations,
    workers, transfers from or to, JARP referring team) count the selected teams' rows only;
    the others (children, referrals, CLA episodes, reviews, visits, JARP criteria) are counted
    whole. The as-at date does not apply: a bad row is bad whatever the date. Checks whose
    columns are missing are skipped. ``tables`` limits the count to the tables a page reads.
    Counted per team (:func:`bad_rows_by_team`), then selected (:func:`select_bad_rows`).
    """
    return select_bad_rows(bad_rows_by_team(db, tables), *_chosen(f))


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
