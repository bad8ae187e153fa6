"""Plan duration bands and survival (docs/DEFINITIONS.md "Plan durations and drift"): pure, no database.

Inputs are the standards in force or :func:`data_layer.queries.plans.plan_durations` rows, so the
page, the figures and the tests share one calculation and can check it on hand-made frames.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..vocabulary import CIN_ORIGINS as _ORIGIN_VOCABULARY
from .survival import fit

#: The contract's CIN origin codes (``schema.CODES``; tests/test_vocabulary.py keeps the two equal).
_ORIGINS = tuple(sorted(_ORIGIN_VOCABULARY.codes))


def band_edges(standards) -> tuple[int, ...]:
    """Band boundaries in calendar months: every duration standard (3/6 TM reviews, 9, 12, 24)."""
    return tuple(
        sorted(
            {
                standards.cin_tm_review_first_months,
                standards.cin_tm_review_second_months,
                standards.cin_sm_review_months,
                standards.cin_max_months,
                standards.cp_max_months,
            }
        )
    )


def band_labels(edges: tuple[int, ...]) -> list[str]:
    """'Up to 3 months', '3 to 6 months', ..., 'Over 24 months' (a band includes its upper edge)."""
    labels = [f"Up to {edges[0]} months"]
    labels += [f"{a} to {b} months" for a, b in zip(edges, edges[1:], strict=False)]
    labels.append(f"Over {edges[-1]} months")
    return labels


@dataclass(frozen=True)
class SurvivalResult:
    """Kaplan-Meier curves and medians per group, and rows left out (reason -> count)."""

    curves: pd.DataFrame
    medians: pd.DataFrame
    excluded: dict = field(default_factory=dict)


CURVE_COLUMNS = ["group", "days", "survival", "ci_low", "ci_high", "at_risk"]
MEDIAN_COLUMNS = ["group", "n", "closed", "open", "median_days", "ci_low", "ci_high", "closed_mean_days"]


def survival_by_group(
    durations: pd.DataFrame, by: str | None = None, min_n: int = 1, confidence: float = 0.95
) -> SurvivalResult:
    """Kaplan-Meier estimate of plan duration per group (open plans right-censored on D).

    ``durations`` is :func:`~data_layer.queries.plans.plan_durations` output, optionally with a
    ``plan_type`` column (needed for ``by="plan_type"``). ``by`` None pools everything under group "All
    plans". Groups with fewer than ``min_n`` plans are left out and counted in ``excluded`` (the page
    passes the small-number threshold in presentation mode). With ``by="origin"``, plans whose origin
    is missing or not a contract code are excluded and counted: they cannot be put in a group honestly.

    ``closed_mean_days`` is the plain average of the closed plans, shown beside the median to say
    why it misleads: long plans are mostly still open, so an average of closed plans is too short.
    The median and its interval (at ``confidence``, the ``confidence_level`` standard) come from
    the same Kaplan-Meier fit as the curve (:func:`~data_layer.metrics.survival.fit`);
    NaN means the curve never fell to one half (more than half the plans still open).

    Sampling note: the window takes every plan open on D however long ago it started but only
    plans closed in the last year, so long plans are somewhat over-represented (length bias). The
    estimate is the plain right-censored Kaplan-Meier of docs/DEFINITIONS.md "Plan durations and drift", as a hand
    calculation gets.
    """
    excluded: dict[str, int] = {}
    df = durations
    if by is None:
        df = df.assign(group="All plans")
    else:
        if by == "origin":
            bad = ~df["origin"].isin(_ORIGINS)
            if bad.any():
                excluded["origin missing or unrecognised"] = int(bad.sum())
            df = df[~bad]
        df = df.assign(group=df[by].astype(str))
    curves, medians = [], []
    for group, g in df.groupby("group", sort=True):
        if len(g) < min_n:
            excluded[f"groups under {min_n} plans"] = excluded.get(f"groups under {min_n} plans", 0) + len(g)
            continue
        durations_, observed = g["days"].to_numpy(dtype=float), (~g["open"].astype(bool)).to_numpy()
        km = fit(durations_, observed, alpha=1 - confidence)
        curves.append(km.curve().assign(group=group))
        med = km.median()
        closed = g.loc[~g["open"].astype(bool), "days"]
        medians.append(
            dict(
                group=group,
                n=med.n,
                closed=med.events,
                open=med.n - med.events,
                median_days=med.value,
                ci_low=med.ci_low,
                ci_high=med.ci_high,
                closed_mean_days=float(closed.mean()) if len(closed) else float("nan"),
            )
        )
    curves_df = pd.concat(curves, ignore_index=True)[CURVE_COLUMNS] if curves else pd.DataFrame(columns=CURVE_COLUMNS)
    return SurvivalResult(curves_df, pd.DataFrame(medians, columns=MEDIAN_COLUMNS), excluded)


__all__ = ["band_edges", "band_labels", "SurvivalResult", "survival_by_group", "CURVE_COLUMNS", "MEDIAN_COLUMNS"]
