"""The statement guard: every statement the data layer sends is parsed, and only a plain query passes.

A regex cannot know where a string ends in every dialect (PostgreSQL ``$$...$$`` and ``E'\\''``
strings walked around the old one), so statements are parsed by sqlglot in the engine's own
dialect. The verdict is cached per (dialect, text): SQLAlchemy sends the same compiled text with
different bound parameters, so parsing happens once per distinct statement.

Refused: text that does not parse; more than one statement; a root that is not a query (SELECT,
UNION/INTERSECT/EXCEPT, VALUES, WITH ... SELECT; ``SHOW <name>``; the SQLite introspection pragmas
SQLAlchemy's inspector runs); anything writing or changing the session anywhere in the tree
(data-modifying CTEs, SELECT INTO, FOR UPDATE, COPY, DDL, SET, ATTACH, INSTALL/LOAD, transaction
control, and sqlglot's ``Command`` fallback for syntax it does not model); functions that read
files, run programs, sleep or run SQL given as a string; DuckDB file paths in place of a table.
The database refuses writes too (:mod:`data_layer.engine`); this is the layer that works the same
on every backend.
"""

from __future__ import annotations

import functools
import logging
import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from .errors import ReadOnlyViolation

# sqlglot warns "... contains unsupported syntax" with the statement's text: SQL stays out of logs.
logging.getLogger("sqlglot").setLevel(logging.ERROR)

#: SQLAlchemy dialect name -> sqlglot dialect; a name not here and not a sqlglot dialect: generic parse.
_DIALECTS = {"postgresql": "postgres", "sqlite": "sqlite", "duckdb": "duckdb", "mssql": "tsql", "mysql": "mysql"}

# Schema introspection SQLAlchemy's inspector runs on SQLite; reads, never assigns.
_INTROSPECTION = re.compile(
    r"^\s*pragma\s+[\w.\"]*(table_x?info|index_list|index_info|index_xinfo|foreign_key_list|table_list|database_list)"
    r"\s*\([^=;]*\)\s*;?\s*$",
    re.I,
)
_SHOW = re.compile(r"^\s*show\s+[A-Za-z_][\w.]*\s*;?\s*$", re.I)

_QUERY_ROOTS: tuple[type[exp.Expression], ...] = (exp.Select, exp.SetOperation, exp.Values, exp.Subquery)

_WRITE_NODES: tuple[type[exp.Expression], ...] = tuple(
    getattr(exp, name)
    for name in (
        "Insert",
        "Update",
        "Delete",
        "Merge",
        "Create",
        "Drop",
        "Alter",
        "TruncateTable",
        "Copy",
        "Into",
        "Lock",
        "Set",
        "Pragma",
        "Attach",
        "Detach",
        "Install",
        "Command",
        "Transaction",
        "Commit",
        "Rollback",
        "Use",
        "LoadData",
        "Grant",
        "Revoke",
        "Export",
        "Refresh",
        "Analyze",
        "Cache",
        "Uncache",
        "Kill",
        "Comment",
        "Declare",
        "Execute",
    )  # fmt: skip
    if hasattr(exp, name)
)

#: Functions that read or list files, run programs, sleep, touch other servers, change settings or
#: sequences, or run SQL given as text (which the guard would never see).
_BAD_FUNCTIONS = frozenset(
    {
        # DuckDB
        "glob",
        "read_text",
        "read_blob",
        "sniff_csv",
        "query",
        "query_table",
        "sqlite_scan",
        "sqlite_attach",
        "postgres_scan",
        "postgres_attach",
        "postgres_query",
        "postgres_execute",
        "mysql_query",
        "mysql_execute",
        "load_aws_credentials",
        "duckdb_secrets",
        # PostgreSQL
        "pg_read_file",
        "pg_read_binary_file",
        "pg_stat_file",
        "set_config",
        "nextval",
        "setval",
        "pg_terminate_backend",
        "pg_cancel_backend",
        "pg_reload_conf",
        "pg_rotate_logfile",
        "pg_switch_wal",
        "pg_promote",
        "pg_notify",
        "pg_file_write",
        "pg_file_rename",
        "pg_file_unlink",
        "query_to_xml",
        "query_to_xmlschema",
        "query_to_xml_and_xmlschema",
        "cursor_to_xml",
        "cursor_to_xmlschema",
        "txid_current",
        "pg_current_xact_id",
        # SQLite
        "load_extension",
        "readfile",
        "writefile",
        "edit",
        "fsdir",
        "zipfile",
        "fts3_tokenizer",
    }  # fmt: skip
)
_BAD_PREFIXES = (
    "read_",  # DuckDB read_csv*, read_parquet, read_json*, read_ndjson*, read_xlsx ...
    "parquet_",
    "iceberg_",
    "delta_",
    "pg_ls_",
    "pg_sleep",
    "lo_",
    "dblink",
    "pg_advisory",
    "pg_try_advisory",
    "pg_create_",
    "pg_drop_",
    "pg_logical_",
    "pg_replication_",
)
#: A table is a name; a DuckDB path ('/etc/passwd', 'x.csv', 's3://...') in its place reads a file.
_TABLE_NAME = re.compile(r"^[A-Za-z_][\w$ ]*$")


def _function_names(node: exp.Func) -> list[str]:
    if isinstance(node, exp.Anonymous):
        return [str(node.name).lower()]
    return [n.lower() for n in type(node).sql_names()] + [type(node).__name__.lower()]


def _bad_function(name: str) -> bool:
    return name in _BAD_FUNCTIONS or name.startswith(_BAD_PREFIXES)


@functools.lru_cache(maxsize=2048)
def refusal(sql: str, dialect: str | None = None) -> str | None:
    """Why ``sql`` is refused on ``dialect`` (a SQLAlchemy or sqlglot dialect name), or None if it passes."""
    read = _DIALECTS.get(dialect or "", dialect) if dialect else None
    try:
        trees = [t for t in sqlglot.parse(sql, read=read) if t is not None]
    except SqlglotError:
        return "refused a statement that could not be parsed as a query"
    except ValueError:  # an unknown dialect name: parse generically
        try:
            trees = [t for t in sqlglot.parse(sql) if t is not None]
        except SqlglotError:
            return "refused a statement that could not be parsed as a query"
    if len(trees) != 1:
        return "refused more than one statement in one call" if trees else "refused an empty statement"
    tree = trees[0]
    if isinstance(tree, exp.Pragma) and _INTROSPECTION.match(_strip_comments(sql)):
        return None
    if isinstance(tree, (exp.Command, exp.Show)) and _SHOW.match(_strip_comments(sql)):
        return None
    if not isinstance(tree, _QUERY_ROOTS):
        return f"refused a statement that is not a query ({type(tree).__name__.upper()})"
    for node in tree.walk():
        if isinstance(node, _WRITE_NODES):
            return f"refused a statement containing {type(node).__name__.upper()}"
        if isinstance(node, exp.Func):
            for name in _function_names(node):
                if _bad_function(name):
                    return f"refused a statement calling {name.upper()}"
        if isinstance(node, exp.Table) and isinstance(node.this, exp.Identifier):
            if not _TABLE_NAME.match(node.name):
                return "refused a table name that is a path"
    return None


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*|/\*.*?\*/", " ", sql, flags=re.S)


def check_statement(sql: str, dialect: str | None = None) -> None:
    """Raise :class:`ReadOnlyViolation` unless ``sql`` is one read-only query (see the module docstring)."""
    reason = refusal(sql, dialect)
    if reason is not None:
        raise ReadOnlyViolation(reason)


__all__ = ["check_statement", "refusal"]
