"""Each page's content as pure functions of (database, view): the one model every output uses.

``dashboard.sections.<page>`` defines ``PAGE``, a :class:`~dashboard.sections.base.PageSpec`
whose parts are functions ``part(db, view) -> list[Section]``. The page module in ``dashboard/pages/``
only lays out controls and renders those values (``dashboard.render``); the CSV download and the
board pack call the same parts (:func:`compute`), through the same cache, so a number cannot
differ between the screen, the CSV and the pack.
"""

from __future__ import annotations

import hashlib
import importlib
import logging

from dashboard.cache import max_text_chars, remembered
from dashboard.text_bounds import ELLIPSIS, collecting, stop_collecting
from data_layer import DatabaseError, MissingData

from .base import Chart, Note, PageSpec, Section, Table, Tile, View, find_item

log = logging.getLogger(__name__)

#: Page modules in navbar order (each defines ``PAGE``).
PAGE_MODULES = ("overview", "caseloads", "plans", "cin_pilot", "transfers", "jarp")
#: Pages served on screen only: not in the navbar, nor the board pack (which has its own appendix).
SCREEN_ONLY_MODULES = ("data_quality",)


def pages() -> list[PageSpec]:
    """Every page's spec, in navbar order."""
    return [importlib.import_module(f"{__name__}.{m}").PAGE for m in PAGE_MODULES]


def page(key: str) -> PageSpec:
    """The spec of page ``key`` (``KeyError`` for an unknown key: callers validate first)."""
    if not isinstance(key, str) or key not in PAGE_MODULES + SCREEN_ONLY_MODULES:
        raise KeyError(key)
    return importlib.import_module(f"{__name__}.{key}").PAGE


GENERIC_PROBLEM = "This part could not be prepared because of an unexpected error."


def compute(spec: PageSpec, part: str, db, view: View) -> list[Section]:
    """One part of a page for ``view``, through the app's cache (the render, the CSV and the pack share it).

    Errors are not cached and propagate: the caller decides how to show them.
    """
    fn = spec.part(part)

    def key() -> str:
        raw = f"sections|{spec.key}|{part}|{id(db)}|{view!r}"
        return "s:" + hashlib.sha256(raw.encode()).hexdigest()

    return remembered(key, lambda: _with_shortened_note(spec, part, fn, db, view))


def _with_shortened_note(spec: PageSpec, part: str, fn, db, view: View) -> list[Section]:
    """The part's sections, plus a note at the end when a frame it read had text shortened."""
    seen, token = collecting()
    try:
        sections = fn(db, view)
    finally:
        stop_collecting(token)
    if seen:
        sections = [*sections, shortened_note(f"{spec.key}-{part}", max_text_chars())]
    return sections


def shortened_note(section_id: str, max_chars: int | None = None) -> Section:
    """The line a part ends with when some of its names or codes were cut (``dashboard.text_bounds``)."""
    limit = f"longer than {max_chars} characters" if max_chars else "too long to show"
    return Section(
        id=f"{section_id}-shortened",
        title=None,
        card=False,
        items=(
            Note(
                id=f"{section_id}-shortened-note",
                text=f'Some names or codes are {limit} and are shortened here (they end in "{ELLIPSIS}").',
                kind="warning",
            ),
        ),
    )


def missing_section(spec: PageSpec, part: str, exc: MissingData) -> Section:
    """What a part shows when the database does not hold what it needs: the data layer's plain
    sentence ("CIN plan reviews are not in the SSD: review drift cannot be shown"), not an error."""
    return Section(
        id=f"{spec.key}-{part}-missing",
        title=None,
        card=False,
        items=(Note(id=f"{spec.key}-{part}-missing-note", text=str(exc), kind="info"),),
    )


def compute_or_missing(spec: PageSpec, part: str, db, view: View) -> list[Section]:
    """:func:`compute`, or the statement of what is missing (partial data); other errors propagate."""
    try:
        return compute(spec, part, db, view)
    except MissingData as exc:
        return [missing_section(spec, part, exc)]


def compute_safely(spec: PageSpec, part: str, db, view: View) -> list[Section]:
    """:func:`compute`, with a failure turned into one section that says so (for the pack)."""
    try:
        return compute_or_missing(spec, part, db, view)
    except DatabaseError as exc:
        return [Section(id=f"{spec.key}-{part}-problem", title=None, problem=str(exc))]
    except Exception as exc:  # noqa: BLE001 - one failing part must not lose the rest
        log.error("sections %s.%s failed: %s", spec.key, part, type(exc).__name__)
        return [Section(id=f"{spec.key}-{part}-problem", title=None, problem=GENERIC_PROBLEM)]


def all_sections(spec: PageSpec, db, view: View) -> list[Section]:
    """Every part of a page with its default controls (what the pack shows)."""
    v = view.with_controls(**{k: d for k, (d, _) in spec.controls.items()}) if spec.controls else view
    out: list[Section] = []
    for name, _ in spec.parts:
        out += compute_safely(spec, name, db, v)
    return out


__all__ = [
    "pages",
    "page",
    "compute",
    "compute_or_missing",
    "compute_safely",
    "missing_section",
    "all_sections",
    "PAGE_MODULES",
    "SCREEN_ONLY_MODULES",
    "Chart",
    "Tile",
    "Table",
    "Note",
    "Section",
    "View",
    "PageSpec",
    "find_item",
]
