"""Helpers every figure builder shares: base figure, standard lines, summaries.

* :func:`base_figure`: a figure with its plain-English title and the ``csc`` template (Safe palette),
  built as plain JSON (:mod:`dashboard.figures.plain`; ``plain_subplots`` for a grid of panels).
* :func:`add_standard_line` draws a practice standard as a dashed, labelled line, citing its
  source document, so "where should this be" is always on the chart.
* Small counts are never formatted here: every number presentation mode shows goes through
  :mod:`dashboard.disclosure` (the figure builders take its ``Disclosure`` or disclosed tables).
* :func:`aria_summary` writes the text a screen reader announces for the chart.
* :func:`empty_figure` says "no data for these filters" instead of drawing blank axes.
* :data:`LEGEND_BELOW` / :func:`legend_below`: every legend sits under the plot area (the template's
  default too), so at 390 px a wrapped legend pushes the plot up instead of covering the title.
* :func:`count_axis` is how every axis that counts (children, referrals, plans, workers...) ticks:
  whole numbers only, from zero.
"""

from __future__ import annotations

import math
import textwrap
from typing import Any, cast

import pandas as pd

from dashboard.figures.plain import PlainFigure
from dashboard.theme import STANDARD_COLOUR, register_template
from data_layer.standards import cite

register_template()

#: What every builder returns: a figure built as Plotly's JSON, validated only in tests (dashboard.figures.plain).
Figure = PlainFigure


#: Legends go under the plot, anchored to the figure's bottom edge (``yref="container"``): Plotly then
#: grows the bottom margin by the legend's height, however many lines it wraps to on a phone, so it
#: covers neither the title nor the x-axis labels. The csc template (dashboard.theme) uses it too.
LEGEND_BELOW: dict[str, Any] = dict(
    orientation="h", xref="paper", x=0, xanchor="left", yref="container", y=0, yanchor="bottom", traceorder="normal"
)

#: A figure's smallest drawn height (px): a phone must not squash a plot to a strip.
MIN_HEIGHT = 460


def legend_below(fig: Any, **extra: Any) -> Any:
    """Put ``fig``'s legend under its plot area (:data:`LEGEND_BELOW`), e.g. after a builder's own legend."""
    fig.update_layout(legend={**LEGEND_BELOW, **extra})
    return fig


#: Titles break onto a new line after this many characters: Plotly never wraps a title, and one
#: sentence of 80 characters ran off a 390 px phone screen under the mode bar.
TITLE_CHARS = 44


def wrap_title(text: str, width: int = TITLE_CHARS) -> str:
    """``text`` with ``<br>`` between lines of at most ``width`` characters (words kept whole)."""
    if not text or "<br>" in text or len(text) <= width:
        return text
    return "<br>".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False))


def unwrapped(text: str | None) -> str:
    """A title as one line again (the inverse of :func:`wrap_title`): what the chart says, in words."""
    return (text or "").replace("<br>", " ")


def title_layout(text: str, subtitle: str | None = None) -> dict[str, Any]:
    """A figure's ``title`` setting: the text (and subtitle) wrapped for a phone, room made above the plot."""
    # Anchored to the figure's top edge, so a second line grows down into the margin, not over the plot.
    title: dict[str, Any] = {"text": wrap_title(text), "yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 14}}
    if subtitle is not None:
        title["subtitle"] = {"text": wrap_title(subtitle, round(TITLE_CHARS * 1.3))}
    return title


def base_figure(title: str, *, height: int | None = None) -> PlainFigure:
    """An empty figure with the dashboard template and a plain-English title (wrapped: :func:`wrap_title`).

    Never lower than :data:`MIN_HEIGHT`: on a phone the legend wraps to several lines under the plot
    and the margins grow, and a 300 px figure left a plot area of ~60 px. Built as plain JSON
    (:mod:`dashboard.figures.plain`): every builder starts from this or from ``plain_subplots``.
    """
    return PlainFigure({"title": title_layout(title), "height": max(height or 0, MIN_HEIGHT)})


def empty_figure(title: str, message: str = "No data for the selected filters") -> PlainFigure:
    """A figure that says why it is empty (axes hidden), rather than a blank grid."""
    fig = base_figure(title)
    fig.update_layout(height=260)  # nothing to read but the message: the minimum height is for plots
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font=dict(size=15))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def add_standard_line(
    fig: PlainFigure,
    value: float,
    label: str,
    *,
    axis: str = "y",
    row=None,
    col=None,
    position: str | None = None,
    layer: str = "above",
) -> PlainFigure:
    """Draw a standard as a dashed dark line with its label (e.g. "Standard: 25 per FTE (Cluster group presentation)").

    ``axis="y"`` draws a horizontal line at y=value, ``axis="x"`` a vertical one at x=value.
    ``layer="below"`` draws it under the traces: a standard of zero would otherwise hide a series at zero.

    The line and its label are the shape and annotation Plotly's ``add_hline``/``add_vline`` make
    (placed by Plotly's own ``axis_spanning_shape_annotation``), added in one step each: those methods
    re-validate every shape and annotation already on the figure several times per line, ~20 ms a line.
    With no ``row`` on a grid of panels the line goes on every panel with something drawn on it, as
    Plotly's does.
    ``tests/test_figures_layout.py`` and ``tests/test_plain_figures.py`` check each gives Plotly's figure.
    """
    kwargs: dict[str, Any] = dict(
        layer=layer,
        line=dict(color=STANDARD_COLOUR, dash="dash", width=2),
        annotation_text=label,
        annotation_font=dict(color=STANDARD_COLOUR, size=12),
    )
    return add_spanning_line(fig, value, axis=axis, row=row, col=col, position=position, **kwargs)


def add_spanning_line(
    fig: PlainFigure, value: Any, *, axis: str = "y", row=None, col=None, position: str | None = None, **options: Any
) -> PlainFigure:
    """What ``fig.add_hline(y=value, ...)`` (``axis="y"``) or ``add_vline(x=value, ...)`` adds (a
    number, or a date on a date axis).

    ``options`` are those methods' own (``line``, ``layer``, ``annotation_text``, ``annotation_font``...).
    """
    kind, position = ("vline", position or "top right") if axis == "x" else ("hline", position or "top left")
    return _add_spanning(fig, kind, {axis: value}, row, col, position, options)


def add_band(
    fig: PlainFigure,
    start: Any,
    end: Any,
    *,
    axis: str = "x",
    row=None,
    col=None,
    position: str | None = None,
    **options: Any,
) -> PlainFigure:
    """What ``fig.add_vrect(x0=start, x1=end, ...)`` (``axis="x"``) or ``add_hrect(y0=, y1=)`` adds:
    a band across the plot, e.g. a period shaded. ``options`` as Plotly's (``fillcolor``, ``opacity``...);
    a label's ``position`` defaults to Plotly's."""
    kind = "vrect" if axis == "x" else "hrect"
    return _add_spanning(fig, kind, {f"{axis}0": start, f"{axis}1": end}, row, col, position, options)


def _add_spanning(
    fig: PlainFigure, kind: str, span: dict, row, col, position: str | None, options: dict
) -> PlainFigure:
    """What ``fig.add_<kind>(**span, row, col, annotation_position=position, **options)`` adds, ``kind``
    one of ``hline``/``vline``/``hrect``/``vrect``: the shape, and the label Plotly's own
    ``axis_spanning_shape_annotation`` places (only when there are ``annotation_`` options, as Plotly's).
    With no ``row`` on a grid, on every panel with something drawn on it, as Plotly's.
    """
    from plotly import shapeannotation

    along = "x" if kind in ("vline", "vrect") else "y"  # the axis the value(s) are on
    across = "y" if along == "x" else "x"
    if kind.endswith("line"):
        value = span[along]
        shape_args = {"type": "line", f"{along}0": value, f"{along}1": value, f"{across}0": 0, f"{across}1": 1}
    else:
        shape_args = {"type": "rect", **span, f"{across}0": 0, f"{across}1": 1}
    shape_kwargs, label_kwargs = shapeannotation.split_dict_by_key_prefix(options, "annotation_")
    label = (
        shapeannotation.axis_spanning_shape_annotation(
            None, kind, shape_args, {**label_kwargs, **({"annotation_position": position} if position else {})}
        )
        if label_kwargs
        else None
    )
    if fig.grid is None:  # no subplots: Plotly ignores row and col
        refs = [("x", "y")]
    else:
        panels = [(row, col or 1)] if row is not None else sorted(fig.grid)
        # Plotly leaves an empty subplot without the shape (exclude_empty_subplots)
        refs = [axes for r, c in panels if _drawn_on(fig, *(axes := fig.axes(r, c)))]
    for xref, yref in refs:
        domain = {"xref": xref, "yref": f"{yref} domain"} if along == "x" else {"xref": f"{xref} domain", "yref": yref}
        fig.add_shape(**shape_args, **shape_kwargs, **domain)
        if label is not None:
            fig.add_annotation(**label, **domain)
    return fig


def _drawn_on(fig: PlainFigure, xref: str, yref: str) -> bool:
    """Whether anything (a trace, shape, annotation or image) is drawn on the subplot of these axes."""
    on = [(t.get("xaxis") or "x", t.get("yaxis") or "y") for t in fig.traces]
    for kind in ("shapes", "annotations", "images"):
        on += [(o.get("xref") or "x", o.get("yref") or "y") for o in fig.layout_json.get(kind, ())]
    return (xref, yref) in on


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


def nice_step(top: float, steps: int) -> int:
    """The smallest whole step of 1, 2 or 5 x 10^k such that ``steps`` of them reach ``top``.

    For a second axis whose ticks must sit on the first axis's gridlines (``steps`` intervals): 82
    requests over 5 steps -> 20 (ticks 0, 20, ..., 100), never Plotly's synced 16.4.
    """
    need = max(float(top), 1.0) / steps
    magnitude = 10 ** math.floor(math.log10(need))
    for m in (1, 2, 5, 10):
        if m * magnitude >= need:
            return max(1, int(m * magnitude))
    return int(10 * magnitude)  # pragma: no cover - the loop's 10 always reaches need


def _number(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def drawn_top(fig: PlainFigure, axis: str = "y", **where: Any) -> float:
    """The largest value drawn on a value axis (``"x"`` or ``"y"``), bars stacked per category.

    For :func:`count_axis`, where the builder does not already hold its top. Only traces on that axis
    count (``where``, e.g. ``yaxis="y2"``, narrows them); a hidden count is not drawn so never counts.
    """
    traces = [t for t in fig.traces if all(t.get(k) == v for k, v in where.items())]
    top, stacked = 0.0, cast(dict[tuple, float], {})
    other = "y" if axis == "x" else "x"
    for trace in traces:
        values = trace.get(axis)
        if values is None:
            continue
        others = trace.get(other)
        categories = list(others) if others is not None else list(range(len(values)))
        panel = trace.get(other + "axis")  # a subplot's bars stack apart from the next one's
        for category, value in zip(categories, values, strict=False):
            key = (panel, category)
            v = _number(value)
            if v is None:
                continue
            if trace.get("type") == "bar":
                stacked[key] = stacked.get(key, 0.0) + max(v, 0.0)
            else:
                top = max(top, v)
    return max([top, *stacked.values()])


def customdata_rows(*columns) -> list[list]:
    """Columns side by side as a trace's ``customdata`` rows (``[[a0, b0], [a1, b1], ...]``), as plain values;
    ``strict`` so a column one short fails here rather than shifting every hover after it."""
    return [list(row) for row in zip(*(list(c) for c in columns), strict=True)]


def iso_dates(values) -> list[str]:
    """Dates (strings, dates or timestamps) as ``YYYY-MM-DD`` strings for a date axis: plain JSON the
    browser reads as dates, with no time part for Plotly to print."""
    return pd.to_datetime(pd.Series(values)).dt.strftime("%Y-%m-%d").tolist()


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
