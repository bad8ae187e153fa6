"""Every log record of the test run, checked for the child ids and worker names the fixtures wrote (issue 16).

``tests/conftest.py`` installs :class:`Recorder` on the root logger for the whole session (at INFO,
the level ``csc-dashboard run`` logs at) and checks after every test that no record since the last
check holds a known child id or worker name; what is logged between tests (session fixtures) is
checked with the next test, and what is left at the end by ``pytest_sessionfinish``. Under
pytest-xdist each worker process records its own logs (browser tests serve the app in threads of
that process), and reports any leak at the end to a file the controller reads.

The known strings are collected where fixtures write them, never guessed:

* :func:`remember_rows`, called by ``tests.fixtures.write_rows`` (hand-written fixtures, every backend);
* :func:`remember_sqlite`, run by a SQLAlchemy pool ``connect`` listener on every SQLite database
  any test opens (the generated demo databases, their SSD copies, imported files).

Matching is on word boundaries (``C1`` does not match ``C10``); strings shorter than 2 characters
or made only of digits are skipped (a count or a port number would match them).
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

_lock = threading.Lock()
_known_words: set[str] = set()  # single-token ids and names: looked up per word of a message
_known_phrases: set[str] = set()  # names with spaces or punctuation: searched as substrings
_records: list[str] = []
_seen_files: dict[str, int] = {}

WORD = re.compile(r"\w+")
#: Longest prefix of a huge fixture value that is searched for (a 1 MB name is caught by its start).
MAX_NEEDLE = 200


def _meaningful(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()[:MAX_NEEDLE]
    if len(value) < 2 or value.isdigit():
        return None
    return value


def remember(values: Iterable[object]) -> None:
    """Add child ids or worker names to what no log line may hold."""
    with _lock:
        for value in values:
            text = _meaningful(value)
            if text is None:
                continue
            (_known_words if WORD.fullmatch(text) else _known_phrases).add(text)


def remember_rows(rows: Mapping[str, list[dict]]) -> None:
    """The child ids (any table) and worker names of a fixture's rows."""
    for table_rows in rows.values():
        for row in table_rows:
            remember([row.get("child_id"), row.get("worker_name")])


def remember_sqlite(con: sqlite3.Connection) -> None:
    """The child ids and worker names of an open SQLite database (once per file and version)."""
    try:
        files = [r[2] for r in con.execute("PRAGMA database_list") if r[2]]
        key = files[0] if files else None
        if key is None:
            return
        stamp = Path(key).stat().st_mtime_ns
        if _seen_files.get(key) == stamp:
            return
        _seen_files[key] = stamp
        for sql in ("SELECT child_id FROM children", "SELECT worker_name FROM workers"):
            try:
                remember(r[0] for r in con.execute(sql))
            except sqlite3.Error:
                continue  # not the contract's shape (an SSD, a half-built file): nothing to take
    except (sqlite3.Error, OSError):
        return


def known_count() -> int:
    return len(_known_words) + len(_known_phrases)


class Recorder(logging.Handler):
    """Keeps every formatted record (message plus any traceback) until the next check."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:  # noqa: BLE001 - a record that cannot be formatted is kept as its raw parts
            text = f"{record.msg!r} {record.args!r}"
        with _lock:
            _records.append(text)


def leaks_in(lines: Iterable[str]) -> list[str]:
    """The lines holding a known child id or worker name (each shortened for the report)."""
    with _lock:
        words, phrases = set(_known_words), set(_known_phrases)
    found = []
    for line in lines:
        hit = next((w for w in WORD.findall(line) if w in words), None)
        if hit is None:
            for phrase in phrases:
                if phrase in line and re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", line):
                    hit = phrase
                    break
        if hit is not None:
            found.append(f"{hit!r} in: {line[:300]}")
    return found


def take_new() -> list[str]:
    """The records since the last call (and forget them)."""
    with _lock:
        new = list(_records)
        _records.clear()
    return new


def check_new() -> list[str]:
    """Leaks among the records since the last check."""
    return leaks_in(take_new())


def report_dir() -> Path:
    """Where xdist workers leave leaks found after their last test for the controller."""
    return Path(os.environ["CSC_LOG_GUARD_DIR"])


__all__ = [
    "Recorder",
    "remember",
    "remember_rows",
    "remember_sqlite",
    "leaks_in",
    "check_new",
    "take_new",
    "known_count",
    "report_dir",
]
