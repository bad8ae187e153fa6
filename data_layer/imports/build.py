"""Build the embedded DuckDB file from the returns: stage every file, merge, reconcile, rename.

Merge rule (several files of one kind, e.g. years, and the same record in several returns): files
are applied in this order: Annex A, CIN census, SSDA903, workforce census; within a kind in the
order given on the command line (CIN census and workforce census: by their ``ReferenceDate``, the
order given breaking ties). Records with the same id (the child's id plus the record's start
date, see the parsers) are one row: each field takes its value from the latest record that has
one, so a later file wins and a field it leaves blank keeps the earlier value. Workers: the
workforce census's record wins; a worker known only from allocations is in post from their
first allocation's start to their last one's end (open while any is open).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from .. import schema
from .common import FileTally, ImportFailed, Stage
from .reconciliation import RECON_COLUMNS, RECON_TABLE

#: Columns left out of a table when no input fills them (so coverage names them as missing rather
#: than the pages reading NULLs as facts: e.g. no FTE, no CIN plan origin, no review chair).
OMIT_UNLESS_FILLED = {
    "workers": ("role", "fte", "qualified"),
    "cin_plans": ("origin", "end_reason"),
    "cp_plans": ("category", "end_reason"),
    "cla_episodes": ("legal_status", "end_reason"),
    "plan_reviews": ("chair_role",),
}


@dataclass
class ImportResult:
    out: Path
    tallies: list[FileTally]
    reconciliation: pd.DataFrame
    tables: dict[str, int] = field(default_factory=dict)

    def report(self) -> str:
        return format_reconciliation(self.reconciliation, self.tables, self.out)


def import_returns(
    out,
    annex_a=(),
    cin_census=(),
    ssda903=(),
    workforce=(),
    extract_date: date | None = None,
    today: date | None = None,
) -> ImportResult:
    """Import the returns into a new DuckDB file ``out`` (replaced only when the import succeeds).

    Raises :class:`ImportFailed` (one line naming the file and column) and writes nothing on an
    unreadable file, a wrong format or a missing required column.
    """
    import duckdb

    out = Path(out)
    today = today or date.today()
    if not (annex_a or cin_census or ssda903 or workforce):
        raise ImportFailed("nothing to import: give --annex-a, --cin-census, --ssda903 and/or --workforce")
    for p in [*annex_a, *cin_census, *ssda903, *workforce]:
        if not Path(p).exists():
            raise ImportFailed(f"{p}: no such file or folder")
    if not out.parent.exists():
        raise ImportFailed(f"{out.parent}: the folder for --out does not exist")
    tmp = out.with_name(f".{out.name}.importing-{os.getpid()}")
    _remove(tmp)
    # Bounded memory whatever the return's size: DuckDB spills the merge to disk beyond this.
    con = duckdb.connect(str(tmp), config={"memory_limit": "256MB", "preserve_insertion_order": False})
    try:
        stage = Stage(con)
        tallies = _parse_all(
            stage,
            [Path(p) for p in annex_a],
            [Path(p) for p in cin_census],
            [Path(p) for p in ssda903],
            [Path(p) for p in workforce],
            extract_date,
            today,
        )
        tables = _finalise(con, stage)
        recon = _reconcile(con, stage, tallies)
        for t in stage.created:
            con.execute(f"DROP TABLE _stage_{t}")
        con.register("_recon", recon)
        con.execute(f"CREATE TABLE {RECON_TABLE} AS SELECT * FROM _recon")
        con.unregister("_recon")
        con.execute("CHECKPOINT")
        con.close()
    except BaseException:
        con.close()
        _remove(tmp)
        raise
    os.replace(tmp, out)
    _remove(Path(f"{tmp}.wal"))
    return ImportResult(out, tallies, recon, tables)


def _remove(p: Path) -> None:
    for q in (p, Path(f"{p}.wal")):
        if q.exists():
            q.unlink()


def _parse_all(stage, annex_a, cin_census, ssda903, workforce, extract_date, today) -> list[FileTally]:
    from . import annex_a as aa
    from . import cin_census as cin
    from . import ssda903 as s903
    from . import workforce as wf

    tallies: list[FileTally] = []
    seq = 1000
    for p in annex_a:
        seq += 1
        tallies += aa.parse(p, seq, stage, today, extract_date)
    seq = 2000
    by_ref = sorted(enumerate(cin_census), key=lambda ip: (cin.reference_date(ip[1]) or date.min, ip[0]))
    for _, p in by_ref:
        seq += 1
        tallies.append(cin.parse(p, seq * 100, stage))
    seq = 3000
    for p in ssda903:
        seq += 1
        tallies += s903.parse_folder(p, seq, stage, today)
    seq = 4000
    by_ref = sorted(enumerate(workforce), key=lambda ip: (cin.reference_date(ip[1]) or date.min, ip[0]))
    for _, p in by_ref:
        seq += 1
        tallies.append(wf.parse(p, seq * 100, stage))
    return tallies


def _columns(stage, table) -> list[str]:
    omit = OMIT_UNLESS_FILLED.get(table, ())
    filled = stage.filled.get(table, set())
    return [c.name for c in schema.metadata.tables[table].columns if c.name not in omit or c.name in filled]


def _latest(col: str) -> str:
    return f'arg_max("{col}", _ord) FILTER (WHERE "{col}" IS NOT NULL) AS "{col}"'


def _finalise(con, stage) -> dict[str, int]:
    """Create each contract table an input fills (and ``teams``, empty when no input names a team)."""
    stage._create("teams")
    counts = {}
    for table in schema.metadata.tables:
        if table not in stage.created:
            continue
        cols = _columns(stage, table)
        pid = schema.PRIMARY_IDS[table]
        if table == "workers":
            sql = _workers_sql(cols)
        else:
            rest = [c for c in cols if c != pid]
            aggs = [("bool_or(uasc) AS uasc" if (table, c) == ("children", "uasc") else _latest(c)) for c in rest]
            sql = f'SELECT "{pid}", {", ".join(aggs)} FROM _stage_{table} GROUP BY "{pid}" ORDER BY "{pid}"'
        con.execute(f"CREATE TABLE {table} AS {sql}")
        counts[table] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return counts


def _workers_sql(cols: list[str]) -> str:
    census_cols = [c for c in cols if c != "worker_id"]
    census = (
        f"SELECT worker_id, {', '.join(_latest(c) for c in census_cols)} FROM _stage_workers "
        "WHERE _kind = 'workforce' GROUP BY worker_id"
    )
    derived = (
        f"SELECT worker_id, {_latest('worker_name')}, {_latest('team_id')}, min(start_date) AS start_date, "
        "CASE WHEN bool_or(end_date IS NULL) THEN NULL ELSE max(end_date) END AS end_date "
        "FROM _stage_workers WHERE _kind <> 'workforce' GROUP BY worker_id"
    )
    pick = {
        "worker_id": "coalesce(c.worker_id, d.worker_id)",
        "worker_name": "coalesce(d.worker_name, c.worker_name)",
        "team_id": "coalesce(d.team_id, c.team_id)",
        "start_date": "coalesce(c.start_date, d.start_date)",
        "end_date": "CASE WHEN c.worker_id IS NOT NULL THEN c.end_date ELSE d.end_date END",
    }
    select = ", ".join(f'{pick.get(c, "c." + c)} AS "{c}"' for c in cols)
    return f"SELECT {select} FROM ({census}) c FULL OUTER JOIN ({derived}) d ON c.worker_id = d.worker_id ORDER BY 1"


_MERGED = "the same record (same id) comes again later: merged, later values winning"


def _reconcile(con, stage, tallies: list[FileTally]) -> pd.DataFrame:
    """One row per (file, record, outcome, reason); outcomes read, loaded, flagged, merged, rejected, note."""
    rows: list[tuple] = []
    for t in tallies:
        for record, n in sorted(t.read.items()):
            rows.append((t.kind, t.file, record, "read", None, int(n)))
        for (record, reason), n in sorted(t.rejected.items()):
            rows.append((t.kind, t.file, record, "rejected", reason, int(n)))
        for note in t.notes:
            rows.append((t.kind, t.file, None, "refused_column" if "looks like a name" in note else "note", note, None))
    for table in sorted(stage.created):
        pid = schema.PRIMARY_IDS[table]
        q = f"""
            SELECT _kind, _file, _record,
                   CASE WHEN _later > 0 THEN 'merged' WHEN _flag IS NOT NULL THEN 'flagged' ELSE 'loaded' END,
                   CASE WHEN _later > 0 THEN '{_MERGED}' ELSE _flag END, count(*)
            FROM (SELECT *, count(*) OVER (PARTITION BY "{pid}" ORDER BY _ord
                                           ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS _later
                  FROM _stage_{table})
            WHERE _primary GROUP BY ALL"""
        rows += [tuple(r[:5]) + (int(r[5]),) for r in con.execute(q).fetchall()]
    df = pd.DataFrame(rows, columns=RECON_COLUMNS)
    order = {"read": 0, "loaded": 1, "flagged": 2, "merged": 3, "rejected": 4, "refused_column": 5, "note": 6}
    df = (
        df.assign(_o=df["outcome"].map(order), _r=df["record"].fillna(""), _s=df["reason"].fillna(""))
        .sort_values(["kind", "file", "_r", "_o", "_s"])
        .drop(columns=["_o", "_r", "_s"])
        .reset_index(drop=True)
    )
    _check_nothing_lost(df)
    return df


def _check_nothing_lost(df: pd.DataFrame) -> None:
    """Every record read is loaded, flagged, merged or rejected: the counts must add up."""
    counted = df[df["outcome"].isin(["read", "loaded", "flagged", "merged", "rejected"])]
    for (f, rec), g in counted.groupby(["file", "record"]):
        read = int(g.loc[g["outcome"] == "read", "records"].sum())
        rest = int(g.loc[g["outcome"] != "read", "records"].sum())
        if read != rest:
            raise ImportFailed(f"{f}: internal error: {rec}: {read} records read but {rest} accounted for")


def format_reconciliation(df: pd.DataFrame, tables: dict[str, int] | None = None, out=None) -> str:
    lines = []
    for (kind, f), g in df.groupby(["kind", "file"], sort=False):
        lines.append(f"{f} ({kind}):")
        for rec, r in g[g["record"].notna()].groupby("record", sort=False):
            n = {
                o: int(r.loc[r["outcome"] == o, "records"].sum())
                for o in ("read", "loaded", "flagged", "merged", "rejected")
            }
            lines.append(
                f"  {rec}: read {n['read']:,}; loaded {n['loaded']:,}; flagged {n['flagged']:,}; "
                f"merged {n['merged']:,}; rejected {n['rejected']:,}"
            )
            for o in ("flagged", "rejected"):
                for x in r[r["outcome"] == o].itertuples():
                    lines.append(f"    {o}: {x.reason}: {int(x.records):,}")
        for x in g[g["record"].isna()].itertuples():
            lines.append(f"  {'REFUSED ' if x.outcome == 'refused_column' else ''}{x.reason}")
    if tables:
        lines.append("Tables written: " + ", ".join(f"{t} {n:,}" for t, n in tables.items()))
    if out is not None:
        lines.append(f"Wrote {out}. Serve it with: csc-dashboard run --database duckdb:///{out}")
    return "\n".join(lines)
