"""Helpers every figure builder shares: base figure, standard lines, summaries.

* :func:`base_figure`: a figure with its plain-English title (the ``csc`` template, Safe palette, is
  Plotly's default once :mod:`dashboard.theme` is imported).
* :func:`add_standard_line` draws a practice standard as a dashed, labelled line, citing its
  source document, so "where should this be" is always on the chart.
* Small counts are never formatted here: every number presentation mode shows goes through
  :mod:`dashboard.disclosure` (the figure builders take its ``Disclosure`` or disclosed tables).
* :func:`aria_summary` writes the text a screen reader announces for the chart.
* :func:`empty_figure` says "no data for these filters" instead of drawing blank axes.
* :func:`count_axis` is how every axis that counts (children, referrals, plans, workers...) ticks:
  whole numbers only, from zero.
"""

from __future__ import annotations

import math
from typing import Any, cast

import plotly.graph_objects as go

from dashboard.theme import STANDARD_COLOUR, register_template
from data_layer.standards import cite

register_template()


def base_figure(title: str, *, height: int | None = None) -> go.Figure:
    """An empty figure with the dashboard template and a plain-English title."""
    fig = go.Figure()  # the csc template is Plotly's default (dashboard.theme)
    fig.update_layout(title=dict(text=title))
    if height:
        fig.update_layout(height=height)
    return fig


def empty_figure(title: str, message: str = "No data for the selected filters") -> go.Figure:
    """A figure that says why it is empty (axes hidden), rather than a blank grid."""
    fig = base_figure(title, height=260)
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font=dict(size=15))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def add_standard_line(
    fig: go.Figure, value: float, label: str, *, axis: str = "y", row=None, col=None, position: str | None = None
) -> go.Figure:
    """Draw a standard as a dashed dark line with its label (e.g. "Standard: 25 per FTE (Cluster group presentation)").

    ``axis="y"`` draws a horizontal line at y=value, ``axis="x"`` a vertical one at x=value.
    """
    kwargs: dict[str, Any] = dict(
        line=dict(color=STANDARD_COLOUR, dash="dash", width=2),
        annotation_text=label,
        annotation_font=dict(color=STANDARD_COLOUR, size=12),
    )
    if row is not None:
        kwargs.update(row=row, col=col or 1)
    if axis == "x":
        fig.add_vline(x=value, annotation_position=position or "top right", **kwargs)
    else:
        fig.add_hline(y=value, annotation_position=position or "top left", **kwargs)
    return fig


SMALL_COUNT = 10


def count_axis(top: float | None) -> dict[str, Any]:
    """Settings for an axis that counts things: never a 0.5 tick, never a repeated label.

    ``tickformat=",d"`` alone prints Plotly's 0.5 steps as "0, 1, 1, 2", so below :data:`SMALL_COUNT`
    (``top`` is the largest value or range end drawn on the axis) the step is fixed at 1; above it
    Plotly's own steps (2, 5, 10...) are already whole.
    """
    settings: dict[str, Any] = {"tickformat": ",d", "rangemode": "tozero"}
    if top is not None and top < SMALL_COUNT:
        settings["dtick"] = 1
    return settings


def _number(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def drawn_top(fig: go.Figure, axis: str = "y", **where: Any) -> float:
    """The largest value drawn on a value axis (``"x"`` or ``"y"``), bars stacked per category.

    For :func:`count_axis`, where the builder does not already hold its top. Only traces on that axis
    count (``where``, e.g. ``yaxis="y2"``, narrows them); a hidden count is not drawn so never counts.
    """
    top, stacked = 0.0, cast(dict[tuple, float], {})
    for trace in fig.select_traces(selector=where or None):
        values = getattr(trace, axis, None)
        if values is None:
            continue
        other = "y" if axis == "x" else "x"
        others = getattr(trace, other, None)
        categories = list(others) if others is not None else list(range(len(values)))
        panel = getattr(trace, other + "axis", None)  # a subplot's bars stack apart from the next one's
        for category, value in zip(categories, values, strict=False):
            key = (panel, category)
            v = _number(value)
            if v is None:
                continue
            if trace.type == "bar":
                stacked[key] = stacked.get(key, 0.0) + max(v, 0.0)
            else:
                top = max(top, v)
    return max([top, *stacked.values()])


def standard_label(value: float, unit: str, source: str) -> str:
    """Uniform wording of a standard: "Standard: 25 children per FTE (Cluster group presentation)";
    ``source`` is a citation code or a document title (:func:`data_layer.standards.cite`)."""
    shown = int(value) if float(value).is_integer() else value
    return f"Standard: {shown} {unit} ({cite(source)})"


def aria_summary(kind: str, title: str, *facts: str) -> str:
    """What a screen reader says for a chart: its kind, title and the key facts, in sentences."""
    parts = [f"{kind}: {title.rstrip('.')}."] + [f.rstrip(".") + "." for f in facts if f]
    return " ".join(parts)


def plural(n: int, one: str, many: str | None = None) -> str:
    """ "1 worker", "3 workers"."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def level_text(level: float) -> str:
    """A confidence level as texts state it (the ``confidence_level`` standard): 0.95 -> "95%"."""
    return f"{level * 100:g}%"
