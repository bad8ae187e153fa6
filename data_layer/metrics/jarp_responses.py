"""JARP queue and response summaries (docs/DEFINITIONS.md "JARP priority queue"): pure, no database.

Inputs are :func:`data_layer.queries.jarp.jarp_queue` and :func:`~data_layer.queries.jarp.jarp_responses`
frames, so the page and the figure builders share one calculation and tests check it on hand-made rows.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from .jarp_scoring import P1, P2, P3, JarpRules


def carried_over_repeatedly(queue: pd.DataFrame, times: int = 2) -> pd.DataFrame:
    """Queued referrals carried over ``times`` or more panels (more than once by default)."""
    return queue[queue["carried_over"] >= times].sort_values(["carried_over", "waiting_days"], ascending=False)


def response_summary(responses: pd.DataFrame, rules: JarpRules | None = None) -> pd.DataFrame:
    """Per priority: referrals judged, on time, late, pending, % on time (of those judged), median days.

    ``pct_on_time`` is on time / (on time + late); pending and no-target referrals are not judged yet.
    """
    rows = []
    for p in (P1, P2, P3):
        part = responses[responses["priority"] == p]
        on, late = int((part["response_status"] == "on_time").sum()), int((part["response_status"] == "late").sum())
        responded = part[part["responded"]]
        working = rules.targets[p].working if rules is not None else p != P1
        unit_col = "response_working_days" if working else "response_days"
        rows.append(
            dict(
                priority=p,
                decided=len(part),
                on_time=on,
                late=late,
                pending=int((part["response_status"] == "pending").sum()),
                pct_on_time=(100.0 * on / (on + late)) if on + late else float("nan"),
                median_response=float(responded[unit_col].median()) if len(responded) else float("nan"),
                unit="calendar days" if unit_col == "response_days" else "working days",
            )
        )
    return pd.DataFrame(rows)


def response_trend(responses: pd.DataFrame) -> pd.DataFrame:
    """% on time by month of decision and priority (judged referrals only)."""
    judged = responses[responses["response_status"].isin(("on_time", "late"))].copy()
    if judged.empty:
        return pd.DataFrame(columns=["month", "priority", "judged", "on_time", "pct_on_time"])
    judged["month"] = [date(d.year, d.month, 1) for d in judged["decision_date"]]
    g = judged.groupby(["month", "priority"])
    out = g.size().rename("judged").to_frame()
    out["on_time"] = g["response_status"].apply(lambda s: int((s == "on_time").sum()))
    out = out.reset_index()
    out["pct_on_time"] = 100.0 * out["on_time"] / out["judged"]
    return out.sort_values(["month", "priority"]).reset_index(drop=True)


__all__ = ["carried_over_repeatedly", "response_summary", "response_trend"]
