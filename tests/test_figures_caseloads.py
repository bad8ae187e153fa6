"""Caseloads figure builders without a browser: traces, target line, ordering, suppression."""

from datetime import date, timedelta

import pandas as pd
import pytest

from dashboard.disclosure import Disclosure
from dashboard.figures import caseloads as fig
from dashboard.figures.common import unwrapped
from dashboard.theme import SAFE
from data_layer.vocabulary import STATUSES as STATUS_VOCABULARY
from tests.figure_json import assert_twin

STATUS_COLOURS = STATUS_VOCABULARY.colours()

SHOWN = Disclosure(threshold=5, active=True)

STATUSES = ("cla", "cp", "cin", "care_leaver", "assessment", "other")


def _worker(wid, name, fte, team="T1", **counts):
    row = dict(worker_id=wid, worker_name=name, team_id=team, team_name=f"Team {team}", role="SW", fte=fte)
    row.update({s: counts.get(s, 0) for s in STATUSES})
    row["cases"] = sum(row[s] for s in STATUSES)
    row["target"] = round(25 * fte, 2)
    row["over_target"] = row["cases"] > row["target"]
    return row


@pytest.fixture
def load():
    return pd.DataFrame(
        [
            _worker("W1", "Ann", 1.0, cin=10, cp=8, cla=2),  # 20 of 25: under
            _worker("W2", "Bob", 0.5, cin=10, cp=4),  # 14 of 12.5: over by 1.5
            _worker("W3", "Cat", 1.0, cin=20, cp=5, assessment=3),  # 28 of 25: over by 3
            _worker("W4", "Dan", 0.8, team="T2", other=2),  # 2 of 20
            _worker("W5", "Eve", 1.0, cin=25),  # exactly 25: not over
        ]
    )


# --------------------------------------------------------------------------- workers


def test_worker_table_sorts_most_over_target_first(load):
    t = fig.worker_table(load)
    assert t["worker"].tolist() == ["Cat", "Bob", "Eve", "Ann", "Dan"]
    assert t["excess"].tolist() == [3.0, 1.5, 0.0, -5.0, -18.0]
    assert t["over_target"].tolist() == [True, True, False, False, False]


def test_worker_table_keeps_duplicate_names_apart(load):
    load.loc[1, "worker_name"] = "Ann"
    t = fig.worker_table(load)
    assert set(t["worker"]) >= {"Ann (W1)", "Ann (W2)"}
    assert t["worker"].is_unique


def test_workers_figure_stacks_statuses_with_target_and_over_markers(load):
    t = fig.worker_table(load)
    f = fig.workers_figure(t)
    assert_twin(f)
    bars = [tr for tr in f.data if tr.type == "bar"]
    assert [b.name for b in bars] == ["Looked after", "CP", "CIN", "Care leaver", "Assessment", "Other"]
    assert f.layout.barmode == "stack"
    assert all(b.orientation == "h" for b in bars)
    assert [b.marker.color for b in bars] == [STATUS_COLOURS[s] for s in STATUSES]
    assert all(c in SAFE for c in STATUS_COLOURS.values())
    cin = next(b for b in bars if b.name == "CIN")
    assert list(cin.y) == ["Cat", "Bob", "Eve", "Ann", "Dan"]
    assert list(cin.x) == [20, 10, 25, 10, 0]
    target = next(tr for tr in f.data if tr.name and tr.name.startswith("FTE target"))
    assert list(target.x) == [25.0, 12.5, 25.0, 25.0, 20.0]
    over = next(tr for tr in f.data if tr.name and "Over target" in tr.name)
    assert list(over.y) == ["Cat", "Bob"]
    assert list(over.text) == ["▲ over by 3", "▲ over by 1.5"]  # a word and a symbol, not colour alone
    assert list(f.layout.yaxis.categoryarray) == ["Cat", "Bob", "Eve", "Ann", "Dan"]
    assert f.layout.yaxis.autorange == "reversed"  # first in the table = top of the chart
    assert unwrapped(f.layout.title.text) == "2 of 5 workers are over their caseload target (25 children per FTE)"
    assert any(
        "Standard: 25 children per FTE (Cluster group presentation)" in (a.text or "") for a in f.layout.annotations
    )


def test_workers_figure_follows_a_different_standard(load):
    load["target"] = 20 * load["fte"]
    load["over_target"] = load["cases"] > load["target"]  # as caseloads() flags it under this standard
    t = fig.worker_table(load)
    f = fig.workers_figure(t, per_fte=20)
    assert_twin(f)
    assert "(20 children per FTE)" in unwrapped(f.layout.title.text)
    assert "3 of 5" in f.layout.title.text


def test_presentation_mode_hides_names_and_everything_that_singles_a_worker_out(load):
    raw = fig.worker_table(load)
    shown = fig.presented_workers(raw, SHOWN)
    # counts shown first, most children first (Cat 28, Eve 25, Ann 20, Bob 14), then the hidden one (Dan 2)
    assert shown["worker"].tolist() == ["Worker 1", "Worker 2", "Worker 3", "Worker 4", "Worker 5"]
    assert shown["cases"].tolist() == ["28", "25", "20", "14", "<5"]
    assert shown["over_target"].tolist() == [True, False, False, True, False]
    # no team, role, FTE, target, excess or status split per anonymous worker (target + excess = cases)
    assert list(shown.columns) == ["worker", "cases", "over_target"]
    title = fig.workers_title(raw, 25, SHOWN)
    f = fig.presented_workers_figure(shown, title, SHOWN)
    assert_twin(f)
    text = f.to_json()
    for name in ("Ann", "Bob", "Cat", "Dan", "Eve", "Team T1", "Team T2"):
        assert name not in text
    bars = f.data[0]
    assert list(bars.x) == [28, 25, 20, 14, None]  # the hidden count is not drawn at its size
    assert list(bars.customdata) == ["28", "25", "20", "14", "<5"]
    marks = next(tr for tr in f.data if getattr(tr, "mode", None) == "text")
    assert list(marks.text) == ["<5"] and list(marks.x) == [0]
    assert all(tr.name != "FTE target (25 × FTE)" for tr in f.data)  # a target is 25 x FTE


def test_regression_title_never_prints_a_hidden_count_beside_the_tile():
    """Leak: "1 of 8 workers are over ..." beside a tile "<5 of 8"."""
    load = pd.DataFrame([_worker(f"W{i}", f"N{i}", 1.0, cin=30 if i == 0 else 3) for i in range(8)])
    table = fig.worker_table(load)
    assert fig.workers_title(table, 25).startswith("1 of 8 workers is over")
    assert fig.workers_title(table, 25, SHOWN).startswith("<5 of 8 workers are over")
    assert fig.distribution_title(load, 25, SHOWN).startswith("<5 of 8 workers carry")


def test_regression_complement_of_a_small_count_is_hidden_too():
    """45 of 46 over target says 1 is not: the numerator is hidden with the secondary mark."""
    assert SHOWN.of(45, 46) == "* of 46"
    assert SHOWN.of(20, 46) == "20 of 46"
    assert Disclosure().of(45, 46) == "45 of 46"


def test_distribution_hides_small_bins_and_the_next_smallest_when_the_total_is_shown(load):
    dist = fig.distribution_table(load)  # per FTE (right-closed bins): Dan 2.5 | Ann 20 | Eve 25 | Bob, Cat 28
    assert dist["workers"].tolist() == [1, 0, 0, 1, 1, 2]
    shown = fig.presented_distribution(dist, SHOWN)
    assert shown["workers"].tolist() == ["<5", "0", "0", "<5", "<5", "<5"]
    f = fig.distribution_figure(dist, "t", d=SHOWN)
    assert_twin(f)
    heights = [y for tr in f.data if tr.type == "bar" for y in tr.y]
    assert all(h is None or h == 0 for h in heights)  # nothing small drawn at its size (0 is 0)
    bigger = pd.concat([load] + [pd.DataFrame([_worker(f"X{i}", f"X{i}", 1.0, cin=24)]) for i in range(7)])
    d2 = fig.distribution_table(bigger)  # 20-25 bin: Eve + 7 = 8 workers
    assert d2["workers"].tolist() == [1, 0, 0, 1, 8, 2]
    assert fig.presented_distribution(d2, SHOWN)["workers"].tolist() == ["<5", "0", "0", "<5", "8", "<5"]
    one_hidden = pd.DataFrame(
        {"from": [0, 5], "to": [5, 10], "label": ["0–5", "5–10"], "workers": [3, 9], "over_standard": [False, False]}
    )
    # a total of 12 is printed in the title: 12 - 9 would give the 3 back, so the 9 is hidden too
    assert fig.presented_distribution(one_hidden, SHOWN)["workers"].tolist() == ["<5", "*"]


def test_no_workers_gives_an_explaining_empty_figure():
    t = fig.worker_table(
        pd.DataFrame(
            columns=[
                "worker_id",
                "worker_name",
                "team_id",
                "team_name",
                "role",
                "fte",
                "cases",
                *STATUSES,
                "target",
                "over_target",
            ]
        )
    )
    f = fig.workers_figure(t)
    assert_twin(f)
    assert f.layout.title.text.startswith("0 of 0 workers")
    assert "No workers in post" in f.layout.annotations[0].text


def test_workers_summary_names_the_top_worker(load):
    s = fig.workers_summary(fig.worker_table(load))
    assert s.startswith("Bar chart: 2 of 5 workers are over")
    assert "Cat with 28 children against a target of 25" in s


# --------------------------------------------------------------------------- distribution


def test_distribution_bins_are_right_closed_so_bins_from_the_standard_are_all_over(load):
    # Children per FTE: Ann 20, Bob 28, Cat 28, Dan 2.5, Eve 25.
    d = fig.distribution_table(load)
    assert d["workers"].sum() == 5
    row = d.set_index("label")["workers"]
    assert row["0–5"] == 1  # Dan 2.5
    assert row["15–20"] == 1  # Ann exactly 20
    assert row["20–25"] == 1  # Eve exactly 25: on the standard, not over
    assert row["25–30"] == 2  # Bob and Cat, 28 per FTE
    assert d.loc[d["from"] >= 25, "over_standard"].all() and not d.loc[d["from"] < 25, "over_standard"].any()


def test_distribution_figure_draws_the_standard_and_marks_over_bins(load):
    d = fig.distribution_table(load)
    title = fig.distribution_title(load)
    assert title == "2 of 5 workers carry more than 25 children per full-time equivalent"
    f = fig.distribution_figure(d, title)
    assert_twin(f)
    names = [tr.name for tr in f.data]
    assert names == ["At or under the standard", "▲ Over the standard"]
    over = f.data[1]
    assert over.marker.pattern.shape == "/"  # hatched, not only coloured
    assert list(over.y) == [2]
    vline = [s for s in f.layout.shapes if s.x0 == 25 and s.x1 == 25]
    assert vline and vline[0].line.dash == "dash"
    assert any("Standard: 25 per FTE" in (a.text or "") for a in f.layout.annotations)


def test_distribution_leaves_out_workers_without_fte(load):
    load.loc[0, "fte"] = 0
    d = fig.distribution_table(load)
    assert d["workers"].sum() == 4


# --------------------------------------------------------------------------- trend


@pytest.fixture
def trend():
    end = date(2023, 3, 31)
    dates = [end - timedelta(weeks=w) for w in range(3, -1, -1)]
    return pd.DataFrame(
        {
            "as_at": dates,
            "workers": [10, 10, 10, 8],
            "average_caseload": [20.0, 21.0, 22.5, 23.0],
            "over_target": [1, 2, 3, 4],
            "pct_over_target": [10.0, 20.0, 30.0, 50.0],
        }
    )


def test_trend_figure_has_two_series_and_the_standard(trend):
    finding = fig.trend_title(fig.trend_table(trend))
    assert finding == "Average caseload rose by 3.0 to 23.0; 50% of workers are now over target"
    f = fig.trend_figure(fig.trend_table(trend), finding)
    assert_twin(f)
    assert [tr.name for tr in f.data] == ["Average caseload", "% over target"]
    assert list(f.data[0].y) == [20.0, 21.0, 22.5, 23.0]
    assert list(f.data[1].y) == [10.0, 20.0, 30.0, 50.0]
    assert f.data[1].line.dash == "dot"  # the two series differ by more than colour
    assert unwrapped(f.layout.title.text) == fig.TREND_TITLE
    assert unwrapped(f.layout.title.subtitle.text) == finding
    hline = [s for s in f.layout.shapes if s.y0 == 25 and s.y1 == 25]
    assert hline, "the 25-per-FTE standard is drawn"


def test_trend_table_is_what_the_chart_draws(trend):
    t = fig.trend_table(trend)
    assert list(t.columns) == ["as_at", "workers", "average_caseload", "over_target", "pct_over_target"]
    assert t["average_caseload"].tolist() == [20.0, 21.0, 22.5, 23.0]


def test_trend_without_workers_is_empty_with_message():
    empty = pd.DataFrame(
        {
            "as_at": [date(2023, 3, 31)],
            "workers": [0],
            "average_caseload": [float("nan")],
            "over_target": [0],
            "pct_over_target": [float("nan")],
        }
    )
    table = fig.trend_table(empty)
    f = fig.trend_figure(table, fig.trend_title(table))
    assert_twin(f)
    assert f.layout.annotations[0].text == "No workers in post in the period"


def test_regression_trend_csv_keeps_no_small_worker_counts(trend):
    """Leak: the trend CSV kept worker counts of 1-3 in presentation mode."""
    small = trend.assign(workers=[3, 10, 10, 8], over_target=[1, 2, 5, 4])
    shown = fig.trend_table(small, SHOWN)
    assert shown["workers"].tolist() == ["<5", "10", "10", "8"]
    assert shown["over_target"].tolist() == ["<5", "<5", "5", "<5"]
    # a share is hidden with its part (1 of 3, 2 of 10, 4 of 8) and the average of 3 workers too
    assert shown["pct_over_target"].tolist() == ["<5", "<5", 30.0, "<5"]
    assert shown["average_caseload"].tolist() == ["<5", 21.0, 22.5, 23.0]
    f = fig.trend_figure(shown, fig.trend_title(shown))
    assert_twin(f)
    assert pd.isna(list(f.data[0].y)[0]) and [None if pd.isna(v) else v for v in f.data[1].y] == [
        None,
        None,
        30.0,
        None,
    ]
    assert fig.trend_title(shown) == "Average caseload rose by 2.0 to 23.0"


# --------------------------------------------------------------------------- unallocated


@pytest.fixture
def children():
    return pd.DataFrame(
        {
            "child_id": ["C1", "C2", "C3", "C4", "C5", "C6"],
            "team_id": ["T1", "T1", "T2", None, "T1", "T2"],
            "status": ["cin", "cin", "cp", "assessment", "cin", "cin"],
            "days_unallocated": [3, 40, 12, 0, 100, 7],
        }
    )


def test_unallocated_rows_are_longest_waiting_first_with_team_names(children):
    rows = fig.unallocated_rows(children, {"T1": "North", "T2": "South"})
    assert rows["child_id"].tolist() == ["C5", "C2", "C3", "C6", "C1", "C4"]
    assert rows["team"].tolist()[:2] == ["North", "North"]
    assert rows.loc[rows["child_id"] == "C4", "team"].item() == "No team recorded"
    assert rows["status"].tolist()[0] == "CIN"


def test_unallocated_by_status_suppresses_in_presentation_mode(children):
    plain = fig.unallocated_by_status(children)
    assert dict(zip(plain["status"], plain["children"], strict=False)) == {"CP": 1, "CIN": 4, "Assessment": 1}
    shown = fig.unallocated_by_status(children, SHOWN)
    assert dict(zip(shown["status"], shown["children"], strict=False)) == {"CP": "<5", "CIN": "<5", "Assessment": "<5"}
    one_small = pd.DataFrame(
        {
            "child_id": [f"C{i}" for i in range(12)],
            "team_id": ["T1"] * 12,
            "status": ["cin"] * 9 + ["cp"] * 3,
            "days_unallocated": [1] * 12,
        }
    )
    # the total (12) is on the tile: CIN 9 would give CP's 3 back, so it is hidden too
    assert fig.unallocated_by_status(one_small, SHOWN)["children"].tolist() == ["<5", "*"]


def test_guarded_turns_failures_into_a_message():
    from dashboard.components import GENERIC_ERROR, guarded
    from data_layer import DatabaseError

    @guarded()
    def down(_):
        raise DatabaseError("The database could not answer (OperationalError: gone)")

    @guarded(n_outputs=3, error_index=1)
    def bug(_):
        raise KeyError("C123")  # a value that must not reach the page or the log

    alert = down(None)
    assert "page-error" in alert.className and "OperationalError: gone" in str(alert.children)
    out = bug(None)
    assert out[0] is out[2] and "C123" not in str(out[1].children) and GENERIC_ERROR in str(out[1].children)


def test_every_figure_kind_carries_the_dashboard_template():
    """Plain and subplot figures both get the colour-blind-safe ``csc`` template."""
    from plotly.subplots import make_subplots

    from dashboard.figures.common import base_figure
    from dashboard.theme import SAFE

    for made in (base_figure("t"), make_subplots(rows=2, cols=1)):
        assert list(made.layout.template.layout.colorway) == list(SAFE)


def test_a_region_draws_only_the_workers_furthest_over_target():
    """120 workers: 80 bars, the most over target first, and the title says all 120 were counted."""
    import pandas as pd

    from dashboard.figures.caseloads import worker_table, workers_figure

    df = pd.DataFrame(
        {
            "worker_id": [f"W{i:03d}" for i in range(120)],
            "worker_name": [f"N{i:03d}" for i in range(120)],
            "team_id": "T1",
            "team_name": "Team",
            "role": "SW",
            "fte": 1.0,
            "cases": list(range(120)),
            "cin": list(range(120)),
            "cp": 0,
            "cla": 0,
            "care_leaver": 0,
            "assessment": 0,
            "target": 25.0,
        }
    )
    df["over_target"] = df["cases"] > 25
    fig = workers_figure(worker_table(df), per_fte=25, max_bars=80)
    assert_twin(fig)
    bars = fig.data[0]
    assert len(bars.y) == 80 and bars.y[0] == "N119" and bars.y[-1] == "N040"
    title = unwrapped(fig.layout.title.text)
    assert title.startswith("94 of 120 workers are over") and "80 furthest" in title
