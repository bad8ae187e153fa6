"""The JARP page's sections (``dashboard.sections.jarp``) without a Dash app: normal mode and presentation mode.

Normal mode on the hand-worked panel of ``tests.test_jarp`` (as at Wednesday 8 March 2023, next
panel Tuesday 14 March). Presentation mode on the same panel, on the small demo authority (many
counts under 5) and on frames built to hit each disclosure rule; each leak the issue lists that
concerns this page is a named regression test (``test_regression_*``).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from dashboard.disclosure import Disclosure, is_mark
from dashboard.figures import jarp as fig
from dashboard.figures.common import unwrapped
from dashboard.sections import jarp as sections
from dashboard.sections.base import Chart, Table, View
from data_layer import Filters, date_range, team_options
from data_layer.metrics.jarp_scoring import rules_for
from tests.disclosure_walk import figure_texts, leaks
from tests.fixtures import FixtureDB
from tests.test_jarp import ROWS, D

SHOWN = Disclosure(threshold=5, active=True)
#: The agenda tile's word on the Overview's JARP queue, when nobody is booked for a later panel.
ALL_ON_NEXT = " All 10 referrals not yet decided (the Overview's JARP queue) are on the next panel's agenda."


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return FixtureDB("sqlite", tmp_path_factory.mktemp("jarp-sections")).load(ROWS).connect()


def _view(as_at=D, presentation=False, teams=()) -> View:
    return View.make(Filters(as_at, teams=tuple(teams)), presentation=presentation)


def _items(secs) -> dict:
    return {i.id: i for s in secs for i in s.items if hasattr(i, "id")}


def _drawn_counts(chart: Chart) -> list[float]:
    """Every bar length a chart draws (the geometry the reader sees)."""
    return [v for t in chart.figure.data if t.type == "bar" for v in (t.y if t.y is not None else ()) if v is not None]


# --------------------------------------------------------------------------- normal mode, hand-worked


def test_normal_mode_hand_worked(db):
    secs = sections.body(db, _view())
    assert [s.id for s in secs] == [
        "jarp-headline",
        "jarp-agenda-section",
        "jarp-queue-section",
        "jarp-responses-section",
        "jarp-reviews-section",
        "jarp-method-section",  # "How this is worked out"
    ]
    items = _items(secs)
    agenda = items["jarp-tile-agenda"]
    assert agenda.label == "Next panel: Tuesday 14 March 2023"
    assert agenda.value == "10 referrals" and agenda.detail == "P1 3, P2 2, P3 4; below threshold 1." + ALL_ON_NEXT
    carried = items["jarp-tile-carried"]  # Q1 carried once, Q7 twice
    assert (carried.value, carried.detail, carried.rag) == ("2", "1 carried over more than once.", "red")
    reviews = items["jarp-tile-reviews"]  # V3 overdue; V1, V4, V5 due within 7 days
    assert (reviews.value, reviews.detail, reviews.rag) == ("1", "3 due in the next 7 days.", "red")
    unknown = items["jarp-tile-unknown"]
    assert unknown.value == "1" and "'made_up_code'" in unknown.detail
    assert items["jarp-tile-p1"].value == "33% on time"  # R1 on time; R2, R11 late; R12 pending
    assert items["jarp-tile-p1"].detail.startswith("1 on time, 2 late, 1 not yet due.")

    chart = items["jarp-agenda"]
    assert chart.title == "10 referrals for the panel on Tue 14 Mar 2023, 3 of them priority 1"
    assert chart.finding == "By priority: P1 urgent: 3; P2: 2; P3: 4; Below threshold: 1"
    assert sum(_drawn_counts(chart)) == 10 and chart.empty is None
    assert chart.table[chart.table.score == 8].set_index("priority").referrals.to_dict() == {"P2": 2}
    assert "carried_over" in chart.table  # normal mode: the carried-over count per bar
    assert items["jarp-queue-trend"].title == (
        "10 referrals waiting on 08 Mar 2023; 1 waiting longer than the panel timetable"
    )
    assert items["jarp-response-times"].title == (
        "50% of family-support responses met their priority's target in the 12 months"
    )
    assert items["jarp-reviews"].title == "1 progress review overdue, 3 due in the next 7 days"
    assert items["jarp-reviews"].finding == "The longest overdue is 7 days past its due date"

    grid = items["jarp-agenda-grid"]
    assert isinstance(grid, Table) and grid.child_level
    assert list(grid.rows.referral_id) == ["Q12", "Q1", "Q4", "Q7", "Q3", "Q10", "Q2", "Q11", "Q6"]
    assert list(items["jarp-below-grid"].rows.referral_id) == ["Q5"]
    assert "check the threshold" in items["jarp-below-prompt"].text.lower()
    assert items["jarp-carried-grid"].title == "Carried over more than once (1)"
    assert list(items["jarp-carried-grid"].rows.referral_id) == ["Q7"]
    assert len(items["jarp-reviews-grid"].rows) == 4
    reviews = items["jarp-reviews-grid"]
    shown = [c["field"] for c in reviews.columns if not c.get("hide")]
    assert "due" in shown and "days_to_due" not in shown  # the grid says "7 days overdue", not "-7"
    assert list(reviews.csv_table.columns[:4]) == ["status", "review_due", "due", "days_to_due"]  # CSV: both
    assert reviews.csv_table.due.iloc[0] == f"{-reviews.csv_table.days_to_due.iloc[0]} days overdue"
    assert "jarp-later-grid" not in items  # nobody is booked for a later panel
    for chart in (i for i in items.values() if isinstance(i, Chart)):
        assert chart.summary and chart.finding and chart.note and chart.standard, chart.id
        assert unwrapped(chart.figure.layout.title.text) == chart.title, chart.id


def test_every_backend_gives_the_same_headline(make_db):
    items = _items(sections.body(make_db(ROWS), _view()))
    assert [items[k].value for k in ("jarp-tile-agenda", "jarp-tile-carried", "jarp-tile-reviews")] == [
        "10 referrals",
        "2",
        "1",
    ]


def test_team_filter(db):
    items = _items(sections.body(db, _view(teams=("T2",))))  # Q5 and Q7 referred by the Assessment team
    assert items["jarp-tile-agenda"].value == "2 referrals"
    assert items["jarp-tile-agenda"].detail == (
        "P1 0, P2 1, P3 0; below threshold 1. All 2 referrals not yet decided (the Overview's JARP queue) are on "
        "the next panel's agenda."
    )


def test_nothing_to_show_says_why(db):
    """Before any referral: every chart is empty and says why, in both modes, and nothing fails."""
    for presentation in (False, True):
        items = _items(sections.body(db, _view(date(2019, 1, 1), presentation)))
        for chart in (i for i in items.values() if isinstance(i, Chart)):
            assert chart.empty and chart.finding == chart.empty, chart.id
            assert not chart.figure.data and chart.figure.layout.annotations[0].text == chart.empty, chart.id
        assert items["jarp-tile-agenda"].value == "0 referrals"


# --------------------------------------------------------------------------- presentation mode, hand-worked


def test_presentation_marks_every_small_count(db):
    items = _items(sections.body(db, _view(presentation=True)))
    assert items["jarp-tile-agenda"].value == "10 referrals"
    assert items["jarp-tile-agenda"].detail == "P1 <5, P2 <5, P3 <5; below threshold <5." + ALL_ON_NEXT
    assert (items["jarp-tile-carried"].value, items["jarp-tile-carried"].detail) == (
        "<5",
        "<5 carried over more than once.",
    )
    assert (items["jarp-tile-reviews"].value, items["jarp-tile-reviews"].detail) == ("<5", "<5 due in the next 7 days.")
    assert items["jarp-tile-unknown"].value == "<5"
    assert items["jarp-agenda"].title == "10 referrals for the panel on Tue 14 Mar 2023, <5 of them priority 1"
    assert items["jarp-reviews"].title == "<5 progress reviews overdue, <5 due in the next 7 days"
    assert items["jarp-carried-grid"].title == "Carried over more than once (<5)"
    assert "jarp-below-prompt" not in items  # a prompt about a list presentation mode does not send


def test_presentation_child_lists_are_not_sent(db):
    """Child-level lists (each referral's reasons, ids, teams) carry no rows in presentation mode."""
    items = _items(sections.body(db, _view(presentation=True)))
    for grid in ("jarp-agenda-grid", "jarp-below-grid", "jarp-carried-grid", "jarp-reviews-grid"):
        assert items[grid].child_level and items[grid].rows.empty, grid


def test_presentation_csv_is_the_displayed_values(db):
    items = _items(sections.body(db, _view(presentation=True)))
    for chart in (i for i in items.values() if isinstance(i, Chart)):
        for col in chart.table.columns:
            for v in chart.table[col]:
                if (
                    isinstance(v, (int, float))
                    and not isinstance(v, bool)
                    and col not in ("days", "score", "days_to_due")
                ):
                    assert not 0 < v < 5, (chart.id, col, v)
    assert list(items["jarp-response-trend"].table.columns) == ["month", "priority", "pct_on_time"]
    assert "carried_over" not in items["jarp-agenda"].table


def test_presentation_draws_no_hidden_count(db, small_demo):
    """Geometry: no bar stands at 1-4, and no hover or customdata carries one."""
    _, latest = date_range(small_demo)
    views = [
        (db, _view(presentation=True)),
        (small_demo, _view(latest, True)),
        (small_demo, _view(latest - timedelta(days=120), True)),
    ]
    for source, view in views:
        for chart in (i for i in _items(sections.body(source, view)).values() if isinstance(i, Chart)):
            assert not [v for v in _drawn_counts(chart) if 0 < v < 5], chart.id
            for t in chart.figure.data:
                for c in t.customdata if t.customdata is not None else ():
                    cells = [c] if isinstance(c, str) else list(c)
                    assert not [x for x in map(str, cells) if x in ("1", "2", "3", "4")], chart.id
            for where, text in figure_texts(chart.figure):  # "Referrals: 3<br>", "Reviews: 2<extra>"
                assert not re.search(r": [1-4](<br>|<extra>|$)", text), (chart.id, where, text)


def test_presentation_leak_walk(db, small_demo):
    """The generic walk (tests.disclosure_walk) on the panel and on the small authority, several views."""
    _, latest = date_range(small_demo)
    teams = team_options(small_demo)["team_id"].tolist()
    views = [(db, _view(presentation=True)), (db, _view(teams=("T2",), presentation=True))]
    views += [
        (small_demo, _view(as_at, True, team))
        for as_at in (latest, latest - timedelta(days=60))
        for team in [(), *[(t,) for t in teams]]
    ]
    found = []
    for source, view in views:
        found += [f"{view.filters}: {x}" for x in leaks(sections.body(source, view), view.disclosure)]
    assert not found, "\n".join(found[:20])


# --------------------------------------------------------------------------- named regressions (issue 12, "Why")


def _trend(*rows) -> pd.DataFrame:
    """A ``response_trend`` frame: (month, priority, judged, on time)."""
    df = pd.DataFrame(rows, columns=["month", "priority", "judged", "on_time"])
    df["pct_on_time"] = 100.0 * df["on_time"] / df["judged"]
    return df


def test_regression_pack_p29_one_month_is_not_from_x_to_x():
    """Pack p. 29: "P2: from 100% in June 2022 to 100% in June 2022" when one month was left to show."""
    table = fig.response_trend_table(
        _trend(
            (date(2022, 6, 1), "P2", 6, 6),
            (date(2022, 7, 1), "P2", 7, 4),
            (date(2022, 6, 1), "P1", 6, 4),
            (date(2022, 8, 1), "P3", 10, 5),
            (date(2022, 9, 1), "P3", 12, 6),
        )
    )
    facts = fig.response_trend_facts(table, SHOWN)
    assert "P2: 100% in June 2022, the only month that can be shown" in facts
    assert "P1 urgent: no month can be shown" in facts
    assert "P3: from 50% in August 2022 to 50% in September 2022" in facts
    assert not [f for f in facts if re.search(r"from (\d+%) in (\w+ \d{4}) to \1 in \2", f)]
    normal = fig.response_trend_facts(fig.response_trend_table(_trend((date(2022, 6, 1), "P2", 6, 6))))
    assert normal == ["P2: 100% in June 2022, the only month with judged responses"]


def test_regression_pack_p29_empty_chart_says_why(small_demo):
    """An empty chart says why it is empty (``Chart.empty``) instead of stating a finding."""
    _, latest = date_range(small_demo)
    chart = _items(sections.body(small_demo, _view(latest, True)))["jarp-response-trend"]
    assert chart.empty and "none is shown in presentation mode" in chart.empty
    assert chart.finding == chart.empty and chart.empty in chart.summary
    assert not chart.figure.data and chart.figure.layout.annotations[0].text == chart.empty
    assert set(chart.table["pct_on_time"]) == {"<5"}
    # The same data in normal mode draws its lines.
    normal = _items(sections.body(small_demo, _view(latest)))["jarp-response-trend"]
    assert normal.empty is None and normal.figure.data and normal.finding.startswith("P1 urgent: from")


def test_regression_share_beside_a_hidden_count():
    """Hover "67% (<5 of 6) on time; late <5": a share is hidden with its on-time, late or judged count."""
    table = fig.response_trend_table(
        _trend(
            (date(2022, 6, 1), "P1", 6, 4),
            (date(2022, 7, 1), "P1", 46, 45),
            (date(2022, 8, 1), "P1", 10, 5),
            (date(2022, 9, 1), "P1", 7, 7),
        )
    )
    shown = fig.response_trend_shown(table, SHOWN)
    assert list(shown.pct_on_time) == ["<5", "<5", 50, 100]  # 4 on time; 1 late; 5 and 5; 7 and none late
    f = fig.response_trend_figure(table, SHOWN)
    assert [list(t.y) for t in f.data] == [[None, None, 50.0, 100.0]]
    assert all("customdata" not in t.hovertemplate for t in f.data)  # no counts beside a share
    summary = pd.DataFrame([dict(priority="P1", decided=46, on_time=45, late=1, pending=0, pct_on_time=97.8)])
    rules = rules_for(None)
    tile = fig.response_tiles(summary, rules, SHOWN)[0]
    assert tile["value"] == "<5" and "%" not in tile["detail"] and "<5 late" in tile["detail"]
    assert fig.response_title(summary, SHOWN).startswith("Family-support responses")
    assert "share on time not shown" in fig.response_facts(summary, rules, SHOWN)[0]


def _queue(*groups) -> pd.DataFrame:
    """A queue frame of ``(priority, score, n, carried_over)`` groups, all on the next panel."""
    rows = [
        dict(priority=p, score=s, carried_over=c, on_next_panel=True, waiting_days=3)
        for p, s, n, c in groups
        for _ in range(n)
    ]
    return pd.DataFrame(rows)


def test_regression_priority_split_beside_its_total():
    """ "19 referrals: P1 <5, P2 6, P3 11" gives P1 = 2: a second priority is hidden beside a hidden one."""
    queue = _queue(("P1", 12, 2, 0), ("P2", 8, 6, 0), ("P3", 3, 5, 0), ("P3", 2, 6, 0))
    rules = rules_for(None)
    view = _view(presentation=True)
    texts = fig.priority_texts(fig.next_panel_counts(queue), SHOWN)
    assert texts == {"total": "19", "P1": "<5", "P2": "*", "P3": "11", "below_threshold": "0"}
    tile = sections.headline(
        queue, pd.DataFrame(columns=["status"]), pd.DataFrame(), date(2023, 3, 14), rules, view
    ).items[0]
    assert tile.detail == "P1 <5, P2 *, P3 11; below threshold 0." + ALL_ON_NEXT.replace("10", "19")
    chart = sections.agenda_chart(queue, date(2023, 3, 14), rules, view)
    # P2's single bar would give its hidden count back (its bars add up to it): hidden too.
    assert {t.name: sorted(t.y) for t in chart.figure.data} == {"P3": [5.0, 6.0]}
    assert chart.table.to_dict("records") == [
        {"score": 3, "priority": "P3", "referrals": 5},
        {"score": 2, "priority": "P3", "referrals": 6},
    ]
    assert "P1 urgent: <5; P2: *; P3: 11" in chart.finding
    assert not leaks(
        [sections.headline(queue, pd.DataFrame(columns=["status"]), pd.DataFrame(), date(2023, 3, 14), rules, view)],
        SHOWN,
    )


def test_regression_later_panel_from_queue_minus_agenda():
    """The queue (trend's last week, Overview: 18, P2 8) less the next panel (16, P2 6) gives 2 booked later."""
    queue = pd.concat(
        [_queue(("P1", 12, 10, 0), ("P2", 8, 6, 0)), _queue(("P2", 8, 2, 0)).assign(on_next_panel=False)],
        ignore_index=True,
    )
    texts = fig.agenda_texts(queue, SHOWN)
    assert (texts["total"], texts["P1"], texts["P2"]) == ("*", "10", "*")  # P2 = total - 10: both hidden
    assert fig.agenda_texts(queue, Disclosure()) == {
        "total": "16",
        "P1": "10",
        "P2": "6",
        "P3": "0",
        "below_threshold": "0",
    }
    view = _view(presentation=True)
    tile = sections.headline(
        queue, pd.DataFrame(columns=["status"]), pd.DataFrame(), date(2023, 3, 14), rules_for(None), view
    ).items[0]
    assert tile.value == "* referrals" and "booked for a later panel" in tile.detail
    chart = sections.agenda_chart(queue, date(2023, 3, 14), rules_for(None), view)
    assert chart.title == "* referrals for the panel on Tue 14 Mar 2023, 10 of them priority 1"
    assert {t.name: list(t.y) for t in chart.figure.data} == {"P1 urgent": [10.0]}  # P2's bar would give it back
    # Nothing booked later: the two splits are the same and nothing more is hidden.
    assert fig.agenda_texts(_queue(("P1", 12, 10, 0), ("P2", 8, 6, 0)), SHOWN)["total"] == "16"


def test_regression_bars_add_up_to_a_shown_priority():
    """P2 = 9 shown, its bars 6 and 3: the 3 is hidden, and so is the 6 (9 - 6 = 3)."""
    queue = _queue(("P1", 12, 10, 0), ("P2", 8, 6, 0), ("P2", 7, 3, 0))
    chart = sections.agenda_chart(queue, date(2023, 3, 14), rules_for(None), _view(presentation=True))
    assert {t.name: list(t.y) for t in chart.figure.data} == {"P1 urgent": [10.0]}
    assert "P2: 9" in chart.finding


def test_regression_carried_once_from_the_carried_total():
    """ "7 carried over, 6 more than once" says 1 was carried once: the repeat count is hidden too."""
    queue = _queue(("P1", 12, 1, 1), ("P1", 12, 6, 2))
    carried, repeat, _ = sections.carried_texts(queue, SHOWN)
    assert (carried, repeat) == ("7", "*")
    assert sections.carried_texts(queue, Disclosure())[:2] == ("7", "6")


def test_regression_review_bars_add_up_to_the_shown_status():
    """ "8 overdue" above bars of 6 and <5 gives the <5 back: both are hidden, and the longest overdue unsaid."""
    reviews = pd.DataFrame(
        {"status": ["overdue"] * 8 + ["due_soon"] * 5, "days_to_due": [-10] * 6 + [-3] * 2 + [2] * 5}
    )
    chart = sections.reviews_chart(reviews, rules_for(None), _view(presentation=True))
    assert chart.title == "8 progress reviews overdue, 5 due in the next 7 days"
    assert [(t.name, list(t.x), list(t.y)) for t in chart.figure.data] == [("Due within a week", [2], [5.0])]
    assert chart.table.to_dict("records") == [{"days_to_due": 2, "status": "due_soon", "reviews": 5}]
    assert "longest overdue" not in chart.finding + chart.summary
    assert fig.review_shown(fig.review_table(reviews), SHOWN).reviews.tolist() == ["*", "<5", 5]


def test_regression_past_timetable_complement():
    """ "10 waiting; 9 longer than the timetable" says 1 is within it: hidden as the complement."""
    week = date(2023, 3, 8)
    trend = pd.DataFrame(
        [
            dict(week=week, priority=p, referrals=10 if p == "P2" else 0, past_timetable=9 if p == "P2" else 0)
            for p in fig.PRIORITIES
        ]
    )
    chart = sections.queue_chart(trend, rules_for(None), _view(presentation=True))
    assert chart.title == "10 referrals waiting on 08 Mar 2023; * waiting longer than the panel timetable"
    assert chart.table.iloc[0].past_timetable == "*" and chart.table.iloc[0].P2 == 10
    line = [t for t in chart.figure.data if t.type == "scatter"][0]
    assert list(line.y) == [None] and list(line.customdata) == ["*"]


def test_regression_response_bars_add_up_to_the_tile():
    """P1 "8 on time" on its tile above bars within target of 2 and 6: the 6 is hidden with the 2."""
    table = pd.DataFrame(
        [
            dict(priority="P1", days=0, unit="calendar days", responses=2, within_target=True),
            dict(priority="P1", days=1, unit="calendar days", responses=6, within_target=True),
            dict(priority="P2", days=3, unit="working days", responses=9, within_target=True),
        ]
    )
    summary = pd.DataFrame(
        [
            dict(priority=p, decided=n, on_time=n, late=0, pending=0, pct_on_time=100.0)
            for p, n in (("P1", 8), ("P2", 9), ("P3", 0))
        ]
    )
    shown = fig.response_time_shown(table, summary, SHOWN)
    assert shown.responses.tolist() == ["<5", "*", 9]
    f = fig.response_figure(table, shown, "t", rules_for(None))
    assert [list(t.y) for t in f.data] == [[9.0]]


def test_regression_late_count_from_the_overall_share():
    """ "80% met their target" with 53 on time says 13 were late; P2's 10 late then gives P1's 3 away."""
    summary = pd.DataFrame(
        [
            dict(
                priority=p,
                decided=on + late,
                on_time=on,
                late=late,
                pending=0,
                pct_on_time=100.0 * on / (on + late) if on + late else float("nan"),
            )
            for p, on, late in (("P1", 10, 3), ("P2", 22, 10), ("P3", 21, 0))
        ]
    )
    rules = rules_for(None)
    assert fig.response_title(summary, SHOWN).startswith("80% of family-support responses")
    tiles = {t["priority"]: t for t in fig.response_tiles(summary, rules, SHOWN)}
    # The six counts add up to the 66 judged (on the Overview), each column to a total the 80% gives back.
    assert tiles["P1"]["detail"].startswith("* on time, <5 late") and tiles["P1"]["value"] == "<5"
    assert tiles["P2"]["detail"].startswith("22 on time, * late") and tiles["P2"]["value"] == "<5"
    assert tiles["P3"]["detail"].startswith("* on time, 0 late") and tiles["P3"]["value"] == "100% on time"
    # P2's bars over target add up to (at most) its hidden late count: one of them is hidden too.
    table = pd.DataFrame(
        [
            dict(priority="P2", days=d, unit="working days", responses=n, within_target=False)
            for d, n in ((6, 5), (7, 5))
        ]
    )
    assert fig.response_time_shown(table, summary, SHOWN).responses.tolist() == ["*", 5]
    assert fig.response_tiles(summary, rules)[1]["value"] == "69% on time"  # normal mode: exact


def test_regression_one_late_among_zeros():
    """One late response in the year, the others 0: "<5 late" beside "0 late, 0 late" and the Overview's
    "* of 54 judged" gives it back unless an on-time count is hidden too."""
    summary = pd.DataFrame(
        [
            dict(priority=p, decided=on + late, on_time=on, late=late, pending=0, pct_on_time=0.0)
            for p, on, late in (("P1", 10, 1), ("P2", 22, 0), ("P3", 21, 0))
        ]
    )
    counts = fig.response_counts(summary, SHOWN)
    assert [counts[p]["late"] for p in ("P1", "P2", "P3")] == ["<5", "0", "0"]
    assert sum(is_mark(counts[p]["on_time"]) for p in ("P1", "P2", "P3")) >= 1
    assert counts["P1"]["share"] is None


def test_no_suppression_formatter_left_in_the_page():
    """Every "<5" comes from dashboard.disclosure: the page's own formatters are gone."""
    root = Path(__file__).resolve().parents[1]
    for path in ("dashboard/pages/jarp.py", "dashboard/figures/jarp.py", "dashboard/sections/jarp.py"):
        text = (root / path).read_text()
        assert not re.search(r"\bsuppress(_counts)?\(|_count_text|presentable|\"<5\"|f\"<\{", text), path
    page = (root / "dashboard/pages/jarp.py").read_text()
    assert "data_layer" not in page and "figures" not in page  # layout and callbacks only


def test_the_agenda_tile_and_the_overview_say_why_their_counts_differ():
    """Demo, 31 Mar 2023: the Overview's queue 10, this page's next panel 8; 2 came in after the cut-off.
    Both print the same sentence (``dashboard.figures.jarp.queue_and_panel_text``)."""
    from dashboard.tiles import overview_tiles
    from data_layer import connect
    from data_layer.demo import ensure_demo

    demo = connect(f"sqlite:///{ensure_demo()}")
    view = _view(date(2023, 3, 31))
    agenda = _items(sections.body(demo, view))["jarp-tile-agenda"]
    (tile,) = overview_tiles(demo, view.filters, keys=("jarp_queue",))
    sentence = (
        "Of the 10 referrals not yet decided (the Overview's JARP queue), 8 are on the next panel's agenda "
        "(the JARP page's headline) and 2 came in after the cut-off, booked for a later panel."
    )
    assert agenda.value == "8 referrals" and tile.display == "10"
    assert agenda.detail.endswith(sentence) and tile.detail.endswith(sentence)
