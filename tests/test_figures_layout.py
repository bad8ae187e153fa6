"""Chart layout fixes of issue 18 (Charts, Phone): asserted on the figure dicts.

Legends under the plot on every chart, titles wrapped for a phone, a minimum height, the zero
standard drawn under its series, round ticks on both monthly axes, the team-pairs cap with its
"other pairs" line, pending transfers drawn solid beside completed ones, and drift flags worded by
kind (durations as days open, reviews and visits as overdue).
"""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from plotly.subplots import make_subplots

from dashboard.figures import common, plans, transfers
from dashboard.figures.common import LEGEND_BELOW, MIN_HEIGHT, TITLE_CHARS, nice_step, wrap_title
from dashboard.figures.plain import PlainFigure, plain_subplots
from dashboard.figures.transfers import Shown
from dashboard.theme import STANDARD_COLOUR
from data_layer.standards import Standards
from tests.figure_json import assert_twin
from tests.test_chart_axes_and_toolbar import _charts
from tests.test_figures_transfers import ROWS, P, W
from tests.test_figures_transfers import D as AS_AT


@pytest.fixture(scope="module")
def charts(small_demo):
    return _charts(small_demo)


def _legend(figure) -> dict:
    """The legend a figure draws: its own settings over the template's."""
    full = figure.to_dict()["layout"]
    template = (full.get("template") or {}).get("layout", {}).get("legend", {})
    return {**template, **full.get("legend", {})}


def test_every_chart_puts_its_legend_under_the_plot_and_wraps_its_title(charts):
    assert len(charts) >= 15
    for chart in charts:
        legend = _legend(chart.figure)
        assert legend.get("orientation") == "h", chart.id
        below = (legend.get("yref"), legend.get("y"), legend.get("yanchor")) == ("container", 0, "bottom")
        assert below, (chart.id, legend)
        title = chart.figure.layout.title.text or ""
        assert all(len(line) <= TITLE_CHARS for line in title.split("<br>")), (chart.id, title)
        height = chart.figure.layout.height
        assert height is None or height >= MIN_HEIGHT or "No " in str(chart.figure.layout.annotations), chart.id


def test_the_template_and_the_shared_setting_agree():
    assert LEGEND_BELOW["yref"] == "container" and LEGEND_BELOW["y"] == 0 and LEGEND_BELOW["yanchor"] == "bottom"


def test_wrap_title_breaks_between_words_only():
    text = "Open CIN plans past 12 months: 45 on the date, up from 41 a year earlier"
    assert wrap_title(text) == "Open CIN plans past 12 months: 45 on the<br>date, up from 41 a year earlier"
    assert wrap_title("Short title") == "Short title"


def test_plans_trend_draws_the_zero_standard_under_a_series_at_zero(charts):
    (trend,) = [c for c in charts if c.id == "plans-trend"]
    (zero,) = [s for s in trend.figure.layout.shapes if s.y0 == 0 and s.y1 == 0]
    assert zero.layer == "below"
    assert any(t.name.startswith("CP open over") for t in trend.figure.data)


@pytest.mark.parametrize(("top", "step"), [(0.5, 1), (3, 1), (7, 2), (82, 20), (101, 50), (460, 100)])
def test_nice_step_is_one_two_or_five_times_a_power_of_ten(top, step):
    assert nice_step(top, 5) == step


def test_monthly_chart_ticks_both_axes_on_the_same_round_heights():
    table = transfers.monthly_table(ROWS, W, AS_AT)  # at most 4 requests a month
    f = transfers.monthly_figure(table, transfers.monthly_finding(table))
    assert_twin(f)
    left, right = f.layout.yaxis, f.layout.yaxis2
    assert (left.tickmode, left.dtick, tuple(left.range)) == ("linear", 20, (0, 110))
    # 4 requests * 1.15 over 5 steps: a step of 1, ticks 0..5 on the left's 0..100% gridlines.
    assert (right.tickmode, right.dtick, right.tick0) == ("linear", 1, 0)
    assert right.range[1] / right.dtick == left.range[1] / left.dtick
    assert right.showgrid is False


def _pairs(n: int) -> pd.DataFrame:
    """``n`` pairs, pair k with k + 1 completed transfers, k of them with notice, 1 with a joint visit."""
    rows = []
    for k in range(n):
        c = k + 1
        rows.append(
            dict(pair=f"T{k} → U{k}", completed=c, notice_met=k, notice_pct=100 * k / c, joint_met=1, joint_pct=100 / c)
        )
    return pd.DataFrame(rows)


def test_pairs_chart_draws_the_25_busiest_pairs_and_one_other_line():
    table = _pairs(30)
    f = transfers.pair_standards_figure(Shown(table), "t")
    assert_twin(f)
    notice = f.data[0]
    assert len(notice.y) == 26 and notice.y[-1] == "Other 5 pairs (in the CSV)"
    assert set(notice.y[:-1]) == {f"T{k} → U{k}" for k in range(5, 30)}  # the 5 smallest are pooled
    # Other: pairs 0-4, completed 1+2+3+4+5 = 15, notice 0+1+2+3+4 = 10, joint 5.
    assert notice.x[-1] == pytest.approx(100 * 10 / 15) and notice.text[-1] == "67% (10 of 15)"
    assert f.data[1].text[-1] == "33% (5 of 15)"
    assert "The 25 pairs with most completed transfers of 30" in f.layout.title.subtitle.text
    # Labels inside the long bars (never across the 100% line), outside the short ones.
    assert [p for v, p in zip(notice.x, notice.textposition, strict=False) if v >= 55] == ["inside"] * sum(
        v >= 55 for v in notice.x
    )
    assert f.layout.xaxis.range[1] > 100
    assert len(transfers.pair_standards_csv(Shown(table))) == 30  # the CSV keeps every pair


def test_pairs_other_line_shows_no_numbers_in_presentation_mode():
    table = _pairs(30)
    f = transfers.pair_standards_figure(transfers.pair_standards_shown(table, P), "t")
    assert_twin(f)
    assert f.data[0].y[-1] == "Other 5 pairs (in the CSV)"
    assert f.data[0].x[-1] is None and f.data[0].text[-1] == "not drawn in presentation mode"


def test_a_few_pairs_are_all_drawn_with_no_subtitle():
    f = transfers.pair_standards_figure(Shown(_pairs(3)), "t")
    assert_twin(f)
    assert list(f.data[0].y) == ["T0 → U0", "T1 → U1", "T2 → U2"]
    # 0% and 50% keep their labels outside (0 of 1, 1 of 2), 67% (2 of 3) holds its label inside.
    assert list(f.data[0].textposition) == ["outside", "outside", "inside"]
    assert list(f.data[0].text) == ["0% (0 of 1)", "50% (1 of 2)", "67% (2 of 3)"]
    assert not f.layout.title.subtitle.text


def test_pending_transfers_are_solid_bars_beside_completed_ones_with_their_counts():
    table = transfers.working_days_table(ROWS)
    f = transfers.working_days_figure(transfers.working_days_shown(table), "t")
    assert_twin(f)
    completed, pending = f.data
    assert f.layout.barmode == "group"
    assert not pending.marker.pattern.shape and pending.marker.color != completed.marker.color
    assert pending.name.startswith("Pending")
    drawn = [(x, t) for x, y, t in zip(pending.x, pending.y, pending.text, strict=False) if y]
    assert drawn and all(
        t == f"{int(y)} pending" for (_, t), y in zip(drawn, [y for y in pending.y if y], strict=False)
    )
    assert all(t == "" for t in completed.text)


S = Standards()


@pytest.mark.parametrize(
    ("flag", "days_over", "start", "text"),
    [
        # 24 Apr 2020 + 9 months = 24 Jan 2021: 275 days, so 796 over is 1,071 days open.
        ("cin_9_month_review", 796, date(2020, 4, 24), "Open 1,071 days, 796 days past 9 months"),
        # + 12 months = 366 days (2020 is a leap year).
        ("cin_over_12_months", 1, date(2020, 1, 1), "Open 367 days, 1 day past 12 months"),
        ("step_down_over_12_weeks", 5, date(2023, 1, 1), "Open 89 days, 5 days past 12 weeks"),
        ("cp_over_2_years", 10, date(2021, 3, 1), "Open 740 days, 10 days past 2 years"),
        ("cin_review_overdue", 796, date(2020, 4, 24), "796 days overdue"),
        ("cp_visit_overdue", 1, date(2023, 3, 1), "1 day overdue"),
    ],
)
def test_duration_flags_read_as_days_open_and_reviews_as_overdue(flag, days_over, start, text):
    assert plans.over_text(flag, days_over, start, S) == text


def test_flag_wording_follows_the_standards_in_force():
    six = dataclasses.replace(S, cin_sm_review_months=6)
    assert plans.over_text("cin_9_month_review", 3, date(2023, 1, 1), six) == "Open 184 days, 3 days past 6 months"


def test_drift_list_shows_how_far_over_in_words():
    drift = pd.DataFrame(
        {
            "child_id": ["C1", "C2"],
            "plan_id": ["P1", "P2"],
            "plan_type": ["cin", "cin"],
            "team_id": ["t", "t"],
            "team_name": ["Team", "Team"],
            "worker_name": ["W", "W"],
            "flag": ["cin_9_month_review", "cin_review_overdue"],
            "days_over": [796, 3],
            "start_date": [date(2020, 4, 24), date(2022, 1, 1)],
            "last_review_date": [date(2023, 3, 24), date(2023, 2, 14)],
            "last_visit_date": [None, None],
        }
    )
    rows = plans.drift_list(drift, S).set_index("child_id")
    assert rows.loc["C1", "detail"] == "Open 1,071 days, 796 days past 9 months"
    assert rows.loc["C2", "detail"] == "3 days overdue"
    assert "detail" in [c["field"] for c in plans.DRIFT_GRID_COLUMNS]


# --------------------------------------------------------------------------- standard lines, drawn without add_hline


_OWN_SPANNING = common._add_spanning


class _PlotlysSpanning:
    """``common._add_spanning`` done by Plotly's own ``add_hline``/``add_vline``/``add_vrect``/``add_hrect``:
    the twin a chart's lines and bands must match. On a figure without panels the PlainFigure is made a
    ``go.Figure``, Plotly adds the shape (and label) and its shapes and annotations are written back. A grid
    of panels keeps the helper's own path (a ``go.Figure`` made from JSON has no grid to address): panels are
    compared with Plotly's in tests/test_plain_figures.py."""

    def __init__(self):
        self.by_plotly = 0

    def __call__(self, fig, kind, span, row, col, position, options):
        if fig.grid is not None:
            return _OWN_SPANNING(fig, kind, span, row, col, position, options)
        made = go.Figure(copy.deepcopy(fig.to_plotly_json()))
        labelled = any(k.startswith("annotation_") for k in options)
        where = {"annotation_position": position} if labelled and position else {}
        getattr(made, f"add_{kind}")(**span, **options, **where)
        layout = made.to_plotly_json()["layout"]
        for key in ("shapes", "annotations"):
            if key in layout:
                fig.layout_json[key] = layout[key]
        self.by_plotly += 1
        return fig


def _as_json(figure) -> dict:
    return json.loads(pio.to_json(figure, validate=True))


@pytest.mark.parametrize("presentation", [False, True])
def test_every_charts_standard_lines_are_the_ones_plotly_draws(small_demo, monkeypatch, presentation):
    fast = {c.id: _as_json(c.figure) for c in _charts(small_demo, presentation)}
    plotlys = _PlotlysSpanning()
    monkeypatch.setattr(common, "_add_spanning", plotlys)
    twin = {c.id: _as_json(c.figure) for c in _charts(small_demo, presentation)}
    assert plotlys.by_plotly >= 8  # Plotly itself drew the lines and bands being compared
    assert fast.keys() == twin.keys()
    with_lines = [
        k
        for k, f in fast.items()
        if any(s.get("line", {}).get("dash") == "dash" for s in f["layout"].get("shapes", []))
    ]
    assert len(with_lines) >= 8  # the charts with a standard drawn on them
    for key in fast:
        assert fast[key] == twin[key], key


def _single(made: bool):
    fig = go.Figure(layout={"title": {"text": "One plot"}}) if made else PlainFigure({"title": {"text": "One plot"}})
    fig.add_trace(go.Bar(x=["a", "b"], y=[3, 4]) if made else {"type": "bar", "x": ["a", "b"], "y": [3, 4]})
    return fig


def _three_panels(made: bool):
    fig = make_subplots(rows=1, cols=3) if made else plain_subplots(rows=1, cols=3)
    for col, x in ((1, "a"), (2, "b")):  # the third panel stays empty
        fig.add_trace(go.Bar(x=[x], y=[col]) if made else {"type": "bar", "x": [x], "y": [col]}, row=1, col=col)
    return fig


@pytest.mark.parametrize("axis", ["x", "y"])
@pytest.mark.parametrize("position", [None, "top left", "top right", "bottom left", "bottom right"])
@pytest.mark.parametrize("layer", ["above", "below"])
def test_a_standard_line_on_a_plot_or_a_subplot_is_plotlys(axis, position, layer):
    """add_standard_line on a PlainFigure gives the figure Plotly's add_hline/add_vline gives a go.Figure."""
    single, grid = _single(False), _three_panels(False)
    common.add_standard_line(single, 2.5, "Standard: 2.5", axis=axis, position=position, layer=layer)
    common.add_standard_line(single, 1, "", axis=axis, position=position, layer=layer)
    for col in (1, 2, 3):
        common.add_standard_line(grid, 1.5, f"Line {col}", axis=axis, row=1, col=col, position=position, layer=layer)

    made_single, made_grid = _single(True), _three_panels(True)
    add = "add_vline" if axis == "x" else "add_hline"
    style = dict(
        layer=layer,
        line=dict(color=STANDARD_COLOUR, dash="dash", width=2),
        annotation_font=dict(color=STANDARD_COLOUR, size=12),
        annotation_position=position or ("top right" if axis == "x" else "top left"),
    )
    getattr(made_single, add)(**{axis: 2.5}, annotation_text="Standard: 2.5", **style)
    getattr(made_single, add)(**{axis: 1}, annotation_text="", **style)
    for col in (1, 2, 3):
        getattr(made_grid, add)(**{axis: 1.5}, row=1, col=col, annotation_text=f"Line {col}", **style)

    assert _as_json(single) == _as_json(made_single)
    assert _as_json(grid) == _as_json(made_grid)
    assert len(_as_json(grid)["layout"]["shapes"]) == 2  # none on the empty panel


@pytest.mark.parametrize("axis", ["x", "y"])
@pytest.mark.parametrize("label", [{}, {"annotation_text": "Window"}])
def test_a_band_on_a_plot_or_every_panel_is_plotlys(axis, label):
    """add_band gives what Plotly's add_vrect/add_hrect gives: on one plot, and on every drawn panel."""
    style = dict(fillcolor="teal", opacity=0.15, line={"width": 0}, **label)
    single, grid = _single(False), _three_panels(False)
    common.add_band(single, -0.5, 1.5, axis=axis, **style)
    common.add_band(grid, 0.5, 2.5, axis=axis, **style)
    made_single, made_grid = _single(True), _three_panels(True)
    add = "add_vrect" if axis == "x" else "add_hrect"
    getattr(made_single, add)(**{f"{axis}0": -0.5, f"{axis}1": 1.5}, **style)
    getattr(made_grid, add)(**{f"{axis}0": 0.5, f"{axis}1": 2.5}, **style)
    assert _as_json(single) == _as_json(made_single)
    assert _as_json(grid) == _as_json(made_grid)
    shapes = _as_json(grid)["layout"]["shapes"]
    assert [(s["type"], s["xref"], s["yref"]) for s in shapes] == (
        [("rect", "x", "y domain"), ("rect", "x2", "y2 domain")]
        if axis == "x"
        else [("rect", "x domain", "y"), ("rect", "x2 domain", "y2")]
    )
    assert len(_as_json(grid)["layout"].get("annotations", ())) == (2 if label else 0)


# --------------------------------------------------------------------------- subplots laid out once per shape


@pytest.mark.parametrize(
    "arguments",
    [
        dict(rows=2, cols=4, subplot_titles=list("abcdefgh"), horizontal_spacing=0.07, vertical_spacing=0.2),
        dict(specs=[[{"secondary_y": True}]]),
        dict(rows=2, cols=1, shared_xaxes=True, row_heights=[0.7, 0.3], vertical_spacing=0.08),
    ],
)
def test_subplots_are_plotlys_and_each_a_figure_of_its_own(arguments):
    first = plain_subplots(**arguments)
    assert _as_json(first) == _as_json(make_subplots(**arguments))
    first.add_trace({"type": "bar", "x": ["a"], "y": [1]}, row=1, col=1)
    first.update_layout(title={"text": "changed"})
    first.update_xaxes(showgrid=False)
    again = plain_subplots(**arguments)
    assert again is not first and again.traces == [] and "title" not in again.layout_json
    assert _as_json(again) == _as_json(make_subplots(**arguments))
