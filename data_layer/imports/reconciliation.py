"""The import's reconciliation table, and the data-layer reader the data-quality panel uses."""

from __future__ import annotations

import pandas as pd

RECON_TABLE = "import_reconciliation"
#: ``kind`` (annex_a, cin_census, ssda903, workforce), ``file``, ``record`` (the return's record:
#: "CINdetails", "episodes", "List 7 child protection", ...; NULL for a file-level note),
#: ``outcome`` (read, loaded, flagged, merged, rejected, refused_column, note), ``reason``, ``records``.
RECON_COLUMNS = ["kind", "file", "record", "outcome", "reason", "records"]


def import_reconciliation(db) -> pd.DataFrame:
    """The reconciliation the import wrote (columns :data:`RECON_COLUMNS`), or an empty frame with
    those columns when the database was not built by ``csc-dashboard import``.

    Per file and record: ``read`` = ``loaded`` + ``flagged`` (loaded, with a data-quality flag:
    ``reason``) + ``merged`` (the same record came again in a later file or row) + ``rejected``
    (not loaded: ``reason``). A read-only query through ``db.read``."""
    from sqlalchemy import column, select, table

    from ..sources.build import listed_names

    names = listed_names(db)
    if names is None or RECON_TABLE not in names:
        return pd.DataFrame(columns=RECON_COLUMNS)
    t = table(RECON_TABLE, *[column(c) for c in RECON_COLUMNS])
    df = db.read(select(*[t.c[c] for c in RECON_COLUMNS]))
    df["records"] = pd.to_numeric(df["records"], errors="coerce").astype("Int64")
    return df
