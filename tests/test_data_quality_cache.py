"""Data-quality counts are made once per database and set of tables, whatever the date or filters."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
from flask import Flask

import data_layer.checks as checks
from dashboard.cache import init_cache
from dashboard.sections.common import bad_rows
from data_layer import Filters, data_quality, date_range, team_options


def test_dates_and_team_filters_reuse_one_count_per_set_of_tables(small_demo, monkeypatch):
    runs = []
    real = checks._count_by_team

    def counting(db, present, failed=None, only=None):
        runs.append(only)
        return real(db, present, failed, only=only)

    monkeypatch.setattr(checks, "_count_by_team", counting)
    server = Flask(__name__)
    init_cache(server, 300)
    latest = date_range(small_demo)[1]
    teams = team_options(small_demo)
    team = (str(teams["team_id"].iloc[0]),)
    service = (str(teams["service"].iloc[-1]),)
    tables = ("workers", "allocations")
    views = [
        Filters(latest),
        Filters(latest - timedelta(days=7)),
        Filters(latest - timedelta(days=400), teams=team),
        Filters(latest, services=service),
    ]
    with server.app_context():
        found = [bad_rows(small_demo, f, tables) for f in views]
        assert runs == [tables]  # four views, one count
        every = [bad_rows(small_demo, f) for f in views]  # every table: another question, counted once
    assert runs == [tables, None]
    pd.testing.assert_frame_equal(found[0], found[1])  # the as-at date does not enter it
    for f, got, whole in zip(views, found, every, strict=True):  # each view is what data_quality counts for it
        pd.testing.assert_frame_equal(got, data_quality(small_demo, f, tables))
        pd.testing.assert_frame_equal(whole, data_quality(small_demo, f))
    assert len(found[0]) and found[0]["rows"].sum() > found[2]["rows"].sum()  # a team's rows are a selection
