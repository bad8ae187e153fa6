"""Read-only data layer of CSC Insight: schema, connection, queries and metric definitions.

Pages import everything from here (``from data_layer import connect, Filters, caseloads``).
This package never imports Dash or Plotly and never writes to the database. The public names
are each domain module's ``__all__``, gathered below so a new function is exported by adding it
to its module's ``__all__``.
"""

from . import caseloads as _caseloads
from . import checks as _checks
from . import drift as _drift
from . import jarp as _jarp
from . import pilot as _pilot
from . import plans as _plans
from . import reference as _reference
from . import transfers as _transfers
from .caseloads import *  # noqa: F403
from .checks import *  # noqa: F403
from .coverage import (
    SectionCoverage,
    coverage,
    describe_source,
    format_coverage,
    missing_data,
    section_coverage,
    unserved_drift_flags,
)
from .drift import *  # noqa: F403
from .engine import Database, DatabaseError, MissingData, ReadOnlyViolation, connect, default_url
from .filters import Filters
from .jarp import *  # noqa: F403
from .pilot import *  # noqa: F403
from .plans import *  # noqa: F403
from .reference import *  # noqa: F403
from .standards import Pilot, Standards, StandardsError, load_standards
from .transfers import *  # noqa: F403

__all__ = [
    "connect",
    "Database",
    "DatabaseError",
    "MissingData",
    "ReadOnlyViolation",
    "default_url",
    "coverage",
    "section_coverage",
    "SectionCoverage",
    "missing_data",
    "format_coverage",
    "unserved_drift_flags",
    "describe_source",
    "Filters",
    "Standards",
    "StandardsError",
    "Pilot",
    "load_standards",
    *_caseloads.__all__,
    *_checks.__all__,
    *_drift.__all__,
    *_jarp.__all__,
    *_pilot.__all__,
    *_plans.__all__,
    *_reference.__all__,
    *_transfers.__all__,
]
