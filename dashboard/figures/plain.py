"""Figures as Plotly's own JSON, built without validating them: the hot path's figure.

Building a ``go.Figure`` validates every property as it is set, and a builder sets many: an
``add_trace(row=, col=)`` or ``update_yaxes(row=, col=)`` on a grid of panels walks the whole
figure each time. That was 20-70 ms of a callback for one figure, where the same figure written
as the dicts Plotly's JSON is made of takes well under a millisecond (issue 17). The browser gets
the same JSON either way.

:class:`PlainFigure` is that JSON with the few building steps the builders use (``add_trace``,
``update_layout``, ``update_xaxes``/``update_yaxes``, ``add_shape``, ``add_annotation``, a grid
of panels from :func:`plain_subplots`). Properties are written nested (``title={"text": ...}``),
never Plotly's underscore shorthand, so what a builder writes is what the browser receives.

Nothing here checks a property name or value: ``tests/test_plain_figures.py`` builds every
plain builder's figure on the fixtures and compares its JSON with a validated ``go.Figure`` made
from it (the *twin*), so a misspelt or ill-typed property fails a test, not a page. Reading a
figure's ``data``/``layout`` (tests do, to check what is drawn) returns that validated twin's, so
Plotly's attribute access keeps working where nobody is waiting for the page.

Every figure carries the dashboard's ``csc`` template (:mod:`dashboard.theme`), one dict shared
by all of them and never changed: what ``go.Figure()`` embeds, computed once.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import plotly.graph_objects as go

from dashboard.theme import register_template

__all__ = ["PlainFigure", "merge", "plain_subplots", "template_json"]


@functools.lru_cache(maxsize=1)
def template_json() -> dict:
    """The ``csc`` template as a figure embeds it (its JSON), built once and shared: never mutate it."""
    register_template()
    return go.Figure().to_plotly_json()["layout"]["template"]


def merge(into: dict, patch: dict) -> dict:
    """``patch`` merged into ``into`` as ``update_layout`` merges: nested dicts merge, anything else replaces."""
    for key, value in patch.items():
        old = into.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            merge(old, value)
        else:
            into[key] = copy.deepcopy(value) if isinstance(value, dict) else value
    return into


class PlainFigure:
    """A Plotly figure held as its JSON: ``traces`` (list of dicts) and ``layout_json`` (dict, no template).

    ``grid`` maps a panel ``(row, col)`` (from 1) to its axis names (``("x2", "y2")``) when the
    figure was made by :func:`plain_subplots`, ``secondary`` a panel with a second y axis
    (``specs=[[{"secondary_y": True}]]``) to that axis's names; a figure without panels has neither.
    """

    __slots__ = ("traces", "layout_json", "grid", "secondary", "_twin")

    def __init__(
        self,
        layout: dict | None = None,
        *,
        grid: dict[tuple[int, int], tuple[str, str]] | None = None,
        secondary: dict[tuple[int, int], tuple[str, str]] | None = None,
    ):
        self.traces: list[dict] = []
        self.layout_json: dict = layout if layout is not None else {}
        self.grid = grid
        self.secondary = secondary or {}
        self._twin: go.Figure | None = None

    # ------------------------------------------------------------------ building

    def _axes(self, row: int | None, col: int | None, secondary_y: bool | None = None) -> tuple[str, str] | None:
        if self.grid is None or (row is None and secondary_y is None):
            return None
        panel = (row or 1, col or 1)
        try:
            return self.secondary[panel] if secondary_y else self.grid[panel]
        except KeyError:
            which = "a second y axis" if secondary_y else "a panel"
            raise ValueError(f"this figure has no {which} at row {panel[0]}, column {panel[1]}") from None

    def axes(self, row: int, col: int = 1, *, secondary_y: bool = False) -> tuple[str, str]:
        """A panel's axis names, e.g. ``("x2", "y2")`` (ValueError for a panel the grid does not have)."""
        axes = self._axes(row, col, secondary_y)
        if axes is None:
            raise ValueError("this figure has no panels")
        return axes

    def add_trace(
        self, trace: dict, row: int | None = None, col: int | None = None, *, secondary_y: bool | None = None
    ) -> PlainFigure:
        """Add one trace (a dict with ``type``); on a grid, to the panel at ``row``/``col`` (its second y axis)."""
        axes = self._axes(row, col, secondary_y)
        if axes is not None:
            trace = {**trace, "xaxis": axes[0], "yaxis": axes[1]}
        self.traces.append(trace)
        self._twin = None
        return self

    def update_layout(self, patch: dict | None = None, **parts: Any) -> PlainFigure:
        """Merge ``patch`` and ``parts`` into the layout (see :func:`merge`)."""
        merge(self.layout_json, {**(patch or {}), **parts})
        self._twin = None
        return self

    def _update_axes(
        self, letter: str, patch: dict, row: int | None, col: int | None, secondary_y: bool | None = None
    ) -> PlainFigure:
        i = 0 if letter == "x" else 1
        if row is None and secondary_y is not None and self.grid is not None:  # every panel's first or second
            refs = [axes[i] for axes in (self.secondary if secondary_y else self.grid).values()]
            names = [f"{letter}axis{ref[1:]}" for ref in dict.fromkeys(refs)]
        elif (axes := self._axes(row, col, secondary_y)) is not None:
            names = [f"{letter}axis{axes[i][1:]}"]
        else:
            names = [k for k in self.layout_json if _is_axis(k, letter)] or [f"{letter}axis"]
        for name in names:
            merge(self.layout_json.setdefault(name, {}), patch)
        self._twin = None
        return self

    def update_xaxes(self, patch: dict | None = None, *, row: int | None = None, col: int | None = None, **parts: Any):
        """Merge settings into one panel's x axis (``row``/``col``) or into every x axis."""
        return self._update_axes("x", {**(patch or {}), **parts}, row, col)

    def update_yaxes(
        self,
        patch: dict | None = None,
        *,
        row: int | None = None,
        col: int | None = None,
        secondary_y: bool | None = None,
        **parts: Any,
    ):
        """Merge settings into one panel's y axis (``row``/``col``; ``secondary_y`` its second) or into every y axis."""
        return self._update_axes("y", {**(patch or {}), **parts}, row, col, secondary_y)

    def add_shape(self, **shape: Any) -> PlainFigure:
        self.layout_json.setdefault("shapes", []).append(shape)
        self._twin = None
        return self

    def add_annotation(self, **annotation: Any) -> PlainFigure:
        self.layout_json.setdefault("annotations", []).append(annotation)
        self._twin = None
        return self

    # ------------------------------------------------------------------ what it is

    def to_plotly_json(self) -> dict:
        """The figure's JSON, the shared template included (what Dash sends and the pack prints)."""
        return {"data": self.traces, "layout": {"template": template_json(), **self.layout_json}}

    def to_json(self) -> str:
        """The JSON text the browser receives (Plotly's encoder, as Dash uses it)."""
        from plotly.io.json import to_json_plotly

        return to_json_plotly(self.to_plotly_json())

    def to_dict(self) -> dict:
        return copy.deepcopy(self.to_plotly_json())

    def validated(self) -> go.Figure:
        """The validated twin: a ``go.Figure`` made from this JSON (raises on an invalid property)."""
        if self._twin is None:
            self._twin = go.Figure(copy.deepcopy(self.to_plotly_json()))
        return self._twin

    @property
    def data(self):
        """The twin's traces (Plotly objects, for reading what is drawn; building never needs them)."""
        return self.validated().data

    @property
    def layout(self):
        """The twin's layout (see :attr:`data`)."""
        return self.validated().layout

    def __repr__(self) -> str:
        return f"PlainFigure({len(self.traces)} traces)"


def _is_axis(key: str, letter: str) -> bool:
    """``xaxis``, ``xaxis2``... for ``letter="x"``."""
    prefix = f"{letter}axis"
    return key.startswith(prefix) and (key == prefix or key[len(prefix) :].isdigit())


def _laid_out(kwargs: dict) -> tuple[dict, dict, dict]:
    """``make_subplots(**kwargs)``'s layout (template left out), panel -> axis names, and the same
    for panels' second y axes."""
    from plotly.subplots import make_subplots

    fig = make_subplots(**kwargs)
    layout = fig.to_plotly_json()["layout"]
    layout.pop("template", None)
    grid: dict[tuple[int, int], tuple[str, str]] = {}
    secondary: dict[tuple[int, int], tuple[str, str]] = {}
    for r, row in enumerate(fig._grid_ref or ()):
        for c, cell in enumerate(row):
            for panels, ref in zip((grid, secondary), cell or (), strict=False):
                xaxis, yaxis = ref.layout_keys
                panels[(r + 1, c + 1)] = (xaxis.replace("axis", ""), yaxis.replace("axis", ""))
    return layout, grid, secondary


_GRIDS: dict[str, tuple[dict, dict, dict]] = {}
_GRIDS_KEPT = 256


def plain_subplots(**kwargs: Any) -> PlainFigure:
    """A :class:`PlainFigure` laid out as ``plotly.subplots.make_subplots(**kwargs)`` lays it out.

    The grid (domains, axes, panel titles) is Plotly's own, computed once per set of arguments
    (titles, counts and spacings: plain values with exact reprs); each figure gets a deep copy.
    """
    key = repr(sorted(kwargs.items()))
    made = _GRIDS.get(key)
    if made is None:
        made = _laid_out(kwargs)
        if len(_GRIDS) < _GRIDS_KEPT:  # a few dozen shapes of grid in all; a stray one is not kept
            _GRIDS[key] = made
    layout, grid, secondary = made
    return PlainFigure(copy.deepcopy(layout), grid=dict(grid), secondary=dict(secondary))
