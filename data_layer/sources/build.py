"""Choosing and building a database's source (kept apart from ``__init__`` to avoid import cycles)."""

from __future__ import annotations

from ..errors import DatabaseError
from . import Tables, native_tables, probe
from .probe import probe_native


def listed_names(db, schema: str | None = None) -> set[str] | None:
    """:func:`.probe.listed_names` in lower case (detection compares with the contract's names), or None
    when the database cannot list them: detection then falls back to native."""
    names = probe.listed_names(db, schema)
    return None if names is None else {n.lower() for n in names}


def detect_source(db) -> str:
    """``ssd`` when the database has an ``ssd_person`` table and no ``children`` table, else ``native``.

    The SSD's schema (``[ssd] schema``) is searched as well as the default one.
    """
    default = listed_names(db) or set()
    if "children" in default:
        return "native"
    if "ssd_person" in default:
        return "ssd"
    schema = db.standards.ssd.schema
    if schema:
        in_schema = listed_names(db, schema) or set()
        if "ssd_person" in in_schema:
            return "ssd"
    return "native"


def build_tables(db) -> Tables:
    if db.source == "ssd":
        from .ssd import build

        return build(db)
    if getattr(db, "engine", None) is None:  # a compile-only stand-in (tests): the whole contract
        return native_tables()
    found = probe_native(db)
    if not found.connected:
        raise DatabaseError(f"The database could not be opened ({found.error})")
    return native_tables(found.missing_tables, found.missing_columns, found.unreadable_tables)
