"""Read-only data layer of CSC Insight: schema, connection, queries and metric definitions.

Pages import everything from here (``from data_layer import connect, Filters, caseloads``).
This package never imports Dash or Plotly and never writes to the database.
"""
from .caseloads import caseload_trend, caseloads, unallocated
from .engine import Database, DatabaseError, ReadOnlyViolation, connect, default_url
from .filters import Filters
from .standards import Pilot, Standards, StandardsError, load_standards

__all__ = [
    "connect", "Database", "DatabaseError", "ReadOnlyViolation", "default_url",
    "Filters", "Standards", "StandardsError", "Pilot", "load_standards",
    "caseloads", "unallocated", "caseload_trend",
]
from .reference import date_range, latest_date, team_options  # noqa: E402,F401 (shell reference data)
from .checks import *  # noqa: E402,F401,F403
from .plans import *  # noqa: E402,F401,F403
from .drift import *  # noqa: E402,F401,F403
from .pilot import *  # noqa: E402,F401,F403
from .jarp import *  # noqa: E402,F401,F403
from .transfers import *  # noqa: E402,F401,F403
