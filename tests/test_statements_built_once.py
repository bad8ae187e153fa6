"""Statements built once per database and shape, run with new values (``Database.statement``, issue 17).

The three scored JARP statements are built once per rules and team-filter shape and given each
call's dates, teams and services as bound values. A reused statement must answer exactly what a
statement built for that call answers: every call below is compared with the same call on a
database opened afresh (nothing built yet), across dates, all teams, a service and a team.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pandas as pd
import pytest

from data_layer import connect, latest_date, team_options
from data_layer.filters import Filters
from data_layer.queries.jarp import jarp_queue, jarp_queue_trend, jarp_responses

FUNCTIONS = {"queue": jarp_queue, "trend": jarp_queue_trend, "responses": jarp_responses}


def _filter_sets(db) -> list[Filters]:
    latest = latest_date(db)
    teams = team_options(db)
    service = str(teams["service"].iloc[0])
    team = str(teams.loc[teams["service"] != service, "team_id"].iloc[0])
    sets = []
    for days in (0, 7, 120, 400):
        d = latest - timedelta(days=days)
        sets += [Filters(d), Filters(d, services=(service,)), Filters(d, teams=(team,))]
    sets.append(Filters(latest, services=(service,), teams=(team,)))  # a team outside the service: none
    return sets


@pytest.mark.parametrize("name", FUNCTIONS)
def test_a_reused_statement_answers_as_a_fresh_one(small_demo, name):
    fn = FUNCTIONS[name]
    for f in _filter_sets(small_demo):
        reused = fn(small_demo, f)
        fresh_db = connect(f"sqlite:///{small_demo.fixture_path}")
        try:
            fresh = fn(fresh_db, f)
        finally:
            fresh_db.dispose()
        pd.testing.assert_frame_equal(reused, fresh, obj=f"{name} {f}")
    if name != "trend":
        assert any(len(fn(small_demo, f)) for f in _filter_sets(small_demo))  # not a comparison of empties


def test_one_statement_per_shape_and_none_per_date(small_demo):
    db = connect(f"sqlite:///{small_demo.fixture_path}")
    try:
        sets = _filter_sets(db)
        for f in sets:
            jarp_queue(db, f)
        queue_keys = [k for k in db._statements if k[0] == "jarp_queue"]
        # four shapes: all teams, a service, a team, both; never one per date
        assert len(queue_keys) == 4
        changed = replace(db.standards, jarp_p1_min_points=db.standards.jarp_p1_min_points + 1)
        db.standards = changed  # other rules: another statement, never the old one's points
        jarp_queue(db, sets[0])
        assert len([k for k in db._statements if k[0] == "jarp_queue"]) == 5
    finally:
        db.dispose()
