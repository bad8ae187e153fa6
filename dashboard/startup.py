"""Open the configured database and check it before anything is built on it.

Both ways in use it: serving the dashboard (:mod:`dashboard.server`) and writing the board pack
(:mod:`dashboard.pack.export`), so neither has to build the other to get a checked database.

1. no URL configured (``--database`` / ``CSC_DATABASE_URL``) -> build the embedded demo database
   on first run, so ``make run`` on a fresh clone shows data;
2. open it read-only (source: ``CSC_SOURCE`` or detected, data_layer.sources) and run the structure
   check; a database that cannot be reached or serves none of the core tables raises
   :class:`StartupError` with the check's message. A *partial* database (a missing table or
   column, or an SSD, which has no CIN reviews or JARP) is accepted: its coverage table is printed,
   and each page section shows its figures or says what is missing.
"""

from __future__ import annotations

import sys

from data_layer import DatabaseError, UnusableDatabase, connect, format_coverage, startup_check
from data_layer.standards import StandardsError

from .settings import Settings, StartupError

__all__ = ["StartupError", "prepare_database"]


def prepare_database(url: str | None = None, settings: Settings | None = None):
    """Open the configured database (building the demo if none is configured) and check it.

    Raises :class:`StartupError` with a readable message when it cannot be used.
    """
    settings = settings or Settings.from_env()
    url = url or settings.database_url
    try:
        if not url:
            from data_layer.demo import ensure_demo  # the generator is only needed on a fresh clone

            path = ensure_demo()
            url = f"sqlite:///{path}"
        db = connect(url, timeouts=settings.db_timeouts)
    except StandardsError as exc:  # CSC_STANDARDS_FILE is read when the database is opened
        raise StartupError(f"CSC Insight cannot use its standards file (CSC_STANDARDS_FILE).\n{exc}") from exc
    except DatabaseError as exc:
        raise StartupError(f"The database could not be opened. {exc}{_cause(exc)}") from exc
    try:
        report = startup_check(db).raise_if_unusable()
    except UnusableDatabase as exc:
        db.dispose()
        raise StartupError(str(exc)) from exc
    except DatabaseError as exc:
        db.dispose()
        raise StartupError(f"The database could not be checked. {exc}{_cause(exc)}") from exc
    print(startup_summary(report), file=sys.stderr)
    return db


def _cause(exc: Exception) -> str:
    """The driver's reason, for the operator's console only (a page never shows it: it can name the
    host and port); a connection failure carries no case data."""
    cause = getattr(exc.__cause__, "orig", None) or exc.__cause__
    if cause is None:
        return ""
    first = str(cause).strip().splitlines()[0][:300] if str(cause).strip() else ""
    return f"\n({type(cause).__name__}{': ' + first if first else ''})"


def startup_summary(report) -> str:
    """What the operator sees at start-up: the source, and the coverage when data is partial."""
    source = "Standard Safeguarding Dataset (ssd)" if report.source == "ssd" else "native data contract"
    if report.complete and (report.coverage is None or (report.coverage["status"] == "available").all()):
        return f"CSC Insight: {source}; every page section has its data."
    lines = [f"CSC Insight starts on partial data ({source}). Coverage by page section:"]
    if report.coverage is not None:
        lines += format_coverage(report.coverage)
    return "\n".join(lines)
