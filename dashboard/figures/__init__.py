"""Pure figure builders: tidy DataFrame in, ``plotly.graph_objects.Figure`` out, one module per page.

Builders never query and never import Dash, so they are unit-tested without a browser.
Shared pieces (template, standard lines, accessible summaries) are in ``common``; disclosure control is
``dashboard.disclosure``.
"""
