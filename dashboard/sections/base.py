"""The values every page is made of: :class:`Chart`, :class:`Tile`, :class:`Table`, :class:`Note`, :class:`Section`.

A page's content is a pure function ``part(db, view) -> list[Section]`` (one module per page in
``dashboard.sections``), which unit tests call without a Dash app. Everything a reader sees (a
title, a finding, hover text, a CSV, a tile) is in these values, already through the view's
:class:`~dashboard.disclosure.Disclosure`, so the screen (``dashboard.render``), the CSV download
and the board pack show the same thing and none of them formats a number of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from dashboard.disclosure import Disclosure
from data_layer import Filters


@dataclass(frozen=True)
class View:
    """What a section is computed for: the filters, presentation mode, the disclosure rules and page controls.

    ``detail_teams``: the teams whose child-level rows this viewer may see (a manager's teams, set on
    the server from their role, :mod:`dashboard.auth`); ``None`` = every team's rows.
    """

    filters: Filters
    presentation: bool = False
    disclosure: Disclosure = field(default_factory=Disclosure)
    controls: tuple[tuple[str, str], ...] = ()
    detail_teams: frozenset[str] | None = None

    @classmethod
    def make(
        cls,
        filters: Filters,
        *,
        presentation: bool = False,
        threshold: int = 5,
        controls: Mapping[str, str] | None = None,
        detail_teams: frozenset[str] | None = None,
    ) -> View:
        return cls(
            filters=filters,
            presentation=presentation,
            disclosure=Disclosure(threshold=threshold, active=presentation),
            controls=tuple(sorted((controls or {}).items())),
            detail_teams=detail_teams,
        )

    @property
    def as_at(self) -> date:
        return self.filters.as_at

    def control(self, key: str, default: str | None = None) -> str | None:
        return dict(self.controls).get(key, default)

    def with_controls(self, **controls: str) -> View:
        merged = {**dict(self.controls), **controls}
        return View(self.filters, self.presentation, self.disclosure, tuple(sorted(merged.items())), self.detail_teams)


@dataclass(frozen=True, eq=False)
class Chart:
    """One chart: its figure and everything said about it.

    ``table`` is what the chart is drawn from and what "Download CSV" gives: in presentation
    mode exactly the displayed values (built with ``view.disclosure.table``). ``empty`` says
    why there is nothing to draw (then the pack prints it instead of a finding).
    """

    id: str
    title: str
    figure: Any
    table: pd.DataFrame
    finding: str = ""
    summary: str = ""
    note: str | None = None
    standard: str | None = None
    filename: str | None = None
    empty: str | None = None
    width: int = 12
    config: Mapping[str, Any] | None = None

    @property
    def csv_name(self) -> str:
        name = self.filename or self.id
        return name if name.endswith(".csv") else f"{name}.csv"


@dataclass(frozen=True, eq=False)
class Tile:
    """A headline figure: ``value`` is display text (already disclosed).

    ``card``: ``"stat"`` (a compact stat tile, ``render.tile_card``) or ``"headline"`` (the
    Overview's card with RAG word, change, standard, rule and link: ``render.overview_tile_card``).
    """

    id: str
    label: str
    value: str
    detail: str | None = None
    rag: str | None = None
    rag_label: str | None = None
    standard: str | None = None
    change: str | None = None
    rule: str | None = None
    href: str | None = None
    link_text: str | None = None
    card: str = "stat"


@dataclass(frozen=True, eq=False)
class Table:
    """A table of rows. ``child_level`` tables are for managers: not shown in presentation mode.

    ``columns`` are AG Grid column definitions; ``rows`` holds at least their fields, most
    urgent first. ``total_rows`` (when larger than ``len(rows)``) says the list was capped.
    ``grid=False`` draws a plain HTML table (aggregate tables such as exclusions); ``collapsed``
    folds it under its title (the data-quality note). ``link`` (text, path): a link under the table
    to another page of the dashboard, keeping the filters (at most one link to a path per page).
    """

    id: str
    title: str | None
    rows: pd.DataFrame
    columns: Sequence[Mapping[str, Any]]
    filename: str | None = None
    child_level: bool = True
    total_rows: int | None = None
    note: str | None = None
    grid: bool = True
    collapsed: bool = False
    link: tuple[str, str] | None = None

    @property
    def csv_name(self) -> str:
        name = self.filename or self.id
        return name if name.endswith(".csv") else f"{name}.csv"

    @property
    def csv_table(self) -> pd.DataFrame:
        fields = [c["field"] for c in self.columns if "field" in c]
        return self.rows[[f for f in fields if f in self.rows.columns]]


@dataclass(frozen=True, eq=False)
class Note:
    """A sentence or a paragraph. ``kind``: ``muted`` (small grey), ``info``/``warning`` (an alert),
    ``markdown`` (a text in Markdown), ``method`` (Markdown folded on screen under "How this is worked
    out": the statistics and definitions behind a page, so the page itself reads in plain words; the
    pack prints it as a text block)."""

    id: str
    text: str
    kind: str = "muted"


@dataclass(frozen=True, eq=False)
class Section:
    """A titled group of items, drawn as a card on screen and a block (or page) in the pack.

    ``problem`` replaces the items with a message when the section could not be computed (the
    rest of the page still shows). ``pack=False`` keeps it off the board pack (child-level lists).
    """

    id: str
    title: str | None
    items: tuple = ()
    lede: str | None = None
    problem: str | None = None
    pack: bool = True
    card: bool = True

    @property
    def charts(self) -> list[Chart]:
        return [i for i in self.items if isinstance(i, Chart)]

    @property
    def tiles(self) -> list[Tile]:
        return [i for i in self.items if isinstance(i, Tile)]

    @property
    def tables(self) -> list[Table]:
        return [i for i in self.items if isinstance(i, Table)]

    @property
    def notes(self) -> list[Note]:
        return [i for i in self.items if isinstance(i, Note)]


Part = Callable[[Any, View], list[Section]]


@dataclass(frozen=True)
class PageSpec:
    """A page's content: its parts in order (each one callback on screen), and its controls.

    ``controls`` maps a control name to (default, allowed values); :meth:`validate_controls`
    keeps a hostile or stale value from ever reaching a part. Allowed values that depend on the
    database (the pilots named in its standards file) are a callable ``allowed(db)``: resolved by
    :meth:`choices` when a ``db`` is given; without one such a control only takes its default.
    """

    key: str
    path: str
    name: str
    parts: tuple[tuple[str, Part], ...]
    controls: Mapping[str, tuple[str, tuple[str, ...] | Callable[[Any], Sequence[str]]]] = field(default_factory=dict)
    lede: str = ""

    def intro(self, standards) -> str:
        """The page's lede with the standards in force filled in (``{s.caseload_per_fte:g}``), so an
        authority's standards file changes the words as well as the figures."""
        return self.lede.format(s=standards) if "{" in self.lede else self.lede

    def part(self, name: str) -> Part:
        for key, fn in self.parts:
            if key == name:
                return fn
        raise KeyError(name)

    def choices(self, db=None) -> dict[str, tuple[str, tuple[str, ...]]]:
        """Each control's (default, allowed values), with database-dependent values resolved for ``db``.

        A database-dependent control whose default is not one of its values defaults to the first
        (the pilot selector's ``""`` is the first pilot): the view is then the one the page's own
        selector sends, so a warmed or cached part is found under the same key."""
        out = {}
        for key, (default, allowed) in self.controls.items():
            if callable(allowed):
                allowed = tuple(allowed(db)) if db is not None else ()
                if allowed and default not in allowed:
                    default = allowed[0]
            out[key] = (default, tuple(allowed))
        return out

    def validate_controls(self, raw: Mapping | None, db=None) -> dict[str, str]:
        raw = raw if isinstance(raw, Mapping) else {}
        out = {}
        for key, (default, allowed) in self.choices(db).items():
            value = raw.get(key)
            out[key] = value if isinstance(value, str) and value in allowed else default
        return out

    def from_query(self, query: Mapping | None, db=None) -> dict[str, str]:
        """The controls as an address sets them (a page's ``layout(**query)``): the query key is the
        control's name, the last value counts, and a hostile or unknown one falls back to the default."""
        raw = {k: (v[-1] if v else None) if isinstance(v, list) else v for k, v in (query or {}).items()}
        return self.validate_controls(raw, db)


def find_item(sections: Sequence[Section], item_id: str):
    """The chart or table with ``item_id`` in ``sections`` (``None`` when absent)."""
    for s in sections:
        for item in s.items:
            if isinstance(item, (Chart, Table)) and item.id == item_id:
                return item
    return None


__all__ = ["View", "Chart", "Tile", "Table", "Note", "Section", "PageSpec", "Part", "find_item"]
