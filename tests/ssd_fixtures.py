"""Writing hand-made Standard Safeguarding Datasets (real ssd_* table and field names) for the tests.

Tables are created from :data:`data_layer.sources.ssd.SSD_FIELDS` plus the fields the dashboard
must never read (``pers_forename``, ``pers_surname``, ``pers_upn``), so a query selecting them
would find them. Dates are written as ``datetime`` values, as in a real SSD.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Column, MetaData, String, Table, create_engine
from sqlalchemy.pool import NullPool

from data_layer.sources.ssd import SSD_FIELDS
from tests.fixtures import FixtureDB


def ssd_metadata(drop_tables=(), drop_fields=()) -> MetaData:
    md = MetaData()
    for name, fields in SSD_FIELDS.items():
        if name in drop_tables:
            continue
        cols = [Column(f, typ) for f, typ in fields if f"{name}.{f}" not in drop_fields]
        if name == "ssd_person":
            cols += [
                Column("pers_forename", String(100)),
                Column("pers_surname", String(255)),
                Column("pers_upn", String(13)),
            ]
        Table(name, md, *cols)
    return md


def _value(v):
    if isinstance(v, date) and not isinstance(v, datetime):
        return datetime(v.year, v.month, v.day)
    return v


def write_ssd(engine, rows: dict[str, list[dict]], drop_tables=(), drop_fields=()):
    md = ssd_metadata(drop_tables, drop_fields)
    md.create_all(engine)
    with engine.begin() as conn:
        for name, table_rows in rows.items():
            if name in drop_tables or not table_rows:
                continue
            t = md.tables[name]
            cols = [c.name for c in t.columns]
            conn.execute(t.insert(), [{c: _value(r.get(c)) for c in cols} for r in table_rows])


class SsdFixture(FixtureDB):
    def load_ssd(self, rows, drop_tables=(), drop_fields=()):
        engine = create_engine(self.write_url, poolclass=NullPool)
        try:
            write_ssd(engine, rows, drop_tables, drop_fields)
        finally:
            engine.dispose()
        return self


def ssd_fixture(backend: str, tmp_path: Path) -> SsdFixture:
    return SsdFixture(backend, tmp_path)


__all__ = ["write_ssd", "ssd_metadata", "SsdFixture", "ssd_fixture", "uuid"]
