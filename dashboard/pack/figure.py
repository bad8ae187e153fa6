"""A page's figure, made fit for A4 landscape paper (the pack's only change to a chart).

On screen a chart is as wide as the window and carries its own title. On paper the pack prints the
title once above the plot, so the figure's own title goes; the figure gets a fixed size that fits
one A4 landscape page with its title, finding and note (a bar per worker gets a taller plot and a
type that fits each row); the legend moves below the plot, in a bottom margin made to hold it under
the tick labels and axis title (a legend at the top drew over the title); captions drawn under the
plot become notes printed below it (they were cut off at the figure's edge or met the legend).
Nothing else changes: the data, hover text and labels are the page's, already disclosed.

Works on the figure's JSON (``dict``), not on ``go.Figure``: copying and validating a Plotly figure
in Python costs more than the rest of the pack.
"""

from __future__ import annotations

import copy
import html
import re
from typing import Any

import plotly.io as pio

#: Width of a full-width plot, in CSS pixels: A4 landscape (297 mm) less 2 x 12 mm margins is
#: 1,032 px at 96 px per inch; the block's border and padding take the rest.
FULL_WIDTH = 1000
#: Width of each of two half-width charts printed side by side.
HALF_WIDTH = 480
#: Plot heights: the page's content box is about 695 px high; a page heading, the section
#: heading, the chart title, a two-line finding and a three-line note take about 230 px.
MIN_HEIGHT, DEFAULT_HEIGHT, MAX_HEIGHT, TALL_HEIGHT, FIRST_TALL_HEIGHT = 300, 420, 450, 540, 500
#: A chart under a row of tiles or a short table (about 150 px) in the same section.
AFTER_BLOCK_HEIGHT = 340
#: Plotly's config in the pack: a still picture (no mode bar), hover kept in the HTML.
CONFIG = {"displaylogo": False, "displayModeBar": False, "responsive": False}


def figure_dict(figure: Any) -> dict:
    """A deep copy of ``figure`` (``go.Figure`` or its dict) as plain JSON-able dicts."""
    if hasattr(figure, "to_plotly_json"):
        return copy.deepcopy(figure.to_plotly_json())
    return copy.deepcopy(dict(figure or {}))


def _has_legend(fig: dict) -> bool:
    layout = fig.get("layout") or {}
    if layout.get("showlegend") is False:
        return False
    shown = [
        t
        for t in fig.get("data") or ()
        if t.get("showlegend", True) is not False
        and t.get("type", "scatter") not in ("sankey", "table", "indicator", "heatmap")
    ]
    if layout.get("showlegend") is True:
        return bool(shown)
    return len(shown) > 1


def _height(layout: dict, width: int, rows: int, tall: int = 0) -> int:
    """The plot's height on paper: the page's, capped so one chart fits a page; a chart of many rows
    (a bar per worker) gets up to ``tall`` (:data:`TALL_HEIGHT`)."""
    asked = layout.get("height")
    if not isinstance(asked, (int, float)) or asked <= 0:
        asked = DEFAULT_HEIGHT if width == FULL_WIDTH else 360
    if rows > 15:
        return int(max(MIN_HEIGHT, min(tall or TALL_HEIGHT, asked, 14 * rows + 150)))
    return int(max(MIN_HEIGHT, min(MAX_HEIGHT, asked)))


def _category_rows(fig: dict) -> int:
    """How many categories a horizontal bar chart stacks on its y axis (0 for other charts)."""
    cats: set = set()
    for t in fig.get("data") or ():
        if t.get("type", "scatter") == "bar" and t.get("orientation") == "h":
            cats.update(y for y in (t.get("y") or ()) if isinstance(y, str))
    return len(cats)


def _legend_rows(fig: dict, width: int) -> int:
    """Rows a horizontal legend takes at ``width`` (Plotly wraps items; about 7 px a character)."""
    names = [
        str(t.get("name") or "")
        for t in fig.get("data") or ()
        if t.get("showlegend", True) is not False and t.get("name")
    ]
    rows, used = 1, 0
    for name in names:
        item = 40 + 7 * len(name)
        if used and used + item > width - 20:
            rows, used = rows + 1, 0
        used += item
    return rows


def _is_caption(a) -> bool:
    """A text (no arrow) placed below the plot area in paper coordinates."""
    return (
        isinstance(a, dict)
        and a.get("showarrow") is False
        and isinstance(a.get("y"), (int, float))
        and a["y"] < 0
        and str(a.get("yref") or "y").startswith("paper")
        and str(a.get("xref") or "x").startswith("paper")
    )


def _captions(layout: dict) -> list[str]:
    """Take out the figure's captions (text annotations under the plot, in paper coordinates) and return
    their text: the pack prints them as notes under the plot, where they wrap instead of being cut off
    at the figure's edge or meeting the legend."""
    keep, captions = [], []
    for a in layout.get("annotations") or ():
        if _is_caption(a):
            text = re.sub(r"<br\s*/?>", " ", str(a.get("text") or ""))
            text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", text))).strip()
            if text:
                captions.append(text)
        else:
            keep.append(a)
    if captions:
        layout["annotations"] = keep
    return captions


def for_paper(
    figure: Any, *, half: bool = False, under_heading: bool = False, after_block: bool = False
) -> tuple[dict, list[str]]:
    """``figure`` sized for one A4 landscape page, its title removed, its legend under the plot; and the
    captions taken out of it (to print under the plot). ``under_heading``: the chart shares its page
    with the page's heading and lede (the first chart of a page), so a tall one is kept shorter;
    ``after_block``: it follows a row of tiles or a short table in its section, and is kept short
    enough to stay on that page rather than leave the tiles alone on theirs."""
    fig = figure_dict(figure)
    layout = fig.setdefault("layout", {})
    captions = _captions(layout)
    width = HALF_WIDTH if half else FULL_WIDTH
    rows = _category_rows(fig)
    height = _height(layout, width, rows, FIRST_TALL_HEIGHT if under_heading else TALL_HEIGHT)
    if after_block:
        height = min(height, AFTER_BLOCK_HEIGHT)
    layout.pop("title", None)
    layout.update(width=width, height=height, autosize=False)
    margin = dict(layout.get("margin") or {})
    annotations_on_top = any(
        (a.get("yref") or "").endswith("paper") and (a.get("y") or 0) >= 1
        for a in layout.get("annotations") or ()
        if isinstance(a, dict)
    )
    margin["t"] = 40 if annotations_on_top else 20  # subplot titles and standard labels sit above the plot
    margin["l"] = max(int(margin.get("l") or 0), 60)
    margin["r"] = max(int(margin.get("r") or 0), 30)
    margin["b"] = max(int(margin.get("b") or 0), 50)
    margin.setdefault("pad", 2)
    layout["margin"] = margin
    for key in [k for k in layout if k.startswith(("xaxis", "yaxis"))]:
        axis = layout[key]
        if isinstance(axis, dict):
            axis["automargin"] = True
    legend_px = 0
    if _has_legend(fig):
        # At the bottom of the figure's own box (``yref="container"``), left-aligned; the bottom
        # margin is made to hold the tick labels, the axis title and then the legend, which
        # Plotly does not do for a legend placed in the container.
        legend = dict(layout.get("legend") or {})
        legend.update(orientation="h", x=0, xanchor="left", xref="container", y=0, yanchor="bottom", yref="container")
        layout["legend"] = legend
        legend_px = 22 * _legend_rows(fig, width) + 6
        margin["b"] = max(margin["b"], 62 + legend_px)
    if rows > 15:
        # A bar per row (a bar per worker): every row labelled, in a type that fits the row.
        plot = height - margin["t"] - margin["b"]
        size = int(max(8, min(11, 0.85 * plot / rows)))
        for ref in {t.get("yaxis") or "y" for t in fig.get("data") or () if t.get("orientation") == "h"}:
            axis = layout.setdefault("yaxis" + ref[1:], {})
            axis.update(dtick=1, tickfont={**(axis.get("tickfont") or {}), "size": size})
        for t in fig.get("data") or ():
            if t.get("text") is not None or t.get("texttemplate") is not None:
                t["textfont"] = {
                    **(t.get("textfont") or {}),
                    "size": min((t.get("textfont") or {}).get("size") or 12, size + 1),
                }
    return fig, captions


def plot_html(fig: dict, div_id: str) -> str:
    """The plot as a ``<div>`` and its ``Plotly.newPlot`` call (plotly.js is inlined once by the template)."""
    layout = fig.get("layout") or {}
    return pio.to_html(
        fig,
        include_plotlyjs=False,
        full_html=False,
        config=CONFIG,
        div_id=div_id,
        validate=False,
        default_width=f"{layout.get('width', FULL_WIDTH)}px",
        default_height=f"{layout.get('height', DEFAULT_HEIGHT)}px",
    )


__all__ = ["for_paper", "plot_html", "figure_dict", "FULL_WIDTH", "HALF_WIDTH", "MAX_HEIGHT", "CONFIG"]
