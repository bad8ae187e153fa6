"""Data-quality counts are cached per database and filters' teams, not per as-at date they ignore."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
from flask import Flask

import data_layer.checks as checks
from dashboard.cache import cached_call, init_cache
from data_layer import Filters, data_quality, date_range, team_options


def test_two_as_at_dates_run_the_checks_once_and_a_team_filter_runs_them_again(small_demo, monkeypatch):
    runs = []
    real = checks._count_bad_rows

    def counting(db, present, f, only=None):
        runs.append((f.teams if f else None, only))
        return real(db, present, f, only=only)

    monkeypatch.setattr(checks, "_count_bad_rows", counting)
    server = Flask(__name__)
    init_cache(server, 300)
    latest = date_range(small_demo)[1]
    team = (str(team_options(small_demo)["team_id"].iloc[0]),)
    tables = ("workers", "allocations")
    with server.app_context():
        d1 = cached_call(data_quality, small_demo, Filters(latest), tables)
        d2 = cached_call(data_quality, small_demo, Filters(latest - timedelta(days=7)), tables)
        d3 = cached_call(data_quality, small_demo, Filters(latest - timedelta(days=400)), tables)
        assert runs == [((), tables)]  # three dates, one count
        cached_call(data_quality, small_demo, Filters(latest, teams=team), tables)
        cached_call(data_quality, small_demo, Filters(latest - timedelta(days=7), teams=team), tables)
        cached_call(data_quality, small_demo, Filters(latest))  # every table: another question
        cached_call(data_quality, small_demo, Filters(latest - timedelta(days=1)))
    assert runs == [((), tables), (team, tables), ((), None)]
    pd.testing.assert_frame_equal(d1, d2)
    pd.testing.assert_frame_equal(d1, d3)
    # the cached count is the count on any date: the as-at date truly does not enter it
    pd.testing.assert_frame_equal(d3, data_quality(small_demo, Filters(latest - timedelta(days=400)), tables))
