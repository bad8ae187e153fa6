"""Every chart the pages draw: a toolbar with the image download only, and count axes in whole numbers.

The walk computes every part of every page on the small demo (counts of 0-12, where Plotly would
otherwise tick 0.5, 1.5) and renders each chart through :func:`dashboard.render.chart_card`, the one
place a chart becomes a ``dcc.Graph``.
"""

from __future__ import annotations

import re

import pandas as pd
import plotly.graph_objects as go
import pytest
from dash import dcc

from dashboard.figures.common import base_figure, count_axis, drawn_top
from dashboard.figures.jarp import queue_trend_figure, queue_trend_shown, queue_trend_table
from dashboard.render import chart_card
from dashboard.sections import PAGE_MODULES, compute_or_missing, page
from dashboard.sections.base import Chart, View
from data_layer import Filters, date_range

# Axis titles that count things (a count axis is titled by what it counts); "%", days and ratios are not.
COUNT_TITLE = re.compile(
    r"^(Children allocated|Workers|Referrals|Responses|Reviews|Plans|Open plans|Transfers|Children$)"
)

# Titled "Children" but an average per worker (13.5): a ratio, so it may tick in halves.
AVERAGES = {("caseloads-trend", "yaxis")}


def _charts(db, presentation: bool = False) -> list[Chart]:
    _, latest = date_range(db)
    view = View.make(Filters(as_at=latest), presentation=presentation, threshold=db.standards.suppress_below)
    charts = []
    for key in PAGE_MODULES:
        spec = page(key)
        v = view.with_controls(**spec.validate_controls({}, db))
        for name, _part in spec.parts:
            for section in compute_or_missing(spec, name, db, v):
                charts += [item for item in section.items if isinstance(item, Chart)]
    return charts


def _graphs(component) -> list[dcc.Graph]:
    found = [component] if isinstance(component, dcc.Graph) else []
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and hasattr(child, "to_plotly_json"):
            found += _graphs(child)
    return found


def _axes(fig: go.Figure) -> dict[str, dict]:
    layout = fig.to_plotly_json()["layout"]
    return {k: v for k, v in layout.items() if re.fullmatch(r"[xy]axis\d*", k)}


def _title(axis: dict) -> str:
    title = axis.get("title") or {}
    return str(title.get("text") if isinstance(title, dict) else title or "")


@pytest.fixture(scope="module")
def charts(small_demo):
    return _charts(small_demo)


def test_every_chart_offers_only_the_image_download_named_after_it(charts):
    assert len(charts) >= 15  # every page's charts, or the walk found nothing to check
    for chart in charts:
        (graph,) = _graphs(chart_card(chart, {"page": "p"}))
        assert graph.config["modeBarButtons"] == [["toImage"]], chart.id
        assert graph.config["displaylogo"] is False, chart.id
        assert graph.config["toImageButtonOptions"] == {"format": "png", "filename": chart.id}, chart.id


def test_a_charts_own_config_cannot_bring_the_other_buttons_back():
    chart = Chart(
        id="x",
        title="X",
        figure=go.Figure(),
        table=pd.DataFrame(),
        config={"modeBarButtons": [["zoom2d"]], "scrollZoom": True},
    )
    (graph,) = _graphs(chart_card(chart, {}))
    assert graph.config["modeBarButtons"] == [["toImage"]]
    assert graph.config["scrollZoom"] is True


@pytest.mark.parametrize("presentation", [False, True])
def test_every_count_axis_ticks_in_whole_numbers(small_demo, presentation):
    """Each axis titled as a count has ",d" ticks from zero, and a step of 1 when it ends under 10."""
    checked = set()
    for chart in _charts(small_demo, presentation):
        axes = _axes(chart.figure)
        counted = [
            name for name, axis in axes.items() if COUNT_TITLE.match(_title(axis)) and (chart.id, name) not in AVERAGES
        ]
        if chart.id.endswith("bands"):  # the CP panel's axis counts plans too; only the CIN one is titled
            counted += [name for name in axes if name.startswith("yaxis") and name not in counted]
        for name in counted:
            axis = axes[name]
            assert axis.get("tickformat") == ",d", (chart.id, name)
            assert axis.get("rangemode") == "tozero" or axis.get("range"), (chart.id, name)
            end = (axis.get("range") or [0, drawn_top(chart.figure, name[0])])[1]
            if end < 10:  # Plotly would step 0.5 here
                assert axis.get("dtick") == 1, (chart.id, name, end)
            checked.add(chart.id)
    assert len(checked) >= 8, sorted(checked)  # caseloads, jarp, plans and transfers charts were all seen


def test_percent_and_day_axes_are_left_alone(charts):
    for chart in charts:
        for name, axis in _axes(chart.figure).items():
            title = _title(axis)
            if "%" in title or "Share" in title or "days" in title.lower() or "per full-time" in title:
                assert axis.get("tickformat") != ",d", (chart.id, name, title)


def test_count_axis_steps_one_under_ten_and_leaves_larger_ranges_to_plotly():
    assert count_axis(3) == {"tickformat": ",d", "rangemode": "tozero", "dtick": 1}
    assert count_axis(9.9)["dtick"] == 1
    assert "dtick" not in count_axis(10)
    assert "dtick" not in count_axis(None)


def test_drawn_top_stacks_bars_per_category_and_panel_and_skips_hidden_counts():
    fig = base_figure("t")
    for trace in (
        {"type": "bar", "x": ["a", "b"], "y": [2, 3]},
        {"type": "bar", "x": ["a", "b"], "y": [4, None]},  # None: a hidden count, not drawn
        {"type": "bar", "x": ["a"], "y": [5], "xaxis": "x2", "yaxis": "y2"},  # another panel: not stacked on "a"
        {"type": "scatter", "x": ["a", "b"], "y": [1, 5.5]},
    ):
        fig.add_trace(trace)
    assert drawn_top(fig) == 6  # a: 2 + 4 (b: 3; the line's 5.5; the other panel's 5)
    assert drawn_top(fig, yaxis="y2") == 5
    horizontal = base_figure("t").add_trace({"type": "bar", "y": ["w1", "w2"], "x": [1, 2], "orientation": "h"})
    assert drawn_top(horizontal, "x") == 2


def test_a_tiny_count_figure_steps_by_one():
    """Two weeks of one or two referrals waiting: Plotly alone would tick 0, 0.5, 1, 1.5, 2."""
    trend = pd.DataFrame(
        {
            "week": pd.to_datetime(["2024-01-07", "2024-01-07", "2024-01-14"]),
            "priority": ["P1", "P3", "P2"],
            "referrals": [1, 1, 1],
            "past_timetable": [0, 0, 1],
        }
    )
    table = queue_trend_table(trend)
    fig = queue_trend_figure(table, queue_trend_shown(table), "Queue", 14)
    axis = fig.layout.yaxis
    assert (axis.tickformat, axis.rangemode, axis.dtick) == (",d", "tozero", 1)
    assert drawn_top(fig) == 2  # week one: P1 + P3 stacked
