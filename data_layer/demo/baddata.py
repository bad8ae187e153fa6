"""Deliberately bad rows, a fixed few of each kind, so check-db and the data-quality panels have
something to find. ``BAD_DATA`` is the manifest: (table, kind, column) -> number of bad rows, the
same for every size and seed. Each injected row is bad in exactly one way (every other value is
valid and historical), so per-kind counts are exact.

Kinds: ``end_before_start`` (column = the end column), ``unknown_code``, ``orphan_id``,
``null_required``, ``duplicate_id`` (count = extra rows: COUNT(*) - COUNT(DISTINCT id); each is a
copy of one generated row, so it is also the number of ids that appear twice).
"""

from __future__ import annotations

from . import workforce as wf

BAD_DATA: dict[tuple[str, str, str], int] = {
    ("referrals", "end_before_start", "closure_date"): 1,
    ("allocations", "end_before_start", "end_date"): 2,
    ("cin_plans", "end_before_start", "end_date"): 2,
    ("cp_plans", "end_before_start", "end_date"): 1,
    ("cla_episodes", "end_before_start", "end_date"): 1,
    ("transfers", "end_before_start", "completed_date"): 1,
    ("referrals", "unknown_code", "outcome"): 1,
    ("allocations", "unknown_code", "role"): 1,
    ("cin_plans", "unknown_code", "end_reason"): 2,
    ("cp_plans", "unknown_code", "category"): 1,
    ("cla_episodes", "unknown_code", "legal_status"): 1,
    ("visits", "unknown_code", "plan_type"): 2,
    ("transfers", "unknown_code", "status"): 1,
    ("jarp_referrals", "unknown_code", "decision"): 1,
    ("jarp_referral_criteria", "unknown_code", "criterion"): 1,
    ("referrals", "orphan_id", "child_id"): 1,
    ("allocations", "orphan_id", "worker_id"): 2,
    ("allocations", "orphan_id", "team_id"): 1,
    ("cin_plans", "orphan_id", "team_id"): 1,
    ("visits", "orphan_id", "child_id"): 2,
    ("transfers", "orphan_id", "to_team_id"): 1,
    ("jarp_referral_criteria", "orphan_id", "referral_id"): 1,
    ("referrals", "null_required", "referral_date"): 1,
    ("allocations", "null_required", "start_date"): 1,
    ("cin_plans", "null_required", "start_date"): 1,
    ("cla_episodes", "null_required", "start_date"): 1,
    ("visits", "null_required", "visit_date"): 2,
    ("children", "duplicate_id", "child_id"): 1,
    ("referrals", "duplicate_id", "referral_id"): 1,
    ("allocations", "duplicate_id", "allocation_id"): 1,
    ("visits", "duplicate_id", "visit_id"): 2,
}


def inject(w, force: wf.Workforce, child_width: int = 7) -> None:
    """Append the manifest's bad rows (ids continue each table's sequence; orphans use id 0)."""
    child = f"C{1:0{child_width}d}"
    no_child = f"C{0:0{child_width}d}"
    team = force.team_ids[wf.NORTH]
    other_team = force.team_ids[wf.SOUTH]
    no_team = "T" + "0" * (len(team) - 1)
    worker = next(force.worker_ids[i] for i in force.slots[wf.NORTH] if i >= 0)
    no_worker = "W" + "0" * (len(worker) - 1)

    def nid(prefix):
        return str(w.ids(prefix, 1)[0])

    def ref(**kw):
        r = dict(
            referral_id=nid("R"),
            child_id=child,
            referral_date="2021-03-01",
            source="school",
            outcome="assessment",
            closure_date="2021-03-20",
        )
        return {**r, **kw}

    w.insert_dicts(
        "referrals",
        [
            ref(referral_date="2021-04-10", closure_date="2021-04-01"),
            ref(outcome="transferred"),
            ref(child_id=no_child),
            ref(referral_date=None),
        ],
    )

    def alloc(**kw):
        r = dict(
            allocation_id=nid("AL"),
            child_id=child,
            worker_id=worker,
            team_id=team,
            role="key_worker",
            start_date="2021-02-01",
            end_date="2021-03-01",
        )
        return {**r, **kw}

    w.insert_dicts(
        "allocations",
        [
            alloc(start_date="2021-05-10", end_date="2021-05-03"),
            alloc(start_date="2022-01-12", end_date="2022-01-04"),
            alloc(role="co_worker"),
            alloc(worker_id=no_worker),
            alloc(worker_id=no_worker, start_date="2021-06-01", end_date="2021-07-01"),
            alloc(team_id=no_team),
            alloc(start_date=None),
        ],
    )

    def cin(**kw):
        r = dict(
            plan_id=nid("CIN"),
            child_id=child,
            team_id=team,
            start_date="2021-03-01",
            end_date="2021-06-01",
            origin="assessment",
            end_reason="plan_achieved",
        )
        return {**r, **kw}

    w.insert_dicts(
        "cin_plans",
        [
            cin(start_date="2021-07-01", end_date="2021-06-20"),
            cin(start_date="2021-09-01", end_date="2021-08-02"),
            cin(end_reason="closed"),
            cin(end_reason="case_closed"),
            cin(team_id=no_team),
            cin(start_date=None),
        ],
    )

    def cp(**kw):
        r = dict(
            plan_id=nid("CP"),
            child_id=child,
            team_id=team,
            start_date="2021-03-01",
            end_date="2021-09-01",
            category="neglect",
            end_reason="no_longer_at_risk",
        )
        return {**r, **kw}

    w.insert_dicts("cp_plans", [cp(start_date="2021-10-01", end_date="2021-09-01"), cp(category="domestic_abuse")])

    def cla(**kw):
        r = dict(
            episode_id=nid("LA"),
            child_id=child,
            start_date="2021-03-01",
            end_date="2021-05-01",
            legal_status="s20",
            end_reason="returned_home",
        )
        return {**r, **kw}

    w.insert_dicts(
        "cla_episodes",
        [cla(start_date="2021-06-01", end_date="2021-05-01"), cla(legal_status="v2"), cla(start_date=None)],
    )

    def visit(**kw):
        r = dict(visit_id=nid("V"), child_id=child, worker_id=worker, visit_date="2021-03-10", plan_type="cin")
        return {**r, **kw}

    w.insert_dicts(
        "visits",
        [
            visit(plan_type="lac"),
            visit(plan_type="lac", visit_date="2021-03-24"),
            visit(child_id=no_child),
            visit(child_id=no_child, visit_date="2021-04-07"),
            visit(visit_date=None),
            visit(visit_date=None),
        ],
    )

    def tr(**kw):
        r = dict(
            transfer_id=nid("TR"),
            child_id=child,
            from_team_id=team,
            to_team_id=other_team,
            transfer_point="other",
            notified_date="2021-02-15",
            requested_date="2021-03-01",
            completed_date="2021-03-03",
            joint_visit_date="2021-03-02",
            status="completed",
        )
        return {**r, **kw}

    w.insert_dicts(
        "transfers",
        [
            tr(
                requested_date="2021-06-10",
                completed_date="2021-06-08",
                notified_date="2021-06-01",
                joint_visit_date=None,
            ),
            tr(status="cancelled", completed_date=None, joint_visit_date=None),
            tr(to_team_id=no_team),
        ],
    )

    jid = nid("J")
    w.insert_dicts(
        "jarp_referrals",
        [
            dict(
                referral_id=jid,
                child_id=child,
                referring_team_id=team,
                submitted_at="2021-06-01 10:30:00",
                panel_date="2021-06-08",
                direct_exception=None,
                carried_over=0,
                services_requested="Family support",
                decision="deferred",
                decision_date=None,
                first_response_at=None,
                next_review_date=None,
            )
        ],
    )
    w.insert_dicts(
        "jarp_referral_criteria",
        [dict(referral_id=jid, criterion="housing"), dict(referral_id="J" + "0" * 8, criterion="school_exclusion")],
    )
    # Duplicates: copies of the first generated rows.
    w.execute("INSERT INTO children SELECT * FROM children WHERE rowid = 1")
    w.execute("INSERT INTO referrals SELECT * FROM referrals WHERE rowid = 1")
    w.execute("INSERT INTO allocations SELECT * FROM allocations WHERE rowid = 1")
    w.execute("INSERT INTO visits SELECT * FROM visits WHERE rowid IN (1, 2)")
