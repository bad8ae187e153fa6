"""The data layer's exceptions, in a module that imports nothing of the data layer.

Every other module (engine, coverage, sources, checks) can raise or catch them without importing
the others; they stay importable from :mod:`data_layer.engine` and :mod:`data_layer` too.
"""

from __future__ import annotations


class ReadOnlyViolation(PermissionError):
    """Raised when anything other than a query is sent through the data layer."""


class DatabaseError(RuntimeError):
    """A database could not be opened or queried; the message is safe to show a user."""


class DatabaseTimeout(DatabaseError):
    """The database did not answer within the deadline (a paused, hung or overloaded server).

    The message names the wait only: no host, port or SQL reaches the page.
    """

    def __init__(self, seconds: float):
        super().__init__(f"The database did not answer within {seconds:.0f} seconds.")
        self.seconds = seconds


class MissingData(DatabaseError):
    """A data-layer function's inputs are not in this database (partial data, not an error).

    ``str(exc)`` is the plain sentence for the page ("CIN plan reviews are not in the SSD: review
    drift cannot be shown"); ``function`` names the data-layer function, ``missing`` the contract
    ``table.column`` names it lacks, ``source`` the database's source (``native`` or ``ssd``).
    """

    def __init__(self, message: str, function: str = "", missing: tuple[str, ...] = (), source: str = ""):
        super().__init__(message)
        self.message = message
        self.function = function
        self.missing = tuple(missing)
        self.source = source


__all__ = ["DatabaseError", "DatabaseTimeout", "MissingData", "ReadOnlyViolation"]
