"""Joint Allocation Resource Panel referrals (003 section 3.6 and Appendix B).

Submissions fall at all hours, including Friday afternoons around the 14:00 cut-off and weekends,
so the dashboard's panel-date rule is exercised; some panel dates are left NULL for it to compute.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..standards import JARP_CRITERIA, JARP_EXCEPTIONS, JARP_EXCLUSIVE
from ._dates import END, NA, OPEN, START, busday_add, weekday
from .journeys import CIN, CLA, CP, Journeys, pick

CRITERIA = tuple(JARP_CRITERIA)
POINTS = np.array([JARP_CRITERIA[c][0] for c in CRITERIA])
DECISIONS = ("allocated", "carried_over", "declined", "pending")
SERVICES = (
    "Family support",
    "Parenting programme",
    "Therapeutic support",
    "Respite care",
    "Youth work",
    "Mentoring",
    "Placement support",
    "Domestic abuse programme",
)
_BOOST = {
    CLA: ("new_lac_episode", "placement_breakdown", "unplanned_move", "court_proceedings"),
    CP: ("cp_imminent_removal", "cp_registration", "substance_parent", "familial_dysfunction"),
    CIN: ("familial_dysfunction", "parent_mental_illness", "school_exclusion", "substance_parent"),
}
RATE = 0.10
DAY = 86400


def score(chosen: np.ndarray, carried: np.ndarray) -> np.ndarray:
    """docs/DEFINITIONS.md "JARP priority queue" score of a (referrals x criteria) boolean matrix, for the response
    timings."""
    pts = (chosen * POINTS).astype(np.int64)
    for group in JARP_EXCLUSIVE:
        cols = [CRITERIA.index(c) for c in group]
        best = pts[:, cols].max(axis=1)
        pts[:, cols] = 0
        pts[:, cols[0]] = best
    co = CRITERIA.index("carried_over")
    pts[:, co] = np.where(carried >= 1, POINTS[co], 0)
    return pts.sum(axis=1)


def referrals(rng: np.random.Generator, j: Journeys, coverage: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """JARP referral rows (``child``, ``team`` as indices) and criteria rows (``ref`` = row number)."""
    s = j.segments
    plan = np.isin(s["kind"], (CIN, CP, CLA))
    end = np.where(s["end"] > END, OPEN, s["end"])
    sub = rng.integers(3, 61, s["kind"].size)
    when = s["start"] + sub
    cand = plan & (when >= START) & (when <= np.minimum(end, END))
    chosen = cand & (rng.random(cand.size) < RATE)
    if coverage:
        # Make sure a small authority still shows every criterion, exception and an undecided queue.
        idx = np.nonzero(cand)[0]
        chosen[idx[:24]] = True
        recent = np.nonzero(plan & (end == OPEN) & (s["start"] < END - 30))[0][:6]
        chosen[recent] = True
        when[recent] = END - np.array([0, 2, 6, 9, 16, 23])[: recent.size]
    else:
        recent = np.empty(0, dtype=np.int64)
    ix = np.nonzero(chosen)[0]
    n = ix.size
    child, team, kind, day = s["child"][ix], s["team"][ix], s["kind"][ix], when[ix]

    # Submission time: weekday office hours, Friday afternoons near the cut-off, some weekends.
    style = pick(rng, n, (0.78, 0.16, 0.06))
    wd = weekday(day)
    fri = day + (4 - wd) % 7
    wkend = day + (5 - wd) % 7 + rng.integers(0, 2, n)
    day = np.where(style == 1, fri, np.where(style == 2, wkend, busday_add(day, 0)))
    day = np.where(day > END, day - 7, day)
    secs = np.where(
        style == 1,
        rng.integers(12 * 3600 + 1800, 15 * 3600 + 1800, n),
        np.where(style == 2, rng.integers(9 * 3600, 20 * 3600, n), rng.integers(8 * 3600 + 1800, 17 * 3600 + 1800, n)),
    )
    secs = (secs // 60) * 60
    submitted = day.astype(np.int64) * DAY + secs
    # Panel: the Tuesday after the first Friday 14:00 at or after submission.
    wd = weekday(day)
    friday = day + (4 - wd) % 7
    friday = np.where(submitted > friday * DAY + 14 * 3600, friday + 7, friday)
    panel = friday + 4

    carried = pick(rng, n, (0.70, 0.18, 0.08, 0.04))
    carried[np.searchsorted(ix, recent[4:])] = 3  # still being carried over on END
    exc = np.where(rng.random(n) < 0.07, rng.integers(0, len(JARP_EXCEPTIONS), n), -1)
    # Criteria: a few per referral, weighted towards the plan's kind, without replacement.
    w = np.ones((n, len(CRITERIA)))
    for k, codes in _BOOST.items():
        for c in codes:
            w[kind == k, CRITERIA.index(c)] *= 4
    age = day - j.birth[child]
    w[:, CRITERIA.index("care_leaver_16_19")] = np.where(age >= 16 * 365, 3, 0)
    w[:, CRITERIA.index("care_leaver_19_24")] = 0
    w[:, CRITERIA.index("teen_pregnancy")] = np.where(age >= 13 * 365, 1, 0)
    w[:, CRITERIA.index("carried_over")] = 0
    n_chosen = 1 + pick(rng, n, (0.15, 0.25, 0.25, 0.18, 0.10, 0.07))
    keys = np.where(w > 0, np.log(np.maximum(w, 1e-12)) - np.log(-np.log(rng.random(w.shape))), -np.inf)
    rank = np.argsort(-keys, axis=1).argsort(axis=1)
    chosen_c = (rank < n_chosen[:, None]) & (w > 0)
    chosen_c[:, CRITERIA.index("carried_over")] = (carried >= 1) & (rng.random(n) < 0.6)
    if coverage and n:
        for i, c in enumerate(CRITERIA[: min(n, len(CRITERIA))]):
            chosen_c[i, CRITERIA.index(c)] = True
            if c == "carried_over":
                carried[i] = max(carried[i], 1)
        for i in range(min(n, len(JARP_EXCEPTIONS))):
            exc[n - 1 - i] = i
    if coverage and n > 25:
        chosen_c[n - 6, CRITERIA.index("care_leaver_19_24")] = True  # the exclusive band pairs,
        chosen_c[n - 6, CRITERIA.index("care_leaver_16_19")] = True  # so the scoring rule matters
        chosen_c[n - 7, CRITERIA.index("substance_both_parents")] = True
        chosen_c[n - 7, CRITERIA.index("substance_parent")] = True

    pts = score(chosen_c, carried)
    prio = np.where((pts >= 11) | (exc >= 0), 1, np.where(pts >= 7, 2, 3))

    # Decisions: undecided when the panel (or the last it was carried to) is after END.
    decided_panel = panel + 7 * carried
    decision = np.where(rng.random(n) < 0.82, 0, 2)
    decision_date = decided_panel.copy()
    still = (panel <= END) & (decided_panel > END)
    decision = np.where(still, 1, decision)
    carried = np.where(still, (END - panel) // 7 + 1, carried)
    decision_date = np.where(still, NA, decision_date)
    future = panel > END
    decision = np.where(future, 3, decision)
    carried = np.where(future, 0, carried)
    decision_date = np.where(future, NA, decision_date)
    panel_w = np.where(future | (rng.random(n) < 0.15), NA, panel)

    late = rng.random(n) < 0.15
    p1 = np.where(late, rng.integers(50, 121, n), rng.integers(2, 45, n)) * 3600
    p2 = busday_add(np.maximum(decision_date, 0), np.where(late, rng.integers(6, 10, n), rng.integers(1, 6, n)))
    p3 = busday_add(np.maximum(decision_date, 0), np.where(late, rng.integers(11, 17, n), rng.integers(2, 11, n)))
    office = rng.integers(9 * 3600, 17 * 3600, n)
    resp = np.where(
        prio == 1, decision_date * DAY + 9 * 3600 + p1, np.where(prio == 2, p2 * DAY + office, p3 * DAY + office)
    )
    allocated = decision == 0
    no_resp = ~allocated | (resp >= (END + 1) * DAY)
    review = np.where(allocated, decision_date + 42, NA)
    nserv = 1 + (rng.random(n) < 0.35)
    sv = rng.integers(0, len(SERVICES), (n, 2))
    services = [
        SERVICES[a] if m == 1 or a == b else f"{SERVICES[a]}; {SERVICES[b]}"
        for a, b, m in zip(sv[:, 0], sv[:, 1], nserv, strict=False)
    ]
    refs = pd.DataFrame(
        {
            "child": child,
            "team": team,
            "submitted": submitted,
            "panel": panel_w,
            "exception": exc,
            "carried": carried,
            "services": services,
            "decision": decision,
            "decision_date": decision_date,
            "response": np.where(no_resp, 0, resp),
            "no_response": no_resp,
            "review": review,
        }
    )
    ref_at, crit_at = np.nonzero(chosen_c)
    crit = pd.DataFrame({"ref": ref_at, "criterion": np.array(CRITERIA, dtype=object)[crit_at]})
    return refs, crit
