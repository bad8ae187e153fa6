"""The demo authority generator: structure, determinism, realism and its bad-data manifest."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date

import pytest

from data_layer import Filters, caseloads, connect, demo, unallocated
from data_layer.demo import BAD_DATA, workforce
from data_layer.schema import CODES, FOREIGN_KEYS, INTERVALS, PRIMARY_IDS, REQUIRED, metadata
from data_layer.standards import JARP_CRITERIA, JARP_EXCEPTIONS

END = "2023-03-31"
PILOT = "2022-02-07"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One authority (5,000 children builds in about a second) and a small one for determinism."""
    d = tmp_path_factory.mktemp("demo")
    return {
        "full": demo.generate(d / "full.sqlite", children=5000, seed=1),
        "small": demo.generate(d / "small.sqlite", children=600, seed=3),
        "small_again": demo.generate(d / "small2.sqlite", children=600, seed=3),
        "small_other": demo.generate(d / "small3.sqlite", children=600, seed=4),
    }


def q(path, sql, *params):
    with sqlite3.connect(path) as conn:
        return conn.execute(sql, params).fetchall()


def one(path, sql, *params):
    return q(path, sql, *params)[0][0]


def dump(path):
    return {t.name: q(path, f"SELECT * FROM {t.name} ORDER BY rowid") for t in metadata.sorted_tables}


def test_every_contract_table_and_column_is_present_and_filled(built):
    for path in (built["full"], built["small"]):
        for table in metadata.sorted_tables:
            cols = [r[1] for r in q(path, f"PRAGMA table_info({table.name})")]
            assert cols == [c.name for c in table.columns], table.name
            assert one(path, f"SELECT COUNT(*) FROM {table.name}") > 0, table.name
            for c in table.columns:
                assert one(path, f"SELECT COUNT(*) FROM {table.name} WHERE {c.name} IS NOT NULL") > 0, (
                    table.name,
                    c.name,
                )


def test_same_seed_same_data_other_seed_other_data(built):
    a, b, c = dump(built["small"]), dump(built["small_again"]), dump(built["small_other"])
    assert a == b
    assert a["referrals"] != c["referrals"] and a["allocations"] != c["allocations"]


def test_dates_end_on_2023_03_31(built):
    path = built["full"]
    # Everything recorded happened by END; only scheduled review dates lie beyond it.
    for table in metadata.sorted_tables:
        for c in table.columns:
            if c.name.endswith(("_date", "_at")) and c.name not in ("next_review_date", "birth_date"):
                latest = one(path, f"SELECT MAX({c.name}) FROM {table.name}")
                assert latest is None or latest < "2023-04-01", (table.name, c.name, latest)
    for table, col in (
        ("visits", "visit_date"),
        ("allocations", "start_date"),
        ("referrals", "referral_date"),
        ("plan_reviews", "review_date"),
    ):
        assert one(path, f"SELECT MAX({col}) FROM {table}") >= "2023-03-24", table
    assert one(path, "SELECT MAX(visit_date) FROM visits") == END
    # Activity runs through the whole extract, with work before and during the pilot.
    assert one(path, "SELECT COUNT(*) FROM referrals WHERE referral_date BETWEEN '2020-01-01' AND '2020-03-31'") > 100
    assert one(path, "SELECT MIN(referral_date) FROM referrals WHERE referral_date IS NOT NULL") < "2020-01-01"


def test_teams_services_and_workforce(built):
    path = built["full"]
    services = dict(q(path, "SELECT service, COUNT(*) FROM teams GROUP BY service"))
    assert services == {
        "Assessment": 1,
        "CIN/CP": 3,
        "CIN Pilot": 1,
        "Adolescent": 1,
        "Looked After": 1,
        "Leaving Care": 1,
    }
    assert one(path, "SELECT COUNT(*) FROM teams WHERE team_name NOT LIKE 'Demo %'") == 0
    assert [r[0] for r in q(path, "SELECT team_id FROM teams ORDER BY team_id")][:2] == ["T01", "T02"]
    in_post = f"start_date <= '{END}' AND (end_date IS NULL OR end_date > '{END}')"
    assert 35 <= one(path, f"SELECT COUNT(*) FROM workers WHERE {in_post}") <= 50
    roles = {r[0] for r in q(path, "SELECT DISTINCT role FROM workers")}
    assert roles == {"SW", "AP", "TM", "NQSW", "SSW", "FSW"}
    assert {r[0] for r in q(path, "SELECT DISTINCT fte FROM workers")} <= {1.0, 0.8, 0.6, 0.5}
    assert one(path, "SELECT COUNT(*) FROM workers WHERE role IN ('SSW', 'FSW') AND qualified") == 0
    assert one(path, "SELECT COUNT(*) FROM workers WHERE end_date IS NOT NULL AND end_date > '2020-01-01'") > 0
    assert one(path, "SELECT COUNT(*) FROM workers WHERE start_date > '2020-01-01'") > 0
    pilot_sw = one(
        path,
        "SELECT COUNT(*) FROM workers w JOIN teams t USING (team_id) WHERE t.service = 'CIN Pilot' "
        f"AND w.role = 'SW' AND w.start_date <= '{PILOT}' AND (w.end_date IS NULL OR w.end_date > '{PILOT}')",
    )
    assert pilot_sw == 5


def test_teams_and_workers_scale_with_children():
    for children, units in ((5000, 1), (50_000, 10), (1_000_000, 200)):
        force = workforce.build(children, seed=1)
        assert len(force.teams["team_id"]) == 8 * units
        assert len(set(force.teams["team_name"])) == 8 * units
        in_post = sum((s <= demo.END) and (e > demo.END) for s, e in zip(force.w_start, force.w_end, strict=False))
        assert 35 * units <= in_post <= 52 * units


def test_caseloads_realistic(built):
    db = connect(f"sqlite:///{built['full']}")
    for as_at in (date(2021, 6, 30), date(2023, 3, 31)):
        c = caseloads(db, Filters(as_at=as_at))
        sw = c[c["role"] == "SW"]
        assert 10 <= sw["cases"].median() <= 30
        assert c["over_target"].sum() >= 1
        assert ((sw["cases"] >= 12) & (sw["cases"] <= 30)).mean() >= 0.5
    u = unallocated(db, Filters(as_at=date(2023, 3, 31)))
    assert len(u) > 0
    path = built["full"]
    # Awaiting allocation rows, children with a student key worker, and key-worker churn.
    assert one(path, "SELECT COUNT(*) FROM allocations WHERE worker_id IS NULL AND end_date IS NULL") > 0
    assert (
        one(
            path,
            "SELECT COUNT(DISTINCT a.child_id) FROM allocations a JOIN workers w USING (worker_id) "
            f"WHERE w.role = 'SSW' AND a.role = 'key_worker' AND a.start_date <= '{END}' "
            f"AND (a.end_date IS NULL OR a.end_date > '{END}')",
        )
        >= 1
    )
    assert one(path, "SELECT COUNT(*) FROM allocations WHERE role = 'involved'") > 0
    churned = one(
        path,
        "SELECT COUNT(*) FROM (SELECT child_id FROM allocations WHERE role = 'key_worker' AND "
        "worker_id IS NOT NULL AND start_date > '2022-03-31' AND start_date <= '2023-03-31' "
        "GROUP BY child_id HAVING COUNT(*) >= 4)",
    )
    assert churned >= 5


def test_journeys_plans_and_care(built):
    path = built["full"]
    origins = {r[0] for r in q(path, "SELECT DISTINCT origin FROM cin_plans")}
    assert origins == set(CODES[("cin_plans", "origin")])
    # Long right tail of CIN plans; CP plans over two years; care leavers.
    over_year = one(
        path, "SELECT COUNT(*) FROM cin_plans WHERE julianday(COALESCE(end_date, ?)) - julianday(start_date) > 365", END
    )
    assert over_year > 0.08 * one(path, "SELECT COUNT(*) FROM cin_plans")
    assert (
        one(
            path,
            "SELECT COUNT(*) FROM cp_plans WHERE end_date IS NULL AND julianday(?) - julianday(start_date) > 730",
            END,
        )
        >= 1
    )
    assert {r[0] for r in q(path, "SELECT DISTINCT category FROM cp_plans")} >= set(CODES[("cp_plans", "category")])
    assert {r[0] for r in q(path, "SELECT DISTINCT legal_status FROM cla_episodes")} >= {
        "s20",
        "ico",
        "co",
        "pp",
        "epo",
    }
    assert (
        one(
            path,
            "SELECT COUNT(DISTINCT e.child_id) FROM cla_episodes e JOIN children c USING (child_id) "
            "WHERE e.end_reason = 'age_18' AND c.birth_date > date(?, '-26 years')",
            END,
        )
        >= 10
    )
    # CIN escalations: end reason escalated_cp, then a CP plan within 30 days (most of the time).
    esc = q(
        path,
        "SELECT COUNT(*), SUM(EXISTS (SELECT 1 FROM cp_plans p WHERE p.child_id = c.child_id AND "
        "p.start_date >= c.end_date AND julianday(p.start_date) - julianday(c.end_date) <= 30)) "
        "FROM cin_plans c WHERE end_reason = 'escalated_cp'",
    )[0]
    assert esc[0] > 20 and esc[1] / esc[0] > 0.75
    assert one(path, "SELECT COUNT(*) FROM cin_plans WHERE end_reason = 'became_lac'") > 5
    # Re-referrals within 12 months of a closure.
    rerefs = one(
        path,
        "SELECT COUNT(*) FROM referrals r WHERE EXISTS (SELECT 1 FROM referrals p WHERE "
        "p.child_id = r.child_id AND p.closure_date < r.referral_date AND "
        "julianday(r.referral_date) - julianday(p.closure_date) <= 365)",
    )
    assert rerefs > 100


def test_pilot_shorter_plans_fewer_escalations(built):
    path = built["full"]
    sql = """SELECT COUNT(*), AVG(MIN(julianday(COALESCE(c.end_date, :end)), julianday(c.start_date) + 365)
                                      - julianday(c.start_date)),
                    AVG(c.end_reason IN ('escalated_cp', 'became_lac'))
             FROM cin_plans c JOIN teams t USING (team_id)
             WHERE t.service = :service AND c.start_date >= :a AND c.start_date < :b AND c.origin = 'assessment'"""
    with sqlite3.connect(path) as conn:

        def cohort(service, a, b):
            return conn.execute(sql, {"end": END, "service": service, "a": a, "b": b}).fetchone()

        pilot = cohort("CIN Pilot", PILOT, "2022-08-07")
        comp = cohort("CIN/CP", PILOT, "2022-08-07")
        pilot_before = cohort("CIN Pilot", "2021-08-07", PILOT)
    assert pilot[0] >= 20 and comp[0] >= 60 and pilot_before[0] >= 20
    assert pilot[1] < comp[1]
    assert pilot[2] < comp[2]
    assert abs(pilot_before[1] - comp[1]) < abs(pilot[1] - comp[1]) + 60


def test_reviews_visits_and_drift(built):
    path = built["full"]
    assert {r[0] for r in q(path, "SELECT DISTINCT plan_type FROM plan_reviews")} == {"cin", "cp"}
    assert (
        one(
            path,
            "SELECT COUNT(*) FROM plan_reviews r WHERE plan_type = 'cin' AND NOT EXISTS "
            "(SELECT 1 FROM cin_plans p WHERE p.plan_id = r.plan_id)",
        )
        == 0
    )
    assert (
        one(
            path,
            "SELECT COUNT(*) FROM plan_reviews r WHERE plan_type = 'cp' AND NOT EXISTS "
            "(SELECT 1 FROM cp_plans p WHERE p.plan_id = r.plan_id)",
        )
        == 0
    )
    assert {r[0] for r in q(path, "SELECT DISTINCT plan_type FROM visits")} >= {"cin", "cp", "cla"}
    # Some open CIN plans without a visit in 21 days on END (drift), most with one.
    rows = q(
        path,
        """SELECT julianday(:end) - julianday(COALESCE(MAX(v.visit_date), p.start_date)) > 21
                      FROM cin_plans p LEFT JOIN visits v ON v.child_id = p.child_id AND v.plan_type = 'cin'
                           AND v.visit_date >= p.start_date
                      WHERE p.end_date IS NULL AND p.start_date < date(:end, '-30 days') GROUP BY p.plan_id""".replace(
            ":end", "'2023-03-31'"
        ),
    )
    overdue = sum(r[0] for r in rows) / len(rows)
    assert 0.02 < overdue < 0.4


def test_transfers(built):
    path = built["full"]
    points = {r[0] for r in q(path, "SELECT DISTINCT transfer_point FROM transfers")}
    assert points == set(CODES[("transfers", "transfer_point")])
    status = dict(q(path, "SELECT status, COUNT(*) FROM transfers GROUP BY status"))
    assert status["pending"] >= 1 and status["declined"] >= 5 and status["completed"] > 500
    assert one(path, "SELECT COUNT(*) FROM transfers WHERE status = 'pending' AND completed_date IS NOT NULL") == 0
    assert (
        one(
            path,
            "SELECT COUNT(*) FROM transfers WHERE requested_date <= '2022-06-02' AND completed_date >= '2022-06-06'",
        )
        >= 1
    )


def test_jarp(built):
    for path in (built["full"], built["small"]):
        assert {r[0] for r in q(path, "SELECT DISTINCT criterion FROM jarp_referral_criteria")} >= set(JARP_CRITERIA)
        assert {r[0] for r in q(path, "SELECT DISTINCT direct_exception FROM jarp_referrals")} >= set(JARP_EXCEPTIONS)
        assert one(path, "SELECT COUNT(*) FROM jarp_referrals WHERE decision = 'pending'") >= 1
        assert (
            one(
                path,
                "SELECT COUNT(*) FROM jarp_referrals WHERE panel_date IS NOT NULL "
                "AND strftime('%w', panel_date) != '2'",
            )
            == 0
        )
    path = built["full"]
    assert one(path, "SELECT COUNT(*) FROM jarp_referrals WHERE panel_date IS NULL AND decision = 'allocated'") > 0
    assert {r[0] for r in q(path, "SELECT DISTINCT carried_over FROM jarp_referrals")} == {0, 1, 2, 3}
    assert set(dict(q(path, "SELECT decision, 1 FROM jarp_referrals"))) >= {
        "allocated",
        "carried_over",
        "declined",
        "pending",
    }
    # Friday-afternoon and weekend submissions.
    assert (
        one(
            path,
            "SELECT COUNT(*) FROM jarp_referrals WHERE strftime('%w', submitted_at) = '5' "
            "AND time(submitted_at) BETWEEN '13:00' AND '15:00'",
        )
        > 5
    )
    assert one(path, "SELECT COUNT(*) FROM jarp_referrals WHERE strftime('%w', submitted_at) IN ('0', '6')") > 3
    assert (
        one(
            path,
            "SELECT COUNT(*) FROM jarp_referrals WHERE decision = 'allocated' AND "
            "next_review_date != date(decision_date, '+42 days')",
        )
        == 0
    )


def _bad_counts(path) -> dict:
    """Count every kind of bad row with plain SQL, over every rule of the contract."""
    out = {}
    for table, start, end in INTERVALS:
        out[(table, "end_before_start", end)] = one(path, f"SELECT COUNT(*) FROM {table} WHERE {end} < {start}")
    for (table, col), allowed in CODES.items():
        marks = ", ".join("?" * len(allowed))
        out[(table, "unknown_code", col)] = one(
            path, f"SELECT COUNT(*) FROM {table} WHERE {col} IS NOT NULL AND {col} NOT IN ({marks})", *sorted(allowed)
        )
    marks = ", ".join("?" * len(JARP_CRITERIA))
    out[("jarp_referral_criteria", "unknown_code", "criterion")] = one(
        path, f"SELECT COUNT(*) FROM jarp_referral_criteria WHERE criterion NOT IN ({marks})", *JARP_CRITERIA
    )
    for table, col, ref, ref_col in FOREIGN_KEYS:
        out[(table, "orphan_id", col)] = one(
            path, f"SELECT COUNT(*) FROM {table} WHERE {col} IS NOT NULL AND {col} NOT IN (SELECT {ref_col} FROM {ref})"
        )
    for table, cols in REQUIRED.items():
        for col in cols:
            out[(table, "null_required", col)] = one(path, f"SELECT COUNT(*) FROM {table} WHERE {col} IS NULL")
    for table, col in PRIMARY_IDS.items():
        out[(table, "duplicate_id", col)] = one(path, f"SELECT COUNT(*) - COUNT(DISTINCT {col}) FROM {table}")
    return out


def test_bad_data_matches_manifest(built):
    for path in (built["full"], built["small"], built["small_other"]):
        counts = _bad_counts(path)
        assert set(BAD_DATA) <= set(counts), set(BAD_DATA) - set(counts)
        found = {k: v for k, v in counts.items() if v}
        assert found == BAD_DATA
    kinds = {k[1] for k in BAD_DATA}
    assert kinds == {"end_before_start", "unknown_code", "orphan_id", "null_required", "duplicate_id"}


def test_ensure_demo_builds_once(tmp_path, monkeypatch):
    calls = []
    real = demo.generate

    def counting(out, children, seed):
        calls.append(children)
        return real(out, children=children, seed=seed)

    monkeypatch.setattr(demo, "generate", counting)
    target = tmp_path / "sub" / "demo.sqlite"
    threads = [threading.Thread(target=demo.ensure_demo, args=(target, 300, 1)) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [300]
    stamp = target.stat().st_mtime_ns
    assert demo.ensure_demo(target, 300, 1) == target
    assert calls == [300] and target.stat().st_mtime_ns == stamp
    assert not list(tmp_path.glob("sub/.*"))  # no lock or temporary file left behind
    assert connect(f"sqlite:///{target}").is_demo


def test_cli_demo_data(tmp_path):
    from dashboard.cli import main

    out = tmp_path / "cli.sqlite"
    assert main(["demo-data", "--out", str(out), "--children", "300", "--seed", "2"]) == 0
    assert one(out, "SELECT COUNT(DISTINCT child_id) FROM children") == 300


def test_check_db_counts_the_manifest(built):
    """check-db's data-quality counts agree with the manifest (unknown codes summed over values)."""
    from data_layer.checks import data_quality

    db = connect(f"sqlite:///{built['small']}")
    dq = data_quality(db)
    found = dq[dq["rows"] > 0].groupby(["table", "check", "column"])["rows"].sum()
    assert {k: int(v) for k, v in found.items()} == BAD_DATA
