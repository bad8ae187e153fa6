"""The Overview's headline tiles: one figure per standard, with its RAG rating and its change in a week.

Pure (no Dash components): :func:`overview_tiles` calls data-layer functions and returns
:class:`Tile` dataclasses, so the Overview page and the board-pack exporter show the same numbers.

**One definition of each figure.** Every tile reads the same data-layer function, with the same
arguments, as the page it links to (so the query cache answers both):

================================  ============================================  ==============
tile                              source                                         page
================================  ============================================  ==============
``children_open``                 ``caseloads.children_by_status`` (sum; split)  /caseloads
``average_caseload``              ``caseload_trend(f, 52)`` last row             /caseloads
``workers_over_target``           ``caseload_trend(f, 52)`` last row (%)         /caseloads
``unallocated``                   ``unallocated(f)`` rows                        /caseloads
``cin_over_12_months``            ``drift_trend(f, 12)`` last row                /plans
``cin_reviews_overdue``           ``drift_counts(f)``, flag cin_review_overdue   /plans
``cp_over_2_years``               ``drift_trend(f, 12)`` last row                /plans
``transfers_on_time``             ``transfers(f)``: completed, on time / all     /transfers
``transfers_pending_late``        ``transfers(f)``: pending and late             /transfers
``jarp_queue``                    ``jarp_queue(f)`` rows, split by priority      /jarp
``jarp_responses_on_time``        ``response_summary(jarp_responses(f))``        /jarp
``pilot_effect``                  ``evaluate_pilot(f, pilot).did``               /cin-pilot
================================  ============================================  ==============

**Change since 7 days before**: the same function with ``as_at - 7 days`` (same teams and
services); ``change = value - previous``.

Choices made here (also in the README):

* *Active pilot*: the configured pilot with the latest start on or before ``as_at`` (the first
  configured pilot when none has started). *Headline measure*: median CIN plan duration
  (``HEADLINE_MEASURE``; 002's first aim is shorter, focused plans). The tile shows the
  difference-in-differences only when the pilot page concludes or finds no clear difference;
  when the page refuses (a cohort under the minimum size, or not measurable) the tile refuses too
  (value ``None``).
* *Transfers on time* is the Transfers page's headline: transfers completed in the 12 months
  within 3 working days, over all completed (pending ones are the separate "pending late" tile).
* *Children open*: open to the service (plan, CLA episode, referral or assessment) on ``as_at``,
  by status; no RAG (no standard sets a number). *JARP queue*: referrals not yet decided, by
  priority; no RAG (no standard sets a queue size).
* *Presentation mode*: counts of children 1..4 show as "<5" in ``display``, ``detail`` and the
  change; a percentage whose denominator is under 5 shows as "Fewer than 5 to judge". ``value``
  and ``previous`` always hold the raw numbers (for tests and ratings), never shown as such.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, Callable

import pandas as pd

from dashboard.rag import PILOT_RAG, Threshold, load_thresholds, rag_label
from data_layer import (caseload_trend, drift_counts, drift_trend, evaluate_pilot, jarp_queue, jarp_responses,
                        response_summary, transfers, unallocated)
from data_layer.caseloads import children_by_status
from data_layer.jarp_scoring import rules_for
from data_layer.standards import source_of

#: Weeks of caseload trend and months of plan trend fetched, as the pages fetch them (shared cache).
CASELOAD_WEEKS, PLAN_MONTHS = 52, 12
#: The pilot measure the Overview headlines (a key of ``data_layer.pilot.MEASURES``).
HEADLINE_MEASURE = "median_days"
STATUS_WORDS = {"cla": "looked after", "cp": "CP", "cin": "CIN", "care_leaver": "care leaver",
                "assessment": "assessment", "other": "other"}
PRIORITY_WORDS = {"P1": "P1", "P2": "P2", "P3": "P3", "below_threshold": "below threshold"}
REFUSALS = {"too_small": "Too small to judge", "not_measurable": "Not measurable yet",
            "inconclusive": "No clear difference"}

Fetch = Callable[..., Any]


@dataclass(frozen=True)
class Tile:
    """One headline figure. ``value``/``previous`` are raw numbers; ``display`` is what may be shown."""

    key: str
    label: str
    value: float | None
    previous: float | None
    change: float | None
    display: str
    standard: str
    rag: str | None
    rag_label: str
    href: str
    detail: str = ""
    change_text: str = ""
    rule: str = ""
    kind: str = "count"  # count | percent | mean | effect


# --------------------------------------------------------------------------- helpers

def _isnum(v) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v))


def _count(n, presentation: bool, threshold: int) -> str:
    n = int(n)
    return f"<{threshold}" if presentation and 0 < n < threshold else f"{n:,}"


def _pct_text(pct: float) -> str:
    """One decimal, so a value just under a RAG bound (89.8%) never reads as the bound (90%)."""
    return f"{pct:.1f}%"


def _pct(num: int, den: int) -> float | None:
    return 100.0 * num / den if den else None


@dataclass(frozen=True)
class _Figure:
    """What one computation yields for one date: the value and the parts its text needs."""

    value: float | None
    display: str
    detail: str = ""
    status: str | None = None  # the pilot verdict's status, which rates the pilot tile


def _change_text(tile_kind: str, value, previous, since, presentation: bool, threshold: int,
                 higher_is_worse: bool | None) -> tuple[float | None, str]:
    when = f"since {since:%d %b %Y}"
    if not (_isnum(value) and _isnum(previous)):
        return None, f"No comparison {when}"
    change = float(value) - float(previous)
    if abs(change) < 1e-9:
        return 0.0, f"● No change {when}"
    arrow, word = ("▲", "up") if change > 0 else ("▼", "down")
    size = abs(change)
    if tile_kind == "count":
        amount = _count(size, presentation, threshold)
    elif tile_kind == "percent":
        amount = f"{size:.1f} percentage point{'' if round(size, 1) == 1 else 's'}"
    elif tile_kind == "effect":
        amount = f"{size:.0f} days"
    else:
        amount = f"{size:.1f}"
    judged = ""
    if higher_is_worse is not None:
        judged = " (worse)" if (change > 0) == higher_is_worse else " (better)"
    return change, f"{arrow} {word} {amount} {when}{judged}"


# --------------------------------------------------------------------------- per-tile computations

def _children_open(fetch, f, p, t, s):
    df = fetch(children_by_status, f)
    total = int(df["children"].sum())
    parts = ", ".join(f"{STATUS_WORDS[r.status]} {_count(r.children, p, t)}" for r in df.itertuples() if r.children)
    return _Figure(total, _count(total, p, t), f"By status: {parts or 'none'}.")


def _caseload_row(fetch, f):
    trend = fetch(caseload_trend, f, CASELOAD_WEEKS)
    return trend.iloc[-1]


def _average_caseload(fetch, f, p, t, s):
    row = _caseload_row(fetch, f)
    avg = float(row["average_caseload"]) if int(row["workers"]) else None
    return _Figure(avg, f"{avg:.1f}" if _isnum(avg) else "No workers",
                   f"Children per worker in post ({_count(int(row['workers']), False, t)} workers).")


def _workers_over_target(fetch, f, p, t, s):
    row = _caseload_row(fetch, f)
    n, over = int(row["workers"]), int(row["over_target"])
    pct = _pct(over, n)
    if pct is None:
        return _Figure(None, "No workers")
    return _Figure(pct, _pct_text(pct), f"{_count(over, p, t)} of {n:,} workers over {s.caseload_per_fte:g} x FTE.")


def _unallocated(fetch, f, p, t, s):
    df = fetch(unallocated, f)
    n = len(df)
    longest = int(df["days_unallocated"].max()) if n else 0
    detail = "Open children without a qualified key worker." + (f" Longest wait {longest} days." if n and not p else "")
    return _Figure(n, _count(n, p, t), detail)


def _plan_row(fetch, f):
    return fetch(drift_trend, f, PLAN_MONTHS).iloc[-1]


def _cin_over_12(fetch, f, p, t, s):
    row = _plan_row(fetch, f)
    n, total = int(row["cin_over_12_months"]), int(row["open_cin"])
    return _Figure(n, _count(n, p, t), f"Of {_count(total, p, t)} open CIN plans.")


def _cin_reviews_overdue(fetch, f, p, t, s):
    counts = fetch(drift_counts, f)
    n = int(counts.loc[counts["flag"] == "cin_review_overdue", "n"].sum()) if len(counts) else 0
    return _Figure(n, _count(n, p, t), f"Open CIN plans with no review in the last {s.cin_review_days} days.")


def _cp_over_2y(fetch, f, p, t, s):
    row = _plan_row(fetch, f)
    n, total = int(row["cp_over_2_years"]), int(row["open_cp"])
    return _Figure(n, _count(n, p, t), f"Of {_count(total, p, t)} open CP plans.")


def _transfer_counts(fetch, f):
    rows = fetch(transfers, f)
    if rows.empty:
        return 0, 0, 0, 0
    pending = rows["pending"].astype(bool)
    done, waiting = rows[~pending], rows[pending]
    return (len(done), int(done["on_time"].astype(bool).sum()), len(waiting), int(waiting["late"].astype(bool).sum()))


def _transfers_on_time(fetch, f, p, t, s):
    done, on_time, _, _ = _transfer_counts(fetch, f)
    pct = _pct(on_time, done)
    if pct is None:
        return _Figure(None, "No transfers completed")
    if p and done < t:
        return _Figure(pct, f"Fewer than {t} to judge")
    return _Figure(pct, _pct_text(pct), f"{_count(on_time, p, t)} of {_count(done, p, t)} completed in the 12 months.")


def _transfers_pending_late(fetch, f, p, t, s):
    _, _, waiting, late = _transfer_counts(fetch, f)
    return _Figure(late, _count(late, p, t), f"Of {_count(waiting, p, t)} pending transfers.")


def _jarp_queue(fetch, f, p, t, s):
    q = fetch(jarp_queue, f)
    n = len(q)
    by = ", ".join(f"{w} {_count(int((q['priority'] == k).sum()) if n else 0, p, t)}"
                   for k, w in PRIORITY_WORDS.items())
    return _Figure(n, _count(n, p, t), f"Referrals not yet decided: {by}.")


def _jarp_on_time(fetch, f, p, t, s):
    summary = response_summary(fetch(jarp_responses, f), rules_for(s))
    on, late = int(summary["on_time"].sum()), int(summary["late"].sum())
    pct = _pct(on, on + late)
    if pct is None:
        return _Figure(None, "No responses to judge")
    if p and on + late < t:
        return _Figure(pct, f"Fewer than {t} to judge")
    by = ", ".join(f"{r.priority} {r.pct_on_time:.0f}%" for r in summary.itertuples() if r.on_time + r.late)
    return _Figure(pct, _pct_text(pct), f"{_count(on, p, t)} of {_count(on + late, p, t)} judged in the 12 months "
                                       f"({by}).")


def active_pilot(standards, as_at):
    """The configured pilot with the latest start on or before ``as_at`` (else the first configured)."""
    started = [x for x in standards.pilots if x.start <= as_at]
    return max(started, key=lambda x: x.start) if started else standards.pilots[0]


def _pilot_row(fetch, f, s):
    ev = fetch(evaluate_pilot, f, active_pilot(s, f.as_at).name)
    did = ev.did
    row = did[did["measure"] == HEADLINE_MEASURE]
    return row.iloc[0] if len(row) else None


def _pilot_effect(fetch, f, p, t, s):
    row = _pilot_row(fetch, f, s)
    if row is None:
        return _Figure(None, "Not measurable yet", "No CIN plans in the pilot's cohorts.", "not_measurable")
    status = row["status"]
    if status in ("too_small", "not_measurable"):
        detail = (f"Too small to judge: a cohort has fewer than {s.pilot_min_cohort} plans." if status == "too_small"
                  and p else row["verdict"])
        return _Figure(None, REFUSALS[status], detail, status)
    return _Figure(float(row["did"]), f"{row['did']:+.0f} days", row["verdict"], status)


# --------------------------------------------------------------------------- the tiles

@dataclass(frozen=True)
class _Spec:
    key: str
    label: str
    compute: Callable
    href: str
    kind: str
    standard: Callable  # standards -> text


SPECS: tuple[_Spec, ...] = (
    _Spec("children_open", "Children open to the service", _children_open, "/caseloads", "count",
          lambda s: "No standard: context for the figures below"),
    _Spec("average_caseload", "Average caseload per worker", _average_caseload, "/caseloads", "mean",
          lambda s: f"Standard: {s.caseload_per_fte:g} children per FTE (source {source_of('caseload_per_fte')})"),
    _Spec("workers_over_target", "Workers over their caseload target", _workers_over_target, "/caseloads", "percent",
          lambda s: f"Standard: at most {s.caseload_per_fte:g} x FTE each (source {source_of('caseload_per_fte')})"),
    _Spec("unallocated", "Children without a qualified key worker", _unallocated, "/caseloads", "count",
          lambda s: "Standard: every open child has a qualified key worker (source 004 App. 4)"),
    _Spec("cin_over_12_months", "CIN plans open over 12 months", _cin_over_12, "/plans", "count",
          lambda s: f"Standard: CIN plans not expected beyond {s.cin_max_months} months (source "
                    f"{source_of('cin_max_months')})"),
    _Spec("cin_reviews_overdue", "CIN plan reviews overdue", _cin_reviews_overdue, "/plans", "count",
          lambda s: f"Standard: reviewed every {s.cin_review_days} days (source {source_of('cin_review_days')})"),
    _Spec("cp_over_2_years", "CP plans open over 2 years", _cp_over_2y, "/plans", "count",
          lambda s: f"Standard: CP plans under {s.cp_max_months // 12} years (source {source_of('cp_max_months')})"),
    _Spec("transfers_on_time", "Transfers on time (12 months)", _transfers_on_time, "/transfers", "percent",
          lambda s: f"Standard: within {s.transfer_working_days} working days of the request (source "
                    f"{source_of('transfer_working_days')})"),
    _Spec("transfers_pending_late", "Pending transfers already late", _transfers_pending_late, "/transfers",
          "count", lambda s: f"Standard: within {s.transfer_working_days} working days (source "
                             f"{source_of('transfer_working_days')})"),
    _Spec("jarp_queue", "JARP queue", _jarp_queue, "/jarp", "count",
          lambda s: "Standard: heard at the next panel (source 003 3.6)"),
    _Spec("jarp_responses_on_time", "JARP responses on time (12 months)", _jarp_on_time, "/jarp", "percent",
          lambda s: f"Standard: P1 {s.jarp_p1_response_days} days, P2 {s.jarp_p2_response_working_days} and P3 "
                    f"{s.jarp_p3_response_working_days} working days (source 003 3.6)"),
    _Spec("pilot_effect", "CIN pilot: change in median plan duration", _pilot_effect, "/cin-pilot", "effect",
          lambda s: "Difference-in-differences, pilot vs comparison teams (source 002); negative = shorter"),
)
TILE_KEYS = tuple(spec.key for spec in SPECS)


def _default_fetch(db) -> Fetch:
    return lambda fn, f, *args, **kw: fn(db, f, *args, **kw)


def overview_tiles(db, filters, presentation: bool = False, fetch: Fetch | None = None,
                   thresholds: dict[str, Threshold] | None = None, keys: tuple[str, ...] | None = None
                   ) -> list[Tile]:
    """Every headline tile for ``filters`` (a ``data_layer.Filters``), in display order.

    ``fetch(fn, f, *args)`` runs a data-layer function (the page passes ``dashboard.context.fetch``
    for its cache; default: ``fn(db, f, *args)``). ``thresholds`` default to
    :func:`dashboard.rag.load_thresholds` for ``db.standards``; ``keys`` limits the tiles.
    """
    s = db.standards
    fetch = fetch or _default_fetch(db)
    thresholds = thresholds if thresholds is not None else load_thresholds(s)
    threshold = s.suppress_below
    previous_filters = replace(filters, as_at=filters.as_at - timedelta(days=7))
    out = []
    for spec in SPECS:
        if keys is not None and spec.key not in keys:
            continue
        now = spec.compute(fetch, filters, presentation, threshold, s)
        before = spec.compute(fetch, previous_filters, presentation, threshold, s)
        th = thresholds.get(spec.key)
        if spec.key == "pilot_effect":
            status = now.status or "not_measurable"
            rag = PILOT_RAG.get(status)
            label = rag_label(rag, REFUSALS.get(status, "Not rated"))
            higher_is_worse, rule = True, "Green when the pilot is clearly better; red when clearly worse"
        else:
            rag = th.rate(now.value) if th else None
            label = rag_label(rag)
            higher_is_worse = th.higher_is_worse if th else None
            rule = th.rule_text() if th else ""
        change, change_text = _change_text(spec.kind, now.value, before.value, previous_filters.as_at,
                                           presentation, threshold, higher_is_worse)
        out.append(Tile(key=spec.key, label=spec.label, value=now.value, previous=before.value, change=change,
                        display=now.display, standard=spec.standard(s), rag=rag, rag_label=label, href=spec.href,
                        detail=now.detail, change_text=change_text, rule=rule, kind=spec.kind))
    return out


def tiles_frame(tiles: list[Tile]) -> pd.DataFrame:
    """The tiles as a table of their shown text (for a CSV or the board pack)."""
    return pd.DataFrame([{"tile": t.label, "value": t.display, "rating": t.rag_label, "change": t.change_text,
                          "standard": t.standard, "detail": t.detail} for t in tiles])


__all__ = ["Tile", "overview_tiles", "tiles_frame", "active_pilot", "SPECS", "TILE_KEYS", "HEADLINE_MEASURE"]
