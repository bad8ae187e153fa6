"""Import the returns every authority already makes (Annex A, CIN census, SSDA903, workforce census)
into an embedded DuckDB file holding the data contract (``csc-dashboard import``).

The parsers (one module per return) stage rows; :mod:`.build` merges them, writes the contract
tables an input can fill and the reconciliation table, and renames the file into place only when
everything succeeded. :func:`import_reconciliation` is the read-only reader of that table.
This package never imports Dash or Plotly; its messages never name a child.
"""

from .common import ImportFailed
from .reconciliation import RECON_COLUMNS, RECON_TABLE, import_reconciliation


def import_returns(*args, **kwargs):
    """See :func:`data_layer.imports.build.import_returns` (imported lazily: openpyxl, defusedxml)."""
    from .build import import_returns as run

    return run(*args, **kwargs)


__all__ = ["import_returns", "import_reconciliation", "ImportFailed", "RECON_COLUMNS", "RECON_TABLE"]
