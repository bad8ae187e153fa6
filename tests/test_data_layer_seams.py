"""The data layer's seams: dialect SQL in one module, one date type out of every read."""

from __future__ import annotations

import ast
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Date, cast, func, literal, null, select, text, union_all

from data_layer.dialect import add_months, dates_table, greatest, month_start

ROOT = Path(__file__).resolve().parent.parent
DIALECT_NAMES = {"sqlite", "duckdb", "postgresql", "mssql"}
#: Opening a connection read-only is a per-driver matter: engine.py may name the backend, nothing else.
MAY_NAME_A_DATABASE = {"data_layer/dialect.py", "data_layer/engine.py"}


def _modules():
    for folder in ("data_layer", "dashboard", "pages"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(), str(path))


def _names_a_database(node: ast.Compare) -> bool:
    """``x == "sqlite"``, ``"duckdb" != x``, ``x in ("sqlite", ...)``."""
    for side in (node.left, *node.comparators):
        if isinstance(side, ast.Constant) and side.value in DIALECT_NAMES:
            return True
        if isinstance(side, ast.Tuple | ast.List | ast.Set) and any(
            isinstance(e, ast.Constant) and e.value in DIALECT_NAMES for e in side.elts
        ):
            return True
    return False


def test_only_dialect_py_compiles_per_database_or_asks_which_it_is():
    offenders = []
    for name, tree in _modules():
        for node in ast.walk(tree):
            uses_compiles = (isinstance(node, ast.Name) and node.id == "compiles") or (
                isinstance(node, ast.alias) and node.name == "compiles"
            )
            if uses_compiles and name != "data_layer/dialect.py":
                offenders.append(f"{name}:{node.lineno if hasattr(node, 'lineno') else '?'} uses @compiles")
            if isinstance(node, ast.Compare) and _names_a_database(node) and name not in MAY_NAME_A_DATABASE:
                offenders.append(f"{name}:{node.lineno} branches on the database's name")
    assert offenders == []


def test_queries_do_not_import_each_other_for_shared_conditions():
    """Shared conditions come from predicates.py, not from another page's module."""
    tree = ast.parse((ROOT / "data_layer/queries/drift.py").read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert "caseloads" not in imported and "predicates" in imported


def test_metrics_never_touch_the_database():
    for path in (ROOT / "data_layer/metrics").glob("*.py"):
        tree = ast.parse(path.read_text())
        imported = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert not any(m.startswith("sqlalchemy") or m.endswith("engine") for m in imported), path.name


@pytest.fixture
def dated(make_db):
    return make_db(
        {
            "teams": [dict(team_id="T1", team_name="T", service="CIN/CP")],
            "cin_plans": [
                dict(plan_id="P1", child_id="C1", team_id="T1", start_date=date(2023, 1, 31), end_date=None),
                dict(plan_id="P2", child_id="C2", team_id="T1", start_date=date(2022, 5, 2), end_date=date(2023, 2, 1)),
            ],
            "jarp_referrals": [
                dict(referral_id="R1", child_id="C1", referring_team_id="T1", submitted_at=datetime(2023, 3, 3, 14, 1))
            ],
        }
    )


def _is_dates(series: pd.Series) -> bool:
    return series.dtype == object and all(v is None or type(v) is date for v in series)


def test_read_returns_date_columns_as_datetime_date_on_every_backend(dated):
    t = dated.tables.cin_plans
    q = select(
        t.c.plan_id,
        t.c.start_date,
        t.c.end_date,
        month_start(t.c.start_date).label("month"),
        greatest(t.c.start_date, func.coalesce(t.c.end_date, t.c.start_date)).label("later"),
        add_months(t.c.start_date, 1).label("next_month"),
        cast(null(), Date).label("unknown"),
    ).order_by(t.c.plan_id)
    df = dated.read(q)
    for col in ("start_date", "end_date", "month", "later", "next_month", "unknown"):
        assert _is_dates(df[col]), (col, list(df[col]))
    assert list(df["start_date"]) == [date(2023, 1, 31), date(2022, 5, 2)]
    assert list(df["end_date"]) == [None, date(2023, 2, 1)]
    assert list(df["next_month"]) == [date(2023, 2, 28), date(2022, 6, 2)]
    assert list(df["later"]) == [date(2023, 1, 31), date(2023, 2, 1)]
    assert df["unknown"].tolist() == [None, None]


def test_read_gives_dates_through_unions_aggregates_and_bound_tables(dated):
    t = dated.tables.cin_plans
    u = union_all(select(t.c.start_date.label("d")), select(t.c.end_date.label("d"))).subquery("u")
    agg = dated.read(select(func.min(u.c.d).label("lo"), func.max(u.c.d).label("hi")))
    assert (agg.loc[0, "lo"], agg.loc[0, "hi"]) == (date(2022, 5, 2), date(2023, 2, 1))
    assert _is_dates(agg["lo"]) and _is_dates(agg["hi"])
    dt = dates_table([date(2023, 1, 2), date(2023, 1, 9)])
    got = dated.read(select(dt.c.d, literal(date(2024, 2, 29)).label("bound")).order_by(dt.c.d))
    assert list(got["d"]) == [date(2023, 1, 2), date(2023, 1, 9)] and _is_dates(got["bound"])
    empty = dated.read(select(t.c.start_date).where(t.c.plan_id == "none"))
    assert empty.empty and list(empty.columns) == ["start_date"]


def test_read_returns_datetime_columns_as_datetime64(dated):
    refs = dated.tables.jarp_referrals
    df = dated.read(select(refs.c.referral_id, refs.c.submitted_at))
    assert pd.api.types.is_datetime64_any_dtype(df["submitted_at"])
    assert df.loc[0, "submitted_at"] == pd.Timestamp(2023, 3, 3, 14, 1)


def test_text_sql_is_left_as_the_driver_returns_it(dated):
    """No column types to go by: nothing is guessed."""
    df = dated.read(text("SELECT plan_id FROM cin_plans ORDER BY plan_id"))
    assert list(df["plan_id"]) == ["P1", "P2"]


def test_dates_are_converted_once_per_distinct_value_with_the_same_result():
    """The read path's fast conversion equals converting each value (every form a driver returns)."""
    from datetime import date, datetime

    import numpy as np
    import pandas as pd

    from data_layer.engine import _dates_of, to_date

    values = ["2023-03-31", "2023-03-31 00:00:00", date(2023, 3, 31), datetime(2023, 4, 1, 9, 30),
              pd.Timestamp("2023-04-02"), None, float("nan"), pd.NaT, "2023-03-31"]  # fmt: skip
    series = pd.Series(values, dtype=object)
    assert list(_dates_of(series)) == [to_date(v) for v in values]
    assert list(_dates_of(series)) == [date(2023, 3, 31)] * 3 + [date(2023, 4, 1), date(2023, 4, 2)] + [None] * 3 + [
        date(2023, 3, 31)
    ]
    assert list(_dates_of(pd.Series([], dtype=object))) == []
    stamps = pd.Series(pd.to_datetime(["2023-01-05", None]))  # a column pandas typed datetime64 itself
    assert list(_dates_of(stamps)) == [date(2023, 1, 5), None]
    assert _dates_of(series).dtype == np.dtype(object)
