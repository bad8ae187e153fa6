"""JARP figure and table builders: what they draw, their standards, accessibility text, disclosure."""

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.disclosure import Disclosure
from dashboard.figures import jarp as fig
from dashboard.figures.common import unwrapped
from data_layer import (
    Filters,
    jarp_queue,
    jarp_queue_trend,
    jarp_responses,
    jarp_reviews_due,
    response_summary,
    response_trend,
)
from data_layer.metrics.jarp_scoring import next_panel, rules_for
from tests.figure_json import assert_twin
from tests.fixtures import FixtureDB
from tests.test_jarp import ROWS, D

SHOWN = Disclosure(threshold=5, active=True)  # presentation mode


@pytest.fixture(scope="module")
def frames(tmp_path_factory):
    db = FixtureDB("sqlite", tmp_path_factory.mktemp("jarp")).load(ROWS).connect()
    f = Filters(D)
    responses = jarp_responses(db, f)
    return dict(
        rules=rules_for(db.standards),
        queue=jarp_queue(db, f),
        trend=jarp_queue_trend(db, f, 4),
        responses=responses,
        summary=response_summary(responses, rules_for(db.standards)),
        rtrend=response_trend(responses),
        reviews=jarp_reviews_due(db, f),
    )


def _hlines_and_vlines(figure: go.Figure):
    return [s for s in figure.layout.shapes if s.line and s.line.dash == "dash"]


def test_agenda_rows_split_and_order(frames):
    q = frames["queue"]
    nxt = fig.agenda_rows(q, "next")
    assert list(nxt.referral_id) == ["Q12", "Q1", "Q4", "Q7", "Q3", "Q10", "Q2", "Q11", "Q6"]
    assert list(nxt.order) == list(range(1, 10))
    assert list(fig.agenda_rows(q, "below").referral_id) == ["Q5"]
    assert fig.agenda_rows(q, "later").empty
    row = nxt.set_index("referral_id")
    assert row.loc["Q7", "carried"] == "↻ carried over 2×" and row.loc["Q3", "carried"] == ""
    assert "not counted (exclusive): substance_parent" in row.loc["Q1", "flags"]
    assert "unrecognised exception 'magic'" in row.loc["Q11", "flags"]
    assert row.loc["Q12", "priority"] == "P1 urgent"
    assert list(fig.carried_rows(q).referral_id) == ["Q7"]
    assert fig.agenda_rows(q.iloc[0:0]).columns.tolist() == fig.AGENDA_COLUMNS


def test_agenda_figure_draws_bands(frames):
    q, rules = frames["queue"], frames["rules"]
    table = fig.agenda_score_table(q)
    assert table[table.score == 8].set_index("priority").referrals.to_dict() == {"P2": 2}
    assert table[(table.score == 8)].carried_over.iloc[0] == 1
    title = fig.agenda_title(q, next_panel(D, rules))
    assert title == "10 referrals for the panel on Tue 14 Mar 2023, 3 of them priority 1"
    f = fig.agenda_figure(table, fig.agenda_shown(table), title, rules)
    assert_twin(f)
    assert unwrapped(f.layout.title.text) == title
    exception = "P1 urgent by a direct-referral exception (any score)"
    assert {t.name for t in f.data} == {"P1 urgent", exception, "P2", "P3", "Below threshold"}
    # The EPO referral scoring 0 is P1 left of the "P1 from 11" line: its own hatched series, and
    # its hover says why (the data layer's exception), not an unexplained P1 bar. 'magic' (not a
    # recognised exception) is named nowhere.
    assert table.set_index(["score", "priority"]).exceptions.to_dict()[(0, "P1")] == "epo"
    assert set(table.exceptions) == {"", "epo"}
    by_exception = next(t for t in f.data if t.name == exception)
    assert list(by_exception.x) == [0] and list(by_exception.y) == [1.0]
    assert by_exception.marker.pattern.shape == "x"
    assert "a direct-referral exception (%{customdata[2]}) makes a referral P1 whatever" in by_exception.hovertemplate
    assert list(by_exception.customdata[0]) == ["1", "0", "epo"]
    p1 = next(t for t in f.data if t.name == "P1 urgent")
    assert sorted(p1.x) == [11, 12] and not p1.marker.pattern.shape
    xs = sorted(s.x0 for s in _hlines_and_vlines(f))
    assert xs == [6.5, 10.5]  # P2 from 7 points, P1 from 11
    texts = fig.priority_texts(fig.next_panel_counts(q))
    assert texts == {"total": "10", "P1": "3", "P2": "2", "P3": "4", "below_threshold": "1"}
    summary = fig.agenda_summary(texts, title, rules)
    assert summary.startswith("Bar chart: 10 referrals") and "P1 urgent: 3" in summary
    assert sum(sum(t.y) for t in f.data) == len(q)  # every referral drawn in normal mode


def test_presentation_suppresses_small_counts(frames):
    q, rules = frames["queue"], frames["rules"]
    raw = fig.agenda_score_table(q)
    texts = fig.priority_texts(fig.next_panel_counts(q), SHOWN)
    assert texts == {"total": "10", "P1": "<5", "P2": "<5", "P3": "<5", "below_threshold": "<5"}
    table = fig.agenda_shown(raw, SHOWN, fig.hidden_priorities(texts))
    assert set(table.referrals) == {"<5"}
    assert "carried_over" not in table  # with the bar's count it gives the complement
    f = fig.agenda_figure(raw, table, "t", rules)
    assert_twin(f)
    # Geometry: a hidden count is never drawn at its size (the old chart drew the raw heights
    # under a "<5" hover), so with every bar hidden nothing is drawn.
    assert not f.data
    assert fig.drawn_rows(table, "referrals").empty
    assert fig.agenda_title(q, D, SHOWN).startswith("10 referrals")
    assert ", <5 of them priority 1" in fig.agenda_title(q, D, SHOWN)
    tiles = fig.response_tiles(frames["summary"], rules, SHOWN)
    assert "<5 on time" in tiles[0]["detail"]
    assert tiles[0]["value"] == "<5"  # 33% of 3 judged: the share is hidden with its counts


def test_queue_trend(frames):
    table = fig.queue_trend_table(frames["trend"])
    assert list(table.columns) == ["week", "P1", "P2", "P3", "below_threshold", "total", "past_timetable"]
    last = table.iloc[-1]
    assert (last.total, last.P1, last.past_timetable) == (10, 3, 1)
    title = fig.queue_trend_title(table)
    assert title == "10 referrals waiting on 08 Mar 2023; 1 waiting longer than the panel timetable"
    f = fig.queue_trend_figure(table, fig.queue_trend_shown(table), title, frames["rules"].max_wait_days)
    assert_twin(f)
    assert len(f.data) == 5 and any(s.y0 == 0 for s in _hlines_and_vlines(f))
    assert "Waiting over 11 days" in f.data[-1].name
    assert "Stacked bar chart" in fig.queue_trend_summary(table, title)
    shown = fig.queue_trend_shown(table, SHOWN)
    assert shown.iloc[-1].P1 == "<5" and shown.iloc[-1].total == 10 and shown.iloc[-1].past_timetable == "<5"
    assert fig.queue_trend_title(table, SHOWN) == (
        "10 referrals waiting on 08 Mar 2023; <5 waiting longer than the panel timetable"
    )
    f = fig.queue_trend_figure(table, shown, title, frames["rules"].max_wait_days)
    assert_twin(f)
    assert all(v is None or v == 0 or v >= 5 for t in f.data for v in t.y)


def test_response_times_against_targets(frames):
    rules = frames["rules"]
    table = fig.response_time_table(frames["responses"], rules)
    # Responded and judged: R1 (P1, 2 days), R2 (P1, 3), R3 (P2, 5 wd), R4 (P2, 6 wd), R5 (P3, 9), R10 (P3, 0).
    got = {(r.priority, r.days): (r.responses, r.within_target) for r in table.itertuples()}
    assert got == {
        ("P1", 2): (1, True),
        ("P1", 3): (1, False),
        ("P2", 5): (1, True),
        ("P2", 6): (1, False),
        ("P3", 0): (1, True),
        ("P3", 9): (1, True),
    }
    assert set(table[table.priority == "P1"].unit) == {"calendar days"}
    title = fig.response_title(frames["summary"])
    assert title == "50% of family-support responses met their priority's target in the 12 months"  # 4 of 8
    f = fig.response_figure(table, fig.response_time_shown(table, frames["summary"]), title, rules)
    assert_twin(f)
    targets = sorted(round(s.x0, 1) for s in _hlines_and_vlines(f))
    assert targets == [2.5, 5.5, 10.5]
    assert [a.text for a in f.layout.annotations][:3] == [
        "P1 urgent: target 48 hours",
        "P2: target 2-5 working days",
        "P3: target 3-10 working days",
    ]
    assert "P1 urgent (target 48 hours): 33% on time" in fig.response_summary_text(frames["summary"], title, rules)
    shown = fig.response_time_shown(table, frames["summary"], SHOWN)
    assert set(shown.responses) == {"<5"}
    hidden = fig.response_figure(table, shown, title, rules)
    assert_twin(hidden)
    assert not hidden.data  # nothing drawn at a hidden size
    assert fig.response_title(frames["summary"], SHOWN).startswith("Family-support responses")  # 4 of 8: hidden


def test_response_trend(frames):
    table = fig.response_trend_table(frames["rtrend"])
    f = fig.response_trend_figure(table)
    assert_twin(f)
    assert any(s.y0 == 100 for s in _hlines_and_vlines(f))
    assert {t.name for t in f.data} == {"P1 urgent", "P2", "P3"}
    shown = fig.response_trend_shown(table, SHOWN)
    assert set(shown.pct_on_time) == {"<5"} and list(shown.columns) == ["month", "priority", "pct_on_time"]
    assert "Standard: 100% on time" in fig.response_trend_summary(table)
    assert fig.response_trend_empty(table, SHOWN) and not fig.response_trend_figure(table, SHOWN).data


def test_reviews(frames):
    reviews = frames["reviews"]
    rows = fig.review_rows(reviews)
    assert list(rows.status) == ["Overdue", "Due within 7 days", "Due within 7 days", "Due within 7 days"]
    assert list(rows.due_basis) == [
        "recorded next review",
        "decision + 6 weeks",
        "decision + 6 weeks",
        "recorded next review",
    ]
    assert rows.due.iloc[0] == "7 days overdue" and rows.days_to_due.iloc[0] == -7  # the words and the number
    assert all(t.startswith("due ") for t in rows.due.iloc[1:])
    table = fig.review_table(reviews)
    assert table.to_dict("records")[0] == {"days_to_due": -7, "status": "overdue", "reviews": 1}
    title = fig.review_title(reviews)
    assert title == "1 progress review overdue, 3 due in the next 7 days"
    f = fig.review_figure(table, table, title, 7)
    assert_twin(f)
    band = [s for s in f.layout.shapes if s.type == "rect"]
    assert band and (band[0].x0, band[0].x1) == (-0.5, 7.5)
    assert "longest overdue is 7 days" in fig.review_summary(table, table, title, 7)
    shown = fig.review_shown(table, SHOWN)
    assert fig.review_title(reviews, SHOWN) == "<5 progress reviews overdue, <5 due in the next 7 days"
    assert not fig.review_figure(table, shown, title, 7).data
    assert "longest overdue" not in fig.review_summary(table, shown, title, 7)  # one child's wait


@pytest.mark.parametrize(
    "days, words",
    [
        (-318, "318 days overdue"),
        (-1, "1 day overdue"),
        (0, "due today"),
        (1, "due in 1 day"),
        (5, "due in 5 days"),
        (-1200, "1,200 days overdue"),
    ],
)
def test_due_text_says_overdue_or_due_in_words(days, words):
    assert fig.due_text(days) == words


def test_empty_frames_say_so(frames):
    rules = frames["rules"]
    empty_q = frames["queue"].iloc[0:0]
    empty_table = fig.agenda_score_table(empty_q)
    f = fig.agenda_figure(empty_table, empty_table, fig.agenda_title(empty_q, D), rules)
    assert_twin(f)
    assert "No referrals waiting" in f.layout.annotations[0].text
    assert fig.response_time_table(frames["responses"].iloc[0:0], rules).empty
    none = pd.DataFrame(columns=["priority"])
    assert "No responses" in fig.response_figure(none, none, "t", rules).layout.annotations[0].text
    assert fig.review_rows(frames["reviews"].iloc[0:0]).empty
    assert fig.review_title(frames["reviews"].iloc[0:0]) == "0 progress reviews overdue, 0 due in the next 7 days"
    assert fig.queue_trend_table(pd.DataFrame(columns=["week", "priority", "referrals", "past_timetable"])).empty
    assert fig.response_trend_figure(
        fig.response_trend_table(response_trend(frames["responses"].iloc[0:0]))
    ).layout.annotations


def test_dates_are_dates(frames):
    assert all(isinstance(d, date) for d in frames["queue"].panel_date)
