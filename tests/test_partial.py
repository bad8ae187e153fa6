"""Partial native databases: one missing ``transfers``, one missing ``plan_reviews`` (issue 14).

The data layer raises :class:`MissingData` for exactly the functions that need the missing table,
serves the rest, and :func:`coverage` names what is missing, on every backend.
"""

from datetime import date

import pytest
from sqlalchemy import Column, MetaData, Table, create_engine
from sqlalchemy.pool import NullPool

import data_layer as dl
from data_layer import Filters, MissingData
from data_layer.schema import metadata
from tests.fixtures import FixtureDB

D = date(2023, 3, 1)
F = Filters(D)
ROWS = {
    "teams": [
        dict(team_id="T1", team_name="CIN/CP North", service="CIN/CP", area="N"),
        dict(team_id="T2", team_name="CIN Pilot", service="CIN Pilot", area="N"),
    ],
    "workers": [
        dict(
            worker_id="W1",
            worker_name="Worker 1",
            team_id="T1",
            role="SW",
            fte=1.0,
            qualified=True,
            start_date=date(2020, 1, 1),
        )
    ],
    "children": [dict(child_id="C1", birth_date=date(2012, 1, 1))],
    "allocations": [
        dict(
            allocation_id="A1",
            child_id="C1",
            worker_id="W1",
            team_id="T1",
            role="key_worker",
            start_date=date(2022, 1, 1),
        )
    ],
    "cin_plans": [dict(plan_id="N1", child_id="C1", team_id="T1", start_date=date(2022, 6, 1), origin="assessment")],
    "cp_plans": [dict(plan_id="P1", child_id="C1", team_id="T1", start_date=date(2021, 1, 10))],
    "visits": [dict(visit_id="V1", child_id="C1", worker_id="W1", visit_date=date(2023, 2, 1), plan_type="cin")],
}


@pytest.fixture
def partial(backend, tmp_path):
    made = []

    def factory(drop_table: str):
        fx = FixtureDB(backend, tmp_path)
        made.append(fx)
        md = MetaData()
        for t in metadata.tables.values():
            if t.name != drop_table:
                Table(t.name, md, *[Column(c.name, c.type) for c in t.columns])
        engine = create_engine(fx.write_url, poolclass=NullPool)
        try:
            md.create_all(engine)
            with engine.begin() as conn:
                for name, rows in ROWS.items():
                    cols = [c.name for c in md.tables[name].columns]
                    conn.execute(md.tables[name].insert(), [{c: r.get(c) for c in cols} for r in rows])
        finally:
            engine.dispose()
        return fx.connect()

    yield factory
    for fx in made:
        fx.cleanup()


#: Every data-layer function a page part calls, with its extra arguments.
CALLS = (
    ("caseloads", ()),
    ("unallocated", ()),
    ("children_by_status", ()),
    ("caseload_trend", ()),
    ("plan_durations", ("cin",)),
    ("plan_durations", ("cp",)),
    ("plan_exclusions", ()),
    ("duration_bands", ()),
    ("plan_drift", ()),
    ("drift_counts", ()),
    ("drift_trend", ()),
    ("evaluate_pilot", ()),
    ("pilot_evaluation", ()),
    ("pilot_headline", ()),
    ("cohort_plans", ()),
    ("pilot_trend", ()),
    ("transfers", ()),
    ("transfer_flows", ()),
    ("transfer_exclusions", ()),
    ("keyworker_changes", ()),
    ("keyworker_change_children", ()),
    ("jarp_queue", ()),
    ("jarp_queue_trend", ()),
    ("jarp_responses", ()),
    ("jarp_reviews_due", ()),
    ("jarp_unknown_criteria", ()),
)


def _raising(db) -> dict[str, MissingData]:
    out = {}
    for name, args in CALLS:
        try:
            getattr(dl, name)(db, F, *args)
        except MissingData as exc:
            out[name] = exc
    return out


def test_missing_transfers(partial):
    db = partial("transfers")
    raised = _raising(db)
    assert set(raised) == {"transfers", "transfer_flows"}
    assert str(raised["transfers"]) == "Table transfers is not in this database: transfer timeliness cannot be shown"
    assert raised["transfers"].missing == ("transfers",)
    cov = dl.coverage(db).set_index(["page", "part"])
    assert cov.loc[("transfers", "body"), "status"] == "partial"
    assert cov.loc[("transfers", "body"), "missing"] == "transfers"
    assert cov.loc[("overview", "body"), "status"] == "partial"
    assert cov.loc[("transfers", "pending"), "status"] == "missing"  # the pending list needs timed transfers
    others = cov.drop(index=[("transfers", "body"), ("transfers", "pending"), ("overview", "body")])
    assert (others["status"] == "available").all()


def test_missing_plan_reviews(partial):
    db = partial("plan_reviews")
    assert _raising(db) == {}
    flags = set(dl.plan_drift(db, F)["flag"])
    assert "cin_review_overdue" not in flags and "cp_over_2_years" in flags  # CP plan open > 2 years
    cov = dl.coverage(db).set_index(["page", "part"])
    drift = cov.loc[("plans", "drift")]
    assert drift.status == "partial" and "plan_reviews" in drift.missing
    assert "Table plan_reviews is not in this database: review drift cannot be shown" in drift.message
    pilot = cov.loc[("cin_pilot", "body")]
    assert pilot.status == "partial" and "reviews on time cannot be measured" in pilot.message
    ev = dl.evaluate_pilot(db, F)
    on_time = ev.measures[ev.measures["measure"] == "reviews_on_time"]
    assert (on_time["n"] == 0).all()  # unknown, not "late"
    assert cov.loc[("caseloads", "body"), "status"] == "available"


def test_transfer_flows_on_the_native_contract(make_db):
    db = make_db(
        {
            **ROWS,
            "transfers": [
                dict(
                    transfer_id="X1",
                    child_id="C1",
                    from_team_id="T1",
                    to_team_id="T2",
                    status="completed",
                    requested_date=date(2022, 5, 1),
                    completed_date=date(2022, 5, 3),
                ),
                dict(
                    transfer_id="X2",
                    child_id="C1",
                    from_team_id="T1",
                    to_team_id="T2",
                    status="pending",
                    requested_date=date(2023, 2, 1),
                ),
                dict(
                    transfer_id="X3",
                    child_id="C1",
                    from_team_id="T2",
                    to_team_id="T1",
                    status="completed",
                    requested_date=date(2021, 5, 1),
                    completed_date=date(2021, 5, 3),
                ),
            ],
        }
    )
    flows = dl.transfer_flows(db, F)
    assert flows[["from_team", "to_team", "transfers"]].to_dict("records") == [
        dict(from_team="T1", to_team="T2", transfers=1)
    ]
