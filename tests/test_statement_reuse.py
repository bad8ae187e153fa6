"""Statements built once per shape and reused with new bound values (issue 17: ``Database.statement``).

The JARP queries are built once per database and filter shape (teams chosen or not, services chosen
or not); each call binds its own date and teams. A reused statement must answer exactly as one
built afresh, whatever was asked before it.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pandas as pd

from data_layer import Filters, connect, date_range, jarp_queue, jarp_queue_trend, jarp_responses, team_options
from data_layer.standards import load_standards


def test_a_statement_is_built_once_per_shape_and_again_for_other_standards(small_demo):
    built = []

    def build():
        built.append(1)
        return object()

    first = small_demo.statement(("test", 1), build)
    assert small_demo.statement(("test", 1), build) is first and len(built) == 1
    assert small_demo.statement(("test", 2), build) is not first and len(built) == 2
    copy = dataclasses.replace(small_demo, standards=load_standards())  # other standards: its own statements
    assert copy.statement(("test", 1), build) is not first and len(built) == 3


def test_reused_jarp_statements_answer_as_fresh_ones(small_demo):
    latest = date_range(small_demo)[1]
    teams = team_options(small_demo)
    team_ids, services = teams["team_id"].tolist(), sorted(set(teams["service"]))
    views = [
        Filters(latest),
        Filters(latest, teams=(team_ids[0],)),
        Filters(latest - timedelta(days=150), teams=tuple(team_ids[1:3])),  # same shape, other values
        Filters(latest - timedelta(days=30)),
        Filters(latest, services=(services[0],)),
        Filters(latest - timedelta(days=60), services=(services[-1],), teams=(team_ids[2],)),
    ]
    queued = 0
    for f in views:
        fresh = connect(f"sqlite:///{small_demo.fixture_path}")  # builds every statement anew
        try:
            for fn in (jarp_queue, jarp_queue_trend, jarp_responses):
                pd.testing.assert_frame_equal(fn(small_demo, f), fn(fresh, f), obj=f"{fn.__name__} {f!r}")
            queued += len(jarp_queue(small_demo, f))
        finally:
            fresh.dispose()
    assert queued > 0
    shapes = {k for k in small_demo._statements if k[0] == "jarp_queue"}
    assert shapes == {("jarp_queue", s) for s in ((False, False), (True, False), (False, True), (True, True))}
