"""The board pack: one self-contained HTML file, or an A4 landscape PDF of it, of the whole dashboard.

Directors take the dashboard's figures to the board, and board papers are often published, so
the pack is **always in presentation mode** whatever the screen shows: no child-level lists, no
worker names, counts of 1..4 shown as "<5" (``db.standards.suppress_below``), and every figure
worked out from one hidden too (``dashboard.disclosure``), data-quality appendix included.

How it is made: :mod:`dashboard.pack.build` iterates every page's sections
(``dashboard.sections.pages()`` and ``all_sections``) for a presentation-mode view and renders
those values itself: no page callback runs, no component tree is read, so the pack shows exactly
what the pages show. :mod:`dashboard.pack.summary` writes the one-page summary from the Overview's
tiles; :mod:`dashboard.pack.figure` sizes each figure for A4 landscape; :mod:`dashboard.pack.pdf`
prints with headless Chromium, twice, to number the contents.

Contents of the pack: cover; summary (RAG counts, what is red, what changed in the week, the three
findings that matter most); contents (page numbers in the PDF); one section per dashboard page,
each starting on a new page; methods; data-quality appendix.

Output: plotly.js is inlined once in ``<head>``; every chart is a ``Plotly.newPlot`` call on its
embedded JSON, so the file works offline. ``--out *.pdf`` prints it with headless Chromium
(``chromium`` on PATH or /usr/bin/chromium); without it the export fails with a message saying so.
Any other name gets the HTML.

Entry points: :func:`export_pack` (``csc-dashboard export``: a checked database and a bare Flask
app for the query cache, no Dash app), :func:`build_pack` (the HTML string; the shell's "Board
pack" button, :mod:`dashboard.pack.button`, uses it).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import Flask

from dashboard.cache import cached_call, init_cache
from dashboard.context import install
from dashboard.filters import load_filter_options
from dashboard.settings import Settings
from dashboard.startup import StartupError, prepare_database
from dashboard.url_state import FilterOptions, validate
from data_layer import DatabaseError, Filters
from data_layer.queries.reference import NO_DATED_RECORDS

from .build import PackContent, gather, render
from .pdf import ExportError, print_pack, require_chromium

__all__ = [
    "export_pack",
    "build_pack",
    "write_pdf",
    "resolve_filters",
    "pack_filename",
    "ExportError",
    "FilterError",
]

log = logging.getLogger(__name__)


class FilterError(ExportError):
    """The export's filters name a date, team or service the data does not have."""


# --------------------------------------------------------------------------- the pack


def _filter_texts(filters: Filters, options: FilterOptions | None) -> tuple[str, str]:
    labels = dict(options.teams) if options else {}
    teams = ", ".join(labels.get(t, t) for t in filters.teams) or "All teams"
    services = ", ".join(filters.services) or "All services"
    return teams, services


def _renderer(db, filters: Filters, settings: Settings | None, options: FilterOptions | None, content: PackContent):
    settings = settings or Settings()
    teams_text, services_text = _filter_texts(filters, options)
    kwargs: dict[str, Any] = dict(
        title=settings.title,
        as_at_text=f"{filters.as_at:%-d %B %Y}",
        teams_text=teams_text,
        services_text=services_text,
        synthetic=bool(getattr(db, "is_demo", False)),
        produced=f"{datetime.now():%-d %B %Y %H:%M}",
    )

    def to_html(pages: dict[int, int] | None = None, *, print_marks: bool = False, plots: bool = True) -> str:
        return render(content.number(pages or {}), print_marks=print_marks, plots=plots, **kwargs)

    return to_html


def build_pack(db, filters: Filters, settings: Settings | None = None, options: FilterOptions | None = None) -> str:
    """The pack as one HTML string for ``filters``, always in presentation mode.

    Call inside a Flask app context that has a cache (the app's, or :func:`pack_context`'s) to
    answer repeated queries once; outside one, every query runs afresh.
    """
    return _renderer(db, filters, settings, options, gather(db, filters))()


def write_pdf(
    db, filters: Filters, target: Path, settings: Settings | None = None, options: FilterOptions | None = None
) -> dict[int, int]:
    """Print the pack to ``target`` (PDF); returns contents entry -> page."""
    require_chromium()  # before the work: says how to get one
    to_html = _renderer(db, filters, settings, options, gather(db, filters))
    return print_pack(lambda pages, draft: to_html(pages, print_marks=True, plots=not draft), target)


def pack_filename(filters: Filters, suffix: str = "html") -> str:
    return f"board-pack-{filters.as_at.isoformat()}.{suffix}"


# --------------------------------------------------------------------------- CLI


@contextmanager
def pack_context(db, settings: Settings) -> Iterator[None]:
    """A bare Flask app context with the database, settings and a query cache: the sections read them
    the way they do in the dashboard, and the many parts asking the same question query once."""
    server = Flask(__name__)
    install(server, db, settings)
    init_cache(server, settings.cache_seconds, settings.cache_max_mb, settings.cache_url)
    with server.app_context():
        yield


def resolve_filters(options: FilterOptions, as_at: date | None, teams, services) -> Filters:
    """Validate the CLI's filters with the shell's rules; anything unknown is an error, not dropped.

    With no dated records in the data there is no as-at date to default to: ``--as-at`` is required.
    """
    if as_at is None and not options.dated:
        raise FilterError(f"{NO_DATED_RECORDS}, so there is no as-at date to default to: give --as-at.")
    state = validate(as_at.isoformat() if as_at else None, list(services or ()), list(teams or ()), True, options)
    if state.notices:
        raise FilterError(" ".join(state.notices))
    return state.filters


def export_pack(out: str, as_at: date | None = None, teams=(), services=(), url: str | None = None) -> int:
    """``csc-dashboard export``: write the pack to ``out`` (``.pdf`` -> PDF, else HTML); exit code.

    0 written; 1 the database is unusable or the PDF could not be printed; 2 bad filters.
    """
    started = time.perf_counter()
    try:
        settings = Settings.from_env()
        db = prepare_database(url, settings)
    except StartupError as exc:  # a bad setting (SettingsError) too
        print(f"The board pack could not be made.\n{exc}", file=sys.stderr)
        return 1
    target = Path(out)
    try:
        with pack_context(db, settings):
            options = cached_call(load_filter_options, db)
            filters = resolve_filters(options, as_at, teams, services)
            if target.suffix.lower() == ".pdf":
                write_pdf(db, filters, target, settings, options)
            else:
                target.write_text(build_pack(db, filters, settings, options), encoding="utf-8")
    except ExportError as exc:
        print(f"The board pack could not be made. {exc}", file=sys.stderr)
        return 2 if isinstance(exc, FilterError) else 1
    except DatabaseError as exc:
        print(f"The board pack could not be made. {exc}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    log.info(
        "board pack written to %s (%.1f s, %s bytes)",
        target,
        time.perf_counter() - started,
        f"{target.stat().st_size:,}",
    )
    return 0
