"""Pure figure builders: tidy DataFrame in, Plotly figure JSON out (a ``plain.PlainFigure``), one module per page.

Builders never query and never import Dash, so they are unit-tested without a browser.
Shared pieces (template, standard lines, accessible summaries) are in ``common``; disclosure control is
``dashboard.disclosure``.
"""
