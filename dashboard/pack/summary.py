"""The pack's one-page summary, from the Overview's tiles (already through the disclosure rules).

* **RAG counts**: how many headline figures are red, amber, green, and not rated.
* **What is red**: each red tile, its value and its standard.
* **What changed in the week**: the tiles whose figure moved since the same day a week before,
  those that got worse first (the tile's change text says "worse"/"better" against its standard).
* **Three findings that matter most**: the red tiles, then the amber ones, then those that got
  worse in the week, in the Overview's order (which is the order of the pages), each with the page
  of the pack that explains it. A rating is the dashboard's judgement against a standard, so it
  ranks what a board should look at first; within a colour the Overview's order stands.

Uses the Overview's helpers where they exist (``dashboard.tiles.rag_counts`` and ``week_changes``
on ``dashboard.sections.overview.headline_tiles``), else reads the tiles' own text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from data_layer.vocabulary import RAG_BANDS

log = logging.getLogger(__name__)

RATINGS = RAG_BANDS.codes


def fallback_tiles(db, filters) -> list[Any]:
    """The Overview's tiles when its sections module is not there yet: ``dashboard.tiles.overview_tiles``
    in presentation mode, as :class:`~dashboard.sections.base.Tile` values (empty when that fails too)."""
    from dashboard.cache import cached_call
    from dashboard.sections.base import Tile

    try:
        from dashboard.tiles import overview_tiles

        old = overview_tiles(db, filters, presentation=True, fetch=lambda fn, f, *a: cached_call(fn, db, f, *a))
    except Exception as exc:  # noqa: BLE001 - the summary says the tiles are missing
        log.warning("board pack: the overview tiles could not be computed (%s)", type(exc).__name__)
        return []
    return [
        Tile(
            id=f"tile-{t.key}",
            label=t.label,
            value=t.display,
            detail=t.detail or None,
            rag=t.rag,
            rag_label=t.rag_label,
            standard=t.standard,
            change=t.change_text or None,
            rule=t.rule or None,
            href=t.href,
        )
        for t in old
    ]


def rag_counts(tiles: Sequence[Any]) -> dict[str, int]:
    """{"red": n, "amber": n, "green": n, "none": n}: ``dashboard.tiles.rag_counts`` when it exists."""
    helper: Callable[[Iterable[Any]], dict[str, int]] | None
    try:
        from dashboard.tiles import rag_counts as helper
    except ImportError:
        helper = None
    counts = None
    if helper is not None:
        try:
            counts = dict(helper(list(tiles)))
        except Exception as exc:  # noqa: BLE001 - a helper with another signature: count here
            log.warning("board pack: tiles.rag_counts failed (%s); counting in the pack", type(exc).__name__)
    if not isinstance(counts, Mapping) or not all(k in counts for k in RATINGS):
        counts = {k: sum(1 for t in tiles if t.rag == k) for k in RATINGS}
    out = {k: int(counts.get(k, 0)) for k in RATINGS}
    out["none"] = len(tiles) - sum(out.values())
    return out


def _words(text: str | None) -> set[str]:
    import re

    return {w for w in re.findall(r"[a-z0-9]+", (text or "").lower()) if len(w) > 2}


def _restates(detail: str | None, label: str) -> bool:
    """The detail says little more than the label ("Open children without a qualified key worker")."""
    new = _words(detail) - _words(label) - {"open"}
    return len(new) <= 1 and not any(w.isdigit() for w in new)


def _path(href: str | None) -> str | None:
    return (href or "").split("?", 1)[0].split("#", 1)[0] or None


def _worse(change: str | None) -> bool | None:
    text = (change or "").lower()
    if "(worse)" in text:
        return True
    if "(better)" in text:
        return False
    return None


def _moved(change: str | None) -> bool:
    """The figure went up or down (the change text starts with its arrow; a hidden change has none)."""
    return (change or "").lstrip().startswith(("▲", "▼"))


def week_lines(db, view) -> list[str] | None:
    """``dashboard.tiles.week_changes`` of the Overview's tiles ("Label: value, ▲ up ... (worse)", worse
    first), or ``None`` when those helpers are not there (then :func:`summarise` reads the tiles' text)."""
    try:
        from dashboard.sections.overview import headline_tiles
        from dashboard.tiles import week_changes

        return list(week_changes(headline_tiles(db, view)))
    except Exception as exc:  # noqa: BLE001 - the summary falls back to the tiles' own change text
        log.warning("board pack: the week's changes come from the tiles' text (%s)", type(exc).__name__)
        return None


def _change_entries(tiles: Sequence[Any], lines: Sequence[str] | None) -> list[dict]:
    """{"label", "text"} per tile that moved in the week, worse first."""
    if lines is not None:
        out = []
        for line in lines:
            label = next((t.label for t in tiles if line.startswith(f"{t.label}: ")), None)
            out.append({"label": label, "text": line[len(label) + 2 :] if label else line})
        return out
    moved = sorted((t for t in tiles if _moved(t.change)), key=lambda t: {True: 0, None: 1, False: 2}[_worse(t.change)])
    return [{"label": t.label, "text": f"{t.value}, {t.change}"} for t in moved]


def summarise(tiles: Sequence[Any], pages: Sequence[dict], toc, week: Sequence[str] | None = None) -> dict:
    """The summary page's content (see the module docstring); ``week``: :func:`week_lines`."""
    toc_by_path = {p.get("path"): p.get("toc") for p in pages if p.get("path")}

    def entry(t) -> dict:
        return {
            "label": t.label,
            "value": t.value,
            "rag": t.rag,
            "rag_label": t.rag_label,
            "standard": t.standard,
            "detail": None if _restates(t.detail, t.label) else t.detail,
            "change": t.change if _moved(t.change) else None,
            "toc": toc_by_path.get(_path(t.href)),
        }

    counts = rag_counts(tiles)
    red = [entry(t) for t in tiles if t.rag == "red"]
    moved = [t for t in tiles if _moved(t.change)]
    changes = _change_entries(tiles, week)
    findings: list[dict] = []
    seen: set = set()
    for group in (
        [t for t in tiles if t.rag == "red"],
        [t for t in tiles if t.rag == "amber"],
        [t for t in moved if _worse(t.change)],
    ):
        for t in group:
            if len(findings) < 3 and t.id not in seen:
                seen.add(t.id)
                findings.append(entry(t))
    return {"counts": counts, "tiles": len(tiles), "red": red, "changes": changes, "findings": findings}


__all__ = ["summarise", "rag_counts", "fallback_tiles", "week_lines"]
