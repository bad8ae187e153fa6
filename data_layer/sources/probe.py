"""Probing a database's structure: which tables and columns it has, as the queries see them.

A low module (it imports only the schema, the dialect helpers and the exceptions), so both the
sources (:mod:`.build` for the native contract, :mod:`.ssd` for the ``ssd_*`` tables) and
:mod:`data_layer.checks` use it without importing each other. Only names are probed (a zero-row
``SELECT *`` per table): no row is read, nothing is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import inspect, literal, literal_column, select
from sqlalchemy import table as sql_table
from sqlalchemy.engine import Connection, Engine

from .. import schema
from ..dialect import identifiers_case_sensitive
from ..errors import DatabaseError, ReadOnlyViolation


@dataclass
class StructureProbe:
    """What a native database serves of the data contract (:func:`probe_native`)."""

    connected: bool = True
    error: str | None = None
    missing_tables: list[str] = field(default_factory=list)
    #: Tables that exist but cannot be read (e.g. permission denied): name -> reason.
    unreadable_tables: dict[str, str] = field(default_factory=dict)
    missing_columns: list[tuple[str, str]] = field(default_factory=list)
    #: The contract columns present, per table that could be read.
    present: dict[str, set[str]] = field(default_factory=dict)


def listed_names(bind, schema: str | None = None) -> set[str] | None:
    """Tables and views SQLAlchemy's inspector sees in ``schema`` (None: the login's default; ``bind``:
    an engine, a connection or a :class:`~data_layer.engine.Database`), or None when it cannot list them."""
    try:
        insp = inspect(bind if isinstance(bind, (Engine, Connection)) else bind.engine)
        names = set(insp.get_table_names(schema=schema)) | set(insp.get_view_names(schema=schema))
        try:
            names |= set(insp.get_materialized_view_names(schema=schema))
        except NotImplementedError:
            pass
        return names
    except Exception:  # noqa: BLE001 - listing is only used to word the message
        return None


def columns_of(conn, name: str, schema: str | None = None) -> list[str]:
    """Column names as the queries see them: a zero-row ``SELECT *`` (works for views too) on
    table ``name`` in ``schema`` (None: the login's default schema).

    Not the inspector's ``get_columns``: duckdb-engine's fails under SQLAlchemy 2.1, and a
    probe follows the search path and synonyms exactly as the dashboard's own queries do.
    """
    return list(conn.execute(select(literal_column("*")).select_from(sql_table(name, schema=schema)).limit(0)).keys())


def same_name(dialect: str):
    """How a database's table and column names compare with the contract's (see the dialect module)."""
    return (lambda s: s) if identifiers_case_sensitive(dialect) else str.lower


_CONNECTION_TEXT = re.compile(r"server at|\bport\b|\bhost\b|connection", re.I)


def reason(exc: Exception) -> str:
    """A one-line, parameter-free reason (parameters could hold identifiers)."""
    if isinstance(exc, DatabaseError):
        return str(exc)
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else ""
    if _CONNECTION_TEXT.search(text):  # a driver's connection error names the host and port
        return f"{type(orig).__name__}: the database could not be reached"
    return f"{type(orig).__name__}: {text[:300]}" if text else type(orig).__name__


def contract_tables():
    """Contract tables in docs/DEFINITIONS.md's order (reports read top-down like the contract)."""
    return list(schema.metadata.tables.values())


def probe_native(db) -> StructureProbe:
    """The contract tables and columns ``db`` (a native database) serves.

    One connection for the lot (opening one costs more than a probe on DuckDB); after a failed
    probe the transaction is rolled back so PostgreSQL accepts the next one. A database that
    cannot be opened gives ``connected=False`` and the reason, never an exception (a refused
    statement, :class:`~data_layer.errors.ReadOnlyViolation`, is raised).
    """
    norm = same_name(db.dialect)
    found = StructureProbe()
    try:
        with db.engine.connect() as conn:
            conn.execute(select(literal(1))).scalar()
            listed = listed_names(conn)
            conn.rollback()
            for tbl in contract_tables():
                try:
                    names = {norm(c) for c in columns_of(conn, tbl.name)}
                except ReadOnlyViolation:
                    raise
                except Exception as exc:  # noqa: BLE001 - missing or unreadable: reported
                    conn.rollback()
                    if listed is not None and tbl.name in listed:
                        found.unreadable_tables[tbl.name] = reason(exc)
                    else:
                        found.missing_tables.append(tbl.name)
                    continue
                found.present[tbl.name] = {c.name for c in tbl.columns if norm(c.name) in names}
                found.missing_columns += [
                    (tbl.name, c.name) for c in tbl.columns if c.name not in found.present[tbl.name]
                ]
    except ReadOnlyViolation:
        raise
    except Exception as exc:  # noqa: BLE001 - cannot connect: reported, not raised
        return StructureProbe(connected=False, error=reason(exc))
    return found


__all__ = ["StructureProbe", "probe_native", "listed_names", "columns_of", "same_name", "reason", "contract_tables"]
