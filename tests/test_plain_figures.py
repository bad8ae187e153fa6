"""Figures built as plain JSON (``dashboard.figures.plain``) equal their validated ``go.Figure`` twins.

The hot path builds figures without Plotly's validation (issue 17); these tests are where the
validation happens instead. Every chart of every page part, on the small demo in normal and
presentation mode, is compared value for value with ``go.Figure`` made from its JSON: a misspelt
property raises there, a value Plotly would coerce differently shows as a difference. The
builders' own tests (``tests/test_figures_*.py``) call :func:`tests.figure_json.assert_twin` on
their edge cases too.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import plotly.graph_objects as go
import pytest

from dashboard.figures.common import add_spanning_line, add_standard_line, base_figure, drawn_top
from dashboard.figures.plain import PlainFigure, merge, plain_subplots, template_json
from dashboard.sections import PAGE_MODULES, compute_or_missing, page
from dashboard.sections.base import Chart, View
from dashboard.theme import STANDARD_COLOUR
from data_layer import Filters, date_range, team_options
from tests.figure_json import assert_twin, differences, figure_json

#: Charts the walk must meet on the small demo (or it could miss a builder): every page's charts.
PLAIN_CHARTS = {
    "caseloads": {"caseloads-workers", "caseloads-distribution", "caseloads-trend"},
    "cin_pilot": {"cin-pilot-did", "cin-pilot-trend", "cin-pilot-routes", "cin-pilot-workload-chart"},
    "jarp": {"jarp-agenda", "jarp-queue-trend", "jarp-response-times", "jarp-response-trend", "jarp-reviews"},
    "plans": {"plans-bands", "plans-km", "plans-drift-teams", "plans-trend"},
    "transfers": {
        "transfers-by-team",
        "transfers-by-point",
        "transfers-monthly",
        "transfers-working-days",
        "transfers-flows",
        "transfers-pairs",
        "transfers-keyworker",
    },
}


def _charts(db, presentation: bool):
    _, latest = date_range(db)
    teams = team_options(db)["team_id"].tolist()
    for page_key in PAGE_MODULES:
        spec = page(page_key)
        choices = spec.choices(db)
        keys = list(choices)
        combos = [dict(zip(keys, c, strict=False)) for c in itertools.product(*(choices[k][1] for k in keys))][:6]
        for as_at, team in ((latest, ()), (latest - timedelta(days=120), ()), (latest, (teams[1],))):
            view = View.make(
                Filters(as_at=as_at, teams=team), presentation=presentation, threshold=db.standards.suppress_below
            )
            for controls in combos or [{}]:
                v = view.with_controls(**spec.validate_controls(controls, db))
                for name, _part in spec.parts:
                    for section in compute_or_missing(spec, name, db, v):
                        for item in getattr(section, "items", ()):
                            if isinstance(item, Chart) and item.figure is not None:
                                yield page_key, item


@pytest.mark.parametrize("presentation", [False, True], ids=["normal", "presentation"])
def test_every_plain_chart_equals_its_validated_twin(small_demo, presentation):
    """Every chart on every page is built as plain JSON (none validated on the hot path) and equals its twin."""
    seen: dict[str, set[str]] = {}
    for page_key, chart in _charts(small_demo, presentation):
        assert isinstance(chart.figure, PlainFigure), f"{chart.id} is a {type(chart.figure).__name__}"
        seen.setdefault(page_key, set()).add(chart.id)
        assert_twin(chart.figure)
    for page_key, ids in PLAIN_CHARTS.items():
        assert ids <= seen.get(page_key, set()), f"{page_key}: {sorted(ids - seen.get(page_key, set()))} not met"


def test_a_misspelt_property_fails_the_twin():
    """The twin is where a mistake shows: Plotly refuses a property it does not know."""
    fig = base_figure("A chart")
    fig.add_trace({"type": "bar", "x": ["a"], "y": [1], "colour": "red"})
    with pytest.raises(ValueError, match="colour"):
        fig.validated()


def test_a_value_plotly_would_change_is_a_difference():
    """A difference between the plain JSON and the twin's is reported with its path."""
    fig = base_figure("A chart")
    fig.add_trace({"type": "scatter", "x": [1, 2], "y": [3, 4], "mode": "lines"})
    twin = figure_json(fig.validated())
    twin["data"][0]["y"][1] = 5
    assert differences(figure_json(fig), twin) == [".data[0].y[1]: 4 != 5"]


def test_base_figure_embeds_the_one_template_and_reads_through_its_twin():
    fig = base_figure("Children per worker", height=500)
    fig.add_trace({"type": "bar", "x": ["A", "B"], "y": [3, 4], "name": "Children"})
    fig.update_layout(yaxis={"title": {"text": "Children"}}, legend={"x": 0})
    fig.update_layout(yaxis={"rangemode": "tozero"})
    out = fig.to_plotly_json()
    assert out["layout"]["template"] is template_json()
    assert out["layout"]["template"] == go.Figure().to_plotly_json()["layout"]["template"]
    assert out["layout"]["yaxis"] == {"title": {"text": "Children"}, "rangemode": "tozero"}
    assert fig.layout.yaxis.title.text == "Children"
    assert list(fig.data[0].y) == [3, 4]
    assert_twin(fig)
    fig.update_xaxes(title={"text": "Worker"})
    assert fig.layout.xaxis.title.text == "Worker"  # the twin is rebuilt after a change


def test_merge_merges_dicts_and_replaces_the_rest():
    into = {"a": {"b": 1, "c": [1]}, "d": 1}
    patch = {"a": {"c": [2], "e": {"f": 1}}, "d": {"g": 2}}
    merge(into, patch)
    assert into == {"a": {"b": 1, "c": [2], "e": {"f": 1}}, "d": {"g": 2}}
    patch["a"]["e"]["f"] = 9
    assert into["a"]["e"]["f"] == 1  # merged values are copies: the patch is not shared


def test_plain_subplots_lay_out_panels_as_make_subplots_does():
    from plotly.subplots import make_subplots

    kwargs = dict(rows=2, cols=2, subplot_titles=["a", "b", "c", "d"], vertical_spacing=0.2)
    plain, made = plain_subplots(**kwargs), make_subplots(**kwargs)
    for r, c in itertools.product((1, 2), (1, 2)):
        plain.add_trace({"type": "scatter", "x": [r], "y": [c]}, row=r, col=c)
        made.add_trace(go.Scatter(x=[r], y=[c]), row=r, col=c)
    plain.update_yaxes({"title": {"text": "Days"}}, row=2, col=1)
    made.update_yaxes(title_text="Days", row=2, col=1)
    plain.update_xaxes(showgrid=False)
    made.update_xaxes(showgrid=False)
    assert differences(figure_json(plain), figure_json(made)) == []
    assert plain_subplots(**kwargs).traces == []  # each figure its own copy of the grid
    with pytest.raises(ValueError, match="row 3"):
        plain.add_trace({"type": "scatter"}, row=3, col=1)


def test_a_second_y_axis_is_make_subplots_own():
    from plotly.subplots import make_subplots

    kwargs = dict(specs=[[{"secondary_y": True}]])
    plain, made = plain_subplots(**kwargs), make_subplots(**kwargs)
    plain.add_trace({"type": "bar", "x": ["a"], "y": [1]}, secondary_y=True)
    made.add_trace(go.Bar(x=["a"], y=[1]), secondary_y=True)
    plain.add_trace({"type": "scatter", "x": ["a"], "y": [50]}, secondary_y=False)
    made.add_trace(go.Scatter(x=["a"], y=[50]), secondary_y=False)
    plain.update_yaxes({"title": {"text": "%"}}, secondary_y=False)
    made.update_yaxes(title_text="%", secondary_y=False)
    plain.update_yaxes(showgrid=False, secondary_y=True)
    made.update_yaxes(showgrid=False, secondary_y=True)
    assert plain.traces[0]["yaxis"] == "y2"
    assert differences(figure_json(plain), figure_json(made)) == []
    with pytest.raises(ValueError, match="second y axis"):
        plain_subplots(rows=1, cols=1).add_trace({"type": "bar"}, secondary_y=True)


def test_a_line_without_a_label_is_plotlys():
    plain, made = base_figure("t"), go.Figure()
    made.update_layout(plain.layout_json)
    for f in (plain, made):
        f.add_trace({"type": "scatter", "x": [0, 1], "y": [0, 1]})
    add_spanning_line(plain, 0.5, line={"color": "grey", "dash": "dot", "width": 1})
    made.add_hline(y=0.5, line={"color": "grey", "dash": "dot", "width": 1})
    assert differences(figure_json(plain), figure_json(made)) == []
    assert "annotations" not in plain.layout_json


@pytest.mark.parametrize("row", [None, 2])
def test_a_standard_line_on_plain_panels_is_plotlys(row):
    """``add_standard_line`` on a PlainFigure adds what Plotly's add_hline adds (empty panels left bare)."""
    from plotly.subplots import make_subplots

    kwargs = dict(rows=3, cols=1)
    plain, made = plain_subplots(**kwargs), make_subplots(**kwargs)
    for r in (1, 2):  # panel 3 stays empty
        plain.add_trace({"type": "bar", "x": ["a"], "y": [r]}, row=r, col=1)
        made.add_trace(go.Bar(x=["a"], y=[r]), row=r, col=1)
    add_standard_line(plain, 25, "Standard: 25", row=row)
    line = dict(color=STANDARD_COLOUR, dash="dash", width=2)
    made.add_hline(
        y=25,
        row=row if row is not None else "all",
        col=1 if row is not None else "all",
        layer="above",
        line=line,
        annotation_text="Standard: 25",
        annotation_font=dict(color=STANDARD_COLOUR, size=12),
        annotation_position="top left",
    )
    assert differences(figure_json(plain), figure_json(made)) == []


def test_drawn_top_reads_the_traces_on_an_axis():
    plain = base_figure("t")
    for y, kind in (([1, 2], "bar"), ([3, 0], "bar"), ([9, 1], "scatter")):
        plain.add_trace({"type": kind, "x": ["a", "b"], "y": y, "yaxis": "y2" if kind == "scatter" else "y"})
    assert drawn_top(plain) == 9
    assert drawn_top(plain, yaxis="y") == 4  # a: 1 + 3 stacked
