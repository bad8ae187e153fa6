"""The naive baseline: read the tables a page needs into pandas and compute its figures there.

This is what a dashboard without SQL pushdown does: ``SELECT *`` of every table the page's
queries touch (found from the statements the page really ran), dates parsed in pandas, then the
same aggregates computed with pandas operations. The ratio of this time to the dashboard's
uncached callback time, measured in the same run on the same database, is the speed-up of
pushing the work into SQL.

Each ``NAIVE[name]`` re-implements one data-layer function's figure in plain pandas. They follow
docs/DEFINITIONS.md closely enough to do the same work (the same joins, filters and groupings over the same
rows); ``caseloads`` is checked against the SQL result (``naive_matches``). A data function with
no pandas twin here still has its tables read, so a page's baseline is never *over*-stated.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from data_layer.schema import metadata

DATE_TYPES = ("DATE", "DATETIME", "TIMESTAMP")


def tables_in(statements: list[str]) -> list[str]:
    """Contract tables named in SQL statements (FROM/JOIN targets and correlated subqueries)."""
    found = set()
    for sql in statements:
        for name in metadata.tables:
            if re.search(rf"\b(from|join)\s+\"?{name}\"?\b", sql, re.I):
                found.add(name)
    return sorted(found)


def read_tables(db, names: list[str]) -> dict[str, pd.DataFrame]:
    """``SELECT *`` of each table into pandas, date columns parsed (what a naive dashboard does)."""
    out = {}
    for name in names:
        table = metadata.tables[name]
        df = db.read(select(table))
        for col in table.columns:
            if str(col.type).upper().startswith(DATE_TYPES) and col.name in df:
                df[col.name] = pd.to_datetime(df[col.name], errors="coerce")
        out[name] = df
    return out


def _ts(d) -> pd.Timestamp:
    return pd.Timestamp(d)


def _open(df: pd.DataFrame, start: str, end: str, d) -> pd.Series:
    d = _ts(d)
    return (df[start] <= d) & (df[end].isna() | (df[end] > d))


def _team_ok(t: dict, f, col: pd.Series) -> pd.Series:
    ok = pd.Series(True, index=col.index)
    if f.teams:
        ok &= col.isin(f.teams)
    if f.services:
        teams = t["teams"]
        ok &= col.isin(teams.loc[teams["service"].isin(f.services), "team_id"])
    return ok


def child_status(t: dict, d, standards) -> pd.Series:
    """child_id -> status on d (docs/DEFINITIONS.md "Caseloads" precedence), for every child with any involvement."""
    d = _ts(d)
    sets = {}
    sets["cla"] = set(t["cla_episodes"].loc[_open(t["cla_episodes"], "start_date", "end_date", d), "child_id"])
    sets["cp"] = set(t["cp_plans"].loc[_open(t["cp_plans"], "start_date", "end_date", d), "child_id"])
    sets["cin"] = set(t["cin_plans"].loc[_open(t["cin_plans"], "start_date", "end_date", d), "child_id"])
    ch = t["children"]
    oldest = d - relativedelta(years=standards.care_leaver_max_age + 1)
    youngest = d - relativedelta(years=standards.care_leaver_min_age)
    aged = set(ch.loc[(ch["birth_date"] > oldest) & (ch["birth_date"] <= youngest), "child_id"])
    cla = t["cla_episodes"]
    left = set(cla.loc[cla["end_date"].notna() & (cla["end_date"] <= d), "child_id"])
    sets["care_leaver"] = aged & left
    sets["assessment"] = set(
        t["referrals"].loc[_open(t["referrals"], "referral_date", "closure_date", d), "child_id"]
    ) | set(t["assessments"].loc[_open(t["assessments"], "start_date", "completed_date", d), "child_id"])
    ids = pd.Index(sorted(set().union(*sets.values()) | set(t["allocations"]["child_id"].dropna())))
    conds = [ids.isin(list(sets[s])) for s in ("cla", "cp", "cin", "care_leaver", "assessment")]
    return pd.Series(np.select(conds, ["cla", "cp", "cin", "care_leaver", "assessment"], "other"), index=ids)


def _key_open(t: dict, d) -> pd.DataFrame:
    al = t["allocations"]
    return al[(al["role"] == "key_worker") & al["worker_id"].notna() & _open(al, "start_date", "end_date", d)]


def _in_post(t: dict, f, d) -> pd.DataFrame:
    w = t["workers"]
    return w[_open(w, "start_date", "end_date", d) & _team_ok(t, f, w["team_id"])]


def caseloads(t, f, standards):
    pairs = _key_open(t, f.as_at)[["worker_id", "child_id"]].drop_duplicates()
    status = child_status(t, f.as_at, standards)
    pairs = pairs.assign(status=pairs["child_id"].map(status).fillna("other"))
    counts = pd.crosstab(pairs["worker_id"], pairs["status"])
    counts["cases"] = counts.sum(axis=1)
    w = _in_post(t, f, f.as_at).merge(t["teams"][["team_id", "team_name"]], on="team_id", how="left")
    out = w.merge(counts, left_on="worker_id", right_index=True, how="left").fillna({"cases": 0})
    out["target"] = standards.caseload_per_fte * out["fte"]
    out["over_target"] = out["cases"] > out["target"]
    return out.sort_values(["team_id", "worker_id"])


def caseload_trend(t, f, standards, weeks: int = 52):
    rows = []
    for w in range(weeks - 1, -1, -1):
        d = f.as_at - timedelta(weeks=w)
        load = _key_open(t, d).groupby("worker_id")["child_id"].nunique()
        staff = _in_post(t, f, d)
        cases = staff["worker_id"].map(load).fillna(0)
        over = (cases > standards.caseload_per_fte * staff["fte"]).sum()
        rows.append({"as_at": d, "workers": len(staff), "average_caseload": cases.mean(), "over_target": over})
    return pd.DataFrame(rows)


def _involvements(t, d) -> pd.DataFrame:
    parts = []
    for name, s, e in (
        ("cla_episodes", "start_date", "end_date"),
        ("cp_plans", "start_date", "end_date"),
        ("cin_plans", "start_date", "end_date"),
        ("referrals", "referral_date", "closure_date"),
        ("assessments", "start_date", "completed_date"),
    ):
        df = t[name]
        parts.append(df.loc[_open(df, s, e, d), ["child_id", s]].rename(columns={s: "start_date"}))
    return pd.concat(parts)


def unallocated(t, f, standards):
    d = _ts(f.as_at)
    first = _involvements(t, d).groupby("child_id")["start_date"].min()
    w = t["workers"]
    qualified = set(w.loc[(w["qualified"] == True) & (w["role"] != "SSW"), "worker_id"])  # noqa: E712
    key = _key_open(t, d)
    covered = set(key.loc[key["worker_id"].isin(qualified), "child_id"])
    kids = first[~first.index.isin(covered)]
    al = t["allocations"]
    ended = al[(al["role"] == "key_worker") & al["worker_id"].isin(qualified) & (al["end_date"] <= d)]
    last_end = ended.groupby("child_id")["end_date"].max()
    since = pd.concat([kids, kids.index.to_series().map(last_end)], axis=1).max(axis=1)
    team = (
        al[(al["role"] == "key_worker") & _open(al, "start_date", "end_date", d)]
        .sort_values("start_date")
        .groupby("child_id")["team_id"]
        .last()
    )
    status = child_status(t, d, standards)
    out = pd.DataFrame(
        {
            "child_id": kids.index,
            "team_id": kids.index.map(team),
            "status": kids.index.map(status),
            "days_unallocated": (d - since).dt.days.values,
        }
    )
    out = out[_team_ok(t, f, out["team_id"])]
    return out.sort_values(["days_unallocated", "child_id"], ascending=[False, True])


def plan_durations(t, f, standards, plan_type: str = "cin"):
    p = t[f"{plan_type}_plans"]
    d = _ts(f.as_at)
    start = _ts(f.window_start(12))
    usable = p["start_date"].notna() & (p["end_date"].isna() | (p["end_date"] >= p["start_date"]))
    keep = (
        usable
        & (p["start_date"] <= d)
        & (p["end_date"].isna() | (p["end_date"] > d) | ((p["end_date"] >= start) & (p["end_date"] <= d)))
    )
    out = p[keep & _team_ok(t, f, p["team_id"])].copy()
    out["open"] = out["end_date"].isna() | (out["end_date"] > d)
    out["days"] = (out["end_date"].where(~out["open"], d) - out["start_date"]).dt.days
    return out


def duration_bands(t, f, standards):
    parts = []
    for pt in ("cin", "cp"):
        df = plan_durations(t, f, standards, pt)
        months = df["days"] / 30.4375
        parts.append(pd.cut(months, [-1, 3, 6, 9, 12, 24, 10_000]).value_counts().rename(pt))
    return pd.concat(parts, axis=1)


def plan_exclusions(t, f, standards):
    out = []
    for pt in ("cin", "cp"):
        p = t[f"{pt}_plans"]
        out.append({"plan_type": pt, "n": int((p["start_date"].isna() | (p["end_date"] < p["start_date"])).sum())})
    return pd.DataFrame(out)


def _open_plans_with_last(t, f, d, plan_type):
    p = t[f"{plan_type}_plans"]
    p = p[_open(p, "start_date", "end_date", d) & _team_ok(t, f, p["team_id"])]
    rv = t["plan_reviews"]
    rv = rv[(rv["plan_type"] == plan_type) & (rv["review_date"] <= d)]
    last_review = rv.merge(p[["plan_id", "start_date"]], on="plan_id")
    last_review = (
        last_review[last_review["review_date"] >= last_review["start_date"]].groupby("plan_id")["review_date"].max()
    )
    vi = t["visits"]
    vi = vi[(vi["plan_type"] == plan_type) & (vi["visit_date"] <= d)]
    lv = vi.merge(p[["plan_id", "child_id", "start_date"]], on="child_id")
    last_visit = lv[lv["visit_date"] >= lv["start_date"]].groupby("plan_id")["visit_date"].max()
    p = p.assign(last_review=p["plan_id"].map(last_review), last_visit=p["plan_id"].map(last_visit))
    return p


def plan_drift(t, f, standards):
    d = _ts(f.as_at)
    rows = []
    cin = _open_plans_with_last(t, f, d, "cin")
    review = (d - cin["last_review"].fillna(cin["start_date"])).dt.days - 42
    visit = (d - cin["last_visit"].fillna(cin["start_date"])).dt.days - 21
    age = (d - cin["start_date"]).dt.days
    for flag, over in (
        ("cin_review_overdue", review),
        ("cin_visit_overdue", visit),
        ("cin_9_month_review", age - 274),
        ("cin_over_12_months", age - 365),
    ):
        sel = cin[over > 0]
        rows.append(sel.assign(flag=flag, plan_type="cin", days_over=over[over > 0]))
    cp = _open_plans_with_last(t, f, d, "cp")
    visit = (d - cp["last_visit"].fillna(cp["start_date"])).dt.days - 10
    age = (d - cp["start_date"]).dt.days - 730
    for flag, over in (("cp_visit_overdue", visit), ("cp_over_2_years", age)):
        rows.append(cp[over > 0].assign(flag=flag, plan_type="cp", days_over=over[over > 0]))
    out = pd.concat(rows)
    key = _key_open(t, d).sort_values("start_date").groupby("child_id")["worker_id"].last()
    names = t["workers"].set_index("worker_id")["worker_name"]
    out["worker_name"] = out["child_id"].map(key).map(names)
    return out.sort_values("days_over", ascending=False)


def drift_counts(t, f, standards):
    return plan_drift(t, f, standards).groupby(["team_id", "flag"]).size().rename("n").reset_index()


def drift_trend(t, f, standards, months: int = 12):
    rows = []
    for m in range(months, -1, -1):
        d = _ts(f.as_at - relativedelta(months=m))
        for pt in ("cin", "cp"):
            p = t[f"{pt}_plans"]
            p = p[_open(p, "start_date", "end_date", d) & _team_ok(t, f, p["team_id"])]
            age = (d - p["start_date"]).dt.days
            rows.append(
                {
                    "as_at": d,
                    "plan_type": pt,
                    "open": len(p),
                    "over_9": int((age > 274).sum()),
                    "over_12": int((age > 365).sum()),
                    "over_24": int((age > 730).sum()),
                }
            )
    return pd.DataFrame(rows)


def evaluate_pilot(t, f, standards, pilot=None):
    """Cohorts of CIN plans (pilot vs comparison, before vs during) and their outcome flags."""
    p = t["cin_plans"]
    pl = standards.pilots[0] if getattr(standards, "pilots", None) else None
    start = _ts(getattr(pl, "start", date(2022, 2, 7)))
    months = getattr(pl, "months", 6)
    before = start - relativedelta(months=months)
    end = start + relativedelta(months=months)
    d = _ts(f.as_at)
    teams = t["teams"]
    pilot_teams = set(teams.loc[teams["service"] == "CIN Pilot", "team_id"])
    comp = set(teams.loc[teams["service"] == "CIN/CP", "team_id"])
    c = p[(p["start_date"] >= before) & (p["start_date"] < min(end, d)) & p["team_id"].isin(pilot_teams | comp)].copy()
    c["cohort"] = np.where(c["team_id"].isin(pilot_teams), "pilot", "comparison")
    c["period"] = np.where(c["start_date"] < start, "before", "during")
    c["days"] = (c["end_date"].fillna(d).clip(upper=d) - c["start_date"]).dt.days
    cp = t["cp_plans"][["child_id", "start_date"]].rename(columns={"start_date": "cp_start"})
    esc = c.merge(cp, on="child_id")
    esc = esc[(esc["cp_start"] >= esc["start_date"]) & (esc["cp_start"] <= esc["end_date"] + pd.Timedelta(days=30))]
    c["escalated"] = c["plan_id"].isin(esc["plan_id"]) | (c["end_reason"] == "escalated_cp")
    ref = t["referrals"][["child_id", "referral_date"]]
    rr = c.merge(ref, on="child_id")
    rr = rr[(rr["referral_date"] > rr["end_date"]) & (rr["referral_date"] <= rr["end_date"] + pd.Timedelta(days=365))]
    c["rereferred"] = c["plan_id"].isin(rr["plan_id"])
    rv = t["plan_reviews"]
    n_rev = rv[rv["plan_type"] == "cin"].groupby("plan_id").size()
    c["reviews"] = c["plan_id"].map(n_rev).fillna(0)
    al = t["allocations"]
    key = al[(al["role"] == "key_worker") & al["worker_id"].notna()]
    held = c.merge(
        key[["child_id", "worker_id", "start_date"]].rename(columns={"start_date": "al_start"}), on="child_id"
    )
    held = held[held["al_start"] <= held["start_date"]].sort_values("al_start").groupby("plan_id")["worker_id"].last()
    c["worker_id"] = c["plan_id"].map(held)
    return c.groupby(["cohort", "period"]).agg(
        n=("plan_id", "size"),
        median_days=("days", "median"),
        escalated=("escalated", "mean"),
        rereferred=("rereferred", "mean"),
        reviews=("reviews", "mean"),
    )


def pilot_trend(t, f, standards, pilot=None):
    p = t["cin_plans"]
    d = _ts(f.as_at)
    months = pd.date_range(d - relativedelta(months=24), d, freq="MS")
    rows = []
    for m in months:
        o = p[_open(p, "start_date", "end_date", m)]
        rows.append(
            {
                "month": m,
                "open": len(o),
                "started": int(((p["start_date"] >= m) & (p["start_date"] < m + relativedelta(months=1))).sum()),
            }
        )
    return pd.DataFrame(rows)


def _holidays() -> np.ndarray:
    try:
        from data_layer.metrics.working_days import bank_holidays  # type: ignore

        return np.array(sorted(bank_holidays()), dtype="datetime64[D]")
    except Exception:  # noqa: BLE001 - the baseline's work is the same with or without the list
        return np.array([], dtype="datetime64[D]")


def transfers(t, f, standards):
    tr = t["transfers"]
    d = _ts(f.as_at)
    start = _ts(f.window_start(12))
    keep = ((tr["requested_date"] >= start) & (tr["requested_date"] <= d)) | (
        tr["completed_date"].isna() & (tr["requested_date"] <= d)
    )
    tr = tr[keep & (_team_ok(t, f, tr["from_team_id"]) | _team_ok(t, f, tr["to_team_id"]))].copy()
    req = tr["requested_date"].values.astype("datetime64[D]")
    done = tr["completed_date"].fillna(d).values.astype("datetime64[D]")
    tr["working_days"] = np.busday_count(req, np.maximum(done, req), holidays=_holidays())
    tr["notice_days"] = (tr["completed_date"] - tr["notified_date"]).dt.days
    tr["joint_visit_ok"] = (tr["completed_date"] - tr["joint_visit_date"]).dt.days.between(0, 7)
    tr["on_time"] = tr["working_days"] <= 3
    names = t["teams"].set_index("team_id")["team_name"]
    tr["from_team"] = tr["from_team_id"].map(names)
    tr["to_team"] = tr["to_team_id"].map(names)
    return tr


def keyworker_changes(t, f, standards):
    al = t["allocations"]
    d = _ts(f.as_at)
    s = al[(al["role"] == "key_worker") & (al["start_date"] > d - relativedelta(months=12)) & (al["start_date"] <= d)]
    return (s.groupby("child_id").size() - 1).value_counts()


def _scores(t, standards) -> pd.Series:
    pts = dict(getattr(standards, "jarp_points", {}) or {})
    cr = t["jarp_referral_criteria"]
    return cr.assign(p=cr["criterion"].map(pts).fillna(0)).groupby("referral_id")["p"].sum()


def jarp_queue(t, f, standards):
    j = t["jarp_referrals"]
    d = _ts(f.as_at)
    q = j[
        (j["submitted_at"] < d + pd.Timedelta(days=1))
        & (j["decision_date"].isna() | (j["decision_date"] > d))
        & _team_ok(t, f, j["referring_team_id"])
    ].copy()
    q["score"] = q["referral_id"].map(_scores(t, standards)).fillna(0) + 2 * (q["carried_over"] >= 1)
    q["priority"] = np.select(
        [q["direct_exception"].notna() | (q["score"] >= 11), q["score"] >= 7, q["score"] >= 1],
        ["P1", "P2", "P3"],
        "below_threshold",
    )
    q["waiting_days"] = (d - q["submitted_at"].dt.normalize()).dt.days
    return q.sort_values(["priority", "score"], ascending=[True, False])


def jarp_responses(t, f, standards):
    j = t["jarp_referrals"]
    d = _ts(f.as_at)
    r = j[(j["decision_date"] >= _ts(f.window_start(12))) & (j["decision_date"] <= d)].copy()
    r["score"] = r["referral_id"].map(_scores(t, standards)).fillna(0)
    first = r["first_response_at"].dt.normalize().fillna(d).values.astype("datetime64[D]")
    dec = r["decision_date"].values.astype("datetime64[D]")
    r["response_working_days"] = np.busday_count(dec, np.maximum(first, dec), holidays=_holidays())
    return r


def jarp_queue_trend(t, f, standards, weeks: int = 26):
    return pd.DataFrame(
        [
            {"as_at": f.as_at - timedelta(weeks=w), "n": len(jarp_queue(t, f.shifted(-7 * w), standards))}
            for w in range(weeks)
        ]
    )


#: data-layer function (as ``module.name``, the harness's naming) -> pandas twin
NAIVE: dict[str, Callable] = {
    "caseloads.caseloads": caseloads,
    "caseloads.caseload_trend": caseload_trend,
    "caseloads.unallocated": unallocated,
    "plans.plan_durations": plan_durations,
    "plans.duration_bands": duration_bands,
    "plans.plan_exclusions": plan_exclusions,
    "drift.plan_drift": plan_drift,
    "drift.drift_counts": drift_counts,
    "drift.drift_trend": drift_trend,
    "cin_pilot.evaluate_pilot": evaluate_pilot,
    "cin_pilot.pilot_trend": pilot_trend,
    "transfers.transfers": transfers,
    "transfers.keyworker_changes": keyworker_changes,
    "jarp.jarp_queue": jarp_queue,
    "jarp.jarp_responses": jarp_responses,
    "jarp.jarp_queue_trend": jarp_queue_trend,
}


def run_page(db, tables: list[str], calls: list[tuple[str, tuple]], standards) -> dict:
    """Time the naive page: read ``tables``, then each call's pandas twin. Seconds and coverage."""
    t0 = time.perf_counter()
    t = read_tables(db, sorted(set(tables) | {"teams"}))
    read_s = time.perf_counter() - t0
    covered, missing = [], []
    t1 = time.perf_counter()
    for name, args in calls:
        fn = NAIVE.get(name)
        if fn is None:
            missing.append(name)
            continue
        f, *rest = args
        rest = [a for a in rest if isinstance(a, (str, int))]
        try:
            fn(t, f, standards, *rest)
        except KeyError:
            # a table the SQL reached only through a function this module does not know
            for extra in metadata.tables:
                if extra not in t:
                    t.update(read_tables(db, [extra]))
            fn(t, f, standards, *rest)
        covered.append(name)
    compute_s = time.perf_counter() - t1
    return {
        "read_s": read_s,
        "compute_s": compute_s,
        "total_s": time.perf_counter() - t0,
        "rows_read": int(sum(len(df) for df in t.values())),
        "covered": sorted(set(covered)),
        "not_covered": sorted(set(missing)),
    }
