"""Fill the query cache before anyone asks: the default view and the week before, every page part.

Why: at national size some parts cannot be computed within a second (the pilot's evaluation over
100k plans, the Overview's tiles as at two dates), so they are computed ahead instead of while a
head of service waits. What is warmed is what most requests ask: every page's parts, with their
default controls, for all teams as at the latest date in the data (the default as-at date) and
seven days before it (the Overview's week-before figures, and a manager's "last week").

The query results are kept (:func:`dashboard.cache.cached_call`, in Redis too with
``CSC_CACHE_URL``), and, in the process that warms, the page parts themselves (the sections with
their figures: :func:`dashboard.sections.compute`); only the components are drawn per request.
Two ways to run it:

* ``csc-dashboard warm`` fills the shared cache (``CSC_CACHE_URL``) that every server process
  reads; without one there is no cache another process could read, so it refuses to run.
* ``CSC_WARM_ON_START=1``: each server process starts a background thread (:class:`Warmer`) that
  fills its cache at start, then refreshes it each time the cache's lifetime
  (``CSC_CACHE_SECONDS``) is nearly up, so the default view does not go cold. With a shared cache
  one process refreshes per period (a Redis lock); the others read what it wrote. A pass at national
  size is minutes of work, so there ``CSC_CACHE_SECONDS`` should be the time between data loads.

A part that fails is reported by page and part name (the request that asks for it later gets the
page's usual message); nothing is logged of the data.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, timedelta

from data_layer import Filters

from .cache import cached_call, refreshing
from .filters import load_filter_options
from .sections import PAGE_MODULES, SCREEN_ONLY_MODULES, compute_safely, page
from .sections.base import View

__all__ = ["WARM_DAYS_BEFORE", "WarmReport", "Warmer", "start_warmer", "warm_dates", "warm_cache"]

log = logging.getLogger(__name__)

#: The second date warmed: the week before the latest, as the Overview's changes compare.
WARM_DAYS_BEFORE = 7
#: A refresh starts this share of the cache's lifetime after the last one, so it ends before expiry.
REFRESH_SHARE = 0.8


@dataclass(frozen=True)
class WarmReport:
    """What one warming pass did: the dates, the parts computed, those that failed, and its time."""

    dates: tuple[date, ...]
    parts: int
    problems: tuple[str, ...] = ()
    seconds: float = 0.0

    def format(self) -> str:
        days = " and ".join(f"{d:%d %B %Y}" for d in self.dates) or "no date"
        lines = [f"Warmed {self.parts} page parts for all teams as at {days} in {self.seconds:.1f} s."]
        if self.problems:
            lines.append(f"{len(self.problems)} parts could not be computed (they are computed when asked):")
            lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)


def warm_dates(latest: date, earliest: date | None) -> tuple[date, ...]:
    """The latest date and the week before it (left out when the data starts after it)."""
    before = latest - timedelta(days=WARM_DAYS_BEFORE)
    return (latest,) if earliest is not None and before < earliest else (latest, before)


def warm_cache(db, *, refresh: bool = False) -> WarmReport:
    """Compute every page part for the default views (:func:`warm_dates`), inside an app context with a cache.

    ``refresh=True`` recomputes results that are cached already (a refresh before they expire).
    """
    started = time.perf_counter()
    with refreshing() if refresh else nullcontext():
        options = cached_call(load_filter_options, db)
        dates = warm_dates(options.latest, options.earliest) if options.dated else ()
        parts, problems = 0, []
        for as_at in dates:
            base = View.make(Filters(as_at=as_at), threshold=db.standards.suppress_below)
            for spec in (page(key) for key in PAGE_MODULES + SCREEN_ONLY_MODULES):  # the data-quality page too
                # the controls as the page's address without a query sets them (the first pilot, ...)
                view = base.with_controls(**spec.validate_controls({}, db)) if spec.controls else base
                for name, _ in spec.parts:
                    sections = compute_safely(spec, name, db, view)
                    parts += 1
                    problems += [f"{spec.key}.{name} as at {as_at:%d %b %Y}" for s in sections if s.problem]
    return WarmReport(dates, parts, tuple(problems), time.perf_counter() - started)


@dataclass
class Warmer:
    """The background warming of one server process (``CSC_WARM_ON_START=1``): a daemon thread that
    warms at once, then refreshes every :data:`REFRESH_SHARE` of ``seconds``.

    ``lock`` (with a shared cache): ``lock(ttl) -> bool``, true for the one process that refreshes
    this period. ``first_pass`` is set when the first pass has ended; nothing in a request waits
    for it (a request before then computes what it needs, as without warming)."""

    run_pass: Callable[[bool], WarmReport]
    seconds: float
    lock: Callable[[float], bool] | None = None
    first_pass: threading.Event = field(default_factory=threading.Event)
    stopped: threading.Event = field(default_factory=threading.Event)
    last: WarmReport | None = None

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self._loop, name="csc-warm", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.stopped.set()

    def _loop(self) -> None:
        self._pass(refresh=False)
        self.first_pass.set()
        period = max(1.0, self.seconds * REFRESH_SHARE)
        while not self.stopped.wait(period):
            if self.lock is None or self.lock(period):
                self._pass(refresh=True)

    def _pass(self, refresh: bool) -> None:
        try:
            self.last = self.run_pass(refresh)
        except Exception as exc:  # noqa: BLE001 - the warmer must never take the server down; the type only
            log.error("cache warming failed: %s", type(exc).__name__)
            return
        log.info(
            "cache %s: %d page parts in %.1f s, %d could not be computed",
            "refreshed" if refresh else "warmed",
            self.last.parts,
            self.last.seconds,
            len(self.last.problems),
        )


def start_warmer(server, db, seconds: float) -> Warmer:
    """Start the background warmer of this process on ``server``'s cache (kept in its extensions)."""
    from .shared_cache import TieredCache

    def run_pass(refresh: bool) -> WarmReport:
        with server.app_context():
            return warm_cache(db, refresh=refresh)

    cache = server.extensions.get("csc_cache")
    lock = None
    if isinstance(cache, TieredCache):
        shared = cache.shared

        def lock(ttl: float) -> bool:
            try:
                return bool(shared.client.set(shared.prefix + "warm-lock", os.getpid(), nx=True, ex=max(1, int(ttl))))
            except Exception as exc:  # noqa: BLE001 - Redis away: refresh our own cache rather than none
                log.warning("cache warming lock unavailable (%s): refreshing this process's cache", type(exc).__name__)
                return True

    warmer = Warmer(run_pass, seconds, lock)
    server.extensions["csc_warmer"] = warmer
    warmer.start()
    return warmer


def warm_command(url: str | None = None) -> int:
    """``csc-dashboard warm``: fill the shared cache once; exit code 0 warmed, 1 unusable database or
    setting, 2 no shared cache to fill (``CSC_CACHE_URL`` unset or the cache turned off)."""
    import sys

    from .pack.export import pack_context
    from .settings import Settings, StartupError
    from .startup import prepare_database

    try:
        settings = Settings.from_env()
        if not settings.cache_url or not (settings.cache_seconds and settings.cache_max_mb):
            print(
                "csc-dashboard warm fills the cache shared by the server's processes, and there is none: set "
                "CSC_CACHE_URL=redis://host:6379/0 (and keep CSC_CACHE_SECONDS and CSC_CACHE_MAX_MB above 0), "
                "or set CSC_WARM_ON_START=1 for each server process to warm its own.",
                file=sys.stderr,
            )
            return 2
        db = prepare_database(url, settings)
    except StartupError as exc:  # a bad setting (SettingsError) too
        print(f"The cache could not be warmed.\n{exc}", file=sys.stderr)
        return 1
    try:
        with pack_context(db, settings):
            report = warm_cache(db)
    finally:
        db.dispose()
    print(report.format())
    return 0
