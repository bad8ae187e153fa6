"""Teams and workers of the demo authority, and choosing a worker for a case.

One *unit* of eight teams serves each ~5,000 children (docs/ARCHITECTURE.md "one authority"); a region or
the nation is many units, so caseloads stay realistic at every size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._dates import END, OPEN, PILOT_START, START, day

CHILDREN_PER_UNIT = 5000

# Team kinds within a unit: (service, area, name suffix)
ASSESSMENT, NORTH, SOUTH, EAST, PILOT, ADOLESCENT, LOOKED_AFTER, LEAVING_CARE = range(8)
TEAM_KINDS = (
    ("Assessment", "Central", "Assessment"),
    ("CIN/CP", "North", "CIN/CP North"),
    ("CIN/CP", "South", "CIN/CP South"),
    ("CIN/CP", "East", "CIN/CP East"),
    ("CIN Pilot", "West", "CIN Pilot West"),
    ("Adolescent", "Central", "Adolescent"),
    ("Looked After", "Central", "Looked After"),
    ("Leaving Care", "Central", "Leaving Care"),
)
N_KINDS = len(TEAM_KINDS)
FAMILY = (NORTH, SOUTH, EAST, PILOT, ADOLESCENT)

# Positions per unit: (team kind, role, fte). The CIN Pilot team is five social workers (002).
POSITIONS = (
    [(ASSESSMENT, r, f) for r, f in (("TM", 1.0), ("AP", 1.0), ("SW", 1.0), ("SW", 1.0), ("SW", 0.8), ("NQSW", 1.0))]
    + [
        (k, r, f)
        for k in (NORTH, SOUTH, EAST)
        for r, f in (("TM", 1.0), ("AP", 0.8), ("SW", 1.0), ("SW", 1.0), ("SW", 0.5), ("NQSW", 1.0))
    ]
    + [(NORTH, "FSW", 1.0)]
    + [(PILOT, r, f) for r, f in (("TM", 1.0), ("SW", 1.0), ("SW", 1.0), ("SW", 1.0), ("SW", 0.8), ("SW", 0.6))]
    + [(ADOLESCENT, r, f) for r, f in (("TM", 1.0), ("SW", 1.0), ("SW", 0.8), ("SW", 1.0), ("NQSW", 1.0))]
    + [(LOOKED_AFTER, r, f) for r, f in (("TM", 1.0), ("AP", 1.0), ("SW", 1.0), ("SW", 1.0), ("SW", 0.8), ("SW", 0.6))]
    + [(LEAVING_CARE, r, f) for r, f in (("TM", 0.6), ("SW", 1.0), ("SW", 0.8), ("FSW", 1.0))]
)
# Social work student placements (SSW, not qualified): (team kind, start, end or None = ongoing).
PLACEMENTS = (
    (ASSESSMENT, "2020-10-05", "2021-03-26"),
    (NORTH, "2021-10-04", "2022-03-25"),
    (ASSESSMENT, "2022-09-26", "2023-02-24"),
    (NORTH, "2023-01-09", None),
)
# Relative chance of being picked as key worker per FTE; students and family support workers
# occasionally hold cases, which the dashboard must flag (004 Appendix 4).
KEY_WEIGHT = {"SW": 1.0, "AP": 0.9, "NQSW": 0.75, "TM": 0.1, "SSW": 0.3, "FSW": 0.06}
INVOLVED_WEIGHT = {"SW": 0.4, "AP": 0.6, "NQSW": 0.3, "TM": 0.0, "SSW": 0.5, "FSW": 3.0}
QUALIFIED = {"SW": True, "AP": True, "NQSW": True, "TM": True, "SSW": False, "FSW": False}

FIRST = (
    "Alex",
    "Sam",
    "Jo",
    "Chris",
    "Priya",
    "Amir",
    "Grace",
    "Tom",
    "Aisha",
    "Ben",
    "Chloe",
    "Dan",
    "Ella",
    "Femi",
    "Hannah",
    "Imran",
    "Jess",
    "Kemi",
    "Liam",
    "Maya",
    "Nadia",
    "Owen",
    "Rosa",
    "Sian",
    "Tariq",
    "Zoe",
)
LAST = (
    "Adams",
    "Begum",
    "Clarke",
    "Davies",
    "Evans",
    "Fraser",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Mensah",
    "Nowak",
    "Okafor",
    "Patel",
    "Quinn",
    "Roberts",
    "Singh",
    "Taylor",
    "Walsh",
    "Young",
)


def n_units(children: int) -> int:
    return max(1, int(round(children / CHILDREN_PER_UNIT)))


def _width(n: int, minimum: int) -> int:
    return max(minimum, len(str(n)))


@dataclass
class Workforce:
    teams: dict  # column -> list, ready to write
    workers: dict  # column -> list
    units: int
    team_ids: np.ndarray  # object array, index = global team index (unit * 8 + kind)
    worker_ids: np.ndarray
    w_team: np.ndarray  # per worker: global team index
    w_start: np.ndarray
    w_end: np.ndarray  # OPEN when still in post
    w_key: np.ndarray  # key-worker pick weight (role weight x fte)
    w_inv: np.ndarray  # involved-worker pick weight
    slots: np.ndarray  # (teams, max workers) worker indices, -1 padding

    def team(self, unit: np.ndarray, kind) -> np.ndarray:
        return np.asarray(unit) * N_KINDS + kind

    def pick(self, rng: np.random.Generator, team: np.ndarray, on: np.ndarray, involved: bool = False) -> np.ndarray:
        """A worker of ``team`` in post on ``on`` for each request, by weight; -1 if none is in post."""
        if team.size == 0:
            return np.empty(0, dtype=np.int64)
        cand = self.slots[team]  # (n, m)
        valid = cand >= 0
        c = np.where(valid, cand, 0)
        weight = self.w_inv[c] if involved else self.w_key[c]
        ok = valid & (self.w_start[c] <= on[:, None]) & (self.w_end[c] > on[:, None])
        weight = np.where(ok, weight, 0.0)
        cum = np.cumsum(weight, axis=1)
        total = cum[:, -1]
        u = rng.random(team.size) * total
        choice = (cum <= u[:, None]).sum(axis=1)
        choice = np.minimum(choice, cand.shape[1] - 1)
        out = c[np.arange(team.size), choice]
        return np.where(total > 0, out, -1)

    def next_start(self, team: np.ndarray, after: np.ndarray) -> np.ndarray:
        """Earliest start of a worker of ``team`` after ``after`` (OPEN if none): when a vacant
        team can next take the case."""
        cand = self.slots[team]
        c = np.where(cand >= 0, cand, 0)
        st = np.where((cand >= 0) & (self.w_start[c] > after[:, None]), self.w_start[c], OPEN)
        return st.min(axis=1)


def build(children: int, seed: int) -> Workforce:
    """Teams and workers, deterministic for (children, seed)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 7_000_001]))
    units = n_units(children)
    n_teams = units * N_KINDS
    tw = _width(n_teams, 2)
    team_ids = np.array([f"T{i + 1:0{tw}d}" for i in range(n_teams)], dtype=object)
    names, services, areas = [], [], []
    for u in range(units):
        for service, area, suffix in TEAM_KINDS:
            if units == 1:
                names.append(f"Demo {suffix}")
                areas.append(area)
            else:
                names.append(f"Demo D{u + 1} {suffix}")
                areas.append(f"District {u + 1} {area}")
            services.append(service)
    teams = {"team_id": team_ids.tolist(), "team_name": names, "service": services, "area": areas}

    rows = []  # (team index, role, fte, start, end)
    fte_choices = np.array([1.0, 1.0, 0.8, 0.6, 0.5])
    for u in range(units):
        for kind, role, fte in POSITIONS:
            t = u * N_KINDS + kind
            # First occupant: mostly in post well before the extract; some posts filled during it.
            # (Turnover before the extract is not modelled: the first holder covers the history.)
            # The CIN Pilot team's five social workers are all in post through the pilot (002).
            pilot_post = kind == PILOT
            draw = max(rng.random(), 0.25 if pilot_post else 0.0)
            if draw < 0.12:
                start = START + int(rng.integers(0, 500))
            elif draw < 0.25:
                start = START - int(rng.integers(60, 1500))
            else:
                start = START - int(rng.integers(1500, 4500))
            occ_role, occ_fte = role, fte
            while start <= END:
                tenure = int(rng.exponential(5 * 365)) + 90
                end = start + tenure
                if start < START:
                    end = max(end, START - 365 + int(rng.integers(0, 2500)))
                    if pilot_post:
                        end = max(end, PILOT_START + 200 + int(rng.integers(0, 300)))
                rows.append((t, occ_role, occ_fte, start, end if end <= END else OPEN))
                if end > END:
                    break
                start = end + int(rng.integers(0, 100))
                # Replacements are often newly qualified, and FTEs vary between holders.
                if role in ("SW", "AP") and rng.random() < 0.15:
                    occ_role = "NQSW"
                elif role != "TM":
                    occ_role = role
                occ_fte = fte if rng.random() < 0.6 else float(rng.choice(fte_choices))
        for kind, s, e in PLACEMENTS:
            rows.append((u * N_KINDS + kind, "SSW", 1.0, day(s), day(e) if e else OPEN))
    rows.sort(key=lambda r: (r[0], r[3]))
    n = len(rows)
    ww = _width(n, 3)
    worker_ids = np.array([f"W{i + 1:0{ww}d}" for i in range(n)], dtype=object)
    w_team = np.array([r[0] for r in rows], dtype=np.int64)
    roles = [r[1] for r in rows]
    ftes = np.array([r[2] for r in rows])
    w_start = np.array([r[3] for r in rows], dtype=np.int64)
    w_end = np.array([r[4] for r in rows], dtype=np.int64)
    first = rng.integers(0, len(FIRST), n)
    last = rng.integers(0, len(LAST), n)
    workers = {
        "worker_id": worker_ids.tolist(),
        "worker_name": [f"{FIRST[a]} {LAST[b]}" for a, b in zip(first, last, strict=False)],
        "team_id": team_ids[w_team].tolist(),
        "role": roles,
        "fte": ftes.tolist(),
        "qualified": [int(QUALIFIED[r]) for r in roles],
        "start_date": w_start,
        "end_date": w_end,
    }
    key = np.array([KEY_WEIGHT[r] for r in roles]) * ftes
    inv = np.array([INVOLVED_WEIGHT[r] for r in roles]) * ftes
    counts = np.bincount(w_team, minlength=n_teams)
    slots = np.full((n_teams, max(1, counts.max())), -1, dtype=np.int64)
    pos = np.zeros(n_teams, dtype=np.int64)
    for i, t in enumerate(w_team):
        slots[t, pos[t]] = i
        pos[t] += 1
    return Workforce(teams, workers, units, team_ids, worker_ids, w_team, w_start, w_end, key, inv, slots)
