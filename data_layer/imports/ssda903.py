"""SSDA903 (looked-after children) CSV tables -> staged contract rows, streamed in chunks.

One folder per return (year). Tables by file name (``header.csv``, ``episodes.csv``, ...; a name that
ends with the table's name, e.g. ``903_2024_episodes.csv``, also counts), headers matched case- and
space-insensitively, dd/mm/yyyy dates (ISO dates accepted too), a UTF-8 byte-order mark tolerated.

| SSDA903 | contract |
|---|---|
| ``header`` (CHILD, SEX, DOB, ETHNIC) | ``children`` (UPN, MOTHER, MC_DOB never read) |
| ``uasc`` (CHILD) | ``children.uasc`` true (false for a child of ``header`` not in it) |
| ``episodes`` (CHILD, DECOM, DEC, LS, REC): one row per episode | ``cla_episodes`` |
| ``sw_episodes`` (CHILD, SW_ID, SW_DECOM, SW_DEC) | ``allocations`` (key worker history) and ``workers`` |
| ``reviews``, ``missing``, ``oc2``, ``oc3``, ``ad1``, ... | not in the contract: rows counted as not imported |
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from .common import FileTally, ImportFailed, looks_like_name, norm, sex

KIND = "ssda903"
CHUNK = 100_000

#: table -> (required columns, optional columns used)
TABLES = {
    "header": (("CHILD",), ("SEX", "DOB", "ETHNIC")),
    "uasc": (("CHILD",), ()),
    "episodes": (("CHILD", "DECOM"), ("DEC", "LS", "REC")),
    "sw_episodes": (("CHILD", "SW_ID", "SW_DECOM"), ("SW_DEC",)),
}
#: Order within one return: children before what refers to them, uasc after header (it sets the flag).
ORDER = ("header", "uasc", "episodes", "sw_episodes")

#: SSDA903 legal status (LS) -> contract legal_status. Codes not listed are kept as written (check-db reports them).
LEGAL_STATUS = {
    "C1": "ico",
    "C2": "co",
    "D1": "po",
    "E1": "po",
    "J1": "remand",
    "J2": "remand",
    "J3": "remand",
    "L1": "pp",
    "L2": "epo",
    "L3": "other",
    "V2": "s20",
    "V3": "s20",
    "V4": "s20",
}
#: SSDA903 reason episode ceased (REC) -> contract end_reason.
END_REASON = {
    "E11": "adoption",
    "E12": "adoption",
    "E4A": "returned_home",
    "E4B": "returned_home",
    "E41": "other",
    "E43": "sgo",
    "E44": "sgo",
    "E45": "sgo",
    "E46": "sgo",
    "E47": "sgo",
    "E48": "sgo",
    "E5": "independent_living",
    "E6": "independent_living",
    "E17": "age_18",
    "E3": "moved_away",
    "E16": "moved_away",
    "E13": "other",
    "E14": "other",
    "E15": "other",
    "E2": "other",
    "E7": "other",
    "E8": "other",
    "E9": "other",
    "X1": "other",
}

FILLS = {
    "children": ("child_id", "birth_date", "sex", "ethnicity", "uasc"),
    "cla_episodes": ("episode_id", "child_id", "start_date", "end_date", "legal_status", "end_reason"),
    "allocations": ("allocation_id", "child_id", "worker_id", "role", "start_date", "end_date"),
    "workers": ("worker_id", "start_date", "end_date"),
}


def tables_in(folder: Path) -> dict[str, Path]:
    """The SSDA903 tables of a folder: name -> file; every other CSV is counted as not imported."""
    out: dict[str, Path] = {}
    for p in sorted(folder.glob("*.csv")) + sorted(folder.glob("*.CSV")):
        stem = norm(p.stem)
        name = next(
            (t for t in sorted(TABLES, key=len, reverse=True) if stem == norm(t) or stem.endswith(norm(t))), None
        )
        key = name or f"other:{p.name}"
        if name and name in out:
            raise ImportFailed(f"{p}: a second {name} table in {folder.name} (also {out[name].name})")
        out[key] = p
    return out


def _header(path: Path) -> list[str]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            return next(csv.reader(fh), [])
    except UnicodeDecodeError:
        raise ImportFailed(f"{path}: not UTF-8 text (an SSDA903 table is a UTF-8 CSV)") from None
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _columns(path: Path, table: str, tally: FileTally) -> dict[str, str]:
    """File header -> spec name for the columns used; a missing required column fails the import."""
    header = _header(path)
    if not header:
        raise ImportFailed(f"{path}: empty file (no header row)")
    by_norm = {norm(h): h for h in header}
    required, optional = TABLES[table]
    for col in required:
        if norm(col) not in by_norm:
            raise ImportFailed(f"{path}: missing required column {col}")
    for h in header:
        if looks_like_name(h):
            tally.notes.append(f"column {h.strip()} looks like a name: never imported")
    return {by_norm[norm(c)]: c for c in required + optional if norm(c) in by_norm}


def _chunks(path: Path, usecols=None):
    try:
        yield from pd.read_csv(
            path,
            dtype=str,
            encoding="utf-8-sig",
            usecols=usecols,
            chunksize=CHUNK,
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=True,
        )
    except UnicodeDecodeError:
        raise ImportFailed(f"{path}: not UTF-8 text (an SSDA903 table is a UTF-8 CSV)") from None
    except pd.errors.ParserError as exc:
        raise ImportFailed(f"{path}: not a readable CSV ({str(exc).splitlines()[0]})") from None


def _dates(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(dates, present but not a date) for a column of dd/mm/yyyy (or ISO) strings."""
    s = s.str.strip()
    d = pd.to_datetime(s, format="%d/%m/%Y", errors="coerce")
    iso = d.isna() & s.notna()
    if iso.any():
        d = d.where(~iso, pd.to_datetime(s.where(iso), format="%Y-%m-%d", errors="coerce"))
    return d, s.notna() & d.isna()


def _flag(parts: list[tuple[pd.Series, str]], index) -> pd.Series:
    out = pd.Series([None] * len(index), index=index, dtype=object)
    for mask, reason in parts:
        mask = mask.fillna(False).astype(bool)
        out = out.where(~mask, np.where(out.isna(), reason, out.astype(str) + "; " + reason))
    return out


def _meta(df, fname, record, seq, primary=True):
    df["_kind"], df["_file"], df["_record"], df["_primary"] = KIND, fname, record, primary
    df["_ord"] = seq * 10**12 + df.index.to_numpy(dtype=np.int64)
    return df


def parse_folder(folder: Path, seq: int, stage, today: date) -> list[FileTally]:
    if not folder.is_dir():
        raise ImportFailed(f"{folder}: not a folder (--ssda903 takes the folder holding the return's CSV tables)")
    found = tables_in(folder)
    if not any(t in found for t in TABLES):
        raise ImportFailed(f"{folder}: no SSDA903 table found (expected header.csv, episodes.csv, ...)")
    for table, fills in FILLS.items():
        stage.declare(table, fills)
    tallies = []
    now = pd.Timestamp(today)
    # Each table of the folder gets its own block of merge order, in ORDER, so uasc follows header.
    for i, table in enumerate(list(ORDER) + sorted(k for k in found if k.startswith("other:"))):
        if table not in found:
            continue
        path = found[table]
        label = f"{folder.name}/{path.name}"
        tally = FileTally(KIND, label)
        tallies.append(tally)
        s = seq * 100 + i
        if table.startswith("other:"):
            _header(path)
            n = sum(len(c) for c in _chunks(path, usecols=[0]))
            tally.read["row"] += n
            if n:
                tally.reject("row", f"not in the data contract ({path.stem}): not imported", n)
            continue
        cols = _columns(path, table, tally)
        for chunk in _chunks(path, usecols=list(cols)):
            chunk = chunk.rename(columns=cols)
            tally.read[table] += len(chunk)
            _stage_chunk(table, chunk, tally, label, s, stage, now)
    return tallies


def _stage_chunk(table, c: pd.DataFrame, tally, label, seq, stage, now):
    c = c.copy()
    for col in c.columns:
        c[col] = c[col].str.strip()
    no_child = c["CHILD"].isna()
    if no_child.any():
        tally.reject(table, "no CHILD", int(no_child.sum()))
    c = c[~no_child]
    if table in ("header", "uasc"):
        out = pd.DataFrame({"child_id": c["CHILD"]}, index=c.index)
        flags = []
        if table == "header":
            dob, dob_bad = _dates(c["DOB"]) if "DOB" in c else (pd.Series(pd.NaT, index=c.index), None)
            out["birth_date"] = dob.dt.to_period("M").dt.to_timestamp()
            out["sex"] = c["SEX"].map(sex) if "SEX" in c else None
            out["ethnicity"] = c["ETHNIC"] if "ETHNIC" in c else None
            out["uasc"] = False
            if dob_bad is not None:
                flags += [(dob_bad, "DOB is not a date (loaded as blank)"), (dob > now, "DOB in the future")]
        else:
            out["uasc"] = True
        out["_flag"] = _flag(flags, out.index)
        stage.add("children", _meta(out, label, table, seq))
        return
    if table == "episodes":
        start, start_bad = _dates(c["DECOM"])
        rej = start.isna()
        if rej.any():
            tally.reject(table, "DECOM missing or not a date", int(rej.sum()))
        c, start, start_bad = c[~rej], start[~rej], start_bad[~rej]
        end, end_bad = _dates(c["DEC"]) if "DEC" in c else (pd.Series(pd.NaT, index=c.index), c["CHILD"].isna())
        out = pd.DataFrame(
            {
                "episode_id": c["CHILD"] + "/" + start.dt.strftime("%Y-%m-%d"),
                "child_id": c["CHILD"],
                "start_date": start,
                "end_date": end,
            },
            index=c.index,
        )
        out["legal_status"] = (
            c["LS"].map(lambda v: LEGAL_STATUS.get(v.upper(), v) if isinstance(v, str) else None) if "LS" in c else None
        )
        out["end_reason"] = (
            c["REC"].map(lambda v: END_REASON.get(v.upper(), v) if isinstance(v, str) else None) if "REC" in c else None
        )
        out["_flag"] = _flag(
            [
                (end_bad, "DEC is not a date (loaded as blank)"),
                (end < start, "DEC before DECOM"),
                ((start > now) | (end > now), "a date in the future"),
            ],
            out.index,
        )
        stage.add("cla_episodes", _meta(out, label, table, seq))
        return
    if table == "sw_episodes":
        start, _ = _dates(c["SW_DECOM"])
        no_sw = c["SW_ID"].isna()
        rej = start.isna() | no_sw
        if (no_sw).any():
            tally.reject(table, "no SW_ID", int(no_sw.sum()))
        if (start.isna() & ~no_sw).any():
            tally.reject(table, "SW_DECOM missing or not a date", int((start.isna() & ~no_sw).sum()))
        c, start = c[~rej], start[~rej]
        end, end_bad = _dates(c["SW_DEC"]) if "SW_DEC" in c else (pd.Series(pd.NaT, index=c.index), c["CHILD"].isna())
        out = pd.DataFrame(
            {
                "allocation_id": c["CHILD"] + "/" + c["SW_ID"] + "/" + start.dt.strftime("%Y-%m-%d"),
                "child_id": c["CHILD"],
                "worker_id": c["SW_ID"],
                "role": "key_worker",
                "start_date": start,
                "end_date": end,
            },
            index=c.index,
        )
        out["_flag"] = _flag(
            [
                (end_bad, "SW_DEC is not a date (loaded as blank)"),
                (end < start, "SW_DEC before SW_DECOM"),
                ((start > now) | (end > now), "a date in the future"),
            ],
            out.index,
        )
        stage.add("allocations", _meta(out, label, table, seq))
        workers = pd.DataFrame({"worker_id": out["worker_id"], "start_date": start, "end_date": end}, index=c.index)
        workers["_flag"] = None
        stage.add("workers", _meta(workers, label, table, seq, primary=False))
