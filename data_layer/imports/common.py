"""What every return's parser shares: errors, dates, codes, name-like columns and the staging area.

Parsers never write contract tables directly. Each turns its file into *staged* rows (contract
columns plus where they came from), counts what it read and rejected, and :mod:`.build` merges
the staged rows into the contract tables and the reconciliation table.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from .. import schema


class ImportFailed(Exception):
    """The import cannot go on; ``str(exc)`` is one line naming the file (and column). Nothing is written."""


#: Header words that look like a person's name: such a column is never read, whatever the file.
_NAME_PARTS = (
    "forename",
    "surname",
    "firstname",
    "lastname",
    "fullname",
    "givenname",
    "familyname",
    "middlename",
    "preferredname",
    "knownas",
    "maidenname",
)
_NAME_EXACT = {"name", "names", "childname", "childsname", "nameofchild", "personname", "childfullname"}


def norm(header) -> str:
    """A header compared case- and space-insensitively: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", str(header or "").lower())


def looks_like_name(header) -> bool:
    """True for a column (or XML element) that looks like a person's name (``Forename``, ``Child Name``...)."""
    n = norm(header)
    return n in _NAME_EXACT or any(p in n for p in _NAME_PARTS)


_PREFIX = re.compile(r"^\s*[a-z]{1,2}\)\s*", re.I)


def code(value) -> str | None:
    """A coded value as text, without an Annex A "a) " prefix; None when blank."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = _PREFIX.sub("", str(value)).strip()
    return text or None


def text(value) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = str(value).strip()
    return s or None


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d")
BAD = object()  #: a value that is present but not a date


def parse_date(value):
    """``date``, None when blank, or :data:`BAD` when present but not a date (flagged, never guessed)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    s = str(value).strip()
    if not s:
        return None
    s = s[:10] if re.match(r"^\d{4}-\d{2}-\d{2}[T ]", s) else s
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    return BAD


def first_of_month(d):
    """Birth dates are kept to the month (docs/DATA_CONTRACT.md: "first of month is enough")."""
    return d.replace(day=1) if isinstance(d, date) else None


SEX = {
    "1": "M",
    "m": "M",
    "male": "M",
    "2": "F",
    "f": "F",
    "female": "F",
    "0": "U",
    "9": "U",
    "u": "U",
    "unknown": "U",
    "notknown": "U",
    "notspecified": "U",
    "indeterminate": "U",
    "notrecorded": "U",
}


def sex(value) -> str | None:
    """CIN census ``Sex`` (1/2) or ``GenderCurrent`` (0/1/2/9), SSDA903 ``SEX``, Annex A "a) Male" -> M/F/U.
    Anything else is kept as written (check-db reports it)."""
    c = code(value)
    return None if c is None else SEX.get(norm(c), c)


CATEGORY = {
    "neg": "neglect",
    "emo": "emotional",
    "phy": "physical",
    "sab": "sexual",
    "sex": "sexual",
    "mul": "multiple",
}


def category(value) -> str | None:
    """Category of abuse: CIN census codes (NEG, EMO, PHY, SAB, MUL) or Annex A words -> contract codes."""
    c = code(value)
    if c is None:
        return None
    n = norm(c)
    for key, out in CATEGORY.items():
        if n.startswith(key):
            return out
    return c


def yes(value) -> bool | None:
    """CIN census true/false/1/0, Annex A "a) Yes"/"b) No" -> bool; None when blank or neither."""
    c = code(value)
    if c is None:
        return None
    n = norm(c)
    if n in ("1", "true", "yes", "y"):
        return True
    if n in ("0", "false", "no", "n"):
        return False
    return None


#: Contract types of the staging columns (DuckDB names).
def duck_type(col) -> str:
    from sqlalchemy import Boolean, Date, DateTime, Float, Integer

    t = col.type
    if isinstance(t, DateTime):
        return "TIMESTAMP"
    if isinstance(t, Date):
        return "DATE"
    if isinstance(t, Boolean):
        return "BOOLEAN"
    if isinstance(t, Float):
        return "DOUBLE"
    if isinstance(t, Integer):
        return "INTEGER"
    return "VARCHAR"


META = (
    ("_kind", "VARCHAR"),
    ("_file", "VARCHAR"),
    ("_record", "VARCHAR"),
    ("_ord", "BIGINT"),
    ("_primary", "BOOLEAN"),
    ("_flag", "VARCHAR"),
)


@dataclass
class FileTally:
    """What one parser read from one file and rejected, by record kind (``records``: name -> counts)."""

    kind: str
    file: str
    read: Counter = field(default_factory=Counter)
    rejected: Counter = field(default_factory=Counter)  # (record, reason) -> n
    notes: list[str] = field(default_factory=list)  # columns or elements refused (names), printed and stored

    def reject(self, record: str, reason: str, n: int = 1) -> None:
        self.rejected[(record, reason)] += n


class Stage:
    """Staged rows in the DuckDB file being built (``_stage_<table>``), and the columns each table is filled on."""

    def __init__(self, con):
        self.con = con
        self.created: set[str] = set()
        self.filled: dict[str, set[str]] = {}
        self._n = 0

    def declare(self, table: str, columns) -> None:
        """The contract columns of ``table`` this input fills (the others are left out or NULL: build.KEEP)."""
        self.filled.setdefault(table, set()).update(columns)
        self._create(table)

    def _create(self, table: str) -> None:
        if table in self.created:
            return
        cols = [f'"{c.name}" {duck_type(c)}' for c in schema.metadata.tables[table].columns]
        cols += [f"{n} {t}" for n, t in META]
        self.con.execute(f"CREATE TABLE _stage_{table} ({', '.join(cols)})")
        self.created.add(table)

    def add(self, table: str, rows) -> None:
        """Append rows (a list of dicts or a DataFrame with contract and meta columns) to ``table``'s stage."""
        df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
        if df.empty:
            return
        self._create(table)
        t = schema.metadata.tables[table]
        names = [c.name for c in t.columns] + [n for n, _ in META]
        types = [duck_type(c) for c in t.columns] + [ty for _, ty in META]
        for n in names:
            if n not in df.columns:
                df[n] = None
        df = df[names]
        self._n += 1
        view = f"_chunk{self._n}"
        self.con.register(view, df)
        try:
            select = ", ".join(f'CAST("{n}" AS {ty})' for n, ty in zip(names, types, strict=True))
            self.con.execute(f"INSERT INTO _stage_{table} SELECT {select} FROM {view}")
        finally:
            self.con.unregister(view)


def order_key(seq: int, row: int) -> int:
    """Merge order of a staged row: file order first, then the row's place in its file."""
    return seq * 10**12 + row
