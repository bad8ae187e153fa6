"""Overview (``/``): the headline tiles, as section values (the screen, the CSV and the board pack).

One part, ``body``: a note on what the figures are, the twelve tiles of
:func:`dashboard.tiles.overview_tiles` (each a :class:`~dashboard.sections.base.Tile` drawn as an
Overview card: value, RAG word, change since 7 days before, standard, rule and a link to its page
that keeps the current filters and presentation mode) and a table of the same shown text whose
"Download CSV" is the tiles' CSV. Every text is already through ``view.disclosure`` (see
``dashboard.tiles`` for the rules), so the CSV in presentation mode is exactly what is displayed,
never the raw values.

For the board pack: :func:`headline_tiles` gives the tiles for a view (through the same cache),
:func:`dashboard.tiles.rag_counts` and :func:`dashboard.tiles.week_changes` its summary figures
(:func:`summary` gives both at once).
"""

from __future__ import annotations

from dashboard.cache import cached_call
from dashboard.rag import load_thresholds
from dashboard.tiles import (
    FRAME_COLUMNS,
    overview_tiles_and_gaps,
    rag_counts,
    rag_summary,
    tiles_frame,
    triage_order,
    week_changes,
)
from dashboard.tiles import Tile as HeadlineTile
from dashboard.url_state import ViewState, link, to_query

from .base import Note, PageSpec, Section, Table, Tile, View

#: The pages the tiles link to (the link reads "Open Caseloads →").
PAGE_NAMES = {
    "/caseloads": "Caseloads",
    "/plans": "Plan durations",
    "/cin-pilot": "CIN pilot",
    "/transfers": "Transfers",
    "/jarp": "JARP queue",
}
LEDE = (
    "Headline figures for the as-at date against the practice standards, each with its red/amber/green rating "
    "and the change since 7 days before. Open a tile's page for the detail."
)


def headline_tiles(db, view: View) -> list[HeadlineTile]:
    """The Overview's tiles for ``view`` (disclosed by ``view.disclosure``), through the query cache."""
    return tiles_and_gaps(db, view)[0]


def tiles_and_gaps(db, view: View) -> tuple[list[HeadlineTile], list[tuple[str, str]]]:
    """The tiles in triage order (red first), and (label, why) for each tile this database cannot serve."""
    tiles, gaps = overview_tiles_and_gaps(
        db,
        view.filters,
        disclosure=view.disclosure,
        fetch=lambda fn, f, *args: cached_call(fn, db, f, *args),
        thresholds=load_thresholds(db.standards),
    )
    return triage_order(tiles), gaps


def summary(db, view: View) -> dict:
    """What the pack's one-page summary needs from the Overview: RAG counts, the red tiles, the week's changes."""
    tiles = headline_tiles(db, view)
    return {
        "rag_counts": rag_counts(tiles),
        "red": [f"{t.label}: {t.display}" for t in tiles if t.rag == "red"],
        "changes": week_changes(tiles),
    }


def query_of(view: View) -> str:
    """The query string that restores ``view`` (filters and presentation mode), for links."""
    f = view.filters
    return to_query(ViewState(as_at=f.as_at, services=f.services, teams=f.teams, presentation=view.presentation))


def tile_id(key: str) -> str:
    """``overview-<key with dashes>``: the card's id; its parts add ``-value``, ``-rag``, ``-change``, ``-link``."""
    return "overview-" + key.replace("_", "-")


def section_tile(tile: HeadlineTile, query: str) -> Tile:
    """A headline tile as a section value (shown text only), linking to its page with ``query``."""
    return Tile(
        id=tile_id(tile.key),
        label=tile.label,
        value=tile.display,
        detail=tile.detail or None,
        rag=tile.rag,
        rag_label=tile.rag_label,
        standard=tile.standard,
        change=tile.change_text,
        rule=tile.rule or None,
        href=link(tile.href, query, tile.params, tile.fragment),
        link_text=f"Open {PAGE_NAMES.get(tile.href, 'the page')} →",
        card="headline",
    )


def note_text(view: View) -> str:
    text = (
        f"Figures as at {view.as_at:%d %B %Y}; changes compare with 7 days before. Ratings: the bound itself "
        "counts as the better colour (see each tile's rule)."
    )
    d = view.disclosure
    if d.active:
        text += (
            f" {d.note} A change is not shown where it would reveal a hidden figure, and a hidden percentage, "
            "average or pilot effect is not rated."
        )
    return text


def summary_line(tiles) -> Note:
    """``overview-rag-summary``: how many tiles are red, amber, green and not rated, from the tiles' own
    ratings (so in presentation mode a withheld rating counts as not rated, as its tile shows)."""
    return Note("overview-rag-summary", f"**{rag_summary(rag_counts(tiles))}**, red first below.", kind="markdown")


def body(db, view: View) -> list[Section]:
    """The RAG summary line, the note, the tile grid (``overview-grid``, red first) and the tiles as a table
    (its CSV: ``overview-tiles``)."""
    tiles, gaps = tiles_and_gaps(db, view)
    query = query_of(view)
    table = Table(
        id="overview-tiles",
        title="The figures as a table (and as a CSV)",
        rows=tiles_frame(tiles),
        columns=[{"field": k, "headerName": v} for k, v in FRAME_COLUMNS.items()],
        filename="overview-tiles",
        child_level=False,
        grid=False,
        collapsed=True,
        note="The tiles' text as shown above; the CSV holds exactly these values.",
    )
    return [
        Section(
            id="overview-summary",
            title=None,
            items=(summary_line(tiles), Note("overview-note", note_text(view))),
            card=False,
        ),
        Section(id="overview-grid", title=None, items=tuple(section_tile(t, query) for t in tiles), card=False),
        *(
            [
                Section(
                    id="overview-gaps",
                    title=None,
                    card=False,
                    items=(
                        Note(
                            "overview-left-out",
                            "Not shown, as this database does not hold what they need: "
                            + "; ".join(f"{label} ({why})" for label, why in gaps)
                            + ".",
                            kind="info",
                        ),
                    ),
                )
            ]
            if gaps
            else []
        ),
        # The pack prints the tiles; this table is the screen's CSV and an accessible alternative.
        Section(id="overview-table", title=None, items=(table,), pack=False, card=False),
    ]


PAGE = PageSpec(key="overview", path="/", name="Overview", parts=(("body", body),), lede=LEDE)

__all__ = [
    "PAGE",
    "body",
    "headline_tiles",
    "summary",
    "section_tile",
    "summary_line",
    "tile_id",
    "query_of",
    "PAGE_NAMES",
    "rag_counts",
    "week_changes",
]
