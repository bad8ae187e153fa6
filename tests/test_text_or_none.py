"""``data_layer.engine.text_or_none``: ids and codes as text or None, whatever the driver returned.

It replaced four per-row lambdas (plans, JARP, drift, transfers; issue 17). Checked value by value
against the rule they shared: missing (None, NaN, pd.NA, NaT) is None, anything else ``str(v)``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from data_layer.engine import text_or_none


def _by_hand(v):
    missing = v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))
    return None if missing else str(v)


CASES = {
    "text": pd.Series(["P1", "P2", "C-9"]),
    "text with gaps": pd.Series(["P1", None, "P3", np.nan, pd.NA]),
    "all missing": pd.Series([None, None]),
    "empty": pd.Series([], dtype=object),
    "whole numbers": pd.Series([1, 22, 333]),
    "numbers with a gap (pandas makes them float)": pd.DataFrame([(1,), (None,), (3,)])[0],
    "mixed": pd.Series(["T1", 7, None, 2.5]),
    "nullable integers": pd.Series([4, None], dtype="Int64"),
    "pandas strings": pd.Series(["a", None], dtype="string"),
}


@pytest.mark.parametrize("name", CASES)
def test_each_value_is_text_or_none(name):
    series = CASES[name]
    out = text_or_none(series)
    assert out.dtype == object
    assert list(out) == [_by_hand(v) for v in series.astype(object)]
    assert all(v is None or type(v) is str for v in out)


def test_the_index_is_kept_and_the_input_left_alone():
    series = pd.Series([5, None, 7], index=[10, 20, 30])
    before = series.copy()
    out = text_or_none(series)
    assert list(out.index) == [10, 20, 30]
    pd.testing.assert_series_equal(series, before)
