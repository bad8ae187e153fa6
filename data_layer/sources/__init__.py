"""Sources: where a database's contract tables come from (docs/ARCHITECTURE.md, "Sources").

Every query in the data layer is built on ``db.tables.<contract table>`` (``db.tables.cin_plans``,
``db.tables.allocations``, ...), never on module-level tables, so one query builder serves:

* ``native``: the database holds the data contract itself (tables or views of docs/DATA_CONTRACT.md).
  ``db.tables.X`` is the :mod:`data_layer.schema` table itself, so the SQL is exactly what it was
  before sources existed.
* ``ssd``: the authority's Standard Safeguarding Dataset. ``db.tables.X`` is a SELECT over the
  ``ssd_*`` tables, named like the contract table and with its columns (:mod:`.ssd`, which holds
  every mapping rule with its reason).

A source also says which contract columns it cannot serve and why (:attr:`Tables.unavailable`):
a missing table or column of a native database, what the SSD does not hold, or an ``ssd_*`` table
or field missing from this SSD. :mod:`data_layer.coverage` turns that into the coverage of each
page section and the :class:`~data_layer.errors.MissingData` a data-layer function raises.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from .. import schema

SOURCES = ("native", "ssd")
#: Contract tables, in docs/DEFINITIONS.md's order.
CONTRACT_TABLES: tuple[str, ...] = tuple(schema.metadata.tables)
#: A pseudo-column: the CIN rows of plan_reviews (the SSD holds CP reviews but no CIN reviews).
CIN_REVIEWS = ("plan_reviews", "plan_type='cin'")


@dataclass
class Tables:
    """The contract tables of one database as selectables, and what this source cannot serve.

    ``unavailable`` maps (table, column) -> a plain reason ("CIN plan reviews are not in the SSD");
    column ``"*"`` means the whole table. ``raw_missing`` lists source tables/fields absent from the
    database (SSD: ``ssd_cin_plans.cinp_cin_plan_team``), for check-db.
    """

    source: str
    selectables: Mapping[str, object]
    unavailable: dict[tuple[str, str], str] = field(default_factory=dict)
    raw_missing: list[str] = field(default_factory=list)
    raw_tables: Mapping[str, object] = field(default_factory=dict)

    def __getattr__(self, name: str):
        sel = self.__dict__.get("selectables")
        if sel is not None and name in sel:
            return sel[name]
        raise AttributeError(name)

    def __getitem__(self, name: str):
        return self.selectables[name]

    def reason(self, table: str, column: str) -> str | None:
        """Why ``table.column`` cannot be served, or None when it can."""
        return self.unavailable.get((table, "*")) or self.unavailable.get((table, column))

    def has(self, table: str, *columns: str) -> bool:
        return all(self.reason(table, c) is None for c in (columns or ("*",)))


def native_tables(missing_tables=(), missing_columns=(), unreadable=None) -> Tables:
    """The native contract: :mod:`data_layer.schema`'s tables, minus what the database lacks."""
    unavailable: dict[tuple[str, str], str] = {}
    for t in missing_tables:
        unavailable[(t, "*")] = f"Table {t} is not in this database"
    for t, why in (unreadable or {}).items():
        unavailable[(t, "*")] = f"Table {t} cannot be read ({why})"
    for t, c in missing_columns:
        unavailable[(t, c)] = f"Column {t}.{c} is not in this database"
    if (CIN_REVIEWS[0], "*") in unavailable or any(k[0] == "plan_reviews" for k in unavailable):
        unavailable.setdefault(
            CIN_REVIEWS, unavailable.get(("plan_reviews", "*")) or "Table plan_reviews is incomplete in this database"
        )
    return Tables(source="native", selectables=dict(schema.metadata.tables), unavailable=unavailable)


def source_from_env() -> str | None:
    """``CSC_SOURCE`` (``native`` or ``ssd``), or None to detect."""
    value = (os.environ.get("CSC_SOURCE") or "").strip().lower()
    return value or None


__all__ = ["Tables", "SOURCES", "CONTRACT_TABLES", "CIN_REVIEWS", "native_tables", "source_from_env"]
