"""Casework derived from journeys: key-worker allocations, transfers, visits and plan reviews.

A *span* is the time one team holds a child within a journey. Between spans the child moves at a
transfer point (003/004): the sending team keeps the case until the transfer completes, so the
allocations and the transfer log agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import workforce as wf
from ._dates import END, NA, OPEN, START, busday_add, next_workday
from .journeys import ASSESS, CIN, CLA, CP, Journeys, Table, pick

POINTS = ("initial_cin_meeting", "after_icpc", "first_lac_review", "first_hearing", "other")
WORKING_DAYS = np.array([0, 1, 2, 3, 4, 5, 6, 8, 12])
WORKING_DAYS_P = (0.12, 0.25, 0.22, 0.16, 0.09, 0.06, 0.04, 0.03, 0.03)
AWAIT_P = np.array([0.12, 0.18, 0.18, 0.18, 0.18, 0.18, 0.08, 0.15])  # by team kind
CHURN_P = 0.04
VISITS_FROM = START - 42


def _segment_cumsum(values: np.ndarray, group_start: np.ndarray) -> np.ndarray:
    """Cumulative sum restarting at each group (``group_start`` marks first rows)."""
    c = np.cumsum(values)
    first_idx = np.maximum.accumulate(np.where(group_start, np.arange(values.size), 0))
    return c - c[first_idx] + values[first_idx]


def spans(j: Journeys) -> pd.DataFrame:
    """Merge consecutive segments of one round held by the same team."""
    s = pd.DataFrame(j.segments)
    s["end"] = np.where(s["end"] > END, OPEN, s["end"])
    s = s.sort_values(["child", "rnd", "step"], kind="stable").reset_index(drop=True)
    same_round = (s["child"].values[1:] == s["child"].values[:-1]) & (s["rnd"].values[1:] == s["rnd"].values[:-1])
    same_round = np.r_[False, same_round]
    new_span = ~same_round | np.r_[True, s["team"].values[1:] != s["team"].values[:-1]]
    s["span"] = np.cumsum(new_span) - 1
    s["has_prev"] = same_round & new_span
    legal = np.full(len(s), -1)
    if j.cla:
        is_cla = (s["kind"] == CLA).values
        legal[is_cla] = j.cla["legal"][s["plan"].values[is_cla]]
    s["legal"] = legal
    g = s.groupby("span", sort=True)
    sp = g.agg(
        child=("child", "first"),
        rnd=("rnd", "first"),
        team=("team", "first"),
        start=("start", "first"),
        end=("end", "max"),
        kind=("kind", "first"),
        legal=("legal", "first"),
        has_prev=("has_prev", "first"),
        last_kind=("kind", "last"),
    )
    sp["prev_kind"] = np.r_[-1, sp["last_kind"].values[:-1]]
    sp["prev_team"] = np.r_[-1, sp["team"].values[:-1]]
    sp["prev_start"] = np.r_[NA, sp["start"].values[:-1]]
    sp["last_in_round"] = ~np.r_[sp["has_prev"].values[1:], False]
    return sp.reset_index(drop=True)


def transfers_and_intervals(rng, sp: pd.DataFrame):
    """Transfer rows, and each span's allocation interval [alloc_start, alloc_end)."""
    n = len(sp)
    start, end, kind, prev_kind = (sp[c].values for c in ("start", "end", "kind", "prev_kind"))
    has_prev = sp["has_prev"].values
    point = np.full(n, 4)
    lag = rng.integers(0, 16, n)
    cin_in = (kind == CIN) & (prev_kind == ASSESS)
    point[cin_in], lag[cin_in] = 0, rng.integers(0, 8, cin_in.sum())
    cp_in = kind == CP
    point[cp_in], lag[cp_in] = 1, rng.integers(0, 6, cp_in.sum())
    cla_in = kind == CLA
    hearing = cla_in & np.isin(sp["legal"].values, (1, 3, 4)) & (rng.random(n) < 0.5)
    review = cla_in & ~hearing
    point[hearing], lag[hearing] = 3, rng.integers(1, 15, hearing.sum())
    point[review], lag[review] = 2, rng.integers(18, 29, review.sum())
    requested = start + lag
    completed = busday_add(requested, WORKING_DAYS[pick(rng, n, WORKING_DAYS_P)])

    done = has_prev & (completed < end) & (completed <= END)
    pending = has_prev & ~done & (requested <= END) & (end == OPEN)
    waiting = has_prev & ~done & ~pending & (end == OPEN)  # not yet requested on END
    # the rest (has_prev & ~done & ~pending & ~waiting) were too short to transfer: direct allocation
    alloc_start = np.where(done, completed, start)
    alloc_start = np.where(pending | waiting, OPEN, alloc_start)
    nxt = np.r_[alloc_start[1:], OPEN]
    nxt_has_prev = np.r_[has_prev[1:], False]
    alloc_end = np.where(nxt_has_prev, nxt, end)
    keep = alloc_start < alloc_end
    intervals = pd.DataFrame(
        {"child": sp["child"].values, "team": sp["team"].values, "start": alloc_start, "end": alloc_end, "kind": kind}
    )[keep & (alloc_start <= END)]

    t = done | pending
    notified = np.maximum(requested - rng.integers(0, 31, n), sp["prev_start"].values)
    joint = np.where(rng.random(n) < 0.88, completed - rng.integers(0, 13, n), NA)
    joint = np.where(pending, np.where(rng.random(n) < 0.3, np.minimum(requested + 1, END), NA), joint)
    joint = np.where(joint > END, NA, joint)
    status = np.where(pending, 0, 1)
    tr = pd.DataFrame(
        {
            "child": sp["child"].values,
            "from_team": sp["prev_team"].values,
            "to_team": sp["team"].values,
            "point": point,
            "notified": notified,
            "requested": requested,
            "completed": np.where(pending, NA, completed),
            "joint": joint,
            "status": status,
        }
    )[t]
    # A few are declined first and requested again a few days later (003: disputes go to managers).
    dec = tr[rng.random(len(tr)) < 0.03].copy()
    dec["requested"] = dec["requested"] - rng.integers(1, 7, len(dec))
    dec["notified"] = np.minimum(dec["notified"], dec["requested"])
    dec["completed"], dec["joint"], dec["status"] = NA, NA, 2
    tr = pd.concat([tr, dec]).sort_values(["child", "requested"], kind="stable")
    return tr, intervals


def allocations(rng, force: wf.Workforce, iv: pd.DataFrame, n_children: int):
    """Key-worker allocations (with awaiting-allocation rows and key-worker changes) and involved workers."""
    a, b, team, child = (iv[c].values for c in ("start", "end", "team", "child"))
    n = a.size
    tkind = team % wf.N_KINDS
    wait = 1 + rng.geometric(1 / 8, n) * np.where(rng.random(n) < 0.08, 4, 1)
    awaiting = rng.random(n) < AWAIT_P[tkind]
    real = np.where(awaiting, a + wait, a)
    awaiting &= real < b
    real = np.where(awaiting, real, a)
    rows = Table()
    # Awaiting allocation: still waiting on END when the wait runs past it.
    aw_end = np.where(real > END, OPEN, real)
    rows.add(
        child=child[awaiting],
        team=team[awaiting],
        worker=np.full(awaiting.sum(), -1),
        start=a[awaiting],
        end=aw_end[awaiting],
        role=np.zeros(awaiting.sum(), dtype=np.int64),
    )
    live = real <= END
    a2, b2, t2, c2 = real[live], b[live], team[live], child[live]
    churn = (rng.random(n_children) < CHURN_P)[c2]
    lim = np.minimum(b2, END)
    length = np.maximum(lim - a2, 0)
    n_ch = rng.poisson(length / np.where(churn, 75.0, 330.0))
    total = a2.size + n_ch.sum()
    owner = np.repeat(np.arange(a2.size), n_ch + 1)
    first = np.r_[0, np.cumsum(n_ch + 1)[:-1]]
    pts = a2[owner] + 1 + (rng.random(total) * np.maximum(length[owner], 1)).astype(np.int64)
    pts[first] = a2
    order = np.lexsort((pts, owner))
    owner, pts = owner[order], pts[order]
    dup = np.r_[False, (owner[1:] == owner[:-1]) & (pts[1:] == pts[:-1])]
    owner, pts = owner[~dup], pts[~dup]
    last = np.r_[owner[1:] != owner[:-1], True]
    ends = np.where(last, b2[owner], np.r_[pts[1:], 0])
    s_start, s_end, s_team, s_child = pts, ends, t2[owner], c2[owner]
    s_worker = force.pick(rng, s_team, s_start)
    # Workers who leave hand their cases on the day they go.
    # Workers who leave hand their cases on the day they go; a vacant team allocates on the day
    # its next worker starts.
    for _ in range(8):
        w = np.where(s_worker >= 0, s_worker, 0)
        vacant_until = np.where(s_worker < 0, force.next_start(s_team, s_start), OPEN)
        cut_at = np.where(s_worker >= 0, force.w_end[w], vacant_until)
        leaves = cut_at < s_end
        if not leaves.any():
            break
        cut = cut_at[leaves]
        new_start, new_end, new_team, new_child = cut, s_end[leaves], s_team[leaves], s_child[leaves]
        s_end = s_end.copy()
        s_end[leaves] = cut
        new_worker = force.pick(rng, new_team, new_start)
        keep = new_start <= END
        s_start = np.r_[s_start, new_start[keep]]
        s_end = np.r_[s_end, new_end[keep]]
        s_team = np.r_[s_team, new_team[keep]]
        s_child = np.r_[s_child, new_child[keep]]
        s_worker = np.r_[s_worker, new_worker[keep]]
    s_end = np.where(s_end > END, OPEN, s_end)
    rows.add(
        child=s_child,
        team=s_team,
        worker=s_worker,
        start=s_start,
        end=s_end,
        role=np.zeros(s_start.size, dtype=np.int64),
    )

    # Involved workers (family support, co-working) for part of some spans.
    inv = rng.random(n) < np.where(np.isin(tkind, wf.FAMILY + (wf.LOOKED_AFTER,)), 0.12, 0.03)
    ln = np.maximum(np.minimum(b, END) - a, 1)
    i_start = a + (rng.random(n) * ln / 2).astype(np.int64)
    i_end = np.minimum(i_start + rng.integers(30, 240, n), b)
    inv &= (i_start <= END) & (i_end > i_start)
    iw = force.pick(rng, team[inv], i_start[inv], involved=True)
    ok = iw >= 0
    ie = np.minimum(i_end[inv][ok], force.w_end[iw[ok]])
    ie = np.where(ie > END, OPEN, ie)
    rows.add(
        child=child[inv][ok],
        team=team[inv][ok],
        worker=iw[ok],
        start=i_start[inv][ok],
        end=ie,
        role=np.ones(ok.sum(), dtype=np.int64),
    )
    out = pd.DataFrame(rows.done())
    out = out[out["start"] < out["end"]]
    return out.sort_values(["child", "start", "role"], kind="stable").reset_index(drop=True)


def _events(rng, plan_no, child, start, end, first_gap, gap_fn):
    """Dates from ``start`` + first_gap, then + gap_fn() each, while before the plan end and END."""
    lim = np.minimum(end, END + 1)
    length = np.maximum(lim - start, 0)
    min_gap = gap_fn.min_gap
    n_c = (length // min_gap + 2).astype(np.int64)
    owner = np.repeat(np.arange(start.size), n_c)
    gaps = gap_fn(owner).astype(np.int64)
    first = np.r_[True, owner[1:] != owner[:-1]]
    gaps[first] = first_gap[owner[first]]
    when = start[owner] + _segment_cumsum(gaps, first)
    keep = when < lim[owner]
    return owner[keep], when[keep]


class _Gap:
    """Gaps around ``mean``: a fixed part plus a gamma-distributed ``spread`` share, some late."""

    def __init__(self, rng, mean, late_p=0.0, late=(0, 1), spread=0.5):
        self.rng, self.mean, self.late_p, self.late, self.spread = rng, mean, late_p, late, spread
        self.min_gap = max(1, int(mean * (1 - spread)))

    def __call__(self, owner):
        n = owner.size
        g = self.mean * (1 - self.spread) + self.rng.gamma(4, self.mean * self.spread / 4, n)
        if self.late_p:
            g = np.where(self.rng.random(n) < self.late_p, g + self.rng.integers(*self.late, n), g)
        return np.maximum(g, self.min_gap)


def visits(rng, j: Journeys, alloc: pd.DataFrame):
    """Statutory visits on CIN (about 3-weekly), CP (about 10-daily) and CLA (about 6-weekly) plans."""
    parts = []
    for plan_type, table, mean, spread in ((0, j.cin, 17.0, 0.5), (1, j.cp, 8.0, 0.35), (2, j.cla, 40.0, 0.5)):
        if not table:
            continue
        start, end, child = table["start"], table["end"], table["child"]
        fg = (rng.random(start.size) * mean * 0.6).astype(np.int64) + 1
        owner, when = _events(rng, None, child, start, end, fg, _Gap(rng, mean, spread=spread))
        # Some plans drift: visits stop weeks before the plan ends (or before END if still open).
        drift = rng.random(start.size) < 0.10
        stop = np.where(drift, np.minimum(end, END + 1) - rng.integers(22, 75, start.size), OPEN)
        when = next_workday(when)
        # Visits are recorded from six weeks before the extract (older casework history is not).
        keep = (when < stop[owner]) & (when <= END) & (when < end[owner]) & (when >= VISITS_FROM)
        owner, when = owner[keep], when[keep]
        dup = np.r_[False, (owner[1:] == owner[:-1]) & (when[1:] == when[:-1])]
        owner, when = owner[~dup], when[~dup]
        parts.append(pd.DataFrame({"child": child[owner], "date": when, "plan_type": plan_type}))
    v = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["child", "date", "plan_type"])
    # The visiting worker is the child's key worker of the time (nearest allocation when awaiting).
    kw = alloc[(alloc["role"] == 0) & (alloc["worker"] >= 0)][["child", "start", "worker"]].sort_values("start")
    v = v.sort_values("date", kind="stable")
    v = pd.merge_asof(v, kw, left_on="date", right_on="start", by="child", direction="nearest")
    v["worker"] = v["worker"].fillna(-1).astype(np.int64)
    return v.sort_values(["child", "date"], kind="stable").reset_index(drop=True)


def reviews(rng, j: Journeys, cin_ids_offset: int, cp_ids_offset: int):
    """CIN reviews about 6-weekly (some late, 001); CP reviews at 3 months then 6-monthly."""
    parts = []
    if j.cin:
        st, en = j.cin["start"], j.cin["end"]
        fg = 42 + rng.integers(-12, 5, st.size)
        fg = np.where(rng.random(st.size) < 0.12, fg + rng.integers(1, 30, st.size), fg)
        owner, when = _events(rng, None, None, st, en, fg, _Gap(rng, 40, 0.15, (3, 40), spread=0.15))
        when = next_workday(when)
        keep = (when <= END) & (when < en[owner])
        owner, when = owner[keep], when[keep]
        chair = np.where(when - st[owner] >= 270, 1, 0)
        parts.append(pd.DataFrame({"plan": owner + cin_ids_offset, "plan_type": 0, "date": when, "chair": chair}))
    if j.cp:
        st, en = j.cp["start"], j.cp["end"]
        fg = 90 + rng.integers(-10, 3, st.size)
        fg = np.where(rng.random(st.size) < 0.1, fg + rng.integers(1, 30, st.size), fg)
        owner, when = _events(rng, None, None, st, en, fg, _Gap(rng, 182, 0.1, (1, 30), spread=0.15))
        when = next_workday(when)
        keep = (when <= END) & (when < en[owner])
        owner, when = owner[keep], when[keep]
        parts.append(
            pd.DataFrame({"plan": owner + cp_ids_offset, "plan_type": 1, "date": when, "chair": np.full(owner.size, 2)})
        )
    if not parts:
        return pd.DataFrame(columns=["plan", "plan_type", "date", "chair"])
    return pd.concat(parts, ignore_index=True)
