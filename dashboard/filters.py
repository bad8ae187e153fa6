"""The global filters of a request: the data's choices (dates, teams, services) and the store checked against them.

The shell draws its controls from :func:`filter_options`; every server-side reader of the filters
store (page parts, CSV downloads, the board pack button) goes through :func:`state_from_store`,
because the browser can send anything. It sits below the shell, the views and the pack so that
each of them can import it without importing one another.
"""

from __future__ import annotations

import logging
from datetime import date

from dash.exceptions import PreventUpdate

from data_layer import DatabaseError, date_range, team_options
from data_layer.queries.reference import NO_DATED_RECORDS

from .auth import current_user
from .cache import cached_call, max_text_chars
from .context import get_db, get_settings
from .payloads import MAX_TEXT, filters_store
from .text_bounds import shorten
from .url_state import FilterOptions, ViewState, validate

log = logging.getLogger(__name__)


#: Shown in the shell when the data has no readable event date (the as-at date is then today's).
NO_DATES_MESSAGE = (
    f"{NO_DATED_RECORDS}. The as-at date shown is today's, so the figures are empty; choose a date, "
    "or ask the data team to run csc-dashboard check-db (it counts dates that cannot be read)."
)


def load_filter_options(db) -> FilterOptions:
    """The data's date range, teams (id -> label) and services, read through the data layer.

    With no readable event date the latest date is today's, marked ``dated=False`` so that the
    shell says so (an empty database, or one whose dates are all text). Labels are bounded
    (``CSC_MAX_TEXT_CHARS``); a team id or service longer than a filter may hold
    (:data:`dashboard.payloads.MAX_TEXT`) cannot be chosen, so it is not offered.
    """
    earliest, latest = date_range(db)
    teams = team_options(db)
    limit = max_text_chars()
    labels = {
        r.team_id: shorten(f"{r.team_name} ({r.service})", limit)
        for r in teams.itertuples()
        if isinstance(r.team_id, str) and len(r.team_id) <= MAX_TEXT
    }
    services = tuple(s for s in dict.fromkeys(teams["service"].tolist()) if isinstance(s, str) and len(s) <= MAX_TEXT)
    if latest is None:
        return FilterOptions(latest=date.today(), earliest=None, teams=labels, services=services, dated=False)
    return FilterOptions(latest=latest, earliest=earliest, teams=labels, services=services)


def filter_options() -> tuple[FilterOptions, str | None]:
    """The serving app's filter options (cached), or today's date and a reason if unreadable or undated."""
    try:
        options = cached_call(load_filter_options, get_db())
        return options, None if options.dated else NO_DATES_MESSAGE
    except DatabaseError as exc:
        return FilterOptions(latest=date.today()), f"Teams and dates could not be read from the database. {exc}"
    except Exception as exc:  # noqa: BLE001 - the shell must draw; only the type is logged
        log.error("reading filter options failed: %s", type(exc).__name__)
        return FilterOptions(latest=date.today()), "Teams and dates could not be read from the database."


def state_from_store(data) -> ViewState:
    """The filters store, validated against the data's teams, services and dates.

    The store's shape (types, sizes) is checked first by :func:`dashboard.payloads.filters_store`:
    a malformed one is refused (400), an empty one is ``PreventUpdate``. Presentation mode is
    forced on when the deployment says so (``CSC_PRESENTATION_ONLY=1``) or the user's role does
    (``board``), whatever the browser sends. A request with no signed-in user gets nothing (the
    sign-in gate has refused it already; this is the second lock).
    """
    user = current_user()
    if user is None:
        raise PreventUpdate
    store = filters_store(data)  # wrong types or sizes: Refused (HTTP 400)
    if store is None:
        raise PreventUpdate
    options, _ = filter_options()
    state = validate(store["as_at"], store["services"], store["teams"], store["presentation"], options)
    if (get_settings().presentation_only or user.presentation_only) and not state.presentation:
        state = ViewState(
            as_at=state.as_at, services=state.services, teams=state.teams, presentation=True, notices=state.notices
        )
    return state
