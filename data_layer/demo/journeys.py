"""Child journeys: referral -> assessment -> CIN / CP plans, care episodes, leaving care, re-referral.

Simulated for a whole chunk of children at once: each step of a journey is one vectorised draw
for every child still on it. The output is plan rows plus *segments* (who held the child when),
from which casework.py derives allocations, transfers, visits and reviews.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import workforce as wf
from ._dates import END, NA, OPEN, PILOT_START, START, add_years, first_of_month

ASSESS, CIN, CP, CLA, LEAVE = range(5)

SEXES = ("M", "F", "U")
ETHNICITIES = (
    "WBRI",
    "WIRI",
    "WOTH",
    "WROM",
    "MWBC",
    "MWBA",
    "MWAS",
    "MOTH",
    "AIND",
    "APKN",
    "ABAN",
    "AOTH",
    "BCRB",
    "BAFR",
    "BOTH",
    "CHNE",
    "OOTH",
    "REFU",
    "NOBT",
)
ETHNICITY_P = (
    0.62,
    0.01,
    0.05,
    0.01,
    0.03,
    0.01,
    0.01,
    0.03,
    0.02,
    0.03,
    0.02,
    0.01,
    0.02,
    0.04,
    0.01,
    0.005,
    0.02,
    0.02,
    0.045,
)
SOURCES = ("police", "school", "health", "la_services", "individual", "other_la", "anonymous", "other")
SOURCE_P = (0.28, 0.18, 0.16, 0.12, 0.10, 0.04, 0.03, 0.09)
REF_OUTCOMES = ("assessment", "nfa", "early_help", "signposted", "other")
REF_OUTCOME_P = (0.70, 0.13, 0.11, 0.04, 0.02)
ASS_OUTCOMES = ("cin_plan", "cp_conference", "nfa", "step_down_eh", "lac", "other")
ASS_OUTCOME_P = (0.37, 0.12, 0.31, 0.15, 0.03, 0.02)
ORIGINS = ("assessment", "cp_step_down", "lac_step_down", "supervision_order", "court_report")
CIN_REASONS = (
    "plan_achieved",
    "consent_withdrawn",
    "step_down_eh",
    "escalated_cp",
    "became_lac",
    "moved_away",
    "other",
)
CIN_REASON_P = (0.44, 0.06, 0.24, 0.11, 0.06, 0.05, 0.04)
# The pilot team (002) closes more plans as achieved and escalates fewer.
CIN_REASON_P_PILOT = (0.51, 0.06, 0.29, 0.05, 0.02, 0.05, 0.02)
CP_CATEGORIES = ("neglect", "emotional", "physical", "sexual", "multiple")
CP_CATEGORY_P = (0.47, 0.36, 0.07, 0.04, 0.06)
CP_REASONS = ("step_down_cin", "no_longer_at_risk", "became_lac", "moved_away", "transferred_out", "other")
CP_REASON_P = (0.57, 0.18, 0.11, 0.05, 0.03, 0.06)
LEGAL = ("s20", "ico", "co", "epo", "pp", "po", "remand", "other")
LEGAL_P = (0.40, 0.20, 0.08, 0.05, 0.14, 0.03, 0.02, 0.08)
LEGAL_MEDIAN_DAYS = np.array([240, 170, 900, 5, 2, 300, 50, 150], dtype=float)
LEGAL_SIGMA = np.array([1.0, 0.5, 0.7, 0.5, 0.4, 0.5, 0.5, 0.8])
CLA_REASONS = ("returned_home", "sgo", "adoption", "age_18", "independent_living", "moved_away", "other")
CLA_REASON_P = np.array(
    [
        [0.62, 0.06, 0.02, 0, 0.06, 0.10, 0.14],  # s20
        [0.55, 0.25, 0.05, 0, 0, 0.05, 0.10],  # ico
        [0.35, 0.30, 0.15, 0, 0.05, 0.05, 0.10],  # co
        [0.85, 0, 0, 0, 0, 0.05, 0.10],  # epo
        [0.85, 0, 0, 0, 0, 0.05, 0.10],  # pp
        [0.05, 0, 0.85, 0, 0, 0, 0.10],  # po
        [0.75, 0, 0, 0, 0.05, 0, 0.20],  # remand
        [0.60, 0.05, 0, 0, 0.10, 0.10, 0.15],  # other
    ]
)
AGE_WEIGHTS = np.array([10, 6, 6, 6, 5, 5, 5, 5, 5, 5, 5, 5, 6, 7, 8, 8, 7, 4], dtype=float)
CARRY = ("new", "cin", "cp", "cla", "leaver")
CARRY_P = (0.897, 0.055, 0.025, 0.015, 0.008)
MAX_ROUNDS = 5


def pick(rng, n, p) -> np.ndarray:
    """Category indices drawn with probabilities ``p`` (vectorised, inverse CDF)."""
    cum = np.cumsum(p)
    return np.minimum(np.searchsorted(cum / cum[-1], rng.random(n), side="right"), len(p) - 1)


def pick_rows(rng, cum_rows: np.ndarray) -> np.ndarray:
    """Category per row, each row with its own cumulative probabilities."""
    u = rng.random(cum_rows.shape[0])[:, None]
    return np.minimum((u >= cum_rows / cum_rows[:, -1:]).sum(axis=1), cum_rows.shape[1] - 1)


def lognormal_days(rng, median, sigma, n=None):
    n = np.size(median) if n is None else n
    return rng.lognormal(np.log(median), sigma, n)


class Table:
    """Column arrays accumulated in parts (one part per journey step), concatenated once."""

    def __init__(self):
        self.parts: dict[str, list] = {}

    def add(self, **cols):
        for k, v in cols.items():
            self.parts.setdefault(k, []).append(np.asarray(v))

    def done(self) -> dict[str, np.ndarray]:
        return {k: np.concatenate(v) for k, v in self.parts.items()}


@dataclass
class Journeys:
    children: dict
    referrals: dict
    assessments: dict
    cin: dict
    cp: dict
    cla: dict
    segments: dict  # child, rnd, step, kind, team, start, end, plan (row no. in its plan table)
    birth: np.ndarray
    unit: np.ndarray
    extra: dict = field(default_factory=dict)


def _ages_days(rng, n):
    years = pick(rng, n, AGE_WEIGHTS)
    return (years * 365.25 + rng.integers(0, 365, n)).astype(np.int64)


def simulate(rng: np.random.Generator, force: wf.Workforce, first: int, n: int, total: int) -> Journeys:
    """Journeys of children number ``first`` .. ``first + n - 1`` (of ``total``)."""
    g = np.arange(first, first + n)
    unit = (g * force.units) // max(total, 1)
    carry = pick(rng, n, CARRY_P)
    # Anchor: first referral for new children; for children already open on START, the start of
    # the plan or care episode they are on (so the extract opens with a realistic open caseload).
    # New children arrive a little less often as the extract goes on, because re-referrals add
    # to the later years: referrals and open caseloads stay roughly level over the period.
    x = (1.25 - np.sqrt(1.5625 - rng.random(n))) / 0.5
    lead = 60  # a few weeks of referrals before the extract, so early 2020 has work in progress
    anchor = START - lead + (x * (END - START + 1 + lead)).astype(np.int64)
    anchor = np.where(carry == 1, START - rng.integers(20, 700, n), anchor)
    anchor = np.where(carry == 2, START - rng.integers(20, 500, n), anchor)
    anchor = np.where(carry == 3, START - rng.integers(20, 2500, n), anchor)
    b18_leaver = START - rng.integers(20, 1100, n)
    anchor = np.where(carry == 4, b18_leaver - rng.integers(200, 1800, n), anchor)
    age = _ages_days(rng, n)
    age = np.where(carry == 3, (rng.integers(0, 16, n) * 365.25).astype(np.int64) + rng.integers(0, 365, n), age)
    birth = first_of_month(anchor - age)
    birth = np.where(carry == 4, first_of_month(add_years(b18_leaver, -18)), birth)
    sex = np.where(rng.random(n) < 0.5, 0, 1)
    sex[rng.random(n) < 0.004] = 2
    uasc = (rng.random(n) < 0.02) & (anchor - birth > 14 * 365)
    sex[uasc & (rng.random(n) < 0.9)] = 0
    children = {
        "child_id": None,  # assigned by the writer
        "birth_date": birth,
        "sex": np.array(SEXES, dtype=object)[sex],
        "ethnicity": np.array(ETHNICITIES, dtype=object)[pick(rng, n, ETHNICITY_P)],
        "disability": (rng.random(n) < 0.08).astype(np.int64),
        "uasc": uasc.astype(np.int64),
    }

    refs, asses, segs = Table(), Table(), Table()
    plans = {CIN: Table(), CP: Table(), CLA: Table()}
    counts = {CIN: 0, CP: 0, CLA: 0}

    idx = np.arange(n)
    r_date = anchor.copy()
    forced = carry.copy()  # carry-in kind, only on round 0
    for rnd in range(MAX_ROUNDS):
        if idx.size == 0:
            break
        m = idx.size
        fc = forced if rnd == 0 else np.zeros(m, dtype=np.int64)
        is_carry = fc > 0
        # Assessment timing: forwards from the referral, or backwards from a carried-in plan.
        ass_len = (5 + rng.gamma(2.2, 10, m)).astype(np.int64)
        a_start = np.minimum(r_date + rng.integers(0, 4, m), END)
        a_done = a_start + ass_len
        p_anchor = r_date  # for carry-ins r_date holds the plan start
        back_cin = p_anchor - rng.integers(0, 9, m)
        back_cp = p_anchor - rng.integers(3, 17, m)
        a_done = np.where((fc == 1), back_cin, a_done)
        a_done = np.where((fc == 2), back_cp, a_done)
        a_start = np.where((fc == 1) | (fc == 2), a_done - ass_len, a_start)
        a_start = np.where(fc >= 3, p_anchor - rng.integers(0, 7, m), a_start)
        a_done = np.where(fc >= 3, a_start + ass_len, a_done)
        ref_date = np.where(is_carry, a_start - rng.integers(0, 4, m), r_date)

        outcome = pick(rng, m, REF_OUTCOME_P)
        outcome[is_carry] = 0
        has_ass = outcome == 0
        a_outcome = pick(rng, m, ASS_OUTCOME_P)
        a_outcome[fc == 1] = 0
        a_outcome[fc == 2] = 1
        a_outcome[fc >= 3] = 4
        # Ages 17+ are not taken into care in this model (they are close to leaving care age).
        age_at = a_start - birth[idx]
        a_outcome[(a_outcome == 4) & (age_at > 17 * 365) & (fc == 0)] = 0
        a_auth = a_done + rng.integers(0, 6, m)
        a_open = a_done > END
        a_done_w = np.where(a_open, NA, a_done)
        a_auth_w = np.where(a_open | (a_auth > END), NA, a_auth)

        # First plan of the round.
        kind0 = np.full(m, -1)
        start0 = np.full(m, NA, dtype=np.int64)
        origin0 = np.zeros(m, dtype=np.int64)
        sel = has_ass & ~a_open
        cin_o = sel & (a_outcome == 0)
        kind0[cin_o] = CIN
        start0[cin_o] = a_done[cin_o] + rng.integers(0, 8, cin_o.sum())
        start0[cin_o & (fc == 1)] = p_anchor[cin_o & (fc == 1)]
        origin0[cin_o & (rng.random(m) < 0.06)] = ORIGINS.index("court_report")
        cp_o = sel & (a_outcome == 1)
        no_plan = cp_o & (rng.random(m) < 0.15) & (fc == 0)  # conference decides a CIN plan instead
        kind0[cp_o] = np.where(no_plan[cp_o], CIN, CP)
        start0[cp_o] = a_done[cp_o] + rng.integers(3, 17, cp_o.sum())
        start0[cp_o & (fc == 2)] = p_anchor[cp_o & (fc == 2)]
        la_o = has_ass & (a_outcome == 4)
        kind0[la_o] = CLA
        start0[la_o] = np.where(
            fc[la_o] >= 3, p_anchor[la_o], a_start[la_o] + (rng.random(la_o.sum()) * ass_len[la_o]).astype(np.int64)
        )
        kind0[start0 > END] = -1

        # Referral and assessment rows.
        a_team = force.team(unit[idx], wf.ASSESSMENT)
        asses.add(
            child=idx[has_ass],
            team=a_team[has_ass],
            start=a_start[has_ass],
            completed=a_done_w[has_ass],
            authorised=a_auth_w[has_ass],
            outcome=np.where(a_open, -1, a_outcome)[has_ass],
        )
        segs.add(
            child=idx[has_ass],
            rnd=np.full(has_ass.sum(), rnd),
            step=np.zeros(has_ass.sum(), dtype=np.int64),
            kind=np.full(has_ass.sum(), ASSESS),
            team=a_team[has_ass],
            start=a_start[has_ass],
            end=np.where(a_open, OPEN, a_auth)[has_ass],
            plan=np.full(has_ass.sum(), -1),
        )

        # Plans, step by step.
        round_end = np.where(has_ass, np.where(a_open, OPEN, a_auth), ref_date + rng.integers(0, 6, m))
        round_end = np.where(has_ass & ~a_open & (a_outcome <= 1) & (kind0 < 0), OPEN, round_end)  # plan pending
        last_pilot = np.zeros(m, dtype=bool)
        pos = np.nonzero(kind0 >= 0)[0]
        kind, start, origin = kind0[pos], start0[pos], origin0[pos]
        legal = np.full(pos.size, -1)
        prev_team = np.full(pos.size, -1)
        min_end = np.where(
            fc[pos] == 1,
            START + rng.integers(1, 300, pos.size),
            np.where(
                fc[pos] == 2,
                START + rng.integers(1, 400, pos.size),
                np.where(
                    fc[pos] == 3,
                    START + rng.integers(1, 900, pos.size),
                    np.where(fc[pos] == 4, b18_leaver[idx[pos]], 0),
                ),
            ),
        )
        step = 1
        chain_end = np.full(m, NA, dtype=np.int64)  # latest end of the round's plans (OPEN if open)
        while pos.size and step < 16:
            child = idx[pos]
            k_unit = unit[child]
            team = np.full(pos.size, -1)
            # Team: CLA -> Looked After, leaving care -> Leaving Care, CIN/CP -> a family team.
            team[kind == CLA] = force.team(k_unit[kind == CLA], wf.LOOKED_AFTER)
            team[kind == LEAVE] = force.team(k_unit[kind == LEAVE], wf.LEAVING_CARE)
            fam = (kind == CIN) | (kind == CP)
            prev_kind = np.where(prev_team >= 0, prev_team % wf.N_KINDS, -1)
            keep = (
                fam & np.isin(prev_kind, wf.FAMILY) & ~((prev_kind == wf.PILOT) & (kind == CP) & (start >= PILOT_START))
            )
            team[keep] = prev_team[keep]
            choose = fam & ~keep
            if choose.any():
                c_start = start[choose]
                teen = (c_start - birth[child[choose]] >= 13 * 365) & (rng.random(choose.sum()) < 0.5)
                pw = np.where(c_start < PILOT_START, 1.0, np.where(kind[choose] == CIN, 1.3, 0.0))
                w = np.stack([np.ones_like(pw), np.ones_like(pw), np.ones_like(pw), pw], axis=1)
                which = pick_rows(rng, np.cumsum(w, axis=1))
                kinds = np.array([wf.NORTH, wf.SOUTH, wf.EAST, wf.PILOT])[which]
                kinds = np.where(teen, wf.ADOLESCENT, kinds)
                team[choose] = force.team(k_unit[choose], kinds)

            end = np.full(pos.size, OPEN, dtype=np.int64)
            nxt = np.full(pos.size, -1)
            nxt_start = np.full(pos.size, NA, dtype=np.int64)
            nxt_origin = np.zeros(pos.size, dtype=np.int64)
            nxt_legal = np.full(pos.size, -1)
            plan_no = np.full(pos.size, -1)
            pilot = np.zeros(pos.size, dtype=bool)

            s = kind == CIN
            if s.any():
                st, org = start[s], origin[s]
                pil = (team[s] % wf.N_KINDS == wf.PILOT) & (st >= PILOT_START)
                med = np.where(org == 1, 75.0, 185.0) * np.where(pil, 0.72, 1.0)
                e = np.maximum(st + np.maximum(14, lognormal_days(rng, med, 0.75)).astype(np.int64), min_end[s])
                cum = np.where(pil[:, None], np.cumsum(CIN_REASON_P_PILOT), np.cumsum(CIN_REASON_P))
                reason = pick_rows(rng, cum)
                op = e > END
                reason[op] = -1
                e[op] = OPEN
                ns = np.full(st.size, -1)
                nst = np.full(st.size, NA, dtype=np.int64)
                esc = reason == 3
                gap = np.where(rng.random(st.size) < 0.88, rng.integers(0, 29, st.size), rng.integers(31, 76, st.size))
                ns[esc], nst[esc] = CP, e[esc] + gap[esc]
                lac = reason == 4
                ns[lac], nst[lac] = CLA, e[lac]
                end[s], nxt[s], nxt_start[s] = e, ns, nst
                plan_no[s] = counts[CIN] + np.arange(st.size)
                counts[CIN] += st.size
                pilot[s] = pil
                plans[CIN].add(child=child[s], team=team[s], start=st, end=e, origin=org, reason=reason, pilot=pil)

            s = kind == CP
            if s.any():
                st = start[s]
                e = np.maximum(
                    st + np.maximum(60, lognormal_days(rng, np.full(st.size, 255.0), 0.62)).astype(np.int64), min_end[s]
                )
                reason = pick(rng, st.size, CP_REASON_P)
                op = e > END
                reason[op] = -1
                e[op] = OPEN
                ns = np.full(st.size, -1)
                no = np.zeros(st.size, dtype=np.int64)
                ns[reason == 0] = CIN
                no[reason == 0] = 1  # cp_step_down
                ns[reason == 2] = CLA
                end[s], nxt[s], nxt_start[s], nxt_origin[s] = e, ns, e, no
                plan_no[s] = counts[CP] + np.arange(st.size)
                counts[CP] += st.size
                plans[CP].add(
                    child=child[s],
                    team=team[s],
                    start=st,
                    end=e,
                    category=pick(rng, st.size, CP_CATEGORY_P),
                    reason=reason,
                )

            s = kind == CLA
            if s.any():
                st = start[s]
                lg = legal[s].copy()
                new = lg < 0
                lg[new] = pick(rng, new.sum(), LEGAL_P)
                e = st + np.maximum(1, lognormal_days(rng, LEGAL_MEDIAN_DAYS[lg], LEGAL_SIGMA[lg])).astype(np.int64)
                e = np.maximum(e, min_end[s])
                reason = pick_rows(rng, np.cumsum(CLA_REASON_P[lg], axis=1))
                b = birth[child[s]]
                young = (e - b) < 8 * 365
                reason[(reason == 2) & ~young] = 1  # adoption -> SGO for older children
                reason[(reason == 4) & ((e - b) < 16 * 365)] = 0  # independent living only from 16
                ns = np.full(st.size, -1)
                nst = e.copy()
                nl = np.full(st.size, -1)
                u = rng.random(st.size)
                to_ico = np.isin(lg, (3, 4)) & (u < 0.6)
                to_co = (lg == 1) & (u < 0.5)
                to_ico |= (lg == 0) & (u < 0.07)
                chained = to_ico | to_co
                reason[chained] = 6  # legal status changed: episode ends "other"
                ns[chained] = CLA
                nl[to_ico] = 1
                nl[to_co] = 2
                home = (reason == 0) & ~chained
                step_down = home & (rng.random(st.size) < np.where(lg == 2, 0.5, 0.3))
                ns[step_down] = CIN
                no = np.where(lg == 2, 3, 2)  # supervision_order after a care order
                b18 = add_years(b, 18)
                cap = e >= b18
                e = np.where(cap, np.maximum(b18, st + 1), e)
                reason[cap] = 3
                ns[cap] = LEAVE
                nst = np.where(cap, e, nst)
                op = e > END
                reason[op] = -1
                e[op] = OPEN
                ns[op] = -1
                end[s], nxt[s], nxt_start[s], nxt_origin[s], nxt_legal[s] = e, ns, nst, no, nl
                plan_no[s] = counts[CLA] + np.arange(st.size)
                counts[CLA] += st.size
                plans[CLA].add(child=child[s], start=st, end=e, legal=lg, reason=reason)

            s = kind == LEAVE
            if s.any():
                b = birth[child[s]]
                e = np.where(rng.random(s.sum()) < 0.8, add_years(b, 21), add_years(b, 25))
                e = np.maximum(e, start[s] + 30)
                e[e > END] = OPEN
                end[s] = e

            segs.add(
                child=child,
                rnd=np.full(pos.size, rnd),
                step=np.full(pos.size, step),
                kind=kind,
                team=team,
                start=start,
                end=end,
                plan=plan_no,
            )
            # The round closes when its last CIN/CP/CLA ends; leaving care is a service, not a plan.
            plan_like = kind != LEAVE
            np.maximum.at(chain_end, pos[plan_like], end[plan_like])
            last_pilot[pos] = pilot
            go = (nxt >= 0) & (end < OPEN) & (nxt_start <= END)
            pos, kind, start = pos[go], nxt[go], nxt_start[go]
            origin, legal, prev_team = nxt_origin[go], nxt_legal[go], team[go]
            min_end = np.zeros(pos.size, dtype=np.int64)
            step += 1

        round_end = np.where(chain_end != NA, chain_end, round_end)
        refs.add(
            child=idx,
            date=ref_date,
            source=pick(rng, m, SOURCE_P),
            outcome=outcome,
            closure=np.where(round_end > END, NA, round_end),
        )

        # Re-referral: sooner and more often after ordinary closures than after pilot-team plans.
        closed = round_end <= END
        u = rng.random(m)
        p_soon = np.where(last_pilot, 0.09, 0.20)
        gap = np.where(
            u < p_soon, rng.integers(14, 366, m), np.where(u < p_soon + 0.08, rng.integers(366, 900, m), OPEN)
        )
        nxt_r = round_end + gap
        adult = (nxt_r - birth[idx]) >= 18 * 365 - 60
        again = closed & (gap < OPEN) & (nxt_r <= END) & ~adult
        idx, r_date = idx[again], nxt_r[again]

    return Journeys(
        children=children,
        referrals=refs.done(),
        assessments=asses.done(),
        cin=plans[CIN].done() if plans[CIN].parts else {},
        cp=plans[CP].done() if plans[CP].parts else {},
        cla=plans[CLA].done() if plans[CLA].parts else {},
        segments=segs.done(),
        birth=birth,
        unit=unit,
    )
