"""One place for the look: Bootstrap theme, the Plotly template and the colour-blind-safe palette.

Colours come from Plotly's ``Safe`` qualitative set (Paul Tol's palette, distinguishable with
the common colour-vision deficiencies), kept in :mod:`data_layer.vocabulary` with the codes they
colour: a status, flag or priority takes the vocabulary's colour, never a map here. Meaning is
never carried by colour alone: RAG ratings carry a word and a symbol, over-target bars a marker
and a label.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from data_layer.vocabulary import PALETTE, RAG_BANDS

#: The colour-blind-safe qualitative palette (11 colours), defined with the vocabulary it colours.
SAFE: tuple[str, ...] = PALETTE

BLUE, ROSE, SAND, GREEN, INDIGO, PURPLE, TEAL, OLIVE, WINE, BROWN, GREY = SAFE

#: RAG ratings as the components draw them: colour plus a word and a symbol (never colour alone),
#: from :data:`data_layer.vocabulary.RAG_BANDS`.
RAG: dict[str, dict[str, str]] = {
    t.code: {"colour": t.colour, "word": t.label, "symbol": t.symbol or "", "label": f"{t.symbol} {t.label}"}
    for t in RAG_BANDS
}

#: Colour of standard lines/bands: dark, dashed, labelled.
STANDARD_COLOUR = "#222222"
TEXT_COLOUR = "#212529"
FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif'

TEMPLATE_NAME = "csc"


#: The 2-D parts of ``plotly_white`` the dashboard uses. The full template also styles polar,
#: ternary, 3-D and geo axes and ~25 trace types; validating and copying all that into every
#: figure cost ~55 ms a figure (most of a page's render time on warm caches), this ~5 ms.
_WHITE_LAYOUT_KEYS = (
    "autotypenumbers",
    "hovermode",
    "paper_bgcolor",
    "plot_bgcolor",
    "xaxis",
    "yaxis",
    "annotationdefaults",
    "colorscale",
)


def _build_template() -> go.layout.Template:
    white = pio.templates["plotly_white"].layout.to_plotly_json()
    tpl = go.layout.Template(layout={k: white[k] for k in _WHITE_LAYOUT_KEYS if k in white})
    tpl.layout.colorway = list(SAFE)
    tpl.layout.font = dict(family=FONT_FAMILY, size=13, color=TEXT_COLOUR)
    tpl.layout.title = dict(x=0, xanchor="left", font=dict(size=16))
    tpl.layout.margin = dict(l=60, r=30, t=70, b=50)
    # Under the plot, anchored to the figure's bottom (as dashboard.figures.common.LEGEND_BELOW): a
    # legend above the plot wrapped over the title on a phone.
    tpl.layout.legend = dict(orientation="h", xanchor="left", x=0, yref="container", yanchor="bottom", y=0)
    tpl.layout.hoverlabel = dict(font=dict(family=FONT_FAMILY))
    return tpl


def register_template() -> str:
    """Register the ``csc`` Plotly template as the default (idempotent) and return its name.

    As the default, every figure gets it when created, ``make_subplots`` figures included, and
    more cheaply (~0.5 ms) than setting it on each figure.
    """
    if TEMPLATE_NAME not in pio.templates:
        pio.templates[TEMPLATE_NAME] = _build_template()
    pio.templates.default = TEMPLATE_NAME
    return TEMPLATE_NAME


register_template()
