"""The transfers frame and its team labels, built without a step per row (issue 17), keep their values and types.

``team_labels`` gives the name, else the id, else "No team recorded", row by row; ``transfers`` keeps its object
columns of Python ints and bools with None where unknown (readers test ``is None``), and months as
the first of the request's month.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from dashboard.figures.transfers import team_labels
from data_layer import latest_date
from data_layer.filters import Filters
from data_layer.queries.transfers import transfers


def test_team_labels_name_else_id_else_none_recorded():
    ids = pd.Series(["T1", None, "", np.nan, 5, "T6", None, pd.NA, "T9"], index=range(10, 19))
    names = pd.Series(["Alpha", "Beta", None, None, None, "", "", None, pd.NA], index=range(10, 19))
    labels = team_labels(ids, names)
    assert list(labels) == [
        "Alpha", "Beta", "No team recorded", "No team recorded", "5", "T6", "No team recorded",
        "No team recorded", "T9",
    ]  # fmt: skip
    assert list(labels.index) == list(range(10, 19))


def test_the_transfers_frame_keeps_python_values_and_none(small_demo):
    latest = latest_date(small_demo)
    frames = [transfers(small_demo, Filters(latest - timedelta(days=30 * k))) for k in range(12)]
    df = pd.concat(frames, ignore_index=True)
    assert df["pending"].any() and (~df["pending"]).any()  # both kinds are checked
    for col in ("days_waiting", "notice_days"):
        assert {type(v) for v in df[col]} <= {int, type(None)}
    assert all((v is None) == (not p) for v, p in zip(df["days_waiting"], df["pending"], strict=True))
    for col in ("notice_ok", "joint_visit_ok"):
        assert {type(v) for v in df[col]} <= {bool, type(None)}
        assert all((v is None) == p for v, p in zip(df[col], df["pending"], strict=True))
    assert all(m == r.replace(day=1) for m, r in zip(df["request_month"], df["requested_date"], strict=True))
