"""The caseload trend as first written (a join of each allocation to every date it is open on, then
count(DISTINCT)): the definition the interval-delta query in ``data_layer.queries.caseloads`` must
equal. Kept verbatim as a test oracle (issue 17 item 5); it is not used by the dashboard."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Integer, and_, case, cast, distinct, func, select

from data_layer.dialect import dates_table
from data_layer.engine import Database
from data_layer.filters import Filters
from data_layer.queries.caseloads import TARGET_TOLERANCE
from data_layer.queries.predicates import in_post, key_allocations


def caseload_trend_oracle(db: Database, f: Filters, weeks: int = 52) -> pd.DataFrame:
    """Weekly average caseload and % of workers over target over the ``weeks`` to ``as_at``.

    One query: the week-end dates are a bound-parameter table joined to workers in post and
    their open key-worker allocations on each date, grouped by date in the database.
    Columns: ``as_at``, ``workers``, ``average_caseload``, ``over_target``, ``pct_over_target``.
    """
    from datetime import timedelta

    dates = [f.as_at - timedelta(weeks=w) for w in range(weeks - 1, -1, -1)]
    dt = dates_table(dates)
    per_fte = db.standards.caseload_per_fte
    tb = db.tables
    allocations, workers = tb.allocations, tb.workers
    load = (
        select(dt.c.d, allocations.c.worker_id, func.count(distinct(allocations.c.child_id)).label("cases"))
        .select_from(dt.join(allocations, key_allocations(tb, dt.c.d)))
        .group_by(dt.c.d, allocations.c.worker_id)
        .subquery("load")
    )
    per_worker = (
        select(dt.c.d, workers.c.worker_id, func.coalesce(load.c.cases, 0).label("cases"), workers.c.fte)
        .select_from(
            dt.join(workers, in_post(tb, dt.c.d)).outerjoin(
                load, and_(load.c.d == dt.c.d, load.c.worker_id == workers.c.worker_id)
            )
        )
        .where(f.team_clause(workers.c.team_id, tb.teams))
        .subquery("pw")
    )
    q = (
        select(
            per_worker.c.d.label("as_at"),
            func.count().label("workers"),
            func.avg(cast(per_worker.c.cases, Integer) * 1.0).label("average_caseload"),
            func.sum(case((per_worker.c.cases > per_fte * per_worker.c.fte + TARGET_TOLERANCE, 1), else_=0)).label(
                "over_target"
            ),
        )
        .group_by(per_worker.c.d)
        .order_by(per_worker.c.d)
    )
    df = db.read(q)
    out = pd.DataFrame({"as_at": dates}).merge(df, on="as_at", how="left")
    for col in ("workers", "over_target"):  # weeks with nobody in post come back NULL (object dtype)
        out[col] = pd.to_numeric(out[col], errors="coerce").fillna(0).astype(int)
    out["average_caseload"] = out["average_caseload"].astype(float)
    out["pct_over_target"] = (100.0 * out["over_target"] / out["workers"].where(out["workers"] > 0)).astype(float)
    return out
