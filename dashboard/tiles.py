"""The Overview's headline tiles: one figure per standard, with its RAG rating and its change in a week.

Pure (no Dash components): :func:`overview_tiles` calls data-layer functions and returns
:class:`Tile` dataclasses, so the Overview page (``dashboard.sections.overview``) and the board
pack show the same numbers; :func:`tiles_frame` is their shown text as a table (the CSV),
:func:`rag_counts` and :func:`week_changes` the pack summary's RAG counts and week's changes.

**One definition of each figure.** Every tile reads the same data-layer function, with the same
arguments, as the page it links to (so the query cache answers both):

================================  ============================================  ==============
tile                              source                                         page
================================  ============================================  ==============
``children_open``                 ``caseloads.children_by_status`` (sum; split)  /caseloads
``average_caseload``              ``caseloads(f)``: cases / FTE holding cases    /caseloads
``workers_over_target``           ``caseload_trend(f, 52)`` last row (%)         /caseloads
``unallocated``                   ``unallocated(f)`` rows                        /caseloads
``cin_over_12_months``            ``drift_trend(f, 12)`` last row                /plans
``cin_reviews_overdue``           ``drift_counts(f)``, flag cin_review_overdue   /plans
``cp_over_2_years``               ``drift_trend(f, 12)`` last row                /plans
``transfers_on_time``             ``transfers(f)``: completed, on time / all     /transfers
``transfers_pending_late``        ``transfers(f)``: pending and late             /transfers
``jarp_queue``                    ``jarp_queue(f)`` rows, split by priority      /jarp
``jarp_responses_on_time``        ``response_summary(jarp_responses(f))``        /jarp
``pilot_effect``                  ``pilot_headline(f, pilot)``: the DiD row      /cin-pilot
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
* *Disclosure* (presentation mode and the board pack): every shown text goes through the view's
  :class:`~dashboard.disclosure.Disclosure`, never a formatter of its own:

  - a count of 1..4 shows as ``<5``;
  - a percentage or average whose numerator, denominator or complement is hidden is hidden (the
    mark, and the reason in ``detail``), and so is its rating: a rating is shown for a hidden
    count only when every value the mark can stand for (1..4) gets the same colour;
  - a status or priority split beside its shown total hides the next-smallest cell too
    (secondary, ``*``); an "of N" total whose complement is under 5 is left out;
  - the change since last week never lets a hidden value be worked back: when either week's
    value is hidden the amount is not printed; a count tile keeps its direction word only when
    exactly one week is hidden (then the shown week alone says which way, since a hidden count is
    1..4 and a shown one 0 or 5+); otherwise (a hidden percentage, average or pilot effect, or both
    weeks hidden) it says "not shown". A shown change of 1..4 in a count is itself shown as ``<5``;
  - single-child values (the longest wait of an unallocated child) are never shown.

  ``value`` and ``previous`` always hold the raw numbers (for tests and ratings), never shown as
  such: the CSV and the pack use :func:`tiles_frame` (the displayed text only).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, TypeGuard

import pandas as pd

from dashboard.disclosure import Disclosure
from dashboard.rag import PILOT_RAG, Threshold, load_thresholds, rag_label
from data_layer import (
    MissingData,
    caseload_trend,
    drift_counts,
    drift_trend,
    jarp_queue,
    jarp_responses,
    pilot_headline,
    response_summary,
    transfers,
    unallocated,
)
from data_layer.metrics.jarp_scoring import rules_for
from data_layer.metrics.transfer_timeliness import timeliness
from data_layer.queries.caseloads import caseloads, children_by_status
from data_layer.standards import cite, months_text, source_of, years_text
from data_layer.vocabulary import PRIORITIES, RAG_BANDS, STATUSES

#: Weeks of caseload trend and months of plan trend fetched, as the pages fetch them (shared cache).
CASELOAD_WEEKS, PLAN_MONTHS = 52, 12
#: The pilot measure the Overview headlines (a key of ``data_layer.metrics.cin_pilot_measures.MEASURES``).
HEADLINE_MEASURE = "median_days"
REFUSALS = {
    "too_small": "Too small to judge",
    "not_measurable": "Not measurable yet",
    "inconclusive": "No clear difference",
}

Fetch = Callable[..., Any]


@dataclass(frozen=True)
class Tile:
    """One headline figure. ``value``/``previous`` are raw numbers; ``display`` is what may be shown.

    ``hidden``: the value is withheld by disclosure control (``display`` is the mark).
    ``direction`` (``"up"``/``"down"``) and ``judgement`` (``"worse"``/``"better"``) are what
    ``change_text`` says, ``None`` when it says no change, no comparison or "not shown".
    """

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
    hidden: bool = False
    direction: str | None = None
    judgement: str | None = None
    #: The list this tile's link opens: the page's list-filter keys (``PageSpec.controls``) and the
    #: id of the element to scroll to (the URL's fragment); see :data:`SPECS`.
    params: tuple[tuple[str, str], ...] = ()
    fragment: str = ""


# --------------------------------------------------------------------------- helpers


def _isnum(v: float | None) -> TypeGuard[float]:
    return v is not None and not (isinstance(v, float) and math.isnan(v))


def _pct(num: int, den: int) -> float | None:
    return 100.0 * num / den if den else None


def _hidden_reason(d: Disclosure) -> str:
    return f"Not shown: it is worked out from a count under {d.threshold}."


def _of_total(d: Disclosure, n, total, noun: str) -> str:
    """ "Of 47 open CIN plans.", without the total when it and the shown count would give the rest
    (``total - n``) as a count under the threshold (a split of two beside its total)."""
    if n and d.hides(total - n) and not d.hides(n):  # (n = 0: the total is the rest, and is itself disclosed)
        return f"Of the {noun} (their number is not shown: with this count it would reveal one under {d.threshold})."
    return f"Of {d.count(total)} {noun}."


@dataclass(frozen=True)
class _Figure:
    """What one computation yields for one date: the value, its shown text and whether it is withheld."""

    value: float | None
    display: str
    detail: str = ""
    status: str | None = None  # the pilot verdict's status, which rates the pilot tile
    hidden: bool = False


def _amount(kind: str, size: float, d: Disclosure) -> str:
    if kind == "count":
        return d.count(size)  # a net change of 1..4 children is a small count too
    if kind == "percent":
        if round(size, 1) == 0:
            return "less than 0.1 percentage points"
        return f"{size:.1f} percentage point{'' if round(size, 1) == 1 else 's'}"
    if kind == "effect":
        return f"{size:.0f} days"
    return "less than 0.1" if round(size, 1) == 0 else f"{size:.1f}"


def _change(
    kind: str, now: _Figure, before: _Figure, since, d: Disclosure, higher_is_worse: bool | None
) -> tuple[float | None, str, str | None, str | None]:
    """(raw change, its text, direction shown, judgement shown); see the module docstring for the rule."""
    when = f"since {since:%d %b %Y}"
    if not (_isnum(now.value) and _isnum(before.value)):
        return None, f"No comparison {when}", None, None
    change = float(now.value) - float(before.value)
    one_side = now.hidden != before.hidden
    if (now.hidden or before.hidden) and not (kind == "count" and one_side):
        return change, f"Change {when} not shown: it would reveal a hidden figure", None, None
    if abs(change) < 1e-9:
        return 0.0, f"● No change {when}", None, None
    arrow, word = ("▲", "up") if change > 0 else ("▼", "down")
    judged = None
    if higher_is_worse is not None:
        judged = "worse" if (change > 0) == higher_is_worse else "better"
    amount = "" if (now.hidden or before.hidden) else f" {_amount(kind, abs(change), d)}"
    return change, f"{arrow} {word}{amount} {when}" + (f" ({judged})" if judged else ""), word, judged


def _rating(th: Threshold | None, fig: _Figure, kind: str, d: Disclosure) -> str | None:
    """The tile's colour; for a hidden value only when every value the mark stands for gets the same one."""
    if th is None:
        return None
    if not fig.hidden:
        return th.rate(fig.value)
    if kind != "count":
        return None
    colours = {th.rate(v) for v in range(1, d.threshold)}
    return colours.pop() if len(colours) == 1 else None


# --------------------------------------------------------------------------- per-tile computations


def _children_open(fetch, f, d: Disclosure, s):
    df = fetch(children_by_status, f)
    total = int(df["children"].sum())
    cells = [int(c) for c in df["children"]]
    shown = d.split(cells, total_shown=not d.hides(total))
    parts = ", ".join(
        f"{STATUSES.short(st)} {txt}" for st, c, txt in zip(df["status"], cells, shown, strict=False) if c
    )
    return _Figure(total, d.count(total), f"By status: {parts or 'none'}.", hidden=d.hides(total))


def _caseload_row(fetch, f):
    trend = fetch(caseload_trend, f, CASELOAD_WEEKS)
    return trend.iloc[-1]


@dataclass(frozen=True)
class NationalMeasure:
    """A national definition a local tile is read beside (/work/shared/SOURCES.md section 4)."""

    text: str
    source: str
    england: float
    year: int

    def line(self) -> str:
        return f"National measure ({self.source}): {self.text}; England {self.year}: {self.england:g}."


#: The DfE's average caseload, the definition the tile's figure follows.
NATIONAL_CASELOAD = NationalMeasure(
    text="cases held by FTE social workers in post, divided by the FTE of those holding one or more cases",
    source="DfE, Children's social work workforce statistics",
    england=15.2,
    year=2025,
)


def _average_caseload(fetch, f, d: Disclosure, s):
    """Children per FTE as the DfE defines it (cases over the FTE of the workers in post holding any), so
    the figure is in the unit of the 25-per-FTE standard it is rated against (the Caseloads page's rows)."""
    load = fetch(caseloads, f)
    holding = load[load["cases"] > 0]
    cases, fte, holders = int(load["cases"].sum()), float(holding["fte"].sum()), len(holding)
    national = NATIONAL_CASELOAD.line()
    if fte <= 0:
        return _Figure(None, "No cases held", f"No worker in post holds a case. {national}")
    avg = cases / fte
    parts = (holders, cases)  # the workers and the children the ratio is worked out from
    hidden = d.hides_any(*parts)
    if hidden:
        return _Figure(avg, d.derived(avg, parts, fmt="{:.1f}"), f"{_hidden_reason(d)} {national}", hidden=True)
    detail = (
        f"Children per FTE: {d.count(cases)} cases held by {d.count_noun(holders, 'worker')} ({fte:.1f} FTE). "
        + national
    )
    return _Figure(avg, d.derived(avg, parts, fmt="{:.1f}"), detail)


def _workers_over_target(fetch, f, d: Disclosure, s):
    row = _caseload_row(fetch, f)
    n, over = int(row["workers"]), int(row["over_target"])
    pct = _pct(over, n)
    if pct is None:
        return _Figure(None, "No workers")
    hidden = d.hides_share(over, n)
    detail = f"{d.of(over, n, 'workers')} over {s.caseload_per_fte:g} x FTE."
    return _Figure(
        pct, d.share(over, n, digits=1), f"{_hidden_reason(d)} {detail}" if hidden else detail, hidden=hidden
    )


def _unallocated(fetch, f, d: Disclosure, s):
    df = fetch(unallocated, f)
    n = len(df)
    detail = "Open children without a qualified key worker."
    if n and not d.active:  # one child's wait: never in presentation mode, whatever the count
        detail += f" Longest wait {int(df['days_unallocated'].max())} days."
    return _Figure(n, d.count(n), detail, hidden=d.hides(n))


def _plan_row(fetch, f):
    return fetch(drift_trend, f, PLAN_MONTHS).iloc[-1]


def _cin_over_12(fetch, f, d: Disclosure, s):
    row = _plan_row(fetch, f)
    n, total = int(row["cin_over_12_months"]), int(row["open_cin"])
    return _Figure(n, d.count(n), _of_total(d, n, total, "open CIN plans"), hidden=d.hides(n))


def _cin_reviews_overdue(fetch, f, d: Disclosure, s):
    counts = fetch(drift_counts, f)
    n = int(counts.loc[counts["flag"] == "cin_review_overdue", "n"].sum()) if len(counts) else 0
    return _Figure(
        n, d.count(n), f"Open CIN plans with no review in the last {s.cin_review_days} days.", hidden=d.hides(n)
    )


def _cp_over_2y(fetch, f, d: Disclosure, s):
    row = _plan_row(fetch, f)
    n, total = int(row["cp_over_2_years"]), int(row["open_cp"])
    return _Figure(n, d.count(n), _of_total(d, n, total, "open CP plans"), hidden=d.hides(n))


def _transfers_on_time(fetch, f, d: Disclosure, s):
    t = timeliness(fetch(transfers, f))
    done, on_time = t.completed, t.on_time
    pct = _pct(on_time, done)
    if pct is None:
        return _Figure(None, "No transfers completed")
    hidden = d.hides_share(on_time, done)
    detail = f"{d.of(on_time, done)} completed in the {s.window}."
    return _Figure(
        pct, d.share(on_time, done, digits=1), f"{_hidden_reason(d)} {detail}" if hidden else detail, hidden=hidden
    )


def _transfers_pending_late(fetch, f, d: Disclosure, s):
    t = timeliness(fetch(transfers, f))
    waiting, late = t.pending, t.pending_late
    return _Figure(late, d.count(late), _of_total(d, late, waiting, "pending transfers"), hidden=d.hides(late))


def _jarp_queue(fetch, f, d: Disclosure, s):
    q = fetch(jarp_queue, f)
    n = len(q)
    cells = [int((q["priority"] == k).sum()) if n else 0 for k in PRIORITIES.codes]
    shown = d.split(cells, total_shown=not d.hides(n))
    by = ", ".join(f"{PRIORITIES.short(k)} {txt}" for k, txt in zip(PRIORITIES.codes, shown, strict=False))
    from dashboard.figures.jarp import queue_and_panel_text  # the JARP page prints the same sentence

    return _Figure(n, d.count(n), f"Referrals not yet decided: {by}. {queue_and_panel_text(q, d)}", hidden=d.hides(n))


def _jarp_on_time(fetch, f, d: Disclosure, s):
    summary = response_summary(fetch(jarp_responses, f), rules_for(s))
    on, late = int(summary["on_time"].sum()), int(summary["late"].sum())
    pct = _pct(on, on + late)
    if pct is None:
        return _Figure(None, "No responses to judge")
    hidden = d.hides_share(on, on + late)
    # Each priority's share in a clause of its own, so a hidden one's mark is never read with another's %;
    # the same decisions as the JARP page's (its on-time and late counts with these shares must not give
    # a count back that the page hides).
    from dashboard.figures.jarp import response_counts

    shares = response_counts(summary, d)
    by = "; ".join(
        f"{p} {c['share'] if c['share'] is not None else d.mark}" for p, c in shares.items() if c["share"] != ""
    )
    detail = f"{d.of(on, on + late)} judged in the {s.window}." + (f" On time by priority: {by}." if by else "")
    return _Figure(
        pct, d.share(on, on + late, digits=1), f"{_hidden_reason(d)} {detail}" if hidden else detail, hidden=hidden
    )


def active_pilot(standards, as_at):
    """The configured pilot with the latest start on or before ``as_at`` (else the first configured)."""
    started = [x for x in standards.pilots if x.start <= as_at]
    return max(started, key=lambda x: x.start) if started else standards.pilots[0]


def _pilot_row(fetch, f, s):
    did = fetch(pilot_headline, f, active_pilot(s, f.as_at).name, HEADLINE_MEASURE)
    return did.iloc[0] if len(did) else None


def _pilot_effect(fetch, f, d: Disclosure, s):
    row = _pilot_row(fetch, f, s)
    if row is None:
        return _Figure(None, "Not measurable yet", "No CIN plans in the pilot's cohorts.", "not_measurable")
    status = row["status"]
    if status in ("too_small", "not_measurable"):
        # The page's "too small" verdict names each small cohort's size: not in presentation mode.
        detail = (
            f"Too small to judge: a cohort has fewer than {s.pilot_min_cohort} plans."
            if status == "too_small" and d.active
            else row["verdict"]
        )
        return _Figure(None, REFUSALS[status], detail, status)
    smallest = row.get("min_n")  # the smallest of the four cohorts the difference is worked out from
    if d.hides(smallest):
        return _Figure(float(row["did"]), d.mark, _hidden_reason(d), status, hidden=True)
    return _Figure(float(row["did"]), d.derived(row["did"], (smallest,), fmt="{:+.0f} days"), row["verdict"], status)


# --------------------------------------------------------------------------- the tiles


@dataclass(frozen=True)
class _Spec:
    key: str
    label: str | Callable  # text, or standards -> text when it states a standard
    compute: Callable
    href: str
    kind: str
    standard: Callable  # standards -> text
    #: Where the link lands: the target page's list-filter keys and the element it scrolls to.
    params: tuple[tuple[str, str], ...] = ()
    fragment: str = ""


def _label(spec: _Spec, s) -> str:
    """A tile's label, with the standard in force where it states one ("CIN plans open over 12 months")."""
    return spec.label(s) if callable(spec.label) else spec.label


#: The Plan durations page's drift list (its card, with the flag filter over it): the drift tiles land there.
DRIFT_LIST = "plans-drift-list"

#: Each tile: key, label, computation, page, kind, standard, and where its link lands (the list it
#: opens, already filtered by the page's list-filter keys, and the element scrolled to). The link
#: is built by ``dashboard.url_state.link`` with the view's filters.
SPECS: tuple[_Spec, ...] = (
    _Spec(
        "children_open",
        "Children open to the service",
        _children_open,
        "/caseloads",
        "count",
        lambda s: "No standard: context for the figures below",
    ),
    _Spec(
        "average_caseload",
        "Average caseload per FTE",
        _average_caseload,
        "/caseloads",
        "mean",
        lambda s: f"Standard: {s.caseload_per_fte:g} children per FTE ({source_of('caseload_per_fte')})",
        params=(("workers", "over"),),
        fragment="caseloads-workers",
    ),
    _Spec(
        "workers_over_target",
        "Workers over their caseload target",
        _workers_over_target,
        "/caseloads",
        "percent",
        lambda s: f"Standard: at most {s.caseload_per_fte:g} x FTE each ({source_of('caseload_per_fte')})",
        params=(("workers", "over"),),
        fragment="caseloads-workers",
    ),
    _Spec(
        "unallocated",
        "Children without a qualified key worker",
        _unallocated,
        "/caseloads",
        "count",
        lambda s: f"Standard: every open child has a qualified key worker ({cite('004 App. 4')})",
        fragment="caseloads-unallocated-card",
    ),
    _Spec(
        "cin_over_12_months",
        lambda s: f"CIN plans open over {months_text(s.cin_max_months)}",
        _cin_over_12,
        "/plans",
        "count",
        lambda s: f"Standard: CIN plans not expected beyond {s.cin_max_months} months ({source_of('cin_max_months')})",
        params=(("flag", "cin_over_12_months"),),
        fragment=DRIFT_LIST,
    ),
    _Spec(
        "cin_reviews_overdue",
        "CIN plan reviews overdue",
        _cin_reviews_overdue,
        "/plans",
        "count",
        lambda s: f"Standard: reviewed every {s.cin_review_days} days ({source_of('cin_review_days')})",
        params=(("flag", "cin_review_overdue"),),
        fragment=DRIFT_LIST,
    ),
    _Spec(
        "cp_over_2_years",
        lambda s: f"CP plans open over {years_text(s.cp_max_months)}",
        _cp_over_2y,
        "/plans",
        "count",
        lambda s: f"Standard: CP plans under {years_text(s.cp_max_months)} ({source_of('cp_max_months')})",
        params=(("flag", "cp_over_2_years"),),
        fragment=DRIFT_LIST,
    ),
    _Spec(
        "transfers_on_time",
        lambda s: f"Transfers on time ({s.window})",
        _transfers_on_time,
        "/transfers",
        "percent",
        lambda s: (
            f"Standard: within {s.transfer_working_days} working days of the request ("
            f"{source_of('transfer_working_days')})"
        ),
    ),
    _Spec(
        "transfers_pending_late",
        "Pending transfers already late",
        _transfers_pending_late,
        "/transfers",
        "count",
        lambda s: f"Standard: within {s.transfer_working_days} working days ({source_of('transfer_working_days')})",
        params=(("pending", "late"),),
        fragment="transfers-pending-card",
    ),
    _Spec(
        "jarp_queue",
        "JARP queue",
        _jarp_queue,
        "/jarp",
        "count",
        lambda s: f"Standard: heard at the next panel ({cite('003 3.6')})",
        fragment="jarp-agenda-section",
    ),
    _Spec(
        "jarp_responses_on_time",
        lambda s: f"JARP responses on time ({s.window})",
        _jarp_on_time,
        "/jarp",
        "percent",
        lambda s: (
            f"Standard: P1 {s.jarp_p1_response_days} days, P2 {s.jarp_p2_response_working_days} and P3 "
            f"{s.jarp_p3_response_working_days} working days ({source_of('jarp_p1_response_days')})"
        ),
        fragment="jarp-agenda-section",
    ),
    _Spec(
        "pilot_effect",
        "CIN pilot: change in median plan duration",
        _pilot_effect,
        "/cin-pilot",
        "effect",
        lambda s: f"Difference-in-differences, pilot vs comparison teams ({cite('002')}); negative = shorter",
    ),
)
TILE_KEYS = tuple(spec.key for spec in SPECS)


def _default_fetch(db) -> Fetch:
    return lambda fn, f, *args, **kw: fn(db, f, *args, **kw)


def week_before_fetch(fetch: Fetch, filters, previous) -> Fetch:
    """``fetch`` for the week-before tiles: the trends as at ``previous`` without a second trend query
    (issue 17). Both trends work out each of their dates on its own, and the tiles read only the
    last row (the as-at date):

    * :func:`caseload_trend`'s dates are its as-at date and every 7 days before, so its series as at
      D-7 is the series as at D without its last week, cut from the one ``filters`` already fetched;
    * :func:`drift_trend`'s dates are monthly, so D-7 is not among D's: it is asked for D-7 alone
      (``months=0``, one date instead of 13).

    Any other call, or another as-at date, is passed through unchanged.
    """

    def fetch_before(fn, f, *args, **kw):
        if fn is caseload_trend and f == previous:
            return fetch(fn, filters, *args, **kw).iloc[:-1]
        if fn is drift_trend and f == previous and not kw:
            return fetch(fn, f, 0)
        return fetch(fn, f, *args, **kw)

    return fetch_before


#: Tiles that count a drift flag: a source that cannot judge the flag (``unserved_drift_flags``) leaves them out.
TILE_FLAGS = {"cin_reviews_overdue": "cin_review_overdue"}


def overview_tiles(
    db,
    filters,
    disclosure: Disclosure | None = None,
    fetch: Fetch | None = None,
    thresholds: dict[str, Threshold] | None = None,
    keys: tuple[str, ...] | None = None,
    *,
    presentation: bool | None = None,
) -> list[Tile]:
    """The tiles of :func:`overview_tiles_and_gaps` (what the database cannot serve is left out)."""
    return overview_tiles_and_gaps(db, filters, disclosure, fetch, thresholds, keys, presentation=presentation)[0]


def overview_tiles_and_gaps(
    db,
    filters,
    disclosure: Disclosure | None = None,
    fetch: Fetch | None = None,
    thresholds: dict[str, Threshold] | None = None,
    keys: tuple[str, ...] | None = None,
    *,
    presentation: bool | None = None,
) -> tuple[list[Tile], list[tuple[str, str]]]:
    """Every headline tile for ``filters`` (a ``data_layer.Filters``), in display order.

    ``disclosure`` decides what each tile may show (the view's; default: exact values). Every
    text (``display``, ``detail``, ``change_text``, ``rag_label``) is already through it, so the
    Overview, its CSV and the board pack print them as they are. ``fetch(fn, f, *args)`` runs a
    data-layer function (the sections pass ``dashboard.cache.cached_call`` for the shared cache;
    default: ``fn(db, f, *args)``). ``thresholds`` default to :func:`dashboard.rag.load_thresholds`
    for ``db.standards``; ``keys`` limits the tiles. ``presentation`` is the old way of asking
    for presentation mode (a ``Disclosure`` at the standards' threshold), kept for callers not
    yet converted.

    Returns the tiles and the *gaps*: ``(label, sentence)`` for each tile the database cannot serve
    (a missing table, a drift flag its source cannot judge), left out rather than shown as 0.
    """
    s = db.standards
    if disclosure is None:
        disclosure = Disclosure(threshold=s.suppress_below, active=bool(presentation))
    d = disclosure
    fetch = fetch or _default_fetch(db)
    thresholds = thresholds if thresholds is not None else load_thresholds(s)
    previous_filters = replace(filters, as_at=filters.as_at - timedelta(days=7))
    fetch_before = week_before_fetch(fetch, filters, previous_filters)
    out: list[Tile] = []
    gaps: list[tuple[str, str]] = []  # (tile label, why it is left out): partial data, never a 0
    unserved = _unserved_flags(db)
    for spec in SPECS:
        if keys is not None and spec.key not in keys:
            continue
        if TILE_FLAGS.get(spec.key) in unserved:
            gaps.append((_label(spec, s), unserved[TILE_FLAGS[spec.key]]))
            continue
        try:
            now = spec.compute(fetch, filters, d, s)
            before = spec.compute(fetch_before, previous_filters, d, s)
        except MissingData as exc:
            gaps.append((_label(spec, s), str(exc)))
            continue
        th = thresholds.get(spec.key)
        higher_is_worse: bool | None
        if spec.key == "pilot_effect":
            status = now.status or "not_measurable"
            rag = None if now.hidden else PILOT_RAG.get(status)
            label = rag_label(rag, "Not rated" if now.hidden else REFUSALS.get(status, "Not rated"))
            higher_is_worse, rule = True, "Green when the pilot is clearly better; red when clearly worse"
        else:
            rag = _rating(th, now, spec.kind, d)
            label = rag_label(rag)
            higher_is_worse = th.higher_is_worse if th else None
            rule = th.rule_text() if th else ""
        change, change_text, direction, judgement = _change(
            spec.kind, now, before, previous_filters.as_at, d, higher_is_worse
        )
        out.append(
            Tile(
                key=spec.key,
                label=_label(spec, s),
                value=now.value,
                previous=before.value,
                change=change,
                display=now.display,
                standard=spec.standard(s),
                rag=rag,
                rag_label=label,
                href=spec.href,
                params=spec.params,
                fragment=spec.fragment,
                detail=now.detail,
                change_text=change_text,
                rule=rule,
                kind=spec.kind,
                hidden=now.hidden,
                direction=direction,
                judgement=judgement,
            )
        )
    return out, gaps


def _unserved_flags(db) -> dict[str, str]:
    """Drift flags the database cannot judge (an SSD has no CIN plan reviews); none for a stand-in db."""
    from data_layer.queries.drift import unserved_drift_flags

    try:
        return unserved_drift_flags(db)
    except AttributeError:  # a test's stand-in database without tables
        return {}


#: Columns of :func:`tiles_frame` (the Overview's "Download CSV" and the pack's table of tiles).
FRAME_COLUMNS = {
    "tile": "Figure",
    "value": "Value",
    "rating": "Rating",
    "change": "Change since last week",
    "standard": "Standard",
    "rule": "Rating rule",
    "detail": "Detail",
}


def tiles_frame(tiles: Iterable[Tile]) -> pd.DataFrame:
    """The tiles as a table of their shown text only (never the raw ``value``/``previous``)."""
    return pd.DataFrame(
        [
            {
                "tile": t.label,
                "value": t.display,
                "rating": t.rag_label,
                "change": t.change_text,
                "standard": t.standard,
                "rule": t.rule,
                "detail": t.detail,
            }
            for t in tiles
        ],
        columns=list(FRAME_COLUMNS),
    )


RAG_KEYS = ("red", "amber", "green", "none")


def rag_counts(tiles: Iterable) -> dict[str, int]:
    """How many tiles are red, amber, green and not rated (``"none"``), for the pack's summary.

    Works on these tiles and on ``dashboard.sections.base.Tile`` values (anything with ``.rag``);
    a rating withheld by disclosure control counts as not rated.
    """
    out = dict.fromkeys(RAG_KEYS, 0)
    for t in tiles:
        out[t.rag if t.rag in out else "none"] += 1
    return out


#: Triage order of the Overview's grid (and the pack's tiles): red, amber, green, then not rated.
TRIAGE_ORDER = {"red": 0, "amber": 1, "green": 2}


def triage_order(tiles: Iterable[Tile]) -> list[Tile]:
    """The tiles red first, then amber, green and not rated; stable (SPECS order) within a colour."""
    return sorted(tiles, key=lambda t: TRIAGE_ORDER.get(t.rag or "", len(TRIAGE_ORDER)))


def rag_summary(counts: dict[str, int]) -> str:
    """``"5 red, 3 amber, 2 green, 2 not rated"`` from :func:`rag_counts` (words, never colour alone)."""
    rated = [f"{counts.get(k, 0)} {RAG_BANDS.label(k).lower()}" for k in RAG_KEYS if k in RAG_BANDS]
    return ", ".join([*rated, f"{counts.get('none', 0)} not rated"])


def week_changes(tiles: Iterable[Tile]) -> list[str]:
    """What changed in the week: worse first, then changes no standard judges, then better.

    One line per tile whose shown change has a direction (no change, no comparison and changes
    withheld by disclosure control are left out): ``"Children without a qualified key worker:
    17, ▼ down 4 since 24 Mar 2023 (better)"``. Only displayed text, so safe for the pack.
    """
    moved = [t for t in tiles if t.direction]
    order = {"worse": 0, None: 1, "better": 2}
    return [f"{t.label}: {t.display}, {t.change_text}" for t in sorted(moved, key=lambda t: order[t.judgement])]


__all__ = [
    "Tile",
    "overview_tiles",
    "tiles_frame",
    "rag_counts",
    "rag_summary",
    "triage_order",
    "week_changes",
    "active_pilot",
    "SPECS",
    "TILE_KEYS",
    "HEADLINE_MEASURE",
    "FRAME_COLUMNS",
    "RAG_KEYS",
    "DRIFT_LIST",
]
