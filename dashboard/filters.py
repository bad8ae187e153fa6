"""The global filters of a request: the data's choices (dates, teams, services) and the store checked against them.

The shell draws its controls from :func:`filter_options`; every server-side reader of the filters
store (page parts, CSV downloads, the board pack button) goes through :func:`state_from_store`,
because the browser can send anything. It sits below the shell, the views and the pack so that
each of them can import it without importing one another.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date

from dash.exceptions import PreventUpdate

from data_layer import DatabaseError, date_range, team_options
from data_layer.queries.reference import NO_DATED_RECORDS

from .auth import current_user
from .cache import cached_call
from .context import get_db, get_settings
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
    shell says so (an empty database, or one whose dates are all text).
    """
    earliest, latest = date_range(db)
    teams = team_options(db)
    labels = {r.team_id: f"{r.team_name} ({r.service})" for r in teams.itertuples()}
    services = tuple(dict.fromkeys(teams["service"].tolist()))
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

    Presentation mode is forced on when the deployment says so (``CSC_PRESENTATION_ONLY=1``) or the
    user's role does (``board``), whatever the browser sends. A request with no signed-in user gets
    nothing (the sign-in gate has refused it already; this is the second lock).
    """
    user = current_user()
    if user is None or not isinstance(data, Mapping) or not data:
        raise PreventUpdate
    options, _ = filter_options()
    state = validate(
        data.get("as_at"),
        data.get("services") or [],
        data.get("teams") or [],
        bool(data.get("presentation") is True),
        options,
    )
    if (get_settings().presentation_only or user.presentation_only) and not state.presentation:
        state = ViewState(
            as_at=state.as_at, services=state.services, teams=state.teams, presentation=True, notices=state.notices
        )
    return state
