"""Helpers every figure builder shares: base figure, standard lines, summaries.

* :func:`base_figure`: a figure with its plain-English title (the ``csc`` template, Safe palette, is
  Plotly's default once :mod:`dashboard.theme` is imported).
* :func:`add_standard_line` draws a practice standard as a dashed, labelled line, citing its
  source document, so "where should this be" is always on the chart.
* Small counts are never formatted here: every number presentation mode shows goes through
  :mod:`dashboard.disclosure` (the figure builders take its ``Disclosure`` or disclosed tables).
* :func:`aria_summary` writes the text a screen reader announces for the chart.
* :func:`empty_figure` says "no data for these filters" instead of drawing blank axes.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from dashboard.theme import STANDARD_COLOUR, register_template

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
    """Draw a standard as a dashed dark line with its label (e.g. "Standard: 25 per FTE (000)").

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


def standard_label(value: float, unit: str, source: str) -> str:
    """Uniform wording of a standard: "Standard: 25 children per FTE (source 000)"."""
    shown = int(value) if float(value).is_integer() else value
    return f"Standard: {shown} {unit} (source {source})"


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
