"""Conditions shared by the query modules, defined once (docs/DEFINITIONS.md "Caseloads").

"Open on D", "in post", "a key-worker allocation" and "which inputs this database holds" mean the
same on every page; a page that wrote its own would drift from the others. Each function returns
a SQLAlchemy clause over the database's contract tables (``tb``: ``db.tables``), or a bool.
"""

from __future__ import annotations

from ..sources import CIN_REVIEWS


def not_ended_by(end_col, d):
    """No end, or an end after ``d``: still open at the end of day ``d``."""
    return end_col.is_(None) | (end_col > d)


def open_on(start_col, end_col, d):
    """Open on date ``d``: started on or before it and not ended on or before it (docs/DEFINITIONS.md "Caseloads")."""
    return (start_col <= d) & not_ended_by(end_col, d)


def open_during(start_col, end_col, first, last):
    """Open on at least one day from ``first`` to ``last`` (started by ``last``, not ended by ``first``)."""
    return (start_col <= last) & not_ended_by(end_col, first)


def in_post(tb, d):
    """Workers in post on d: started on or before it, not left on or before it."""
    workers = tb.workers
    return open_on(workers.c.start_date, workers.c.end_date, d)


def named_key_worker(allocations):
    """A key-worker allocation to a named worker (an "awaiting allocation" row has no worker)."""
    return (allocations.c.role == "key_worker") & allocations.c.worker_id.is_not(None)


def key_allocations(tb, d, allocations=None):
    """Key-worker allocations to a named worker open on d (``allocations``: an alias, default the table)."""
    allocations = tb.allocations if allocations is None else allocations
    return named_key_worker(allocations) & open_on(allocations.c.start_date, allocations.c.end_date, d)


def reviews_available(tb, plan_type: str = "cin") -> bool:
    """Whether this database holds the reviews of ``plan_type`` plans (the SSD has no CIN reviews)."""
    if not tb.has("plan_reviews", "plan_type", "plan_id", "review_date"):
        return False
    return plan_type != "cin" or tb.reason(*CIN_REVIEWS) is None


def visits_available(tb) -> bool:
    """Whether this database holds visits with their date and plan type."""
    return tb.has("visits", "child_id", "visit_date", "plan_type")
