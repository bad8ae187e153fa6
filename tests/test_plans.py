"""Plan durations, window edges, exclusions, bands and Kaplan-Meier (docs/DEFINITIONS.md "Plan durations and
drift"), every backend.

As-at date D = 31 Mar 2023, so the 12-month window for closed plans runs from 1 Apr 2022 to D
inclusive (``Filters.window_start``).
"""

import math
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import mssql

from data_layer import Filters
from data_layer.dialect import add_months
from data_layer.metrics.plan_survival import survival_by_group
from data_layer.queries.drift import drift_trend
from data_layer.queries.plans import duration_bands, plan_durations, plan_exclusions

D = date(2023, 3, 31)


def _cin(pid, start, end=None, origin="assessment", team="T1", reason=None):
    return dict(
        plan_id=pid,
        child_id="C" + pid,
        team_id=team,
        start_date=start,
        end_date=end,
        origin=origin,
        end_reason=reason if end else None,
    )


def _cp(pid, start, end=None, team="T1", reason=None):
    return dict(
        plan_id=pid,
        child_id="C" + pid,
        team_id=team,
        start_date=start,
        end_date=end,
        category="neglect",
        end_reason=reason if end else None,
    )


ROWS = {
    "teams": [
        dict(team_id="T1", team_name="CIN North", service="CIN/CP"),
        dict(team_id="T2", team_name="Adolescents", service="Adolescent"),
    ],
    "cin_plans": [
        _cin("EDGE_IN", date(2022, 1, 1), date(2022, 4, 1), reason="plan_achieved"),  # first day of window: in
        _cin("EDGE_OUT", date(2022, 1, 1), date(2022, 3, 31), reason="plan_achieved"),  # a day earlier: out
        _cin("ENDS_D", date(2023, 1, 1), D, reason="escalated_cp"),  # closed on D
        _cin("ENDS_LATER", date(2022, 10, 1), date(2023, 4, 15), reason="other"),  # open on D
        _cin("OPEN", date(2021, 3, 31), origin="cp_step_down"),  # open 730 days
        _cin("STARTS_D", D),  # open, 0 days
        _cin("STARTS_LATER", date(2023, 4, 1)),  # not yet
        _cin("BACKWARDS", date(2022, 7, 1), date(2022, 6, 1), reason="other"),  # end before start
        _cin("NO_START", None, date(2022, 6, 1), reason="other"),
        _cin("ODD_ORIGIN", date(2022, 6, 1), origin="mystery", team="T2"),
        _cin("OLD_BACKWARDS", date(2021, 7, 1), date(2021, 6, 1)),  # out of the window anyway
    ],
    "cp_plans": [
        _cp("CP_CLOSED", date(2021, 5, 1), date(2023, 2, 1), reason="step_down_cin"),
        _cp("CP_OPEN", date(2022, 3, 31), team="T2"),
        _cp("CP_BACKWARDS", date(2023, 3, 1), date(2023, 2, 1)),
    ],
}


@pytest.fixture
def db(make_db):
    return make_db(ROWS)


def test_cin_durations_window_and_open_plans(db):
    df = plan_durations(db, Filters(D), "cin").set_index("plan_id")
    assert sorted(df.index) == ["EDGE_IN", "ENDS_D", "ENDS_LATER", "ODD_ORIGIN", "OPEN", "STARTS_D"]
    assert list(df.columns) == [
        "child_id",
        "team_id",
        "team_name",
        "start_date",
        "end_date",
        "days",
        "open",
        "origin",
        "end_reason",
    ]
    e = df.loc["EDGE_IN"]
    assert (e.days, bool(e.open), e.end_date, e.end_reason) == (90, False, date(2022, 4, 1), "plan_achieved")
    e = df.loc["ENDS_D"]
    assert (e.days, bool(e.open), e.end_date) == (89, False, D)
    e = df.loc["ENDS_LATER"]  # the end after D is not known on D
    assert (e.days, bool(e.open), e.end_date, e.end_reason) == (181, True, None, None)
    e = df.loc["OPEN"]
    assert (e.days, bool(e.open), e.origin, e.child_id, e.team_name) == (
        730,
        True,
        "cp_step_down",
        "COPEN",
        "CIN North",
    )
    assert (df.loc["STARTS_D"].days, bool(df.loc["STARTS_D"].open)) == (0, True)
    assert df.loc["ODD_ORIGIN"].origin == "mystery"
    assert isinstance(df.loc["OPEN"].start_date, date)


def test_cp_durations_have_no_origin(db):
    df = plan_durations(db, Filters(D), "cp").set_index("plan_id")
    assert sorted(df.index) == ["CP_CLOSED", "CP_OPEN"]
    assert df.loc["CP_CLOSED"].days == 641 and df.loc["CP_OPEN"].days == 365
    assert df.origin.isna().all()
    assert df.loc["CP_CLOSED"].end_reason == "step_down_cin"


def test_team_filter_uses_plan_team(db):
    assert sorted(plan_durations(db, Filters(D, teams=("T2",)), "cin").plan_id) == ["ODD_ORIGIN"]
    assert sorted(plan_durations(db, Filters(D, services=("Adolescent",)), "cp").plan_id) == ["CP_OPEN"]


def test_bad_plan_type_is_refused(db):
    with pytest.raises(ValueError):
        plan_durations(db, Filters(D), "cla")


def test_exclusions_are_counted(db):
    ex = plan_exclusions(db, Filters(D))
    got = {(r.plan_type, r.reason): r.n for r in ex.itertuples()}
    assert got == {
        ("cin", "end date before start date"): 1,
        ("cin", "no start date"): 1,
        ("cin", "unrecognised origin code"): 1,
        ("cp", "end date before start date"): 1,
    }
    got_t2 = {(r.plan_type, r.reason): r.n for r in plan_exclusions(db, Filters(D, teams=("T2",))).itertuples()}
    assert got_t2 == {("cin", "unrecognised origin code"): 1}


def test_duration_bands_use_calendar_months(make_db):
    rows = {
        "cin_plans": [
            _cin("B3", date(2022, 12, 31)),  # + 3 months = 31 Mar = D: up to 3 months
            _cin("B3PLUS", date(2022, 12, 30)),  # + 3 months = 30 Mar < D: 3 to 6 months
            _cin("B12", date(2022, 3, 31)),  # exactly 12 months: 9 to 12
            _cin("B12PLUS", date(2022, 3, 30)),  # 12 to 24
            _cin("CLOSED7", date(2021, 9, 1), date(2022, 4, 2)),  # closed after 7 months: 6 to 9, closed
        ],
        "cp_plans": [_cp("CP25", date(2021, 2, 28))],
    }  # 25 months: over 24
    db = make_db(rows)
    bands = duration_bands(db, Filters(D))
    nonzero = {(r.plan_type, r.band, r.open): r.n for r in bands.itertuples() if r.n}
    assert nonzero == {
        ("cin", "Up to 3 months", True): 1,
        ("cin", "3 to 6 months", True): 1,
        ("cin", "9 to 12 months", True): 1,
        ("cin", "12 to 24 months", True): 1,
        ("cin", "6 to 9 months", False): 1,
        ("cp", "Over 24 months", True): 1,
    }
    assert len(bands) == 2 * 6 * 2  # every plan type x band x open/closed
    assert list(bands[bands.plan_type.eq("cin") & bands.open].band) == [
        "Up to 3 months",
        "3 to 6 months",
        "6 to 9 months",
        "9 to 12 months",
        "12 to 24 months",
        "Over 24 months",
    ]


def test_bands_agree_with_durations(db):
    bands = duration_bands(db, Filters(D))
    for plan_type in ("cin", "cp"):
        durations = plan_durations(db, Filters(D), plan_type)
        sub = bands[bands.plan_type == plan_type]
        assert sub.n.sum() == len(durations)
        assert sub[sub.open].n.sum() == durations.open.sum()


def test_kaplan_meier_hand_worked(make_db):
    """Durations 10 (closed), 20 (open), 30, 40 (closed), 50 (open) days on D.

    S(10) = 4/5 = 0.8; 20 is censored, leaving 3 at risk; S(30) = 0.8 x 2/3 = 0.5333;
    S(40) = 0.5333 x 1/2 = 0.2667. The median is the first time S <= 0.5: 40 days. The plain mean
    of closed plans is (10 + 30 + 40) / 3 = 26.67 days.
    """
    from datetime import timedelta

    def closed(pid, days):
        end = D - timedelta(days=5)
        return _cin(pid, end - timedelta(days=days), end, reason="plan_achieved")

    db = make_db(
        {
            "cin_plans": [
                closed("K10", 10),
                _cin("K20", D - timedelta(days=20)),
                closed("K30", 30),
                closed("K40", 40),
                _cin("K50", D - timedelta(days=50)),
            ]
        }
    )
    durations = plan_durations(db, Filters(D), "cin")
    assert sorted(zip(durations.days, durations.open, strict=False)) == [
        (10, False),
        (20, True),
        (30, False),
        (40, False),
        (50, True),
    ]
    result = survival_by_group(durations)
    curve = result.curves.set_index("days").survival
    assert curve.loc[10.0] == pytest.approx(0.8)
    assert curve.loc[30.0] == pytest.approx(0.8 * 2 / 3)
    assert curve.loc[40.0] == pytest.approx(0.8 * 2 / 3 / 2)
    assert curve.loc[50.0] == pytest.approx(0.8 * 2 / 3 / 2)
    med = result.medians.iloc[0]
    assert (med.group, med.n, med.closed, med.open, med.median_days) == ("All plans", 5, 3, 2, 40.0)
    assert med.closed_mean_days == pytest.approx(80 / 3)
    # 95% band at 10 days, exponential Greenwood (lifelines' default), by hand: V = (1 / (5 x 4)) /
    # (log 0.8)^2 = 1.00415; exp(-exp(log(-log 0.8) -/+ 1.95996 sqrt V)) = 0.96918 and 0.20381.
    at10 = result.curves.set_index("days").loc[10.0]
    assert (at10.ci_low, at10.ci_high) == (pytest.approx(0.20381, abs=1e-4), pytest.approx(0.96918, abs=1e-4))
    # median interval: where the band's edges cross one half; the upper edge stays above (0.686 at
    # 40 days, the last closure), so the interval is open-ended
    assert med.ci_low == 10.0 and math.isnan(med.ci_high)


def test_survival_groups_and_exclusions(db):
    import pandas as pd

    durations = pd.concat([plan_durations(db, Filters(D), t).assign(plan_type=t) for t in ("cin", "cp")])
    by_type = survival_by_group(durations, by="plan_type")
    assert list(by_type.medians.group) == ["cin", "cp"]
    assert dict(zip(by_type.medians.group, by_type.medians.n, strict=False)) == {"cin": 6, "cp": 2}
    by_origin = survival_by_group(durations[durations.plan_type == "cin"], by="origin")
    assert by_origin.excluded == {"origin missing or unrecognised": 1}
    small = survival_by_group(durations, by="plan_type", min_n=5)
    assert list(small.medians.group) == ["cin"] and small.excluded == {"groups under 5 plans": 2}
    empty = survival_by_group(durations.iloc[0:0])
    assert empty.curves.empty and empty.medians.empty


def test_add_months_clamps_like_dateutil(db):
    from dateutil.relativedelta import relativedelta
    from sqlalchemy import Date, literal

    for start, n in [
        (date(2023, 1, 31), 1),
        (date(2022, 5, 31), 9),
        (date(2024, 2, 29), 12),
        (date(2023, 3, 15), 24),
        (date(2022, 12, 31), 3),
        (date(2023, 8, 31), 6),
    ]:
        got = db.scalar(select(add_months(literal(start, Date), n)))
        assert str(got)[:10] == str(start + relativedelta(months=n)), (start, n)


def test_sql_server_compiles():
    """Every query of the page compiles for SQL Server (most authorities' warehouses)."""
    import pandas as pd

    from data_layer.engine import Database
    from data_layer.queries.drift import drift_counts, plan_drift
    from data_layer.standards import load_standards

    dialect = mssql.dialect()

    class _Capture(Database):
        """Compiles each query for SQL Server instead of running it; answers with no rows."""

        def __init__(self):
            self.standards = load_standards()
            self.sql = []

        def read(self, query, params=None):
            self.sql.append(str(query.compile(dialect=dialect)))
            return pd.DataFrame(columns=[c.name for c in query.selected_columns])

    db = _Capture()
    f = Filters(D, teams=("T1",))
    for fn, args in (
        (plan_durations, ("cin",)),
        (plan_durations, ("cp",)),
        (plan_exclusions, ()),
        (duration_bands, ()),
        (plan_drift, ()),
        (drift_counts, ()),
        (drift_trend, (12,)),
    ):
        fn(db, f, *args)
    assert len(db.sql) == 7
    joined = "\n".join(db.sql)
    assert "DATEADD(month" in joined and "DATEDIFF(day" in joined
    assert "julianday" not in joined and "INTERVAL" not in joined and "date_diff" not in joined
    assert "'T1'" not in joined  # values are bound, never inlined
