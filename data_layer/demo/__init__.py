"""The demo authority: a synthetic, deterministic children's social care database.

``generate(out, children, seed)`` writes every table of the data contract (docs/DATA_CONTRACT.md) to a SQLite
file: one *unit* of eight teams and about forty workers per 5,000 children, journeys from 2020-01-01
to 2023-03-31 (END, the latest activity date), the CIN pilot from 2022-02-07, and a fixed few bad
rows of each kind (``BAD_DATA``). Children are simulated in chunks with vectorised numpy and
streamed to disk, so a national-size file (1M children) builds in minutes in bounded memory.
Nothing here is real: names, ids and dates are invented; team names start "Demo " so the UI can
label the data as synthetic.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import numpy as np

from ..engine import DEFAULT_DEMO_PATH
from . import baddata, casework, jarp, journeys
from . import workforce as wf
from ._dates import END, PILOT_START, START
from .baddata import BAD_DATA

log = logging.getLogger(__name__)

CHUNK = 20_000
CHILD_WIDTH = 7

__all__ = ["generate", "ensure_demo", "BAD_DATA", "START", "END", "PILOT_START"]


def _codes(values: tuple[str, ...], idx: np.ndarray) -> np.ndarray:
    out = np.array(values, dtype=object)[np.maximum(idx, 0)]
    out[np.asarray(idx) < 0] = None
    return out


def _ref(ids: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Ids by index, None where the index is -1 (e.g. awaiting allocation)."""
    idx = np.asarray(idx, dtype=np.int64)
    out = ids[np.maximum(idx, 0)] if ids.size else np.full(idx.size, None, dtype=object)
    out = np.array(out, dtype=object)
    out[idx < 0] = None
    return out


def _write_chunk(w, rng, force: wf.Workforce, first: int, n: int, total: int, coverage: bool) -> None:
    j = journeys.simulate(rng, force, first, n, total)
    child_ids = np.array([f"C{i + 1:0{CHILD_WIDTH}d}" for i in range(first, first + n)], dtype=object)
    tid = force.team_ids
    d = ("birth_date",)
    w.insert("children", {**j.children, "child_id": child_ids}, dates=d)

    r = j.referrals
    w.insert(
        "referrals",
        {
            "referral_id": w.ids("R", r["child"].size),
            "child_id": child_ids[r["child"]],
            "referral_date": r["date"],
            "source": _codes(journeys.SOURCES, r["source"]),
            "outcome": _codes(journeys.REF_OUTCOMES, r["outcome"]),
            "closure_date": r["closure"],
        },
        dates=("referral_date", "closure_date"),
    )
    a = j.assessments
    w.insert(
        "assessments",
        {
            "assessment_id": w.ids("A", a["child"].size),
            "child_id": child_ids[a["child"]],
            "team_id": tid[a["team"]],
            "start_date": a["start"],
            "completed_date": a["completed"],
            "authorised_date": a["authorised"],
            "outcome": _codes(journeys.ASS_OUTCOMES, a["outcome"]),
        },
        dates=("start_date", "completed_date", "authorised_date"),
    )
    cin_offset, cp_offset = w.peek("CIN"), w.peek("CP")
    if j.cin:
        c = j.cin
        w.insert(
            "cin_plans",
            {
                "plan_id": w.ids("CIN", c["child"].size),
                "child_id": child_ids[c["child"]],
                "team_id": tid[c["team"]],
                "start_date": c["start"],
                "end_date": c["end"],
                "origin": _codes(journeys.ORIGINS, c["origin"]),
                "end_reason": _codes(journeys.CIN_REASONS, c["reason"]),
            },
            dates=("start_date", "end_date"),
        )
    if j.cp:
        c = j.cp
        w.insert(
            "cp_plans",
            {
                "plan_id": w.ids("CP", c["child"].size),
                "child_id": child_ids[c["child"]],
                "team_id": tid[c["team"]],
                "start_date": c["start"],
                "end_date": c["end"],
                "category": _codes(journeys.CP_CATEGORIES, c["category"]),
                "end_reason": _codes(journeys.CP_REASONS, c["reason"]),
            },
            dates=("start_date", "end_date"),
        )
    if j.cla:
        c = j.cla
        w.insert(
            "cla_episodes",
            {
                "episode_id": w.ids("LA", c["child"].size),
                "child_id": child_ids[c["child"]],
                "start_date": c["start"],
                "end_date": c["end"],
                "legal_status": _codes(journeys.LEGAL, c["legal"]),
                "end_reason": _codes(journeys.CLA_REASONS, c["reason"]),
            },
            dates=("start_date", "end_date"),
        )

    sp = casework.spans(j)
    tr, iv = casework.transfers_and_intervals(rng, sp)
    al = casework.allocations(rng, force, iv, n)
    w.insert(
        "allocations",
        {
            "allocation_id": w.ids("AL", len(al)),
            "child_id": child_ids[al["child"].values],
            "worker_id": _ref(force.worker_ids, al["worker"].values),
            "team_id": tid[al["team"].values],
            "role": _codes(("key_worker", "involved"), al["role"].values),
            "start_date": al["start"].values,
            "end_date": al["end"].values,
        },
        dates=("start_date", "end_date"),
    )
    w.insert(
        "transfers",
        {
            "transfer_id": w.ids("TR", len(tr)),
            "child_id": child_ids[tr["child"].values],
            "from_team_id": tid[tr["from_team"].values],
            "to_team_id": tid[tr["to_team"].values],
            "transfer_point": _codes(casework.POINTS, tr["point"].values),
            "notified_date": tr["notified"].values,
            "requested_date": tr["requested"].values,
            "completed_date": tr["completed"].values,
            "joint_visit_date": tr["joint"].values,
            "status": _codes(("pending", "completed", "declined"), tr["status"].values),
        },
        dates=("notified_date", "requested_date", "completed_date", "joint_visit_date"),
    )
    rv = casework.reviews(rng, j, cin_offset, cp_offset)
    plan_ids = np.where(rv["plan_type"].values == 0, "CIN", "CP").astype(object) + np.char.zfill(
        (rv["plan"].values + 1).astype(str), 8
    ).astype(object)
    w.insert(
        "plan_reviews",
        {
            "review_id": w.ids("RV", len(rv)),
            "plan_type": _codes(("cin", "cp"), rv["plan_type"].values),
            "plan_id": plan_ids,
            "review_date": rv["date"].values,
            "chair_role": _codes(("TM", "SM", "IRO"), rv["chair"].values),
        },
        dates=("review_date",),
    )
    vi = casework.visits(rng, j, al)
    w.insert(
        "visits",
        {
            "visit_id": w.ids("V", len(vi)),
            "child_id": child_ids[vi["child"].values],
            "worker_id": _ref(force.worker_ids, vi["worker"].values),
            "visit_date": vi["date"].values,
            "plan_type": _codes(("cin", "cp", "cla"), vi["plan_type"].values),
        },
        dates=("visit_date",),
    )
    jr, jc = jarp.referrals(rng, j, coverage)
    jids = w.ids("J", len(jr))
    from ._dates import iso_ts

    w.insert(
        "jarp_referrals",
        {
            "referral_id": jids,
            "child_id": child_ids[jr["child"].values],
            "referring_team_id": tid[jr["team"].values],
            "submitted_at": iso_ts(jr["submitted"].values),
            "panel_date": jr["panel"].values,
            "direct_exception": _codes(tuple(jarp.JARP_EXCEPTIONS), jr["exception"].values),
            "carried_over": jr["carried"].values,
            "services_requested": jr["services"].values,
            "decision": _codes(jarp.DECISIONS, jr["decision"].values),
            "decision_date": jr["decision_date"].values,
            "first_response_at": iso_ts(jr["response"].values, jr["no_response"].values),
            "next_review_date": jr["review"].values,
        },
        dates=("panel_date", "decision_date", "next_review_date"),
    )
    w.insert("jarp_referral_criteria", {"referral_id": jids[jc["ref"].values], "criterion": jc["criterion"].values})


def generate(out, children: int = 5000, seed: int = 1) -> Path:
    """Build the demo authority as a SQLite file at ``out`` (replaced atomically when complete)."""
    from .writer import Writer

    if children < 1:
        raise ValueError("children must be at least 1")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    t0 = time.perf_counter()
    force = wf.build(children, seed)
    log.info(
        "demo data: %d children, %d teams, %d workers, seed %d",
        children,
        len(force.teams["team_id"]),
        len(force.workers["worker_id"]),
        seed,
    )
    w = Writer(tmp)
    try:
        w.begin()
        w.insert("teams", force.teams)
        w.insert("workers", force.workers, dates=("start_date", "end_date"))
        w.commit()
        chunks = range(0, children, CHUNK)
        for ci, first in enumerate(chunks):
            rng = np.random.default_rng(np.random.SeedSequence([seed, ci]))
            w.begin()
            _write_chunk(w, rng, force, first, min(CHUNK, children - first), children, coverage=ci == 0)
            w.commit()
            if (ci + 1) % 5 == 0 or ci + 1 == len(chunks):
                log.info(
                    "demo data: chunk %d/%d written, %d rows so far, %.0fs",
                    ci + 1,
                    len(chunks),
                    sum(w.rows.values()),
                    time.perf_counter() - t0,
                )
        w.begin()
        baddata.inject(w, force, CHILD_WIDTH)
        w.commit()
        log.info("demo data: building indexes")
        rows = dict(w.rows)
        w.finish()
    except BaseException:
        w.conn.close()
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, out)
    log.info("demo data: %d rows in %.1fs -> %s", sum(rows.values()), time.perf_counter() - t0, out.name)
    return out


def ensure_demo(path=None, children: int = 5000, seed: int = 1, wait_seconds: float = 900) -> Path:
    """Build the demo database at ``path`` unless it exists; returns the path.

    Two processes starting at once: one takes a lock file and builds (to a temporary file renamed
    into place), the other waits for the finished file, so nobody opens a half-written database.
    """
    path = Path(path or DEFAULT_DEMO_PATH)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.with_name(f".{path.name}.lock")
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            if path.exists():
                return path
            try:
                stale = time.time() - lock.stat().st_mtime > wait_seconds
            except FileNotFoundError:
                continue
            if stale:
                lock.unlink(missing_ok=True)  # a builder died; take over
                continue
            if time.monotonic() > deadline:
                raise TimeoutError(f"Gave up waiting for another process to build {path}") from None
            time.sleep(0.5)
            continue
        try:
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
            if not path.exists():
                generate(path, children=children, seed=seed)
            return path
        finally:
            lock.unlink(missing_ok=True)
